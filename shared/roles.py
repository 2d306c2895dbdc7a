"""Who acts: the roles of the people and systems that use the services. Pure (rules name the
role a step needs), re-exported by shared.auth, which reads them from tokens."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    village_cadre = "village_cadre"  # 村干部
    township_officer = "township_officer"  # 乡镇干部
    county_hrss = "county_hrss"  # 县人社局
    county_medical = "county_medical"  # 县医保局
    county_civil = "county_civil"  # 县民政局
    county_poverty = "county_poverty"  # 县扶贫办
    county_education = "county_education"  # 县教育局: student register and education aid
    county_disability = "county_disability"  # 县残联: disability support
    county_health = "county_health"  # 县卫计局: family-doctor teams
    family_doctor = "family_doctor"  # 家庭医生签约服务团队 member: signs and visits patients
    auditor = "auditor"  # 审计, read-only
    hospital = "hospital"  # 医院信息系统
    service = "service"  # machine to machine
    admin = "admin"
