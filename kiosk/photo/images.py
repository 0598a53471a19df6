"""Image input: files read with Pillow, and any array turned into 8-bit BGR (OpenCV's order).

Pillow reads the files because it refuses what is broken: a truncated JPEG raises an error
where OpenCV returns a half-grey picture with only a warning on stderr.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


class ImageError(Exception):
    """An image that cannot be read; the message names the file and says why."""


def read_image(path: Path) -> np.ndarray:
    """The picture in a file as 8-bit BGR, turned upright as its EXIF orientation says."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.load()  # decodes everything now: a truncated or corrupt file fails here
            upright = ImageOps.exif_transpose(opened)
            rgb = np.asarray(upright.convert("RGB"))
    except FileNotFoundError:
        raise ImageError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ImageError(f"{path}: is a folder, not an image file") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file (or a format that cannot be read)") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{path}: damaged or incomplete image ({exc})") from None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Grey (2-D or one channel), BGR or BGRA, 8 or 16 bit, as contiguous 8-bit BGR."""
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"not an image: an array of shape {image.shape}")
    if image.dtype == np.uint16:
        image = (image >> 8).astype(np.uint8)
    elif image.dtype != np.uint8:
        raise ValueError(f"unsupported pixel type {image.dtype}: give 8 or 16 bit images")
    channels = 1 if image.ndim == 2 else image.shape[2]
    conversions = {1: cv2.COLOR_GRAY2BGR, 4: cv2.COLOR_BGRA2BGR}
    if channels in conversions:
        image = cv2.cvtColor(image, conversions[channels])
    elif channels != 3:
        raise ValueError(f"unsupported image with {channels} channels: give grey, BGR or BGRA")
    return np.ascontiguousarray(image)
