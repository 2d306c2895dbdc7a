"""HTTP API of the retroactive top-up campaign (MED-10): create a campaign, follow it by
township and status, take each form through its checks, export the forms for the townships.

Jurisdiction: a form lies in the village it was sent to. Forms outside the caller's scope are
left out of lists and answer 404 when named (Principal.guard), never 403; 403 is kept for a role
that may not do the thing at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, select

from services.medical import clock
from services.medical.campaign.rules import (
    STATUS_ZH,
    FormStatus,
)
from services.medical.campaign.schemas import (
    CampaignIn,
    CampaignOut,
    FormDetail,
    FormOut,
    FormPage,
    StatusCount,
    StepIn,
    StepOut,
    TownshipSummary,
)
from services.medical.campaign.service import create_campaign, get_form, take_step
from services.medical.models import TopupCampaign, TopupForm, TopupFormStep
from shared.app import DbSession, RuntimeDep
from shared.auth import CurrentPrincipal, Principal, Role, require
from shared.errors import Forbidden, NotFound
from shared.money import yuan
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1/campaigns", tags=["top-up campaign (MED-10)"])

READERS = (
    Role.county_medical,
    Role.county_poverty,
    Role.township_officer,
    Role.village_cadre,
    Role.auditor,
    Role.service,
)
TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _reader(principal: Principal) -> None:
    if not principal.has(*READERS, Role.admin):
        raise Forbidden("your role may not read the top-up campaign")


def _campaign(session: Session, campaign_id: int, principal: Principal) -> TopupCampaign:
    _reader(principal)
    campaign = session.get(TopupCampaign, campaign_id)
    # Visible to the whole county's hierarchy, forms filtered further by scope.
    if campaign is None or not (
        principal.covers(campaign.county_code) or principal.scope.startswith(campaign.county_code)
    ):
        raise NotFound("no such campaign in your jurisdiction")
    return campaign


def _forms(campaign_id: int, principal: Principal, township: str | None) -> Any:
    stmt = select(TopupForm).where(TopupForm.campaign_id == campaign_id)
    if principal.scope:
        stmt = stmt.where(TopupForm.village_code.startswith(principal.scope))  # type: ignore[attr-defined]
    if township:
        stmt = stmt.where(TopupForm.township_code == township)
    return stmt


def _summary(session: Session, campaign: TopupCampaign, principal: Principal) -> CampaignOut:
    sub = _forms(campaign.id, principal, None).subquery()  # type: ignore[arg-type]
    rows = session.exec(
        select(sub.c.township_code, sub.c.status, func.count(), func.sum(sub.c.topup_due))  # type: ignore[call-overload]
        .group_by(sub.c.township_code, sub.c.status)
        .order_by(sub.c.township_code, sub.c.status)
    ).all()
    townships: dict[str, list[StatusCount]] = {}
    for township, status, count, due in rows:
        townships.setdefault(township, []).append(
            StatusCount(
                status=status,
                label=STATUS_ZH[FormStatus(status)],
                forms=count,
                topup_due=yuan(Decimal(str(due or 0))),
            )
        )

    def paid(counts: list[StatusCount]) -> Decimal:
        return sum((c.topup_due for c in counts if c.status == FormStatus.paid), Decimal("0.00"))

    groups = [
        TownshipSummary(
            township_code=t,
            forms=sum(c.forms for c in counts),
            topup_due=sum((c.topup_due for c in counts), Decimal("0.00")),
            topup_paid=paid(counts),
            by_status=counts,
        )
        for t, counts in townships.items()
    ]
    overall: dict[FormStatus, StatusCount] = {}
    for counts in townships.values():
        for c in counts:
            seen = overall.setdefault(
                c.status, StatusCount(status=c.status, label=c.label, forms=0, topup_due=0)
            )
            seen.forms += c.forms
            seen.topup_due += c.topup_due
    by_status = [overall[s] for s in FormStatus if s in overall]
    return CampaignOut(
        id=campaign.id,  # type: ignore[arg-type]
        county_code=campaign.county_code,
        period_start=campaign.period_start,
        period_end=campaign.period_end,
        created_by=campaign.created_by,
        created_at=campaign.created_at,
        forms_created=campaign.forms_created,
        skipped_existing_form=campaign.skipped_existing_form,
        forms=sum(g.forms for g in groups),
        topup_due=sum((g.topup_due for g in groups), Decimal("0.00")),
        topup_paid=sum((g.topup_paid for g in groups), Decimal("0.00")),
        by_status=by_status,
        townships=groups,
    )


def _steps(session: Session, form: TopupForm) -> list[StepOut]:
    rows = session.exec(
        select(TopupFormStep).where(TopupFormStep.form_id == form.id).order_by(TopupFormStep.id)  # type: ignore[arg-type]
    ).all()
    return [StepOut.of(r) for r in rows]


@router.post(
    "",
    response_model=CampaignOut,
    status_code=201,
    summary="Extract the below-standard compliant stays of a period and issue one form per stay",
    description=(
        "Active stays of registered poor (not exited or exited) admitted in the period, whose "
        "latest decision follows the referral rules, carries no top-up and is below "
        "medical.guarantee.target_ratio for the admission date. A stay gets one form ever: a "
        "stay that already has one (from any campaign, in any status) is counted in "
        "`skipped_existing_form`."
    ),
)
def post_campaign(
    body: CampaignIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: Annotated[Principal, Depends(require(Role.county_medical))],
) -> CampaignOut:
    if not principal.covers(body.county_code):
        raise Forbidden(f"county {body.county_code} is outside your jurisdiction")
    campaign = create_campaign(
        session, runtime.policy, body.county_code, body.period_start, body.period_end, principal
    )
    session.flush()
    return _summary(session, campaign, principal)


@router.get("/{campaign_id}", response_model=CampaignOut, summary="Forms by township and status")
def get_campaign(campaign_id: int, session: DbSession, principal: CurrentPrincipal) -> CampaignOut:
    return _summary(session, _campaign(session, campaign_id, principal), principal)


@router.get("/{campaign_id}/forms", response_model=FormPage, summary="The forms, paginated")
def list_forms(
    campaign_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
    status: FormStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FormPage:
    _campaign(session, campaign_id, principal)
    stmt = _forms(campaign_id, principal, township)
    if status is not None:
        stmt = stmt.where(TopupForm.status == status.value)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(TopupForm.township_code, TopupForm.village_code, TopupForm.id)  # type: ignore[arg-type]
        .offset(offset)
        .limit(limit)
    ).all()
    return FormPage(
        campaign_id=campaign_id,
        total=total,
        offset=offset,
        limit=limit,
        items=[FormOut.of(r) for r in rows],
    )


# 附件4 《贫困户转诊转院住院就医负担核查表》: the seed names the form and who signs it (帮扶干部 at
# the household, the household, 村委会, 乡镇人民政府); its columns are not in the seed, so they
# are the stay's figures the signatories confirm, and blank columns for each signature.
EXPORT_HEADERS = [
    "序号",
    "乡镇",
    "行政村",
    "户编号",
    "患者姓名",
    "身份证号码",
    "就诊医院",
    "医院等级",
    "入院日期",
    "出院日期",
    "住院总费用(元)",
    "政策范围内费用(元)",
    "基本医保报销(元)",
    "大病保险报销(元)",
    "医疗救助(元)",
    "已报销合计(元)",
    "个人自付(元)",
    "实际报销比例",
    "保障比例",
    "应二次报销补足(元)",
    "结算单号",
    "核查状态",
    "帮扶干部核实签字",
    "户主确认签字",
    "村委会核查意见(签字盖章)",
    "乡镇人民政府核查意见(签字盖章)",
]
LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级"}
ADMIN_ZH = {"county": "县级", "city": "市级", "province": "省级"}


def _percent(value: Decimal) -> str:
    return f"{Decimal(value) * 100:.2f}%"


@router.get(
    "/{campaign_id}/forms/export",
    summary="附件4 核查表 for the townships: XLSX, one row per stay, Chinese headers",
    responses={200: {"content": {XLSX_MEDIA: {}}}},
)
def export_forms(
    campaign_id: int,
    session: DbSession,
    principal: CurrentPrincipal,
    township: TownshipQuery = None,
) -> Response:
    campaign = _campaign(session, campaign_id, principal)
    rows = session.exec(
        _forms(campaign_id, principal, township).order_by(
            TopupForm.township_code,  # type: ignore[arg-type]
            TopupForm.village_code,
            TopupForm.household_id,
            TopupForm.admission,
            TopupForm.id,
        )
    ).all()
    lines = [
        [
            i,
            f.township_code,
            f.village_code,
            f.household_id,
            f.name,
            f.id_number,
            f.hospital,
            LEVEL_ZH.get(f.hospital_level, "") + ADMIN_ZH.get(f.admin_level, ""),
            f.admission,
            f.discharge,
            Decimal(f.total_cost),
            Decimal(f.cost_basis),
            Decimal(f.basic),
            Decimal(f.critical_illness),
            Decimal(f.assistance),
            Decimal(f.reimbursed),
            Decimal(f.self_pay),
            _percent(f.ratio_before),
            _percent(f.target_ratio),
            Decimal(f.topup_due),
            f.claim_id,
            STATUS_ZH[FormStatus(f.status)],
            "",
            "",
            "",
            "",
        ]
        for i, f in enumerate(rows, start=1)
    ]
    stamp = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    where = f"乡镇 {township}" if township else f"县 {campaign.county_code}"
    title = (
        f"贫困户转诊转院住院就医负担核查表（第{campaign.id}批，{where}，入院日期 "
        f"{campaign.period_start.isoformat()} 至 {campaign.period_end.isoformat()}）"
    )
    marking = f"导出人: {principal.subject}  导出时间: {stamp}"
    body = write_xlsx(
        EXPORT_HEADERS, lines, title=f"核查表{campaign.id}", preamble=[title, marking]
    )
    name = f"campaign-{campaign.id}-forms{'-' + township if township else ''}.xlsx"
    return Response(
        body,
        media_type=XLSX_MEDIA,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Exported-By": principal.subject,
            "X-Exported-At": stamp,
        },
    )


@router.get(
    "/{campaign_id}/forms/{form_id}",
    response_model=FormDetail,
    summary="One form with every step taken on it",
)
def get_one_form(
    campaign_id: int, form_id: int, session: DbSession, principal: CurrentPrincipal
) -> FormDetail:
    _campaign(session, campaign_id, principal)
    form = get_form(session, campaign_id, form_id, principal)
    return FormDetail(**FormOut.of(form).model_dump(), steps=_steps(session, form))


@router.post(
    "/{campaign_id}/forms/{form_id}/steps",
    response_model=FormDetail,
    summary="Take the next step on a form, or reject it with a reason",
    description=(
        "issued → home_visited → household_confirmed → village_checked (village_cadre) → "
        "township_signed (township_officer) → county_approved → paid (county_medical). "
        "household_confirmed carries the household's `confirmation` (a member of the patient's "
        "household in the registry: ID number, name, relation; method; day). Separation of "
        "duties (MED-10, YA-HRSS §二(二)3): home visit, village check, township sign-off and "
        "county approval are each taken by a different account; the confirmation may be "
        "recorded by the visiting cadre only besides its own visit. "
        "`rejected` ends the form; it is taken by the role of the step that would come next. "
        "403: the caller's role never takes that step; 409: not the next step (skipped, "
        "repeated, or the form has ended); 404: the form is outside the caller's jurisdiction."
    ),
)
def post_step(
    campaign_id: int,
    form_id: int,
    body: StepIn,
    session: DbSession,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
) -> FormDetail:
    form = get_form(session, campaign_id, form_id, principal, lock=True)
    result = take_step(
        session,
        runtime.policy,
        runtime.publish_kwargs(),
        form,
        body.to,
        principal,
        body.note.strip(),
        body.confirmation.model_dump() if body.confirmation else None,
    )
    return FormDetail(**FormOut.of(result.form).model_dump(), steps=_steps(session, result.form))
