"""The photo box, its clamping into camera frames, cutting, and the JPEG size limits."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.i18n import tr
from kiosk.photo.crop import (ASPECT, JPEG_MAX_BYTES, JPEG_MIN_BYTES, PHOTO_SIZE, Box, clamped, cut, encode_jpeg,
                              frame_box, largest_box, photo_box)
from kiosk.photo.geometry import face_geometry
from kiosk.photo.measures import placement
from kiosk.photo.rules import PhotoRules
from tests.unit.photo_faces import face_points

RULES = PhotoRules()


def face(centre: tuple[float, float], eye_distance: float):  # type: ignore[no-untyped-def]
    return face_geometry(face_points(centre=centre, eye_distance=eye_distance), pitch_offset=0.0)


def in_box(geometry, box: Box):  # type: ignore[no-untyped-def]
    """The face's size and position measures as the photo cut from `box` would show them."""
    photo = geometry.moved(box.x, box.y)
    return {m.name: m for m in placement(photo, box.width, box.height, RULES)}


def test_photo_box_follows_the_template() -> None:
    geometry = face((500, 400), 100)
    box = photo_box(geometry, RULES)
    assert box.width / box.height == pytest.approx(35 / 45)
    assert geometry.face_height / box.height == pytest.approx(0.74)
    assert box.centre[0] == pytest.approx(500)  # centred on the eyes
    assert (geometry.crown[1] - box.y) / box.height == pytest.approx(RULES.crop_margin_above)
    eye_line_from_bottom = (box.y + box.height - geometry.eye_midpoint[1]) / box.height
    assert 0.5 <= eye_line_from_bottom <= 0.7
    assert all(m.passed for m in in_box(geometry, box).values())


@pytest.mark.parametrize("size", [(640, 480), (1280, 720), (480, 640), (1000, 1000)])
def test_largest_box_fits_and_is_centred(size: tuple[int, int]) -> None:
    box = largest_box(*size)
    assert box.width / box.height == pytest.approx(ASPECT)
    assert box.x >= 0 and box.y >= 0 and box.x + box.width <= size[0] + 1e-9 and box.y + box.height <= size[1] + 1e-9
    assert box.height == pytest.approx(size[1]) or box.width == pytest.approx(size[0])
    assert box.centre == pytest.approx((size[0] / 2, size[1] / 2))


def test_a_box_sticking_out_is_shifted_inside_without_resizing() -> None:
    box = clamped(Box(-50, 300, 250, 250 / ASPECT), 640, 480, 0.6)
    assert (box.x, box.y + box.height) == pytest.approx((0, 480))
    assert box.height == pytest.approx(250 / ASPECT)


def test_a_box_taller_than_the_frame_shrinks_to_the_largest_that_fits() -> None:
    box = clamped(Box(100, -100, 600 * ASPECT, 600), 640, 480, 0.6)
    assert box.height == pytest.approx(480) and box.y == pytest.approx(0)


def test_a_box_is_never_smaller_than_the_minimum_share() -> None:
    box = clamped(Box(300, 200, 50 * ASPECT, 50), 640, 480, 0.6)
    assert box.height == pytest.approx(0.6 * 480)
    assert box.centre[0] == pytest.approx(300 + 25 * ASPECT)  # grown about its centre, then kept inside


def test_too_far_away_reads_as_head_too_small() -> None:
    far = face((640, 480), 30)  # a small face in the middle of a 1280 × 960 frame
    measures = in_box(far, frame_box(far, 1280, 960, RULES))
    assert not measures["HeadSize"].passed and measures["HeadSize"].value < RULES.head_size_min


def test_too_close_reads_as_head_too_large() -> None:
    close = face((640, 360), 175)  # face height 612 px: the box would need 828 px of a 720 px frame
    measures = in_box(close, frame_box(close, 1280, 720, RULES))
    assert not measures["HeadSize"].passed and measures["HeadSize"].value > RULES.head_size_max


def test_a_face_on_the_images_left_fails_the_leftward_crop() -> None:
    left = face((120, 440), 130)
    measures = in_box(left, frame_box(left, 1280, 960, RULES))
    assert not measures["LeftwardCropOfTheFaceImage"].passed
    assert measures["RightwardCropOfTheFaceImage"].passed and measures["HeadSize"].passed


def test_a_face_too_high_fails_the_margin_above() -> None:
    high = face((640, 200), 130)  # the crown would be 27 px above the frame
    measures = in_box(high, frame_box(high, 1280, 960, RULES))
    assert not measures["MarginAboveOfTheFaceImage"].passed and measures["MarginBelowOfTheFaceImage"].passed


def test_cut_downscales_a_large_box_to_the_600_dpi_size() -> None:
    frame = np.random.default_rng(1).integers(0, 256, (2000, 1600, 3), np.uint8)
    photo = cut(frame, Box(100, 50, 1400 * ASPECT, 1400))
    assert photo.size == PHOTO_SIZE and photo.full_size and photo.scale == pytest.approx(1063 / 1400)
    assert photo.note is None


def test_cut_never_upscales_a_small_box() -> None:
    frame = np.random.default_rng(2).integers(0, 256, (480, 640, 3), np.uint8)
    box = Box(200, 10, 350 * ASPECT, 350)
    photo = cut(frame, box)
    assert photo.size == (272, 350) and not photo.full_size and photo.scale == 1.0
    assert np.array_equal(photo.image, frame[10:360, 200:472])
    assert tr("en", photo.note, **photo.note_values()) == "The photo is 272 × 350 pixels, less than 827 × 1063."


def jpeg_size_ok(data: bytes) -> bool:
    return JPEG_MIN_BYTES <= len(data) <= JPEG_MAX_BYTES


def test_jpeg_of_a_photo_is_within_the_limits_and_decodes() -> None:
    rng = np.random.default_rng(3)
    image = cv2.GaussianBlur(rng.integers(0, 256, (1063, 827, 3), np.uint8), (0, 0), 2)
    data = encode_jpeg(image)
    assert jpeg_size_ok(data)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == image.shape


def test_jpeg_quality_rises_for_a_smooth_photo() -> None:
    ramp = np.linspace(60, 200, 827, dtype=np.float32)[None, :, None].repeat(1063, 0).repeat(3, 2)
    image = (ramp + np.random.default_rng(4).normal(0, 0.5, ramp.shape)).clip(0, 255).astype(np.uint8)
    assert len(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])[1]) < JPEG_MIN_BYTES
    assert jpeg_size_ok(encode_jpeg(image))


def test_jpeg_quality_falls_for_a_huge_noisy_picture() -> None:
    image = np.random.default_rng(5).integers(0, 256, (3600, 3600, 3), np.uint8)
    assert len(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])[1]) > JPEG_MAX_BYTES
    assert jpeg_size_ok(encode_jpeg(image))


def test_a_flat_tiny_picture_cannot_reach_the_minimum_size() -> None:
    with pytest.raises(ValueError, match="no quality fits"):
        encode_jpeg(np.full((40, 30, 3), 128, np.uint8))
