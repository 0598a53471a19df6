"""Accessibility (BFSG / EN 301 549) in a real window: the panel, text sizes, speech, the welcome
screen's hint, the low layout for wheelchair users, and that all of it is reset for the next
citizen. Speech is checked on the MemorySpeaker (text, language and volume of every request);
layout by where widgets really are on the window.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from tests.ui.checks import (assert_controls_low, assert_nothing_cut_off, assert_overlay_in_window, window_rect)
from tests.ui.conftest import TIMING, Kiosk
from tests.ui.test_screens import LANGUAGE_NAMES, START, WELCOME, pages, problem_message, sample_answers, service, start

pytestmark = pytest.mark.ui

PANEL_BUTTON = "Bedienhilfen"  # in every screen's top bar
WELCOME_BUTTON = "Bedienhilfen  ·  Accessibility"  # the large one on the welcome screen
CLOSE = "Zurück zu meiner Seite"
HINT_DE = "Die Schaltfläche Bedienhilfen ist unten auf dem Bildschirm"
HINT_EN = "The accessibility button is at the bottom of the screen"


# -- helpers ------------------------------------------------------------------------------

def open_panel(kiosk: Kiosk, button: str = PANEL_BUTTON) -> None:
    kiosk.tap_text(button)
    kiosk.expect("Schriftgröße", "Kontrast", "Lautstärke", "Für Menschen im Rollstuhl")


def close_panel(kiosk: Kiosk) -> None:
    kiosk.tap_text(CLOSE)
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the panel to close")


def set_in_panel(kiosk: Kiosk, *choices: str, button: str = PANEL_BUTTON) -> None:
    """Open the panel, tap each choice, close it again."""
    open_panel(kiosk, button)
    for choice in choices:
        kiosk.tap_text(choice)
    close_panel(kiosk)


def spoken(kiosk: Kiosk) -> list[Any]:
    return list(kiosk.devices.speaker.spoken)


def said_since(kiosk: Kiosk, before: int) -> str:
    return " ".join(u.text for u in spoken(kiosk)[before:])


def touch_at(kiosk: Kiosk, widget: Any, hold_s: float = 0.0) -> None:
    """A finger on `widget`'s middle, held for `hold_s` real seconds (Kivy's clock times it)."""
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    kiosk.advance_frames()
    kiosk.pump_for(hold_s)
    touch.touch_up()
    kiosk.advance_frames(3)


def to_catalogue(kiosk: Kiosk, language: str = "de") -> None:
    kiosk.expect(WELCOME)
    kiosk.tap_text(START)
    kiosk.tap_text(LANGUAGE_NAMES[language])
    kiosk.expect("Was möchten Sie tun?" if language == "de" else "What would you like to do?")


# -- the panel ----------------------------------------------------------------------------

def test_welcome_button_is_large_low_framed_and_shows_the_symbol(kiosk: Kiosk) -> None:
    from kiosk.ui.theme import PALETTES, contrast_ratio, hex_colour
    from kiosk.ui.widgets import AccessSymbol

    button = kiosk.button(WELCOME_BUTTON)
    left, bottom, right, top = window_rect(button)
    assert top < kiosk.window.height * 0.3, "not in the bottom part of the screen"
    assert button.height >= 2 * kiosk.app.theme.touch and right - left >= kiosk.window.width / 2
    symbol = next(w for w in button.children if isinstance(w, AccessSymbol))
    mm = symbol.width / kiosk.config.display.dpi * 25.4
    assert mm >= 18, f"the symbol is {mm:.0f} mm wide"
    assert button.collide_point(*symbol.center)
    # Drawn in the primary colour on the background, in both palettes at least 7:1 (AAA).
    for high in (False, True):
        palette = PALETTES[high]
        assert contrast_ratio(hex_colour(palette["primary"]), hex_colour(palette["background"])) >= 7


def test_panel_opens_on_the_welcome_screen_without_a_session_and_closes_back(kiosk: Kiosk) -> None:
    from kiosk.journey.state import Overlay, Stage

    before = kiosk.texts_on_screen()
    open_panel(kiosk, WELCOME_BUTTON)
    assert (kiosk.state.stage, kiosk.state.overlay) == (Stage.WELCOME, Overlay.ACCESSIBILITY)
    assert kiosk.journey.session is None
    kiosk.screenshot("panel-welcome")
    close_panel(kiosk)
    assert kiosk.texts_on_screen() == before and kiosk.journey.session is None
    open_panel(kiosk, PANEL_BUTTON)  # the top bar has it too
    close_panel(kiosk)


def test_panel_opens_from_a_session_screen_and_from_help_and_closes_back(kiosk: Kiosk) -> None:
    start(kiosk)
    before, session = kiosk.texts_on_screen(), kiosk.journey.session
    open_panel(kiosk)
    close_panel(kiosk)
    assert kiosk.texts_on_screen() == before and kiosk.journey.session is session
    kiosk.tap_text("?  Hilfe")
    kiosk.tap_text("Bedienhilfen: Schriftgröße, Kontrast, Vorlesen")
    kiosk.expect("Schriftgröße")
    close_panel(kiosk)
    assert kiosk.texts_on_screen() == before


@pytest.mark.parametrize("size,scale", [("150 %", 1.5), ("200 %", 2.0)])
def test_each_text_size_applies_and_everything_resets_after_the_session(kiosk: Kiosk, size: str,
                                                                        scale: float) -> None:
    theme, speaker = kiosk.app.theme, kiosk.devices.speaker
    normal_body = theme.body
    set_in_panel(kiosk, size, "Hoher Kontrast", "Vorlesen ein", "+  Lauter", "Alles unten", button=WELCOME_BUTTON)
    assert theme.body == round(normal_body * scale) and theme.high_contrast and theme.low_layout
    assert kiosk.app.announcer.speech and speaker.volume > 100
    # The settings chosen before Start carry into the session and apply to its screens.
    to_catalogue(kiosk)
    heading = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == "Was möchten Sie tun?")
    assert heading.font_size == theme.title
    open_panel(kiosk)
    assert f"✓  Aa  {size}" in kiosk.texts_on_screen()  # the current size is ticked
    assert not any(t.startswith("✓") and "100 %" in t for t in kiosk.texts_on_screen())
    close_panel(kiosk)
    kiosk.tap_text("Abbrechen")
    kiosk.tap_text("Ja, abbrechen und löschen")
    kiosk.expect(WELCOME)
    assert theme.body == normal_body and theme.scale == 1.0
    assert not theme.high_contrast and not theme.low_layout
    assert not kiosk.app.announcer.speech and speaker.volume == 100


def test_settings_left_on_the_welcome_screen_reset_when_nobody_starts(kiosk: Kiosk) -> None:
    theme = kiosk.app.theme
    set_in_panel(kiosk, "200 %", "Alles unten", button=WELCOME_BUTTON)
    kiosk.idle_for(TIMING.inactivity_s - 1)
    assert theme.scale == 2.0 and theme.low_layout
    kiosk.idle_for(1)
    assert theme.scale == 1.0 and not theme.low_layout
    # A panel left open closes for the next passer-by as well.
    open_panel(kiosk, WELCOME_BUTTON)
    kiosk.tap_text("150 %")
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the panel to close")
    kiosk.idle_for(1)
    assert theme.scale == 1.0


# -- nothing cut off, nothing out of reach -------------------------------------------------

def walk_reachable(kiosk: Kiosk, look: Callable[[str], None]) -> None:
    """Every screen and overlay a citizen reaches without the form: `look` at each."""
    look("welcome")
    open_panel(kiosk, WELCOME_BUTTON)
    look("panel")
    close_panel(kiosk)
    kiosk.tap_text(START)
    kiosk.expect("Deutsch")
    look("language")
    kiosk.tap_text("Deutsch")
    kiosk.expect("Was möchten Sie tun?")
    look("catalogue")
    kiosk.tap_text("?  Hilfe")
    kiosk.expect("Das können Sie tun:")
    look("help")
    kiosk.tap_text(CLOSE)
    kiosk.tap_text("Abbrechen")
    kiosk.expect("Möchten Sie wirklich abbrechen?")
    look("cancel question")
    kiosk.tap_text("Nein, weitermachen")
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")
    look("more time prompt")
    kiosk.tap_text("Ja, ich brauche mehr Zeit")


@pytest.mark.parametrize("low", [False, True], ids=["normal", "low"])
def test_at_200_percent_no_text_is_cut_off_or_covers_another(kiosk: Kiosk, low: bool) -> None:
    set_in_panel(kiosk, "200 %", *(["Alles unten"] if low else []), button=WELCOME_BUTTON)
    checked = []

    def look(where: str) -> None:
        checked.append(assert_nothing_cut_off(kiosk, where))
        if kiosk.overlay() is not None:
            assert_overlay_in_window(kiosk, where)
        kiosk.screenshot(f"200-{'low' if low else 'normal'}-{where}")

    walk_reachable(kiosk, look)
    assert len(checked) == 7 and min(checked) >= 2  # really looked at texts everywhere


@pytest.mark.parametrize("size", ["100 %", "200 %"])
def test_low_layout_keeps_every_control_in_the_lower_part(kiosk: Kiosk, size: str) -> None:
    share = kiosk.config.display.low_layout_share
    set_in_panel(kiosk, size, "Alles unten", button=WELCOME_BUTTON)
    counted = []

    def look(where: str) -> None:
        counted.append(assert_controls_low(kiosk, share, where))

    walk_reachable(kiosk, look)
    assert len(counted) == 7 and min(counted) >= 1 and sum(counted) >= 15, counted  # really looked
    # And the panel itself, where the layout is switched back.
    open_panel(kiosk)
    assert_controls_low(kiosk, share, "panel in a session")
    kiosk.tap_text("Normale Anordnung")
    kiosk.wait_until(lambda: kiosk.app.usable_height == kiosk.window.height, what="the normal layout")
    close_panel(kiosk)
    bar_help = kiosk.button("?  Hilfe")
    assert window_rect(bar_help)[3] > kiosk.window.height * 0.9  # back at the top


# -- speech -------------------------------------------------------------------------------

def test_with_speech_on_each_screen_says_its_title_in_the_sessions_language(kiosk: Kiosk) -> None:
    set_in_panel(kiosk, "Vorlesen ein", button=WELCOME_BUTTON)
    last = spoken(kiosk)[-1]
    assert "Willkommen" in last.text and "Hier können Sie Anträge" in last.text  # back on the welcome screen
    count = len(spoken(kiosk))
    kiosk.tap_text(START)
    kiosk.expect("Deutsch")
    kiosk.wait_until(lambda: len(spoken(kiosk)) > count, what="the language screen to be said")
    assert "Bitte wählen Sie Ihre Sprache" in said_since(kiosk, count)
    count = len(spoken(kiosk))
    kiosk.tap_text("English")
    kiosk.expect("What would you like to do?")
    kiosk.wait_until(lambda: len(spoken(kiosk)) > count, what="the catalogue to be said")
    said = spoken(kiosk)[-1]
    # The top bar's title is said when it changed (here: into English), then the heading.
    assert said.text == "Citizen terminal. What would you like to do?"
    assert said.language == "en" and said.volume == 100
    # Overlays say their title and instruction too; closing one says the screen again.
    kiosk.tap_text("Cancel")
    kiosk.expect("Do you really want to stop?")
    kiosk.advance_frames(2)
    assert spoken(kiosk)[-1].text == "Do you really want to stop? Everything you entered will be deleted."
    kiosk.tap_text("No, continue")
    kiosk.advance_frames(2)
    assert spoken(kiosk)[-1].text == "What would you like to do?"


def test_focus_speaks_the_question_problems_are_spoken_and_typed_values_never(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    set_in_panel(kiosk, "Vorlesen ein")
    count = len(spoken(kiosk))
    vorname = service(kiosk).field("vorname")
    kiosk.tap(kiosk.input("vorname"))
    kiosk.advance_frames(2)
    assert said_since(kiosk, count) == f"{vorname.label}. {vorname.help}."  # question, then hint
    kiosk.close_keyboard()
    family_name = str(answers["familienname"])
    kiosk.type_into("familienname", family_name)
    kiosk.tap(kiosk.input("familienname"))  # back into a field that holds a value
    kiosk.advance_frames(2)
    kiosk.close_keyboard()
    assert family_name not in said_since(kiosk, count)
    assert "Familienname." in said_since(kiosk, count)
    # 'Weiter' with empty fields: each problem is said, naming the question it belongs to (once:
    # the message already names it).
    count = len(spoken(kiosk))
    kiosk.tap_text("Weiter")
    kiosk.expect(problem_message(kiosk, "vorname", "required"))
    kiosk.advance_frames(2)
    said = said_since(kiosk, count)
    for path in ("vorname", "geburtsdatum"):
        assert problem_message(kiosk, path, "required") in said, said
        label = service(kiosk).field(path).label
        assert said.count(label) == 1, f"{label!r} said more than once: {said!r}"
    assert "Familienname" not in said  # that one was answered
    assert all(family_name not in u.text for u in spoken(kiosk))
    assert family_name not in kiosk.log_file.read_text(encoding="utf-8")


def test_with_speech_off_nothing_is_said(kiosk: Kiosk) -> None:
    start(kiosk)
    kiosk.tap(kiosk.input("vorname"))
    kiosk.close_keyboard()
    kiosk.tap_text("Weiter")
    kiosk.expect(problem_message(kiosk, "vorname", "required"))
    set_in_panel(kiosk, "+  Lauter")
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")  # the prompt is shown, not said
    kiosk.advance_frames(2)
    assert spoken(kiosk) == [] and kiosk.devices.speaker.utterances == 0
    # Turning speech off again silences it at once.
    kiosk.tap_text("Ja, ich brauche mehr Zeit")
    set_in_panel(kiosk, "Vorlesen ein", "Vorlesen aus")
    count = kiosk.devices.speaker.utterances
    kiosk.tap_text("Zurück")
    kiosk.expect("Was möchten Sie tun?")
    kiosk.advance_frames(2)
    assert kiosk.devices.speaker.utterances == count


def test_volume_is_shown_in_steps_and_words_and_reaches_the_speaker(kiosk: Kiosk) -> None:
    from kiosk.ui.overlays.accessibility import VolumeMeter

    start(kiosk)
    open_panel(kiosk)
    kiosk.tap_text("Vorlesen ein")
    kiosk.expect("mittel (3 von 5)")
    kiosk.tap_text("+  Lauter")
    kiosk.tap_text("+  Lauter")
    kiosk.expect("sehr laut (5 von 5)")
    meter = next(w for w in kiosk.visible_widgets() if isinstance(w, VolumeMeter))
    assert meter.level == 5
    kiosk.advance_frames(2)
    said = spoken(kiosk)[-1]
    assert said.volume == 180 and "sehr laut" in said.text  # heard at the new volume
    kiosk.tap_text("+  Lauter")  # as loud as it goes
    kiosk.tap_text("−  Leiser")
    kiosk.expect("laut (4 von 5)")
    close_panel(kiosk)
    assert spoken(kiosk)[-1].volume == 140 and kiosk.devices.speaker.volume == 140
    # Time limits are announced at the chosen volume.
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")
    kiosk.advance_frames(2)
    prompt = spoken(kiosk)[-1]
    assert "Brauchen Sie mehr Zeit?" in prompt.text and f"{TIMING.prompt_s} Sekunden" in prompt.text
    assert prompt.volume == 140


# -- the welcome screen's hint -------------------------------------------------------------

def test_long_press_on_the_welcome_screen_speaks_the_hint_in_german_then_english(kiosk: Kiosk) -> None:
    from kiosk.journey.state import Stage

    heading = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == WELCOME)
    touch_at(kiosk, heading, hold_s=0.5)
    assert spoken(kiosk) == []  # a short touch is not a long press
    touch_at(kiosk, heading, hold_s=1.7)
    parts = spoken(kiosk)
    assert [(HINT_DE in parts[0].text, parts[0].language), (HINT_EN in parts[1].text, parts[1].language)] \
        == [(True, "de"), (True, "en")]
    # Held on the Start button, the finger explores: the hint is said, the session does not start.
    touch_at(kiosk, kiosk.button(START), hold_s=1.7)
    assert kiosk.state.stage is Stage.WELCOME and len(spoken(kiosk)) == 4
    assert not kiosk.app.announcer.speech  # said although speech output is off


def test_a_touch_that_leads_nowhere_gets_the_hint_once(kiosk: Kiosk) -> None:
    heading = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == WELCOME)
    kiosk.idle_for(20)
    assert spoken(kiosk) == []  # nobody there: silence
    touch_at(kiosk, heading)
    kiosk.idle_for(7)
    assert spoken(kiosk) == []
    kiosk.idle_for(1)
    assert [u.language for u in spoken(kiosk)] == ["de", "en"] and HINT_DE in spoken(kiosk)[0].text
    touch_at(kiosk, heading)
    kiosk.idle_for(10)
    assert len(spoken(kiosk)) == 2  # once per visit
    kiosk.idle_for(TIMING.inactivity_s)  # this visitor has gone; the next one gets it again
    touch_at(kiosk, heading)
    kiosk.idle_for(8)
    assert len(spoken(kiosk)) == 4
    # Someone who starts in time hears nothing.
    kiosk.idle_for(TIMING.inactivity_s)
    touch_at(kiosk, heading)
    kiosk.idle_for(3)
    kiosk.tap_text(START)
    kiosk.idle_for(10)
    assert len(spoken(kiosk)) == 4


def test_the_hint_names_what_the_button_is_called_on_the_screen(kiosk: Kiosk) -> None:
    from kiosk.i18n import tr
    from kiosk.ui.screens.welcome import HINT

    shown = kiosk.button(WELCOME_BUTTON).text
    assert "Bedienhilfen" in tr("de", HINT) and "Bedienhilfen" in shown
    assert "accessibility button" in HINT and "Accessibility" in shown
    assert "Beginnen" in tr("de", HINT) and "Start" in HINT  # the landmark above it


def test_form_pages_keep_their_answers_across_size_changes(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    first = pages(kiosk)[0]
    typed = {f.path: str(answers[f.path]) for f in service(kiosk).page_fields(first)
             if f.kind not in ("choice", "yesno", "multichoice")}
    assert typed
    for field_id, value in typed.items():
        kiosk.type_into(field_id, value)
    set_in_panel(kiosk, "200 %")
    assert kiosk.field_texts() == typed
    kiosk.screenshot("form-200")
    set_in_panel(kiosk, "100 %")
    assert kiosk.field_texts() == typed


def test_holding_a_button_says_what_it_does_without_pressing_it(kiosk: Kiosk) -> None:
    from kiosk.journey.state import Overlay, Stage

    to_catalogue(kiosk)
    touch_at(kiosk, kiosk.button("Abbrechen"), hold_s=1.7)
    assert [(u.text, u.language) for u in spoken(kiosk)] == [("Abbrechen.", "de")]
    assert kiosk.state.overlay is Overlay.NONE  # the question did not open
    # In the panel someone who cannot see finds the speech button the same way, then taps it.
    open_panel(kiosk)
    touch_at(kiosk, kiosk.button("Vorlesen ein"), hold_s=1.7)
    assert spoken(kiosk)[-1].text == "Vorlesen ein." and not kiosk.app.announcer.speech
    kiosk.tap_text("Vorlesen ein")
    assert kiosk.app.announcer.speech
    close_panel(kiosk)
    kiosk.tap_text("Meldebescheinigung beantragen")
    kiosk.expect("Vorname(n)")
    field = kiosk.input("vorname")
    touch_at(kiosk, field, hold_s=1.7)  # a field: its question, never its content
    vorname = service(kiosk).field("vorname")
    assert spoken(kiosk)[-1].text == f"{vorname.label}. {vorname.help}."
    assert kiosk.state.stage is Stage.FORM
    if kiosk.keyboard() is not None:
        kiosk.close_keyboard()


def test_the_receipt_says_the_reference_and_when_printing_ends(kiosk: Kiosk) -> None:
    from tests.ui.test_screens import fill_all_pages, reference_on_screen

    start(kiosk)
    fill_all_pages(kiosk, sample_answers(kiosk))
    set_in_panel(kiosk, "Vorlesen ein")
    count = len(spoken(kiosk))
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Bitte nehmen Sie Ihren Beleg")
    kiosk.advance_frames(3)
    said = said_since(kiosk, count)
    assert "Vielen Dank! Ihr Antrag ist eingegangen." in said
    assert f"Ihre Vorgangsnummer: {reference_on_screen(kiosk)}" in said
    assert said.rstrip().endswith("Bitte nehmen Sie Ihren Beleg aus dem Drucker unter dem Bildschirm.")


def test_signs_and_markup_are_not_read_out() -> None:
    from kiosk.ui.announcer import sentences, speakable

    assert speakable("?  Hilfe") == "Hilfe"
    assert speakable("✓  [size=28]Aa[/size]  200 %") == "Aa  200 %"
    assert speakable("!  Bitte füllen Sie dieses Feld aus.") == "Bitte füllen Sie dieses Feld aus."
    assert speakable("Willkommen  ·  Welcome") == "Willkommen. Welcome"
    assert sentences(["Hilfe", "Das können Sie tun:", "Fertig."]) == "Hilfe. Das können Sie tun: Fertig."

