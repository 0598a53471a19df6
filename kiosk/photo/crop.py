"""The 35 × 45 mm photo box, cutting it out of a camera frame, and the JPEG file.

The box follows the German template (DOMAIN.md 2): face height chin→crown about 74 % of the
box height, the face centred horizontally, the crown a margin below the top edge so that the
eye line falls at about 55 % of the height from the bottom (50–70 % allowed).

For a camera frame the box is clamped into the frame (`frame_box`): shifted inside when it
sticks out, shrunk to the largest 35:45 box that fits when it is taller than the frame, and
never smaller than `min_crop_share` of that largest box. The face is then assessed inside the
clamped box with the same measures as a finished photo, and that gives the live guidance:
too far away → the box cannot shrink further → the face fills < 70 % → "come closer"; too close
→ the box cannot grow → > 80 % → "step back"; off-centre → the box is shifted → the face sits
off-centre in it → "move left/right", "higher/lower".
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.i18n import N_
from kiosk.photo.geometry import FaceGeometry
from kiosk.photo.rules import PhotoRules

ASPECT = 35 / 45  # width / height of the photo
PHOTO_SIZE = (827, 1063)  # 35 × 45 mm at 600 dpi, width × height
# Why these limits: the photo goes to the back office and on to the Pass- und Ausweisbehörde as
# a file. Below 50 KB an 827 × 1063 face photo is compressed so hard that JPEG blocks show in
# skin and eyes (artefacts that the photo rules forbid and that hurt face recognition); above
# 10 MB it outgrows what upload interfaces for application attachments accept. Both are this
# project's requirement, not a number from a norm.
SMALLER_THAN_FULL = N_("The photo is {width} × {height} pixels, less than {full_width} × {full_height}.")
JPEG_MIN_BYTES = 50 * 1024
JPEG_MAX_BYTES = 10 * 1024 * 1024
JPEG_QUALITY = 92  # first try: no visible artefacts, a few hundred KB for 827 × 1063
JPEG_LARGER = ((95, False), (98, False), (100, False), (100, True))  # (quality, 4:4:4) when too small
JPEG_SMALLER = ((85, False), (75, False), (65, False), (50, False))  # when too large


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in image pixels (floats; `cut` rounds)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    def resized(self, height: float) -> Box:
        """The same centre, a new height, the photo's aspect ratio."""
        cx, cy = self.centre
        width = height * ASPECT
        return Box(cx - width / 2, cy - height / 2, width, height)

    def shifted_into(self, width: int, height: int) -> Box:
        """Moved (not resized) so that it lies inside a width × height image where it can."""
        x = min(max(self.x, 0.0), max(width - self.width, 0.0))
        y = min(max(self.y, 0.0), max(height - self.height, 0.0))
        return Box(x, y, self.width, self.height)


@dataclass(frozen=True, eq=False)
class Cut:
    """The photo cut out of a frame: 827 × 1063 when the box was at least that large, else smaller."""

    image: np.ndarray
    scale: float  # photo pixels per frame pixel (≤ 1: never upscaled)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return int(self.image.shape[1]), int(self.image.shape[0])

    @property
    def full_size(self) -> bool:
        """Whether the photo has the 600 dpi size 827 × 1063."""
        return self.size == PHOTO_SIZE

    @property
    def note(self) -> str | None:
        """What the UI says about a photo smaller than 827 × 1063 (English; format after `tr`), else None."""
        return None if self.full_size else SMALLER_THAN_FULL

    def note_values(self) -> dict[str, int]:
        return {"width": self.size[0], "height": self.size[1], "full_width": PHOTO_SIZE[0], "full_height": PHOTO_SIZE[1]}


def photo_box(face: FaceGeometry, rules: PhotoRules) -> Box:
    """The ideal box for this face, anywhere (it may stick out of the image)."""
    height = face.face_height / rules.head_size_target
    width = height * ASPECT
    x = float(face.eye_midpoint[0]) - width / 2
    y = float(face.crown[1]) - rules.crop_margin_above * height
    return Box(x, y, width, height)


def largest_box(width: int, height: int) -> Box:
    """The largest 35:45 box that fits a width × height image, centred."""
    box_height = min(float(height), width / ASPECT)
    box_width = box_height * ASPECT
    return Box((width - box_width) / 2, (height - box_height) / 2, box_width, box_height)


def clamped(box: Box, width: int, height: int, min_share: float) -> Box:
    """The box made to fit a width × height frame: between min_share and 1 × the largest box, inside."""
    largest = largest_box(width, height).height
    box_height = min(max(box.height, min_share * largest), largest)
    return box.resized(box_height).shifted_into(width, height)


def frame_box(face: FaceGeometry, width: int, height: int, rules: PhotoRules) -> Box:
    """The photo box for a face in a camera frame: the ideal box, clamped into the frame."""
    return clamped(photo_box(face, rules), width, height, rules.min_crop_share)


def cut_scale(box: Box) -> float:
    """Photo pixels per frame pixel when cutting `box`: down to 827 × 1063, never up."""
    return min(1.0, PHOTO_SIZE[1] / box.height)


def cut_size(box: Box) -> tuple[int, int]:
    """(width, height) of the photo `cut` makes from `box`."""
    if cut_scale(box) < 1.0:
        return PHOTO_SIZE
    return max(int(round(box.width)), 1), max(int(round(box.height)), 1)


def cut(frame: np.ndarray, box: Box) -> Cut:
    """The box's pixels: resized to 827 × 1063 when the box is at least that large, else native."""
    image = region(frame, box)
    if cut_scale(box) < 1.0:
        image = cv2.resize(image, PHOTO_SIZE, interpolation=cv2.INTER_AREA)  # INTER_AREA: no aliasing
    return Cut(np.ascontiguousarray(image), cut_scale(box))


def region(image: np.ndarray, box: Box) -> np.ndarray:
    """The box's pixels as they are, the box rounded to whole pixels. Parts outside the image
    (only a box not made by `frame_box` has them) repeat the image's edge pixels."""
    x0, y0 = int(round(box.x)), int(round(box.y))
    width, height = max(int(round(box.width)), 1), max(int(round(box.height)), 1)
    centre = (x0 + (width - 1) / 2, y0 + (height - 1) / 2)  # on whole pixels: nothing is resampled
    return cv2.getRectSubPix(image, (width, height), centre)


def encode_jpeg(image: np.ndarray) -> bytes:
    """JPEG bytes between 50 KB and 10 MB: quality 92, raised or lowered step by step to fit.

    Raises ValueError when nothing fits (a tiny or flat image stays under 50 KB even at 100).
    """
    data = _jpeg(image, JPEG_QUALITY)
    steps = JPEG_LARGER if len(data) < JPEG_MIN_BYTES else JPEG_SMALLER if len(data) > JPEG_MAX_BYTES else ()
    for quality, full_chroma in steps:
        if _fits(data):
            break
        data = _jpeg(image, quality, full_chroma)
    if not _fits(data):
        raise ValueError(f"a {image.shape[1]} × {image.shape[0]} image gives a {len(data) // 1024} KB JPEG; "
                         f"no quality fits {JPEG_MIN_BYTES // 1024} KB to {JPEG_MAX_BYTES // (1024 * 1024)} MB")
    return data


def _fits(data: bytes) -> bool:
    return JPEG_MIN_BYTES <= len(data) <= JPEG_MAX_BYTES


def _jpeg(image: np.ndarray, quality: int, full_chroma: bool = False) -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    if full_chroma:  # 4:4:4 keeps colour at full resolution: the largest file at a quality
        params += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444]
    ok, data = cv2.imencode(".jpg", image, params)
    if not ok:
        raise ValueError("OpenCV could not encode the image as JPEG")
    return data.tobytes()
