"""A window request's procedure (WEL-7): received (已受理) → referred (已转办, with a deadline) →
accepted by the department (部门已接收) → resolved (已办结) or returned (退回); a department may
also return a request it was referred without accepting it.

Who takes a department's steps: its own county role for the departments that have one in this
system (民政 county_civil, 医保 county_medical, 人社 county_hrss, 扶贫办 county_poverty); for a
department outside it (教育, 住建, 残联, 卫健), the township officer records its answer. A machine
(`service`) may record any department's answer."""

from __future__ import annotations

from enum import StrEnum

from services.welfare.workflow import Workflow
from shared.roles import Role

WEL_7 = "WEL-7"


class RequestStatus(StrEnum):
    received = "received"  # 已受理
    referred = "referred"  # 已转办
    accepted = "accepted"  # 部门已接收
    resolved = "resolved"  # 已办结
    returned = "returned"  # 退回


STATUS_ZH = {
    RequestStatus.received: "已受理",
    RequestStatus.referred: "已转办",
    RequestStatus.accepted: "部门已接收",
    RequestStatus.resolved: "已办结",
    RequestStatus.returned: "退回",
}
OPEN_STATUSES = (RequestStatus.received, RequestStatus.referred, RequestStatus.accepted)


class Department(StrEnum):
    civil_affairs = "civil_affairs"  # 县民政局 (this service)
    medical_insurance = "medical_insurance"  # 县医保局
    hrss = "hrss"  # 县人社局 (养老保险, 就业, 培训)
    poverty_office = "poverty_office"  # 县扶贫办
    education = "education"  # 县教育局 (教育救助)
    housing = "housing"  # 县住建局 (危房改造, 住房救助)
    disabled_persons_federation = "disabled_persons_federation"  # 县残联
    health = "health"  # 县卫健局


DEPARTMENT_ZH = {
    Department.civil_affairs: "县民政局",
    Department.medical_insurance: "县医保局",
    Department.hrss: "县人力资源和社会保障局",
    Department.poverty_office: "县扶贫办",
    Department.education: "县教育局",
    Department.housing: "县住房和城乡建设局",
    Department.disabled_persons_federation: "县残疾人联合会",
    Department.health: "县卫生健康局",
}

DEPARTMENT_ROLES: dict[Department, frozenset[Role]] = {
    Department.civil_affairs: frozenset({Role.county_civil}),
    Department.medical_insurance: frozenset({Role.county_medical}),
    Department.hrss: frozenset({Role.county_hrss}),
    Department.poverty_office: frozenset({Role.county_poverty}),
}
OUTSIDE_ROLES = frozenset({Role.township_officer})


def answering_roles(department: Department) -> frozenset[Role]:
    return DEPARTMENT_ROLES.get(department, OUTSIDE_ROLES) | {Role.service}


class RequestType(StrEnum):
    temporary_relief = "temporary_relief"  # 临时救助: a relief case is opened here
    dibao = "dibao"  # 低保
    tekun = "tekun"  # 特困供养
    medical_assistance = "medical_assistance"  # 医疗救助
    medical_insurance = "medical_insurance"  # 医保参保、报销
    pension = "pension"  # 养老保险
    employment = "employment"  # 就业、培训
    poverty_registry = "poverty_registry"  # 建档立卡信息
    education = "education"  # 教育救助
    housing = "housing"  # 住房救助
    disability = "disability"  # 残疾人补贴、康复
    other = "other"  # the window names the department


TYPE_ZH = {
    RequestType.temporary_relief: "临时救助",
    RequestType.dibao: "低保",
    RequestType.tekun: "特困供养",
    RequestType.medical_assistance: "医疗救助",
    RequestType.medical_insurance: "医疗保险",
    RequestType.pension: "养老保险",
    RequestType.employment: "就业培训",
    RequestType.poverty_registry: "建档立卡",
    RequestType.education: "教育救助",
    RequestType.housing: "住房救助",
    RequestType.disability: "残疾人帮扶",
    RequestType.other: "其他",
}

OWNER: dict[RequestType, Department] = {
    RequestType.temporary_relief: Department.civil_affairs,
    RequestType.dibao: Department.civil_affairs,
    RequestType.tekun: Department.civil_affairs,
    RequestType.medical_assistance: Department.medical_insurance,
    RequestType.medical_insurance: Department.medical_insurance,
    RequestType.pension: Department.hrss,
    RequestType.employment: Department.hrss,
    RequestType.poverty_registry: Department.poverty_office,
    RequestType.education: Department.education,
    RequestType.housing: Department.housing,
    RequestType.disability: Department.disabled_persons_federation,
}

WINDOW = frozenset({Role.township_officer, Role.village_cadre})
ANSWERERS = frozenset().union(*(answering_roles(d) for d in Department))

R = RequestStatus
REQUEST = Workflow[RequestStatus](
    entity="window_request",
    transitions={
        (R.received, R.referred): WINDOW,
        (R.referred, R.accepted): ANSWERERS,
        (R.referred, R.returned): ANSWERERS,
        (R.accepted, R.resolved): ANSWERERS,
        (R.accepted, R.returned): ANSWERERS,
    },
    labels_zh=STATUS_ZH,
)

READERS = (
    Role.village_cadre,
    Role.township_officer,
    Role.county_civil,
    Role.county_medical,
    Role.county_hrss,
    Role.county_poverty,
    Role.auditor,
    Role.service,
)
