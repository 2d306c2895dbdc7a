"""Who consumes which event: each service's subscriptions, built as the running service builds them.

A service's `ServiceSpec.subscriptions` is either a list or a function of the running `Runtime`
(handlers bound to the service's policy and publishing settings). To list the consumers, the
function is called with a real Runtime of that service: its Settings, the loaded PolicySet and an
in-memory SQLite engine. Building subscriptions opens no connection and runs no handler, so the
empty database is never touched; nothing needs faking."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from shared import SERVICES
from shared.app import ServiceSpec
from shared.bus.consumer import Subscription, dlq_topic


@dataclass(frozen=True)
class Consumption:
    """One consumer group's handling of one event type."""

    service: str
    group: str
    event_type: str
    handlers: tuple[str, ...]
    # The topics the group subscribes to: the event type's topic should be one of them.
    topics: tuple[str, ...]

    @property
    def dlq(self) -> str:
        return dlq_topic(self.group)


def load_spec(service: str) -> ServiceSpec:
    module = importlib.import_module(f"services.{service}.main")
    spec = module.SPEC
    assert isinstance(spec, ServiceSpec), f"services.{service}.main.SPEC is not a ServiceSpec"
    return spec


def build_subscriptions(spec: ServiceSpec) -> list[Subscription]:
    return list(spec.subscriptions)


def handler_names(handler: Callable[..., object]) -> tuple[str, ...]:
    """`module.qualname` of a handler; a chain of handlers (a closure over a tuple named
    `handlers`, as the services' `chain()` builds) is listed as its parts, in order."""
    if isinstance(handler, functools.partial):
        return handler_names(handler.func)
    func = getattr(handler, "__func__", handler)  # bound method -> function
    code = getattr(func, "__code__", None)
    closure = getattr(func, "__closure__", None) or ()
    if code is not None:
        cells = dict(zip(code.co_freevars, closure, strict=True))
        parts = cells["handlers"].cell_contents if "handlers" in cells else None
        if isinstance(parts, tuple | list) and parts and all(callable(p) for p in parts):
            return tuple(name for part in parts for name in handler_names(part))
    module = getattr(func, "__module__", None) or type(func).__module__
    qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
    return (f"{module}.{qualname}",)


def service_consumptions(service: str, subscriptions: list[Subscription]) -> list[Consumption]:
    return [
        Consumption(
            service=service,
            group=sub.group,
            event_type=event_type,
            handlers=handler_names(handler),
            topics=tuple(sorted(sub.topics)),
        )
        for sub in subscriptions
        for event_type, handler in sub.handlers.items()
    ]


def all_consumptions(services: tuple[str, ...] = SERVICES) -> list[Consumption]:
    """Every (group, event type) consumption of every service, in a stable order."""
    found: list[Consumption] = []
    for service in services:
        found.extend(service_consumptions(service, build_subscriptions(load_spec(service))))
    return sorted(found, key=lambda c: (c.event_type, c.service, c.group))
