"""Arabic for a printer that knows neither joining nor direction.

An ESC/POS printer prints one glyph per byte, left to right. Arabic therefore
goes out as presentation forms (the letter already in its isolated, initial,
medial or final shape; arabic_reshaper picks them) in visual order (python-bidi
reverses the right-to-left runs). The printer's Arabic table, PC864 (ESC t 37),
holds only part of the presentation forms; `fold_for_cp864` maps the rest onto
the forms it has, the way PC864 was designed to be used.
"""

from __future__ import annotations

import unicodedata

from arabic_reshaper import ArabicReshaper

# python-bidi's pure-Python algorithm, not its default Rust one (`bidi.get_display`):
# only this one applies rule L4 and mirrors brackets in right-to-left runs, so
# "(Meldebescheinigung)" does not print as ")Meldebescheinigung("
# (MeirKriheli/python-bidi#25).
from bidi.algorithm import get_display

CP864 = "cp864"

# Lam-alef ligatures are compulsory in Arabic and PC864 has them; the "Allah"
# word ligature (U+FDF2, on by default) is not in PC864 and would make every
# receipt that contains the word unprintable.
_RESHAPER = ArabicReshaper(configuration={"delete_harakat": True, "ARABIC LIGATURE ALLAH": False})

# PC864 has no form at all for these letters. The substitutes are the ones
# readers know from typewriters and signage: alef with hamza below is written
# without its hamza (إ -> ا), a final yeh with hamza above as alef maksura and
# hamza (ئ -> ىء).
_MISSING_IN_CP864 = {
    "\ufe87": "\ufe8d",  # alef with hamza below, isolated -> alef, isolated
    "\ufe88": "\ufe8e",  # ... final -> alef, final
    "\ufef9": "\ufefb",  # lam-alef with hamza below, isolated -> lam-alef, isolated
    "\ufefa": "\ufefc",  # ... final -> lam-alef, final
    "\ufe89": "\ufeef\ufe80",  # yeh with hamza above, isolated -> alef maksura + hamza
    "\ufe8a": "\ufef0\ufe80",  # ... final
}

# The shape PC864 prints in place of a form it lacks: its initial glyphs join on
# both sides and stand for the medial form too, its isolated glyphs stand for the
# final form; letters that look alike in every position (tah, zah) have only one.
_STAND_INS = {"FINAL": ("ISOLATED",), "MEDIAL": ("INITIAL", "ISOLATED"), "INITIAL": ("ISOLATED",)}


def in_cp864(char: str) -> bool:
    try:
        char.encode(CP864)
    except UnicodeEncodeError:
        return False
    return True


def _stand_in(char: str) -> str | None:
    """The form PC864 prints for `char`, a presentation form it lacks; None if there is none."""
    name = unicodedata.name(char, "")
    letter, _, form = name.removesuffix(" FORM").rpartition(" ")
    for other in _STAND_INS.get(form, ()):
        try:
            candidate = unicodedata.lookup(f"{letter} {other} FORM")
        except KeyError:
            continue
        if in_cp864(candidate):
            return candidate
    return None


def _cp864_table() -> dict[int, str]:
    """Every Arabic presentation form (U+FE70..U+FEFC) PC864 lacks -> what to print instead."""
    table: dict[int, str] = {}
    for code in range(0xFE70, 0xFEFD):
        char = chr(code)
        if in_cp864(char) or not unicodedata.name(char, ""):
            continue
        substitute = _MISSING_IN_CP864.get(char) or _stand_in(char)
        if substitute is not None:
            table[code] = substitute
    return table


CP864_FOLD = _cp864_table()


def shape(text: str) -> str:
    """Logical-order text with Arabic letters as presentation forms (other text unchanged)."""
    return _RESHAPER.reshape(text)


def fold_for_cp864(shaped: str) -> str:
    """Shaped text with every presentation form replaced by one PC864 has."""
    return shaped.translate(CP864_FOLD)


def visual_order(text: str, right_to_left: bool) -> str:
    """One printed row, left to right as the printer puts it on paper.

    Bidi marks (LRM, RLM, ...) steer the reordering and are then dropped: no
    code page has them. Only ever call this on one row: wrapping must happen on
    the logical text, or the last words of a sentence would print on top.
    """
    ordered = str(get_display(text, base_dir="R" if right_to_left else "L"))
    return "".join(char for char in ordered if unicodedata.category(char) != "Cf")
