"""The photo check: a finished photo or a camera frame in, an Assessment out.

- `assess_photo(image)`: the image is the finished photo; every measure.
- `assess_frame(frame)`: a camera frame; the photo box is found and clamped into the frame
  (kiosk.photo.crop), and the face is measured inside that box as it would appear in the cut
  photo. A live analyzer (`live=True`, for every preview frame) tracks the face and measures only
  the fast LIVE_MEASURES; otherwise every measure, on the cut photo.

An analyzer owns MediaPipe graphs, which are not thread-safe: it belongs to the one thread that
made it. Close it (or use `with`) to free them. Input may be grey, BGR or BGRA, 8 or 16 bit; an
image without a recognisable face (even a 20 × 20 one) gives SingleFacePresent = 0 and -1 for
the rest, never an exception.
"""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.photo.assessment import ALL_MEASURES, LIVE_MEASURES, Assessment, assessment
from kiosk.photo.crop import Box, cut, cut_scale, cut_size, frame_box
from kiosk.photo.geometry import FaceGeometry, face_geometry
from kiosk.photo.images import as_bgr
from kiosk.photo.landmarks import Landmarker
from kiosk.photo.measures import Measure, exposure, geometric, photometric, single_face
from kiosk.photo.regions import skin_mask
from kiosk.photo.rules import PhotoRules
from kiosk.photo.segmentation import Segmenter

MIN_SIDE = 32  # px: a smaller image holds no face worth measuring; it is not given to MediaPipe at all
LIVE_EXPOSURE = ("LuminanceMean", "UnderExposurePrevention", "OverExposurePrevention")


class PhotoAnalyzer:
    """Assesses photos and frames against `rules`. One thread only (see the module docstring)."""

    def __init__(self, rules: PhotoRules = PhotoRules(), *, live: bool) -> None:
        self.rules = rules
        self.live = live
        self._landmarkers: dict[bool, Landmarker] = {}  # made on first use: live and/or still
        self._segmenter: Segmenter | None = None

    def assess_photo(self, image: np.ndarray) -> Assessment:
        """The image is the finished photo: every measure, on the image as it is."""
        photo = as_bgr(image)
        faces = self._faces(photo, live=False)
        if not faces:
            return assessment([single_face(0)], ALL_MEASURES, self.rules)
        face = self._geometry(faces[0])
        height, width = photo.shape[:2]
        measures = [single_face(len(faces)), *geometric(face, width, height, self.rules),
                    *self._pixels(photo, face)]
        return assessment(measures, ALL_MEASURES, self.rules, Box(0, 0, width, height), face, (width, height))

    def assess_frame(self, frame: np.ndarray, scale: float = 1.0) -> Assessment:
        """A camera frame: the face measured inside the clamped photo box, as the cut photo would show it.

        Live analysis may look at a copy of the camera frame scaled down by `scale` (< 1, for
        speed); sizes in pixels (the eye distance, the photo's size) and the box are then given
        at the camera's own resolution, where the photo will be cut."""
        if scale != 1.0 and not self.live:
            raise ValueError("a still is cut from the frame itself: assess it at scale 1")
        image = as_bgr(frame)
        names = LIVE_MEASURES if self.live else ALL_MEASURES
        faces = self._faces(image, live=self.live)
        if not faces:
            return assessment([single_face(0)], names, self.rules)
        seen = self._geometry(faces[0])
        face = seen if scale == 1.0 else seen.scaled(1 / scale)
        box = frame_box(face, round(image.shape[1] / scale), round(image.shape[0] / scale), self.rules)
        in_photo = face.moved(box.x, box.y).scaled(cut_scale(box))
        size = cut_size(box)
        count = sum(1 for other in faces if _overlaps(other / scale, box))
        measures = [single_face(count), *geometric(in_photo, *size, self.rules)]
        if self.live:
            measures += exposure(_skin_grey(image, seen), self.rules, LIVE_EXPOSURE)
        else:
            measures += self._pixels(cut(image, box).image, in_photo)
        return assessment(measures, names, self.rules, box, face, size)

    def close(self) -> None:
        for landmarker in self._landmarkers.values():
            landmarker.close()
        self._landmarkers.clear()
        if self._segmenter is not None:
            self._segmenter.close()
            self._segmenter = None

    def __enter__(self) -> PhotoAnalyzer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- parts -----------------------------------------------------------------------------------

    def _faces(self, image: np.ndarray, live: bool) -> list[np.ndarray]:
        if min(image.shape[:2]) < MIN_SIDE:
            return []
        if live not in self._landmarkers:
            self._landmarkers[live] = Landmarker(live=live)
        return self._landmarkers[live].faces(image)

    def _geometry(self, points: np.ndarray) -> FaceGeometry:
        return face_geometry(points, self.rules.crown_factor, self.rules.pitch_offset_deg)

    def _pixels(self, photo: np.ndarray, face: FaceGeometry) -> list[Measure]:
        """The measures that look at the photo's pixels: light, colour, sharpness, background."""
        if self._segmenter is None:
            self._segmenter = Segmenter()
        return photometric(photo, face, self._segmenter.background(photo), self.rules)


def _skin_grey(image: np.ndarray, face: FaceGeometry) -> np.ndarray:
    """The skin's grey levels, looking only at the face's bounding box (cheap enough for every frame)."""
    low = np.maximum(np.floor(face.points[:, :2].min(axis=0)).astype(int), 0)
    high = np.minimum(np.ceil(face.points[:, :2].max(axis=0)).astype(int) + 1, image.shape[1::-1])
    if np.any(high <= low):
        return np.zeros(0, np.uint8)
    region = image[low[1]:high[1], low[0]:high[0]]
    points = face.points.copy()
    points[:, :2] -= low
    return cv2.cvtColor(region, cv2.COLOR_BGR2GRAY)[skin_mask(region.shape, points)]


def _overlaps(points: np.ndarray, box: Box) -> bool:
    """Whether a face's landmarks reach into the box (a second face there would be in the photo)."""
    x0, y0 = points[:, :2].min(axis=0)
    x1, y1 = points[:, :2].max(axis=0)
    return bool(x1 > box.x and x0 < box.x + box.width and y1 > box.y and y0 < box.y + box.height)
