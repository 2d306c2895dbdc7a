"""The training ledger (培训台账, EMP-2): one row per enrolment (and per certificate) in scope,
with Chinese headers; kept in quadruplicate by township, village, department and the county
employment centre (YA-HRSS §三(二)1)."""

from __future__ import annotations

from services.employment.training.models import TrainingCertificate
from services.employment.training.repository import Certificates, Enrolments, Grants
from services.employment.training.rules import (
    CERTIFICATE_KIND_ZH,
    PROGRAMME_KIND_ZH,
    CertificateKind,
    ProgrammeKind,
)
from shared.tabular import write_xlsx
from shared.uow import UnitOfWork

OUTCOME_ZH = {"passed": "合格", "failed": "不合格"}
STATUS_ZH = {"enrolled": "在训", "completed": "结业", "withdrawn": "退出"}
LEDGER_HEADERS = (
    "培训项目",
    "培训类型",
    "承办部门",
    "培训开始日期",
    "培训结束日期",
    "学时",
    "户编号",
    "姓名",
    "证件号码",
    "乡镇",
    "行政村",
    "报名日期",
    "状态",
    "结业日期",
    "培训结果",
    "证书类型",
    "证书编号",
    "发证日期",
    "求职创业补贴(元)",
)


def ledger(uow: UnitOfWork, programme_id: int | None, township: str | None) -> bytes:
    """The ledger of the enrolments in the caller's jurisdiction (of a programme, a township)."""
    rows = Enrolments(uow.session, uow.principal).ledger(programme_id, township)
    certs = Certificates(uow.session, None).of_enrolments([e.id for e, _, _ in rows])
    grants = Grants(uow.session, None).amounts()
    lines = []
    for e, p, person in rows:
        base = [
            p.name,
            PROGRAMME_KIND_ZH[ProgrammeKind(p.kind)],
            p.provider_department,
            p.starts_on,
            p.ends_on,
            p.hours,
            e.household_id,
            person.name,
            person.id_number,
            e.township_code,
            e.village_code,
            e.enrolled_on,
            STATUS_ZH.get(e.status, e.status),
            e.completed_on,
            OUTCOME_ZH.get(e.outcome or "", ""),
        ]
        mine: list[TrainingCertificate | None] = [*certs.get(e.id or 0, [])] or [None]
        for c in mine:
            if c is None:
                lines.append([*base, "", "", "", ""])
            else:
                lines.append(
                    [
                        *base,
                        CERTIFICATE_KIND_ZH[CertificateKind(c.kind)],
                        c.number,
                        c.issued_on,
                        grants.get(c.id or 0, ""),
                    ]
                )
    return write_xlsx(LEDGER_HEADERS, lines, title="培训台账")
