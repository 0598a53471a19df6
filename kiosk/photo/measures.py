"""Quality measures of a face photo, named and scaled like ISO/IEC 29794-5 and OFIQ.

Each measure gives a raw value in its own unit and a score from 0 (worst) to 100 (best), or -1
when it cannot be assessed (no face, no background). The score is OFIQ's logistic form,
centred on the limit configured in `PhotoRules`:
- at least a limit: score = 100 · σ((value − limit) / unit)
- at most a limit:  score = 100 · σ((limit − value) / unit)
- within a band:    score = 100 · σ(min(value − low, high − value) / unit)
with σ(z) = 1 / (1 + e^−z). So a score of 50 is exactly the configured limit; `unit` says how
fast the score changes: one unit inside the limit scores 73, three units 95, one unit outside 27.
Whether a measure passes is decided on the raw value against the limit, so rounding never flips
a verdict. The units are fixed here (part of the documented mapping); the limits are config.

Raw values (all on the photo as it will be delivered):
- SingleFacePresent: the number of faces (1 passes).
- HeadSize: chin-to-crown height over the photo height.
- InterEyeDistance: iris centre to iris centre, in pixels.
- Leftward/RightwardCropOfTheFaceImage: the eye midpoint's distance from the left/right edge
  over the photo width (0.5 is centred; too little means the face is too far to that side).
- MarginAbove/MarginBelowOfTheFaceImage: room between crown and top edge / chin and bottom edge,
  over the photo height.
- HeadPoseYaw/Pitch/Roll: degrees (see kiosk.photo.geometry).
- EyesOpen, MouthClosed: opening ratios (see kiosk.photo.regions).
- LuminanceMean: mean grey level of the skin, 0–1. UnderExposurePrevention and
  OverExposurePrevention: share of skin pixels at grey 0–25 and 247–255 (OFIQ's ranges).
  DynamicRange: entropy of the skin's grey levels, in bits.
- IlluminationUniformity: mean grey of the darker face half over the brighter half.
- NaturalColour: CIELAB distance of the skin's mean (a*, b*) from the range of natural skin
  tones (a* 0–30, b* 0–40; covers pale to dark skin under neutral light).
- Sharpness: variance of the Laplacian over the variance of the grey levels, in the inner face
  resized so that the eyes are 40 px apart: normalised for face size (a sharp face scaled down
  or up reads about the same) and for contrast (a dark photo is not "blurred"). The limit 0.3
  lies between the sharp portraits (0.47–1.2, at 30 % to 150 % size) and the same blurred with
  a Gaussian of 1.2 px at the measuring scale (0.07–0.09).
- BackgroundUniformity: mean brightness gradient of the background (grey levels per pixel at
  256 px photo width; OFIQ uses the gradient too). BackgroundColour (mean CIELAB chroma) and
  BackgroundLightness (mean L*) are this project's own, for the template's "plain, light,
  preferably neutral grey" background.

Left out on purpose: NoHeadCoverings and ExpressionNeutrality (nothing here detects a cap or a
smile's meaning honestly: Grace Hopper's uniform cap passes, and that is a known gap),
EyesVisible (tinted glasses, reflections), CompressionArtifacts and UnifiedQualityScore (OFIQ uses
trained networks for them that are not available offline here). Certification of a capture
device (BSI TR-03121) is a separate step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.photo.geometry import FaceGeometry
from kiosk.photo.regions import eye_opening, halves, head_region, inner_face, mouth_opening, skin_mask
from kiosk.photo.rules import PhotoRules
from kiosk.photo.segmentation import shrink

CANNOT_ASSESS = -1
DARK_LEVEL = 25  # grey levels 0..25 count as under-exposed (OFIQ)
BRIGHT_LEVEL = 247  # 247..255 count as over-exposed (OFIQ)
SHARPNESS_EYE_DISTANCE = 40.0  # px: the face size at which sharpness is measured
NATURAL_A = (0.0, 30.0)  # CIELAB a* of natural skin (green−/red+)
NATURAL_B = (0.0, 40.0)  # CIELAB b* of natural skin (blue−/yellow+)
POSE_UNIT = 1.5  # degrees
MIN_BACKGROUND_SHARE = 0.005  # less visible background than this (about 400 pixels) cannot be judged


@dataclass(frozen=True)
class Measure:
    name: str
    score: int  # 0–100, higher is better; -1 = cannot assess
    value: float | None  # the raw value in the measure's unit; None when not assessed
    passed: bool

    @property
    def assessed(self) -> bool:
        return self.score != CANNOT_ASSESS


def not_assessed(name: str) -> Measure:
    return Measure(name, CANNOT_ASSESS, None, False)


# -- score mappings ------------------------------------------------------------------------------

def _sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))


def at_least(name: str, value: float, limit: float, unit: float) -> Measure:
    return Measure(name, round(100 * _sigma((value - limit) / unit)), float(value), value >= limit)


def at_most(name: str, value: float, limit: float, unit: float) -> Measure:
    return Measure(name, round(100 * _sigma((limit - value) / unit)), float(value), value <= limit)


def within(name: str, value: float, low: float, high: float, unit: float) -> Measure:
    return Measure(name, round(100 * _sigma(min(value - low, high - value) / unit)), float(value),
                   low <= value <= high)


# -- all measures of a face in a photo ------------------------------------------------------------

def geometric(face: FaceGeometry, width: int, height: int, rules: PhotoRules) -> list[Measure]:
    """Size, position, pose, eyes and mouth of the face in a width × height photo."""
    return [*placement(face, width, height, rules), *pose(face, rules), *expression(face, rules)]


def photometric(photo: np.ndarray, face: FaceGeometry, background_mask: np.ndarray, rules: PhotoRules) -> list[Measure]:
    """Light, colour, sharpness and background, from the photo's pixels (BGR) and its background
    mask at the width of `segmentation.shrink`."""
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY)
    skin = skin_mask(photo.shape, face.points)
    lab_skin = cv2.cvtColor(photo, cv2.COLOR_BGR2LAB)[skin]
    small = shrink(photo)
    # Not background either: the head and what is on it. The segmentation is least sure there,
    # e.g. where a cap is cut off by the photo's top edge.
    head = face.scaled(small.shape[1] / photo.shape[1])
    background_mask = background_mask & ~head_region(small.shape, head.face_height, head.face_width, head.crown,
                                                     head.chin, float(head.eye_midpoint[0]))
    return [*exposure(grey[skin], rules), illumination(grey, skin, face, rules), natural_colour(lab_skin, rules),
            sharpness(grey, face, rules), *background(small, background_mask, rules)]


# -- geometry: size, position, pose, eyes, mouth -------------------------------------------------

def single_face(count: int) -> Measure:
    return Measure("SingleFacePresent", 100 if count == 1 else 0, float(count), count == 1)


def placement(face: FaceGeometry, width: int, height: int, rules: PhotoRules) -> list[Measure]:
    """Size and position of the face in a width × height photo."""
    centre_min = 0.5 - rules.centring_tolerance
    eye_x = float(face.eye_midpoint[0])
    return [
        within("HeadSize", face.face_height / height, rules.head_size_min, rules.head_size_max, 0.02),
        at_least("InterEyeDistance", face.eye_distance, rules.inter_eye_min_px, 20.0),
        at_least("LeftwardCropOfTheFaceImage", eye_x / width, centre_min, 0.02),
        at_least("RightwardCropOfTheFaceImage", (width - eye_x) / width, centre_min, 0.02),
        at_least("MarginAboveOfTheFaceImage", float(face.crown[1]) / height, rules.margin_above_min, 0.03),
        at_least("MarginBelowOfTheFaceImage", (height - float(face.chin[1])) / height, rules.margin_below_min, 0.03),
    ]


def pose(face: FaceGeometry, rules: PhotoRules) -> list[Measure]:
    return [within("HeadPoseYaw", face.yaw, -rules.yaw_max_deg, rules.yaw_max_deg, POSE_UNIT),
            within("HeadPosePitch", face.pitch, -rules.pitch_max_deg, rules.pitch_max_deg, POSE_UNIT),
            within("HeadPoseRoll", face.roll, -rules.roll_max_deg, rules.roll_max_deg, POSE_UNIT)]


def expression(face: FaceGeometry, rules: PhotoRules) -> list[Measure]:
    return [at_least("EyesOpen", eye_opening(face.points), rules.eyes_open_min, 0.04),
            at_most("MouthClosed", mouth_opening(face.points), rules.mouth_open_max, 0.02)]


# -- light on the face ---------------------------------------------------------------------------

def exposure(skin_grey: np.ndarray, rules: PhotoRules, names: tuple[str, ...] = (
        "LuminanceMean", "UnderExposurePrevention", "OverExposurePrevention", "DynamicRange")) -> list[Measure]:
    """Brightness measures from the skin's grey levels (uint8, any shape); -1 when there is no skin."""
    if skin_grey.size == 0:
        return [not_assessed(name) for name in names]
    histogram = np.bincount(skin_grey.ravel(), minlength=256) / skin_grey.size
    results = {
        "LuminanceMean": within("LuminanceMean", float(histogram @ np.arange(256)) / 255,
                                rules.luminance_min, rules.luminance_max, 0.05),
        "UnderExposurePrevention": at_most("UnderExposurePrevention", float(histogram[:DARK_LEVEL + 1].sum()),
                                           rules.under_exposed_max, 0.02),
        "OverExposurePrevention": at_most("OverExposurePrevention", float(histogram[BRIGHT_LEVEL:].sum()),
                                          rules.over_exposed_max, 0.02),
    }
    if "DynamicRange" in names:
        results["DynamicRange"] = at_least("DynamicRange", entropy(histogram), rules.dynamic_range_min_bits, 0.5)
    return [results[name] for name in names]


def entropy(histogram: np.ndarray) -> float:
    """Shannon entropy in bits of a normalised histogram."""
    used = histogram[histogram > 0]
    return float(-(used * np.log2(used)).sum())


def illumination(grey: np.ndarray, skin: np.ndarray, face: FaceGeometry, rules: PhotoRules) -> Measure:
    right, left = halves(skin, face.points)
    if not right.any() or not left.any():
        return not_assessed("IlluminationUniformity")
    means = sorted((float(grey[right].mean()), float(grey[left].mean())))
    return at_least("IlluminationUniformity", means[0] / max(means[1], 1e-9), rules.illumination_ratio_min, 0.05)


def natural_colour(skin_lab: np.ndarray, rules: PhotoRules) -> Measure:
    """From the skin's CIELAB pixels (OpenCV 8-bit Lab, N × 3)."""
    if skin_lab.size == 0:
        return not_assessed("NaturalColour")
    a, b = (float(v) - 128.0 for v in skin_lab[:, 1:].mean(axis=0))
    distance = math.hypot(_outside(a, NATURAL_A), _outside(b, NATURAL_B))
    return at_most("NaturalColour", distance, rules.skin_colour_distance_max, 2.0)


def _outside(value: float, span: tuple[float, float]) -> float:
    return max(span[0] - value, 0.0, value - span[1])


def sharpness(grey: np.ndarray, face: FaceGeometry, rules: PhotoRules) -> Measure:
    region = inner_face(face.points, grey.shape)
    if region is None or face.eye_distance < 1:
        return not_assessed("Sharpness")
    factor = SHARPNESS_EYE_DISTANCE / face.eye_distance
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    patch = cv2.resize(grey[region].astype(np.float32), None, fx=factor, fy=factor, interpolation=interpolation)
    if min(patch.shape) < 4 or patch.var() < 1e-6:
        return not_assessed("Sharpness")
    value = float(cv2.Laplacian(patch, cv2.CV_32F).var() / patch.var())
    # Detail varies by orders of magnitude: the score follows its logarithm (a factor 2 = 2 units).
    return Measure("Sharpness", round(100 * _sigma(2 * math.log2(max(value, 1e-9) / rules.sharpness_min))), value,
                   value >= rules.sharpness_min)


# -- background ----------------------------------------------------------------------------------

def background(small_bgr: np.ndarray, mask: np.ndarray, rules: PhotoRules) -> list[Measure]:
    """Background measures from the photo at 256 px width and its background mask."""
    names = ("BackgroundUniformity", "BackgroundColour", "BackgroundLightness")
    if mask.mean() < MIN_BACKGROUND_SHARE:
        return [not_assessed(name) for name in names]
    grey = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2GRAY).astype(np.float32)
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1)) / 8  # per pixel
    lab = cv2.cvtColor(small_bgr, cv2.COLOR_BGR2LAB)[mask].astype(np.float32)
    chroma = np.hypot(lab[:, 1] - 128, lab[:, 2] - 128)
    return [at_most("BackgroundUniformity", float(gradient[mask].mean()), rules.background_gradient_max, 0.5),
            at_most("BackgroundColour", float(chroma.mean()), rules.background_chroma_max, 5.0),
            at_least("BackgroundLightness", float(lab[:, 0].mean()) * 100 / 255, rules.background_lightness_min, 5.0)]
