"""HTTP API of the retroactive top-up campaign (MED-10): create a campaign, follow it by
township and status, take each form through its checks, export the forms for the townships.

Jurisdiction: a form lies in the village it was sent to. Forms outside the caller's scope are
left out of lists and answer 404 when named (Principal.guard), never 403; 403 is kept for a role
that may not do the thing at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.medical.campaign.models import TopupForm
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
    StepIn,
    StepOut,
)
from services.medical.campaign.service import (
    create_campaign,
    forms_page,
    forms_to_export,
    get_form,
    steps,
    summary,
    take_step,
)
from services.medical.campaign.service import (
    get_campaign as campaign_of,
)
from shared.app import Uow
from shared.auth import require
from shared.errors import Forbidden
from shared.header_values import content_disposition, ext_value
from shared.roles import Role
from shared.tabular import XLSX_MEDIA, write_xlsx

router = APIRouter(prefix="/v1/campaigns", tags=["top-up campaign (MED-10)"])

TownshipQuery = Annotated[
    str | None, Query(pattern=r"^\d{9}$", description="9-digit township code")
]


def _detail(uow: Uow, form: TopupForm) -> FormDetail:
    return FormDetail(
        **FormOut.of(form).model_dump(), steps=[StepOut.of(s) for s in steps(uow, form)]
    )


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
    dependencies=[Depends(require(Role.county_medical))],
)
def post_campaign(body: CampaignIn, uow: Uow) -> CampaignOut:
    if not uow.principal.covers(body.county_code):
        raise Forbidden(f"county {body.county_code} is outside your jurisdiction")
    campaign = create_campaign(uow, body.county_code, body.period_start, body.period_end)
    return summary(uow, campaign)


@router.get("/{campaign_id}", response_model=CampaignOut, summary="Forms by township and status")
def get_campaign(campaign_id: int, uow: Uow) -> CampaignOut:
    return summary(uow, campaign_of(uow, campaign_id))


@router.get("/{campaign_id}/forms", response_model=FormPage, summary="The forms, paginated")
def list_forms(
    campaign_id: int,
    uow: Uow,
    township: TownshipQuery = None,
    status: FormStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FormPage:
    page = forms_page(uow, campaign_id, township, status, offset=offset, limit=limit)
    return FormPage(
        campaign_id=campaign_id,
        total=page.total,
        offset=offset,
        limit=limit,
        items=[FormOut.of(r) for r in page.items],
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
    uow: Uow,
    township: TownshipQuery = None,
) -> Response:
    campaign, rows = forms_to_export(uow, campaign_id, township)
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
    stamp = uow.now().strftime("%Y-%m-%d %H:%M UTC")
    where = f"乡镇 {township}" if township else f"县 {campaign.county_code}"
    title = (
        f"贫困户转诊转院住院就医负担核查表（第{campaign.id}批，{where}，入院日期 "
        f"{campaign.period_start.isoformat()} 至 {campaign.period_end.isoformat()}）"
    )
    marking = f"导出人: {uow.actor}  导出时间: {stamp}"
    body = write_xlsx(
        EXPORT_HEADERS, lines, title=f"核查表{campaign.id}", preamble=[title, marking]
    )
    name = f"campaign-{campaign.id}-forms{'-' + township if township else ''}.xlsx"
    return Response(
        body,
        media_type=XLSX_MEDIA,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Exported-By": ext_value(uow.actor),
            "X-Exported-At": stamp,
        },
    )


@router.get(
    "/{campaign_id}/forms/{form_id}",
    response_model=FormDetail,
    summary="One form with every step taken on it",
)
def get_one_form(campaign_id: int, form_id: int, uow: Uow) -> FormDetail:
    campaign_of(uow, campaign_id)
    return _detail(uow, get_form(uow, campaign_id, form_id))


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
def post_step(campaign_id: int, form_id: int, body: StepIn, uow: Uow) -> FormDetail:
    form = get_form(uow, campaign_id, form_id, lock=True)
    result = take_step(
        uow,
        form,
        body.to,
        body.note.strip(),
        body.confirmation.model_dump() if body.confirmation else None,
    )
    return _detail(uow, result.form)
