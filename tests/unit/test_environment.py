"""What the installed environment must hold for the photo pipeline (DOMAIN.md 2)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path


def test_exactly_one_opencv_distribution_is_installed() -> None:
    # Each OpenCV wheel writes the same cv2/ folder; two of them overwrite each other's files.
    found = sorted({d.metadata["Name"].lower() for d in importlib.metadata.distributions()
                    if d.metadata["Name"] and d.metadata["Name"].lower().startswith("opencv")})
    assert found == ["opencv-contrib-python"], found


def test_the_face_models_ship_inside_mediapipe() -> None:
    # Nothing may download at run time: the models the pipeline uses are files of the wheel.
    import mediapipe

    modules = Path(mediapipe.__file__).parent / "modules"
    for model in ("face_landmark/face_landmark_with_attention.tflite", "face_detection/face_detection_short_range.tflite",
                  "selfie_segmentation/selfie_segmentation.tflite"):
        assert (modules / model).is_file(), model
