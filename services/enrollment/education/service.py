"""Education aid's work: importing the education bureau's student register (stored per school
year and county, joined with the registry by ID number), deciding what each student is due
(EDU-1, EDU-2, EDU-3, EDU-4, EDU-5), the children of compulsory age in no school (EDU-6) and
the coverage per township.

Decisions are made when read, from the register, the registry and civil affairs' decisions as
read here (dibao, 特困): a dibao decision changes the tuition waiver at once, and every answer
carries its trace and the illustrative figures it used."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from services.enrollment.education.models import StudentRecord
from services.enrollment.education.register import parse_register
from services.enrollment.education.repository import Joined, StudentRegister
from services.enrollment.education.rules import (
    AgeBounds,
    Entitlements,
    Stage,
    StudentFacts,
    compulsory_ages,
    must_be_in_school,
    school_year_end,
    school_year_start,
    student_entitlements,
)
from services.enrollment.education.schemas import (
    CoverageOut,
    LineOut,
    OutOfSchoolChild,
    OutOfSchoolList,
    StudentDetail,
    StudentOut,
    StudentPage,
    TownshipCoverage,
)
from services.enrollment.jobs.service import Progress, Work
from services.enrollment.medical.repository import WelfareStatusRepository
from services.enrollment.registry.models import Household, Person
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput
from shared.exports import Export, marked_export
from shared.ids import mask_id_number
from shared.money import ZERO
from shared.tabular import (
    TableFormatError,
    read_rows,
)
from shared.trace import Trace, TraceOut, illustrative_of
from shared.uow import UnitOfWork

IMPORTERS_NOTE = "the register of a county is imported by its education bureau"
EXPORT_HEADERS_ZH = [
    "学年",
    "学校",
    "学段",
    "年级",
    "寄宿",
    "姓名",
    "身份证号",
    "乡镇",
    "行政村",
    "贫困状态",
    "资助项目",
    "金额(元/年)",
    "合计(元/年)",
]


# --- the register ------------------------------------------------------------------------------


def register_import(content: bytes, filename: str, school_year: int, county: str) -> Work:
    """The job importing a county's student register for a school year (EDU-6 调查登记): every
    row valid, or nothing is written; the county's register for that year is replaced."""

    def work(uow: UnitOfWork, job_id: str, progress: Progress) -> dict[str, Any]:
        if not uow.principal.covers(county):
            raise Forbidden(f"county {county} is outside your jurisdiction; {IMPORTERS_NOTE}")
        try:
            lines = parse_register(read_rows(content, filename), today=uow.today())
        except TableFormatError as exc:
            raise InvalidInput(
                str(exc), errors=[FieldError(field="file", reason=str(exc), row=1)]
            ) from exc
        register = StudentRegister(uow.session, None)
        # Registers imported at once replace one another in turn, never interleaved.
        register.one_import_at_a_time()
        numbers = [line.id_number for line in lines]
        elsewhere = register.elsewhere(school_year, county, numbers)
        if elsewhere:
            raise Conflict(
                f"{len(elsewhere)} student(s) are in another county's register for "
                f"{school_year}; nothing was imported",
                errors=[
                    FieldError(
                        field="id_number",
                        reason=f"in county {elsewhere[line.id_number]}'s register for the year",
                        value=mask_id_number(line.id_number),
                        row=line.row,
                    )
                    for line in lines
                    if line.id_number in elsewhere
                ],
            )
        now = utcnow()
        replaced = register.replace(
            school_year,
            county,
            [
                {
                    "school_year": school_year,
                    "county_code": county,
                    "id_number": line.id_number,
                    "name": line.name,
                    "school": line.school,
                    "stage": line.stage.value,
                    "grade": line.grade,
                    "boarding": line.boarding,
                    "public_inclusive": line.public_inclusive,
                    "poor_village": line.poor_village,
                    "art_performance": line.art_performance,
                    "import_id": job_id,
                    "updated_at": now,
                }
                for line in lines
            ],
        )
        in_registry = register.registered(numbers)
        progress(len(lines))
        return {
            "rows": len(lines),
            "school_year": school_year,
            "county_code": county,
            "in_registry": len(in_registry),
            "not_in_registry": len(lines) - len(in_registry),
            "lines_replaced": replaced,
        }

    return work


# --- decisions ---------------------------------------------------------------------------------


def facts_of(
    uow: UnitOfWork, record: StudentRecord, person: Person, household: Household
) -> StudentFacts:
    """The register's line and the registry's facts; dibao and 特困 as civil affairs decided them
    by the end of the school year."""
    status = WelfareStatusRepository(uow.session).find(person.id)
    end = school_year_end(record.school_year)
    return StudentFacts(
        school_year=record.school_year,
        stage=Stage(record.stage),
        grade=record.grade,
        school=record.school,
        boarding=record.boarding,
        poverty_status=PovertyStatus(household.poverty_status),
        dibao=bool(status and status.dibao and (status.dibao_since or end) <= end),
        tekun=bool(status and status.tekun and (status.tekun_since or end) <= end),
        disability_grade=person.disability_grade,
        public_inclusive=record.public_inclusive,
        poor_village=record.poor_village,
        art_performance=record.art_performance,
    )


def decide(uow: UnitOfWork, row: Joined) -> tuple[Entitlements, Trace] | None:
    """What a registered student is due (EDU-1, EDU-2, EDU-3, EDU-4, EDU-5), with the figures
    of the school's county in force on the school year's first day; None for a student not in
    the registry."""
    record, person, household = row
    if person is None or household is None:
        return None
    trace = Trace()
    params = uow.params(record.county_code, school_year_start(record.school_year))
    return student_entitlements(facts_of(uow, record, person, household), params, trace), trace


def _student(row: Joined, decided: tuple[Entitlements, Trace] | None) -> dict[str, Any]:
    record, _, household = row
    stage = Stage(record.stage)
    lines = decided[0].lines if decided else ()
    return {
        "school_year": record.school_year,
        "id_number": record.id_number,
        "name": record.name,
        "school": record.school,
        "stage": stage.value,
        "stage_zh": stage.label_zh,
        "grade": record.grade,
        "boarding": record.boarding,
        "in_registry": household is not None,
        "household_id": household.id if household else None,
        "township_code": household.township_code if household else None,
        "village_code": household.village_code if household else None,
        "poverty_status": household.poverty_status if household else None,
        "entitled": bool(decided and decided[0].entitled),
        "amount": decided[0].amount if decided else ZERO,
        "lines": [
            LineOut(
                rule=line.rule,
                item=line.item.value,
                item_zh=line.item.label_zh,
                kind=line.kind.value,
                amount=line.amount,
                note=line.note,
            )
            for line in lines
        ],
        "illustrative_parameters": illustrative_of(decided[1]) if decided else [],
    }


def _division(uow: UnitOfWork, division: str) -> str:
    if division and not uow.principal.covers(division):
        raise Forbidden("that division is outside your jurisdiction")
    return division or uow.principal.scope


def students(
    uow: UnitOfWork,
    school_year: int,
    *,
    division: str = "",
    school: str = "",
    stage: Stage | None = None,
) -> list[tuple[Joined, tuple[Entitlements, Trace] | None]]:
    """The register's lines in the jurisdiction (and division, school, stage) with decisions."""
    rows = StudentRegister(uow.session, uow.principal).lines(
        school_year,
        division=_division(uow, division),
        school=school,
        stage=stage.value if stage else "",
    )
    return [(row, decide(uow, row)) for row in rows]


def student_page(
    uow: UnitOfWork,
    school_year: int,
    *,
    division: str,
    school: str,
    stage: Stage | None,
    entitled_only: bool,
    offset: int,
    limit: int,
) -> StudentPage:
    """The students of a school year per school and stage with what each is due (EDU-1, EDU-2,
    EDU-3, EDU-4, EDU-5); totals over every listed student, the page's items from `offset`."""
    found = students(uow, school_year, division=division, school=school, stage=stage)
    if entitled_only:
        found = [(row, d) for row, d in found if d is not None and d[0].entitled]
    decisions = [d for _, d in found if d is not None]
    return StudentPage(
        school_year=school_year,
        total=len(found),
        entitled=sum(1 for d in decisions if d[0].entitled),
        amount=sum((d[0].amount for d in decisions), ZERO),
        not_in_registry=sum(1 for _, d in found if d is None),
        offset=offset,
        limit=limit,
        items=[StudentOut(**_student(row, d)) for row, d in found[offset : offset + limit]],
        illustrative_parameters=illustrative_of(*(d[1] for d in decisions)),
    )


def student(uow: UnitOfWork, school_year: int, id_number: str) -> StudentDetail:
    """One student's decision for the school year, with its trace (404 outside the
    jurisdiction)."""
    row = StudentRegister(uow.session, uow.principal).student(school_year, id_number)
    decided = decide(uow, row)
    trace: TraceOut | None = decided[1].out() if decided else None
    return StudentDetail(**_student(row, decided), trace=trace)


def export(
    uow: UnitOfWork,
    school_year: int,
    *,
    division: str,
    school: str,
    stage: Stage | None,
    format: str,
) -> Export:
    """The list of entitled students for the education bureau, a line per item, Chinese headers
    (EDU-1, EDU-2, EDU-3, EDU-4, EDU-5)."""
    rows: list[list[Any]] = []
    total = Decimal("0.00")
    for row, decided in students(uow, school_year, division=division, school=school, stage=stage):
        if decided is None or not decided[0].lines:
            continue
        record, _, household = row
        assert household is not None
        entitlements = decided[0]
        total += entitlements.amount
        for line in entitlements.lines:
            rows.append(
                [
                    f"{school_year}-{school_year + 1}",
                    record.school,
                    Stage(record.stage).label_zh,
                    record.grade,
                    record.boarding,
                    record.name,
                    record.id_number,
                    household.township_code,
                    household.village_code,
                    PovertyStatus(household.poverty_status).label_zh,
                    line.item.label_zh,
                    line.amount if line.amount is not None else "实物",
                    entitlements.amount,
                ]
            )
    where = _division(uow, division)
    years = f"{school_year}-{school_year + 1}学年"
    return marked_export(
        uow,
        EXPORT_HEADERS_ZH,
        rows,
        format=format,
        filename=f"education-aid-{school_year}-{where or 'all'}.{format}",
        sheet=f"{school_year}资助",
        title=f"{where or '全部'} {years} 教育扶贫资助名单 合计{total}元",
    )


# --- 控辍保学 and coverage ---------------------------------------------------------------------


def _not_in_school(
    uow: UnitOfWork, school_year: int, division: str, trace: Trace
) -> tuple[AgeBounds, list[tuple[Person, Household]]]:
    county = division[:6] if len(division) >= 6 else None
    params = uow.params(county, school_year_start(school_year))
    bounds = compulsory_ages(school_year, params, trace)
    candidates = StudentRegister(uow.session, uow.principal).children_not_in_school(
        school_year, division, bounds.born_after, bounds.born_by
    )
    found = [
        (p, h)
        for p, h in candidates
        if must_be_in_school(PovertyStatus(h.poverty_status), p.birth_date, bounds)
    ]
    return bounds, found


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def out_of_school(uow: UnitOfWork, school_year: int, division: str) -> OutOfSchoolList:
    """EDU-6: children of registered-poor households of compulsory age in no school of any
    register for the school year, by township and village, for the cadres to visit."""
    division = _division(uow, division)
    trace = Trace()
    bounds, found = _not_in_school(uow, school_year, division, trace)
    trace.step(
        "EDU-6", "registered-poor children of compulsory age in no register", found=len(found)
    )
    return OutOfSchoolList(
        school_year=school_year,
        division=division,
        total=len(found),
        items=[
            OutOfSchoolChild(
                id_number=p.id_number,
                name=p.name,
                birth_date=p.birth_date,
                age=_age(p.birth_date, bounds.on),
                household_id=h.id,
                township_code=h.township_code,
                village_code=h.village_code,
                poverty_status=h.poverty_status,
                disability_grade=p.disability_grade,
            )
            for p, h in found
        ],
        trace=trace.out(),
    )


def coverage(uow: UnitOfWork, school_year: int, division: str) -> CoverageOut:
    """EDU-6 资助全覆盖: per township, the registry's students in the register, the registered
    poor among them, those due aid and how much, and the children of compulsory age in no
    school."""
    division = _division(uow, division)
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "students": 0,
            "registered_poor_students": 0,
            "entitled": 0,
            "amount": ZERO,
            "out_of_school": 0,
        }
    )
    traces: list[Trace] = []
    unregistered = 0
    for (_, _, household), decided in students(uow, school_year, division=division):
        if household is None or decided is None:
            unregistered += 1
            continue
        if division and not household.village_code.startswith(division):
            continue  # a line of the county's register whose student lives in another county
        entry = per[household.township_code]
        entry["students"] += 1
        entry["registered_poor_students"] += PovertyStatus(
            household.poverty_status
        ).is_registered_poor
        entry["entitled"] += decided[0].entitled
        entry["amount"] += decided[0].amount
        traces.append(decided[1])
    ages = Trace()
    _, children = _not_in_school(uow, school_year, division, ages)
    for _, household in children:
        per[household.township_code]["out_of_school"] += 1
    return CoverageOut(
        school_year=school_year,
        division=division,
        townships=[TownshipCoverage(township_code=code, **per[code]) for code in sorted(per)],
        not_in_registry=unregistered,
        illustrative_parameters=illustrative_of(ages, *traces),
    )
