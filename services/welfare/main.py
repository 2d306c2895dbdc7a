"""Welfare service (民政: 低保, 特困供养, 临时救助, 一门受理). Port 8004."""

from __future__ import annotations

from fastapi import FastAPI

from services.welfare import clock
from services.welfare.access_policy import POLICY
from services.welfare.appraisal.routes import router as appraisal_router
from services.welfare.complaints.routes import router as complaints_router
from services.welfare.consumers import SUBSCRIPTIONS
from services.welfare.crosscheck.routes import router as crosscheck_router
from services.welfare.dibao.routes import router as dibao_router
from services.welfare.disability.routes import router as disability_router
from services.welfare.payments.routes import router as payments_router
from services.welfare.plan.routes import router as plan_router
from services.welfare.registry.routes import router as registry_router
from services.welfare.relief.routes import router as relief_router
from services.welfare.simulation.routes import router as simulation_router
from services.welfare.tekun.routes import router as tekun_router
from services.welfare.window.routes import router as window_router
from shared.access import install
from shared.app import ServiceSpec, create_app
from shared.policy.publication.routes import publication_router
from shared.settings import Settings

SPEC = ServiceSpec(
    name="welfare",
    title="Welfare service",
    description="Dibao lifecycle, extreme-poverty support, temporary relief and one-window "
    "referrals (WEL-*).",
    routers=[
        publication_router(("welfare.",)),
        dibao_router,
        payments_router,
        tekun_router,
        crosscheck_router,
        relief_router,
        window_router,
        complaints_router,
        disability_router,
        appraisal_router,
        plan_router,
        registry_router,
        simulation_router,
    ],
    subscriptions=SUBSCRIPTIONS,
    clock=clock,
)


def build_app(settings: Settings | None = None) -> FastAPI:
    return install(create_app(SPEC, settings), POLICY)


app = build_app()
