"""Face geometry from the 478 FaceMesh landmarks: eyes, chin, crown, size and head pose.

Image coordinates: x to the right, y down, in pixels. "Right eye" is the person's right eye,
which is on the image's left in an unmirrored camera image.

Head pose (degrees):
- roll from the line through the iris centres; positive when the head leans so that the image
  is turned counter-clockwise (rotating a photo by +N° with OpenCV reads roll ≈ +N°).
- yaw from MediaPipe's depth (z) of pairs of mirror-image points (eye corners, mouth corners,
  nostril wings): on a frontal face both points of a pair lie at the same depth. Positive when
  the face turns towards the image's right (the person's left). Needs no calibration: symmetry
  is the reference.
- pitch from the depth of the forehead (landmark 10) against the chin (152). Positive when the
  chin is further from the camera than the forehead, i.e. the head is bowed (chin down).
  MediaPipe's mesh reads a level head as bowed by several degrees: 7–8.5° on Grace Hopper and
  10–11° on the astronaut (two frontal portraits, at different scales and crops). `pitch_offset`
  (config, default 9.5°: their mean) is that neutral reading and is subtracted. Pitch is the
  least certain of the three: a single image cannot tell a bowed head from a low camera, and
  faces differ by a few degrees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from kiosk.photo.landmarks import LEFT_IRIS, RIGHT_IRIS

CHIN = 152
FOREHEAD = 10  # top of the mesh's midline, near the hairline
CHEEKS = (234, 454)  # the face's outline at the cheekbones: right, left
# Pairs of mirror-image points (person's right, person's left): outer and inner eye corners,
# mouth corners, nostril wings. Rigid enough that their depths tell the yaw.
MIRROR_PAIRS = ((33, 263), (133, 362), (61, 291), (98, 327))
CROWN_FACTOR = 1.0
PITCH_OFFSET = 9.5  # degrees; see the module docstring


@dataclass(frozen=True, eq=False)
class FaceGeometry:
    """One face, in the coordinates of the image it was found in (see `moved`/`scaled`)."""

    points: np.ndarray  # (478, 3) landmarks: x, y in pixels, z depth on the x scale
    right_eye: np.ndarray  # iris centre (x, y) of the person's right eye
    left_eye: np.ndarray
    chin: np.ndarray
    crown: np.ndarray  # estimated top of the skull, ignoring hair
    face_height: float  # chin to crown, along the face's vertical axis
    face_width: float  # cheek to cheek
    yaw: float
    pitch: float
    roll: float

    @property
    def eye_distance(self) -> float:
        """Inter-eye distance (IED): iris centre to iris centre, in pixels."""
        return float(np.linalg.norm(self.left_eye - self.right_eye))

    @property
    def eye_midpoint(self) -> np.ndarray:
        return (self.left_eye + self.right_eye) / 2

    def moved(self, dx: float, dy: float) -> FaceGeometry:
        """The same face in an image whose origin lies at (dx, dy) of this one (a crop)."""
        return self._mapped(np.array([-dx, -dy]), 1.0)

    def scaled(self, factor: float) -> FaceGeometry:
        """The same face in this image resized by `factor`."""
        return self._mapped(np.zeros(2), factor)

    def _mapped(self, shift: np.ndarray, factor: float) -> FaceGeometry:
        def pos(point: np.ndarray) -> np.ndarray:
            return (point + shift) * factor

        points = self.points.copy()
        points[:, :2] = pos(points[:, :2])
        points[:, 2] *= factor
        return replace(self, points=points, right_eye=pos(self.right_eye), left_eye=pos(self.left_eye),
                       chin=pos(self.chin), crown=pos(self.crown), face_height=self.face_height * factor,
                       face_width=self.face_width * factor)


def face_geometry(points: np.ndarray, crown_factor: float = CROWN_FACTOR,
                  pitch_offset: float = PITCH_OFFSET) -> FaceGeometry:
    """Geometry of one face from its (478, 3) landmarks in pixels."""
    right_eye, left_eye = points[RIGHT_IRIS, :2], points[LEFT_IRIS, :2]
    chin = points[CHIN, :2]
    crown, height = _crown(right_eye, left_eye, chin, crown_factor)
    width = float(np.linalg.norm(points[CHEEKS[1], :2] - points[CHEEKS[0], :2]))
    return FaceGeometry(points=points, right_eye=right_eye, left_eye=left_eye, chin=chin, crown=crown,
                        face_height=height, face_width=width, yaw=yaw(points), pitch=pitch(points, pitch_offset),
                        roll=roll(right_eye, left_eye))


def _crown(right_eye: np.ndarray, left_eye: np.ndarray, chin: np.ndarray, factor: float) -> tuple[np.ndarray, float]:
    """The crown above the eye line, and the face height chin→crown.

    The eyes sit at about half the height of the head (vertex to chin), so the crown lies about
    as far above the eye line as the chin lies below it: crown = eye line − factor × (chin − eye
    line), measured along the face's vertical axis (perpendicular to the eye line). Checked on the
    two portraits with factor 1.0: the crown lies 8.5 % of the face height below the top of the
    astronaut's hair (about 2 cm of hair on a 23 cm head) and 6.4 % below the top of Grace Hopper's
    cap, inside it; and 29–30 % above the mesh's hairline point (landmark 10), as the skull's top
    lies above the hairline. Plausible for the skull without hair or headwear on both.
    """
    middle = (right_eye + left_eye) / 2
    across = left_eye - right_eye
    down = np.array([-across[1], across[0]]) / max(float(np.linalg.norm(across)), 1e-9)  # eye line turned +90°
    below = max(float(np.dot(chin - middle, down)), 0.0)
    return middle - factor * below * down, (1.0 + factor) * below


def roll(right_eye: np.ndarray, left_eye: np.ndarray) -> float:
    dx, dy = left_eye - right_eye
    return math.degrees(math.atan2(-dy, dx))


def yaw(points: np.ndarray) -> float:
    across = sum(_unit(points[left] - points[right]) for right, left in MIRROR_PAIRS)
    return _elevation(across)


def pitch(points: np.ndarray, offset: float = PITCH_OFFSET) -> float:
    return _elevation(points[CHIN] - points[FOREHEAD]) - offset


def _elevation(vector: np.ndarray) -> float:
    """Angle of a 3-D vector out of the image plane, positive when it points away from the camera."""
    return math.degrees(math.atan2(vector[2], math.hypot(vector[0], vector[1])))


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-9)
