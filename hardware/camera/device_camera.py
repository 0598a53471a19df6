"""The terminal's real camera: a V4L2 device read through OpenCV.

The device may deliver another size or rate than asked for (a USB camera
offers a fixed list of modes), so `resolution` and `fps` report what it
really delivers once open. It may also vanish at any time (unplugged, USB
reset): read() then returns None and the frame owner reopens it.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import cv2
import numpy as np

from hardware.camera.bgr import to_bgr
from hardware.camera.interface import CameraError, FrameSource

log = logging.getLogger(__name__)

# Between attempts to get the first frame: a camera needs a moment after streaming starts.
FIRST_FRAME_POLL_S = 0.05


def _video_capture(device: int | str) -> cv2.VideoCapture:
    """The V4L2 capture for an index or a /dev path (a seam for the unit tests)."""
    return cv2.VideoCapture(device, cv2.CAP_V4L2)


class DeviceCamera(FrameSource):
    """A V4L2 camera by index (0 = /dev/video0) or path (/dev/video0, /dev/v4l/by-id/...).

    Asks for `width`x`height` at `fps` in `fourcc` (MJPG lets most USB cameras
    deliver 720p at 30 fps; None keeps the driver's choice) and a one-frame
    buffer, so a read gets the newest frame rather than one queued earlier.
    open() fails with CameraError when the device is missing, refused or sends
    no frame within `first_frame_timeout_s`. Thread-safe: close() may come from
    another thread than read(); it waits for a read in progress (one frame
    interval, at most OpenCV's V4L2 timeout of 10 s on a hung device).
    """

    def __init__(
        self,
        device: int | str,
        width: int,
        height: int,
        fps: float,
        *,
        first_frame_timeout_s: float = 5.0,
        fourcc: str | None = "MJPG",
    ) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"resolution must be positive, got {width}x{height}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        if fourcc is not None and len(fourcc) != 4:
            raise ValueError(f"fourcc must be four characters like 'MJPG', got {fourcc!r}")
        self._device = device
        self._asked = (width, height, fps)
        self._first_frame_timeout_s = first_frame_timeout_s
        self._fourcc = fourcc
        self._lock = threading.Lock()
        self._capture: cv2.VideoCapture | None = None
        self._resolution = (width, height)
        self._fps = fps

    @property
    def name(self) -> str:
        return f"/dev/video{self._device}" if isinstance(self._device, int) else self._device

    @property
    def resolution(self) -> tuple[int, int]:
        """What the device delivers once open (measured on a frame); the request before."""
        return self._resolution

    @property
    def fps(self) -> float:
        """The rate the driver reports once open; the request before."""
        return self._fps

    def open(self) -> None:
        with self._lock:
            self._release()
            capture = _video_capture(self._device)
            try:
                if not capture.isOpened():
                    raise self._error(self._why_not_opened())
                self._configure(capture)
                first = self._first_frame(capture)
            except BaseException:
                capture.release()
                raise
            self._capture = capture
            self._resolution = (first.shape[1], first.shape[0])
            self._fps = capture.get(cv2.CAP_PROP_FPS) or self._fps
            self._log_mode()

    def read(self) -> np.ndarray | None:
        with self._lock:
            if self._capture is None:
                return None
            return self._grab(self._capture)

    def close(self) -> None:
        with self._lock:
            self._release()

    def _error(self, reason: str) -> CameraError:
        return CameraError(f"camera {self.name}: cannot open: {reason}")

    def _why_not_opened(self) -> str:
        """OpenCV only says 'no'; the operator needs to know what to check."""
        path = self.name
        if not os.path.exists(path):
            return ("no such device (is the camera plugged in?"
                    " `v4l2-ctl --list-devices` lists cameras)")
        if not os.access(path, os.R_OK | os.W_OK):
            return "no permission (the kiosk user must be in group 'video')"
        return "not a V4L2 camera, or busy (another program using it? `fuser -v " + path + "`)"

    def _configure(self, capture: cv2.VideoCapture) -> None:
        width, height, fps = self._asked
        # Order matters for V4L2: the pixel format decides which sizes and rates exist.
        if self._fourcc is not None:
            capture.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self._fourcc))
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def _first_frame(self, capture: cv2.VideoCapture) -> np.ndarray:
        """Wait for a frame: a device can open fine and still deliver nothing."""
        deadline = time.monotonic() + self._first_frame_timeout_s
        while True:
            frame = self._grab(capture)
            if frame is not None:
                return frame
            if time.monotonic() >= deadline:
                raise self._error(
                    f"opened, but no frame within {self._first_frame_timeout_s:.1f} s"
                )
            time.sleep(FIRST_FRAME_POLL_S)

    def _grab(self, capture: cv2.VideoCapture) -> np.ndarray | None:
        """The next frame, or None when the device stopped delivering (unplugged)."""
        try:
            ok, frame = capture.read()
        except cv2.error as error:
            log.warning("camera %s: read failed: %s", self.name, error)
            return None
        if not ok or frame is None:
            return None
        try:
            return to_bgr(frame)
        except ValueError as error:
            raise CameraError(f"camera {self.name}: {error}") from error

    def _log_mode(self) -> None:
        width, height, fps = self._asked
        delivered = (*self._resolution, self._fps)
        if delivered != (width, height, fps):
            log.info("camera %s: asked for %dx%d at %g fps, delivers %dx%d at %g fps",
                     self.name, width, height, fps, *delivered)

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture = None
