"""Frame pacing: hand out evenly spaced time slots, as a camera delivers frames.

Shared by the sources that make frames faster than a camera would (synthetic,
video file), so that the owner and its consumers see a realistic rate.
"""

from __future__ import annotations

import time


class Pacer:
    """Slots `1/fps` apart; fps 0 means unpaced (every slot is now).

    A late reader is not paid back with a burst of frames: the next slot is
    counted from the later of the planned slot and now, like a camera that
    drops frames nobody fetched. Not thread-safe: callers hold their own lock.
    """

    def __init__(self, fps: float) -> None:
        if fps < 0:
            raise ValueError(f"fps must be 0 (unpaced) or positive, got {fps}")
        self.fps = fps
        self._period = 1.0 / fps if fps else 0.0
        self._next_due = 0.0

    def restart(self) -> None:
        """The next slot is now (call on open)."""
        self._next_due = time.monotonic()

    def claim(self) -> float:
        """Seconds the caller should wait before handing out its frame."""
        if not self._period:
            return 0.0
        now = time.monotonic()
        due = max(self._next_due, now)
        self._next_due = due + self._period
        return due - now
