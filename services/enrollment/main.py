"""Enrollment service (人社: 城乡居民养老保险 / 医疗保险 参保, 建档立卡 registry). Port 8001."""

from __future__ import annotations

from fastapi import FastAPI

from services.enrollment import clock
from services.enrollment.access_policy import POLICY
from services.enrollment.consumers import SUBSCRIPTIONS
from services.enrollment.education.routes import router as education_router
from services.enrollment.jobs.routes import router as jobs_router
from services.enrollment.medical.recalculation import recalculate_medical_contributions
from services.enrollment.medical.routes import router as medical_router
from services.enrollment.pension.recalculation import recalculate_pension_subsidies
from services.enrollment.pension.routes import router as pension_router
from services.enrollment.plan.routes import router as plan_router
from services.enrollment.reconciliation.routes import router as reconciliation_router
from services.enrollment.registry.routes import router as registry_router
from services.enrollment.rolls.routes import router as rolls_router
from shared.access import install
from shared.app import ServiceSpec, create_app
from shared.policy.publication.routes import publication_router
from shared.settings import Settings

SPEC = ServiceSpec(
    name="enrollment",
    title="Enrollment service",
    description="The poverty registry (建档立卡), resident pension and medical insurance "
    "enrollment, reconciliation and contribution subsidies (REG-*, ENR-*); education aid for "
    "the registry's students (EDU-*).",
    routers=[
        # A figure published to apply from before its day recomputes the contribution
        # subsidies already decided on the years it is read for.
        publication_router(
            ("enrollment.", "education."),
            recalculate=[recalculate_medical_contributions, recalculate_pension_subsidies],
        ),
        registry_router,
        rolls_router,
        reconciliation_router,
        medical_router,
        pension_router,
        jobs_router,
        education_router,
        plan_router,
    ],
    subscriptions=SUBSCRIPTIONS,
    clock=clock,
)


def build_app(settings: Settings | None = None) -> FastAPI:
    return install(create_app(SPEC, settings), POLICY)


app = build_app()
