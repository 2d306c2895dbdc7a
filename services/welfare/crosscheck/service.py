"""The shell of dynamic management (动态管理, WEL-8): set a person's economic facts, start a
county's cross-check, summarise a run by township, hand townships their worklists (JSON and a
sheet with Chinese headers for county staff) and close findings with their outcome.

A run is a record of its county: every officer working inside the county reads it, and the
counts and worklists show the findings of the caller's jurisdiction only."""

from __future__ import annotations

from dataclasses import dataclass

from services.welfare.crosscheck import run as checking
from services.welfare.crosscheck.facts import WORK_ABILITY_ZH
from services.welfare.crosscheck.models import CrossCheckFinding, CrossCheckRun, EconomicFacts
from services.welfare.crosscheck.repository import Findings, Runs, edit_facts, facts_of
from services.welfare.crosscheck.rules import FindingKind
from services.welfare.crosscheck.schemas import (
    KIND_ZH,
    CloseIn,
    FactsIn,
    FindingOut,
    KindCount,
    Outcome,
    RunIn,
    RunOut,
    TownshipCount,
    Worklist,
)
from services.welfare.dibao.rules import WorkAbility
from services.welfare.registry.repository import RegistryPeople
from shared.bus.tables import utcnow
from shared.domain import PovertyStatus
from shared.errors import Conflict, Forbidden, NotFound
from shared.tabular import write_xlsx
from shared.uow import UnitOfWork

OUTCOME_ZH = {
    Outcome.enrolled_dibao: "已纳入低保",
    Outcome.enrolled_tekun: "已纳入特困供养",
    Outcome.facts_corrected: "核实后信息已更正",
    Outcome.not_eligible: "核实不符合条件",
    Outcome.dibao_continued: "复核后继续保障",
    Outcome.dibao_exited: "复核后退出低保",
}

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


# --- economic facts --------------------------------------------------------------------------


def set_facts(uow: UnitOfWork, person_id: str, body: FactsIn) -> EconomicFacts:
    """A single edit of one person's 劳动能力 and 有无收入."""
    RegistryPeople(uow.session, uow.principal).get_or_404(person_id)
    return edit_facts(
        uow.session,
        {
            "person_id": person_id,
            "work_ability": body.work_ability.value,
            "has_income": body.has_income,
            "survey_year": body.survey_year,
            "source": "edit",
            "updated_by": uow.actor,
            "updated_at": utcnow(),
        },
    )


def facts(uow: UnitOfWork, person_id: str) -> EconomicFacts:
    RegistryPeople(uow.session, uow.principal).get_or_404(person_id)
    row = facts_of(uow.session, person_id)
    if row is None:
        raise NotFound("no economic facts on file for this person")
    return row


# --- runs ------------------------------------------------------------------------------------


def _in_county(uow: UnitOfWork, county: str) -> None:
    principal = uow.principal
    if not (principal.covers(county) or principal.scope.startswith(county)):
        raise Forbidden(f"county {county} is outside your jurisdiction")


def summary(uow: UnitOfWork, run: CrossCheckRun) -> RunOut:
    """A run with its findings in the caller's jurisdiction counted by township and kind."""
    assert run.id is not None
    towns: dict[str, dict[str, KindCount]] = {}
    for town, kind, status, n in Findings(uow.session, uow.principal).counts(run.id):
        k = towns.setdefault(town, {}).setdefault(
            kind,
            KindCount(kind=FindingKind(kind), label=KIND_ZH[FindingKind(kind)], open=0, closed=0),
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


def start_run(uow: UnitOfWork, body: RunIn) -> RunOut:
    """Run the county's cross-check on the date (the caller's county only)."""
    if not uow.principal.covers(body.county_code):
        raise Forbidden(f"county {body.county_code} is outside your jurisdiction")
    return summary(uow, checking.run_crosscheck(uow, body.county_code, body.on))


def runs_of(uow: UnitOfWork, county: str) -> list[RunOut]:
    _in_county(uow, county)
    return [summary(uow, r) for r in Runs(uow.session, uow.principal).of_county(county)]


def worklist(
    uow: UnitOfWork,
    run_id: int,
    *,
    township: str | None,
    kind: FindingKind | None,
    status: str | None,
    limit: int,
    offset: int,
) -> Worklist:
    """A page of a run's findings (the jurisdiction's, of a township, kind, status if given)."""
    Runs(uow.session, uow.principal).get_or_404(run_id)
    findings = Findings(uow.session, uow.principal)
    stmt = findings.of_run(run_id, township, kind.value if kind else None, status)
    page = findings.worklist(stmt, limit=limit, offset=offset)
    return Worklist(
        run_id=run_id,
        township_code=township,
        total=page.total,
        offset=offset,
        limit=limit,
        items=[FindingOut.of(r) for r in page.items],
    )


@dataclass(frozen=True)
class Sheet:
    """A worklist as a file for county staff."""

    filename: str
    content: bytes


def _yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def _line(i: int, f: CrossCheckFinding) -> list[object]:
    return [
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


def worklist_sheet(uow: UnitOfWork, run_id: int, township: str | None) -> Sheet:
    """A township's (or the jurisdiction's) worklist of a run as XLSX, Chinese headers."""
    run = Runs(uow.session, uow.principal).get_or_404(run_id)
    findings = Findings(uow.session, uow.principal)
    rows = findings.all_of(findings.of_run(run_id, township))
    lines = [_line(i, f) for i, f in enumerate(rows, start=1)]
    stamp = uow.now().strftime("%Y-%m-%d %H:%M UTC")
    where = f"乡镇 {township}" if township else f"县 {run.county_code}"
    title = f"动态管理比对工作清单（第{run.id}次比对，{where}，比对日期 {run.on.isoformat()}）"
    content = write_xlsx(
        WORKLIST_HEADERS,
        lines,
        title=f"工作清单{run.id}",
        preamble=[title, f"导出人: {uow.actor}  导出时间: {stamp}"],
    )
    name = f"crosscheck-{run.id}-worklist{'-' + township if township else ''}.xlsx"
    return Sheet(filename=name, content=content)


def close_finding(uow: UnitOfWork, finding_id: int, body: CloseIn) -> CrossCheckFinding:
    """Close a finding once with its outcome (处理结果); a second close is a 409."""
    findings = Findings(uow.session, uow.principal)
    finding = findings.get_or_404(finding_id)
    closed = findings.close(
        finding,
        {
            "outcome": body.outcome.value,
            "outcome_note": body.note.strip() or None,
            "closed_by": uow.actor,
        },
    )
    if not closed:
        raise Conflict(f"the finding was closed already ({finding.outcome})")
    return finding
