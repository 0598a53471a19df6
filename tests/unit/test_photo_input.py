"""What goes into the photo check: arrays of any usual kind, image files good and bad, the rules."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from kiosk.config import allowed_values
from kiosk.photo.analyzer import PhotoAnalyzer
from kiosk.photo.assessment import ALL_MEASURES, LIVE_MEASURES
from kiosk.photo.images import ImageError, as_bgr, read_image
from kiosk.photo.rules import PhotoRules


@pytest.mark.parametrize("image", [
    np.zeros((20, 30), np.uint8), np.zeros((20, 30, 1), np.uint8), np.zeros((20, 30, 4), np.uint8),
    np.zeros((20, 30, 3), np.uint16)])
def test_grey_bgra_and_16_bit_become_8_bit_bgr(image: np.ndarray) -> None:
    converted = as_bgr(image)
    assert converted.shape == (20, 30, 3) and converted.dtype == np.uint8 and converted.flags.c_contiguous


def test_bgra_keeps_the_colour_and_drops_alpha() -> None:
    bgra = np.zeros((4, 4, 4), np.uint8)
    bgra[:] = (10, 20, 30, 0)
    assert as_bgr(bgra)[0, 0].tolist() == [10, 20, 30]


@pytest.mark.parametrize("image", [np.zeros(10, np.uint8), np.zeros((4, 4, 5), np.uint8),
                                   np.zeros((4, 4, 3), np.float32), np.zeros((0, 4, 3), np.uint8)])
def test_what_is_not_an_image_is_refused_with_a_reason(image: np.ndarray) -> None:
    with pytest.raises(ValueError):
        as_bgr(image)


@pytest.mark.parametrize("image", [np.zeros((20, 20), np.uint8), np.full((20, 20, 4), 200, np.uint8),
                                   np.random.default_rng(0).integers(0, 256, (20, 20, 3), np.uint8)])
@pytest.mark.parametrize("live", [False, True])
def test_a_tiny_image_gives_no_face_and_no_exception(image: np.ndarray, live: bool) -> None:
    with PhotoAnalyzer(live=live) as analyzer:
        for result, names in ((analyzer.assess_photo(image), ALL_MEASURES),
                              (analyzer.assess_frame(image), LIVE_MEASURES if live else ALL_MEASURES)):
            assert tuple(result.measures) == names
            assert result.measures["SingleFacePresent"].value == 0 and not result.compliant
            assert all(m.score == -1 and m.value is None for name, m in result.measures.items()
                       if name != "SingleFacePresent")
            assert result.box is None and result.face is None


# -- files -----------------------------------------------------------------------------------------

def test_a_good_file_is_read_as_bgr(tmp_path: Path) -> None:
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), np.full((30, 20), 77, np.uint8))
    image = read_image(path)
    assert image.shape == (30, 20, 3) and image[0, 0].tolist() == [77, 77, 77]


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"missing\.jpg: file not found"):
        read_image(tmp_path / "missing.jpg")


def test_a_text_file_named_jpg_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "letter.jpg"
    path.write_text("Sehr geehrte Damen und Herren", encoding="utf-8")
    with pytest.raises(ImageError, match=r"letter\.jpg: not an image file"):
        read_image(path)


def test_a_truncated_jpeg_is_damaged(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 256, (200, 200, 3), np.uint8)
    data = cv2.imencode(".jpg", noise)[1].tobytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"cut\.jpg: damaged or incomplete image"):
        read_image(path)


def test_a_folder_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="is a folder"):
        read_image(tmp_path)


# -- rules -----------------------------------------------------------------------------------------

def test_every_rule_has_a_default_a_description_and_a_range() -> None:
    rules = PhotoRules()
    for name, info in PhotoRules.model_fields.items():
        assert info.description and not info.description.endswith(".")
        assert " from " in allowed_values(info), name  # "a number from LOW to HIGH"
        assert getattr(rules, name) == info.default


def test_defaults_follow_the_template() -> None:
    rules = PhotoRules()
    assert (rules.head_size_min, rules.head_size_target, rules.head_size_max) == (0.70, 0.74, 0.80)
    assert (rules.yaw_max_deg, rules.pitch_max_deg, rules.roll_max_deg) == (5.0, 5.0, 8.0)
    assert rules.inter_eye_min_px == 90 and rules.min_crop_share == 0.6


@pytest.mark.parametrize("bad", [{"roll_max_deg": 90}, {"head_size_target": 0.85}, {"luminance_min": 0.9},
                                 {"unknown": 1}])
def test_bad_rules_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        PhotoRules(**bad)


def test_rules_are_frozen() -> None:
    with pytest.raises(ValidationError):
        PhotoRules().yaw_max_deg = 10  # type: ignore[misc]
