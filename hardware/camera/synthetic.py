"""A camera without a camera: deterministic drawn frames of a simple face.

Used by `kiosk demo` and tests. Frame n depends only on n and the resolution,
so a test can predict it. Drawn with numpy alone (OpenCV is not a dependency
of this module).
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from hardware.camera.interface import FrameSource
from hardware.camera.pacing import Pacer

# Colours in BGR, OpenCV's channel order.
BACKGROUND = (200, 200, 200)  # light neutral grey, as the photo rules want
SKIN = (150, 180, 225)
EYE = (40, 35, 30)
MOUTH = (70, 70, 150)
TEXT = (20, 20, 20)

# The face drifts by this fraction of the frame; periods in frames, chosen
# coprime so the path does not repeat quickly.
DRIFT_X, DRIFT_Y = 0.06, 0.03
PERIOD_X, PERIOD_Y = 150, 223

# 3x5 pixel digits for the frame counter.
_DIGITS = {
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", "###", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
}
_DIGIT_MASKS = {
    digit: np.array([[cell == "#" for cell in row] for row in rows])
    for digit, rows in _DIGITS.items()
}

MIN_SIDE = 64  # smaller frames leave no room for face and counter


class SyntheticCamera(FrameSource):
    """Frames of a face on a grey background with the frame number drawn in.

    `fps` > 0 makes read() wait like a real camera does; 0 (the default)
    returns at once, which keeps tests fast. Thread-safe: close() may come
    from another thread than read().
    """

    def __init__(self, width: int = 640, height: int = 480, fps: float = 0.0) -> None:
        if width < MIN_SIDE or height < MIN_SIDE:
            raise ValueError(
                f"resolution {width}x{height} too small, at least {MIN_SIDE}x{MIN_SIDE}"
            )
        self._width, self._height = width, height
        self._pacer = Pacer(fps)  # refuses a negative fps
        self._lock = threading.Lock()
        self._open = False
        self._frame_number = 0
        # Coordinate grids, made once: every ellipse is a mask over them.
        self._ys, self._xs = np.ogrid[0:height, 0:width]

    @property
    def name(self) -> str:
        return "synthetic"

    @property
    def resolution(self) -> tuple[int, int]:
        return self._width, self._height

    def open(self) -> None:
        with self._lock:
            self._open = True
            self._pacer.restart()

    def read(self) -> np.ndarray | None:
        with self._lock:
            if not self._open:
                return None
            number = self._frame_number
            self._frame_number += 1
            delay = self._pacer.claim()
        if delay > 0:
            time.sleep(delay)  # outside the lock: close() need not wait
        return self.frame(number)

    def close(self) -> None:
        with self._lock:
            self._open = False

    def frame(self, number: int) -> np.ndarray:
        """Frame `number`, the same every time it is asked for."""
        image = np.empty((self._height, self._width, 3), dtype=np.uint8)
        image[:] = BACKGROUND
        self._draw_face(image, *self._face_centre(number))
        self._draw_number(image, number)
        return image

    def _face_centre(self, number: int) -> tuple[float, float]:
        x = self._width * (0.5 + DRIFT_X * math.sin(2 * math.pi * number / PERIOD_X))
        y = self._height * (0.5 + DRIFT_Y * math.sin(2 * math.pi * number / PERIOD_Y))
        return x, y

    def _draw_face(self, image: np.ndarray, cx: float, cy: float) -> None:
        # Face about 55 % of the frame height, like a framed ID photo.
        ry = 0.275 * self._height
        rx = 0.75 * ry
        self._fill_ellipse(image, cx, cy, rx, ry, SKIN)
        for side in (-1, 1):
            self._fill_ellipse(
                image, cx + side * 0.38 * rx, cy - 0.22 * ry, 0.14 * rx, 0.07 * ry, EYE
            )
        self._fill_ellipse(image, cx, cy + 0.5 * ry, 0.35 * rx, 0.06 * ry, MOUTH)

    def _fill_ellipse(
        self,
        image: np.ndarray,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        colour: tuple[int, int, int],
    ) -> None:
        mask = ((self._xs - cx) / rx) ** 2 + ((self._ys - cy) / ry) ** 2 <= 1.0
        image[mask] = colour

    def _draw_number(self, image: np.ndarray, number: int) -> None:
        """The frame number, bottom left, so a stuck stream is visible."""
        scale = max(2, self._height // 120)
        margin = 2 * scale
        top = self._height - margin - 5 * scale
        for index, digit in enumerate(str(number)):
            left = margin + index * 4 * scale
            if left + 3 * scale > self._width:
                break
            glyph = np.kron(_DIGIT_MASKS[digit], np.ones((scale, scale), dtype=bool))
            region = image[top : top + 5 * scale, left : left + 3 * scale]
            region[glyph] = TEXT
