"""The launcher's supervisor: a process that exits is started again after a backoff that doubles
to 30 s and starts over once the process has stayed up for a minute."""

from __future__ import annotations

from deploy.supervisor import MAX_DELAY_S, Supervised


class Fake:
    def __init__(self) -> None:
        self.running = True
        self.starts = 0

    def alive(self) -> bool:
        return self.running

    def start(self) -> None:
        self.starts += 1
        self.running = True


def test_restarts_with_a_doubling_backoff_that_resets_when_stable() -> None:
    fake = Fake()
    s = Supervised("medical", fake.alive, fake.start, started_at=0.0)
    assert s.check(1.0) is None
    fake.running = False
    assert s.check(2.0) == "medical exited unexpectedly; restarting in 1 s"
    assert s.check(2.5) is None and fake.starts == 0
    assert s.check(3.0) == "medical restarted (restart 1)" and fake.starts == 1
    fake.running = False
    assert s.check(4.0) == "medical exited unexpectedly; restarting in 2 s"
    assert s.check(6.0) == "medical restarted (restart 2)"
    delays = []
    for _ in range(8):
        fake.running = False
        line = s.check(10.0)
        assert line is not None
        delays.append(float(line.rsplit("in ", 1)[1].removesuffix(" s")))
        s.check(10.0 + delays[-1])
    assert delays[:4] == [4.0, 8.0, 16.0, MAX_DELAY_S] and max(delays) == MAX_DELAY_S
    assert s.check(200.0) is None  # up for a minute since its last start
    fake.running = False
    assert s.check(201.0) == "medical exited unexpectedly; restarting in 1 s"


def test_a_failed_start_is_tried_again() -> None:
    def broken() -> None:
        raise OSError("port in use")

    s = Supervised("broker", lambda: False, broken, started_at=0.0)
    assert s.check(1.0) is not None
    assert s.check(2.0) == "broker failed to start (port in use); will retry"
    assert s.check(3.0) == "broker exited unexpectedly; restarting in 2 s"
