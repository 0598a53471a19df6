"""Arabic on the terminal's screens, in a real Kivy window (see conftest.py): shaped, in visual
order, wrapped top line first, aligned and laid out from the right; German untouched; one font
with a real glyph for every letter of every language offered.

What a label draws is read from its core label's laid-out lines (kivy.core.text.text_layout
.LayoutLine: left edge and width in the label's texture, and the words drawn left to right),
which are exactly what the second rendering pass draws. Expected Arabic letter forms are spelled
out as Unicode code points (Arabic Presentation Forms-B), not computed by the code under test.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterator

import pytest

from kiosk.i18n import LANGUAGE_NAMES, LANGUAGES
from kiosk.journey import events as ev
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui

# Translations the test brings along (the terminal's own Arabic catalogue is not written yet).
ARABIC = {
    "Citizen terminal": "محطة المواطن",
    "Cancel": "إلغاء",
    "Help": "مساعدة",
    "Back": "رجوع",
    "What would you like to do?": "ماذا تريد أن تفعل؟",
    "Do you really want to stop?": "هل تريد حقاً التوقف؟",
    "Everything you entered will be deleted.": "سيتم حذف كل ما أدخلته.",
    "Yes, stop and delete": "نعم، توقف واحذف",
    "No, continue": "لا، تابع",
}
PARAGRAPH = ("مرحبا بكم في محطة المواطنين. هنا يمكنكم تقديم طلبات الخدمات البلدية بأنفسكم، خطوة "
             "بخطوة، ونحن نساعدكم في كل مرحلة من مراحل الطلب حتى تحصلوا على الإيصال.")
MEEM_INITIAL, ALEF_ISOLATED, TEH_MARBUTA_FINAL = "\uFEE3", "\uFE8D", "\uFE94"
ARABIC_QUESTION_MARK = "\u061F"


@pytest.fixture
def arabic(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The terminal's texts in Arabic, as far as ARABIC has them (the test may add more)."""
    import kiosk.ui.kiosk_app

    translations = dict(ARABIC)
    english = kiosk.ui.kiosk_app.tr

    def tr(lang: str, message: str, **values: object) -> str:
        if lang != "ar" or message not in translations:
            return english(lang, message, **values)
        return translations[message].format(**values) if values else translations[message]

    monkeypatch.setattr(kiosk.ui.kiosk_app, "tr", tr)
    return translations


def choose_language(kiosk: Kiosk, language: str) -> None:
    """From wherever the journey is, to the catalogue in `language` (as a citizen would)."""
    if kiosk.state.stage.name == "WELCOME":
        kiosk.app.send(ev.Start())
    elif kiosk.state.stage.name == "CATALOGUE":
        kiosk.app.send(ev.Back())
    kiosk.wait_until(lambda: kiosk.state.stage.name == "LANGUAGE", what="the language screen")
    kiosk.app.send(ev.ChooseLanguage(language))
    kiosk.wait_until(lambda: kiosk.state.stage.name == "CATALOGUE" and kiosk.app.language == language,
                     what=f"the catalogue in {language}")


def drawn(label: Any) -> list[tuple[int, int, str]]:
    """Each line the label drew: left edge and width in its texture, text left to right."""
    lines = label._label._cached_lines
    return [(line.x, line.w, "".join(word.text for word in line.words)) for line in lines]


def heading(kiosk: Kiosk) -> Any:
    from kiosk.ui.widgets import Heading

    return next(w for w in kiosk.screen.walk() if isinstance(w, Heading))


def top_bar(kiosk: Kiosk) -> Any:
    from kiosk.ui.widgets import TopBar

    return next(w for w in kiosk.screen.walk() if isinstance(w, TopBar))


def arabic_letters(text: str) -> Iterator[str]:
    return (c for c in text if unicodedata.name(c, "").startswith("ARABIC LETTER"))


def test_arabic_is_drawn_shaped_and_right_to_left(kiosk: Kiosk, arabic: dict[str, str]) -> None:
    choose_language(kiosk, "ar")
    label = heading(kiosk)
    assert label.text == "ماذا تريد أن تفعل؟"  # the text itself stays logical (read aloud, compared)
    [(x, width, text)] = drawn(label)
    letters = list(arabic_letters(text))
    assert letters and all(0xFE70 <= ord(c) <= 0xFEFF for c in letters), "every letter in a joined form"
    # Drawn left to right: the question mark ends the sentence on the left, and the first
    # letter (meem, joined to the alef after it) starts it on the right.
    assert text[0] == ARABIC_QUESTION_MARK and text[-1] == MEEM_INITIAL
    assert x + width == pytest.approx(label.width, abs=1), "aligned to the right edge"


def test_a_long_arabic_paragraph_wraps_with_its_first_words_on_the_top_line(
        kiosk: Kiosk, arabic: dict[str, str]) -> None:
    from kiosk.ui.bidi import shape

    arabic["What would you like to do?"] = PARAGRAPH
    choose_language(kiosk, "ar")
    label = heading(kiosk)
    lines = drawn(label)
    assert len(lines) >= 3, "the paragraph is longer than a line"
    # A line of Arabic read right to left is its drawn text backwards: top line first, that is
    # the paragraph's words in their order. (Reordering before wrapping reads bottom-up.)
    read = [word for _x, _w, text in lines for word in text[::-1].split()]
    assert read == shape(PARAGRAPH).split()
    for x, width, _text in lines:
        assert width <= label.width, "no line is wider than the label"
        assert x + width == pytest.approx(label.width, abs=1), "every line ends at the right edge"
    assert label.height >= sum(line.h for line in label._label._cached_lines), "all lines shown"
    kiosk.screenshot("arabic-paragraph")


def test_german_is_drawn_by_kivy_as_written(kiosk: Kiosk) -> None:
    from kivy.core.text import Label as CoreLabel

    choose_language(kiosk, "de")
    label = heading(kiosk)
    assert type(label._label) is CoreLabel, "Kivy's own core label: nothing shaped or reordered"
    [(x, _width, text)] = drawn(label)
    assert text == label.text == "Was möchten Sie tun?"
    assert x == 0, "aligned to the left"


def test_changing_the_language_redraws_texts_and_mirrors_rows(kiosk: Kiosk, arabic: dict[str, str]) -> None:
    from kivy.core.text import Label as CoreLabel

    choose_language(kiosk, "de")
    german = drawn(heading(kiosk))
    bar, back = top_bar(kiosk), kiosk.screen.ids.back
    title, help_button = bar.ids.inline, bar.ids.help  # the title beside the buttons (not stacked above)
    assert title.x < help_button.x and back.x < kiosk.window.width / 2

    choose_language(kiosk, "ar")
    assert kiosk.app.rtl
    [(_x, _w, text)] = drawn(heading(kiosk))
    assert text[-1] == MEEM_INITIAL, "the Arabic heading, drawn right to left"
    assert title.x > help_button.x, "the title on the right, the buttons on the left"
    assert back.x > kiosk.window.width / 2, "Back on the right, where a right-to-left reader starts"
    assert bar.ids.row.children[-1] == title, "the order the bar is read aloud in stays the same"
    kiosk.screenshot("catalogue-ar")

    choose_language(kiosk, "de")
    assert not kiosk.app.rtl
    assert type(heading(kiosk)._label) is CoreLabel
    assert drawn(heading(kiosk)) == german
    assert title.x < help_button.x and back.x < kiosk.window.width / 2


def test_an_overlay_in_arabic_reads_from_the_right(kiosk: Kiosk, arabic: dict[str, str]) -> None:
    choose_language(kiosk, "ar")
    kiosk.tap(top_bar(kiosk).ids.cancel)
    kiosk.wait_until(lambda: kiosk.overlay() is not None, what="the question whether to stop")
    overlay = kiosk.overlay()
    stop, keep_going = overlay.ids.confirm, overlay.ids.keep_going
    assert stop.x > keep_going.x, "the first answer on the right"
    [(_x, _w, text)] = drawn(stop)
    assert text.endswith("\uFEE2\uFECC\uFEE7"), "نعم (yes): meem, ain, noon from the left, at the right"
    kiosk.screenshot("confirm-cancel-ar")


def test_markup_keeps_its_styles_in_arabic(kiosk: Kiosk, arabic: dict[str, str]) -> None:
    from kiosk.ui.widgets import Text

    choose_language(kiosk, "ar")
    label = Text(text="الاسم:  [b]Müller[/b]", markup=True)  # as the review page shows an answer
    kiosk.screen.ids.services.add_widget(label)  # on the catalogue page, below the services
    kiosk.advance_frames(3)
    [line] = label._label._cached_lines
    left, right = line.words
    assert (left.text, left.options["bold"]) == ("Müller", True), "the answer, bold, on the left"
    assert right.text.endswith(ALEF_ISOLATED) and not right.options["bold"], "the label on the right"
    assert line.x + line.w == pytest.approx(label.width, abs=1)


def test_the_arabic_language_name_is_readable_on_the_german_screen(kiosk: Kiosk) -> None:
    from kivy.core.text import Label as CoreLabel

    kiosk.app.send(ev.Start())
    kiosk.wait_until(lambda: kiosk.state.stage.name == "LANGUAGE", what="the language screen")
    assert kiosk.app.language == "de"
    arabic_button = kiosk.button(LANGUAGE_NAMES["ar"])
    [(_x, _w, text)] = drawn(arabic_button)
    assert text[-1] == ALEF_ISOLATED and text[0] == TEH_MARBUTA_FINAL, "العربية, joined, right to left"
    assert type(kiosk.button("Deutsch")._label) is CoreLabel


def test_text_fields_stay_left_to_right_in_arabic(kiosk: Kiosk, arabic: dict[str, str]) -> None:
    from kiosk.ui.rtl import BidiBehavior
    from kiosk.ui.widgets import FieldInput

    choose_language(kiosk, "ar")
    kiosk.app.send(ev.ChooseService(next(iter(kiosk.journey.services))))
    kiosk.wait_until(lambda: kiosk.visible_widgets(FieldInput), what="a form page")
    field = kiosk.visible_widgets(FieldInput)[0]
    assert not isinstance(field, BidiBehavior)
    kiosk.tap(field)
    kiosk.window.dispatch("on_textinput", "Müller")  # what SDL2 sends for typed characters
    kiosk.advance_frames(2)
    assert field.text == "Müller" and field._lines == ["Müller"], "typed and shown left to right"
    assert kiosk.keyboard().layout == "text", "the German keyboard"


# -- one font for every language -------------------------------------------------------------

SAMPLES = {  # a sentence per language with its own letters (and the tick the form uses)
    "de": "Größe und Straße: „Bitte wählen Sie“ – ÄÖÜ äöü ß ✓",
    "en": "Please choose your language. You need your ID card or passport.",
    "tr": "Lütfen dilinizi seçin: ğĞ şŞ ıİ çÇ öÖ üÜ",
    "ar": "من فضلك اختر لغتك: الاسم، العنوان، تاريخ الميلاد؟ شكراً لا إلى ٠١٢٣٤٥٦٧٨٩",
    "ru": "Пожалуйста, выберите язык: ёЁ щ ъ ы э",
    "uk": "Будь ласка, оберіть мову: єЄ іІ їЇ ґҐ",
    "pl": "Proszę wybrać język: ąĄ ćĆ ęĘ łŁ ńŃ óÓ śŚ źŹ żŻ",
}
NOT_IN_ANY_FONT = "\U000F0001"  # private use, plane 15: drawn as the font's "missing" box


def missing_glyphs(font_file: str, text: str) -> set[str]:
    """Characters of `text` the font draws as its .notdef box (what SDL2 draws for a missing
    glyph): Pillow renders each alone, without shaping, and compares it with the box."""
    from PIL import ImageFont

    font = ImageFont.truetype(font_file, 48, layout_engine=ImageFont.Layout.BASIC)
    box = font.getmask(NOT_IN_ANY_FONT)

    def is_box(char: str) -> bool:
        mask = font.getmask(char)
        return mask.size == box.size and bytes(mask) == bytes(box)

    return {char for char in set(text) if not char.isspace() and is_box(char)}


def test_one_font_has_every_letter_of_every_language(kiosk: Kiosk) -> None:
    from kiosk.app import UI_FONT, UI_FONT_BOLD
    from kiosk.ui.bidi import shape
    from kiosk.ui.widgets import Text

    assert set(SAMPLES) == set(LANGUAGES), "a sample sentence for every language offered"
    kiosk.app.send(ev.Start())
    kiosk.wait_until(lambda: kiosk.state.stage.name == "LANGUAGE", what="the language screen")
    regular, bold = Text(text="x"), heading(kiosk)
    for label in (regular, bold):
        label._label.resolve_font_name()
    fonts = {regular._label.options["font_name_r"], bold._label.options["font_name_r"]}
    assert fonts == {str(UI_FONT), str(UI_FONT_BOLD)}, "labels draw with the registered font"
    texts = [*SAMPLES.values(), shape(SAMPLES["ar"]), *LANGUAGE_NAMES.values(), shape(LANGUAGE_NAMES["ar"])]
    for font_file in sorted(fonts):
        assert missing_glyphs(font_file, NOT_IN_ANY_FONT) == {NOT_IN_ANY_FONT}, "the check finds a gap"
        for text in texts:
            assert not missing_glyphs(font_file, text), f"{font_file} lacks glyphs for {text!r}"
