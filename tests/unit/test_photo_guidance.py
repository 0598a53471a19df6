"""Guidance from the failed measures: order, the citizen's own left and right, plain labels."""

from __future__ import annotations

import pytest

from kiosk.photo import guidance as g
from kiosk.photo.assessment import ALL_MEASURES, Assessment, assessment
from kiosk.photo.crop import frame_box
from kiosk.photo.geometry import face_geometry
from kiosk.photo.measures import Measure, not_assessed, placement
from kiosk.photo.rules import PhotoRules
from tests.unit.photo_faces import face_points

RULES = PhotoRules()


def result(failing: dict[str, float] | None = None, missing: tuple[str, ...] = ()) -> Assessment:
    """Every measure passing, except `failing` (name: raw value) and `missing` (not assessed)."""
    failing = failing or {}
    measures = [not_assessed(name) if name in missing else
                Measure(name, 10, failing[name], False) if name in failing else Measure(name, 90, 1.0, True)
                for name in ALL_MEASURES]
    return assessment(measures, ALL_MEASURES, RULES)


def test_a_compliant_photo_needs_no_guidance() -> None:
    assert result().guidance() == [] and result().compliant


def test_no_face_says_only_to_sit_in_front_of_the_camera() -> None:
    nothing = result({"SingleFacePresent": 0.0}, missing=ALL_MEASURES[1:])
    assert nothing.guidance() == [g.NO_FACE]
    assert nothing.failed == list(ALL_MEASURES)  # what cannot be assessed does not pass either


def test_guidance_comes_most_important_first() -> None:
    many = result({"Sharpness": 0.1, "BackgroundUniformity": 5.0, "MouthClosed": 0.2, "HeadPoseRoll": 12.0,
                   "HeadSize": 0.6, "SingleFacePresent": 2.0, "LuminanceMean": 0.2, "RightwardCropOfTheFaceImage": 0.3})
    assert many.guidance() == [g.SEVERAL_FACES, g.COME_CLOSER, g.MOVE_RIGHT, g.HEAD_STRAIGHT, g.CLOSE_MOUTH,
                               g.MORE_LIGHT, g.PLAIN_BACKGROUND, g.HOLD_STILL]


def test_head_size_says_which_way_to_move() -> None:
    assert result({"HeadSize": 0.6}).guidance() == [g.COME_CLOSER]
    assert result({"HeadSize": 0.9}).guidance() == [g.STEP_BACK]
    assert result({"InterEyeDistance": 60.0}).guidance() == [g.COME_CLOSER]


def test_too_close_is_one_instruction_not_three() -> None:
    close = result({"HeadSize": 0.93, "MarginAboveOfTheFaceImage": -0.01, "MarginBelowOfTheFaceImage": 0.06})
    assert close.guidance() == [g.STEP_BACK]


@pytest.mark.parametrize(("image_x", "instruction"), [(150.0, g.MOVE_LEFT), (1130.0, g.MOVE_RIGHT)])
def test_left_and_right_are_the_citizens_own(image_x: float, instruction: str) -> None:
    # The camera image is not mirrored: a face on the image's left belongs to a citizen who stands
    # too far to their own right, so they must move to THEIR left (and the other way round).
    face = face_geometry(face_points(centre=(image_x, 440), eye_distance=130))
    box = frame_box(face, 1280, 960, RULES)
    in_photo = face.moved(box.x, box.y)
    measures = {m.name: m for m in placement(in_photo, box.width, box.height, RULES)}
    found = result({name: m.value for name, m in measures.items() if not m.passed})  # type: ignore[misc]
    assert found.guidance() == [instruction]


def test_up_and_down_name_the_head_and_the_camera() -> None:
    assert result({"MarginAboveOfTheFaceImage": -0.02}).guidance() == [g.HEAD_LOWER]
    assert result({"MarginBelowOfTheFaceImage": 0.05}).guidance() == [g.HEAD_HIGHER]
    assert "camera up" in g.HEAD_LOWER and "camera down" in g.HEAD_HIGHER


def test_pitch_says_which_way_to_move_the_chin() -> None:
    assert result({"HeadPosePitch": 9.0}).guidance() == [g.RAISE_CHIN]  # positive: chin down
    assert result({"HeadPosePitch": -9.0}).guidance() == [g.LOWER_CHIN]
    assert result({"HeadPoseYaw": 9.0}).guidance() == [g.LOOK_STRAIGHT]


def test_light_says_more_or_less_or_even() -> None:
    assert result({"UnderExposurePrevention": 0.3}).guidance() == [g.MORE_LIGHT]
    assert result({"OverExposurePrevention": 0.3}).guidance() == [g.LESS_LIGHT]
    dark = assessment([Measure("LuminanceMean", 5, 0.2, False), Measure("DynamicRange", 10, 5.0, False)],
                      ALL_MEASURES, RULES)
    assert g.MORE_LIGHT in dark.guidance() and g.LESS_LIGHT not in dark.guidance()
    bright = assessment([Measure("LuminanceMean", 5, 0.9, False)], ALL_MEASURES, RULES)
    assert g.LESS_LIGHT in bright.guidance()
    assert result({"IlluminationUniformity": 0.5}).guidance() == [g.EVEN_LIGHT]


def test_each_instruction_appears_once() -> None:
    background = result({"BackgroundUniformity": 5.0, "BackgroundColour": 50.0, "BackgroundLightness": 20.0})
    assert background.guidance() == [g.PLAIN_BACKGROUND]


def test_every_measure_has_a_plain_label_and_explanation() -> None:
    assert set(g.LABELS) == set(ALL_MEASURES)
    assert g.label("HeadPoseRoll") == "Head straight"
    assert g.explain(Measure("EyesOpen", 90, 0.3, True)) == "Eyes open: good."
    assert g.explain(Measure("Sharpness", 10, 0.1, False)) == "Sharp: needs to be better."
    assert g.explain(not_assessed("BackgroundColour")) == "Neutral background colour: could not be checked."


def test_texts_are_marked_for_translation() -> None:
    from kiosk.translations import ui_messages

    found = ui_messages()
    texts = [value for name, value in vars(g).items() if name.isupper() and isinstance(value, str)]
    assert len(texts) > 20
    assert all(text in found for text in [*texts, *g.LABELS.values()]), [t for t in texts if t not in found]
