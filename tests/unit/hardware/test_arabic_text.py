"""Arabic shaped into PC864's presentation forms and put in visual order."""

import unicodedata

import pytest

from hardware.printer.arabic_text import CP864_FOLD, fold_for_cp864, in_cp864, shape, visual_order

# Hamza to yeh, the letters Arabic is written with (U+063B..U+0640 are letters
# of other languages and the tatweel).
ARABIC_LETTERS = [chr(code) for code in [*range(0x0621, 0x063B), *range(0x0641, 0x064B)]]
ALEF_MAKSURA = "ى"  # ends a word: never initial or medial in Arabic
BEH = "ب"  # joins on both sides: puts its neighbour in medial, initial or final form


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def printed_letters(word: str) -> str:
    """The letters PC864 prints for a word: alef with hamza below loses its
    hamza, a final yeh with hamza above becomes alef maksura and hamza."""
    word = word.replace("إ", "ا")
    return word[:-1] + "ىء" if word.endswith("ئ") else word


@pytest.mark.parametrize("letter", ARABIC_LETTERS)
def test_every_letter_in_every_position_has_a_glyph_in_cp864(letter):
    words = [letter, letter + BEH, BEH + letter + BEH, BEH + letter, "ل" + letter]
    for word in words if letter != ALEF_MAKSURA else words[::3]:
        folded = fold_for_cp864(shape(word))
        assert all(in_cp864(char) for char in folded), (word, [unicodedata.name(c) for c in folded])
        # The printed presentation forms normalise back to the same letters.
        assert nfkc(folded) == printed_letters(word)


def test_only_documented_letters_change_all_other_folds_keep_the_letter():
    changed = {chr(code): nfkc(chr(code)) for code, stand_in in CP864_FOLD.items() if nfkc(stand_in) != nfkc(chr(code))}
    assert sorted(changed.values()) == sorted(["إ", "إ", "ئ", "ئ", "لإ", "لإ"])
    assert len(CP864_FOLD) > 50  # PC864 lacks most final and medial forms


def test_words_are_shaped_and_folded_to_the_forms_pc864_prints():
    folded = fold_for_cp864(shape("الجواز"))
    # alef, lam initial, jeem medial -> initial, waw final -> isolated, alef (waw does not join on), zain final -> isolated
    assert [unicodedata.name(c).removeprefix("ARABIC LETTER ") for c in folded] == [
        "ALEF ISOLATED FORM", "LAM INITIAL FORM", "JEEM INITIAL FORM", "WAW ISOLATED FORM",
        "ALEF ISOLATED FORM", "ZAIN ISOLATED FORM"]  # fmt: skip
    assert fold_for_cp864(shape("لا")) == "\ufefb"  # lam-alef, compulsory, in PC864
    assert fold_for_cp864(shape("الله")) == "\ufe8d\ufedf\ufedf\ufee9"  # no "Allah" ligature: PC864 lacks it


def test_visual_order_reverses_arabic_and_keeps_codes_numbers_and_brackets_readable():
    assert visual_order("رقم المعاملة", True) == "ةلماعملا مقر"
    assert visual_order("MB-7K3Q-9XZ2", True) == "MB-7K3Q-9XZ2"
    assert visual_order("شهادة (Meldebescheinigung)", True) == "(Meldebescheinigung) ةداهش"
    assert visual_order("طلبكم.", True) == ".مكبلط"
    # The LRM keeps the phone number in writing order; the mark itself is dropped.
    assert visual_order("مثلا: \u200e0221 12345678", True) == "0221 12345678 :الثم"
    assert visual_order("Rathaus, Foyer", False) == "Rathaus, Foyer"
