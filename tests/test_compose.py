"""Static checks of the production-like stack (docker-compose.yml and deploy/Dockerfile).

No Docker engine is needed: the compose file is parsed with PyYAML (merge keys resolved by
`yaml.safe_load`) and the Dockerfile is read as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"

# Ports from the architecture: the same everywhere (launcher, compose, docs).
APP_PORTS = {"enrollment": 8001, "medical": 8002, "employment": 8003, "welfare": 8004}
INFRA = ("kafka", "postgres")
# One-shot containers: format the broker's storage (admin credential), then users, topics, ACLs.
KAFKA_INIT = ("kafka-format", "kafka-setup")
KAFKA_DIR = REPO_ROOT / "deploy" / "kafka"
# SCRAM principals besides the admin: one per service, the hospitals' gateway and the outside
# subscriber.
KAFKA_USERS = (*APP_PORTS, "hospital", "subscriber")

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}
_VAR = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """Resolve compose variables the way compose would with an empty environment,
    except that required variables (`:?`) get a placeholder instead of an error."""

    def repl(match: re.Match[str]) -> str:
        op = match.group("op") or ""
        if op.endswith("-"):
            return match.group("arg")
        if op.endswith("?"):
            return f"<{match.group('name')}>"
        return ""

    return _VAR.sub(repl, value)


def _env(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or a list of K=V."""
    raw = service.get("environment") or {}
    if isinstance(raw, dict):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    env: dict[str, str] = {}
    for item in raw:
        key, _, value = str(item).partition("=")
        env[key] = value
    return env


def _port_mappings(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(published, target) pairs from the short ("8001:8001") or long (mapping) syntax."""
    pairs: list[tuple[int, int]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
            continue
        spec = str(entry).split("/", 1)[0]  # drop a "/tcp" suffix
        parts = spec.split(":")
        target = int(parts[-1])
        published = int(parts[-2]) if len(parts) >= 2 else target
        pairs.append((published, target))
    return pairs


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    assert DOCKERFILE.is_file(), f"{DOCKERFILE} is missing"
    return DOCKERFILE.read_text(encoding="utf-8")


def _instructions(dockerfile: str, keyword: str) -> list[str]:
    """Arguments of every instruction `keyword`, with line continuations joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    found = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped.upper().startswith(keyword.upper() + " "):
            found.append(stripped[len(keyword) + 1 :].strip())
    return found


# --- the stack -----------------------------------------------------------------------------


def test_all_services_exist(services: dict[str, dict[str, Any]]) -> None:
    expected = {*INFRA, *APP_PORTS}
    missing = expected - services.keys()
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def test_kafka_runs_in_kraft_mode(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = _env(kafka)
    roles = {r.strip() for r in env.get("KAFKA_PROCESS_ROLES", "").split(",")}
    assert {"broker", "controller"} <= roles
    assert env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")
    assert env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "").lower() == "false"
    assert "kafka:9092" in env.get("KAFKA_ADVERTISED_LISTENERS", "")
    assert not any("ZOOKEEPER" in key for key in env)


def test_no_zookeeper_anywhere(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert "zookeeper" not in name.lower()
        assert "zookeeper" not in str(service.get("image", "")).lower()
        assert not any("ZOOKEEPER" in key.upper() for key in _env(service))


def _one_shot(service: dict[str, Any]) -> bool:
    return str(service.get("restart", "")) == "no"


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if _one_shot(service):
            continue  # runs to completion; others wait for service_completed_successfully
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"


def test_databases_are_distinct(services: dict[str, dict[str, Any]]) -> None:
    names = [
        urlsplit(_interpolate(_env(services[s])["DATABASE_URL"])).path.lstrip("/")
        for s in APP_PORTS
    ]
    assert len(set(names)) == len(names), f"services share a database: {names}"


# --- Kafka authentication and ACLs --------------------------------------------------------


def _listeners(value: str) -> dict[str, str]:
    """`NAME://host:port,...` as {NAME: host:port}."""
    out = {}
    for item in value.split(","):
        name, _, address = item.strip().partition("://")
        out[name] = address
    return out


def _protocol_map(env: dict[str, str]) -> dict[str, str]:
    raw = env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "")
    return dict(item.strip().split(":", 1) for item in raw.split(",") if item.strip())


def test_kafka_has_no_plaintext_client_listener(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = _env(kafka)
    protocols = _protocol_map(env)
    listeners = _listeners(env["KAFKA_LISTENERS"])
    controller = set(env["KAFKA_CONTROLLER_LISTENER_NAMES"].split(","))
    for name, address in listeners.items():
        protocol = protocols.get(name, name)  # a listener named after its protocol
        if name in controller:
            # The controller listener is not for clients: loopback only.
            assert address.split(":")[0] in ("127.0.0.1", "localhost"), (name, address)
            assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].endswith(address)
        else:
            assert protocol in ("SASL_PLAINTEXT", "SASL_SSL"), (name, protocol)
    for name in _listeners(env["KAFKA_ADVERTISED_LISTENERS"]):
        assert protocols.get(name, name) in ("SASL_PLAINTEXT", "SASL_SSL"), name
    assert protocols.get(env["KAFKA_INTER_BROKER_LISTENER_NAME"], "").startswith("SASL_")
    assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL"] == "SCRAM-SHA-512"
    # Reachable from the host only through a listener that encrypts: the external one.
    for published, target in _port_mappings(kafka):
        exposed = [n for n, a in listeners.items() if a.rsplit(":", 1)[1] == str(target)]
        assert [protocols[n] for n in exposed] == ["SASL_SSL"], (published, target)


def test_kafka_external_listener_is_tls(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    env = _env(kafka)
    assert _protocol_map(env)["EXTERNAL"] == "SASL_SSL"
    assert _listeners(env["KAFKA_LISTENERS"])["EXTERNAL"] == ":9094"
    advertised = _listeners(_interpolate(env["KAFKA_ADVERTISED_LISTENERS"]))
    assert advertised["EXTERNAL"] == "localhost:9094"
    assert (9094, 9094) in _port_mappings(kafka)
    # The image demands a JKS keystore of its own when an advertised listener is `...SSL://`.
    assert "SSL://" not in env["KAFKA_ADVERTISED_LISTENERS"]
    jaas = env["KAFKA_LISTENER_NAME_EXTERNAL_SCRAM___SHA___512_SASL_JAAS_CONFIG"]
    assert jaas.strip() == "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    assert env["KAFKA_LISTENER_NAME_EXTERNAL_SSL_KEYSTORE_TYPE"] == "PEM"
    keystore = env["KAFKA_LISTENER_NAME_EXTERNAL_SSL_KEYSTORE_LOCATION"]
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in kafka["volumes"]}
    assert mounts[str(Path(keystore).parent)] == "./deploy/kafka-certs/broker"
    key_password = env["KAFKA_LISTENER_NAME_EXTERNAL_SSL_KEY_PASSWORD"]
    assert key_password.startswith("${KAFKA_SSL_KEY_PASSWORD:?")
    # The certificates are made on each machine, never committed nor copied into an image.
    for ignore in (".gitignore", ".dockerignore"):
        lines = (REPO_ROOT / ignore).read_text(encoding="utf-8").splitlines()
        assert "deploy/kafka-certs/" in lines, ignore
    assert (KAFKA_DIR / "dev-certs.sh").is_file()


def test_services_replicate_as_setup_creates(services: dict[str, dict[str, Any]]) -> None:
    setup = _env(services["kafka-setup"])
    for name in APP_PORTS:
        env = _env(services[name])
        assert env["KAFKA_REPLICATION_FACTOR"] == setup["TOPIC_REPLICATION_FACTOR"], name
        assert env["KAFKA_IDEMPOTENT_PRODUCER"] == "true", name


def test_kafka_authorizer_denies_by_default(services: dict[str, dict[str, Any]]) -> None:
    env = _env(services["kafka"])
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == (
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    )
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"].lower() == "false"
    supers = set(env["KAFKA_SUPER_USERS"].split(";"))
    assert "User:admin" in supers
    # ANONYMOUS only exists on the loopback controller listener; no service is a super user.
    assert supers <= {"User:admin", "User:ANONYMOUS"}


def test_kafka_broker_authenticates_as_admin(services: dict[str, dict[str, Any]]) -> None:
    env = _env(services["kafka"])
    jaas = env["KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG"]
    assert "ScramLoginModule required" in jaas and 'username="admin"' in jaas
    assert 'password="${KAFKA_ADMIN_PASSWORD:?' in jaas
    assert "/healthcheck.sh" in " ".join(services["kafka"]["healthcheck"]["test"])


def test_kafka_init_containers(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    for name in KAFKA_INIT:
        init = services.get(name)
        assert init, f"{name} is missing"
        assert init["image"] == kafka["image"], "the same Kafka tools as the broker"
        assert _one_shot(init), name
        script = " ".join(init["entrypoint"]).rsplit("/", 1)[1]
        assert (KAFKA_DIR / script).is_file(), script
        assert any(str(v).startswith("./deploy/kafka:") for v in init["volumes"])
    fmt, setup = services["kafka-format"], services["kafka-setup"]
    assert _env(fmt)["CLUSTER_ID"] == _env(kafka)["CLUSTER_ID"]
    assert "kafka-data:/var/lib/kafka/data" in fmt["volumes"]
    assert kafka["depends_on"]["kafka-format"]["condition"] == "service_completed_successfully"
    assert setup["depends_on"]["kafka"]["condition"] == "service_healthy"
    format_sh = (KAFKA_DIR / "format.sh").read_text()
    assert "kafka-storage.sh format" in format_sh and "--ignore-formatted" in format_sh
    assert "--add-scram" in format_sh and "SCRAM-SHA-512=[name=admin," in format_sh
    setup_sh = (KAFKA_DIR / "setup.sh").read_text()
    assert "kafka-configs.sh" in setup_sh and "--entity-type users" in setup_sh
    assert "SCRAM-SHA-512=[" in setup_sh
    assert 'acls.sh" "$bootstrap" "$config"' in setup_sh
    assert "kafka-acls.sh" in (KAFKA_DIR / "acls.sh").read_text()


def test_kafka_setup_gets_every_password(services: dict[str, dict[str, Any]]) -> None:
    env = _env(services["kafka-setup"])
    for user in ("admin", *KAFKA_USERS):
        var = f"KAFKA_{user.upper()}_PASSWORD"
        assert env.get(f"{user.upper()}_PASSWORD", "").startswith(f"${{{var}:?"), user


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_waits_for_kafka_setup(services: dict[str, dict[str, Any]], name: str) -> None:
    depends = services[name]["depends_on"]
    assert depends["kafka-setup"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_has_its_own_kafka_principal(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    env = _env(services[name])
    assert env.get("KAFKA_SECURITY_PROTOCOL") in ("SASL_PLAINTEXT", "SASL_SSL")
    assert env.get("KAFKA_SASL_MECHANISM") == "SCRAM-SHA-512"
    assert env.get("KAFKA_SASL_USERNAME") == name
    var = f"KAFKA_{name.upper()}_PASSWORD"
    assert env.get("KAFKA_SASL_PASSWORD", "").startswith(f"${{{var}:?"), "required variable"


def test_kafka_usernames_are_distinct(services: dict[str, dict[str, Any]]) -> None:
    names = [_env(services[s]).get("KAFKA_SASL_USERNAME") for s in APP_PORTS]
    assert len(set(names)) == len(names), names


def test_kafka_passwords_come_from_required_variables(
    services: dict[str, dict[str, Any]],
) -> None:
    """No Kafka secret is written in the compose file: each is `${VAR:?...}`, so compose refuses
    to start without it."""
    for name, service in services.items():
        for key, value in _env(service).items():
            if "PASSWORD" not in key or key == "POSTGRES_PASSWORD":
                continue
            assert re.fullmatch(r"\$\{KAFKA_[A-Z_]+_PASSWORD:\?[^}]*\}", value), (name, key)
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for match in re.finditer(r"password=\"([^\"]*)\"", text):
        assert match.group(1).startswith("${KAFKA_") and ":?" in match.group(1), match.group(0)
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    for user in ("admin", *KAFKA_USERS, "ssl_key"):
        assert re.search(rf"^KAFKA_{user.upper()}_PASSWORD=$", example, re.MULTILINE), user


# --- each application service --------------------------------------------------------------


@pytest.mark.parametrize(("name", "port"), APP_PORTS.items())
def test_app_service_port(services: dict[str, dict[str, Any]], name: str, port: int) -> None:
    service = services[name]
    assert _port_mappings(service) == [(port, port)]
    assert _env(service).get("PORT") == str(port)


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_environment(services: dict[str, dict[str, Any]], name: str) -> None:
    env = _env(services[name])
    assert env.get("SERVICE_NAME") == name
    assert env.get("APP_ENV") == "production"
    assert env.get("KAFKA_BOOTSTRAP_SERVERS") == "kafka:9092"
    assert env.get("AUTH_SECRET"), "production refuses to start without AUTH_SECRET"
    assert env.get("POLICY_DIR")

    url = urlsplit(_interpolate(env["DATABASE_URL"]))
    assert url.scheme.startswith("postgresql")
    assert url.hostname == "postgres"
    assert url.path.lstrip("/") == name


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_waits_for_healthy_infra(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    depends = services[name].get("depends_on")
    assert isinstance(depends, dict), "depends_on must use the long form with conditions"
    for infra in INFRA:
        assert depends.get(infra, {}).get("condition") == "service_healthy", (name, infra)


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_service_build(services: dict[str, dict[str, Any]], name: str) -> None:
    build = services[name].get("build")
    assert isinstance(build, dict)
    context = REPO_ROOT / build.get("context", ".")
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE.resolve()
    args = build.get("args") or {}
    if isinstance(args, list):
        args = dict(str(a).partition("=")[::2] for a in args)
    assert args.get("SERVICE") == name


@pytest.mark.parametrize("name", APP_PORTS)
def test_app_module_exists(name: str) -> None:
    # The Dockerfile runs `uvicorn services.<name>.main:app`.
    assert (REPO_ROOT / "services" / name / "main.py").is_file()


# --- the image -----------------------------------------------------------------------------


def test_dockerfile_base_image(dockerfile: str) -> None:
    froms = _instructions(dockerfile, "FROM")
    assert froms, "no FROM line"
    assert froms[-1].split()[0].startswith("python:3.11")


def test_dockerfile_installs_with_constraints(dockerfile: str) -> None:
    copies = _instructions(dockerfile, "COPY")
    assert any("constraints.txt" in c.split() for c in copies)
    runs = _instructions(dockerfile, "RUN")
    assert any("pip install" in r and "-c constraints.txt" in r for r in runs)


def test_dockerfile_runs_as_non_root(dockerfile: str) -> None:
    users = _instructions(dockerfile, "USER")
    assert users, "no USER line: the container would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_dockerfile_command_and_healthcheck(dockerfile: str) -> None:
    cmd = " ".join(_instructions(dockerfile, "CMD"))
    assert "uvicorn" in cmd
    assert "services.${SERVICE_NAME}.main:app" in cmd
    assert "${PORT}" in cmd
    healthcheck = " ".join(_instructions(dockerfile, "HEALTHCHECK"))
    assert "/readyz" in healthcheck
    assert "urllib" in healthcheck
