"""Right-to-left text for a renderer that neither shapes nor reorders (Kivy's SDL2 text provider).

Kivy draws a string's characters from left to right, each with its isolated glyph. Arabic drawn
like that is unreadable twice over: its letters must take their joined forms (shaping), and the
text must be drawn in visual order, right to left (the Unicode bidirectional algorithm). This
module turns logical text (as translated, stored and spoken) into what must be drawn.

Order of work: shape the logical text, wrap it into lines, then reorder each line on its own.
Reordering a whole paragraph first and wrapping the result would put its last words on the top
line, so a wrapped paragraph would read bottom-up. The wrapping itself is the renderer's
(kivy.core.text lays out the shaped logical text, measuring words in its own font).

No Kivy here: these are pure functions (tests/unit/test_bidi.py).
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from arabic_reshaper import reshape
# python-bidi's pure-Python algorithm, not its faster Rust one (bidi.get_display): only this one
# mirrors brackets in right-to-left text (rule L4), and lines here are short.
from bidi.algorithm import get_display

RIGHT_TO_LEFT = frozenset({"R", "AL"})  # bidi classes: Hebrew-like and Arabic letters
LEFT_TO_RIGHT = frozenset({"L", "EN", "AN"})  # Latin and the like; digits read left to right too


def has_rtl(text: str) -> bool:
    """Whether any letter of `text` is written right to left."""
    return any(unicodedata.bidirectional(char) in RIGHT_TO_LEFT for char in text)


def shape(text: str) -> str:
    """Arabic letters in their joined forms (Arabic Presentation Forms-B), still in logical order.

    arabic-reshaper also drops the vowel marks (harakat): drawn one character after another they
    would sit beside their letter instead of above it. Everyday Arabic is written without them."""
    return reshape(text) if has_rtl(text) else text


def visual_line(line: str) -> str:
    """One line of a right-to-left paragraph in drawing order (left to right on the screen)."""
    return get_display(line, base_dir="R")


def visual_spans(spans: Sequence[str]) -> list[tuple[int, str]]:
    """One line of a right-to-left paragraph made of differently styled spans (Kivy markup), in
    drawing order: (index of the span in `spans`, its text in drawing order).

    A span is kept whole and ordered as a unit: spans of left-to-right text (a name in bold
    beside an Arabic label) keep their order among themselves, every other run of spans is
    drawn from right to left. Exact as long as no span mixes directions across its edges, which
    is how our markup is used (a tag around a label or an answer)."""
    resolved = _resolve_neutrals([_direction(span) for span in spans])
    runs: list[list[int]] = []
    for index, direction in enumerate(resolved):
        if runs and resolved[runs[-1][0]] == direction:
            runs[-1].append(index)
        else:
            runs.append([index])
    order = [i for run in reversed(runs) for i in (run if resolved[run[0]] == "L" else reversed(run))]
    return [(i, get_display(spans[i], base_dir=resolved[i])) for i in order]


def _direction(span: str) -> str | None:
    """R if the span has a right-to-left letter, else L if it has a left-to-right one, else None."""
    classes = {unicodedata.bidirectional(char) for char in span}
    if classes & RIGHT_TO_LEFT:
        return "R"
    return "L" if classes & LEFT_TO_RIGHT else None


def _resolve_neutrals(directions: list[str | None]) -> list[str]:
    """A span without letters (spaces, punctuation) goes with left-to-right neighbours on both
    sides, otherwise with the paragraph (right to left): the bidi algorithm's rule N1/N2, for spans."""
    resolved = []
    for index, direction in enumerate(directions):
        if direction is None:
            before = next((d for d in reversed(directions[:index]) if d), "R")
            after = next((d for d in directions[index + 1:] if d), "R")
            direction = "L" if before == after == "L" else "R"
        resolved.append(direction)
    return resolved
