"""Parts of the face found from the landmarks: skin, its two halves, the inner face, eyes, mouth.

The photometric measures look at skin (the face outline below the eyebrows), so that hair, caps
and the background do not count as "face"; the sharpness measure looks at the inner face
(eyebrows to lower lip, outer eye corner to outer eye corner), where the detail is.
"""

from __future__ import annotations

import cv2
import numpy as np

# FaceMesh's face outline (mediapipe FACEMESH_FACE_OVAL), in order around the face.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
             148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
EYEBROWS = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107, 276, 282, 283, 285, 293, 295, 296, 300, 334, 336)
OUTER_EYE_CORNERS = (33, 263)
LOWER_LIP = 17
# Eyelids: (corner, corner) and three (upper, lower) pairs for each eye.
RIGHT_EYE = ((33, 133), ((160, 144), (159, 145), (158, 153)))
LEFT_EYE = ((263, 362), ((387, 373), (386, 374), (385, 380)))
MOUTH_CORNERS = (61, 291)
INNER_LIPS = (13, 14)  # middle of the upper and the lower lip's inner edge


def skin_mask(shape: tuple[int, ...], points: np.ndarray) -> np.ndarray:
    """Boolean mask of the face outline below the top of the eyebrows."""
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(points[list(FACE_OVAL), :2]).astype(np.int32)], 1)
    brow_top = int(np.floor(points[list(EYEBROWS), 1].min()))
    mask[: max(brow_top, 0)] = 0
    return mask.astype(bool)


def halves(mask: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mask split by the face's midline (through the eye midpoint, across the eye line)."""
    right_eye, left_eye = points[468, :2], points[473, :2]
    middle, across = (right_eye + left_eye) / 2, left_eye - right_eye
    xs, ys = np.arange(mask.shape[1])[None, :], np.arange(mask.shape[0])[:, None]
    side = (xs - middle[0]) * across[0] + (ys - middle[1]) * across[1]  # < 0: towards the right eye
    return mask & (side < 0), mask & (side >= 0)


def head_region(shape: tuple[int, ...], face_height: float, face_width: float, crown: np.ndarray,
                chin: np.ndarray, eye_x: float) -> np.ndarray:
    """Boolean mask of an ellipse around the whole head (hair, caps, ears): 1.6 × the face's width,
    from 15 % of its height above the crown to 15 % below the chin."""
    mask = np.zeros(shape[:2], np.uint8)
    centre = (int(round(eye_x)), int(round((crown[1] + chin[1]) / 2)))
    axes = (max(int(round(0.8 * face_width)), 1), max(int(round(0.65 * face_height)), 1))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1, thickness=-1)
    return mask.astype(bool)


def inner_face(points: np.ndarray, shape: tuple[int, ...]) -> tuple[slice, slice] | None:
    """Rows and columns of the inner face, clipped to the image; None when nothing is left."""
    x0, x1 = points[list(OUTER_EYE_CORNERS), 0].min(), points[list(OUTER_EYE_CORNERS), 0].max()
    y0, y1 = points[list(EYEBROWS), 1].min(), points[LOWER_LIP, 1]
    top, bottom = max(int(y0), 0), min(int(np.ceil(y1)), shape[0])
    left, right = max(int(x0), 0), min(int(np.ceil(x1)), shape[1])
    if bottom - top < 4 or right - left < 4:
        return None
    return slice(top, bottom), slice(left, right)


def eye_opening(points: np.ndarray) -> float:
    """The less open eye: mean lid distance over eye width (0.24 and 0.31 on the two portraits;
    near 0 when the lids meet, which no sample here shows: the limit is set between)."""
    return min(_opening(points, *RIGHT_EYE), _opening(points, *LEFT_EYE))


def mouth_opening(points: np.ndarray) -> float:
    """Gap between the inner lip edges over the mouth width (0.002 closed on Grace Hopper, 0.16 for
    the astronaut's smile showing teeth)."""
    return _distance(points, *INNER_LIPS) / max(_distance(points, *MOUTH_CORNERS), 1e-9)


def _opening(points: np.ndarray, corners: tuple[int, int], lids: tuple[tuple[int, int], ...]) -> float:
    gap = sum(_distance(points, upper, lower) for upper, lower in lids) / len(lids)
    return gap / max(_distance(points, *corners), 1e-9)


def _distance(points: np.ndarray, a: int, b: int) -> float:
    return float(np.linalg.norm(points[a, :2] - points[b, :2]))
