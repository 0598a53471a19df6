"""The real photo check (MediaPipe FaceMesh and selfie segmentation) on the derived cases.

Every case of kiosk.photo.samples is a known transformation of one of the two portraits, with
its verdicts derived from the transformation; the analyzer, finding the face and the person by
itself, must reach them: what must fail fails, and what must still pass passes. Camera frames
made from the portraits check the live guidance that the clamped photo box gives.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.photo import guidance as g
from kiosk.photo.analyzer import PhotoAnalyzer
from kiosk.photo.assessment import ALL_MEASURES, LIVE_MEASURES
from kiosk.photo.crop import Box, cut, encode_jpeg
from kiosk.photo.geometry import face_geometry
from kiosk.photo.samples import CASE_NAMES, Case, Shot, bases, camera_frame, cases, moving_frames

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scenes() -> dict[str, tuple[Shot, Box]]:
    return bases()


@pytest.fixture(scope="module")
def derived(scenes: dict[str, tuple[Shot, Box]]) -> dict[str, Case]:
    return {case.name: case for case in cases(scenes=scenes)}


@pytest.fixture(scope="module")
def analyzer() -> PhotoAnalyzer:
    with PhotoAnalyzer(live=False) as still:
        yield still  # type: ignore[misc]


def test_the_case_names_are_the_ones_built(derived: dict[str, Case]) -> None:
    assert tuple(derived) == CASE_NAMES


@pytest.mark.parametrize("name", CASE_NAMES)
def test_derived_case(name: str, derived: dict[str, Case], analyzer: PhotoAnalyzer) -> None:
    case = derived[name]
    result = analyzer.assess_photo(case.image)
    failed = set(result.failed)
    missed, wrong = case.fails - failed, case.passes & failed
    assert not missed, f"{name} ({case.why}): should fail {sorted(missed)}; {_values(result, missed)}"
    assert not wrong, f"{name} ({case.why}): should pass {sorted(wrong)}; {_values(result, wrong)}"
    assert len(case.fails | case.passes) >= len(ALL_MEASURES) - 2, "a case leaves at most two measures uncalled"


def _values(result, names) -> str:  # type: ignore[no-untyped-def]
    return ", ".join(f"{n}={result.measures[n].value} (score {result.measures[n].score})" for n in sorted(names))


def test_every_transformation_breaks_what_it_was_made_to_break(derived: dict[str, Case]) -> None:
    """The derived verdicts, case by case, for the reader (and against a silently changed sample)."""
    for portrait in ("grace_hopper", "astronaut"):
        smile = {"MouthClosed"} if portrait == "astronaut" else set()  # her smile shows teeth: an honest fail
        expect = {"base": set(), "photo_small": {"InterEyeDistance"}, "face_small": {"HeadSize"},
                  "face_left": {"LeftwardCropOfTheFaceImage"}, "face_right": {"RightwardCropOfTheFaceImage"},
                  "face_high": {"MarginAboveOfTheFaceImage"}, "face_low": {"MarginBelowOfTheFaceImage"},
                  "roll_+15": {"HeadPoseRoll"}, "roll_-4": set(), "blurred": {"Sharpness"},
                  "shadow": {"IlluminationUniformity"}, "striped_background": {"BackgroundUniformity"},
                  "blue_background": {"BackgroundColour", "BackgroundLightness"}}
        for variant, fails in expect.items():
            assert derived[f"{portrait}/{variant}"].fails == fails | smile, variant
        assert {"LuminanceMean", "BackgroundLightness"} <= derived[f"{portrait}/dark"].fails
        assert "OverExposurePrevention" in derived[f"{portrait}/bright"].fails
    assert derived["both/two_faces"].fails >= {"SingleFacePresent", "HeadSize"}


def test_no_face_cannot_assess_anything_else(derived: dict[str, Case], analyzer: PhotoAnalyzer) -> None:
    result = analyzer.assess_photo(derived["none/no_face"].image)
    assert result.measures["SingleFacePresent"].value == 0
    assert all(m.score == -1 for name, m in result.measures.items() if name != "SingleFacePresent")
    assert result.guidance() == [g.NO_FACE]


def test_two_faces_ask_for_one_person_first(derived: dict[str, Case], analyzer: PhotoAnalyzer) -> None:
    result = analyzer.assess_photo(derived["both/two_faces"].image)
    assert result.measures["SingleFacePresent"].value == 2
    assert result.guidance()[0] == g.SEVERAL_FACES


def test_portraits_read_frontal(derived: dict[str, Case], analyzer: PhotoAnalyzer) -> None:
    for portrait in ("grace_hopper", "astronaut"):
        face = analyzer.assess_photo(derived[f"{portrait}/base"].image).face
        assert face is not None and abs(face.yaw) < 2.0 and abs(face.pitch) < 3.0 and abs(face.roll) < 1.0


@pytest.mark.parametrize("angle", [-15, -4, 4, 15])
def test_turning_the_picture_by_n_degrees_reads_roll_n(angle: int, derived: dict[str, Case],
                                                       analyzer: PhotoAnalyzer) -> None:
    for portrait in ("grace_hopper", "astronaut"):
        level = analyzer.assess_photo(derived[f"{portrait}/base"].image).measures["HeadPoseRoll"].value
        turned = analyzer.assess_photo(derived[f"{portrait}/roll_{angle:+d}"].image).measures["HeadPoseRoll"].value
        assert turned - level == pytest.approx(angle, abs=1.5)  # type: ignore[operator]


def test_the_crown_estimate_lies_under_the_hair_and_above_the_forehead(scenes: dict[str, tuple[Shot, Box]]) -> None:
    for scene, _box in scenes.values():
        face = face_geometry(scene.faces[0])
        column = scene.mask[:, int(face.eye_midpoint[0]) - 20:int(face.eye_midpoint[0]) + 20]
        top_of_person = int(np.argmax(column.max(axis=1) > 0.5))  # top of the hair or cap
        assert top_of_person < face.crown[1] < scene.faces[0][10, 1]  # landmark 10: the hairline


def test_grey_and_bgra_photos_get_the_same_verdict(derived: dict[str, Case], analyzer: PhotoAnalyzer) -> None:
    colour = derived["grace_hopper/base"].image
    for image in (cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY), cv2.cvtColor(colour, cv2.COLOR_BGR2BGRA)):
        assert analyzer.assess_photo(image).compliant


def test_a_small_picture_without_a_face_is_no_face(analyzer: PhotoAnalyzer) -> None:
    result = analyzer.assess_photo(np.full((48, 64, 3), 190, np.uint8))
    assert result.guidance() == [g.NO_FACE]


# -- camera frames -------------------------------------------------------------------------------

FRAMES = {  # how the citizen sits → what the photo box makes of it → the first instruction
    "far": (dict(face_share=0.3), "HeadSize", g.COME_CLOSER),
    "close": (dict(face_share=0.9), "HeadSize", g.STEP_BACK),
    "on_the_images_left": (dict(eyes_at=(0.15, 0.46)), "LeftwardCropOfTheFaceImage", g.MOVE_LEFT),
    "on_the_images_right": (dict(eyes_at=(0.85, 0.46)), "RightwardCropOfTheFaceImage", g.MOVE_RIGHT),
    "high": (dict(eyes_at=(0.5, 0.2)), "MarginAboveOfTheFaceImage", g.HEAD_LOWER),
    "low": (dict(eyes_at=(0.5, 0.75)), "MarginBelowOfTheFaceImage", g.HEAD_HIGHER),
    "tilted": (dict(degrees=14), "HeadPoseRoll", g.HEAD_STRAIGHT),
}


@pytest.mark.parametrize("where", list(FRAMES))
def test_a_frame_guides_the_citizen(where: str, scenes: dict[str, tuple[Shot, Box]], analyzer: PhotoAnalyzer) -> None:
    placement, measure, instruction = FRAMES[where]
    scene, _box = scenes["grace_hopper"]
    result = analyzer.assess_frame(camera_frame(scene, **placement).image)  # type: ignore[arg-type]
    assert measure in result.failed
    assert result.guidance()[0] == instruction


def test_a_well_placed_frame_gives_a_compliant_photo(scenes: dict[str, tuple[Shot, Box]],
                                                     analyzer: PhotoAnalyzer) -> None:
    frame = camera_frame(scenes["grace_hopper"][0]).image
    result = analyzer.assess_frame(frame)
    assert result.compliant, result.failed
    photo = cut(frame, result.box)  # type: ignore[arg-type]
    assert photo.size == result.photo_size
    jpeg = cv2.imdecode(np.frombuffer(encode_jpeg(photo.image), np.uint8), cv2.IMREAD_COLOR)
    assert analyzer.assess_photo(jpeg).compliant  # the cut photo passes as a finished photo too


def test_the_astronauts_frame_fails_only_for_her_smile(scenes: dict[str, tuple[Shot, Box]],
                                                       analyzer: PhotoAnalyzer) -> None:
    result = analyzer.assess_frame(camera_frame(scenes["astronaut"][0]).image)
    assert result.failed == ["MouthClosed"] and result.guidance() == [g.CLOSE_MOUTH]


def test_live_frames_measure_the_live_subset(scenes: dict[str, tuple[Shot, Box]]) -> None:
    with PhotoAnalyzer(live=True) as live:
        results = [live.assess_frame(frame) for frame in moving_frames(scenes["grace_hopper"][0], 12)]
    assert all(tuple(r.measures) == LIVE_MEASURES for r in results)
    assert all(r.measures["SingleFacePresent"].passed and r.box is not None for r in results)
    assert sum(r.compliant for r in results) >= 9  # a citizen keeping roughly still is mostly fine
