"""The access matrix: every operation of a service's OpenAPI × every role × in-scope and
out-of-scope tokens, checked against the service's access policy (shared.access).

Expectations, per request:
- a role the rule does not name: 403 (the policy's refusal, before the handler);
- an allowed role out of scope: 404 for an object route (a path naming a seeded object), no
  2xx for a create naming an in-scope division (403/404/422), and for lists and queries no
  seeded person's id, ID number or name in the answer (an empty 200, or 403/404);
- an allowed role in scope: anything but 401, 404, 5xx and the access refusal ("this action
  needs one of the roles", "may not read"); a 409 or 422 about the body or the record's state
  is fine, and so is a workflow's 403 for a step another officer takes (`STEP_REFUSALS`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlmodel import Session, select

from services.employment.main import build_app as employment_app
from services.enrollment.main import build_app as enrollment_app
from services.enrollment.pension.models import FuneralGrant
from services.enrollment.registry.models import Person
from services.medical.main import build_app as medical_app
from services.welfare.dibao.models import DibaoCase
from services.welfare.disability.models import DisabledPerson
from services.welfare.main import build_app as welfare_app
from shared.access import AccessPolicy, Rule
from shared.db import make_engine
from shared.domain import PovertyStatus
from shared.ids import make_resident_id
from shared.policy.recalculation.tables import PolicyAdjustment
from shared.roles import Role
from shared.settings import Settings
from tests.support.app import token
from tests.support.welfare_disability import matrix_calls as disability_calls

IN_COUNTY = "532325"
IN_TOWNSHIP = "532325100"
IN_VILLAGE = "532325100201"
OTHER_COUNTY = "520324"
SAME_COUNTY_TOWNSHIP = "532325101"
SAME_COUNTY_VILLAGE = "532325101202"

# A query value standing for the division the role's in-scope token covers (the county for
# admin): out-of-scope requests ask for the same division, outside their jurisdiction.
DIVISION = "{division}"
# Path parameters that name no record (a scheme, a format).
NOT_OBJECTS = frozenset({"scheme"})
ACCESS_REFUSALS = ("this action needs one of the roles", "may not read", "has no access rule")
# The only 403s an allowed role in scope may meet: a workflow step another officer takes.
STEP_REFUSALS = ("is taken by", "may not approve", "only ", "are recorded by", "prepared by")


def in_scope(role: Role) -> str:
    if role is Role.village_cadre:
        return IN_VILLAGE
    if role is Role.township_officer:
        return IN_TOWNSHIP
    return "" if role is Role.admin else IN_COUNTY


def out_of_scope(role: Role, rule: Rule) -> list[str]:
    """Another county always; for township and village staff also another township of the
    county, unless the route's objects are the county's."""
    if role is Role.admin:
        return []
    if role is Role.village_cadre:
        other = [f"{OTHER_COUNTY}100201"]
        return other if rule.county_wide else [*other, SAME_COUNTY_VILLAGE]
    if role is Role.township_officer:
        other = [f"{OTHER_COUNTY}100"]
        return other if rule.county_wide else [*other, SAME_COUNTY_TOWNSHIP]
    return [OTHER_COUNTY]


# Operations whose in-scope calls here meet a rule about the body or the record's state (each
# role sends the same body, so the first one's success makes the others' a 409): none of them
# may never reach a 2xx in the matrix; they are checked for refusals and jurisdiction only.
BODY_BOUND = {
    ("POST", "/v1/rolls/{scheme}/imports"),
    ("POST", "/v1/persons/{id_number}/move"),
    ("POST", "/v1/jobs/recommendations"),
    ("POST", "/v1/training/certificates/{certificate_id}/job-seeking-subsidy"),
    # The welfare records are seeded past these steps (the objection resolved, the household
    # active, the cycle not yet paid for its bank file, the person already certified).
    ("GET", "/v1/payment-cycles/{cycle_id}/bank-file"),
    ("POST", "/v1/dibao/applications/{application_id}/activation"),
    ("POST", "/v1/dibao/applications/{application_id}/objections"),
    ("POST", "/v1/dibao/applications/{application_id}/objections/{objection_id}/resolution"),
    ("POST", "/v1/tekun/care-homes/{home_id}/placements"),
    ("POST", "/v1/tekun/certifications"),
    # MED-8 is 正安's programme: in the matrix's county (姚安) a bill is a 422 naming the missing
    # cap; the 正安 bills are tested in test_medical_outpatient.
    ("POST", "/v1/outpatient/chronic36-bills"),
    ("POST", "/v1/tekun/placements/{placement_id}/move-out"),
    # WEL-10 to WEL-12 are 正安's programme: in 姚安 a decision is a 422 naming the missing
    # parameter, so no case is approved nor granted; 正安's are tested in test_welfare_disability.
    ("POST", "/v1/disability/rehab-cases/{case_id}/decision"),
    ("POST", "/v1/disability/rehab-cases/{case_id}/grants"),
}


@dataclass
class Call:
    """How to call one operation: path parameters, query, and a JSON body or a file."""

    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    json: Any = None
    file: tuple[str, bytes, str] | None = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    path_params: tuple[str, ...]
    has_body: bool
    multipart: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)


def operations(spec: Mapping[str, Any]) -> list[Operation]:
    out = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            params = tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "path")
            content = op.get("requestBody", {}).get("content", {})
            out.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    path_params=params,
                    has_body=bool(content),
                    multipart="multipart/form-data" in content,
                )
            )
    return out


def url(op: Operation, call: Call) -> str:
    path = op.path
    for name in op.path_params:
        path = path.replace("{" + name + "}", str(call.path_params[name]))
    return path


@dataclass
class Outcome:
    op: Operation
    role: Role
    scope: str
    kind: str  # forbidden / out_of_scope / in_scope
    status: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.op.method} {self.op.path} as {self.role} scope={self.scope or '*'} "
            f"({self.kind}): {self.status} {self.detail[:160]}"
        )


async def send(
    client: httpx.AsyncClient,
    settings: Settings,
    op: Operation,
    call: Call,
    role: Role,
    scope: str,
    extra_headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    headers = {**token(settings, role, scope=scope, sub=f"matrix-{role}"), **(extra_headers or {})}
    division = in_scope(role) or IN_COUNTY
    query = {k: division if v == DIVISION else v for k, v in call.query.items()}
    kwargs: dict[str, Any] = {"headers": headers, "params": query}
    if call.file is not None:
        kwargs["files"] = {"file": call.file}
    elif op.has_body:
        kwargs["json"] = copy.deepcopy(call.json) if call.json is not None else {}
    return await client.request(op.method, url(op, call), **kwargs)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    return str(body.get("detail", "")) if isinstance(body, dict) else ""


def check(outcome: Outcome, rule: Rule, object_route: bool, leaked: bool) -> str | None:
    """The failure this outcome is, or None."""
    status, detail = outcome.status, outcome.detail
    if outcome.kind == "forbidden":
        return None if status == 403 else "expected 403"
    if outcome.kind == "out_of_scope":
        if object_route:
            return None if status == 404 else "expected 404 (object outside the jurisdiction)"
        if status >= 500:
            return "server error"
        if leaked:
            return "answer shows a record outside the jurisdiction"
        if outcome.op.method != "GET" and 200 <= status < 300:
            return "an out-of-scope write succeeded"
        return None
    if status in (401, 404) or status >= 500:
        return f"unexpected {status} in scope"
    if status == 403:
        if any(r in detail for r in ACCESS_REFUSALS):
            return "allowed role refused"
        if not any(r in detail for r in STEP_REFUSALS):
            return "403 in scope that is not a workflow step's"
    return None


def plan(policy: AccessPolicy, op: Operation) -> Iterator[tuple[Role, str, str]]:
    """(role, scope, kind) for every role; forbidden ones first, then out of scope, then in
    scope, so that writes in scope come after every read of the same object."""
    rule = policy.all_rules()[op.key]
    allowed = rule.allowed()
    for role in Role:
        if role not in allowed:
            yield role, in_scope(role), "forbidden"
    if rule.scoped:
        for role in Role:
            if role in allowed:
                for scope in out_of_scope(role, rule):
                    yield role, scope, "out_of_scope"
    for role in Role:
        if role in allowed:
            yield role, in_scope(role), "in_scope"


def leaks(response: httpx.Response, markers: list[str]) -> bool:
    text = response.text
    return any(m in text for m in markers)


async def run_matrix(
    client: httpx.AsyncClient,
    settings: Settings,
    policy: AccessPolicy,
    spec: Mapping[str, Any],
    calls: Mapping[tuple[str, str], Call],
    markers: list[str],
    seen: list[Outcome] | None = None,
) -> list[str]:
    """Every operation × role × scope; the failures as readable lines. `seen` collects every
    outcome."""
    failures: list[str] = []
    ops = [op for op in operations(spec) if not policy.all_rules()[op.key].public]
    # Reads before writes, so that a write in scope (a death, a cancellation) cannot change
    # what another role's read sees.
    ops.sort(key=lambda op: op.method != "GET")
    for phase in ("forbidden", "out_of_scope", "in_scope"):
        for op in ops:
            rule = policy.all_rules()[op.key]
            call = calls.get(op.key, Call())
            object_route = any(p not in NOT_OBJECTS for p in op.path_params)
            for role, scope, kind in plan(policy, op):
                if kind != phase:
                    continue
                response = await send(client, settings, op, call, role, scope)
                outcome = Outcome(op, role, scope, kind, response.status_code, _detail(response))
                leaked = kind == "out_of_scope" and leaks(response, markers)
                problem = check(outcome, rule, object_route, leaked)
                if seen is not None:
                    seen.append(outcome)
                if problem:
                    failures.append(f"{outcome} -> {problem}")
    return failures


def coverage(spec: Mapping[str, Any], policy: AccessPolicy) -> tuple[set[Any], set[Any]]:
    """(operations without a rule, rules without an operation)."""
    ops = {op.key for op in operations(spec)}
    rules = set(policy.all_rules())
    return ops - rules, rules - ops


P1 = make_resident_id(IN_COUNTY, date(1960, 1, 1), 11, "M")


P2 = make_resident_id(IN_COUNTY, date(1965, 2, 2), 12, "F")


P3 = make_resident_id(IN_COUNTY, date(1970, 3, 3), 13, "M")


P4 = make_resident_id(IN_COUNTY, date(1990, 4, 4), 14, "F")


# Not in the registry: a dibao applicant of a household of his own.
P5 = make_resident_id(IN_COUNTY, date(1980, 5, 5), 15, "M")


NAMES = {P1: "矩阵甲", P2: "矩阵乙", P3: "矩阵丙", P4: "矩阵丁"}


PERSON_IDS = {P1: "mxp-1", P2: "mxp-2", P3: "mxp-3", P4: "mxp-4"}


Seeder = Callable[[httpx.AsyncClient, Settings, str], Awaitable[dict[tuple[str, str], Call]]]


def as_(settings: Settings, role: Role, scope: str = IN_COUNTY) -> dict[str, str]:
    """The seeding officer: another subject than the matrix's, so four-eyes rules hold."""
    return token(settings, role, scope=scope, sub=f"seeder-{role}")


def ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, (response.request.url, response.text)
    return response.json()


def _owes(url: str, model: type, key: int, amount: Decimal) -> None:
    """An overpayment left to recover (a dibao case's, a disabled person's), for the write-off."""
    engine = make_engine(url)
    with Session(engine) as s:
        row = s.get(model, key)
        assert row is not None
        row.clawback_balance = amount
        s.add(row)
        s.commit()
    engine.dispose()


def seed_registry(url: str, model: type, **extra: Any) -> None:
    """The registered people into a service's registry read model."""
    engine = make_engine(url)
    with Session(engine) as s:
        for number, name in NAMES.items():
            s.add(
                model(
                    person_id=PERSON_IDS[number],
                    id_number=number,
                    household_id="MX-H1",
                    name=name,
                    sex="M" if int(number[16]) % 2 else "F",
                    birth_date=date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                    county_code=IN_COUNTY,
                    township_code=IN_TOWNSHIP,
                    village_code=IN_VILLAGE,
                    source_event_id="seed",
                    **extra,
                )
            )
        s.commit()
    engine.dispose()


ROSTER = "\n".join(
    [
        "户编号,姓名,证件号码,与户主关系,县,乡镇,行政村,贫困状态",
        f"MX-H1,{NAMES[P1]},{P1},户主,{IN_COUNTY},{IN_TOWNSHIP},{IN_VILLAGE},未脱贫",
        f"MX-H1,{NAMES[P2]},{P2},配偶,{IN_COUNTY},{IN_TOWNSHIP},{IN_VILLAGE},未脱贫",
        f"MX-H1,{NAMES[P3]},{P3},子女,{IN_COUNTY},{IN_TOWNSHIP},{IN_VILLAGE},未脱贫",
        f"MX-H2,{NAMES[P4]},{P4},户主,{IN_COUNTY},{IN_TOWNSHIP},{IN_VILLAGE},已脱贫",
    ]
).encode()


YEAR_IN = {"year": "2020", "division": DIVISION}


PENSION_ROLL = f"证件号码,年度,缴费档次,是否缴费\n{P1},2020,1,是\n".encode()
# The education bureau's student register: P3 a graduate student (a loan limit, EDU-5).
STUDENT_REGISTER = (
    f"学校,学段,年级,寄宿,身份证号,姓名\n某大学,研究生,1,否,{P3},{NAMES[P3]}\n".encode()
)
SCHOOL_YEAR_IN = {"school_year": "2020", "division": DIVISION}


LEDGER_COPY = {
    "year": 2017,
    "township_code": IN_TOWNSHIP,
    "holder": "township",
    "handed_on": "2017-10-10",
}


def _funeral_grant(url: str, id_number: str) -> None:
    """A funeral grant on record, as the death consumer writes it (ENR-P8), to be read back."""
    engine = make_engine(url)
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.id_number == id_number)).one()
        s.add(FuneralGrant(person_id=person.id, amount=Decimal("600.00"),
                           deceased_on=date(2021, 1, 5), trace={}))  # fmt: skip
        s.commit()
    engine.dispose()


# A figure each service's counties may publish (shared.policy.publication), and who publishes.
PUBLISHED = {
    "enrollment": ("enrollment.medical.fixed_assistance_subsidy", "80", Role.county_hrss),
    "medical": ("medical.annual_cap.rural_disposable_income", "10200", Role.county_medical),
    "employment": ("employment.entrepreneurship.one_off_subsidy", "6000", Role.county_hrss),
    "welfare": ("welfare.dibao.rural_standard", "4200", Role.county_civil),
}


async def publication_calls(
    client: httpx.AsyncClient, settings: Settings, service: str
) -> dict[tuple[str, str], Call]:
    """The parameter-set routes: a set proposed by the seeding officer, for the matrix to read
    and decide (its roles are other officers: four eyes hold)."""
    path, value, role = PUBLISHED[service]
    body = {
        "county_code": IN_COUNTY,
        "reason": "矩阵测试：县政府调整标准",
        "items": [
            {
                "path": path,
                "effective_from": "2020-01-01",
                "value": value,
                "reference": "县文件 第一条",
            }
        ],
    }
    proposed = ok(
        await client.post("/v1/policy/publications", json=body, headers=as_(settings, role))
    )
    one = {"publication_id": str(proposed["id"])}
    calls = {
        ("POST", "/v1/policy/publications"): Call(json=body),
        ("GET", "/v1/policy/publications"): Call(),
        ("GET", "/v1/policy/publications/{publication_id}"): Call(one),
        ("POST", "/v1/policy/publications/{publication_id}/decision"): Call(
            one, json={"approve": True}
        ),
    }
    if service in RECALCULATING:
        calls |= adjustment_calls(settings, one)
    return calls


# The services whose decisions are recomputed when a set is published (their recalculators).
RECALCULATING = ("enrollment", "medical", "employment")


def adjustment_calls(settings: Settings, one: dict[str, str]) -> dict[tuple[str, str], Call]:
    """The adjustment ledger's routes, on an overpayment of the county found by an earlier
    recalculation (written to the table: which decisions a figure changes is the recalculation
    tests' concern)."""
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        row = PolicyAdjustment(
            publication_id=int(one["publication_id"]), county_code=IN_COUNTY,
            township_code=IN_TOWNSHIP, scheme="matrix", subject="matrix-1", period=date(2020, 3, 1),
            paid_amount=Decimal("500.00"), due_amount=Decimal("450.00"),
            difference=Decimal("-50.00"), kind="claw_back", created_by="matrix",
        )  # fmt: skip
        s.add(row)
        s.commit()
        adjustment = {"adjustment_id": str(row.id)}
    engine.dispose()
    base = "/v1/policy/adjustments"
    return {
        ("POST", "/v1/policy/publications/{publication_id}/recalculation"): Call(one),
        ("GET", base): Call(),
        ("GET", base + "/{adjustment_id}"): Call(adjustment),
        ("POST", base + "/{adjustment_id}/settlement"): Call(
            adjustment, json={"outcome": "written_off", "note": "县医保局决定核销"}
        ),
    }


async def seed_enrollment(
    client: httpx.AsyncClient, settings: Settings, url: str
) -> dict[tuple[str, str], Call]:
    job = ok(
        await client.post(
            "/v1/registry/imports",
            files={"file": ("roster.csv", ROSTER, "text/csv")},
            headers=as_(settings, Role.county_poverty),
        )
    )
    ok(
        await client.post(
            "/v1/education/registers/imports",
            params={"school_year": "2020", "county_code": IN_COUNTY},
            files={"file": ("register.csv", STUDENT_REGISTER, "text/csv")},
            headers=as_(settings, Role.county_education),
        )
    )
    _funeral_grant(url, P1)
    person = {"id_number": P3}
    household = {"household_id": "MX-H1"}
    published = await publication_calls(client, settings, "enrollment")
    return {
        **published,
        ("POST", "/v1/registry/imports"): Call(file=("roster.csv", ROSTER, "text/csv")),
        ("GET", "/v1/persons/{id_number}"): Call(person),
        ("POST", "/v1/persons/{id_number}/death"): Call(person, json={"deceased_on": "2021-01-05"}),
        ("POST", "/v1/persons/{id_number}/disability"): Call(
            {"id_number": P2}, json={"grade": 2, "certified_on": "2020-05-01"}
        ),
        ("POST", "/v1/households/{household_id}/members"): Call(
            household,
            json={
                "id_number": make_resident_id(IN_COUNTY, date(2020, 1, 1), 15, "M"),
                "name": "矩阵戊",
            },
        ),
        ("POST", "/v1/households/{household_id}/head"): Call(household, json={"id_number": P1}),
        ("POST", "/v1/persons/{id_number}/move"): Call(person, json={"to_household_id": "MX-H2"}),
        ("POST", "/v1/households/{household_id}/split"): Call(
            household,
            json={"new_household_id": "MX-H9", "id_numbers": [P2], "head_id_number": P2},
        ),
        ("POST", "/v1/rolls/{scheme}/imports"): Call(
            {"scheme": "pension"},
            query={"year": "2020"},
            file=("roll.csv", PENSION_ROLL, "text/csv"),
        ),
        ("GET", "/v1/reconciliation/{scheme}"): Call({"scheme": "pension"}, YEAR_IN),
        ("GET", "/v1/reconciliation/{scheme}/gaps"): Call(
            {"scheme": "pension"}, {**YEAR_IN, "kind": "not_paid"}
        ),
        ("GET", "/v1/reconciliation/{scheme}/export"): Call({"scheme": "pension"}, YEAR_IN),
        ("GET", "/v1/persons/{id_number}/medical-contribution"): Call(person, {"year": "2020"}),
        ("POST", "/v1/medical-contributions"): Call(query={"year": "2020", "division": DIVISION}),
        ("GET", "/v1/persons/{id_number}/pension/subsidy"): Call(
            {"id_number": P1}, {"year": "2020", "tier": "100"}
        ),
        ("GET", "/v1/persons/{id_number}/pension/early-subsidy"): Call(person),
        ("GET", "/v1/persons/{id_number}/pension/funeral-grant"): Call({"id_number": P1}),
        ("GET", "/v1/pension/ledger"): Call(query={"year": "2020", "division": DIVISION}),
        ("POST", "/v1/pension/benefit"): Call(
            json={
                "county_code": IN_COUNTY,
                "on": "2020-06-01",
                "contribution_years": 15,
                "account_balance": "3000.00",
            }
        ),
        ("POST", "/v1/pension/transfer-in"): Call(
            json={
                "county_code": IN_COUNTY,
                "on": "2020-06-01",
                "employee_contribution_months": 60,
                "employee_account_balance": "5000.00",
            }
        ),
        ("GET", "/v1/jobs/{job_id}"): Call({"job_id": job["id"]}),
        ("POST", "/v1/education/registers/imports"): Call(
            query={"school_year": "2020", "county_code": IN_COUNTY},
            file=("register.csv", STUDENT_REGISTER, "text/csv"),
        ),
        ("GET", "/v1/education/students"): Call(query=SCHOOL_YEAR_IN),
        ("GET", "/v1/education/students/export"): Call(query={**SCHOOL_YEAR_IN, "format": "csv"}),
        ("GET", "/v1/education/students/{id_number}"): Call(person, {"school_year": "2020"}),
        ("GET", "/v1/education/out-of-school"): Call(query=SCHOOL_YEAR_IN),
        ("GET", "/v1/education/coverage"): Call(query=SCHOOL_YEAR_IN),
        ("GET", "/v1/plan/targets"): Call(query={"county": IN_COUNTY}),
        ("POST", "/v1/plan/pension-ledger-copies"): Call(json=LEDGER_COPY),
        ("GET", "/v1/plan/pension-ledger-copies"): Call(
            query={"county": IN_COUNTY, "year": "2017"}
        ),
    }


def stay_body(claim: str, number: str, **over: Any) -> dict[str, Any]:
    body = {
        "claim_id": claim,
        "id_number": number,
        "county_code": IN_COUNTY,
        "hospital_level": 2,
        "admin_level": "county",
        "admission": "2017-04-01",
        "discharge": "2017-04-12",
        "referral_compliant": True,
        "total_cost": "20000.00",
        "covered_cost": "18000.00",
        "diagnosis_codes": ["I63.9"],
        "upstream": {"basic": "9000.00", "critical_illness": "2000.00", "assistance": "1000.00"},
    }
    return {**body, **over}


CHRONIC = {
    "bill_id": "MX-B1",
    "id_number": P1,
    "county_code": IN_COUNTY,
    "bill_date": "2018-03-01",
    "category": "I",
    "hospital_level": 1,
    "covered_cost": "600.00",
    "diagnosis_codes": ["N18.5"],
}


CHRONIC36 = {
    "bill_id": "MX-B2",
    "id_number": P1,
    "county_code": IN_COUNTY,
    "bill_date": "2018-04-01",
    "hospital_admin_level": "county",
    "bill_self_pay": "800.00",
    "approved_out_of_catalogue": "500.00",
    "diagnosis_codes": ["E11.9"],
}


CAMPAIGN = {"county_code": IN_COUNTY, "period_start": "2017-01-01", "period_end": "2017-12-31"}


VISIT = {
    "visit_id": "MX-V1",
    "id_number": P1,
    "county_code": IN_COUNTY,
    "township_code": IN_TOWNSHIP,
    "facility_type": "township_health_centre",
    "facility_name": "栋川镇卫生院",
    "visit_date": "2017-05-03",
    "fee_self_pay": "10.00",
}


async def seed_medical(
    client: httpx.AsyncClient, settings: Settings, url: str
) -> dict[tuple[str, str], Call]:
    from services.medical.models import RegistryPerson

    seed_registry(url, RegistryPerson, poverty_status="marginal")
    hospital = token(settings, Role.hospital, scope=IN_COUNTY, sub="matrix-hospital")
    ok(await client.post("/v1/hospitalizations", json=stay_body("MX-C1", P1), headers=hospital))
    registered_poor(url)
    campaign = ok(
        await client.post(
            "/v1/campaigns",
            json=CAMPAIGN,
            headers=as_(settings, Role.county_medical),
        )
    )
    cid = campaign["campaign_id"] if "campaign_id" in campaign else campaign["id"]
    forms = ok(
        await client.get(f"/v1/campaigns/{cid}/forms", headers=as_(settings, Role.county_medical))
    )
    items = forms["items"] if isinstance(forms, dict) else forms
    assert items, forms
    form_id = items[0].get("form_id", items[0].get("id"))
    ok(await client.post("/v1/outpatient/chronic-bills", json=CHRONIC, headers=hospital))
    # MED-8 is 正安's programme: in 姚安 the bill is refused, naming the missing cap (422).
    refused = await client.post("/v1/outpatient/chronic36-bills", json=CHRONIC36, headers=hospital)
    assert refused.status_code == 422, refused.text
    ok(await client.post("/v1/general-diagnosis-fees", json=VISIT, headers=hospital))
    claim = {"claim_id": "MX-C1"}
    campaign_params = {"campaign_id": str(cid)}
    person = {"id_number": P1}
    fd = await seed_family_doctor(client, settings)
    published = await publication_calls(client, settings, "medical")
    return {
        **published,
        **fd,
        ("GET", "/v1/persons/{id_number}"): Call(person),
        ("POST", "/v1/hospitalizations"): Call(json=stay_body("MX-C2", P2)),
        ("GET", "/v1/hospitalizations/{claim_id}"): Call(claim),
        ("PUT", "/v1/hospitalizations/{claim_id}"): Call(
            claim, json=stay_body("MX-C1", P1, total_cost="20001.00")
        ),
        ("POST", "/v1/hospitalizations/{claim_id}/cancel"): Call(
            claim, json={"reason": "entered twice"}
        ),
        ("GET", "/v1/hospitalizations/{claim_id}/history"): Call(claim),
        ("POST", "/v1/campaigns"): Call(json=CAMPAIGN),
        ("GET", "/v1/campaigns/{campaign_id}"): Call(campaign_params),
        ("GET", "/v1/campaigns/{campaign_id}/forms"): Call(campaign_params),
        ("GET", "/v1/campaigns/{campaign_id}/forms/export"): Call(campaign_params),
        ("GET", "/v1/campaigns/{campaign_id}/forms/{form_id}"): Call(
            {**campaign_params, "form_id": str(form_id)}
        ),
        ("POST", "/v1/campaigns/{campaign_id}/forms/{form_id}/steps"): Call(
            {**campaign_params, "form_id": str(form_id)}, json={"to": "home_visited"}
        ),
        ("GET", "/v1/persons/{id_number}/medical-summary"): Call(person, {"year": "2017"}),
        ("GET", "/v1/indicators/guarantee"): Call(query={"county": IN_COUNTY, "year": "2017"}),
        ("POST", "/v1/outpatient/chronic-bills"): Call(json={**CHRONIC, "bill_id": "MX-B3"}),
        ("POST", "/v1/outpatient/chronic36-bills"): Call(json={**CHRONIC36, "bill_id": "MX-B4"}),
        ("GET", "/v1/outpatient/bills/{bill_id}"): Call({"bill_id": "MX-B1"}),
        ("GET", "/v1/persons/{id_number}/outpatient-summary"): Call(person, {"year": "2018"}),
        ("POST", "/v1/general-diagnosis-fees"): Call(json={**VISIT, "visit_id": "MX-V2"}),
        ("GET", "/v1/general-diagnosis-fees/ledger"): Call(query={"county": IN_COUNTY}),
        ("GET", "/v1/general-diagnosis-fees/{visit_id}"): Call({"visit_id": "MX-V1"}),
        ("GET", "/v1/plan/targets"): Call(query={"county": IN_COUNTY}),
        ("POST", "/v1/plan/diagnosis-fee-ledgers"): Call(
            json={"township_code": IN_TOWNSHIP, "reported_on": "2017-11-20"}
        ),
        ("GET", "/v1/plan/diagnosis-fee-ledgers"): Call(query={"county": IN_COUNTY}),
    }


FAMILY_TEAM = {
    "name": "矩阵村家庭医生团队",
    "level": "village",
    "division_code": IN_VILLAGE,
    "members": [{"subject": f"matrix-{Role.family_doctor}", "name": "矩阵医生"}],
}


async def seed_family_doctor(
    client: httpx.AsyncClient, settings: Settings
) -> dict[tuple[str, str], Call]:
    """MED-12: a village team whose doctor is the matrix's family_doctor, the four people with a
    hypertension diagnosis, and signings to renew (P1), end (P3) and visit (P4); P2 is left for
    the matrix to sign."""
    health = as_(settings, Role.county_health)
    team = ok(await client.post("/v1/family-doctor/teams", json=FAMILY_TEAM, headers=health))
    signings = {}
    for number in (P1, P2, P3, P4):
        seen = {"id_number": number, "diagnosis_codes": ["I10"], "seen_on": "2018-03-01"}
        ok(await client.post("/v1/family-doctor/diagnoses", json=seen, headers=health))
    for number in (P1, P3, P4):
        body = {"id_number": number, "team_id": team["id"], "signed_on": "2018-04-01"}
        signed = ok(await client.post("/v1/family-doctor/signings", json=body, headers=health))
        signings[number] = {"signing_id": str(signed["id"])}
    county = {"county_code": IN_COUNTY, "on": "2018-09-01"}
    base = "/v1/family-doctor"
    return {
        ("POST", f"{base}/teams"): Call(json=FAMILY_TEAM),
        ("GET", f"{base}/teams"): Call(query={"county_code": IN_COUNTY}),
        ("GET", f"{base}/teams/{{team_id}}"): Call({"team_id": str(team["id"])}),
        ("POST", f"{base}/diagnoses"): Call(
            json={"id_number": P2, "diagnosis_codes": ["E11.9"], "seen_on": "2018-03-02"}
        ),
        ("POST", f"{base}/signings"): Call(
            json={"id_number": P2, "team_id": team["id"], "signed_on": "2018-04-01"}
        ),
        ("GET", f"{base}/signings/{{signing_id}}"): Call(signings[P4]),
        ("POST", f"{base}/signings/{{signing_id}}/renew"): Call(
            signings[P1], json={"renewed_on": "2019-03-01"}
        ),
        ("POST", f"{base}/signings/{{signing_id}}/end"): Call(
            signings[P3], json={"ended_on": "2018-06-01", "reason": "moved"}
        ),
        ("POST", f"{base}/signings/{{signing_id}}/visits"): Call(
            signings[P4],
            json={
                "visit_date": "2018-05-01",
                "place": "home",
                "indicators": {"systolic_bp": "150", "diastolic_bp": "90"},
            },
        ),
        ("GET", f"{base}/persons/{{id_number}}/visits"): Call({"id_number": P4}),
        ("GET", f"{base}/signing-rate"): Call(query=county),
        ("GET", f"{base}/signing-rate/export"): Call(query=county),
        ("GET", f"{base}/unsigned"): Call(query=county),
        ("GET", f"{base}/overdue"): Call(query=county),
    }


def registered_poor(url: str) -> None:
    from sqlalchemy import update

    from services.medical.models import RegistryPerson

    engine = make_engine(url)
    with Session(engine) as s:
        s.execute(update(RegistryPerson).values(poverty_status="not_exited"))
        s.commit()
    engine.dispose()


CENSUS = {"work_ability": "full", "wishes_to_work": True, "wishes_to_train": True}


CENSUS_CSV = f"证件号码,劳动能力,就业意愿,培训意愿\n{P4},full,是,是\n".encode()


PROGRAMME = {
    "county_code": IN_COUNTY,
    "name": "矩阵培训",
    "kind": "skills",
    "provider_department": "县妇联",
    "townships": [IN_TOWNSHIP],
    "hours": 80,
    "starts_on": "2018-03-01",
    "ends_on": "2018-03-20",
}


VACANCY = {
    "county_code": IN_COUNTY,
    "township_code": IN_TOWNSHIP,
    "employer": "某厂",
    "title": "普工",
    "location": "local",
    "monthly_wage": "2500.00",
    "positions": 5,
    "opened_on": "2018-03-01",
}


POST = {
    "township_code": IN_TOWNSHIP,
    "village_code": IN_VILLAGE,
    "post_type": "cleaning",
    "name": "保洁员",
    "capacity": 3,
    "opened_on": "2018-01-01",
}


WORKSHOP = {
    "township_code": IN_TOWNSHIP,
    "village_code": IN_VILLAGE,
    "name": "扶贫车间",
    "operator": "某公司",
    "opened_on": "2018-01-01",
}


BUSINESS = {
    "person_id": "mxp-1",
    "business_type": "individual",
    "name": "小卖部",
    "started_on": "2018-05-01",
}


LOAN = {
    "person_id": "mxp-1",
    "loan_kind": "guarantee",
    "amount": "50000.00",
    "term_months": 24,
    "applied_on": "2018-06-01",
}


LEADER_SESSION = {
    "county_code": IN_COUNTY,
    "name": "致富带头人培训",
    "starts_on": "2018-03-01",
    "ends_on": "2018-03-08",
    "trainees": [{"person_id": "mxp-1"}],
}


async def seed_employment(
    client: httpx.AsyncClient, settings: Settings, url: str
) -> dict[tuple[str, str], Call]:
    from services.employment.registry.models import RegistryPerson

    seed_registry(url, RegistryPerson, poverty_status="not_exited")
    hrss = as_(settings, Role.county_hrss)

    async def post(path: str, body: dict[str, Any]) -> Any:
        return ok(await client.post(path, json=body, headers=hrss))

    for pid in ("mxp-1", "mxp-2", "mxp-3"):
        ok(await client.put(f"/v1/census/persons/{pid}", json=CENSUS, headers=hrss))
    prog = await post("/v1/training/programmes", PROGRAMME)
    enrolment = await post(
        f"/v1/training/programmes/{prog['id']}/enrolments",
        {"person_id": "mxp-1", "enrolled_on": "2018-03-01"},
    )
    pending = await post(
        f"/v1/training/programmes/{prog['id']}/enrolments",
        {"person_id": "mxp-3", "enrolled_on": "2018-03-01"},
    )
    await post(
        f"/v1/training/enrolments/{enrolment['id']}/completion",
        {"completed_on": "2018-03-20", "outcome": "passed"},
    )
    certificate = await post(
        f"/v1/training/enrolments/{enrolment['id']}/certificates",
        {"kind": "skill_level", "number": "MX-CERT-1", "issued_on": "2018-04-01"},
    )
    vacancy = await post("/v1/jobs/vacancies", VACANCY)
    rec = await post(
        "/v1/jobs/recommendations",
        {"vacancy_id": vacancy["id"], "person_id": "mxp-2", "recommended_on": "2018-03-05"},
    )
    placement = await post(
        "/v1/jobs/placements",
        {"person_id": "mxp-3", "employer": "某厂", "location": "local", "start_on": "2018-04-01"},
    )
    post_ = await post("/v1/posts", POST)
    assignment = await post(
        f"/v1/posts/{post_['id']}/assignments", {"person_id": "mxp-2", "start_on": "2018-02-01"}
    )
    workshop = await post("/v1/workshops", WORKSHOP)
    worker = await post(
        f"/v1/workshops/{workshop['id']}/workers", {"person_id": "mxp-3", "start_on": "2018-02-01"}
    )
    business = await post("/v1/businesses", BUSINESS)
    leaders = await post("/v1/plan/leader-sessions", LEADER_SESSION)
    loan = await post("/v1/business-loans", LOAN)
    person = {"person_id": "mxp-1"}
    programme = {"programme_id": str(prog["id"])}
    county = {"county": IN_COUNTY}
    published = await publication_calls(client, settings, "employment")
    return {
        **published,
        ("GET", "/v1/persons/{id_number}"): Call({"id_number": P1}),
        ("POST", "/v1/census/imports"): Call(file=("census.csv", CENSUS_CSV, "text/csv")),
        ("GET", "/v1/census/persons"): Call(query={"division": DIVISION}),
        ("GET", "/v1/census/persons/{person_id}"): Call(person),
        ("PUT", "/v1/census/persons/{person_id}"): Call(person, json=CENSUS),
        ("PATCH", "/v1/census/persons/{person_id}"): Call(person, json={"note": "复查"}),
        ("GET", "/v1/census/not-surveyed"): Call(query={"division": DIVISION}),
        ("GET", "/v1/census/export"): Call(query={"division": DIVISION}),
        ("GET", "/v1/training/assignments"): Call(query=county),
        ("POST", "/v1/training/programmes"): Call(json=PROGRAMME),
        ("GET", "/v1/training/programmes"): Call(query=county),
        ("GET", "/v1/training/programmes/{programme_id}"): Call(programme),
        ("POST", "/v1/training/programmes/{programme_id}/enrolments"): Call(
            programme, json={"person_id": "mxp-2", "enrolled_on": "2018-03-01"}
        ),
        ("GET", "/v1/training/programmes/{programme_id}/enrolments"): Call(programme),
        ("POST", "/v1/training/enrolments/{enrolment_id}/completion"): Call(
            {"enrolment_id": str(pending["id"])},
            json={"completed_on": "2018-03-20", "outcome": "passed"},
        ),
        ("POST", "/v1/training/enrolments/{enrolment_id}/certificates"): Call(
            {"enrolment_id": str(enrolment["id"])},
            json={"kind": "skill_level", "number": "MX-CERT-2", "issued_on": "2018-04-02"},
        ),
        ("POST", "/v1/training/certificates/{certificate_id}/job-seeking-subsidy"): Call(
            {"certificate_id": str(certificate["id"])}, json={}
        ),
        ("GET", "/v1/training/indicators"): Call(query={**county, "year": "2018"}),
        ("GET", "/v1/training/ledger"): Call(query={**county, "year": "2018"}),
        ("POST", "/v1/jobs/vacancies"): Call(json=VACANCY),
        ("GET", "/v1/jobs/vacancies"): Call(query=county),
        ("GET", "/v1/jobs/vacancies/{vacancy_id}"): Call({"vacancy_id": str(vacancy["id"])}),
        ("POST", "/v1/jobs/vacancies/{vacancy_id}/close"): Call(
            {"vacancy_id": str(vacancy["id"])}, json={"closed_on": "2018-09-01"}
        ),
        ("POST", "/v1/jobs/recommendations"): Call(
            json={"vacancy_id": vacancy["id"], "person_id": "mxp-1", "recommended_on": "2018-03-06"}
        ),
        ("GET", "/v1/jobs/recommendations"): Call(query=county),
        ("GET", "/v1/jobs/recommendations/{rec_id}"): Call({"rec_id": str(rec["id"])}),
        ("POST", "/v1/jobs/recommendations/{rec_id}/outcome"): Call(
            {"rec_id": str(rec["id"])}, json={"outcome": "interviewed", "on": "2018-03-10"}
        ),
        ("GET", "/v1/jobs/recommendation-coverage"): Call(query={**county, "year": "2018"}),
        ("POST", "/v1/jobs/placements"): Call(
            json={
                "person_id": "mxp-1",
                "employer": "某厂",
                "location": "local",
                "start_on": "2018-05-01",
            }
        ),
        ("GET", "/v1/jobs/placements"): Call(query=county),
        ("GET", "/v1/jobs/placements/{placement_id}"): Call({"placement_id": str(placement["id"])}),
        ("POST", "/v1/jobs/placements/{placement_id}/loss"): Call(
            {"placement_id": str(placement["id"])},
            json={"lost_on": "2018-08-01", "reason": "合同到期"},
        ),
        ("POST", "/v1/jobs/fairs"): Call(
            json={
                "township_code": IN_TOWNSHIP,
                "name": "招聘会",
                "held_on": "2018-03-01",
                "employers": 3,
                "vacancies": 20,
                "attendees": 50,
                "hires": 4,
            }
        ),
        ("GET", "/v1/jobs/fairs"): Call(query={**county, "year": "2018"}),
        ("POST", "/v1/posts"): Call(json=POST),
        ("GET", "/v1/posts"): Call(query=county),
        ("GET", "/v1/posts/occupancy"): Call(query=county),
        ("GET", "/v1/posts/{post_id}"): Call({"post_id": str(post_["id"])}),
        ("POST", "/v1/posts/{post_id}/assignments"): Call(
            {"post_id": str(post_["id"])}, json={"person_id": "mxp-1", "start_on": "2018-02-01"}
        ),
        ("GET", "/v1/posts/{post_id}/assignments"): Call({"post_id": str(post_["id"])}),
        ("POST", "/v1/posts/{post_id}/assignments/{assignment_id}/end"): Call(
            {"post_id": str(post_["id"]), "assignment_id": str(assignment["id"])},
            json={"end_on": "2018-09-01", "reason": "外出务工"},
        ),
        ("POST", "/v1/workshops"): Call(json=WORKSHOP),
        ("GET", "/v1/workshops"): Call(query=county),
        ("GET", "/v1/workshops/{workshop_id}"): Call({"workshop_id": str(workshop["id"])}),
        ("POST", "/v1/workshops/{workshop_id}/workers"): Call(
            {"workshop_id": str(workshop["id"])},
            json={"person_id": "mxp-1", "start_on": "2018-02-01"},
        ),
        ("GET", "/v1/workshops/{workshop_id}/workers"): Call({"workshop_id": str(workshop["id"])}),
        ("POST", "/v1/workshops/{workshop_id}/workers/{worker_id}/leave"): Call(
            {"workshop_id": str(workshop["id"]), "worker_id": str(worker["id"])},
            json={"end_on": "2018-09-01"},
        ),
        ("POST", "/v1/workshops/{workshop_id}/subsidy-claims"): Call(
            {"workshop_id": str(workshop["id"])}, json={"year": 2018}
        ),
        ("GET", "/v1/workshops/{workshop_id}/subsidy-payments"): Call(
            {"workshop_id": str(workshop["id"])}
        ),
        ("POST", "/v1/businesses"): Call(json={**BUSINESS, "person_id": "mxp-2"}),
        ("GET", "/v1/businesses"): Call(query=county),
        ("GET", "/v1/businesses/{business_id}"): Call({"business_id": str(business["id"])}),
        ("POST", "/v1/businesses/{business_id}/close"): Call(
            {"business_id": str(business["id"])}, json={"closed_on": "2019-01-01"}
        ),
        ("POST", "/v1/businesses/{business_id}/subsidy"): Call(
            {"business_id": str(business["id"])}, json={}
        ),
        ("POST", "/v1/business-loans"): Call(json={**LOAN, "person_id": "mxp-2"}),
        ("GET", "/v1/business-loans"): Call(query=county),
        ("GET", "/v1/business-loans/{loan_id}"): Call({"loan_id": str(loan["id"])}),
        ("POST", "/v1/business-loans/{loan_id}/decision"): Call(
            {"loan_id": str(loan["id"])}, json={"approve": True}
        ),
        ("POST", "/v1/relocated-households"): Call(
            json={"items": [{"household_id": "MX-H1", "site": "安置点"}]}
        ),
        ("POST", "/v1/relocated-households/imports"): Call(
            file=(
                "ledger.csv",
                "户编号,安置点,搬迁日期\nMX-H1,安置点,2018-01-05\n".encode(),
                "text/csv",
            )
        ),
        ("GET", "/v1/relocated-households/without-work"): Call(query=county),
        ("GET", "/v1/reports/monthly"): Call(query={**county, "month": "2018-06"}),
        ("GET", "/v1/plan/targets"): Call(query=county),
        ("POST", "/v1/plan/leader-sessions"): Call(json=LEADER_SESSION),
        ("GET", "/v1/plan/leader-sessions"): Call(query=county),
        ("POST", "/v1/plan/leader-trainees/{trainee_id}/employment"): Call(
            {"trainee_id": str(leaders["trainees"][0]["id"])},
            json={"employed_on": "2018-03-20", "employer": "某厂"},
        ),
    }


WELFARE_TODAY = date(2026, 3, 5)


def dibao_member(number: str, **over: Any) -> dict[str, Any]:
    return {"id_number": number, "name": NAMES[number], "work_ability": "none", **over}


APPLICATION = {
    "village_code": IN_VILLAGE,
    "applicant_name": NAMES[P1],
    "applicant_id_number": P1,
    "reason": "年老体弱，无劳动能力",
    "bank_name": "农村信用社",
    "bank_account": "6221000012345678",
    "members": [dibao_member(P1), dibao_member(P2)],
}


REVIEW = {
    "members": [dibao_member(P1), dibao_member(P2)],
    "incomes": [{"source": "farming", "annual_amount": "1200.00"}],
    "assets": [{"kind": "house", "description": "住房一处", "value": "20000.00"}],
    "cross_checks": [{"department": "车管", "item": "机动车登记", "consistent": True}],
    "assets_within_limits": True,
}


SURVEY = f"证件号码,劳动能力,有无收入,调查年度\n{P4},无劳动能力,无,2025\n".encode()


RELIEF = {
    "kind": "accident",
    "id_number": P3,
    "occurred_on": "2026-02-20",
    "assessed_need": "3000.00",
    "description": "意外伤害",
}


async def seed_welfare(
    client: httpx.AsyncClient, settings: Settings, url: str
) -> dict[tuple[str, str], Call]:
    from services.welfare.registry.models import RegistryPerson, RegistryStatusHistory

    seed_registry(url, RegistryPerson, poverty_status="not_exited")
    engine = make_engine(url)
    with Session(engine) as s:
        for pid in PERSON_IDS.values():
            s.add(
                RegistryStatusHistory(
                    person_id=pid,
                    status=PovertyStatus.not_exited,
                    valid_from=date(2014, 1, 1),
                    source_event_id="seed",
                )
            )
        s.commit()
    engine.dispose()
    cadre = as_(settings, Role.village_cadre, IN_VILLAGE)
    town = as_(settings, Role.township_officer, IN_TOWNSHIP)
    civil = as_(settings, Role.county_civil)

    async def post(path: str, body: Any, who: dict[str, str]) -> Any:
        return ok(await client.post(path, json=body, headers=who))

    # A dibao household from application to payment; a second application left submitted.
    app = await post("/v1/dibao/applications", APPLICATION, cadre)
    base = f"/v1/dibao/applications/{app['id']}"
    await post(f"{base}/acceptance", {"accept": True}, town)
    await post(f"{base}/economic-review", REVIEW, town)
    await post(f"{base}/decision", {"approve": True}, civil)
    await post(f"{base}/notice", {"start": "2026-02-02"}, town)
    objection = await post(
        f"{base}/objections",
        {"objector": "村民", "content": "异议", "lodged_on": "2026-02-05"},
        cadre,
    )
    await post(
        f"{base}/objections/{objection['id']}/resolution",
        {"upheld": False, "resolution": "异议不成立"},
        town,
    )
    case = await post(f"{base}/activation", {"effective_from": "2026-02-10"}, civil)
    case_id = case.get("case_id") or case.get("case", {}).get("id") or case["id"]
    cases = ok(await client.get("/v1/dibao/cases", headers=civil))
    items = cases["items"] if isinstance(cases, dict) else cases
    case_id = items[0]["id"]
    cycle = await post("/v1/payment-cycles", {"county_code": IN_COUNTY, "month": "2026-02"}, civil)
    lines = ok(await client.get(f"/v1/payment-cycles/{cycle['id']}/lines", headers=civil))
    line_items = lines["items"] if isinstance(lines, dict) else lines
    line_id = line_items[0]["id"]
    # The bank's return file: the household's payment returned (the account was closed).
    bank_return = (
        "银行账号,户名,金额,状态,失败原因\n"
        f"{APPLICATION['bank_account']},{NAMES[P1]},{line_items[0]['amount']},失败,账户已销户\n"
    ).encode()
    second = await post(
        "/v1/dibao/applications", {**APPLICATION, "members": [dibao_member(P1)]}, cadre
    )
    # 特困: a case applied for in the village, a certified one, a care home with a placement.
    applied = await post(
        "/v1/tekun/cases",
        {"person_id": "mxp-3", "self_care": "none", "assessed_on": "2026-01-10"},
        cadre,
    )
    certified = await post(
        "/v1/tekun/certifications",
        {
            "person_id": "mxp-4",
            "self_care": "partial",
            "assessed_on": "2026-01-10",
            "effective_from": "2026-02-01",
            "basis": "县民政局特困认定",
        },
        civil,
    )
    home = await post(
        "/v1/tekun/care-homes",
        {"name": "敬老院", "county_code": IN_COUNTY, "township_code": IN_TOWNSHIP, "beds": 20},
        civil,
    )
    placement = await post(
        f"/v1/tekun/care-homes/{home['id']}/placements",
        {"case_id": certified["id"], "moved_in": "2026-02-15"},
        civil,
    )
    # The cross-check: survey facts, a run and its worklist.
    ok(
        await client.post(
            "/v1/crosscheck/facts/imports",
            files={"file": ("s.csv", SURVEY, "text/csv")},
            headers=civil,
        )
    )
    run = await post("/v1/crosscheck/runs", {"county_code": IN_COUNTY, "on": "2026-03-05"}, civil)
    worklist = ok(await client.get(f"/v1/crosscheck/runs/{run['id']}/worklist", headers=civil))
    findings = worklist["items"] if isinstance(worklist, dict) else worklist
    finding_id = findings[0]["id"] if findings else 1
    relief = await post("/v1/relief/cases", RELIEF, cadre)
    request = await post(
        "/v1/window/requests",
        {
            "applicant_name": NAMES[P2],
            "applicant_id_number": P2,
            "request_type": "medical_assistance",
            "content": "申请帮助",
        },
        town,
    )
    complaint_body = {
        "kind": "appeal",
        "complainant_name": NAMES[P3],
        "complainant_id_number": P3,
        "against_type": "relief_case",
        "against_ref": str(relief["id"]),
        "content": "救助金额过低",
    }
    complaint = await post("/v1/complaints", complaint_body, town)
    disability = await disability_calls(client, town, IN_VILLAGE, "mxp-1")
    application = {"application_id": str(app["id"])}
    pending = {"application_id": str(second["id"])}
    dibao_case = {"case_id": str(case_id)}
    _owes(url, DibaoCase, case_id, Decimal("50.00"))
    enrolled = disability[("GET", "/v1/disability/persons/{disabled_person_id}")][0]
    _owes(url, DisabledPerson, int(enrolled["disabled_person_id"]), Decimal("20.00"))
    cycle_params = {"cycle_id": str(cycle["id"])}
    tekun_case = {"case_id": str(applied["id"])}
    certified_case = {"case_id": str(certified["id"])}
    home_params = {"home_id": str(home["id"])}
    run_params = {"run_id": str(run["id"])}
    county = {"county": IN_COUNTY}
    published = await publication_calls(client, settings, "welfare")
    return {
        **published,
        ("POST", "/v1/simulations"): Call(
            json={
                "county_code": IN_COUNTY,
                "from_month": "2026-01",
                "to_month": "2026-02",
                "items": [
                    {
                        "path": "welfare.dibao.rural_standard",
                        "effective_from": "2026-01-01",
                        "value": "4000",
                        "reference": "县文件 第一条",
                    }
                ],
            }
        ),
        **{k: Call(p, q, json=j) for k, (p, q, j) in disability.items()},
        ("GET", "/v1/persons/{id_number}"): Call({"id_number": P1}),
        # A household new to the registry: MX-H1 has an application in progress (`second`),
        # and a household has one at a time.
        ("POST", "/v1/dibao/applications"): Call(
            json={
                **APPLICATION,
                "applicant_name": "矩阵戊",
                "applicant_id_number": P5,
                "members": [{"id_number": P5, "name": "矩阵戊", "work_ability": "none"}],
            }
        ),
        ("GET", "/v1/dibao/applications"): Call(),
        ("GET", "/v1/dibao/applications/{application_id}"): Call(application),
        ("POST", "/v1/dibao/applications/{application_id}/acceptance"): Call(
            pending, json={"accept": True}
        ),
        ("POST", "/v1/dibao/applications/{application_id}/economic-review"): Call(
            pending, json=REVIEW
        ),
        ("POST", "/v1/dibao/applications/{application_id}/decision"): Call(
            pending, json={"approve": True}
        ),
        ("POST", "/v1/dibao/applications/{application_id}/notice"): Call(
            pending, json={"start": "2026-03-01"}
        ),
        ("POST", "/v1/dibao/applications/{application_id}/objections"): Call(
            application, json={"objector": "村民", "content": "异议", "lodged_on": "2026-02-06"}
        ),
        (
            "POST",
            "/v1/dibao/applications/{application_id}/objections/{objection_id}/resolution",
        ): Call(
            {**application, "objection_id": str(objection["id"])},
            json={"upheld": False, "resolution": "异议不成立"},
        ),
        ("POST", "/v1/dibao/applications/{application_id}/activation"): Call(pending, json={}),
        ("GET", "/v1/dibao/notices"): Call(),
        ("GET", "/v1/dibao/cases"): Call(),
        ("GET", "/v1/dibao/cases/{case_id}"): Call(dibao_case),
        ("GET", "/v1/dibao/cases/{case_id}/steps"): Call(dibao_case),
        ("POST", "/v1/dibao/cases/{case_id}/reviews"): Call(
            dibao_case, json={"outcome": "keep", "reason": "复核无变化"}
        ),
        ("GET", "/v1/dibao/reviews/overdue"): Call(),
        ("POST", "/v1/dibao/cases/{case_id}/clawback-write-off"): Call(
            dibao_case, json={"reason": "县民政局决定核销"}
        ),
        ("POST", "/v1/payment-cycles"): Call(json={"county_code": IN_COUNTY, "month": "2026-03"}),
        ("GET", "/v1/payment-cycles"): Call(),
        ("GET", "/v1/payment-cycles/{cycle_id}"): Call(cycle_params),
        ("POST", "/v1/payment-cycles/{cycle_id}/approval"): Call(cycle_params),
        ("POST", "/v1/payment-cycles/{cycle_id}/payment"): Call(cycle_params),
        ("GET", "/v1/payment-cycles/{cycle_id}/bank-file"): Call(cycle_params),
        ("GET", "/v1/payment-cycles/{cycle_id}/summary"): Call(cycle_params),
        ("POST", "/v1/payment-cycles/{cycle_id}/bank-returns"): Call(
            cycle_params, file=("return.csv", bank_return, "text/csv")
        ),
        ("GET", "/v1/payment-cycles/{cycle_id}/reconciliation"): Call(cycle_params),
        ("GET", "/v1/payment-cycles/{cycle_id}/adjustments"): Call(cycle_params),
        ("GET", "/v1/payment-cycles/{cycle_id}/lines"): Call(cycle_params),
        ("POST", "/v1/payment-lines/{line_id}/failure"): Call(
            {"line_id": str(line_id)}, json={"reason": "账户已销户"}
        ),
        ("POST", "/v1/payment-lines/{line_id}/reissue"): Call({"line_id": str(line_id)}, json={}),
        ("POST", "/v1/tekun/cases"): Call(
            json={"person_id": "mxp-2", "self_care": "none", "assessed_on": "2026-01-10"}
        ),
        ("POST", "/v1/tekun/certifications"): Call(
            json={
                "person_id": "mxp-2",
                "self_care": "partial",
                "assessed_on": "2026-01-10",
                "effective_from": "2026-02-01",
                "basis": "县民政局特困认定",
            }
        ),
        ("GET", "/v1/tekun/cases"): Call(),
        ("GET", "/v1/tekun/cases/{case_id}"): Call(tekun_case),
        ("POST", "/v1/tekun/cases/{case_id}/steps"): Call(
            tekun_case, json={"to": "township_reviewed"}
        ),
        ("POST", "/v1/tekun/cases/{case_id}/assessments"): Call(
            certified_case, json={"self_care": "none", "assessed_on": "2026-03-01"}
        ),
        ("POST", "/v1/tekun/cases/{case_id}/end"): Call(
            certified_case, json={"reason": "moved_away", "effective_from": "2026-03-01"}
        ),
        ("POST", "/v1/tekun/care-homes"): Call(
            json={
                "name": "敬老院二",
                "county_code": IN_COUNTY,
                "township_code": IN_TOWNSHIP,
                "beds": 5,
            }
        ),
        ("GET", "/v1/tekun/care-homes/{home_id}"): Call(home_params),
        ("POST", "/v1/tekun/care-homes/{home_id}/placements"): Call(
            home_params, json={"case_id": certified["id"], "moved_in": "2026-02-16"}
        ),
        ("POST", "/v1/tekun/placements/{placement_id}/move-out"): Call(
            {"placement_id": str(placement["id"])},
            json={"moved_out": "2026-03-01", "reason": "回家"},
        ),
        ("GET", "/v1/tekun/care-homes/{home_id}/occupancy"): Call(
            home_params, {"on": "2026-03-01"}
        ),
        ("GET", "/v1/tekun/occupancy"): Call(query={**county, "on": "2026-03-01"}),
        ("GET", "/v1/appraisal/indicators"): Call(query={**county, "on": "2026-03-01"}),
        ("POST", "/v1/crosscheck/facts/imports"): Call(file=("s.csv", SURVEY, "text/csv")),
        ("PUT", "/v1/crosscheck/facts/{person_id}"): Call(
            {"person_id": "mxp-4"}, json={"work_ability": "none", "has_income": False}
        ),
        ("GET", "/v1/crosscheck/facts/{person_id}"): Call({"person_id": "mxp-4"}),
        ("POST", "/v1/crosscheck/runs"): Call(json={"county_code": IN_COUNTY, "on": "2026-03-05"}),
        ("GET", "/v1/crosscheck/runs"): Call(query=county),
        ("GET", "/v1/crosscheck/runs/{run_id}"): Call(run_params),
        ("GET", "/v1/crosscheck/runs/{run_id}/worklist"): Call(run_params),
        ("GET", "/v1/crosscheck/runs/{run_id}/worklist.xlsx"): Call(run_params),
        ("POST", "/v1/crosscheck/findings/{finding_id}/close"): Call(
            {"finding_id": str(finding_id)}, json={"outcome": "facts_corrected", "note": "已核实"}
        ),
        ("POST", "/v1/relief/cases"): Call(json=RELIEF),
        ("POST", "/v1/relief/declarations"): Call(
            json={
                "county_code": IN_COUNTY,
                "township_code": IN_TOWNSHIP,
                "occurred_on": "2026-02-20",
                "description": "洪灾",
                "households": [{"household_id": "MX-H1", "assessed_need": "1000.00"}],
            }
        ),
        ("POST", "/v1/relief/childbirths"): Call(
            json={"id_number": P2, "birth_date": "2026-02-01", "hospital": "县医院"}
        ),
        ("POST", "/v1/relief/relocations"): Call(
            json={"household_id": "MX-H1", "relocated_on": "2026-02-01"}
        ),
        ("PUT", "/v1/relief/spending"): Call(
            json={
                "household_id": "MX-H1",
                "month": "2026-02-01",
                "essential_spending_per_capita": "900.00",
                "per_capita_monthly_income": "300.00",
            }
        ),
        ("GET", "/v1/relief/cases"): Call(),
        ("GET", "/v1/relief/cases/{case_id}"): Call({"case_id": str(relief["id"])}),
        ("POST", "/v1/relief/cases/{case_id}/decision"): Call(
            {"case_id": str(relief["id"])}, json={"decision": "approved", "amount": "1000.00"}
        ),
        ("POST", "/v1/window/requests"): Call(
            json={
                "applicant_name": NAMES[P3],
                "applicant_id_number": P3,
                "request_type": "pension",
                "content": "申请帮助",
            }
        ),
        ("GET", "/v1/window/requests"): Call(),
        ("GET", "/v1/window/referrals/overdue"): Call(),
        ("GET", "/v1/window/requests/{request_no}"): Call({"request_no": request["request_no"]}),
        ("POST", "/v1/window/requests/{request_no}/steps"): Call(
            {"request_no": request["request_no"]}, json={"to": "accepted"}
        ),
        ("POST", "/v1/complaints"): Call(json=complaint_body),
        ("POST", "/v1/complaints/{complaint_id}/answer"): Call(
            {"complaint_id": str(complaint["id"])}, json={"answer": "已复核"}
        ),
        ("GET", "/v1/complaints"): Call(),
        ("GET", "/v1/complaints/{complaint_id}"): Call({"complaint_id": str(complaint["id"])}),
        ("GET", "/v1/plan/targets"): Call(query={"county": IN_COUNTY}),
    }


SERVICES: dict[str, tuple[Callable[[Settings], FastAPI], Seeder]] = {
    "enrollment": (enrollment_app, seed_enrollment),
    "medical": (medical_app, seed_medical),
    "employment": (employment_app, seed_employment),
    "welfare": (welfare_app, seed_welfare),
}
