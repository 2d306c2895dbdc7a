"""Tables owned by the welfare service, gathered from its sub-domains.

The welfare schema has not been released yet: it is one initial migration, regenerated when a
sub-domain's tables change (`rm services/welfare/migrations/versions/*.py` then
`python -m shared.migrations revision welfare -m "initial schema"`)."""

from __future__ import annotations

from sqlmodel import SQLModel

from services.welfare.complaints.models import COMPLAINT_TABLES
from services.welfare.crosscheck.models import CROSSCHECK_TABLES
from services.welfare.dibao.models import DIBAO_TABLES
from services.welfare.disability.models import DISABILITY_TABLES
from services.welfare.payments.models import PAYMENT_TABLES
from services.welfare.registry.models import REGISTRY_TABLES
from services.welfare.relief.models import RELIEF_TABLES
from services.welfare.tekun.models import TEKUN_TABLES
from services.welfare.window.models import WINDOW_TABLES
from services.welfare.workflow import WorkflowStep
from shared.audit import audit_log_table
from shared.bus.tables import BUS_TABLES
from shared.idempotency.tables import IDEMPOTENCY_TABLE
from shared.policy.publication.tables import PUBLICATION_TABLE

# Who changed what, when, before and after: hash-chained (shared.audit).
AUDIT_LOG = audit_log_table("welfare")

_MODELS: tuple[str | type[SQLModel], ...] = (
    *BUS_TABLES,
    IDEMPOTENCY_TABLE,
    PUBLICATION_TABLE,
    AUDIT_LOG.name,
    *REGISTRY_TABLES,
    WorkflowStep,
    *DIBAO_TABLES,
    *PAYMENT_TABLES,
    *TEKUN_TABLES,
    *CROSSCHECK_TABLES,
    *RELIEF_TABLES,
    *WINDOW_TABLES,
    *COMPLAINT_TABLES,
    *DISABILITY_TABLES,
)


def _name(table: str | type[SQLModel]) -> str:
    if isinstance(table, str):
        return table
    name = table.__tablename__
    assert isinstance(name, str)
    return name


# Table names: the migrations' env includes these and nothing else.
TABLES = tuple(_name(t) for t in _MODELS)
