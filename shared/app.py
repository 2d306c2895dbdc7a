"""The service shell every service is built from: lifespan (migrations, engine, relay,
consumers), correlation ids, problem documents, health/readiness and the policy endpoint."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Annotated, Any, cast

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared import audit, clock, migrations
from shared.audit.routes import router as audit_router
from shared.auth import CurrentPrincipal, Principal
from shared.bus.consumer import ConsumerRunner, Subscription
from shared.bus.kafka import KafkaSecurity, broker_reachable
from shared.bus.outbox import add_waker, remove_waker
from shared.bus.relay import OutboxRelay
from shared.correlation import RequestContextMiddleware
from shared.db import make_engine, ping, process_write_lock
from shared.error_handlers import install_error_handlers
from shared.header_values import content_disposition
from shared.idempotency.middleware import IdempotencyMiddleware
from shared.ids import CountyCode
from shared.logging import configure_logging, get_logger
from shared.openapi import contract, operation_id
from shared.overload import LoadShedding
from shared.policy import PolicySet
from shared.policy.loader import ResolvedParameter
from shared.policy.publication.service import PolicySource
from shared.settings import Settings
from shared.tabular import XLSX_MEDIA, write_xlsx
from shared.uow import Clock, Publisher, UnitOfWork

log = get_logger("app")


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    routers: list[APIRouter] = field(default_factory=list)
    # What it consumes; a handler gets the policy and the outbox from the event's unit of work.
    subscriptions: list[Subscription] = field(default_factory=list)
    # The service's `clock` module: the one way its work reads "today" (a test sets it there).
    clock: Clock = clock


@dataclass
class Runtime:
    """What a running service holds; reachable from handlers as `request.app.state.runtime`."""

    spec: ServiceSpec
    settings: Settings
    engine: Engine
    policy: PolicySet  # as shipped in the parameter files
    relay: OutboxRelay | None = None
    consumers: list[ConsumerRunner] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    # Ends of requests' units of work (commit, rollback) and the wait for SQLite's write lock,
    # on threads apart from the handlers' (get_session); request writers queue in `writers`.
    endings: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(32))
    writers: asyncio.Lock = field(default_factory=asyncio.Lock)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _broker_checked: tuple[float, bool] = (0.0, False)

    @property
    def publisher(self) -> Publisher:
        return Publisher(self.spec.name, self.settings.topic_prefix)

    @cached_property
    def policy_source(self) -> PolicySource:
        """The shipped parameters with the counties' published sets laid over them."""
        return PolicySource(self.policy)

    def unit_of_work(self, session: Session, principal: Principal) -> UnitOfWork:
        """A unit of work outside a request (a background job acting for `principal`)."""
        return UnitOfWork(
            session=session,
            principal=principal,
            policy=self.policy_source.current(session),
            publisher=self.publisher,
            clock=self.spec.clock,
        )

    async def broker_ok(self) -> bool:
        at, ok = self._broker_checked
        if time.monotonic() - at > 1.0:
            ok = await broker_reachable(
                self.settings.kafka_bootstrap_servers,
                wait_s=1.5,
                security=KafkaSecurity.from_settings(self.settings),
            )
            self._broker_checked = (time.monotonic(), ok)
        return ok


def runtime_of(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


async def get_runtime(request: Request) -> Runtime:
    # async, like every dependency without I/O: a sync one costs a worker-thread hop.
    return runtime_of(request)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the handler returns, rolled back on error.
    Writing requests on SQLite hold the process's write lock for the whole unit of work. Every
    state change it makes is appended to the service's audit trail at commit.

    Async, with the commit (or rollback) on a thread of the runtime's own limiter: a request
    whose handler is done gives its connection back without waiting for a worker thread. Were
    the ending to queue for a worker thread behind handlers that wait for a connection, the two
    would wait for each other until the pool timed out (a 500 after 30 s under load)."""
    runtime = runtime_of(request)
    engine = runtime.engine
    writing = request.method not in ("GET", "HEAD", "OPTIONS")
    lock = process_write_lock(engine) if writing else None
    if lock is not None:
        # Request writers queue on the loop; only the first waits, on a thread, for the lock
        # a background writer (relay, consumer) may hold.
        await runtime.writers.acquire()
        taken: list[bool] = []

        def take() -> None:
            lock.acquire()
            taken.append(True)

        try:
            await anyio.to_thread.run_sync(take, limiter=runtime.endings)
        except BaseException:
            # A cancelled request is cancelled once the thread is done: it may hold the lock.
            if taken:
                lock.release()
            runtime.writers.release()
            raise
    session = Session(engine, expire_on_commit=False)
    try:
        if runtime.settings.audit_enabled:
            audit.track(session, runtime.spec.name, lambda: audit.request_context(request))
        try:
            yield session
        except BaseException:
            await anyio.to_thread.run_sync(_end, session, False, limiter=runtime.endings)
            raise
        await anyio.to_thread.run_sync(_end, session, True, limiter=runtime.endings)
    finally:
        if lock is not None:
            lock.release()
            runtime.writers.release()


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
DbSession = Annotated[Session, Depends(get_session, scope="function")]


async def get_uow(
    runtime: RuntimeDep, session: DbSession, principal: CurrentPrincipal
) -> UnitOfWork:
    """The request's unit of work: its session (committed when the handler returns), the
    caller, the service's clock, policy and outbox."""
    return runtime.unit_of_work(session, principal)


Uow = Annotated[UnitOfWork, Depends(get_uow)]


class ParameterOut(BaseModel):
    path: str
    value: Any
    unit: str | None
    effective_from: date
    reference: str = Field(description="Citation: the document and article that set the figure")
    county_override: bool = Field(description="The county's own figure (not the default)")
    illustrative: bool = Field(
        description="No document of this county nor a national rule sets the figure; the "
        "reference says why it is used"
    )
    description: str
    source: str = Field(
        description="`shipped` (the parameter files) or the county's `publication N` that set it"
    )


class ParametersOut(BaseModel):
    county: str | None
    on: date
    parameters: list[ParameterOut]


# The county staff's check sheet (参数核对表): one row per figure, Chinese headers.
PARAMETER_HEADERS = [
    "参数",
    "说明",
    "数值",
    "单位",
    "生效日期",
    "依据（文件及条款）",
    "本县设定",
    "示例值（无本县依据）",
]


def _parameter_row(p: ResolvedParameter) -> list[Any]:
    value = p.as_trace()["value"]
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return [
        p.path,
        p.description,
        value,
        p.unit or "",
        p.effective_from,
        p.reference,
        "是" if p.county is not None else "否",
        "是" if p.illustrative else "否",
    ]


def _system_router() -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", tags=["system"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        # async: no I/O here, and a sync route pays a worker-thread hop per call (about a
        # third of the throughput of a bare endpoint).
        return {"status": "ok"}

    @router.get(
        "/readyz",
        tags=["system"],
        summary="Readiness: database and broker reachable, outbox not lagging",
    )
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks: dict[str, str] = {}
        try:
            await asyncio.to_thread(ping, runtime.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        if runtime.settings.bus_enabled:
            checks["broker"] = "ok" if await runtime.broker_ok() else "unreachable"
            if runtime.relay is not None:
                pending, waited = await asyncio.to_thread(runtime.relay.lag)
                checks["outbox_pending"] = str(pending)
                checks["outbox_lag_s"] = f"{waited:.1f}"
                limit = runtime.settings.outbox_lag_unready_s
                checks["outbox"] = "ok" if waited <= limit else f"lagging over {limit:g} s"
        gating = ("database", "broker", "outbox")
        ready = all(v == "ok" for k, v in checks.items() if k in gating)
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get(
        "/v1/policy/parameters",
        tags=["policy"],
        summary="Policy parameters in force for a county on a date",
        response_model=ParametersOut,
        responses={200: {"content": {XLSX_MEDIA: {}}}},
    )
    def parameters(
        runtime: RuntimeDep,
        session: DbSession,
        _principal: CurrentPrincipal,
        county: Annotated[
            CountyCode | None, Query(description="6-digit county code, e.g. 532325 (姚安)")
        ] = None,
        on: Annotated[
            date | None, Query(description="Date the values apply to (default today)")
        ] = None,
        known_on: Annotated[
            date | None,
            Query(
                description="As the system knew them on that day (default: as known now): the "
                "counties' parameter sets published by then, to explain a decision taken "
                "before a later correction"
            ),
        ] = None,
        format: Annotated[
            str,
            Query(
                pattern="^(json|xlsx)$",
                description="json, or xlsx: a sheet with Chinese headers for county staff to "
                "check each figure against their documents",
            ),
        ] = "json",
    ) -> ParametersOut | Response:
        day = on or clock.today()
        source = runtime.policy_source
        policy = (
            source.current(session) if known_on is None else source.as_known_on(session, known_on)
        )
        resolved = policy.resolve_all(county, day)
        if format == "xlsx":
            content = write_xlsx(
                PARAMETER_HEADERS,
                [_parameter_row(p) for p in resolved],
                title="政策参数",
                preamble=[f"政策参数核对表 县：{county or '默认'} 日期：{day.isoformat()}"],
            )
            name = f"policy-{county or 'default'}-{day}.xlsx"
            return Response(
                content,
                media_type=XLSX_MEDIA,
                headers={"Content-Disposition": content_disposition(name)},
            )
        return ParametersOut(
            county=county,
            on=day,
            parameters=[
                ParameterOut(
                    path=p.path,
                    value=p.value,
                    unit=p.unit,
                    effective_from=p.effective_from,
                    reference=p.reference,
                    county_override=p.county is not None,
                    illustrative=p.illustrative,
                    description=p.description,
                    source=p.source,
                )
                for p in resolved
            ],
        )

    return router


def create_app(spec: ServiceSpec, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings(service_name=spec.name)
    if settings.service_name != spec.name:
        settings = settings.model_copy(update={"service_name": spec.name})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level, settings.log_json)
        await asyncio.to_thread(migrations.upgrade, spec.name, settings.database_url)
        engine = make_engine(
            settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout_s,
        )
        runtime = Runtime(
            spec=spec,
            settings=settings,
            engine=engine,
            policy=PolicySet.load(settings.policy_dir),
        )
        app.state.runtime = runtime
        waker = None
        security = KafkaSecurity.from_settings(settings)
        if settings.bus_enabled:
            if settings.relay_enabled:
                relay = OutboxRelay(
                    engine,
                    service=spec.name,
                    bootstrap=settings.kafka_bootstrap_servers,
                    partitions=settings.topic_partitions,
                    replication_factor=settings.kafka_replication_factor,
                    idempotent_producer=settings.kafka_idempotent_producer,
                    batch_size=settings.relay_batch_size,
                    poll_interval_s=settings.relay_poll_interval_s,
                    security=security,
                )
                runtime.relay = relay
                loop = asyncio.get_running_loop()

                def waker() -> None:
                    # Every committing request calls this; a wake-up already due needs no second
                    # trip through the loop's self-pipe (a read of a flag, racy but harmless: a
                    # missed wake-up is caught by the relay's poll).
                    if not relay.awake:
                        loop.call_soon_threadsafe(relay.wake)

                add_waker(waker)
                runtime.tasks.append(asyncio.create_task(relay.run(runtime.stop)))
            if settings.consumers_enabled:
                for sub in spec.subscriptions:
                    runner = ConsumerRunner(
                        engine,
                        group=sub.group,
                        bootstrap=settings.kafka_bootstrap_servers,
                        subscription=sub,
                        topic_prefix=settings.topic_prefix,
                        partitions=settings.topic_partitions,
                        replication_factor=settings.kafka_replication_factor,
                        idempotent_producer=settings.kafka_idempotent_producer,
                        max_attempts=settings.consumer_max_attempts,
                        retry_backoff_s=settings.consumer_retry_backoff_s,
                        audit_service=spec.name if settings.audit_enabled else None,
                        security=security,
                        policy=runtime.policy_source.current,
                        publisher=runtime.publisher,
                    )
                    runtime.consumers.append(runner)
                    runtime.tasks.append(asyncio.create_task(runner.run(runtime.stop)))
        log.info("service_started", database=engine.url.get_backend_name())
        try:
            yield
        finally:
            runtime.stop.set()
            if waker is not None:
                remove_waker(waker)
            for task in runtime.tasks:
                with suppress(asyncio.TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(task, timeout=10)
            engine.dispose()
            log.info("service_stopped")

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # One raw ASGI middleware: correlation id, request log and, for cross-origin requests, CORS
    # (the county dashboard reads the indicator endpoints from its own origin with a bearer
    # token, no cookies).
    # Inside the request context: a replayed answer carries its own request id and log line.
    app.add_middleware(IdempotencyMiddleware)
    # Past its limit a request is answered 503 at once (shared.overload), logged with its id.
    app.add_middleware(LoadShedding, limit=settings.max_requests_in_flight)
    app.add_middleware(RequestContextMiddleware, cors_origins=settings.cors_origin_list)
    app.include_router(_system_router())
    app.include_router(audit_router)
    for router in spec.routers:
        app.include_router(router)
    app.openapi = contract(app)  # type: ignore[method-assign]  # FastAPI documents this override
    return app
