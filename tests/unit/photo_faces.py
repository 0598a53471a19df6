"""Synthetic FaceMesh landmarks for the photo unit tests: a face built from a few proportions,
turned in 3-D, without MediaPipe. Only the landmarks the photo code reads are placed; the others
sit at the face's centre."""

from __future__ import annotations

import math

import numpy as np

from kiosk.photo.regions import EYEBROWS, FACE_OVAL

EYE_TO_CHIN = 1.75  # in inter-eye distances, as on the two portraits (1.75 and 1.72)


def _layout(eye_opening: float, mouth_gap: float) -> dict[int, tuple[float, float, float]]:
    """(x, y, z) in inter-eye distances; origin at the eye midpoint, y down, z away from the camera."""
    lid = eye_opening * 0.7 / 2  # eye width 0.7
    points = {468: (-0.5, 0, 0), 473: (0.5, 0, 0), 152: (0, EYE_TO_CHIN, 0), 10: (0, -1.0, 0),
              234: (-1.1, 0.5, 0), 454: (1.1, 0.5, 0), 61: (-0.45, 1.05, 0), 291: (0.45, 1.05, 0),
              13: (0, 1.05 - mouth_gap * 0.45, 0), 14: (0, 1.05 + mouth_gap * 0.45, 0), 17: (0, 1.2, 0),
              98: (-0.25, 0.75, 0), 327: (0.25, 0.75, 0), 33: (-0.85, 0, 0), 133: (-0.15, 0, 0),
              263: (0.85, 0, 0), 362: (0.15, 0, 0)}
    for upper, lower, x in ((160, 144, -0.7), (159, 145, -0.5), (158, 153, -0.3),
                            (387, 373, 0.7), (386, 374, 0.5), (385, 380, 0.3)):
        points[upper], points[lower] = (x, -lid, 0), (x, lid, 0)
    for index in EYEBROWS:
        points[index] = (0.0, -0.35, 0)
    for i, index in enumerate(FACE_OVAL):  # an ellipse from forehead to chin
        angle = 2 * math.pi * i / len(FACE_OVAL)
        points.setdefault(index, (1.1 * math.sin(angle), 0.4 - 1.4 * math.cos(angle), 0))
    return points


def face_points(centre: tuple[float, float] = (400.0, 500.0), eye_distance: float = 100.0, roll: float = 0.0,
                yaw: float = 0.0, pitch: float = 0.0, eye_opening: float = 0.25, mouth_gap: float = 0.0) -> np.ndarray:
    """(478, 3) landmarks in pixels; `centre` is the eye midpoint; angles in degrees as kiosk.photo.geometry
    defines them (roll counter-clockwise as shown, yaw towards the image's right, pitch chin down)."""
    points = np.zeros((478, 3))
    for index, xyz in _layout(eye_opening, mouth_gap).items():
        points[index] = xyz
    points = points @ _rotation(roll, yaw, pitch).T
    points *= eye_distance
    points[:, :2] += centre
    return points


def _rotation(roll: float, yaw: float, pitch: float) -> np.ndarray:
    r, y, p = (math.radians(a) for a in (roll, yaw, pitch))
    turn = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])  # +x goes away
    nod = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])  # +y goes away
    tilt = np.array([[math.cos(r), math.sin(r), 0], [-math.sin(r), math.cos(r), 0], [0, 0, 1]])  # CCW as shown
    return tilt @ nod @ turn
