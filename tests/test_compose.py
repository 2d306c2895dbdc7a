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


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"


def test_databases_are_distinct(services: dict[str, dict[str, Any]]) -> None:
    names = [
        urlsplit(_interpolate(_env(services[s])["DATABASE_URL"])).path.lstrip("/")
        for s in APP_PORTS
    ]
    assert len(set(names)) == len(names), f"services share a database: {names}"


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
