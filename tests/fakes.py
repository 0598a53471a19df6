"""Test doubles shared by the unit and UI tests."""

from __future__ import annotations

import threading

from hardware.camera import CameraHealth


class ManualClock:
    """A monotonic clock the test moves on by hand instead of waiting."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class HealthLog:
    """A camera health listener: records each pushed change and the thread it came from."""

    def __init__(self) -> None:
        self.changes: list[CameraHealth] = []
        self.threads: list[str] = []
        self._seen = threading.Condition()

    def __call__(self, health: CameraHealth) -> None:
        with self._seen:
            self.changes.append(health)
            self.threads.append(threading.current_thread().name)
            self._seen.notify_all()

    @property
    def states(self) -> list[str]:
        return [health.state for health in self.changes]

    def wait_for_state(self, state: str, count: int = 1, timeout: float = 5.0) -> None:
        with self._seen:
            if not self._seen.wait_for(lambda: self.states.count(state) >= count, timeout):
                raise AssertionError(f"no {count}x {state!r} within {timeout} s: {self.states}")
