"""Medical service (医保: 一站式结算, 90% 兜底, 慢病 / 大病). Port 8002."""

from __future__ import annotations

from fastapi import FastAPI

from services.medical import clock
from services.medical.access_policy import POLICY
from services.medical.campaign.routes import router as campaign_router
from services.medical.diagnosis_fee.routes import router as diagnosis_fee_router
from services.medical.family_doctor.routes import router as family_doctor_router
from services.medical.outpatient.routes import bills as outpatient_router
from services.medical.outpatient.routes import persons as outpatient_persons_router
from services.medical.plan.routes import router as plan_router
from services.medical.registry.consumers import SUBSCRIPTION as REGISTRY_SUBSCRIPTION
from services.medical.registry.routes import router as persons_router
from services.medical.stays.consumers import SUBSCRIPTIONS as STAY_SUBSCRIPTIONS
from services.medical.stays.recalculation import recalculate_stays
from services.medical.stays.routes import router as stays_router
from services.medical.summary.routes import indicators as indicators_router
from services.medical.summary.routes import persons as summary_router
from shared.access import install
from shared.app import ServiceSpec, create_app
from shared.policy.publication.routes import publication_router
from shared.settings import Settings

SPEC = ServiceSpec(
    name="medical",
    title="Medical service",
    description="One-stop reimbursement chain, the 90% guarantee and annual cap, chronic and "
    "major diseases, the retroactive top-up campaign, family-doctor signing of chronic patients "
    "(MED-*).",
    routers=[
        # A set that applies to stays already settled settles them again.
        publication_router(("medical.",), recalculate=[recalculate_stays]),
        persons_router,
        stays_router,
        campaign_router,
        summary_router,
        indicators_router,
        outpatient_router,
        outpatient_persons_router,
        diagnosis_fee_router,
        family_doctor_router,
        plan_router,
    ],
    subscriptions=[REGISTRY_SUBSCRIPTION, *STAY_SUBSCRIPTIONS],
    clock=clock,
)


def build_app(settings: Settings | None = None) -> FastAPI:
    return install(create_app(SPEC, settings), POLICY)


app = build_app()
