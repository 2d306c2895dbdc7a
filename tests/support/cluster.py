"""The four services as separate processes on one local broker of their own, driven over HTTP
only, with what end-to-end tests need around them: households with chosen members, the dibao
procedure, the topics read back and replayed, and waiting until the whole system is quiet (every
outbox sent, every consumer group caught up)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text

from deploy.broker import LocalBroker, free_ports
from deploy.processes import ServiceProcess, stop_all
from deploy.seed.client import Tokens
from shared import SERVICES
from shared.bus.consumer import dlq_topic
from shared.bus.kafka import ensure_topics
from shared.db import make_engine
from shared.events.envelope import Envelope
from shared.events.subscribers import build_subscriptions, load_spec
from shared.ids import Sex, make_resident_id
from tests.support.roster import roster_csv

SECRET = "e2e-signing-key-of-at-least-32-bytes"
COUNTY = "532325"
TOWNSHIP = "532325100"
VILLAGE = "532325100201"
STATUS_ZH = {"not_exited": "未脱贫", "exited": "已脱贫", "marginal": "边缘户"}
EVENT_TOPICS = (
    "enrollment.events",
    "medical.events",
    "employment.events",
    "welfare.events",
    "medical.hospital-stays.input",
)
_sequence = itertools.count(1)


def wait_until(what: str, check: Callable[[], bool], timeout: float = 90.0) -> None:
    """Poll `check` until it holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout:.0f}s")
        time.sleep(0.2)


@dataclass(frozen=True)
class Member:
    id_number: str
    name: str
    relation: str
    born: date
    sex: str


@dataclass
class Household:
    """A registered household with members of chosen ages; `row()`s feed the roster import."""

    id: str
    status: str  # not_exited / exited / marginal
    members: list[Member] = field(default_factory=list)
    village: str = VILLAGE

    @classmethod
    def of(cls, tag: str, ages: Iterable[int], status: str = "not_exited") -> Household:
        n = next(_sequence)
        household = cls(id=f"{COUNTY}-{tag}{n:05d}", status=status)
        for i, age in enumerate(ages):
            k = next(_sequence)
            born = date(date.today().year - age, 1 + k % 12, 1 + k % 27)
            sex: Sex = "M" if k % 2 else "F"
            number = make_resident_id(COUNTY, born, k % 500, sex)
            relation = "户主" if i == 0 else "子女"
            household.members.append(Member(number, f"居民{tag}{k}", relation, born, sex))
        return household

    @property
    def head(self) -> Member:
        return self.members[0]

    def rows(self) -> list[list[str]]:
        township = self.village[:9]
        status = STATUS_ZH[self.status]
        return [
            [self.id, m.name, m.id_number, m.relation, COUNTY, township, self.village, status]
            for m in self.members
        ]


@cache
def consumer_groups() -> dict[str, tuple[str, ...]]:
    """Every service's consumer groups and their topics (unprefixed), as the services build them."""
    groups: dict[str, tuple[str, ...]] = {}
    for service in SERVICES:
        for sub in build_subscriptions(load_spec(service)):
            groups[sub.group] = tuple(sub.topics)
    return groups


class Cluster:
    """A broker and the four services on it; `db_template` has `{service}` in it."""

    def __init__(self, tmp: Path, db_template: str, prefix: str = "e2e.") -> None:
        self.tmp = tmp
        self.db_template = db_template
        self.prefix = prefix
        self.broker = LocalBroker(log_path=tmp / "broker.log")
        self.env = {
            "DATABASE_URL": db_template,
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
            "TOPIC_PREFIX": prefix,
            "APP_ENV": "test",
            "AUTH_SECRET": SECRET,
            "RELAY_POLL_INTERVAL_S": "0.05",
            "CONSUMER_RETRY_BACKOFF_S": "0.05",
            "LOG_JSON": "true",
        }
        self.procs: dict[str, ServiceProcess] = {}
        self.ports: dict[str, int] = {}
        self.tokens = Tokens(SECRET, COUNTY)
        self.http = httpx.Client(timeout=httpx.Timeout(60.0, connect=5.0))
        self._engines: dict[str, Any] = {}
        # The county's roster so far: each import sends all of it, as the poverty office does
        # (a person left out of a roster is flagged missing).
        self.roster: dict[str, Household] = {}

    # --- processes ----------------------------------------------------------------------------

    def start(self) -> Cluster:
        self.broker.start()
        self.ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
        self.env["SERVICE_URLS"] = ",".join(
            f"{n}=http://127.0.0.1:{p}" for n, p in self.ports.items()
        )
        for name in SERVICES:
            self.start_service(name, wait=False)
        for name in SERVICES:
            self.procs[name].wait_ready(120)
        return self

    def start_service(self, name: str, wait: bool = True) -> ServiceProcess:
        old = self.procs.get(name)
        port = old.port if old else self.ports[name]
        proc = ServiceProcess(name, port, self.env, log_path=self.tmp / f"{name}.log").start()
        self.procs[name] = proc
        if wait:
            proc.wait_ready(120)
        return proc

    def stop(self) -> None:
        stop_all(self.procs.values())
        for engine in self._engines.values():
            engine.dispose()
        self.http.close()
        self.broker.stop()

    def url(self, service: str) -> str:
        return self.procs[service].url

    # --- HTTP ---------------------------------------------------------------------------------

    def get(self, service: str, path: str, actor: str, **params: Any) -> httpx.Response:
        return self.http.get(self.url(service) + path, params=params, headers=self.tokens[actor])

    def post(
        self, service: str, path: str, actor: str, body: Any = None, **kwargs: Any
    ) -> httpx.Response:
        return self.http.post(
            self.url(service) + path, json=body, headers=self.tokens[actor], **kwargs
        )

    def ok(self, response: httpx.Response, *codes: int) -> Any:
        assert response.status_code in (codes or (200, 201)), (
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:800]}"
        )
        return response.json()

    def _job(self, path: str, actor: str, name: str, content: bytes) -> dict[str, Any]:
        job = self.ok(self.post("enrollment", path, actor, files={"file": (name, content)}))
        wait_until(
            f"job {job['id']}",
            lambda: (
                self.ok(self.get("enrollment", f"/v1/jobs/{job['id']}", actor))["status"]
                in ("done", "failed")
            ),
        )
        job = self.ok(self.get("enrollment", f"/v1/jobs/{job['id']}", actor))
        assert job["status"] == "done", job
        return job

    def import_roster(self, households: Iterable[Household]) -> dict[str, Any]:
        """Add or replace these households and import the whole roster."""
        self.roster.update((h.id, h) for h in households)
        rows = [r for h in self.roster.values() for r in h.rows()]
        return self._job("/v1/registry/imports", "poverty", "roster.csv", roster_csv(rows))

    def import_pension_roll(self, rows: list[list[str]]) -> dict[str, Any]:
        header = "证件号码,年度,缴费档次,是否缴费,领取待遇"
        content = "\n".join([header, *(",".join(r) for r in rows)]) + "\n"
        return self._job("/v1/rolls/pension/imports", "hrss", "pension.csv", content.encode())

    def person_id(self, id_number: str) -> str:
        return str(
            self.ok(self.get("enrollment", f"/v1/persons/{id_number}", "poverty"))["person_id"]
        )

    def wait_registered(self, households: Iterable[Household]) -> dict[str, str]:
        """Until medical, employment and welfare know every member; id number -> person id."""
        members = [m for h in households for m in h.members]
        ids = {m.id_number: self.person_id(m.id_number) for m in members}

        def known() -> bool:
            for number, pid in ids.items():
                if self.get("medical", f"/v1/persons/{number}", "medical").status_code != 200:
                    return False
                census = self.get("employment", f"/v1/census/persons/{pid}", "hrss")
                if "no such person" in census.text:
                    return False
                facts = self.get("welfare", f"/v1/crosscheck/facts/{pid}", "civil")
                if "no such person" in facts.text:
                    return False
            return True

        wait_until("registry events in medical, employment and welfare", known)
        return ids

    def survey(self, person_id: str) -> dict[str, Any]:
        body = {"work_ability": "full", "wishes_to_work": True, "wishes_to_train": False}
        return self.ok(self.http.put(
            self.url("employment") + f"/v1/census/persons/{person_id}",
            json=body,
            headers=self.tokens["hrss"],
        ))  # fmt: skip

    def grant_dibao(self, household: Household, annual_income: int = 1200) -> dict[str, Any]:
        """Application → acceptance → economic review → decision → notice (started 30 days
        back, so it is over) → activation by a second county officer; the active case."""
        members = [
            {
                "id_number": m.id_number,
                "name": m.name,
                "relation": m.relation,
                "work_ability": "partial",
                "self_care": True,
                "disability_grade": None,
                "serious_illness": False,
                "chronic_illness": False,
            }
            for m in household.members
        ]
        application = {
            "household_id": household.id,
            "village_code": household.village,
            "applicant_name": household.head.name,
            "applicant_id_number": household.head.id_number,
            "reason": "家庭成员年老体弱，收入低于当地低保标准",
            "bank_name": "农村信用合作社",
            "bank_account": f"6224{next(_sequence):015d}",
            "members": members,
        }
        review = {
            "members": members,
            "incomes": [{"source": "farming", "annual_amount": f"{annual_income}.00"}],
            "assets": [{"kind": "house", "description": "自建住房", "value": "30000.00"}],
            "cross_checks": [{"department": "公安", "item": "车辆登记", "consistent": True}],
            "assets_within_limits": True,
        }
        start = (date.today() - timedelta(days=30)).isoformat()
        base = "/v1/dibao/applications"
        app_id = self.ok(self.post("welfare", base, "village", application))["id"]
        for step, body, actor in (
            ("acceptance", {"accept": True, "note": "材料齐全"}, "township"),
            ("economic-review", review, "township"),
            ("decision", {"approve": True, "reason": "符合低保条件"}, "civil"),
            ("notice", {"start": start, "note": "张榜公示"}, "township"),
            ("activation", {"note": "公示无异议"}, "civil_second"),
        ):
            self.ok(self.post("welfare", f"{base}/{app_id}/{step}", actor, body))
        return self.dibao_case(household.id)

    def dibao_case(self, household_id: str) -> dict[str, Any]:
        page = self.ok(self.get("welfare", "/v1/dibao/cases", "civil", household_id=household_id))
        assert page["total"] == 1, page
        case_id = page["items"][0]["id"]
        return dict(self.ok(self.get("welfare", f"/v1/dibao/cases/{case_id}", "civil")))

    def certify_tekun(self, person_id: str) -> dict[str, Any]:
        start = date(date.today().year, 1, 1)
        body = {
            "person_id": person_id,
            "self_care": "partial",
            "assessed_on": (start - timedelta(days=20)).isoformat(),
            "effective_from": start.isoformat(),
            "basis": f"五保供养证 姚五保字第{next(_sequence):06d}号",
        }
        return dict(self.ok(self.post("welfare", "/v1/tekun/certifications", "civil", body)))

    def stay(
        self, claim_id: str, member: Member, level: int, admin: str, total: int, covered: int
    ) -> dict[str, Any]:
        today = date.today().isoformat()
        body = {
            "claim_id": claim_id,
            "id_number": member.id_number,
            "county_code": COUNTY,
            "hospital_level": level,
            "admin_level": admin,
            "admission": today,
            "discharge": today,
            "referral_compliant": True,
            "total_cost": f"{total}.00",
            "covered_cost": f"{covered}.00",
            "diagnosis_codes": ["J18.9"],
        }
        return dict(self.ok(self.post("medical", "/v1/hospitalizations", "hospital", body)))

    # --- the bus ------------------------------------------------------------------------------

    def topic(self, name: str) -> str:
        return self.prefix + name

    def read(self, *names: str) -> list[ConsumerRecord]:
        """Every record now on the given topics (unprefixed names), in offset order."""
        return asyncio.run(read_records(self.broker.bootstrap, [self.topic(n) for n in names]))

    def records_of(self, keys: Iterable[str]) -> list[ConsumerRecord]:
        wanted = {k.encode() for k in keys}
        return [r for r in self.read(*EVENT_TOPICS) if r.key in wanted]

    def replay(self, records: list[ConsumerRecord]) -> None:
        """Produce the very records again: same topic, partition, key, value and headers."""
        asyncio.run(produce_again(self.broker.bootstrap, records))

    def topic_counts(self) -> Counter[str]:
        return Counter(r.topic.removeprefix(self.prefix) for r in self.read(*EVENT_TOPICS))

    def outbox_pending(self) -> int | None:
        total = 0
        for proc in self.procs.values():
            try:
                body = self.http.get(proc.url + "/readyz", timeout=10).json()
                total += int(body["checks"]["outbox_pending"])
            except (httpx.HTTPError, KeyError, ValueError):
                return None
        return total

    def lag(self, records: list[ConsumerRecord]) -> int | None:
        """Records not yet committed by some consumer group (None: cannot tell right now)."""
        bootstrap, ends = self.broker.bootstrap, log_ends(records)
        try:
            return asyncio.run(group_lag(bootstrap, self.prefix, consumer_groups(), ends))
        except Exception:
            return None

    def quiet(self, timeout: float = 120.0) -> None:
        """Until every outbox is sent and every group has committed every record, with nothing
        new published in between (so no event is still on its way to an effect)."""

        def settled() -> bool:
            records = self.read(*EVENT_TOPICS)
            if self.lag(records) != 0 or self.outbox_pending() != 0:
                return False
            again = self.read(*EVENT_TOPICS)
            return len(again) == len(records) and self.lag(again) == 0

        wait_until("system quiet (outboxes sent, consumers caught up)", settled, timeout)

    # --- databases (for the counts the HTTP interface does not give) ---------------------------

    def _engine(self, service: str) -> Any:
        if service not in self._engines:
            self._engines[service] = make_engine(self.db_template.replace("{service}", service))
        return self._engines[service]

    def scalar(self, service: str, sql: str, **params: Any) -> Any:
        with self._engine(service).connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def restart_broker(self) -> int:
        """Restart the broker, whose log is in memory: its topics are created again at once (a
        production broker has auto-creation off; this one would create a topic of its own
        shape on a client's first metadata request, and records sent there cannot be read
        back), then every service sends its whole outbox again. The rows marked for sending."""
        topics = [self.topic(t) for t in EVENT_TOPICS]
        topics += [dlq_topic(group, self.prefix) for group in consumer_groups()]
        self.broker.restart()
        asyncio.run(ensure_topics(self.broker.bootstrap, topics, 3))
        wait_until(
            "every service sees the broker again",
            lambda: all(p.status("/readyz") == 200 for p in self.procs.values()),
        )
        return self.republish_outboxes()

    def republish_outboxes(self) -> int:
        """After the memory broker lost its log: every service sends its whole outbox again
        (consumers skip what they already applied); the rows marked for sending."""
        total = 0
        for service in SERVICES:
            with self._engine(service).begin() as conn:
                total += conn.execute(text("update outbox_event set published_at = null")).rowcount
        return total

    def outbox_sizes(self) -> dict[str, int]:
        return {s: int(self.scalar(s, "select count(*) from outbox_event")) for s in SERVICES}

    def processed_pairs(self, event_ids: Iterable[str]) -> set[tuple[str, str]]:
        """(event type, service) pairs whose consumer group recorded one of these events."""
        ids = set(event_ids)
        found: set[tuple[str, str]] = set()
        for service in SERVICES:
            with self._engine(service).connect() as conn:
                rows = conn.execute(
                    text("select consumer, event_id, event_type from processed_event")
                )
                for group, event_id, event_type in rows:
                    if event_id in ids:
                        found.add((event_type, group.split("-")[0]))
        return found


def event_id(record: ConsumerRecord) -> str:
    return Envelope.from_kafka(record.key, record.value, record.headers).id


def event_type(record: ConsumerRecord) -> str:
    return Envelope.from_kafka(record.key, record.value, record.headers).type


async def read_records(bootstrap: str, topics: list[str]) -> list[ConsumerRecord]:
    """Every record on the topics. The local broker's ListOffsets answers the last batch's base
    offset + 1 rather than the log end, so the end is found by reading until nothing comes."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        existing = await consumer.topics()
        parts = [
            TopicPartition(t, p)
            for t in topics
            if t in existing
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        found: list[ConsumerRecord] = []
        while True:
            batch = await consumer.getmany(timeout_ms=300, max_records=10_000)
            if not batch:
                break
            for records in batch.values():
                found.extend(records)
        return sorted(found, key=lambda r: (r.topic, r.partition, r.offset))
    finally:
        await consumer.stop()


def log_ends(records: list[ConsumerRecord]) -> dict[TopicPartition, int]:
    ends: dict[TopicPartition, int] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        ends[tp] = max(ends.get(tp, 0), r.offset + 1)
    return ends


async def produce_again(bootstrap: str, records: list[ConsumerRecord]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for r in records:
            await producer.send_and_wait(
                r.topic, value=r.value, key=r.key, headers=list(r.headers), partition=r.partition
            )
    finally:
        await producer.stop()


async def group_lag(
    bootstrap: str, prefix: str, groups: dict[str, tuple[str, ...]], ends: dict[TopicPartition, int]
) -> int:
    """Records on the groups' topics that the groups have not committed yet."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        lag = 0
        for group, topics in groups.items():
            parts = [tp for tp in ends if tp.topic.removeprefix(prefix) in topics]
            if not parts:
                continue
            committed = await admin.list_consumer_group_offsets(group, partitions=parts)
            for tp in parts:
                meta = committed.get(tp)
                done = meta.offset if meta is not None and meta.offset >= 0 else 0
                lag += max(0, ends[tp] - done)
        return lag
    finally:
        await admin.close()
