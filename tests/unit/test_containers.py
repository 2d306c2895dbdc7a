"""Which real parts the tests use: containers only where a Docker engine answers and they are
wanted, the embedded broker and PostgreSQL otherwise."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.containers import docker_engine


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_engine_where_docker_host_answers_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{_closed_port()}")
    monkeypatch.delenv("TEST_CONTAINERS", raising=False)
    assert docker_engine() is False


def test_not_a_docker_api_is_no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Something listens, but it is not Docker: it answers no ping."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{server.getsockname()[1]}")
        assert docker_engine() is False


def test_containers_off_is_respected_before_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    import docker  # type: ignore[import-untyped]  # no stubs shipped

    def must_not_ask(**_: object) -> None:
        raise AssertionError("the engine was asked although TEST_CONTAINERS=off")

    monkeypatch.setattr(docker, "from_env", must_not_ask)
    monkeypatch.setenv("TEST_CONTAINERS", "off")
    assert docker_engine() is False


def test_a_container_that_cannot_start_leaves_the_embedded_part(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An engine that answers but cannot start the container (an image it cannot pull): the
    tests run on the embedded part, with a warning."""
    from contextlib import ExitStack, contextmanager

    from tests.support import containers

    @contextmanager
    def refused() -> Iterator[str]:
        raise RuntimeError("pull access denied")
        yield ""

    monkeypatch.setattr(containers, "docker_engine", lambda: True)
    with ExitStack() as stack, pytest.warns(UserWarning, match="pull access denied"):
        assert containers.in_container(stack, refused) is None
