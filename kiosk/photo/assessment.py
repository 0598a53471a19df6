"""The result of assessing one photo or camera frame: every measure, the verdict, the crop box."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.photo.crop import Box
from kiosk.photo.geometry import FaceGeometry
from kiosk.photo.measures import Measure, not_assessed
from kiosk.photo.rules import PhotoRules

# Every measure, in the order they are shown and reported (stable).
ALL_MEASURES: tuple[str, ...] = (
    "SingleFacePresent", "HeadSize", "InterEyeDistance", "LeftwardCropOfTheFaceImage",
    "RightwardCropOfTheFaceImage", "MarginAboveOfTheFaceImage", "MarginBelowOfTheFaceImage",
    "HeadPoseYaw", "HeadPosePitch", "HeadPoseRoll", "EyesOpen", "MouthClosed",
    "LuminanceMean", "UnderExposurePrevention", "OverExposurePrevention", "DynamicRange",
    "IlluminationUniformity", "NaturalColour", "Sharpness",
    "BackgroundUniformity", "BackgroundColour", "BackgroundLightness",
)
# What the live preview measures in every frame: cheap, and all the citizen can change quickly.
LIVE_MEASURES: tuple[str, ...] = ALL_MEASURES[:ALL_MEASURES.index("OverExposurePrevention") + 1]


@dataclass(frozen=True, eq=False)
class Assessment:
    measures: dict[str, Measure]  # in ALL_MEASURES order
    box: Box | None  # the photo box in the assessed image's coordinates; None without a face
    face: FaceGeometry | None  # the (largest) face in the assessed image's coordinates
    rules: PhotoRules
    photo_size: tuple[int, int] | None = None  # (width, height) the photo has or would have when cut

    @property
    def compliant(self) -> bool:
        return not self.failed

    @property
    def failed(self) -> list[str]:
        """Measures that did not pass, including those that could not be assessed (score -1)."""
        return [name for name, measure in self.measures.items() if not measure.passed]

    def guidance(self) -> list[str]:
        """What the citizen should do, most important first (English; translate with kiosk.i18n.tr)."""
        from kiosk.photo.guidance import guidance

        return guidance(self)


def assessment(measures: list[Measure], names: tuple[str, ...], rules: PhotoRules, box: Box | None = None,
               face: FaceGeometry | None = None, photo_size: tuple[int, int] | None = None) -> Assessment:
    """An Assessment of the measures in `names`, in the standard order; missing ones are not assessed."""
    found = {measure.name: measure for measure in measures}
    ordered = {name: found.get(name) or not_assessed(name) for name in ALL_MEASURES if name in names}
    return Assessment(ordered, box, face, rules, photo_size)
