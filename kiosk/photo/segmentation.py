"""The person and the background: MediaPipe selfie segmentation (its model ships in the wheel).

Why segmentation and not "outside an enlarged head-and-shoulders box": shoulders, hair and
headwear differ too much from person to person for one fixed shape; a box generous enough for
Grace Hopper's cap and uniform would leave little background in a photo cropped to the template,
and a tight one would count hair as background. The model (256 × 256 input) cuts the person out
well on plain, striped and noisy backgrounds alike (checked on the portraits), and takes about
7 ms per photo on one core. Like the landmarker, one `Segmenter` belongs to one thread.
"""

from __future__ import annotations

import cv2
import numpy as np

WIDTH = 256  # the model's input width: a larger image only costs resizing
PERSON = 0.2  # mask level from which a pixel counts as the person (generous: edges are soft)
MARGIN = 11  # pixels (at WIDTH) added around the person, so hair and shoulder edges are not background


class Segmenter:
    """Background mask of a photo, at WIDTH pixels wide. One thread only."""

    def __init__(self) -> None:
        import mediapipe as mp

        self._model = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)

    def background(self, bgr: np.ndarray) -> np.ndarray:
        """Boolean mask, at `shrink`'s size, of what is surely background in the image."""
        rgb = cv2.cvtColor(shrink(bgr), cv2.COLOR_BGR2RGB)
        return background_of(self._model.process(rgb).segmentation_mask)

    def close(self) -> None:
        self._model.close()


def background_of(person: np.ndarray) -> np.ndarray:
    """Background mask from a soft person mask (0..1) at `shrink`'s size: away from the person's edge."""
    solid = (person > PERSON).astype(np.uint8)
    return cv2.dilate(solid, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (MARGIN, MARGIN))) == 0


def shrink(image: np.ndarray) -> np.ndarray:
    """The image (or a mask) at WIDTH pixels wide: the background measures work at this one scale."""
    height = max(round(image.shape[0] * WIDTH / image.shape[1]), 1)
    interpolation = cv2.INTER_AREA if image.shape[1] > WIDTH else cv2.INTER_LINEAR
    return cv2.resize(image, (WIDTH, height), interpolation=interpolation)
