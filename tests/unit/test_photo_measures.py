"""The quality measures' raw values and their 0–100 scores, on synthetic faces and pixels."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.photo.geometry import face_geometry
from kiosk.photo.measures import (at_least, at_most, background, entropy, exposure, expression, illumination,
                                  natural_colour, placement, pose, sharpness, within)
from kiosk.photo.regions import skin_mask
from kiosk.photo.rules import PhotoRules
from tests.unit.photo_faces import face_points

RULES = PhotoRules()


# -- score mappings ------------------------------------------------------------------------------

def test_the_limit_scores_50_and_one_unit_inside_73() -> None:
    assert at_least("x", 90, 90, 20).score == 50 and at_least("x", 90, 90, 20).passed
    assert at_least("x", 110, 90, 20).score == 73 and at_least("x", 70, 90, 20).score == 27
    assert at_most("x", 0.05, 0.05, 0.02).score == 50 and at_most("x", 0.05, 0.05, 0.02).passed
    assert at_most("x", 0.03, 0.05, 0.02).score == 73


def test_a_band_scores_50_at_either_edge_and_passes_inside() -> None:
    assert within("x", 0.70, 0.70, 0.80, 0.02).score == 50 and within("x", 0.80, 0.70, 0.80, 0.02).score == 50
    assert within("x", 0.75, 0.70, 0.80, 0.02).score == 92
    assert not within("x", 0.69, 0.70, 0.80, 0.02).passed and within("x", 0.7, 0.70, 0.80, 0.02).passed


@given(st.floats(-1e6, 1e6), st.floats(-100, 100), st.floats(0.01, 100))
def test_scores_stay_in_0_to_100_and_agree_with_the_verdict(value: float, limit: float, unit: float) -> None:
    for measure in (at_least("x", value, limit, unit), at_most("x", value, limit, unit)):
        assert 0 <= measure.score <= 100
        assert measure.score >= 50 if measure.passed else measure.score <= 50


@given(st.floats(0, 100), st.floats(0, 100))
def test_a_better_value_never_scores_lower(first: float, second: float) -> None:
    low, high = sorted((first, second))
    assert at_least("x", low, 50, 5).score <= at_least("x", high, 50, 5).score
    assert at_most("x", low, 50, 5).score >= at_most("x", high, 50, 5).score


# -- geometry ------------------------------------------------------------------------------------

def measures(points: np.ndarray, width: int = 827, height: int = 1063) -> dict:  # type: ignore[type-arg]
    face = face_geometry(points, pitch_offset=0.0)
    found = [*placement(face, width, height, RULES), *pose(face, RULES), *expression(face, RULES)]
    return {m.name: m for m in found}


def centred(**kwargs: float) -> np.ndarray:
    """A face placed as the template wants it in an 827 × 1063 photo (face 74 %, eye line at 55 % from the bottom)."""
    eye_distance = 0.74 * 1063 / 3.5
    return face_points(centre=(413.5, (0.08 + 0.37) * 1063), eye_distance=eye_distance, **kwargs)


def test_a_template_face_passes_every_geometric_measure() -> None:
    found = measures(centred())
    assert all(m.passed for m in found.values()), [m for m in found.values() if not m.passed]
    assert found["HeadSize"].value == pytest.approx(0.74)
    assert found["LeftwardCropOfTheFaceImage"].value == pytest.approx(0.5)


def test_inter_eye_distance_is_in_photo_pixels() -> None:
    found = measures(face_points(centre=(150, 200), eye_distance=80), 300, 386)
    assert found["InterEyeDistance"].value == pytest.approx(80) and not found["InterEyeDistance"].passed


@pytest.mark.parametrize(("angle", "name", "passes"), [
    (4.0, "HeadPoseYaw", True), (6.0, "HeadPoseYaw", False), (-6.0, "HeadPosePitch", False),
    (7.0, "HeadPoseRoll", True), (-9.0, "HeadPoseRoll", False)])
def test_pose_limits(angle: float, name: str, passes: bool) -> None:
    keyword = {"HeadPoseYaw": "yaw", "HeadPosePitch": "pitch", "HeadPoseRoll": "roll"}[name]
    found = measures(centred(**{keyword: angle}))
    assert found[name].passed is passes
    assert found[name].value == pytest.approx(angle, abs=1e-6)


def test_shut_eyes_and_an_open_mouth_fail() -> None:
    found = measures(centred(eye_opening=0.05, mouth_gap=0.15))
    assert not found["EyesOpen"].passed and found["EyesOpen"].value == pytest.approx(0.05)
    assert not found["MouthClosed"].passed and found["MouthClosed"].value == pytest.approx(0.15)
    calm = measures(centred(eye_opening=0.25, mouth_gap=0.01))
    assert calm["EyesOpen"].passed and calm["MouthClosed"].passed


# -- light and colour ----------------------------------------------------------------------------

def test_exposure_measures_of_a_well_lit_skin() -> None:
    skin = np.random.default_rng(0).normal(140, 30, 10_000).clip(0, 255).astype(np.uint8)
    found = {m.name: m for m in exposure(skin, RULES)}
    assert all(m.passed for m in found.values())
    assert found["LuminanceMean"].value == pytest.approx(140 / 255, abs=0.01)
    assert found["DynamicRange"].value == pytest.approx(6.9, abs=0.2)  # ≈ log2(σ·√(2πe)) for a normal


def test_dark_skin_is_under_exposed_and_clipped_skin_over_exposed() -> None:
    dark = {m.name: m for m in exposure(np.full(1000, 15, np.uint8), RULES)}
    assert not dark["LuminanceMean"].passed and not dark["UnderExposurePrevention"].passed
    assert dark["UnderExposurePrevention"].value == 1.0 and dark["DynamicRange"].value == 0.0
    bright = {m.name: m for m in exposure(np.array([250] * 900 + [200] * 100, np.uint8), RULES)}
    assert bright["OverExposurePrevention"].value == pytest.approx(0.9) and not bright["OverExposurePrevention"].passed


def test_no_skin_cannot_be_assessed() -> None:
    assert all(m.score == -1 and not m.passed for m in exposure(np.zeros(0, np.uint8), RULES))


def test_entropy_in_bits() -> None:
    assert entropy(np.full(256, 1 / 256)) == pytest.approx(8)
    assert entropy(np.array([0.5, 0.5, 0.0])) == pytest.approx(1)


def photo_with_face(shade: tuple[float, float] = (1.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """A grey 600 × 800 picture with a skin-coloured face, its two halves shaded as given."""
    points = face_points(centre=(300, 350), eye_distance=120)
    image = np.full((800, 600, 3), 190, np.uint8)
    skin = skin_mask(image.shape, points)
    image[skin] = (120, 150, 200)  # BGR: a light warm skin tone
    image[:, :300] = (image[:, :300] * shade[0]).astype(np.uint8)
    image[:, 300:] = (image[:, 300:] * shade[1]).astype(np.uint8)
    return image, points


def test_illumination_ratio_of_the_face_halves() -> None:
    even, points = photo_with_face()
    face = face_geometry(points)
    grey = cv2.cvtColor(even, cv2.COLOR_BGR2GRAY)
    assert illumination(grey, skin_mask(even.shape, points), face, RULES).value == pytest.approx(1.0, abs=0.01)
    shaded, _ = photo_with_face((1.0, 0.5))
    grey = cv2.cvtColor(shaded, cv2.COLOR_BGR2GRAY)
    measure = illumination(grey, skin_mask(shaded.shape, points), face, RULES)
    assert measure.value == pytest.approx(0.5, abs=0.02) and not measure.passed


def test_natural_colour_takes_a_warm_skin_and_refuses_a_blue_one() -> None:
    image, points = photo_with_face()
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)[skin_mask(image.shape, points)]
    assert natural_colour(lab, RULES).passed and natural_colour(lab, RULES).value == 0.0
    blue = cv2.cvtColor(image[..., ::-1].copy(), cv2.COLOR_BGR2LAB)[skin_mask(image.shape, points)]
    assert not natural_colour(blue, RULES).passed and natural_colour(blue, RULES).value > 10


# -- sharpness -------------------------------------------------------------------------------------

def textured(eye_distance: float, blur: float = 0.0) -> tuple[np.ndarray, object]:
    """A face-sized patch of fine texture drawn for `eye_distance`, optionally blurred (σ in eye distances)."""
    rng = np.random.default_rng(7)
    detail = cv2.resize(rng.normal(128, 40, (200, 200)).astype(np.float32), None, fx=eye_distance / 50,
                        fy=eye_distance / 50, interpolation=cv2.INTER_CUBIC)
    if blur:
        detail = cv2.GaussianBlur(detail, (0, 0), blur * eye_distance)
    size = int(4 * eye_distance)
    grey = np.clip(detail[:size, :size], 0, 255).astype(np.uint8)
    face = face_geometry(face_points(centre=(2 * eye_distance, 1.5 * eye_distance), eye_distance=eye_distance))
    return grey, face


@pytest.mark.parametrize("eye_distance", [100.0, 200.0, 400.0])
def test_sharpness_does_not_depend_on_the_face_size(eye_distance: float) -> None:
    grey, face = textured(eye_distance)
    reference_grey, reference_face = textured(200.0)
    value = sharpness(grey, face, RULES).value  # type: ignore[arg-type]
    reference = sharpness(reference_grey, reference_face, RULES).value  # type: ignore[arg-type]
    assert value == pytest.approx(reference, rel=0.25)
    assert sharpness(grey, face, RULES).passed  # type: ignore[arg-type]


def test_sharpness_fails_for_a_blurred_face_and_ignores_contrast() -> None:
    sharp_grey, face = textured(200.0)
    blurred_grey, _ = textured(200.0, blur=0.05)  # σ = 1/20 of the eye distance = 2 px at the measuring scale
    assert not sharpness(blurred_grey, face, RULES).passed  # type: ignore[arg-type]
    dim = (sharp_grey * 0.3).astype(np.uint8)
    assert sharpness(dim, face, RULES).value == pytest.approx(  # type: ignore[arg-type]
        sharpness(sharp_grey, face, RULES).value, rel=0.15)  # type: ignore[arg-type]


# -- background ----------------------------------------------------------------------------------

def test_background_measures_on_plain_striped_and_coloured_walls() -> None:
    mask = np.ones((329, 256), bool)
    plain = np.full((329, 256, 3), 190, np.uint8)
    found = {m.name: m for m in background(plain, mask, RULES)}
    assert all(m.passed for m in found.values()) and found["BackgroundUniformity"].value == 0.0
    striped = plain.copy()
    striped[:, ::8] = 90
    assert not background(striped, mask, RULES)[0].passed
    blue = {m.name: m for m in background(np.full_like(plain, (200, 90, 20)), mask, RULES)}
    assert blue["BackgroundUniformity"].passed and not blue["BackgroundColour"].passed
    assert not blue["BackgroundLightness"].passed


def test_too_little_background_cannot_be_assessed() -> None:
    mask = np.zeros((329, 256), bool)
    mask[0, :10] = True
    assert all(m.score == -1 for m in background(np.full((329, 256, 3), 190, np.uint8), mask, RULES))
