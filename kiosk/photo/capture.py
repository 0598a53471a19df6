"""The capture loop: live guidance on every camera frame, auto-capture when the citizen holds
still in a compliant pose, then the full check, the crop and the JPEG (no Kivy).

One thread owns the analysers (MediaPipe objects belong to one thread). It runs while the
photo screen shows the camera (`activate` … `deactivate`) and waits otherwise. Results go to
callbacks on that thread; the UI hands them to its own thread through its bridge.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

import cv2
import numpy as np

from hardware.camera.owner import Frame, FrameOwner
from kiosk.photo.captured import CapturedPhoto, Verdict
from kiosk.photo.crop import Box, Cut

log = logging.getLogger(__name__)
STARTUP_S = 10.0


@dataclass(frozen=True)
class CaptureSettings:
    steady_s: float = 0.5  # every live measure passes this long before the countdown starts
    countdown: int = 3  # spoken 3, 2, 1
    countdown_step_s: float = 0.35
    stall_s: float = 3.0  # no new frame for this long: the camera has failed
    live_width: int = 640  # live analysis runs on frames scaled down to this width


@dataclass(frozen=True)
class LiveStatus:
    """What the capture screen shows now (no picture: the screen takes that from the camera)."""

    faces: int
    guidance: str | None  # the one instruction to show and say (English text, translated by the UI)
    countdown: int | None  # 3, 2, 1 while counting down to the photo
    box: tuple[float, float, float, float] | None  # the photo's crop box as shares of the frame (x, y, w, h)


class Analyzer(Protocol):
    """kiosk.photo.analyzer.PhotoAnalyzer, or a stand-in in unit tests."""

    def assess_frame(self, frame: np.ndarray, scale: float = 1.0):  # type: ignore[no-untyped-def]
        ...

    def assess_photo(self, image: np.ndarray):  # type: ignore[no-untyped-def]  # -> Assessment
        ...

    def close(self) -> None: ...


@dataclass
class Callbacks:
    status: Callable[[LiveStatus], None]
    photo: Callable[[CapturedPhoto], None]
    failure: Callable[[str], None]  # an operator-readable reason


class CaptureLoop:
    def __init__(self, frames: FrameOwner, make_analyzer: Callable[[bool], Analyzer],
                 cut: Callable[[np.ndarray, Box], Cut], encode: Callable[[np.ndarray], bytes],
                 settings: CaptureSettings = CaptureSettings(), clock: Callable[[], float] = time.monotonic) -> None:
        """`make_analyzer(live)` builds an analyser on the capture thread; `cut` and `encode`
        turn a frame and its crop box into the photo and its JPEG (kiosk.photo.crop)."""
        self.frames = frames
        self._make_analyzer, self._cut, self._encode = make_analyzer, cut, encode
        self.settings, self._clock = settings, clock
        self._lock = threading.Condition()
        self._callbacks: Callbacks | None = None
        self._generation = 0  # each activation; results of an older one are dropped
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="photo-capture", daemon=True)
        self._thread.start()

    # -- called from the UI ------------------------------------------------------------------

    def activate(self, callbacks: Callbacks) -> None:
        """Start the camera and look for a compliant pose; report through `callbacks`."""
        with self._lock:
            self._callbacks = callbacks
            self._generation += 1
            self._lock.notify_all()

    def deactivate(self) -> None:
        """Stop looking and release the camera; a photo being made is dropped."""
        with self._lock:
            self._callbacks = None
            self._generation += 1
            self._lock.notify_all()

    def preview(self) -> Frame | None:
        return self.frames.latest()

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            self._callbacks = None
            self._lock.notify_all()
        self._thread.join(timeout=5)

    # -- the capture thread ------------------------------------------------------------------

    def _run(self) -> None:
        live = still = None
        try:
            while (job := self._wait_for_activation()) is not None:
                generation, callbacks = job
                live = live or self._make_analyzer(True)
                still = still or self._make_analyzer(False)
                self.frames.acquire()
                try:
                    self._session(generation, callbacks, live, still)
                except Exception as exc:  # never a dead thread: the screen offers retry and help
                    log.error("photo capture failed: %s", type(exc).__name__)
                    self._deliver(generation, callbacks.failure, f"capture failed: {type(exc).__name__}")
                finally:
                    self.frames.release()  # the camera is off (unless a call uses it), and no frame kept
                    live.close()  # MediaPipe's tracking starts afresh for the next citizen
                    live = None
        finally:
            for analyzer in (live, still):
                if analyzer is not None:
                    analyzer.close()

    def _wait_for_activation(self) -> tuple[int, Callbacks] | None:
        with self._lock:
            while self._callbacks is None and not self._stopping:
                self._lock.wait()
            return None if self._stopping else (self._generation, self._callbacks)  # type: ignore[return-value]

    def _active(self, generation: int) -> bool:
        with self._lock:
            return self._generation == generation and not self._stopping

    def _deliver(self, generation: int, callback: Callable, value: object) -> None:  # type: ignore[type-arg]
        if self._active(generation):
            callback(value)

    def _session(self, generation: int, callbacks: Callbacks, live: Analyzer, still: Analyzer) -> None:
        """Follow the frames until a photo is taken, the camera fails or the screen leaves."""
        steady_since: float | None = None
        last_number, last_frame_at = -1, self._clock()
        shown: LiveStatus | None = None
        while self._active(generation):
            frame = self.frames.wait_for(last_number, timeout=0.25)
            now = self._clock()
            if frame is None:
                if self._stalled(now - last_frame_at):
                    self._deliver(generation, callbacks.failure, self._stall_reason())
                    return
                continue
            last_number, last_frame_at = frame.number, now
            assessment = self._assess_live(live, frame.image)
            if not assessment.compliant:
                steady_since = None
            elif steady_since is None:
                steady_since = now
            status = self._status(assessment, frame.image.shape, steady_since, now)
            if status != shown:
                shown = status
                self._deliver(generation, callbacks.status, status)
            if steady_since is not None and now - steady_since >= self._time_to_photo():
                photo = self.take(still)
                if photo is not None:
                    self._deliver(generation, callbacks.photo, photo)
                    return
                steady_since = None  # the still showed no face after all: keep looking

    def _stalled(self, waited: float) -> bool:
        """No frame for stall_s; a camera still opening gets STARTUP_S more (a real one takes a
        second or two, the demo camera makes its video first)."""
        starting = self.frames.health().state == "starting"
        return waited >= self.settings.stall_s + (STARTUP_S if starting else 0.0)

    def _time_to_photo(self) -> float:
        return self.settings.steady_s + self.settings.countdown * self.settings.countdown_step_s

    def _assess_live(self, live: Analyzer, image: np.ndarray):  # type: ignore[no-untyped-def]
        """The live measures on a copy scaled down to live_width: the landmarks need no more,
        and the analyser gives sizes and the box at the camera's resolution."""
        height, width = image.shape[:2]
        scale = min(1.0, self.settings.live_width / width)
        small = image if scale == 1.0 else cv2.resize(image, (round(width * scale), round(height * scale)),
                                                      interpolation=cv2.INTER_AREA)
        return live.assess_frame(small, scale=scale)

    def _status(self, assessment, shape: tuple[int, ...],  # type: ignore[no-untyped-def]
                steady_since: float | None, now: float) -> LiveStatus:
        guidance = assessment.guidance()
        countdown = None
        if steady_since is not None:
            counting = now - steady_since - self.settings.steady_s
            if counting >= 0:
                countdown = max(1, self.settings.countdown - int(counting / self.settings.countdown_step_s))
        box = None
        if assessment.box is not None:
            height, width = shape[0], shape[1]
            b = assessment.box
            box = (b.x / width, b.y / height, b.width / width, b.height / height)
        faces = assessment.measures["SingleFacePresent"].value
        return LiveStatus(faces=int(faces or 0), guidance=guidance[0] if guidance else None,
                          countdown=countdown, box=box)

    def take(self, still: Analyzer) -> CapturedPhoto | None:
        """The photo from the newest full-size frame: full check on the frame for the crop box,
        then the crop, the JPEG, and every measure on the finished photo (what the review shows)."""
        frame = self.frames.latest()
        if frame is None:
            return None
        found = still.assess_frame(frame.image)
        if found.box is None:
            return None
        image = self._cut(frame.image, found.box).image
        jpeg = bytearray(self._encode(image))
        final = still.assess_photo(image)
        verdicts = tuple(Verdict(name, m.score, m.passed) for name, m in final.measures.items())
        return CapturedPhoto(jpeg, image.shape[1], image.shape[0], verdicts, tuple(final.guidance()))

    def _stall_reason(self) -> str:
        health = self.frames.health()
        return f"no camera frame for {self.settings.stall_s:g} s ({health.state}: {health.message})"
