"""Right-to-left text turned into what a renderer without shaping or bidi must draw (kiosk.ui.bidi).

Expected code points are spelled out (Unicode's Arabic Presentation Forms-B), not computed with
the functions under test.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk.ui.bidi import has_rtl, shape, visual_line, visual_spans

KATABA = "كتب"  # kaf, teh, beh
KATABA_SHAPED = "\uFEDB\uFE98\uFE90"  # kaf initial, teh medial, beh final


def test_right_to_left_letters_are_found_and_nothing_else() -> None:
    assert has_rtl("Name: كتب")
    assert has_rtl("שלום")  # Hebrew as well
    assert not has_rtl("Größe, Straße, ğşı, ąęł, Їжак, 0123")
    assert not has_rtl("")


def test_shaping_joins_the_letters_and_keeps_the_logical_order() -> None:
    assert shape(KATABA) == KATABA_SHAPED
    assert shape("لا") == "\uFEFB"  # lam + alef are one ligature
    assert shape("كتب Müller") == KATABA_SHAPED + " Müller"


def test_text_without_arabic_is_not_touched() -> None:
    german = "Bitte wählen Sie „Weiter“."
    assert shape(german) is german


def test_vowel_marks_are_dropped_because_they_cannot_be_placed_above_their_letter() -> None:
    assert shape("كَتَبَ") == KATABA_SHAPED


def test_a_line_is_drawn_right_to_left() -> None:
    # Drawn left to right on screen, the first logical letter is the rightmost.
    assert visual_line(KATABA_SHAPED) == "\uFE90\uFE98\uFEDB"


def test_latin_words_and_numbers_inside_arabic_stay_readable_left_to_right() -> None:
    line = shape("الاسم Max Müller 42")
    drawn = visual_line(line)
    assert drawn.startswith("Max Müller 42 ")  # the Latin part, at the end (left), in its own order
    assert drawn.endswith(shape("الاسم")[::-1])  # the first word, at the start (right)


def test_brackets_are_mirrored_in_right_to_left_text() -> None:
    drawn = visual_line(shape("(كتب)"))
    assert drawn == "(" + KATABA_SHAPED[::-1] + ")"


def test_styled_spans_are_ordered_right_to_left() -> None:
    label, value = shape("الاسم:  "), "Müller"
    assert visual_spans([label, value]) == [(1, "Müller"), (0, visual_line(label))]
    first, second = shape("أهلا "), shape("وسهلا")
    assert [index for index, _ in visual_spans([first, second])] == [1, 0]


def test_left_to_right_spans_keep_their_order_among_themselves() -> None:
    # "Name: [b]Max[/b] Müller": the Latin name is one left-to-right run over three spans.
    spans = [shape("الاسم: "), "Max", " ", "Müller"]
    drawn = visual_spans(spans)
    assert [index for index, _ in drawn] == [1, 2, 3, 0]
    assert "".join(text for _, text in drawn[:3]) == "Max Müller"


def test_a_space_between_arabic_and_latin_goes_with_the_arabic() -> None:
    assert [index for index, _ in visual_spans(["Max", " ", KATABA_SHAPED])] == [2, 1, 0]


SPAN_TEXT = st.text(alphabet=list("سلامبكم") + list("abcÄß") + [" ", ":", "1", "2"], max_size=8)


@given(st.lists(SPAN_TEXT, min_size=1, max_size=6))
def test_every_span_is_drawn_once_with_all_its_characters(spans: list[str]) -> None:
    drawn = visual_spans(spans)
    assert sorted(index for index, _ in drawn) == list(range(len(spans)))
    for index, text in drawn:
        assert sorted(text) == sorted(spans[index])
