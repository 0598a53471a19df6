"""What the citizen should do, from the measures that failed; and plain names for the review screen.

Texts are English, marked with N_ and translated where they are shown (`kiosk.i18n.tr`).

Left and right are the citizen's own: the camera image is not mirrored, so it shows the citizen
as someone facing them would see them. A face too far on the image's LEFT side is a citizen
too far to THEIR RIGHT, who must move to their left; and the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.i18n import N_, tr
from kiosk.photo.measures import Measure

if TYPE_CHECKING:
    from kiosk.photo.assessment import Assessment

NO_FACE = N_("Please sit in front of the camera and look into it.")
SEVERAL_FACES = N_("Only one person may be in the picture. Please make sure you are alone.")
COME_CLOSER = N_("Please come a little closer to the camera.")
STEP_BACK = N_("Please move back a little.")
MOVE_LEFT = N_("Please move a little to your left.")
MOVE_RIGHT = N_("Please move a little to your right.")
HEAD_LOWER = N_("Please lower your head a little, or move the camera up.")
HEAD_HIGHER = N_("Please raise your head a little, or move the camera down.")
HEAD_STRAIGHT = N_("Please hold your head straight, not tilted to the side.")
LOOK_STRAIGHT = N_("Please look straight into the camera.")
RAISE_CHIN = N_("Please raise your chin a little.")
LOWER_CHIN = N_("Please lower your chin a little.")
OPEN_EYES = N_("Please keep your eyes open.")
CLOSE_MOUTH = N_("Please close your mouth and keep a calm face.")
MORE_LIGHT = N_("The picture is too dark. More light on your face is needed.")
LESS_LIGHT = N_("The picture is too bright. Less light on your face is needed.")
EVEN_LIGHT = N_("The light on your face is uneven. Both sides of your face need the same light.")
NATURAL_COLOUR = N_("The colours of the picture do not look natural. Please ask for help.")
PLAIN_BACKGROUND = N_("A plain, light background is needed behind you.")
HOLD_STILL = N_("Please hold still.")

# Plain names of the measures for the review screen.
LABELS = {
    "SingleFacePresent": N_("One person"),
    "HeadSize": N_("Head size"),
    "InterEyeDistance": N_("Enough detail"),
    "LeftwardCropOfTheFaceImage": N_("Space on the left of the photo"),  # the photo as shown, unmirrored
    "RightwardCropOfTheFaceImage": N_("Space on the right of the photo"),
    "MarginAboveOfTheFaceImage": N_("Room above the head"),
    "MarginBelowOfTheFaceImage": N_("Room below the chin"),
    "HeadPoseYaw": N_("Looking at the camera"),
    "HeadPosePitch": N_("Chin level"),
    "HeadPoseRoll": N_("Head straight"),
    "EyesOpen": N_("Eyes open"),
    "MouthClosed": N_("Mouth closed"),
    "LuminanceMean": N_("Brightness"),
    "UnderExposurePrevention": N_("Not too dark"),
    "OverExposurePrevention": N_("Not too bright"),
    "DynamicRange": N_("Contrast"),
    "IlluminationUniformity": N_("Even light"),
    "NaturalColour": N_("Natural colours"),
    "Sharpness": N_("Sharp"),
    "BackgroundUniformity": N_("Plain background"),
    "BackgroundColour": N_("Neutral background colour"),
    "BackgroundLightness": N_("Light background"),
}
GOOD = N_("{label}: good.")
NOT_GOOD = N_("{label}: needs to be better.")
UNKNOWN = N_("{label}: could not be checked.")


def guidance(assessment: Assessment) -> list[str]:
    """Instructions for the failed measures, most important first, each once (English)."""
    failed = {name: m for name, m in assessment.measures.items() if not m.passed and m.assessed}
    faces = assessment.measures.get("SingleFacePresent")
    if faces is not None and faces.value == 0:
        return [NO_FACE]  # nothing else can be said without a face
    steps = [SEVERAL_FACES if "SingleFacePresent" in failed else None,
             *_distance(failed, assessment), *_position(failed), *_pose(failed),
             OPEN_EYES if "EyesOpen" in failed else None, CLOSE_MOUTH if "MouthClosed" in failed else None,
             *_light(failed, assessment), *_background(failed),
             HOLD_STILL if "Sharpness" in failed else None]
    return list(dict.fromkeys(step for step in steps if step))


def label(name: str, lang: str = "en") -> str:
    """The measure's plain name, e.g. "Head straight" for HeadPoseRoll."""
    return tr(lang, LABELS.get(name, name))


def explain(measure: Measure, lang: str = "en") -> str:
    """One plain sentence about a measure's result, e.g. "Eyes open: good."."""
    template = GOOD if measure.passed else NOT_GOOD if measure.assessed else UNKNOWN
    return tr(lang, template, label=label(measure.name, lang))


def _distance(failed: dict[str, Measure], assessment: Assessment) -> list[str | None]:
    size = failed.get("HeadSize")
    if size is not None and size.value is not None and size.value > assessment.rules.head_size_max:
        return [STEP_BACK]
    return [COME_CLOSER if size is not None or "InterEyeDistance" in failed else None]


def _position(failed: dict[str, Measure]) -> list[str | None]:
    """One of each pair only: when both sides fail the face is too large, which _distance says."""
    left, right = "LeftwardCropOfTheFaceImage" in failed, "RightwardCropOfTheFaceImage" in failed
    above, below = "MarginAboveOfTheFaceImage" in failed, "MarginBelowOfTheFaceImage" in failed
    # Too little room on the image's left: the citizen is too far to their right (see the docstring).
    sideways = MOVE_LEFT if left and not right else MOVE_RIGHT if right and not left else None
    upright = HEAD_LOWER if above and not below else HEAD_HIGHER if below and not above else None
    return [sideways, upright]


def _pose(failed: dict[str, Measure]) -> list[str | None]:
    pitch = failed.get("HeadPosePitch")
    nod = None if pitch is None or pitch.value is None else RAISE_CHIN if pitch.value > 0 else LOWER_CHIN
    return [HEAD_STRAIGHT if "HeadPoseRoll" in failed else None, LOOK_STRAIGHT if "HeadPoseYaw" in failed else None,
            nod]


def _light(failed: dict[str, Measure], assessment: Assessment) -> list[str | None]:
    rules = assessment.rules
    mean = assessment.measures.get("LuminanceMean")
    middle = (rules.luminance_min + rules.luminance_max) / 2
    darker_half = mean is not None and mean.value is not None and mean.value < middle
    level_failed = "LuminanceMean" in failed or "DynamicRange" in failed  # say which way from the mean
    too_dark = "UnderExposurePrevention" in failed or (level_failed and darker_half)
    too_bright = "OverExposurePrevention" in failed or (level_failed and not darker_half)
    return [MORE_LIGHT if too_dark else None, LESS_LIGHT if too_bright and not too_dark else None,
            EVEN_LIGHT if "IlluminationUniformity" in failed else None,
            NATURAL_COLOUR if "NaturalColour" in failed else None]


def _background(failed: dict[str, Measure]) -> list[str | None]:
    names = ("BackgroundUniformity", "BackgroundColour", "BackgroundLightness")
    return [PLAIN_BACKGROUND if any(name in failed for name in names) else None]
