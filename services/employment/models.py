"""Tables owned by the employment service, gathered from its sub-domains.

The employment schema has not been released yet: it is one initial migration, regenerated when a
sub-domain's tables change (`rm services/employment/migrations/versions/*.py` then
`python -m shared.migrations revision employment -m "initial schema"`)."""

from __future__ import annotations

from sqlmodel import SQLModel

from services.employment.business.models import BUSINESS_TABLES
from services.employment.census.models import CENSUS_TABLES
from services.employment.jobs.models import JOBS_TABLES
from services.employment.plan.models import PLAN_TABLES
from services.employment.posts.models import POSTS_TABLES
from services.employment.registry.models import REGISTRY_TABLES
from services.employment.relocation.models import RELOCATION_TABLES
from services.employment.training.models import TRAINING_TABLES
from services.employment.welfare.models import WELFARE_TABLES
from services.employment.workshops.models import WORKSHOP_TABLES
from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES
from shared.db import table_of
from shared.idempotency.tables import IDEMPOTENCY_TABLE
from shared.policy.publication.tables import PUBLICATION_TABLE
from shared.policy.recalculation.tables import ADJUSTMENT_TABLE

# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("employment")

_MODELS = (
    *BUS_TABLES,
    IDEMPOTENCY_TABLE,
    PUBLICATION_TABLE,
    ADJUSTMENT_TABLE,
    AUDIT_LOG.name,
    *REGISTRY_TABLES,
    *JOBS_TABLES,
    *POSTS_TABLES,
    *WORKSHOP_TABLES,
    *BUSINESS_TABLES,
    *RELOCATION_TABLES,
    *CENSUS_TABLES,
    *TRAINING_TABLES,
    *WELFARE_TABLES,
    *PLAN_TABLES,
)


def _name(table: str | type[SQLModel]) -> str:
    return table if isinstance(table, str) else table_of(table).name


# Table names: the migrations' env includes these and nothing else.
TABLES = tuple(_name(t) for t in _MODELS)
