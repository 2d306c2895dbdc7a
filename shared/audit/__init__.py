"""Audit trail: every state change (who, role, scope, when, what, before/after) appended to a
per-service, hash-chained table `<service>_audit_log`.

`python -m shared.audit verify <service>` recomputes the chain; `GET /v1/audit` lets auditors
read it. What is captured and what is not: shared.audit.capture."""

from __future__ import annotations

from typing import Any

from shared.audit.capture import AuditContext, set_context, track
from shared.audit.table import audit_log_table, audit_table_name

__all__ = [
    "AuditContext",
    "audit_log_table",
    "audit_table_name",
    "event_context",
    "principal_context",
    "request_context",
    "set_context",
    "track",
]


def request_context(request: Any) -> AuditContext:
    """The acting principal and route of an HTTP request (read when a change is captured, so
    after the route's own dependencies have authenticated the caller)."""
    from shared.correlation import current_correlation_id

    principal = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    template = getattr(route, "path", None) or request.url.path
    return AuditContext(
        actor=principal.subject if principal else "anonymous",
        roles=",".join(sorted(str(r) for r in principal.roles)) if principal else "",
        scope=principal.scope if principal else "",
        action=f"{request.method} {template}",
        correlation_id=current_correlation_id(),
    )


def principal_context(principal: Any, action: str) -> AuditContext:
    """A principal's work outside the request that started it (a background import job)."""
    from shared.correlation import current_correlation_id

    return AuditContext(
        actor=principal.subject,
        roles=",".join(sorted(str(r) for r in principal.roles)),
        scope=principal.scope,
        action=action,
        correlation_id=current_correlation_id(),
    )


def event_context(group: str, envelope: Any) -> AuditContext:
    """A consumed event: the producing service acts, through this service's consumer group.
    Its scope is the division the event's data names, if any (so county auditors see it)."""
    data = envelope.data if isinstance(envelope.data, dict) else {}
    division = next(
        (str(data[k]) for k in ("village_code", "township_code", "county_code") if data.get(k)),
        "",
    )
    return AuditContext(
        actor=str(envelope.source),
        roles="service",
        scope=division[:12],
        action=f"event {envelope.type} {envelope.id} ({group})",
        correlation_id=envelope.correlationid or envelope.id,
    )
