"""How the camera is doing, in words an operator can act on.

The frame owner keeps one CameraHealth and pushes each new one to its
listeners; the terminal's health checks and the UI ("camera not available")
read it without knowing anything about OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

HealthState = Literal["starting", "ok", "stalled", "unavailable", "stopped"]

# starting     the owner has not yet had a frame since start() (or was never started)
# ok           frames are flowing
# stalled      the source opened but gave no frame for stall_s; being reopened
# unavailable  the source cannot be opened or failed while reading; being reopened
# stopped      stop() was called; no frames until start()
STATES: tuple[HealthState, ...] = ("starting", "ok", "stalled", "unavailable", "stopped")


@dataclass(frozen=True)
class CameraHealth:
    """One state of the camera: what, in a sentence naming the camera, and since when.

    `since` is the owner's clock (time.monotonic by default) when the state
    (or its message) began.
    """

    state: HealthState
    message: str
    since: float

    @property
    def ok(self) -> bool:
        return self.state == "ok"
