"""Public-domain portraits that ship inside packages, on a plain background.

The photo tests and the demo camera are built from these (DOMAIN.md 2): Grace Hopper from
matplotlib's sample data and Eileen Collins (`skimage.data.astronaut`, scikit-image is a test
dependency). Both were taken in front of flags; the person is cut out with MediaPipe's selfie
segmentation (its model ships in the wheel) and put on a light neutral grey, as the photo rules
want, so a transformation of the result has a verdict we can derive.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import cv2
import numpy as np

PortraitName = Literal["grace_hopper", "astronaut"]
PORTRAITS: tuple[PortraitName, ...] = ("grace_hopper", "astronaut")
PLAIN_GREY = (190, 190, 190)  # BGR; a light neutral grey background


def original(name: PortraitName) -> np.ndarray:
    """The portrait as published, BGR uint8."""
    if name == "grace_hopper":
        import matplotlib

        path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(path)
        return image
    if name == "astronaut":
        from skimage import data  # test dependency only

        return np.ascontiguousarray(data.astronaut()[:, :, ::-1])
    raise ValueError(f"unknown portrait {name!r}; known: {', '.join(PORTRAITS)}")


def person_mask(image: np.ndarray) -> np.ndarray:
    """Soft mask of the person, float32 in [0, 1], the image's height and width."""
    import mediapipe as mp

    with mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0) as segmenter:
        result = segmenter.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    mask = result.segmentation_mask.astype(np.float32)
    # A little feathering hides the model's 256 px grid on the edge of hair and shoulders.
    return cv2.GaussianBlur(mask, (0, 0), sigmaX=max(1.0, image.shape[1] / 400))


def on_background(image: np.ndarray, mask: np.ndarray, background: np.ndarray) -> np.ndarray:
    """The person from `image` over `background` (same size), blended by the soft mask."""
    alpha = mask[..., None]
    return (image * alpha + background * (1.0 - alpha)).round().astype(np.uint8)


def plain(name: PortraitName, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(portrait on plain grey, person mask), optionally scaled up first (cubic)."""
    image = original(name)
    if scale != 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    mask = person_mask(image)
    background = np.empty_like(image)
    background[:] = PLAIN_GREY
    return on_background(image, mask, background), mask
