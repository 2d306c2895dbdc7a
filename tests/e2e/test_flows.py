"""The cross-service flows end to end: the four services as separate processes on one real
broker, driven through their HTTP interfaces and events only. Each flow then has its own Kafka
records produced again, exactly as they are on the topics, and nothing changes the second time.

The last test walks the generated event catalogue: every (event type, consuming service) pair in
it is exercised by a flow here (and the flow checks that the consumer recorded the event), or is
listed in KNOWN_GAPS with the reason."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from deploy.postgres import database_url
from shared import SERVICES, clock
from shared.db import drop_database
from shared.events.envelope import Envelope
from shared.events.medical import HospitalStaySubmitted
from shared.events.subscribers import all_consumptions
from tests.support.app import BACKENDS
from tests.support.cluster import (
    COUNTY,
    Cluster,
    Household,
    event_id,
    event_type,
    wait_until,
)

pytestmark = pytest.mark.integration

Pair = tuple[str, str]  # (event type, consuming service)

REGISTRY = {("person.registered", s) for s in ("employment", "medical", "welfare")}
GRANTED = {("welfare.dibao_granted", s) for s in ("employment", "enrollment", "medical")}

# Which flow exercises which (event type, consumer) pair of the catalogue.
FLOW_PAIRS: dict[str, set[Pair]] = {
    "hospital_stay_high_burden": REGISTRY
    | {
        ("medical.hospital_stay_submitted", "medical"),
        ("medical.high_burden_detected", "welfare"),
    },
    "dibao_granted": REGISTRY | GRANTED,
    "person_deceased": REGISTRY
    | GRANTED
    | {("person.deceased", s) for s in ("employment", "enrollment", "medical", "welfare")}
    | {("welfare.dibao_changed", s) for s in ("employment", "enrollment", "medical")}
    | {("welfare.dibao_ended", s) for s in ("employment", "enrollment", "medical")}
    | {("welfare.tekun_certified", s) for s in ("employment", "enrollment", "medical")}
    | {("welfare.tekun_ended", s) for s in ("employment", "enrollment", "medical")},
    "job_placed": REGISTRY | GRANTED | {("employment.job_placed", "welfare")},
    "household_exits_poverty": REGISTRY
    | GRANTED
    | {("household.poverty_status_changed", s) for s in ("employment", "medical", "welfare")},
    "registry_changes": REGISTRY
    | {("person.updated", s) for s in ("employment", "medical", "welfare")}
    | {("person.moved", s) for s in ("employment", "medical", "welfare")}
    | {("household.split", s) for s in ("employment", "medical", "welfare")}
    | {("person.disability_certified", s) for s in ("employment", "welfare")},
}
# Pairs of the catalogue no flow exercises yet, each with its reason (none at present).
KNOWN_GAPS: dict[Pair, str] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """One system per backend for all the flows (each flow uses households of its own)."""
    tmp = tmp_path_factory.mktemp(f"flows-{request.param}")
    if request.param == "sqlite":
        template, databases = f"sqlite:///{tmp}/{{service}}.db", False
    else:
        admin = request.getfixturevalue("pg_admin_url")
        name = f"flows_{uuid.uuid4().hex[:8]}_SERVICEMARK"
        template, databases = database_url(admin, name).replace("SERVICEMARK", "{service}"), True
    c = Cluster(tmp, template)
    try:
        yield c.start()
    finally:
        c.stop()
        if databases:
            for service in SERVICES:
                drop_database(template.replace("{service}", service))


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def replay_changes_nothing(
    cluster: Cluster, households: list[Household], state: Callable[[], Any], flow: str
) -> None:
    """The flow's records (keyed by its households) produced again: the same state, the same
    outboxes, no new event anywhere; and each claimed pair was consumed for this flow."""
    cluster.quiet()
    records = cluster.records_of(h.id for h in households)
    claimed = FLOW_PAIRS[flow]
    processed = cluster.processed_pairs(event_id(r) for r in records)
    assert claimed <= processed, (
        f"{flow}: never consumed: {sorted(claimed - processed)}; "
        f"records: {Counter(event_type(r) for r in records)}"
    )
    before = state()
    outboxes = cluster.outbox_sizes()
    counts = cluster.topic_counts()
    cluster.replay(records)
    cluster.quiet()
    assert state() == before
    assert cluster.outbox_sizes() == outboxes
    assert cluster.topic_counts() == counts + Counter(
        r.topic.removeprefix(cluster.prefix) for r in records
    )


def contribution(cluster: Cluster, id_number: str) -> dict[str, Any]:
    path = f"/v1/persons/{id_number}/medical-contribution"
    return dict(cluster.ok(cluster.get("enrollment", path, "hrss", year=date.today().year)))


def census(cluster: Cluster, person_id: str) -> dict[str, Any]:
    return dict(cluster.ok(cluster.get("employment", f"/v1/census/persons/{person_id}", "hrss")))


def events_of(cluster: Cluster, household: Household, kind: str) -> list[Envelope]:
    return [
        Envelope.from_kafka(r.key, r.value, r.headers)
        for r in cluster.records_of([household.id])
        if event_type(r) == kind
    ]


def submit_stay_event(cluster: Cluster, body: dict[str, Any], key: str) -> None:
    """A hospital information system's stay on the input topic (not through HTTP)."""
    envelope = Envelope.wrap(
        HospitalStaySubmitted(**body),
        source="/hospitals/e2e-county-hospital",
        subject=None,
        key=key,
    )
    k, value, headers = envelope.to_kafka()
    record = ConsumerRecord(
        topic=cluster.topic(HospitalStaySubmitted.topic),
        partition=0,
        offset=0,
        timestamp=0,
        timestamp_type=0,
        key=k,
        value=value,
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=tuple(headers),
    )
    cluster.replay([record])


# --- the flows ---------------------------------------------------------------------------------


def flow_hospital_stay_high_burden(cluster: Cluster) -> None:
    """A registered poor patient's stay below 90%: topped up, still heavily burdened, and a
    temporary-relief case opens in welfare."""
    household = Household.of("H", [58, 30])
    cluster.import_roster([household])
    cluster.wait_registered([household])
    patient = household.head
    claim = f"ZY{uuid.uuid4().hex[:12]}"
    today = date.today().isoformat()
    body = {
        "claim_id": claim,
        "id_number": patient.id_number,
        "county_code": COUNTY,
        "hospital_level": 3,
        "admin_level": "city",
        "admission": today,
        "discharge": today,
        "referral_compliant": True,
        # Topped up to 90% of the total cost (YA-GOV §三(六)), the 10% left (6,000) is still
        # above the high-burden threshold.
        "total_cost": "60000.00",
        "covered_cost": "48000.00",
        "diagnosis_codes": ["I63.9"],
    }
    submit_stay_event(cluster, body, household.id)

    def decision() -> dict[str, Any] | None:
        r = cluster.get("medical", f"/v1/hospitalizations/{claim}", "medical")
        return r.json() if r.status_code == 200 else None

    cluster_wait(lambda: decision() is not None, "the stay settled in medical")
    settled = decision()
    assert settled is not None
    assert settled["registered_poor"] is True
    assert money(settled["ratio_before_topup"]) < Decimal("0.9")
    assert money(settled["topup"]) > 0
    assert settled["high_burden"] is True

    def relief() -> dict[str, Any]:
        return dict(
            cluster.ok(
                cluster.get("welfare", "/v1/relief/cases", "civil", household_id=household.id)
            )
        )

    cluster_wait(lambda: relief()["total"] == 1, "a temporary-relief case in welfare")
    case = relief()["items"][0]
    assert (case["source"], case["kind"]) == ("medical_event", "high_medical_burden"), case

    def state() -> Any:
        return decision(), relief()

    replay_changes_nothing(cluster, [household], state, "hospital_stay_high_burden")


def flow_dibao_granted(cluster: Cluster) -> None:
    """A marginal household granted dibao: enrollment funds 70 yuan of the member's medical
    contribution from medical assistance, medical waives the level-1/2 deductible of the next
    stay, employment's census shows the member on dibao."""
    household = Household.of("D", [45, 20], status="marginal")
    cluster.import_roster([household])
    ids = cluster.wait_registered([household])
    member = household.head
    pid = ids[member.id_number]
    cluster.survey(pid)
    before = contribution(cluster, member.id_number)
    assert money(before["medical_assistance"]) == 0
    first = cluster.stay(f"ZY{uuid.uuid4().hex[:12]}", member, 2, "county", 6000, 5000)
    assert first["trace"] and deductible(first) > 0

    case = cluster.grant_dibao(household)
    assert case["status"] == "active"
    assert len(events_of(cluster, household, "welfare.dibao_granted")) == 1

    cluster_wait(
        lambda: money(contribution(cluster, member.id_number)["medical_assistance"]) == 70,
        "enrollment's dibao subsidy",
    )
    after = contribution(cluster, member.id_number)
    assert money(before["person_pays"]) - money(after["person_pays"]) == Decimal("70.00")
    assert "dibao" in after["grounds"]
    cluster_wait(lambda: census(cluster, pid)["on_dibao"] is True, "employment's dibao flag")

    def next_stay() -> dict[str, Any]:
        return cluster.stay(f"ZY{uuid.uuid4().hex[:12]}", member, 2, "county", 6000, 5000)

    # medical learns of the grant by event: the next stay is settled without the deductible.
    cluster_wait(lambda: deductible(next_stay()) == 0, "medical's deductible waiver")

    def state() -> Any:
        return contribution(cluster, member.id_number), census(cluster, pid)["on_dibao"]

    replay_changes_nothing(cluster, [household], state, "dibao_granted")


def deductible(decision: dict[str, Any]) -> Decimal:
    """The basic-insurance deductible the decision applied, read from its trace: the MED-5
    waiver's step, or else the deductible parameter read (the covered cost is above it)."""
    trace = decision["trace"]
    for step in trace["steps"]:
        if "basic_deductible" in step["figures"]:
            return money(step["figures"]["basic_deductible"])
    for use in trace["parameters"]:
        if use["path"].startswith("medical.basic.deductible.level"):
            return money(use["value"])
    raise AssertionError(f"no deductible in the trace: {trace}")


def cluster_wait(check: Callable[[], bool], what: str) -> None:
    wait_until(what, check)


def test_hospital_stay_opens_temporary_relief(cluster: Cluster) -> None:
    flow_hospital_stay_high_burden(cluster)


def test_dibao_grant_reaches_enrollment_medical_employment(cluster: Cluster) -> None:
    flow_dibao_granted(cluster)


def flow_person_deceased(cluster: Cluster) -> None:
    """Deaths: the pension roll's member gets the funeral grant once (enrollment), the census
    record closes (employment), a two-person dibao household is recomputed on the living member
    (welfare.dibao_changed), a one-person dibao household ends (welfare.dibao_ended) and a 特困
    person's support ends (welfare.tekun_ended)."""
    pair = Household.of("A", [57, 30])
    alone = Household.of("B", [72])
    tekun = Household.of("C", [78])
    households = [pair, alone, tekun]
    cluster.import_roster(households)
    ids = cluster.wait_registered(households)
    year = str(date.today().year - 1)
    cluster.import_pension_roll(
        [
            [pair.head.id_number, year, "100", "是", "否"],
            [alone.head.id_number, year, "100", "是", "是"],
        ]
    )
    dying = pair.head
    dying_id = ids[dying.id_number]
    cluster.survey(dying_id)
    cluster.grant_dibao(pair)
    cluster.grant_dibao(alone)
    cluster.certify_tekun(ids[tekun.head.id_number])

    def tekun_funded() -> bool:
        # Registered poor and 特困: the province's share of the whole contribution (YA-GOV
        # §三(六), basis whole), medical assistance all the rest, nothing left to the county.
        funding = contribution(cluster, tekun.head.id_number)
        shares = money(funding["medical_assistance"]) + money(funding["province"])
        return (
            "tekun" in funding["grounds"]
            and shares == money(funding["contribution"])
            and money(funding["prefecture_county"]) == 0
        )

    cluster_wait(tekun_funded, "enrollment funds the 特困 person's contribution in full")
    before = cluster.dibao_case(pair.id)
    today = date.today().isoformat()
    for member in (dying, alone.head, tekun.head):
        path = f"/v1/persons/{member.id_number}/death"
        cluster.ok(cluster.post("enrollment", path, "poverty", {"deceased_on": today}))

    cluster_wait(
        lambda: (
            cluster.dibao_case(pair.id)["version"] > before["version"]
            and cluster.dibao_case(alone.id)["status"] == "ended"
        ),
        "welfare's dibao households after the deaths",
    )
    after = cluster.dibao_case(pair.id)
    assert after["status"] == "active"
    assert {m["id_number"]: m["active"] for m in after["members"]} == {
        dying.id_number: False,
        pair.members[1].id_number: True,
    }
    assert after["monthly_amount"] != before["monthly_amount"]
    assert cluster.dibao_case(alone.id)["end_reason"]
    cluster_wait(
        lambda: census(cluster, dying_id)["closed_reason"] == "deceased",
        "employment's census record closed",
    )

    def tekun_status() -> str:
        page = cluster.ok(cluster.get("welfare", "/v1/tekun/cases", "civil", limit=1000))
        mine = [c for c in page["items"] if c["person_id"] == ids[tekun.head.id_number]]
        assert len(mine) == 1, mine
        return str(mine[0]["status"])

    cluster_wait(lambda: tekun_status() == "ended", "the 特困 case ended")
    cluster_wait(
        lambda: (
            len(events_of(cluster, pair, "enrollment.funeral_grant_paid")) == 1
            and len(events_of(cluster, alone, "enrollment.funeral_grant_paid")) == 1
        ),
        "the funeral grants",
    )
    assert len(events_of(cluster, pair, "welfare.dibao_changed")) == 1
    assert len(events_of(cluster, alone, "welfare.dibao_ended")) == 1
    assert len(events_of(cluster, tekun, "welfare.tekun_ended")) == 1
    grant = events_of(cluster, pair, "enrollment.funeral_grant_paid")[0].data
    assert grant["person_id"] == dying_id and money(grant["amount"]) > 0
    # The living member's contribution stays funded by dibao (dibao_changed kept it on).
    assert "dibao" in contribution(cluster, pair.members[1].id_number)["grounds"]

    def state() -> Any:
        return (
            cluster.dibao_case(pair.id),
            cluster.dibao_case(alone.id),
            tekun_status(),
            census(cluster, dying_id),
            contribution(cluster, pair.members[1].id_number),
            # distinct events: the replay itself puts the very same records on the topic again
            [
                len({e.id for e in events_of(cluster, h, "enrollment.funeral_grant_paid")})
                for h in households
            ],
        )

    replay_changes_nothing(cluster, households, state, "person_deceased")


def flow_job_placed(cluster: Cluster) -> None:
    """A dibao household member placed in a job: welfare schedules the review now and keeps the
    household on for the gradual-exit window (WEL-8)."""
    household = Household.of("J", [42, 40])
    cluster.import_roster([household])
    ids = cluster.wait_registered([household])
    case = cluster.grant_dibao(household)
    assert case["gradual_exit_until"] is None
    today = date.today()
    worker = ids[household.members[1].id_number]
    body = {
        "person_id": worker,
        "employer": "县城建筑施工队",
        "location": "local",
        "start_on": today.isoformat(),
    }
    cluster.ok(cluster.post("employment", "/v1/jobs/placements", "hrss", body))
    cluster_wait(
        lambda: cluster.dibao_case(household.id)["gradual_exit_until"] is not None,
        "welfare's gradual-exit window",
    )
    after = cluster.dibao_case(household.id)
    assert after["next_review_due"] == today.isoformat()
    assert date.fromisoformat(after["gradual_exit_until"]) > today
    assert after["status"] == "active"
    assert len(events_of(cluster, household, "employment.job_placed")) == 1

    replay_changes_nothing(
        cluster, [household], lambda: cluster.dibao_case(household.id), "job_placed"
    )


def flow_household_exits_poverty(cluster: Cluster) -> None:
    """A household exits poverty (REG-2) in a re-imported roster: its members' contributions
    stay paid (the province's share falls from 60% to 40%), medical's read model follows, and
    welfare queues the household's dibao for review."""
    household = Household.of("E", [50, 47])
    cluster.import_roster([household])
    cluster.wait_registered([household])
    cluster.grant_dibao(household)
    member = household.members[1]
    cluster_wait(
        lambda: "dibao" in contribution(cluster, member.id_number)["grounds"],
        "enrollment's dibao subsidy",
    )
    before = contribution(cluster, member.id_number)
    case_before = cluster.dibao_case(household.id)
    household.status = "exited"
    job = cluster.import_roster([household])
    assert job["result"]["households_status_changed"] == 1, job

    def medical_status() -> str:
        person = cluster.get("medical", f"/v1/persons/{member.id_number}", "medical")
        return str(cluster.ok(person)["poverty_status"])

    cluster_wait(lambda: medical_status() == "exited", "medical's read model")
    cluster_wait(
        lambda: cluster.dibao_case(household.id)["version"] > case_before["version"],
        "welfare's review queued",
    )
    case = cluster.dibao_case(household.id)
    # The review is due from the exit event's day, read in China's time zone (Envelope.day): on
    # the machine's evening in UTC that is already tomorrow there.
    china_today = datetime.now(clock.CHINA).date().isoformat()
    assert case["next_review_due"] <= china_today < case_before["next_review_due"]
    assert case["status"] == "active"
    after = contribution(cluster, member.id_number)
    whole = money(after["contribution"])
    rest = whole - money(after["medical_assistance"])
    assert money(after["person_pays"]) == money(before["person_pays"]) == 0  # benefits continue
    # YA-GOV §三(六): the province's 60% / 40% of the whole contribution (basis whole).
    assert money(before["province"]) == (whole * Decimal("0.6")).quantize(Decimal("0.01"))
    assert money(after["province"]) == (whole * Decimal("0.4")).quantize(Decimal("0.01"))
    assert money(after["province"]) + money(after["prefecture_county"]) == rest
    assert len(events_of(cluster, household, "household.poverty_status_changed")) == 1

    def state() -> Any:
        return contribution(cluster, member.id_number), cluster.dibao_case(household.id)

    replay_changes_nothing(cluster, [household], state, "household_exits_poverty")


def flow_registry_changes(cluster: Cluster) -> None:
    """The registry's other operations reach the read models: a corrected name (person.updated),
    a disability certificate, a member moved to another household, a household split."""
    home = Household.of("R", [52, 26, 23])
    other = Household.of("S", [44])
    cluster.import_roster([home, other])
    cluster.wait_registered([home, other])
    mover, leaver, renamed = home.members[1], home.members[2], home.members[0]
    home.members[0] = renamed = type(renamed)(
        renamed.id_number, renamed.name + "华", renamed.relation, renamed.born, renamed.sex
    )
    assert cluster.import_roster([home])["result"]["persons_updated"] == 1
    disability = {"grade": 2, "certified_on": date.today().isoformat()}
    path = f"/v1/persons/{renamed.id_number}/disability"
    cluster.ok(cluster.post("enrollment", path, "poverty", disability))
    move = {"to_household_id": other.id}
    cluster.ok(cluster.post("enrollment", f"/v1/persons/{mover.id_number}/move", "poverty", move))
    new_id = home.id + "X"
    split = {
        "new_household_id": new_id,
        "id_numbers": [leaver.id_number],
        "head_id_number": leaver.id_number,
    }
    cluster.ok(cluster.post("enrollment", f"/v1/households/{home.id}/split", "poverty", split))

    def medical(member_number: str) -> dict[str, Any]:
        person = cluster.get("medical", f"/v1/persons/{member_number}", "medical")
        return dict(cluster.ok(person))

    cluster_wait(
        lambda: (
            medical(mover.id_number)["household_id"] == other.id
            and medical(leaver.id_number)["household_id"] == new_id
            and medical(renamed.id_number)["name"] == renamed.name
        ),
        "medical's read model after the registry operations",
    )

    def state() -> Any:
        return [medical(m.id_number) for m in (renamed, mover, leaver)]

    keys = [home, other, Household(id=new_id, status=home.status)]
    replay_changes_nothing(cluster, keys, state, "registry_changes")


def test_death_reaches_every_service(cluster: Cluster) -> None:
    flow_person_deceased(cluster)


def test_job_placement_schedules_dibao_review(cluster: Cluster) -> None:
    flow_job_placed(cluster)


def test_household_exit_changes_funding_and_queues_review(cluster: Cluster) -> None:
    flow_household_exits_poverty(cluster)


def test_registry_operations_reach_read_models(cluster: Cluster) -> None:
    flow_registry_changes(cluster)


def test_monthly_report_gathers_the_county_plan_of_every_service(cluster: Cluster) -> None:
    """PLAN-1, EMP-9: the HR bureau's monthly report lists 姚安's YA-HRSS targets measured by
    enrollment (the ledger in three copies by 2017-10-15), medical (the diagnosis-fee ledger by
    11-20) and employment (training and posts by 11-20), each with its deadline, asked of the
    other services with the reader's token; a township officer's report asks with theirs."""
    body = cluster.ok(
        cluster.get("employment", "/v1/reports/monthly", "hrss", county=COUNTY, month="2018-01")
    )
    assert body["targets_unavailable"] == {}
    by_service = Counter(t["service"] for t in body["targets"])
    assert set(by_service) == {"enrollment", "medical", "employment"}, by_service
    due = {t["id"]: t["due"] for t in body["targets"]}
    assert "2017-10-15" in due.values() and "2017-11-20" in due.values()
    assert [t["due"] for t in body["targets"]] == sorted(t["due"] for t in body["targets"])
    ledger = next(t for t in body["targets"] if t["due"] == "2017-10-15")
    assert ledger["service"] == "enrollment", ledger
    assert ledger["status"] in ("late", "no_base"), ledger  # nothing recorded: never met


def test_every_catalogue_pair_is_exercised() -> None:
    """Every (event type, consuming service) of the generated catalogue is in a flow above or a
    named known gap; the flows themselves check that the consumer recorded their events."""
    catalogue = {(c.event_type, c.service) for c in all_consumptions()}
    exercised = set().union(*FLOW_PAIRS.values())
    missing = sorted(catalogue - exercised - set(KNOWN_GAPS))
    assert not missing, f"catalogue pairs no flow exercises: {missing}"
    assert not (exercised - catalogue), f"not in the catalogue: {sorted(exercised - catalogue)}"
    assert not (set(KNOWN_GAPS) & exercised), "a known gap is exercised now: drop it"
