"""Face landmarks: MediaPipe 0.10.21 FaceMesh with iris points, as pixel coordinates.

FaceMesh gives 478 points per face (468 mesh points and 10 iris points, `refine_landmarks`).
Its models ship inside the mediapipe wheel, so nothing is downloaded. Two modes:

- live (`static_image_mode=False`): tracks the face from frame to frame and runs the face
  detector only when the track is lost; for every camera frame of the preview.
- still (`static_image_mode=True`): detects afresh in every image; for finished photos and
  files, where the images are unrelated.

A MediaPipe graph is not thread-safe: a `Landmarker` (and the `PhotoAnalyzer` holding it)
belongs to the one thread that calls it. Give each thread its own.
"""

from __future__ import annotations

import cv2
import numpy as np

POINTS = 478  # 468 mesh points + 2 × 5 iris points
RIGHT_IRIS = 468  # the person's right eye (on the image's left in an unmirrored photo)
LEFT_IRIS = 473  # the person's left eye
MAX_FACES = 3  # enough to notice "more than one person" without paying for a crowd


class Landmarker:
    """Finds faces and their 478 landmarks; largest face first. One thread only (see above)."""

    def __init__(self, live: bool) -> None:
        import mediapipe as mp  # heavy import: only when a landmarker is made

        self.live = live
        self._mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=not live, max_num_faces=MAX_FACES,
                                                     refine_landmarks=True)

    def faces(self, bgr: np.ndarray) -> list[np.ndarray]:
        """Each face as a (478, 3) float array: x, y in pixels, z depth on the x scale (MediaPipe)."""
        height, width = bgr.shape[:2]
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False  # lets MediaPipe use the buffer without a copy
        result = self._mesh.process(rgb)
        if not result.multi_face_landmarks:
            return []
        faces = [_pixels(face.landmark, width, height) for face in result.multi_face_landmarks]
        return sorted(faces, key=_area, reverse=True)

    def close(self) -> None:
        self._mesh.close()


def _pixels(landmarks: object, width: int, height: int) -> np.ndarray:
    # MediaPipe's z shares x's normalisation ("roughly the same scale as x"), so it scales by width.
    normalised = np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float64)  # type: ignore[attr-defined]
    return normalised * np.array([width, height, width])


def _area(points: np.ndarray) -> float:
    span = points[:, :2].max(axis=0) - points[:, :2].min(axis=0)
    return float(span[0] * span[1])
