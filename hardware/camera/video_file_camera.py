"""A camera that plays a video file: the demo kiosk's and the tests' camera.

No virtual video device can be loaded on our machines (DOMAIN.md 2), so a file
stands in for the camera: played at its own frame rate and looped by seeking
to frame 0, it looks to the owner like a camera that never stops.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time

import cv2
import numpy as np

from hardware.camera.bgr import to_bgr
from hardware.camera.interface import CameraError, FrameSource
from hardware.camera.pacing import Pacer

log = logging.getLogger(__name__)

# FFmpeg's own guess for streams that carry no rate (image sequences).
DEFAULT_FPS = 25.0
# Rates above this are a broken header, not a real video.
MAX_PLAUSIBLE_FPS = 1000.0


class VideoFileCamera(FrameSource):
    """Frames of a video file (.mp4, .avi, ...) or an image sequence pattern (`img_%04d.png`).

    `fps` None plays at the file's rate, a number overrides it, 0 reads as fast
    as the file decodes (tests). `loop` starts over at the end; without it
    read() returns None at the end, like a camera that stopped delivering.
    Thread-safe: close() may come from another thread than read().
    """

    def __init__(
        self, path: str | os.PathLike[str], fps: float | None = None, loop: bool = True
    ) -> None:
        if fps is not None and fps < 0:
            raise ValueError(f"fps must be None (the file's), 0 (unpaced) or positive, got {fps}")
        self._path = os.fspath(path)
        self._wanted_fps = fps
        self._loop = loop
        self._lock = threading.Lock()
        self._capture: cv2.VideoCapture | None = None
        self._pending: np.ndarray | None = None  # the first frame, read at open() as proof
        self._pacer = Pacer(0)
        self._resolution = (0, 0)

    @property
    def name(self) -> str:
        return self._path

    @property
    def resolution(self) -> tuple[int, int]:
        """(width, height) of the file's frames; (0, 0) until open() has read one."""
        return self._resolution

    @property
    def fps(self) -> float:
        """The pace read() keeps (0 = unpaced); meaningful after open()."""
        return self._pacer.fps

    def open(self) -> None:
        with self._lock:
            self._release()
            capture = self._open_capture()
            try:
                first = self._first_frame(capture)
            except BaseException:
                capture.release()
                raise
            self._capture, self._pending = capture, first
            self._resolution = (first.shape[1], first.shape[0])
            self._pacer = Pacer(self._pace(capture))
            self._pacer.restart()

    def read(self) -> np.ndarray | None:
        with self._lock:
            if self._capture is None:
                return None
            frame = self._next_frame(self._capture)
            if frame is None:
                return None
            delay = self._pacer.claim()
        if delay > 0:
            time.sleep(delay)  # outside the lock: close() need not wait for the pace
        return frame

    def close(self) -> None:
        with self._lock:
            self._release()

    def _error(self, reason: str) -> CameraError:
        return CameraError(f"camera {self._path}: cannot open: {reason}")

    def _open_capture(self) -> cv2.VideoCapture:
        self._check_file()
        capture = cv2.VideoCapture(self._path)
        if not capture.isOpened():
            capture.release()
            raise self._error("not a video OpenCV can read (corrupt, truncated or unknown format?)")
        return capture

    def _check_file(self) -> None:
        """Say precisely what is wrong with a plain path; OpenCV only says 'no'."""
        if "%" in self._path:
            return  # an image-sequence pattern: only OpenCV can tell
        if not os.path.exists(self._path):
            raise self._error("no such file")
        if not os.path.isfile(self._path):
            raise self._error("not a file")
        if not os.access(self._path, os.R_OK):
            raise self._error("no permission to read it")
        if os.path.getsize(self._path) == 0:
            raise self._error("the file is empty")

    def _first_frame(self, capture: cv2.VideoCapture) -> np.ndarray:
        frame = self._decode(capture)
        if frame is None:
            raise self._error("no frame could be decoded (empty, truncated or corrupt?)")
        return frame

    def _pace(self, capture: cv2.VideoCapture) -> float:
        if self._wanted_fps is not None:
            return self._wanted_fps
        fps = capture.get(cv2.CAP_PROP_FPS)
        if not math.isfinite(fps) or not 0 < fps <= MAX_PLAUSIBLE_FPS:
            log.info("camera %s: the file gives no usable frame rate (%s), playing at %s fps",
                     self._path, fps, DEFAULT_FPS)
            return DEFAULT_FPS
        return fps

    def _next_frame(self, capture: cv2.VideoCapture) -> np.ndarray | None:
        if self._pending is not None:
            frame, self._pending = self._pending, None
            return frame
        frame = self._decode(capture)
        if frame is None and self._loop:
            capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            frame = self._decode(capture)  # still None: the file broke; the owner reopens it
        return frame

    def _decode(self, capture: cv2.VideoCapture) -> np.ndarray | None:
        ok, frame = capture.read()
        if not ok or frame is None:
            return None
        try:
            return to_bgr(frame)
        except ValueError as error:
            raise CameraError(f"camera {self._path}: {error}") from error

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
        self._capture, self._pending = None, None
