"""Test doubles shared by the unit and UI tests."""

from __future__ import annotations


class ManualClock:
    """A monotonic clock the test moves on by hand instead of waiting."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
