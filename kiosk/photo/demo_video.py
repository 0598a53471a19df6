"""A camera video for the demo and the capture tests: a citizen sits down in front of the terminal.

Made from the Grace Hopper portrait on plain grey (kiosk.photo.portraits), moved by known
transformations so every stretch of the video has a known verdict:

    empty seat → sits down far away and to one side → moves closer and to the middle
    → tilts the head → straightens it → holds still (compliant) until the loop ends

The file is written with OpenCV (mp4v), which the video-file camera plays and loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from hardware.camera import VideoFileCamera
from kiosk.photo.portraits import PLAIN_GREY, plain

FPS = 15  # enough to look alive, and half the decoding of 30
VERSION = 1  # part of the file name: a changed script makes a new file, never reuses an old one


@dataclass(frozen=True)
class Pose:
    """Where the portrait is drawn: its scale, the eye midpoint as a share of the frame, roll."""

    present: bool
    scale: float = 1.0  # of the frame-filling size
    x: float = 0.5
    y: float = 0.5
    roll_deg: float = 0.0


# (seconds from the start, pose); poses between two keys are interpolated.
SCRIPT: tuple[tuple[float, Pose], ...] = (
    (0.0, Pose(False)),
    (1.5, Pose(False)),
    (1.5, Pose(True, scale=0.55, x=0.30, y=0.50)),  # sits down, far back and off to the side
    (3.0, Pose(True, scale=0.55, x=0.30, y=0.50)),
    (5.0, Pose(True, scale=1.0, x=0.5, y=0.47)),  # came closer, to the middle
    (5.5, Pose(True, scale=1.0, x=0.5, y=0.47, roll_deg=14)),  # tilts the head
    (6.5, Pose(True, scale=1.0, x=0.5, y=0.47, roll_deg=14)),
    (7.0, Pose(True, scale=1.0, x=0.5, y=0.47)),  # straight again
    (13.0, Pose(True, scale=1.0, x=0.5, y=0.47)),  # holds still
)
COMPLIANT_FROM_S = 7.0


class DemoVideoCamera(VideoFileCamera):
    """The demo camera: plays the demo video, which it makes on first open (a few seconds, in
    the camera's thread) and keeps for later runs."""

    def __init__(self, folder: Path, width: int, height: int) -> None:
        self._folder, self._size = folder, (width, height)
        super().__init__(default_path(folder, width, height, FPS))

    def open(self) -> None:
        ensure(self._folder, *self._size, FPS)
        super().open()


def default_path(folder: Path, width: int, height: int, fps: float) -> Path:
    return folder / f"portrait-v{VERSION}-{width}x{height}-{fps:g}fps.mp4"


def ensure(folder: Path, width: int, height: int, fps: float) -> Path:
    """The demo video for this size, made once and kept (it holds no citizen data)."""
    path = default_path(folder, width, height, fps)
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial.mp4")
        write(partial, width, height, fps)
        partial.replace(path)  # a half-written file is never taken for a finished one
    return path


def write(path: Path, width: int, height: int, fps: float) -> int:
    """Write the video; return the number of frames."""
    portrait = _portrait()
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"cannot write video {path}")
    count = int(SCRIPT[-1][0] * fps)
    try:
        for number in range(count):
            writer.write(frame(portrait, pose_at(number / fps), width, height))
    finally:
        writer.release()
    return count


def pose_at(t: float) -> Pose:
    """The scripted pose at t seconds (the last one after the end)."""
    for (t0, a), (t1, b) in zip(SCRIPT, SCRIPT[1:]):
        if t0 <= t < t1:
            if not (a.present and b.present):
                return a
            k = (t - t0) / (t1 - t0)
            k = k * k * (3 - 2 * k)  # ease in and out, as a person moves
            return Pose(True, *(u + (v - u) * k for u, v in ((a.scale, b.scale), (a.x, b.x), (a.y, b.y),
                                                            (a.roll_deg, b.roll_deg))))
    return SCRIPT[-1][1]


@dataclass(frozen=True)
class _Portrait:
    image: np.ndarray
    face_centre: tuple[float, float]  # the eye midpoint, pixels in image
    face_height: float  # pixels, chin to crown, measured once on the portrait


def _portrait() -> _Portrait:
    image, _mask = plain("grace_hopper", scale=2.0)
    # The published portrait ends at the chest; a person in front of a camera does not.
    image = cv2.copyMakeBorder(image, 0, image.shape[0], 0, 0, cv2.BORDER_REPLICATE)
    # Measured once with FaceMesh on the scaled portrait: the eye midpoint, and chin to crown
    # with the crown as far above the eyes as the chin is below them.
    return _Portrait(image, face_centre=(530.0, 380.0), face_height=580.0)


def frame(portrait: _Portrait, pose: Pose, width: int, height: int) -> np.ndarray:
    """One frame: the portrait placed by `pose` on plain grey (BGR)."""
    canvas_colour = tuple(int(c) for c in PLAIN_GREY)
    if not pose.present:
        out = np.empty((height, width, 3), np.uint8)
        out[:] = canvas_colour
        return out
    # At scale 1 the face takes 0.62 of the frame's height: inside the ID photo band once cropped.
    zoom = pose.scale * 0.62 * height / portrait.face_height
    matrix = cv2.getRotationMatrix2D(portrait.face_centre, pose.roll_deg, zoom)
    matrix[0, 2] += pose.x * width - portrait.face_centre[0]
    matrix[1, 2] += pose.y * height - portrait.face_centre[1]
    return cv2.warpAffine(portrait.image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=canvas_colour)

