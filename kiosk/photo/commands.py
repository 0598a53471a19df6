"""`kiosk photo …`: check photos, cut a compliant photo from a camera frame, write the test cases.

Exit codes: `assess` 0 when every file could be read (compliant or not), 2 when one could not
(the others are still assessed); `crop` 0 when the photo was written, 1 when the frame does not
give a compliant photo, 2 when it cannot be read.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.i18n import LANGUAGES, tr
from kiosk.photo.analyzer import PhotoAnalyzer
from kiosk.photo.assessment import Assessment
from kiosk.photo.crop import Cut, cut, encode_jpeg
from kiosk.photo.guidance import label
from kiosk.photo.images import ImageError, read_image


def assess(paths: list[Path], as_json: bool, lang: str) -> int:
    if not _known_language(lang):
        return 2
    status = 0
    with PhotoAnalyzer(live=False) as analyzer:
        for path in paths:
            image = _read(path)
            if image is None:
                status = 2
                continue
            result = analyzer.assess_photo(image)
            print(json.dumps(as_record(path, result, lang), ensure_ascii=False) if as_json else table(path, result, lang))
    return status


def crop(path: Path, out: Path, lang: str) -> int:
    """Treat the image as a camera frame; write the photo only when every measure passes."""
    if not _known_language(lang):
        return 2
    image = _read(path)
    if image is None:
        return 2
    with PhotoAnalyzer(live=False) as analyzer:
        result = analyzer.assess_frame(image)
    if not result.compliant or result.box is None:
        print(f"kiosk: {path}: no compliant photo; failed: {', '.join(result.failed)}", file=sys.stderr)
        for step in result.guidance():
            print(f"  - {tr(lang, step)}", file=sys.stderr)
        return 1
    return _write_photo(cut(image, result.box), out, path, lang)


def _write_photo(photo: Cut, out: Path, source: Path, lang: str) -> int:
    try:
        data = encode_jpeg(photo.image)
    except ValueError as exc:
        print(f"kiosk: {source}: {exc}", file=sys.stderr)
        return 1
    out.write_bytes(data)
    width, height = photo.size
    print(f"{out}: {width} × {height} px, {len(data) // 1024} KB")
    if photo.note is not None:
        print(f"  {tr(lang, photo.note, **photo.note_values())}")
    return 0


def write_cases(out_dir: Path) -> int:
    """Every derived test case as a PNG (lossless) plus cases.json with the expected verdicts."""
    import cv2

    try:
        from kiosk.photo.samples import cases

        made = cases()
    except ImportError as exc:  # the astronaut comes with scikit-image, a development dependency
        print(f"kiosk: the test cases need the development dependencies ({exc})", file=sys.stderr)
        return 2

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for case in made:
        name = case.name.replace("/", "__") + ".png"
        cv2.imwrite(str(out_dir / name), case.image)
        manifest.append({"case": case.name, "file": name, "fails": sorted(case.fails),
                         "passes": sorted(case.passes), "why": case.why})
    (out_dir / "cases.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{out_dir}: {len(manifest)} cases and cases.json")
    return 0


def as_record(path: Path, result: Assessment, lang: str = "en") -> dict[str, Any]:
    """The JSON line of `kiosk photo assess --json`."""
    return {"image": str(path), "compliant": result.compliant,
            "measures": {name: {"score": m.score, "value": _number(m.value), "pass": m.passed}
                         for name, m in result.measures.items()},
            "failed": result.failed, "guidance": [tr(lang, step) for step in result.guidance()]}


def table(path: Path, result: Assessment, lang: str = "en") -> str:
    """A readable report: one line per measure, then what to do."""
    verdict = "compliant" if result.compliant else f"NOT compliant ({len(result.failed)} measure(s) failed)"
    lines = [f"{path}: {verdict}", f"  {'measure':<30} {'':<28} {'score':>5}  {'value':>9}  result"]
    for name, m in result.measures.items():
        value = "—" if m.value is None else f"{m.value:.3g}"
        outcome = "pass" if m.passed else "FAIL" if m.assessed else "cannot assess"
        lines.append(f"  {name:<30} {label(name, lang):<28} {m.score:>5}  {value:>9}  {outcome}")
    lines += [f"  -> {tr(lang, step)}" for step in result.guidance()]
    return "\n".join(lines)


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, 4)


def _read(path: Path) -> np.ndarray | None:
    try:
        return read_image(path)
    except ImageError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return None


def _known_language(lang: str) -> bool:
    if lang in LANGUAGES:
        return True
    print(f"kiosk: unknown language '{lang}'; one of {', '.join(LANGUAGES)}", file=sys.stderr)
    return False
