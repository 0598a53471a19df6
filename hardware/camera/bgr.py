"""Bring any frame OpenCV hands us into the one layout the kiosk uses: BGR uint8 (h, w, 3).

OpenCV converts most video to BGR itself, but image sequences and some
cameras deliver grey, grey with a channel axis, BGRA or 16-bit samples; the
photo pipeline and the video call must not have to care.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_bgr(image: np.ndarray) -> np.ndarray:
    """`image` as BGR uint8 (h, w, 3); the same array when it already is. ValueError otherwise."""
    image = _to_uint8(image)
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.ndim == 3:
        channels = image.shape[2]
        if channels == 3:
            return image
        if channels == 1:
            return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        if channels == 4:
            return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    raise ValueError(f"unsupported frame layout {image.shape}, expected grey, BGR or BGRA")


def _to_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        # Keep the high byte: 16-bit sensors and PNGs use the full range.
        return (image >> 8).astype(np.uint8)
    raise ValueError(f"unsupported frame sample type {image.dtype}, expected uint8 or uint16")
