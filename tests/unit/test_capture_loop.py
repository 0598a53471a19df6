"""The capture loop with the real frame owner and a paced synthetic camera; the analyser is a
stand-in whose verdicts the test scripts (the real one is tested on real faces elsewhere)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import numpy as np
import pytest

from hardware.camera import FrameOwner, SyntheticCamera
from hardware.camera.interface import FrameSource
from kiosk.photo.capture import Callbacks, CaptureLoop, CaptureSettings, LiveStatus
from kiosk.photo.captured import CapturedPhoto
from kiosk.photo.crop import Box, Cut

SETTINGS = CaptureSettings(steady_s=0.2, countdown=3, countdown_step_s=0.1, stall_s=0.6)


def measure(value: float = 1.0, passed: bool = True) -> SimpleNamespace:
    return SimpleNamespace(score=90 if passed else 10, value=value, passed=passed)


@dataclass
class ScriptedAnalyzer:
    """Compliant when `compliant(call number)` says so; counts its calls."""

    compliant: Callable[[int], bool]
    calls: int = 0
    closed: bool = False

    def assess_frame(self, frame: np.ndarray, scale: float = 1.0) -> SimpleNamespace:
        self.calls += 1
        ok = self.compliant(self.calls)
        height, width = round(frame.shape[0] / scale), round(frame.shape[1] / scale)
        return SimpleNamespace(compliant=ok, measures={"SingleFacePresent": measure(1), "HeadSize": measure(0.7, ok)},
                               box=Box(width * 0.25, height * 0.1, width * 0.5, height * 0.8),
                               guidance=lambda: [] if ok else ["Please come a little closer."])

    def assess_photo(self, image: np.ndarray) -> SimpleNamespace:
        return SimpleNamespace(measures={"HeadSize": measure(0.75), "Sharpness": measure(40)}, guidance=lambda: [])

    def close(self) -> None:
        self.closed = True


@dataclass
class Seen:
    statuses: list[tuple[float, LiveStatus]] = field(default_factory=list)
    photos: list[tuple[float, CapturedPhoto]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def callbacks(self) -> Callbacks:
        def photo(p: CapturedPhoto) -> None:
            self.photos.append((time.monotonic(), p))
            self.done.set()

        def failure(reason: str) -> None:
            self.failures.append(reason)
            self.done.set()

        return Callbacks(status=lambda s: self.statuses.append((time.monotonic(), s)), photo=photo, failure=failure)


def make_loop(source: FrameSource, compliant: Callable[[int], bool]) -> tuple[CaptureLoop, list[ScriptedAnalyzer]]:
    made: list[ScriptedAnalyzer] = []

    def make(live: bool) -> ScriptedAnalyzer:
        made.append(ScriptedAnalyzer(compliant if live else (lambda _n: True)))
        return made[-1]

    owner = FrameOwner(source, stall_s=0.3, backoff_s=(0.05, 0.2))
    loop = CaptureLoop(owner, make, cut=lambda frame, box: Cut(np.full((106, 83, 3), 128, np.uint8), 0.5),
                       encode=lambda image: b"\xff\xd8" + image.tobytes()[:100] + b"\xff\xd9", settings=SETTINGS)
    return loop, made


@pytest.fixture
def camera() -> SyntheticCamera:
    return SyntheticCamera(320, 240, fps=30)


def test_a_steady_compliant_pose_is_counted_down_and_taken(camera: SyntheticCamera) -> None:
    loop, made = make_loop(camera, lambda n: n > 5)
    seen = Seen()
    loop.activate(seen.callbacks())
    assert seen.done.wait(10), "no photo"
    loop.close()
    assert not seen.failures and len(seen.photos) == 1
    taken_at, photo = seen.photos[0]
    assert (photo.width, photo.height) == (83, 106) and photo.compliant
    assert [v.name for v in photo.verdicts] == ["HeadSize", "Sharpness"]
    counts = [s.countdown for _t, s in seen.statuses if s.countdown]
    assert counts == [3, 2, 1]  # each number once, in order
    first_ok = next(t for t, s in seen.statuses if s.guidance is None)
    assert taken_at - first_ok >= SETTINGS.steady_s + 2 * SETTINGS.countdown_step_s
    guided = [s for _t, s in seen.statuses if s.guidance]
    assert guided and guided[0].guidance == "Please come a little closer." and guided[0].faces == 1
    assert guided[0].box == pytest.approx((0.25, 0.1, 0.5, 0.8))
    assert all(a.closed for a in made)


def test_moving_during_the_countdown_starts_it_again(camera: SyntheticCamera) -> None:
    loop, _made = make_loop(camera, lambda n: n % 8 != 0)  # a flicker every 8 frames: never 0.5 s steady
    seen = Seen()
    loop.activate(seen.callbacks())
    time.sleep(1.5)
    loop.close()
    assert not seen.photos
    assert any(s.countdown for _t, s in seen.statuses)  # it did start counting, and stopped


class DyingCamera(SyntheticCamera):
    """Delivers `frames` frames and then nothing, like a camera unplugged mid-capture."""

    def __init__(self, frames: int) -> None:
        super().__init__(320, 240, fps=30)
        self.left = frames

    def read(self) -> np.ndarray | None:
        if self.left <= 0:
            time.sleep(0.02)
            return None
        self.left -= 1
        return super().read()


def test_a_camera_dying_mid_capture_is_reported_not_waited_for() -> None:
    loop, _made = make_loop(DyingCamera(frames=10), lambda n: False)
    seen = Seen()
    loop.activate(seen.callbacks())
    assert seen.done.wait(10), "the failure was not reported"
    loop.close()
    assert not seen.photos
    assert seen.failures[0].startswith("no camera frame for 0.6 s") and "camera" in seen.failures[0]


def test_deactivating_stops_the_camera_and_keeps_no_frame(camera: SyntheticCamera) -> None:
    loop, _made = make_loop(camera, lambda n: False)
    seen = Seen()
    loop.activate(seen.callbacks())
    deadline = time.monotonic() + 5
    while loop.preview() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert loop.preview() is not None
    loop.deactivate()
    deadline = time.monotonic() + 5
    while loop.frames.health().state != "stopped" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert loop.frames.health().state == "stopped" and loop.preview() is None
    count = len(seen.statuses)
    time.sleep(0.3)
    assert len(seen.statuses) == count  # nothing more after leaving
    loop.close()


def test_an_analyser_failure_is_reported_and_the_loop_works_again(camera: SyntheticCamera) -> None:
    calls = {"n": 0}

    def compliant(n: int) -> bool:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("model failed")
        return n > 5

    loop, _made = make_loop(camera, compliant)
    first = Seen()
    loop.activate(first.callbacks())
    assert first.done.wait(10)
    assert first.failures == ["capture failed: RuntimeError"]
    again = Seen()
    loop.activate(again.callbacks())
    assert again.done.wait(10)
    loop.close()
    assert len(again.photos) == 1
