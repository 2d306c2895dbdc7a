"""Employment service (人社: 就业扶贫, 技能培训, 公益岗位, 扶贫车间). Port 8003."""

from __future__ import annotations

from fastapi import FastAPI

from services.employment import clock
from services.employment.access_policy import POLICY
from services.employment.business.recalculation import recalculate_business_subsidies
from services.employment.business.routes import router as business_router
from services.employment.census.routes import router as census_router
from services.employment.consumers import subscriptions
from services.employment.jobs.routes import router as jobs_router
from services.employment.plan.routes import router as plan_router
from services.employment.posts.routes import router as posts_router
from services.employment.registry.routes import router as registry_router
from services.employment.relocation.routes import router as relocation_router
from services.employment.report.routes import router as report_router
from services.employment.training.recalculation import recalculate_job_seeking_subsidies
from services.employment.training.routes import router as training_router
from services.employment.workshops.recalculation import recalculate_worker_years
from services.employment.workshops.routes import router as workshops_router
from shared.access import install
from shared.app import ServiceSpec, create_app
from shared.policy.publication.routes import publication_router
from shared.settings import Settings

SPEC = ServiceSpec(
    name="employment",
    title="Employment service",
    description="Labour census, training, job recommendation, public-welfare posts, poverty "
    "workshops and entrepreneurship (EMP-*).",
    routers=[
        # Publishing a figure effective before its day recomputes the subsidies already paid.
        publication_router(
            ("employment.",),
            recalculate=[
                recalculate_worker_years,
                recalculate_business_subsidies,
                recalculate_job_seeking_subsidies,
            ],
        ),
        census_router,
        training_router,
        jobs_router,
        posts_router,
        workshops_router,
        business_router,
        relocation_router,
        report_router,
        plan_router,
        registry_router,
    ],
    subscriptions=list(subscriptions()),
    clock=clock,
)


def build_app(settings: Settings | None = None) -> FastAPI:
    return install(create_app(SPEC, settings), POLICY)


app = build_app()
