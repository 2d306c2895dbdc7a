"""Kafka authentication: the settings, the connection arguments every client is built with, and
the ACL script of the compose stack (deploy/kafka/acls.sh), which must match the catalogue."""

from __future__ import annotations

import ast
import re
import ssl
from pathlib import Path
from typing import Any, ClassVar

import certifi
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import create_engine

from deploy import kafka_acls, outside_consumer
from shared import REPO_ROOT, SERVICES
from shared.bus import kafka
from shared.bus.consumer import ConsumerRunner, Subscription, dlq_topic
from shared.bus.kafka import (
    KafkaSecurity,
    client_kwargs,
    ensure_topics,
    new_consumer,
    new_producer,
)
from shared.bus.relay import OutboxRelay
from shared.events.asyncapi import Catalogue
from shared.events.catalogue import EVENT_MODELS
from shared.settings import Settings

PASSWORD = "s3cret-password-0123456789abcdef"
SECRET = "x" * 40


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"app_env": "test", "database_url": "sqlite://", **overrides}
    return Settings(**values)


def _sasl(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_username": "medical",
        "kafka_sasl_password": PASSWORD,
        **overrides,
    }
    return _settings(**values)


# --- settings ------------------------------------------------------------------------------


def test_plaintext_is_the_local_default() -> None:
    settings = _settings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-512"
    assert client_kwargs(KafkaSecurity.from_settings(settings)) == {
        "security_protocol": "PLAINTEXT"
    }


def test_settings_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "welfare")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", PASSWORD)
    settings = Settings(app_env="test", database_url="sqlite://")
    assert settings.kafka_sasl_username == "welfare"
    assert settings.kafka_sasl_password.get_secret_value() == PASSWORD


@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
@pytest.mark.parametrize("missing", ["kafka_sasl_username", "kafka_sasl_password"])
def test_sasl_needs_username_and_password(protocol: str, missing: str) -> None:
    values = {"kafka_sasl_username": "medical", "kafka_sasl_password": PASSWORD}
    values[missing] = ""
    with pytest.raises(ValidationError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        _settings(kafka_security_protocol=protocol, **values)


def test_unknown_protocol_and_mechanism_are_refused() -> None:
    with pytest.raises(ValidationError):
        _settings(kafka_security_protocol="SSL")
    with pytest.raises(ValidationError):
        _sasl(kafka_sasl_mechanism="PLAIN")


def test_production_refuses_plaintext() -> None:
    with pytest.raises(ValidationError, match="PLAINTEXT is refused"):
        _settings(app_env="production", auth_secret=SECRET)


def test_production_plaintext_needs_the_explicit_override() -> None:
    settings = _settings(app_env="production", auth_secret=SECRET, kafka_allow_plaintext=True)
    assert settings.kafka_security_protocol == "PLAINTEXT"


def test_production_accepts_sasl() -> None:
    settings = _sasl(app_env="production", auth_secret=SECRET)
    assert settings.kafka_security_protocol == "SASL_PLAINTEXT"


def test_password_is_never_shown() -> None:
    settings = _sasl()
    security = KafkaSecurity.from_settings(settings)
    for text in (repr(settings), str(settings), settings.model_dump_json(), repr(security)):
        assert PASSWORD not in text
    assert isinstance(settings.kafka_sasl_password, SecretStr)


def test_cafile_only_with_sasl_ssl(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="only used with"):
        _sasl(kafka_ssl_cafile=certifi.where())
    with pytest.raises(ValidationError, match="is not a file"):
        _sasl(kafka_security_protocol="SASL_SSL", kafka_ssl_cafile=tmp_path / "missing.pem")


# --- client arguments ----------------------------------------------------------------------


def test_sasl_plaintext_kwargs_carry_the_credentials() -> None:
    kwargs = client_kwargs(KafkaSecurity.from_settings(_sasl()))
    assert kwargs == {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "medical",
        "sasl_plain_password": PASSWORD,
    }


def test_sasl_ssl_kwargs_verify_the_broker() -> None:
    settings = _sasl(kafka_security_protocol="SASL_SSL", kafka_ssl_cafile=certifi.where())
    kwargs = client_kwargs(KafkaSecurity.from_settings(settings))
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_plain_username"] == "medical"
    assert kwargs["sasl_plain_password"] == PASSWORD
    context = kwargs["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # the CA file was loaded


def test_no_security_means_plaintext() -> None:
    assert client_kwargs(None) == {"security_protocol": "PLAINTEXT"}
    assert client_kwargs(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"])
async def test_aiokafka_accepts_the_kwargs(protocol: str) -> None:
    """The clients are only constructed (aiokafka validates its arguments then): no connection."""
    if protocol == "PLAINTEXT":
        security = KafkaSecurity()
    else:
        security = KafkaSecurity.from_settings(_sasl(kafka_security_protocol=protocol))
    producer = new_producer("kafka:9092", "test-relay", security)
    consumer = new_consumer("kafka:9092", "medical", ["enrollment.events"], security)
    admin = AIOKafkaAdminClient(**client_kwargs(security), bootstrap_servers="kafka:9092")
    assert isinstance(producer, AIOKafkaProducer)
    assert isinstance(consumer, AIOKafkaConsumer)
    assert admin is not None
    await producer.stop()
    await consumer.stop()
    await admin.close()


# --- replication and idempotence ----------------------------------------------------------


def _idempotent(producer: AIOKafkaProducer) -> bool:
    # aiokafka keeps no public flag: an idempotent producer is the one with a transaction
    # manager (it holds the producer id and sequence numbers), and it sends with acks=all (-1).
    assert producer._sender._acks == -1
    return producer._txn_manager is not None


def test_replication_and_idempotence_defaults_suit_the_local_broker() -> None:
    settings = _settings()
    assert settings.kafka_replication_factor == 1
    assert settings.kafka_idempotent_producer is False


def test_replication_and_idempotence_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "3")
    monkeypatch.setenv("KAFKA_IDEMPOTENT_PRODUCER", "true")
    settings = Settings(app_env="test", database_url="sqlite://")
    assert settings.kafka_replication_factor == 3
    assert settings.kafka_idempotent_producer is True


@pytest.mark.parametrize("value", [0, -1])
def test_replication_factor_below_one_is_refused(value: int) -> None:
    with pytest.raises(
        ValidationError, match=f"KAFKA_REPLICATION_FACTOR must be at least 1, not {value}"
    ):
        _settings(kafka_replication_factor=value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("kafka_replication_factor", "two"), ("kafka_idempotent_producer", "maybe")],
)
def test_unreadable_values_are_refused_naming_the_setting(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(**{field: value})
    assert [error["loc"] for error in refused.value.errors()] == [(field,)]
    assert field in str(refused.value)


@pytest.mark.parametrize("idempotent", [False, True])
async def test_new_producer_is_idempotent_when_asked(idempotent: bool) -> None:
    producer = new_producer("kafka:9092", "test-relay", idempotent=idempotent)
    try:
        assert _idempotent(producer) is idempotent
    finally:
        await producer.stop()


@pytest.mark.parametrize("idempotent", [False, True])
async def test_relay_and_dead_letter_producers_follow_the_setting(idempotent: bool) -> None:
    settings = _sasl(kafka_idempotent_producer=idempotent, kafka_replication_factor=3)
    security = KafkaSecurity.from_settings(settings)
    engine = create_engine("sqlite://")
    relay = OutboxRelay(
        engine,
        service="medical",
        bootstrap="kafka:9092",
        replication_factor=settings.kafka_replication_factor,
        idempotent_producer=settings.kafka_idempotent_producer,
        security=security,
    )
    runner = ConsumerRunner(
        engine,
        group="medical",
        bootstrap="kafka:9092",
        subscription=Subscription(group="medical", topics=("enrollment.events",), handlers={}),
        replication_factor=settings.kafka_replication_factor,
        idempotent_producer=settings.kafka_idempotent_producer,
        security=security,
    )
    assert relay.replication_factor == runner.replication_factor == 3
    for producer in (relay.build_producer(), runner.build_dlq_producer()):
        try:
            assert _idempotent(producer) is idempotent
        finally:
            await producer.stop()
    engine.dispose()


class _RecordingAdmin:
    """Stands in for AIOKafkaAdminClient: records the topics it is asked to create."""

    created: ClassVar[list[Any]] = []

    def __init__(self, **_: Any) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def list_topics(self) -> list[str]:
        return ["enrollment.events"]

    async def create_topics(self, topics: list[Any]) -> None:
        type(self).created.extend(topics)


async def test_ensure_topics_creates_with_the_replication_factor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kafka, "AIOKafkaAdminClient", _RecordingAdmin)
    monkeypatch.setattr(_RecordingAdmin, "created", [])
    topics = ["enrollment.events", "medical.events", "dlq.medical"]
    await ensure_topics("kafka:9092", topics, 3, replication_factor=3)
    created = {t.name: (t.num_partitions, t.replication_factor) for t in _RecordingAdmin.created}
    assert created == {"dlq.medical": (3, 3), "medical.events": (3, 3)}


# What the services' lifespan must hand every relay and consumer runner from the settings.
FROM_SETTINGS = {
    "OutboxRelay": {"replication_factor", "idempotent_producer"},
    "ConsumerRunner": {"replication_factor", "idempotent_producer"},
}


def test_every_relay_and_runner_gets_replication_and_idempotence() -> None:
    found = 0
    for path in sorted((REPO_ROOT / "shared").rglob("*.py")):
        for call in _calls(path):
            name = _name(call)
            if name in FROM_SETTINGS:
                found += 1
                passed = {k.arg for k in call.keywords}
                assert FROM_SETTINGS[name] <= passed, f"{path}:{call.lineno}: {name}(...)"
            if name == "ensure_topics" and path.parent.name == "bus" and path.name != "kafka.py":
                found += 1
                passed = {k.arg for k in call.keywords}
                assert "replication_factor" in passed, f"{path}:{call.lineno}: ensure_topics"
            if name == "new_producer" and path.name != "kafka.py":
                found += 1
                passed = {k.arg for k in call.keywords}
                assert "idempotent" in passed, f"{path}:{call.lineno}: new_producer"
    assert found >= 6  # relay and runner in app.py, their ensure_topics and producers


CLIENTS = {"AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"}
# Everything in shared/ that connects to the broker, and the argument that carries the security.
CONNECTING = {
    "new_producer": "security",
    "new_consumer": "security",
    "ensure_topics": "security",
    "broker_reachable": "security",
    "OutboxRelay": "security",
    "ConsumerRunner": "security",
}


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _sources() -> list[Path]:
    return sorted(
        p
        for root in ("shared", "services", "deploy")
        for p in (REPO_ROOT / root).rglob("*.py")
        if "migrations" not in p.parts
    )


def test_every_aiokafka_client_is_built_with_client_kwargs() -> None:
    found = 0
    for path in _sources():
        for call in _calls(path):
            if _name(call) not in CLIENTS:
                continue
            found += 1
            spread = [k.value for k in call.keywords if k.arg is None]
            assert any(isinstance(v, ast.Call) and _name(v) == "client_kwargs" for v in spread), (
                f"{path}:{call.lineno}: {_name(call)} built without **client_kwargs(...)"
            )
    assert found >= 4  # producer, consumer, two admin clients


def test_every_connection_in_shared_passes_the_security() -> None:
    for path in sorted((REPO_ROOT / "shared").rglob("*.py")):
        for call in _calls(path):
            name = _name(call)
            if name not in CONNECTING or (path.name == "kafka.py" and name.startswith("new_")):
                continue
            positional = {"ensure_topics": 4, "new_consumer": 4}.get(name)
            passed = any(k.arg == CONNECTING[name] for k in call.keywords) or (
                positional is not None and len(call.args) >= positional
            )
            assert passed, f"{path}:{call.lineno}: {name}(...) without {CONNECTING[name]}="


# --- ACLs generated from the catalogue -----------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_code()


@pytest.fixture(scope="module")
def plan(catalogue: Catalogue) -> kafka_acls.Plan:
    return kafka_acls.build_plan(catalogue)


def test_committed_acl_script_is_up_to_date(plan: kafka_acls.Plan) -> None:
    path = kafka_acls.DEFAULT_OUT
    assert path.is_file(), f"{path} is missing; generate it with: {kafka_acls.REGENERATE}"
    assert path.read_text() == kafka_acls.render_script(plan), (
        f"{path} is stale: the event catalogue changed. Regenerate it with: {kafka_acls.REGENERATE}"
    )


def test_check_command_fails_on_a_stale_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "acls.sh"
    assert kafka_acls.main(["--check", "--out", str(out)]) == 1
    assert kafka_acls.main(["--out", str(out)]) == 0
    assert "kafka-acls.sh" in capsys.readouterr().out
    assert kafka_acls.main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text() + "allow --allow-principal User:hospital --topic x\n")
    assert kafka_acls.main(["--check", "--out", str(out)]) == 1
    assert "is stale" in capsys.readouterr().err


def test_principals_are_the_services_the_hospital_and_the_subscriber(
    plan: kafka_acls.Plan,
) -> None:
    assert plan.principals == [*SERVICES, "hospital", kafka_acls.SUBSCRIBER]
    assert kafka_acls.ADMIN not in plan.principals  # a super user, created at format time


def test_each_topic_is_written_by_its_producer_only(plan: kafka_acls.Plan) -> None:
    producers = {m.topic: m.producer for m in EVENT_MODELS.values()}
    for topic, producer in producers.items():
        writers = [p for p in plan.principals if plan.allowed(p, "Write", "topic", topic)]
        assert writers == [producer], topic


def test_each_dead_letter_topic_is_written_by_its_service_only(
    plan: kafka_acls.Plan, catalogue: Catalogue
) -> None:
    services = {c.group: c.service for c in catalogue.consumptions}
    for group, service in services.items():
        topic = dlq_topic(group)
        writers = [p for p in plan.principals if plan.allowed(p, "Write", "topic", topic)]
        assert writers == [service], topic
        assert topic in plan.topics


def test_services_write_nothing_else(plan: kafka_acls.Plan) -> None:
    for acl in plan.acls:
        if "Write" not in acl.operations:
            continue
        if acl.principal in SERVICES:
            own = {f"{acl.principal}.events", dlq_topic(acl.principal)}
            assert acl.name in own, acl
            assert acl.pattern == ("prefixed" if acl.name.startswith("dlq.") else "literal")
        else:
            assert acl.principal == "hospital"
            assert (acl.name, acl.pattern) == ("medical.hospital-stays.input", "literal")
            assert acl.operations == ("Write", "Describe")


def test_hospital_may_only_write_its_input_topic(plan: kafka_acls.Plan) -> None:
    rules = [a for a in plan.acls if a.principal == "hospital"]
    assert [(a.resource, a.name) for a in rules] == [("topic", "medical.hospital-stays.input")]
    assert not plan.allowed("hospital", "Read", "topic", "medical.hospital-stays.input")


PUBLISHED = [f"{service}.events" for service in SERVICES]
SUBSCRIBER = kafka_acls.SUBSCRIBER
OPERATIONS = ("Read", "Write", "Describe", "Create", "Delete", "Alter")


def test_subscriber_reads_and_describes_every_published_topic(plan: kafka_acls.Plan) -> None:
    for topic in PUBLISHED:
        assert topic in plan.topics, topic
        assert plan.allowed(SUBSCRIBER, "Read", "topic", topic), topic
        assert plan.allowed(SUBSCRIBER, "Describe", "topic", topic), topic


def test_subscriber_reads_nothing_else(plan: kafka_acls.Plan, catalogue: Catalogue) -> None:
    others = [
        "medical.hospital-stays.input",
        *(dlq_topic(group) for group in catalogue.groups()),
        "dlq.ext-anything",
        "enrollment.events-copy",
        "__consumer_offsets",
    ]
    for topic in others:
        assert not any(plan.allowed(SUBSCRIBER, op, "topic", topic) for op in OPERATIONS), topic
    topics = {a.name for a in plan.acls if a.principal == SUBSCRIBER and a.resource == "topic"}
    assert topics == set(PUBLISHED)
    assert all(
        a.pattern == "literal"
        for a in plan.acls
        if a.principal == SUBSCRIBER and a.resource == "topic"
    )


def test_subscriber_writes_and_creates_nothing(plan: kafka_acls.Plan, catalogue: Catalogue) -> None:
    everything = [*plan.topics, *PUBLISHED, "anything"]
    for topic in everything:
        for op in ("Write", "Create", "Delete", "Alter"):
            assert not plan.allowed(SUBSCRIBER, op, "topic", topic), (op, topic)
    rules = [a for a in plan.acls if a.principal == SUBSCRIBER]
    assert {op for a in rules for op in a.operations} == {"Read", "Describe"}


def test_subscriber_joins_only_its_own_groups(plan: kafka_acls.Plan, catalogue: Catalogue) -> None:
    assert plan.allowed(SUBSCRIBER, "Read", "group", "ext-county-office")
    for group in catalogue.groups():
        assert not plan.allowed(SUBSCRIBER, "Read", "group", group), group
    # No service's groups may fall under the subscriber's prefix, nor the other way round.
    for service in SERVICES:
        assert not service.startswith(kafka_acls.SUBSCRIBER_GROUPS), service
        assert not plan.allowed(service, "Read", "group", "ext-county-office"), service


def test_subscriber_reads_prefixed_topics(catalogue: Catalogue) -> None:
    plan = kafka_acls.build_plan(catalogue, "ci-")
    assert plan.allowed(SUBSCRIBER, "Read", "topic", "ci-welfare.events")
    assert not plan.allowed(SUBSCRIBER, "Read", "topic", "welfare.events")
    assert plan.allowed(SUBSCRIBER, "Read", "group", "ext-county-office")  # groups unprefixed


def test_script_creates_topics_with_the_replication_factor(plan: kafka_acls.Plan) -> None:
    text = kafka_acls.render_script(plan)
    assert 'replication="${TOPIC_REPLICATION_FACTOR:-1}"' in text
    assert '--replication-factor "$replication"' in text


def test_every_consumption_may_read_its_topics_in_its_group(
    plan: kafka_acls.Plan, catalogue: Catalogue
) -> None:
    for c in catalogue.consumptions:
        for topic in c.topics:
            assert plan.allowed(c.service, "Read", "topic", topic), (c.group, topic)
        assert plan.allowed(c.service, "Read", "group", c.group), c.group
        others = [s for s in SERVICES if s != c.service]
        assert not any(plan.allowed(s, "Read", "group", c.group) for s in others), c.group


def test_services_read_only_what_they_consume(plan: kafka_acls.Plan, catalogue: Catalogue) -> None:
    for service in SERVICES:
        consumed = {t for c in catalogue.consumptions if c.service == service for t in c.topics}
        read = {a.name for a in plan.acls if a.principal == service and "Read" in a.operations}
        assert read - {service} == consumed, service


def test_prefixes_do_not_overlap() -> None:
    # Prefixed ACLs on `<service>` and `dlq.<service>` must not reach another service's groups.
    for a in SERVICES:
        for b in SERVICES:
            assert a == b or not b.startswith(a), (a, b)


def test_topic_prefix_is_applied(catalogue: Catalogue) -> None:
    plan = kafka_acls.build_plan(catalogue, "ci-")
    assert "ci-enrollment.events" in plan.topics
    assert plan.allowed("enrollment", "Write", "topic", "ci-dlq.enrollment-1")
    assert not plan.allowed("enrollment", "Write", "topic", "enrollment.events")
    assert plan.allowed("enrollment", "Read", "group", "enrollment-1")  # groups are not prefixed


def test_script_uses_the_kafka_acls_flags(plan: kafka_acls.Plan) -> None:
    text = kafka_acls.render_script(plan)
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert '"$bin/kafka-acls.sh" --bootstrap-server "$bootstrap" --command-config "$config"' in (
        text
    )
    assert "--create --if-not-exists" in text
    for line in text.splitlines():
        if line.startswith("allow "):
            assert re.fullmatch(
                r"allow --allow-principal User:\w+( --operation (Read|Write|Describe|Create))+"
                r" --resource-pattern-type (literal|prefixed) --(topic|group) [\w.\-]+",
                line,
            ), line


def test_setup_creates_every_principal(plan: kafka_acls.Plan) -> None:
    setup = (REPO_ROOT / "deploy" / "kafka" / "setup.sh").read_text()
    users = re.search(r"^USERS=\(([^)]*)\)$", setup, re.MULTILINE)
    assert users, "setup.sh lists its users as USERS=(...)"
    assert users.group(1).split() == plan.principals


# --- the outside subscriber's demonstration script ---------------------------------------


def test_outside_consumer_reads_the_password_from_the_environment_or_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"KAFKA_ADMIN_PASSWORD=a\nKAFKA_SUBSCRIBER_PASSWORD={PASSWORD}\n")
    monkeypatch.delenv(outside_consumer.PASSWORD_VARIABLE, raising=False)
    assert outside_consumer.subscriber_password(env_file) == PASSWORD
    monkeypatch.setenv(outside_consumer.PASSWORD_VARIABLE, "from-the-environment")
    assert outside_consumer.subscriber_password(env_file) == "from-the-environment"


def test_outside_consumer_stops_before_connecting_without_its_ca(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(outside_consumer.PASSWORD_VARIABLE, PASSWORD)
    missing = tmp_path / "ca.pem"
    assert outside_consumer.main(["--cafile", str(missing)]) == 2
    assert "dev-certs.sh" in capsys.readouterr().err


def test_outside_consumer_uses_the_subscriber_over_tls() -> None:
    assert outside_consumer.DEFAULT_BOOTSTRAP.endswith(":9094")  # the EXTERNAL listener
    assert outside_consumer.SUBSCRIBER == kafka_acls.SUBSCRIBER
    source = Path(outside_consumer.__file__).read_text()
    assert 'protocol="SASL_SSL"' in source and "TopicAuthorizationFailedError" in source


def test_subscriber_acls_match_the_catalogue(plan: kafka_acls.Plan, catalogue: Catalogue) -> None:
    """What docs/asyncapi.yaml tells outside subscribers is what the broker lets them do."""
    topics = [a.name for a in plan.acls if a.principal == SUBSCRIBER and a.resource == "topic"]
    assert topics == catalogue.published_topics()
