"""HTTP API of dynamic management (动态管理, WEL-8): economic facts (survey import and single
edits), cross-check runs, township worklists (JSON and XLSX) and closing findings.

Jurisdiction: findings and facts lie in the person's village; lists leave out what is outside
the caller's scope and a named record outside it answers 404; 403 is for a role that may not do
the thing at all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, update
from sqlmodel import Session, select

from services.welfare import clock
from services.welfare.crosscheck.facts import WORK_ABILITY_ZH, edit_facts, import_facts
from services.welfare.crosscheck.models import CrossCheckFinding, CrossCheckRun, EconomicFacts
from services.welfare.crosscheck.rules import FindingKind
from services.welfare.crosscheck.run import run_crosscheck
from services.welfare.crosscheck.schemas import (
    KIND_ZH,
    CloseIn,
    FactsIn,
    FactsOut,
    FindingOut,
    ImportOut,
    KindCount,
    Outcome,
    RunIn,
    RunOut,
    TownshipCount,
    Worklist,
)
from services.welfare.dibao.rules import WorkAbility
from services.welfare.registry.models import RegistryPerson
from shared.app import DbSession, RuntimeDep
from shared.auth import Principal, Role, require
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, Forbidden, NotFound
from shared.ids import CountyCode
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.uploads import read_upload, upload_limit

router = APIRouter(prefix="/v1/crosscheck", tags=["dynamic management 动态管理 (WEL-8)"])

READERS = (
    Role.county_civil,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)
Readers = Annotated[Principal, Depends(require(*READERS))]
FACT_WRITERS = (Role.county_poverty, Role.county_civil, Role.township_officer)


OUTCOME_ZH = {
    Outcome.enrolled_dibao: "已纳入低保",
    Outcome.enrolled_tekun: "已纳入特困供养",
    Outcome.facts_corrected: "核实后信息已更正",
    Outcome.not_eligible: "核实不符合条件",
    Outcome.dibao_continued: "复核后继续保障",
    Outcome.dibao_exited: "复核后退出低保",
}


# --- economic facts --------------------------------------------------------------------------


@router.post(
    "/facts/imports",
    response_model=ImportOut,
    status_code=201,
    summary="Import the poverty office's yearly survey: 劳动能力 and 有无收入 per person",
    description=(
        "CSV (UTF-8/GB18030) or XLSX. Headers: 证件号码 id_number, 劳动能力 work_ability "
        "(有劳动能力 / 部分丧失劳动能力 / 无劳动能力), 有无收入 has_income (有/无), optional "
        "调查年度 survey_year. Any bad row rejects the file: 422 listing every error by row and "
        "field, and nothing is written (WEL-8)."
    ),
)
async def post_facts_import(
    request: Request,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*FACT_WRITERS))],
    file: Annotated[UploadFile, File(description="survey (.csv or .xlsx)")],
) -> ImportOut:
    content, name = await read_upload(file, upload_limit(request))
    record = import_facts(session, content, name, principal)
    return ImportOut.model_validate(record, from_attributes=True)


def _person(session: Session, person_id: str, principal: Principal) -> RegistryPerson:
    person = session.get(RegistryPerson, person_id)
    if person is None:
        raise NotFound("no such person in the registry")
    principal.guard(person.village_code)
    return person


@router.put(
    "/facts/{person_id}",
    response_model=FactsOut,
    summary="Set one person's 劳动能力 and 有无收入 (a single edit)",
)
def put_facts(
    person_id: str,
    body: FactsIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(*FACT_WRITERS))],
) -> FactsOut:
    _person(session, person_id, principal)
    row = edit_facts(
        session, person_id, body.work_ability, body.has_income, body.survey_year, principal
    )
    return FactsOut.model_validate(row, from_attributes=True)


@router.get("/facts/{person_id}", response_model=FactsOut, summary="One person's economic facts")
def get_facts(person_id: str, session: DbSession, principal: Readers) -> FactsOut:
    _person(session, person_id, principal)
    row = session.get(EconomicFacts, person_id)
    if row is None:
        raise NotFound("no economic facts on file for this person")
    return FactsOut.model_validate(row, from_attributes=True)


# --- runs ------------------------------------------------------------------------------------


def _run(session: Session, run_id: int, principal: Principal) -> CrossCheckRun:
    run = session.get(CrossCheckRun, run_id)
    if run is None or not (
        principal.covers(run.county_code) or principal.scope.startswith(run.county_code)
    ):
        raise NotFound("no such cross-check run in your jurisdiction")
    return run


def _findings(run_id: int, principal: Principal, township: str | None) -> Any:
    stmt = select(CrossCheckFinding).where(CrossCheckFinding.run_id == run_id)
    if principal.scope:
        stmt = stmt.where(CrossCheckFinding.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(CrossCheckFinding.township_code == township)
    return stmt


def _summary(session: Session, run: CrossCheckRun, principal: Principal) -> RunOut:
    sub = _findings(run.id, principal, None).subquery()  # type: ignore[arg-type]
    rows = session.execute(
        select(sub.c.township_code, sub.c.kind, sub.c.status, func.count())
        .group_by(sub.c.township_code, sub.c.kind, sub.c.status)
        .order_by(sub.c.township_code, sub.c.kind)
    ).all()
    towns: dict[str, dict[str, KindCount]] = {}
    for town, kind, status, n in rows:
        k = towns.setdefault(town, {}).setdefault(
            kind, KindCount(kind=kind, label=KIND_ZH[FindingKind(kind)], open=0, closed=0)
        )
        setattr(k, "open" if status == "open" else "closed", n)
    townships = [
        TownshipCount(
            township_code=t,
            findings=sum(k.open + k.closed for k in kinds.values()),
            by_kind=list(kinds.values()),
        )
        for t, kinds in towns.items()
    ]
    return RunOut(
        **run.model_dump(exclude={"findings"}),
        findings=run.findings,
        visible_findings=sum(t.findings for t in townships),
        townships=townships,
    )


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=201,
    summary="Run the annual cross-check (动态管理 比对) of a county on a date",
    description=(
        "WEL-8 (ZA-GOV §三(三)2, YA-GOV §三(四)): every living registered person of the county, "
        "with their economic facts and their dibao / 特困 status on the date: 两无 people on "
        "neither dibao nor 特困供养, and exited people still on dibao whose review is due. "
        "Every run is kept; re-running the same county and date adds a new run."
    ),
)
def post_run(
    body: RunIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_civil))],
) -> RunOut:
    if not principal.covers(body.county_code):
        raise Forbidden(f"county {body.county_code} is outside your jurisdiction")
    run = run_crosscheck(session, runtime.policy, body.county_code, body.on, principal.subject)
    return _summary(session, run, principal)


@router.get("/runs", response_model=list[RunOut], summary="Cross-check runs of a county")
def list_runs(county: CountyCode, session: DbSession, principal: Readers) -> list[RunOut]:
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise Forbidden(f"county {county} is outside your jurisdiction")
    runs = session.exec(
        select(CrossCheckRun)
        .where(CrossCheckRun.county_code == county)
        .order_by(CrossCheckRun.id.desc())  # type: ignore[union-attr]
    ).all()
    return [_summary(session, r, principal) for r in runs]


@router.get("/runs/{run_id}", response_model=RunOut, summary="A run, findings by township")
def get_run(run_id: int, session: DbSession, principal: Readers) -> RunOut:
    return _summary(session, _run(session, run_id, principal), principal)


TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _ordered(stmt: Any) -> Any:
    return stmt.order_by(
        CrossCheckFinding.township_code,
        CrossCheckFinding.village_code,
        CrossCheckFinding.household_id,
        CrossCheckFinding.id,
    )


@router.get(
    "/runs/{run_id}/worklist",
    response_model=Worklist,
    summary="A township's worklist (工作清单) of a run, JSON",
)
def get_worklist(
    run_id: int,
    session: DbSession,
    principal: Readers,
    township: TownshipQuery = None,
    kind: FindingKind | None = None,
    status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Worklist:
    _run(session, run_id, principal)
    stmt = _findings(run_id, principal, township)
    if kind:
        stmt = stmt.where(CrossCheckFinding.kind == kind.value)
    if status:
        stmt = stmt.where(CrossCheckFinding.status == status)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(_ordered(stmt).offset(offset).limit(limit)).all()
    return Worklist(
        run_id=run_id,
        township_code=township,
        total=total,
        offset=offset,
        limit=limit,
        items=[FindingOut.of(r) for r in rows],
    )


WORKLIST_HEADERS = [
    "序号",
    "乡镇",
    "行政村",
    "户编号",
    "姓名",
    "身份证号码",
    "贫困状态",
    "劳动能力",
    "有无收入",
    "是否低保",
    "是否特困供养",
    "问题类型",
    "情况说明",
    "应复核日期",
    "处理状态",
    "处理结果",
    "处理说明",
    "核实人签字",
]


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


@router.get(
    "/runs/{run_id}/worklist.xlsx",
    summary="A township's worklist (工作清单) for county staff: XLSX with Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def get_worklist_xlsx(
    run_id: int, session: DbSession, principal: Readers, township: TownshipQuery = None
) -> Response:
    run = _run(session, run_id, principal)
    rows = session.exec(_ordered(_findings(run_id, principal, township))).all()
    lines = [
        [
            i,
            f.township_code,
            f.village_code,
            f.household_id,
            f.name,
            f.id_number,
            PovertyStatus(f.poverty_status).label_zh,
            WORK_ABILITY_ZH[WorkAbility(f.work_ability)] if f.work_ability else "未调查",
            "" if f.has_income is None else ("有" if f.has_income else "无"),
            _yes(f.on_dibao),
            _yes(f.on_tekun),
            KIND_ZH[FindingKind(f.kind)],
            f.detail,
            f.due_since,
            "已处理" if f.status == "closed" else "待核实",
            OUTCOME_ZH[Outcome(f.outcome)] if f.outcome else "",
            f.outcome_note or "",
            "",
        ]
        for i, f in enumerate(rows, start=1)
    ]
    stamp = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    where = f"乡镇 {township}" if township else f"县 {run.county_code}"
    title = f"动态管理比对工作清单（第{run.id}次比对，{where}，比对日期 {run.on.isoformat()}）"
    body = write_xlsx(
        WORKLIST_HEADERS,
        lines,
        title=f"工作清单{run.id}",
        preamble=[title, f"导出人: {principal.subject}  导出时间: {stamp}"],
    )
    name = f"crosscheck-{run.id}-worklist{'-' + township if township else ''}.xlsx"
    return Response(
        body,
        media_type=XLSX_MEDIA,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/findings/{finding_id}/close",
    response_model=FindingOut,
    summary="Close a finding with its outcome (处理结果)",
)
def close_finding(
    finding_id: int,
    body: CloseIn,
    session: DbSession,
    principal: Annotated[Principal, Depends(require(Role.township_officer, Role.county_civil))],
) -> FindingOut:
    finding = session.get(CrossCheckFinding, finding_id)
    if finding is None:
        raise NotFound("no such finding")
    principal.guard(finding.village_code)
    closed = session.execute(
        update(CrossCheckFinding)
        .where(CrossCheckFinding.id == finding_id, CrossCheckFinding.status == "open")  # type: ignore[arg-type]
        .values(
            status="closed",
            outcome=body.outcome.value,
            outcome_note=body.note.strip() or None,
            closed_by=principal.subject,
            closed_at=utcnow(),
        )
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"the finding was closed already ({finding.outcome})")
    session.refresh(finding)
    return FindingOut.of(finding)
