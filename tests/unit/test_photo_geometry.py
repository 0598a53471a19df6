"""Face geometry from landmarks: eyes, crown, size and head pose, on synthetic faces."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.photo.geometry import face_geometry
from tests.unit.photo_faces import EYE_TO_CHIN, face_points


def geometry(**kwargs: float):  # type: ignore[no-untyped-def]
    return face_geometry(face_points(**kwargs), pitch_offset=0.0)


def test_eyes_distance_and_midpoint() -> None:
    face = geometry(centre=(300, 200), eye_distance=120)
    assert face.eye_distance == pytest.approx(120)
    assert face.eye_midpoint == pytest.approx([300, 200])
    assert face.right_eye[0] < face.left_eye[0]  # the person's right eye is on the image's left


def test_crown_lies_as_far_above_the_eyes_as_the_chin_below() -> None:
    face = geometry(centre=(300, 200), eye_distance=100)
    assert face.chin == pytest.approx([300, 200 + EYE_TO_CHIN * 100])
    assert face.crown == pytest.approx([300, 200 - EYE_TO_CHIN * 100])
    assert face.face_height == pytest.approx(2 * EYE_TO_CHIN * 100)


def test_crown_factor_moves_the_crown() -> None:
    face = face_geometry(face_points(centre=(300, 400), eye_distance=100), crown_factor=1.2)
    assert face.crown[1] == pytest.approx(400 - 1.2 * EYE_TO_CHIN * 100)
    assert face.face_height == pytest.approx(2.2 * EYE_TO_CHIN * 100)


def test_crown_follows_a_tilted_face_along_its_own_axis() -> None:
    face = geometry(centre=(300, 400), eye_distance=100, roll=20)
    axis = (face.crown - face.chin) / np.linalg.norm(face.crown - face.chin)
    eye_line = (face.left_eye - face.right_eye) / face.eye_distance
    assert float(axis @ eye_line) == pytest.approx(0, abs=1e-9)  # at right angles to the eye line
    assert face.face_height == pytest.approx(2 * EYE_TO_CHIN * 100)


@pytest.mark.parametrize("angle", [-15.0, -4.0, 0.0, 4.0, 15.0])
def test_roll_reads_the_counter_clockwise_turn(angle: float) -> None:
    assert geometry(roll=angle).roll == pytest.approx(angle, abs=1e-6)


@pytest.mark.parametrize("angle", [-20.0, -5.0, 0.0, 5.0, 20.0])
def test_yaw_from_the_depth_of_mirror_image_points(angle: float) -> None:
    face = geometry(yaw=angle)
    assert face.yaw == pytest.approx(angle, abs=1e-6)
    assert face.pitch == pytest.approx(0, abs=1e-6) and face.roll == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("angle", [-20.0, -5.0, 0.0, 5.0, 20.0])
def test_pitch_from_forehead_and_chin_depth(angle: float) -> None:
    face = geometry(pitch=angle)
    assert face.pitch == pytest.approx(angle, abs=1e-6)
    assert face.yaw == pytest.approx(0, abs=1e-6)


def test_pose_angles_do_not_leak_into_each_other_under_roll() -> None:
    face = geometry(roll=12, yaw=6, pitch=-4)
    assert (face.roll, face.yaw, face.pitch) == pytest.approx((12, 6, -4), abs=0.6)


def test_pitch_offset_is_subtracted() -> None:
    assert face_geometry(face_points(pitch=9.5)).pitch == pytest.approx(0, abs=1e-6)  # default offset 9.5


def test_moved_and_scaled_map_every_position() -> None:
    face = geometry(centre=(300, 200), eye_distance=100)
    photo = face.moved(100, 50).scaled(0.5)
    assert photo.eye_midpoint == pytest.approx([100, 75])
    assert photo.crown == pytest.approx((face.crown - [100, 50]) * 0.5)
    assert photo.points[152, :2] == pytest.approx((face.points[152, :2] - [100, 50]) * 0.5)
    assert photo.eye_distance == pytest.approx(50) and photo.face_height == pytest.approx(face.face_height / 2)
    assert (photo.yaw, photo.pitch, photo.roll) == (face.yaw, face.pitch, face.roll)
