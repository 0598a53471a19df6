"""`kiosk photo assess` and `kiosk photo crop` as an operator runs them, in real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import REPO_ROOT
from kiosk.photo.crop import JPEG_MAX_BYTES, JPEG_MIN_BYTES
from kiosk.photo.samples import bases, camera_frame

pytestmark = pytest.mark.integration


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Photos and camera frames from the portraits, and the broken files an operator meets."""
    folder = tmp_path_factory.mktemp("photos")
    scenes = bases()
    grace, grace_box = scenes["grace_hopper"]
    astronaut, astronaut_box = scenes["astronaut"]
    photo = grace.photo(grace_box).image
    written = {"grace.jpg": photo, "astronaut.jpg": astronaut.photo(astronaut_box).image,
               "grey.png": cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY), "tiny.png": photo[500:520, 400:420],
               "frame.jpg": camera_frame(grace).image, "frame_left.jpg": camera_frame(grace, eyes_at=(0.15, 0.46)).image,
               "frame_astronaut.jpg": camera_frame(astronaut).image}
    paths = {}
    for name, image in written.items():
        paths[name] = folder / name
        cv2.imwrite(str(paths[name]), image)
    whole = paths["grace.jpg"].read_bytes()
    paths["truncated.jpg"] = folder / "truncated.jpg"
    paths["truncated.jpg"].write_bytes(whole[: len(whole) // 2])
    paths["letter.jpg"] = folder / "letter.jpg"
    paths["letter.jpg"].write_text("Dies ist kein Foto.\n", encoding="utf-8")
    paths["missing.jpg"] = folder / "missing.jpg"
    return paths


def json_lines(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_assess_reports_each_readable_image_and_names_each_unreadable_one(files: dict[str, Path]) -> None:
    names = ["grace.jpg", "truncated.jpg", "letter.jpg", "missing.jpg", "tiny.png", "grey.png", "astronaut.jpg"]
    done = kiosk("photo", "assess", "--json", *(str(files[n]) for n in names))
    assert done.returncode == 2  # some files could not be read; the others were still assessed
    records = json_lines(done.stdout)
    assert [Path(r["image"]).name for r in records] == ["grace.jpg", "tiny.png", "grey.png", "astronaut.jpg"]
    grace, tiny, grey, astronaut = records
    assert grace["compliant"] and grace["failed"] == [] and grace["guidance"] == []
    assert set(grace) == {"image", "compliant", "measures", "failed", "guidance"}
    assert grace["measures"]["HeadSize"]["pass"] and 0.7 <= grace["measures"]["HeadSize"]["value"] <= 0.8
    assert all(set(m) == {"score", "value", "pass"} for m in grace["measures"].values())
    assert not tiny["compliant"] and tiny["measures"]["SingleFacePresent"] == {"score": 0, "value": 0.0, "pass": False}
    assert tiny["measures"]["Sharpness"] == {"score": -1, "value": None, "pass": False}
    assert tiny["guidance"] == ["Please sit in front of the camera and look into it."]
    assert grey["compliant"]
    assert astronaut["failed"] == ["MouthClosed"]
    assert astronaut["guidance"] == ["Please close your mouth and keep a calm face."]
    assert f"{files['truncated.jpg']}: damaged or incomplete image" in done.stderr
    assert f"{files['letter.jpg']}: not an image file" in done.stderr
    assert f"{files['missing.jpg']}: file not found" in done.stderr


def test_assess_exits_0_when_every_file_was_read_even_if_not_compliant(files: dict[str, Path]) -> None:
    done = kiosk("photo", "assess", str(files["grace.jpg"]), str(files["astronaut.jpg"]))
    assert done.returncode == 0, done.stderr
    assert f"{files['grace.jpg']}: compliant" in done.stdout
    assert f"{files['astronaut.jpg']}: NOT compliant (1 measure(s) failed)" in done.stdout
    assert "MouthClosed" in done.stdout and "-> Please close your mouth" in done.stdout


def test_assess_refuses_an_unknown_language(files: dict[str, Path]) -> None:
    done = kiosk("photo", "assess", "--lang", "xx", str(files["grace.jpg"]))
    assert done.returncode == 2 and "unknown language 'xx'" in done.stderr


def test_crop_writes_a_compliant_photo_that_assess_accepts(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "passfoto.jpg"
    done = kiosk("photo", "crop", str(files["frame.jpg"]), str(out))
    assert done.returncode == 0, done.stderr
    size = out.stat().st_size
    assert JPEG_MIN_BYTES <= size <= JPEG_MAX_BYTES
    decoded = cv2.imdecode(np.frombuffer(out.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    height, width = decoded.shape[:2]
    assert f"{out}: {width} × {height} px" in done.stdout
    assert width / height == pytest.approx(35 / 45, abs=0.01)
    checked = kiosk("photo", "assess", "--json", str(out))
    assert checked.returncode == 0 and json_lines(checked.stdout)[0]["compliant"]


@pytest.mark.parametrize(("frame", "failed", "instruction"), [
    ("frame_left.jpg", "LeftwardCropOfTheFaceImage", "Please move a little to your left."),
    ("frame_astronaut.jpg", "MouthClosed", "Please close your mouth and keep a calm face.")])
def test_crop_refuses_a_frame_that_gives_no_compliant_photo(files: dict[str, Path], tmp_path: Path, frame: str,
                                                            failed: str, instruction: str) -> None:
    out = tmp_path / "not-written.jpg"
    done = kiosk("photo", "crop", str(files[frame]), str(out))
    assert done.returncode == 1
    assert failed in done.stderr and instruction in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["missing.jpg", "truncated.jpg", "letter.jpg"])
def test_crop_of_an_unreadable_file_names_it(files: dict[str, Path], tmp_path: Path, name: str) -> None:
    done = kiosk("photo", "crop", str(files[name]), str(tmp_path / "out.jpg"))
    assert done.returncode == 2 and str(files[name]) in done.stderr
