"""Test cases made from the two public-domain portraits, with verdicts derived, not hand-labelled.

Each portrait (kiosk.photo.portraits, on plain grey, scaled up first: Grace Hopper is only
512 × 600) is levelled and cut to the template: the base photo, 827 × 1063. Every other case is
a known transformation of it: a different crop box (face too small, too large, off-centre),
a rotation, a resize, a blur, an exposure change, a shadow, another background, two portraits
side by side, or no portrait at all.

Because the transformation is known, so is the truth of each case photo: where the face's 478
landmarks are (the base's landmarks carried through the transformation) and where the person is
(the segmentation mask from making the plain portrait, carried along too). The expected verdict
is every measure computed from that truth, against the rules: a measure whose predicted score is
at most 35 must fail, one at least 65 must pass, and one in between is too close to its limit to
call and is left out of both sets. The analyzer under test finds face and person itself; it must
reach the same verdicts. Each case also names the measures it was made to break, and building it
fails if the prediction does not break them (so no case quietly tests nothing).

Honest exceptions, derived like everything else: the astronaut smiles showing her teeth, so
MouthClosed fails in every astronaut case (her mouth opening reads about 0.16, the limit is
0.06). Grace Hopper wears a uniform cap, which the photo rules forbid; nothing here detects head
coverings, so her photos pass — a known gap, see kiosk.photo.measures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import cv2
import numpy as np

from kiosk.photo.assessment import ALL_MEASURES, Assessment, assessment
from kiosk.photo.crop import PHOTO_SIZE, Box, photo_box, region
from kiosk.photo.geometry import face_geometry
from kiosk.photo.landmarks import Landmarker
from kiosk.photo.measures import geometric, photometric, single_face
from kiosk.photo.portraits import PLAIN_GREY, PORTRAITS, PortraitName, plain
from kiosk.photo.rules import PhotoRules
from kiosk.photo.segmentation import background_of, shrink

SCALES: dict[str, float] = {"grace_hopper": 2.5, "astronaut": 3.0}  # enough pixels for an 827 px wide photo
MUST_FAIL, MUST_PASS = 35, 65  # predicted scores; in between is too close to the limit to call
BLUR_SIGMA = 1.2  # px of Gaussian blur at the scale where Sharpness is measured (eyes 40 px apart)
VARIANTS = ("base", "photo_small", "photo_large", "face_small", "face_large", "face_left", "face_right", "face_high",
            "face_low", "roll_+15", "roll_-15", "roll_+4", "roll_-4", "blurred", "dark", "bright", "shadow",
            "striped_background", "noisy_background", "blue_background")
CASE_NAMES = (*(f"{portrait}/{variant}" for portrait in PORTRAITS for variant in VARIANTS),
              "none/no_face", "both/two_faces")


@dataclass(frozen=True, eq=False)
class Shot:
    """A picture and its known truth: the faces' landmarks (largest first) and the person mask (0..1)."""

    image: np.ndarray
    faces: tuple[np.ndarray, ...]
    mask: np.ndarray

    def mapped(self, change: Callable[[np.ndarray], np.ndarray]) -> Shot:
        """The pixels changed in place: the face and the person stay where they are."""
        return replace(self, image=change(self.image))

    def resized(self, factor: float) -> Shot:
        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        return Shot(cv2.resize(self.image, None, fx=factor, fy=factor, interpolation=interpolation),
                    tuple(face * factor for face in self.faces),
                    cv2.resize(self.mask, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR))

    def rotated(self, degrees: float, centre: np.ndarray) -> Shot:
        """Turned counter-clockwise (as shown) about `centre`; edges repeat."""
        matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), degrees, 1.0)
        size = self.image.shape[1::-1]
        warp = dict(flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
        faces = tuple(np.column_stack([face[:, :2] @ matrix[:, :2].T + matrix[:, 2], face[:, 2]]) for face in self.faces)
        return Shot(cv2.warpAffine(self.image, matrix, size, **warp), faces, cv2.warpAffine(self.mask, matrix, size, **warp))

    def on(self, background: np.ndarray) -> Shot:
        """The person put in front of another background (same size, BGR)."""
        alpha = self.mask[..., None]
        return replace(self, image=(self.image * alpha + background * (1 - alpha)).round().astype(np.uint8))

    def photo(self, box: Box) -> Shot:
        """The box cut out and resized to 827 × 1063, as a photographer's crop would be."""
        image, mask = region(self.image, box), region(self.mask, box)
        fx, fy = PHOTO_SIZE[0] / image.shape[1], PHOTO_SIZE[1] / image.shape[0]
        origin = np.array([round(box.x), round(box.y)])
        faces = tuple(np.column_stack([(face[:, :2] - origin) * (fx, fy), face[:, 2] * fx]) for face in self.faces)
        return Shot(cv2.resize(image, PHOTO_SIZE, interpolation=cv2.INTER_AREA if fx < 1 else cv2.INTER_CUBIC), faces,
                    cv2.resize(mask, PHOTO_SIZE, interpolation=cv2.INTER_LINEAR))


@dataclass(frozen=True, eq=False)
class Case:
    name: str  # "<portrait>/<transformation>"
    image: np.ndarray  # the finished photo, BGR
    fails: frozenset[str]  # measures that must fail (or cannot be assessed)
    passes: frozenset[str]  # measures that must still pass
    why: str  # the transformation and what it breaks, in words
    predicted: Assessment  # the measures computed from the known truth


def predicted(shot: Shot, rules: PhotoRules) -> Assessment:
    """Every measure computed from the shot's known truth instead of from detection."""
    if not shot.faces:
        return assessment([single_face(0)], ALL_MEASURES, rules)
    face = face_geometry(shot.faces[0], rules.crown_factor, rules.pitch_offset_deg)
    height, width = shot.image.shape[:2]
    background = background_of(shrink(shot.mask))
    measures = [single_face(len(shot.faces)), *geometric(face, width, height, rules),
                *photometric(shot.image, face, background, rules)]
    return assessment(measures, ALL_MEASURES, rules, Box(0, 0, width, height), face, (width, height))


def case(name: str, shot: Shot, rules: PhotoRules, breaks: set[str], why: str) -> Case:
    """A case whose expected verdicts follow from the prediction; `breaks` must be among the failures."""
    truth = predicted(shot, rules)
    fails = {n for n, m in truth.measures.items() if not m.passed and m.score <= MUST_FAIL}
    passes = {n for n, m in truth.measures.items() if m.passed and m.score >= MUST_PASS}
    if not breaks <= fails:
        raise RuntimeError(f"case {name}: meant to break {sorted(breaks - fails)}, but the prediction says "
                           + ", ".join(f"{n}={truth.measures[n].value}" for n in sorted(breaks - fails)))
    return Case(name, shot.image, frozenset(fails), frozenset(passes), why, truth)


def cases(rules: PhotoRules = PhotoRules(), portraits: tuple[PortraitName, ...] = PORTRAITS,
          scenes: dict[str, tuple[Shot, Box]] | None = None) -> list[Case]:
    """Every case (named as in CASE_NAMES): each portrait's transformations, then two faces side by
    side and no face. `scenes` are the portraits' bases when already made (see `bases`)."""
    scenes = scenes if scenes is not None else bases(rules, portraits)
    found = [c for name, (scene, box) in scenes.items() for c in portrait_cases(name, scene, box, rules)]
    photos = [scene.photo(box) for scene, box in scenes.values()]
    return found + shared_cases(photos, rules)


def bases(rules: PhotoRules = PhotoRules(), portraits: tuple[PortraitName, ...] = PORTRAITS,
          ) -> dict[str, tuple[Shot, Box]]:
    """Each portrait levelled with its known truth, and its template photo box."""
    landmarker = Landmarker(live=False)
    try:
        return {name: base(name, landmarker, rules) for name in portraits}
    finally:
        landmarker.close()


def base(name: PortraitName, landmarker: Landmarker, rules: PhotoRules) -> tuple[Shot, Box]:
    """The plain portrait levelled (eyes level) with its landmarks, and the template's photo box."""
    image, mask = plain(name, SCALES[name])
    first = face_geometry(landmarker.faces(image)[0])
    level = Shot(image, (), mask).rotated(-first.roll, first.eye_midpoint)
    points = landmarker.faces(level.image)[0]  # found afresh on the level picture: the base truth
    scene = replace(level, faces=(points,))
    return scene, photo_box(face_geometry(points, rules.crown_factor, rules.pitch_offset_deg), rules)


def portrait_cases(name: str, scene: Shot, box: Box, rules: PhotoRules) -> list[Case]:
    return [*_framing_cases(name, scene, box, rules), *_pixel_cases(name, scene, box, rules),
            *_background_cases(name, scene, box, rules)]


def _framing_cases(name: str, scene: Shot, box: Box, rules: PhotoRules) -> list[Case]:
    photo = scene.photo(box)
    eyes = face_geometry(scene.faces[0]).eye_midpoint
    w, h = box.width, box.height
    return [
        case(f"{name}/base", photo, rules, set(), "levelled and cut to the template: face 74 % of the height"),
        case(f"{name}/photo_small", photo.resized(0.3), rules, {"InterEyeDistance"},
             "the base photo at 30 %: the eyes are 0.3 × as far apart, about 68 px"),
        case(f"{name}/photo_large", photo.resized(1.5), rules, set(), "the base photo at 150 %: nothing breaks"),
        case(f"{name}/face_small", scene.photo(box.resized(h * 1.3)), rules, {"HeadSize"},
             "a box 1.3 × as tall: the face fills 74 % / 1.3 = 57 % of the height"),
        case(f"{name}/face_large", scene.photo(_zoomed(box, eyes, 1.25)), rules,
             {"HeadSize", "MarginAboveOfTheFaceImage", "MarginBelowOfTheFaceImage"},
             "zoomed 1.25 × about the eyes: face 93 %, crown and chin outside their margins"),
        case(f"{name}/face_left", scene.photo(_shifted(box, 0.12 * w, 0)), rules, {"LeftwardCropOfTheFaceImage"},
             "the box moved right by 12 % of its width: the face sits left of centre"),
        case(f"{name}/face_right", scene.photo(_shifted(box, -0.12 * w, 0)), rules, {"RightwardCropOfTheFaceImage"},
             "the box moved left by 12 % of its width: the face sits right of centre"),
        case(f"{name}/face_high", scene.photo(_shifted(box, 0, 0.1 * h)), rules, {"MarginAboveOfTheFaceImage"},
             "the box moved down by 10 % of its height: the crown is cut off"),
        case(f"{name}/face_low", scene.photo(_shifted(box, 0, -0.1 * h)), rules, {"MarginBelowOfTheFaceImage"},
             "the box moved up by 10 % of its height: too little room below the chin"),
        *[case(f"{name}/roll_{angle:+d}", scene.rotated(angle, eyes).photo(box), rules,
               {"HeadPoseRoll"} if abs(angle) > rules.roll_max_deg else set(),
               f"the picture turned by {angle:+d}° about the eyes: roll {angle:+d}°, limit ±{rules.roll_max_deg:g}°")
          for angle in (15, -15, 4, -4)],
    ]


def _pixel_cases(name: str, scene: Shot, box: Box, rules: PhotoRules) -> list[Case]:
    photo = scene.photo(box)
    face = face_geometry(photo.faces[0])
    sigma = BLUR_SIGMA * face.eye_distance / 40
    cheeks = photo.faces[0][[234, 454], 0]
    return [
        case(f"{name}/blurred", photo.mapped(lambda im: cv2.GaussianBlur(im, (0, 0), sigma)), rules, {"Sharpness"},
             f"Gaussian blur of {sigma:.1f} px ({BLUR_SIGMA} px with the eyes 40 px apart)"),
        case(f"{name}/dark", photo.mapped(lambda im: _exposed(im, 0.3)), rules,
             {"LuminanceMean", "BackgroundLightness"},
             "every pixel at 30 %: the face and the background turn dark"),
        case(f"{name}/bright", photo.mapped(lambda im: _exposed(im, 1.8)), rules, {"OverExposurePrevention"},
             "every pixel at 180 %, clipped at white: much of the skin turns white"),
        case(f"{name}/shadow", replace(photo, image=_shadowed(photo, cheeks)), rules, {"IlluminationUniformity"},
             "the person darkened from 100 % at one cheek to 30 % at the other"),
    ]


def _background_cases(name: str, scene: Shot, box: Box, rules: PhotoRules) -> list[Case]:
    height, width = scene.image.shape[:2]
    stripes = np.full_like(scene.image, 225)
    stripes[:, (np.arange(width) // 30) % 2 == 1] = 110
    noise = np.random.default_rng(29794).normal(190, 40, scene.image.shape).clip(0, 255).astype(np.uint8)
    blue = np.full_like(scene.image, (200, 90, 20))
    return [
        case(f"{name}/striped_background", scene.on(stripes).photo(box), rules, {"BackgroundUniformity"},
             "grey stripes 30 px wide behind the person"),
        case(f"{name}/noisy_background", scene.on(noise).photo(box), rules, {"BackgroundUniformity"},
             "grey noise (standard deviation 40 grey levels) behind the person"),
        case(f"{name}/blue_background", scene.on(blue).photo(box), rules, {"BackgroundColour"},
             "a saturated blue background: uniform, but neither neutral nor light"),
    ]


def shared_cases(photos: list[Shot], rules: PhotoRules) -> list[Case]:
    """Two portraits side by side (the first one larger), and a photo of the background alone."""
    empty = Shot(np.full((PHOTO_SIZE[1], PHOTO_SIZE[0], 3), PLAIN_GREY, np.uint8), (),
                 np.zeros((PHOTO_SIZE[1], PHOTO_SIZE[0]), np.float32))
    found = [case("none/no_face", empty, rules, {"SingleFacePresent"}, "plain grey, nobody in it")]
    if len(photos) >= 2:
        pair = _side_by_side(empty, photos[0].resized(0.5), photos[1].resized(0.45))
        found.append(case("both/two_faces", pair, rules, {"SingleFacePresent"},
                          "both base photos side by side at 50 % and 45 %: two faces, the left one larger"))
    return found


# -- camera frames -------------------------------------------------------------------------------

def camera_frame(scene: Shot, size: tuple[int, int] = (1280, 960), face_share: float = 0.6,
                 eyes_at: tuple[float, float] = (0.5, 0.46), degrees: float = 0.0) -> Shot:
    """The portrait as a camera would see it: the face (chin to crown) `face_share` of the frame's
    height, the eye midpoint at `eyes_at` (shares of width and height), turned by `degrees`.
    The defaults put the face where the photo box fits inside the frame."""
    face = face_geometry(scene.faces[0])
    factor = face_share * size[1] / face.face_height
    matrix = cv2.getRotationMatrix2D((float(face.eye_midpoint[0]), float(face.eye_midpoint[1])), degrees, factor)
    matrix[:, 2] += np.array([eyes_at[0] * size[0], eyes_at[1] * size[1]]) - face.eye_midpoint
    warp = dict(flags=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    faces = tuple(np.column_stack([f[:, :2] @ matrix[:, :2].T + matrix[:, 2], f[:, 2] * factor]) for f in scene.faces)
    return Shot(cv2.warpAffine(scene.image, matrix, size, **warp), faces,
                cv2.warpAffine(scene.mask, matrix, size, **warp))


def moving_frames(scene: Shot, count: int, size: tuple[int, int] = (640, 480), seed: int = 0) -> list[np.ndarray]:
    """`count` frames of a citizen keeping roughly still: small random moves, turns and size changes."""
    rng = np.random.default_rng(seed)
    return [camera_frame(scene, size, 0.72 + rng.uniform(-0.03, 0.03),
                         (0.5 + rng.uniform(-0.04, 0.04), 0.47 + rng.uniform(-0.02, 0.02)),
                         rng.uniform(-3, 3)).image for _ in range(count)]


# -- transformations ------------------------------------------------------------------------------

def _shifted(box: Box, dx: float, dy: float) -> Box:
    return Box(box.x + dx, box.y + dy, box.width, box.height)


def _zoomed(box: Box, point: np.ndarray, factor: float) -> Box:
    """A box `factor` × smaller in which `point` keeps its place (a camera zooming in on it)."""
    px, py = float(point[0]), float(point[1])
    return Box(px - (px - box.x) / factor, py - (py - box.y) / factor, box.width / factor, box.height / factor)


def _exposed(image: np.ndarray, factor: float) -> np.ndarray:
    return np.clip(image.astype(np.float32) * factor, 0, 255).round().astype(np.uint8)


def _shadowed(photo: Shot, cheeks: np.ndarray) -> np.ndarray:
    """The person (not the background) darkened by a ramp from 100 % at one cheek to 30 % at the other."""
    x = np.arange(photo.image.shape[1], dtype=np.float32)
    ramp = np.interp(x, np.sort(cheeks), (1.0, 0.3)).astype(np.float32)
    light = 1 - (1 - ramp[None, :]) * photo.mask
    return np.clip(photo.image * light[..., None], 0, 255).round().astype(np.uint8)


def _side_by_side(canvas: Shot, left: Shot, right: Shot) -> Shot:
    """Two shots standing on the canvas's bottom edge, at its left and right."""
    image, mask = canvas.image.copy(), canvas.mask.copy()
    faces = []
    for shot, x in ((left, 0), (right, canvas.image.shape[1] - right.image.shape[1])):
        y = canvas.image.shape[0] - shot.image.shape[0]
        h, w = shot.image.shape[:2]
        image[y:y + h, x:x + w] = shot.image
        mask[y:y + h, x:x + w] = np.maximum(mask[y:y + h, x:x + w], shot.mask)
        faces += [face + (x, y, 0) for face in shot.faces]
    return Shot(image, tuple(faces), mask)
