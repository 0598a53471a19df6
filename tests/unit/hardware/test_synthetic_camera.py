"""The synthetic frame source."""

import time

import numpy as np
import pytest

from hardware.camera import FrameSource
from hardware.camera.synthetic import BACKGROUND, SKIN, SyntheticCamera


def test_frames_have_the_configured_shape_and_type():
    with SyntheticCamera(320, 240) as camera:
        assert isinstance(camera, FrameSource)
        assert camera.resolution == (320, 240)
        frame = camera.read()
    assert frame.shape == (240, 320, 3)
    assert frame.dtype == np.uint8


def test_default_resolution_is_vga():
    with SyntheticCamera() as camera:
        assert camera.read().shape == (480, 640, 3)


def test_successive_frames_differ_and_are_deterministic():
    with SyntheticCamera() as camera:
        first, second = camera.read(), camera.read()
    assert not np.array_equal(first, second)
    again = SyntheticCamera()
    assert np.array_equal(again.frame(0), first)
    assert np.array_equal(again.frame(1), second)


def test_frame_shows_a_face_on_a_grey_background():
    frame = SyntheticCamera().frame(0)
    assert tuple(frame[5, 5]) == BACKGROUND
    assert tuple(frame[240, 320]) == SKIN  # face in the middle at frame 0
    # Eyes: dark pixels in the upper half of the face.
    eye_band = frame[170:230, 220:420]
    assert (eye_band.max(axis=2) < 60).sum() > 100


def test_face_drifts_slowly():
    camera = SyntheticCamera()

    def face_centre_x(number: int) -> float:
        skin = (camera.frame(number) == SKIN).all(axis=2)
        return float(np.flatnonzero(skin.any(axis=0)).mean())

    step = abs(face_centre_x(1) - face_centre_x(0))
    assert 0 < step < 5
    assert abs(face_centre_x(37) - face_centre_x(0)) > 20


def test_read_before_open_and_after_close_returns_none():
    camera = SyntheticCamera()
    assert camera.read() is None
    camera.open()
    assert camera.read() is not None
    camera.close()
    camera.close()
    assert camera.read() is None


def test_paced_camera_delivers_at_about_its_frame_rate():
    with SyntheticCamera(64, 64, fps=50) as camera:
        start = time.monotonic()
        for _ in range(6):
            camera.read()
        elapsed = time.monotonic() - start
    assert elapsed >= 5 / 50 * 0.9  # 6 frames span 5 intervals


@pytest.mark.parametrize(
    "kwargs", [{"width": 10, "height": 480}, {"width": 640, "height": 0}, {"fps": -1}]
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        SyntheticCamera(**kwargs)
