"""The one owner of the camera: reads frames in a thread, keeps only the newest.

Preview, photo pipeline and video call each take frames at their own pace
from the owner (latest() or wait_for()); none of them talks to the camera. A
slow consumer therefore never slows the camera or the others down, and a
frame nobody took is simply replaced, never queued.

The owner also keeps the camera alive: when the source cannot be opened,
raises or stops delivering, it closes it and reopens it with exponential
backoff until stop(), and reports each change as a CameraHealth.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from hardware.camera.health import CameraHealth, HealthState
from hardware.camera.interface import CameraError, FrameSource

log = logging.getLogger(__name__)

# Pause between reads that gave nothing, so a dead source does not spin a core.
IDLE_S = 0.02
# How long stop() waits for the thread; a read can only be abandoned, not interrupted.
JOIN_TIMEOUT_S = 5.0
# Caps the backoff exponent (the delay is capped by backoff_s[1] long before).
MAX_DOUBLINGS = 30

HealthListener = Callable[[CameraHealth], None]


def backoff_delay(failed_in_a_row: int, backoff_s: tuple[float, float]) -> float:
    """Pause before the next open: first, first, 2*first, 4*first ... up to longest.

    `failed_in_a_row` counts the attempts since the last one that brought a
    frame; 0 (the last attempt brought frames) and 1 both give `first`.
    """
    first, longest = backoff_s
    doublings = min(max(failed_in_a_row - 1, 0), MAX_DOUBLINGS)
    return min(first * 2**doublings, longest)


@dataclass(frozen=True)
class Frame:
    """One camera frame as the owner shares it.

    `number` is the owner's own counter: 1 for the first frame after
    construction, +1 for each frame read, never reset (not by reopening,
    forget() or stop()), so `wait_for(after=frame.number)` always means "a
    newer one". `time` is the owner's clock when the frame was read. `image`
    is BGR uint8 (h, w, 3) and read-only: every consumer sees the same array.
    """

    number: int
    time: float
    image: np.ndarray


class FrameOwner:
    """Reads `source` in its own thread and hands the newest frame to whoever asks.

    `stall_s`: a source that gives no frame this long is reopened, and a frame
    this old counts as gone (latest() and wait_for() do not return it).
    `backoff_s`: (first, longest) pause before reopening; the pause doubles
    with each attempt that brings no frame and drops back to `first` after
    one that does. `clock`: the monotonic clock for frame times, staleness
    and health.

    Health listeners (on_health) are called from the owner thread, one after
    the other, on every change of state or message; they must return quickly
    (a listener may call stop()). The one exception: "stopped" comes from the
    thread calling stop() when the owner thread never ran or did not end.
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        stall_s: float = 2.0,
        backoff_s: tuple[float, float] = (0.5, 8.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if stall_s <= 0:
            raise ValueError(f"stall_s must be positive, got {stall_s}")
        if not 0 < backoff_s[0] <= backoff_s[1]:
            raise ValueError(
                f"backoff_s must be (first, longest) with 0 < first <= longest, got {backoff_s}"
            )
        self._source = source
        self._name = source.name
        self._stall_s = stall_s
        self._backoff_s = backoff_s
        self._clock = clock
        self._condition = threading.Condition()  # guards the fields below
        self._latest: Frame | None = None
        self._count = 0
        self._stops = 0  # wakes wait_for() callers when stop() is called
        self._health = CameraHealth("starting", f"camera {self._name}: starting", clock())
        self._listeners: list[HealthListener] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._users_lock = threading.Lock()  # guards _users; held while starting or stopping for them
        self._users = 0

    # -- the consumers' side ------------------------------------------------

    @property
    def name(self) -> str:
        """The source's name, as in the health messages."""
        return self._name

    def latest(self) -> Frame | None:
        """The newest frame, or None when there is none younger than stall_s."""
        with self._condition:
            frame = self._latest
        return frame if frame is not None and self._fresh(frame) else None

    def wait_for(self, after: int, timeout: float) -> Frame | None:
        """The newest frame numbered above `after`, waiting up to `timeout` s for one.

        For consumers that want each new frame once, each at its own pace:
        pass the number of the last frame handled (0 at first). Frames that
        came and went meanwhile are skipped. None on timeout or when the owner
        is stopped meanwhile.
        """
        deadline = time.monotonic() + timeout
        with self._condition:
            stops = self._stops
            while True:
                frame = self._latest
                if frame is not None and frame.number > after and self._fresh(frame):
                    return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stops != stops:
                    return None
                self._condition.wait(remaining)

    def health(self) -> CameraHealth:
        with self._condition:
            return self._health

    def on_health(self, listener: HealthListener) -> Callable[[], None]:
        """Call `listener(health)` on each change, from the owner thread; returns an unsubscribe."""
        with self._condition:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._condition:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def forget(self) -> None:
        """Drop the newest frame (end of a session: a citizen's face must not linger)."""
        with self._condition:
            self._latest = None

    # -- life cycle ----------------------------------------------------------

    def acquire(self) -> None:
        """One more consumer needs the camera (the photo step, a video call): it starts with the
        first and stops with the last (release), so neither turns it off under the other."""
        with self._users_lock:
            self._users += 1
            if self._users == 1:
                self.start()

    def release(self) -> None:
        with self._users_lock:
            self._users = max(0, self._users - 1)
            if self._users == 0:
                self.stop()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError(f"camera {self._name}: the frame owner thread is still running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera-owner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the thread, close the source and drop the newest frame."""
        self._stop.set()
        with self._condition:
            self._stops += 1
            self._condition.notify_all()
        self.forget()
        if self._thread is threading.current_thread():
            return  # a health listener asked: the thread ends, closes and says "stopped" itself
        self._join()
        self._close_source()
        self._set_health("stopped", f"camera {self._name}: stopped")

    def _join(self) -> None:
        if self._thread is None:
            return
        self._thread.join(JOIN_TIMEOUT_S)
        if self._thread.is_alive():
            # Kept, so start() refuses to run a second thread on the same source.
            log.warning("camera %s: read still blocked after %.0f s, closing the source anyway",
                        self._name, JOIN_TIMEOUT_S)
        else:
            self._thread = None

    def __enter__(self) -> FrameOwner:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- the owner thread ----------------------------------------------------

    def _run(self) -> None:
        self._set_health("starting", f"camera {self._name}: starting")
        try:
            self._keep_capturing()
        except Exception:  # a bug in the owner itself: say so rather than die silently
            log.exception("camera %s: frame owner failed", self._name)
            self._close_source()
            self._set_health("unavailable", f"camera {self._name}: frame owner failed (see log)")
            return
        self._close_source()
        self.forget()
        self._set_health("stopped", f"camera {self._name}: stopped")

    def _keep_capturing(self) -> None:
        """Capture, and after each failure close, back off and reopen, until stop()."""
        failed_in_a_row = 0
        while not self._stop.is_set():
            delivered = self._capture()
            self._close_source()
            failed_in_a_row = 0 if delivered else failed_in_a_row + 1
            self._stop.wait(backoff_delay(failed_in_a_row, self._backoff_s))

    def _capture(self) -> bool:
        """Open the source and read until it fails or stop(); whether any frame came."""
        if not self._open_source():
            return False
        delivered = False
        last_frame_at = self._clock()
        while not self._stop.is_set():
            image = self._read_source()
            if image is False:
                return delivered
            now = self._clock()
            if image is not None:
                self._publish(image, now)
                delivered, last_frame_at = True, now
            elif now - last_frame_at >= self._stall_s:
                self._set_health(
                    "stalled", f"camera {self._name}: no frame for {self._stall_s:.1f} s"
                )
                return delivered
            else:
                self._stop.wait(IDLE_S)
        return delivered

    def _open_source(self) -> bool:
        try:
            self._source.open()
        except CameraError as error:
            self._set_health("unavailable", self._about(error, "cannot open"))
            return False
        except Exception as error:
            log.exception("camera %s: open raised", self._name)
            self._set_health("unavailable", self._about(error, "cannot open"))
            return False
        return True

    def _read_source(self) -> np.ndarray | None | bool:
        """A frame, None for no frame yet, False when the source failed."""
        try:
            return self._source.read()
        except Exception as error:
            if not isinstance(error, CameraError):
                log.exception("camera %s: read raised", self._name)
            self._set_health("unavailable", self._about(error, "read failed"))
            return False

    def _publish(self, image: np.ndarray, now: float) -> None:
        image.flags.writeable = False
        shared = image.view()  # a view of a read-only array cannot be made writable again
        with self._condition:
            if self._stop.is_set():
                return  # a late frame after stop() must not stay in memory
            self._count += 1
            self._latest = Frame(self._count, now, shared)
            self._condition.notify_all()
        if self._health.state != "ok":
            width, height = image.shape[1], image.shape[0]
            self._set_health("ok", f"camera {self._name}: ok, {width}x{height}")

    def _close_source(self) -> None:
        try:
            self._source.close()
        except Exception:
            log.exception("camera %s: close raised", self._name)

    # -- health --------------------------------------------------------------

    def _about(self, error: Exception, what: str) -> str:
        """An operator message naming the camera; a CameraError usually already does."""
        text = str(error) if isinstance(error, CameraError) else f"{type(error).__name__}: {error}"
        if f"camera {self._name}" in text:
            return text
        return f"camera {self._name}: {what}: {text}"

    def _fresh(self, frame: Frame) -> bool:
        return self._clock() - frame.time <= self._stall_s

    def _set_health(self, state: HealthState, message: str) -> None:
        with self._condition:
            if (self._health.state, self._health.message) == (state, message):
                return
            health = self._health = CameraHealth(state, message, self._clock())
            listeners = list(self._listeners)
        log.log(logging.INFO if state in ("ok", "starting", "stopped") else logging.WARNING,
                "%s", message)
        for listener in listeners:
            try:
                listener(health)
            except Exception:
                log.exception("camera %s: health listener %r raised", self._name, listener)
