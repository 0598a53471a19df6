"""The terminal's screens in a real Kivy window, driven by real touches, judged by what they show.

Each test gets a fresh terminal (see conftest.py). Assertions read the texts on the window, as a
citizen would; the outbox, speaker, printer, log and temp folder are checked where the screen
cannot show the outcome (was it stored, spoken, printed, forgotten).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Callable

import pytest
from babel.numbers import format_currency

from kiosk.forms.answers import example_answers, shown_fields, shown_value, to_data
from kiosk.forms.service import Answer, DeclaredStep, FormField, FormStep, Service
from kiosk.forms.validation import FieldProblem, message
from kiosk.i18n import LANGUAGE_NAMES, LANGUAGES, tr, ts
from kiosk.journey.state import PhotoPhase, Stage
from kiosk.outbox.store import OutboxError
from tests.ui.checks import assert_nothing_cut_off, assert_overlay_in_window
from tests.ui.conftest import TIMING, Kiosk, plain

pytestmark = pytest.mark.ui

SERVICE = "meldebescheinigung"
REFERENCE = re.compile(r"\bMB-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
START = "Beginnen  ·  Start"
WELCOME = "Willkommen  ·  Welcome"

# Valid, but unlike anything else the terminal holds, so finding one anywhere is a leak.
CANARY: dict[str, Answer] = {
    "vorname": "Kanarienvogel",
    "familienname": "Zwitscherling-Piepmatz",
    "geburtsdatum": "29.02.1904",
    "anschrift.strasse": "Gimpelsteigweg",
    "anschrift.hausnummer": "9713b",
    "anschrift.plz": "09871",
    "anschrift.ort": "Trillerhausen",
    "zweck": "sonstiges",
    "zustellung": "abholung",
}
TYPED_CANARIES = [str(v) for k, v in CANARY.items() if k not in ("zweck", "zustellung")]
# ... and how the data for the office holds the date: it must not be found outside the outbox either.
CANARY_TRACES = [*TYPED_CANARIES, "1904-02-29"]


# -- walking the journey like a citizen --------------------------------------------------

def service(kiosk: Kiosk) -> Service:
    return kiosk.journey.services[SERVICE]


def sample_answers(kiosk: Kiosk) -> dict[str, Answer]:
    return example_answers(service(kiosk), dt.date.today())


def pages(kiosk: Kiosk) -> list[FormStep]:
    return [s for s in service(kiosk).steps if isinstance(s, FormStep)]


def step_heading(kiosk: Kiosk, index: int, language: str) -> str:
    """The heading of the index-th page, e.g. 'Schritt 2 von 3: Ihre Anschrift'."""
    step = pages(kiosk)[index]
    total = len(service(kiosk).steps)
    title = ts(language, SERVICE, step.title)
    return (f"Schritt {index + 1} von {total}: {title}" if language == "de"
            else tr(language, "Step {number} of {total}: {title}", number=index + 1, total=total, title=title))


def choice_label(form_field: FormField, value: Answer, language: str, service_id: str = SERVICE) -> str:
    if form_field.kind == "yesno":
        return tr(language, "Yes" if value else "No")
    return next(ts(language, service_id, c.label) for c in form_field.choices if c.value == value)


def start(kiosk: Kiosk, language: str = "de") -> None:
    """Welcome -> language -> catalogue -> the service's first page."""
    kiosk.expect(WELCOME)
    kiosk.tap_text(START)
    kiosk.expect("Bitte wählen Sie Ihre Sprache")
    kiosk.tap_text(LANGUAGE_NAMES[language])
    kiosk.expect("Was möchten Sie tun?" if language == "de" else tr(language, "What would you like to do?"))
    kiosk.tap_text(ts(language, SERVICE, service(kiosk).title))
    kiosk.expect(step_heading(kiosk, 0, language))


def fill_page(kiosk: Kiosk, step: FormStep, answers: dict[str, Answer], language: str,
              service_id: str = SERVICE) -> None:
    """Answer every question the page shows: type the text, tap the answers by what they say."""
    for form_field in shown_fields(kiosk.journey.services[service_id], step, kiosk.journey.answers()):
        value = answers[form_field.path]
        if form_field.kind == "multichoice":
            for chosen in value:  # type: ignore[union-attr]
                choose(kiosk, form_field.path, choice_label(form_field, chosen, language, service_id))
        elif form_field.kind in ("choice", "yesno"):
            choose(kiosk, form_field.path, choice_label(form_field, value, language, service_id))
        else:
            kiosk.type_into(form_field.path, str(value))
        kiosk.wait_until(lambda f=form_field, v=value: kiosk.journey.answer(f.path) == v,  # type: ignore[misc]
                         what=f"the answer for {form_field.path}")


def choose(kiosk: Kiosk, path: str, label: str) -> None:
    """Tap the answer saying `label` among the answers of this question (two yes/no questions on
    one page both have a 'Ja')."""
    buttons = [b for b in kiosk.screen.inputs()[path] if plain(b.text).strip().removeprefix("✓").strip() == label]
    assert len(buttons) == 1, f"{path}: expected one answer {label!r}: {[b.text for b in kiosk.screen.inputs()[path]]}"
    kiosk.tap(buttons[0])


def next_label(kiosk: Kiosk, index: int, language: str) -> str:
    last = index == len(pages(kiosk)) - 1
    if language == "de":
        return "Angaben prüfen" if last else "Weiter"
    return "Check my answers" if last else "Next"


def fill_all_pages(kiosk: Kiosk, answers: dict[str, Answer], language: str = "de",
                   on_page: Callable[[int], None] = lambda _i: None) -> None:
    """From the first page to the review, answering every question."""
    for index, step in enumerate(pages(kiosk)):
        kiosk.expect(step_heading(kiosk, index, language))
        fill_page(kiosk, step, answers, language)
        on_page(index)
        kiosk.tap_text(next_label(kiosk, index, language))
    kiosk.expect("Bitte prüfen Sie Ihre Angaben" if language == "de" else "Please check your answers")


def shown_answers(kiosk: Kiosk, answers: dict[str, Answer], language: str, service_id: str = SERVICE) -> list[str]:
    """How the review shows each answer: 'Label:  value' (choices by their label, dates as
    day.month.year, postcodes without spaces, nothing as '—')."""
    shown = []
    the_service = kiosk.journey.services[service_id]
    for step in (s for s in the_service.steps if isinstance(s, FormStep)):
        for form_field in shown_fields(the_service, step, answers):
            value = answers.get(form_field.path, "")
            if form_field.kind in ("choice", "yesno") and value != "":
                text = choice_label(form_field, value, language, service_id)
            elif form_field.kind == "multichoice":
                text = ", ".join(choice_label(form_field, v, language, service_id) for v in value)  # type: ignore[union-attr]
            else:
                text = shown_value(form_field, value)
            shown.append(f"{ts(language, service_id, form_field.label)}:  {text or '—'}")
    return shown


def problem_message(kiosk: Kiosk, path: str, code: str, language: str = "de") -> str:
    """What the page says under a field with this problem."""
    return message(language, service(kiosk), FieldProblem(path, code))


def reference_on_screen(kiosk: Kiosk) -> str:
    found = REFERENCE.findall(kiosk.screen_text())
    assert len(found) == 1, f"expected one reference code on screen: {kiosk.texts_on_screen()}"
    return found[0]


def assert_welcome_and_empty(kiosk: Kiosk, typed: list[str]) -> None:
    """Back at the start, and a new citizen finds nothing of the last one."""
    kiosk.expect(WELCOME, START)
    assert kiosk.journey.session is None
    left = [v for v in typed if any(v in t for t in kiosk.all_text_anywhere())]
    assert not left, f"answers still held by widgets: {left}"
    start(kiosk)
    assert set(kiosk.field_texts().values()) == {""}, kiosk.field_texts()


# -- the whole service -------------------------------------------------------------------

def test_meldebescheinigung_in_german(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    kiosk.screenshot("01-welcome")
    kiosk.tap_text(START)
    kiosk.expect("Bitte wählen Sie Ihre Sprache  ·  Please choose your language",
                 *(LANGUAGE_NAMES[code] for code in LANGUAGES))  # each language by its own name
    kiosk.screenshot("02-language")
    kiosk.tap_text("Deutsch")
    # Each service with what it is for and what it costs, said before the citizen starts.
    fee = tr("de", "Fee: {amount}", amount=format_currency(10.0, "EUR", locale="de"))
    kiosk.expect("Was möchten Sie tun?", "Meldebescheinigung beantragen", service(kiosk).summary, fee)
    kiosk.screenshot("03-catalogue")
    kiosk.tap_text("Meldebescheinigung beantragen")

    def page_done(index: int) -> None:
        kiosk.screenshot(f"04-form-{index + 1}")

    kiosk.expect(step_heading(kiosk, 0, "de"))
    kiosk.tap(kiosk.input("vorname"))
    kiosk.screenshot("04-form-1-keyboard")
    kiosk.close_keyboard()
    fill_all_pages(kiosk, answers, "de", on_page=page_done)

    review = kiosk.texts_on_screen()
    for line in shown_answers(kiosk, answers, "de"):
        assert line in review, f"{line!r} not on the review: {review}"
    kiosk.screenshot("05-review")
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Vielen Dank! Ihr Antrag ist eingegangen.", "Ihre Vorgangsnummer:",
                 "Bitte nehmen Sie Ihren Beleg aus dem Drucker unter dem Bildschirm.")
    reference = reference_on_screen(kiosk)
    kiosk.screenshot("06-receipt")

    stored = kiosk.outbox.read(reference)
    assert stored.service_id == SERVICE and stored.language == "de"
    assert stored.data == to_data(service(kiosk), answers)
    assert stored.data["geburtsdatum"] == "1964-08-12" and stored.data["anschrift"]["plz"] == "51147"
    assert reference.encode() in printed(kiosk)  # the receipt carries it too

    kiosk.tap_text("Fertig")
    kiosk.expect("Auf Wiedersehen!", "Ihre Angaben wurden von diesem Terminal gelöscht.")
    kiosk.screenshot("07-goodbye")
    kiosk.tap_text("Zurück zum Anfang")
    kiosk.expect(WELCOME)
    kiosk.screenshot("08-welcome-again")
    assert_welcome_and_empty(kiosk, [str(answers[k]) for k in ("vorname", "familienname", "anschrift.strasse",
                                                                "anschrift.ort")])


def test_meldebescheinigung_in_english(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk, "en")
    assert "Cancel" in kiosk.texts_on_screen() and "?  Help" in kiosk.texts_on_screen()
    fill_all_pages(kiosk, answers, "en")
    review = kiosk.texts_on_screen()
    for line in shown_answers(kiosk, answers, "en"):
        assert line in review, f"{line!r} not on the review: {review}"
    kiosk.tap_text("Send application")
    kiosk.expect("Thank you! Your application has been received.",
                 "Please take your receipt from the printer below the screen.")
    reference = reference_on_screen(kiosk)
    assert kiosk.outbox.read(reference).language == "en"
    assert kiosk.outbox.read(reference).data == to_data(service(kiosk), answers)
    kiosk.tap_text("Done")
    kiosk.expect("Goodbye!", "Your answers have been deleted from this terminal.")
    # Nobody taps: the goodbye screen gives way to the welcome screen, in German again.
    kiosk.idle_for(TIMING.goodbye_s)
    kiosk.expect(WELCOME, "Hier können Sie Anträge bei Ihrer Stadt selbst stellen.")


SERVICE_IDS = sorted(p.stem for p in (Path(__file__).parents[2] / "config" / "services").glob("*.yaml"))


@pytest.mark.parametrize("service_id", SERVICE_IDS)
def test_every_service_walked_with_its_examples(kiosk: Kiosk, service_id: str) -> None:
    """Every kind of page and question the definitions use (declared steps, yes/no, several
    choices, long text, pages shown on condition) on the real screens, to the stored data."""
    the_service = kiosk.journey.services[service_id]
    answers = example_answers(the_service, dt.date.today())
    kiosk.expect(WELCOME)
    kiosk.tap_text(START)
    kiosk.tap_text("Deutsch")
    kiosk.expect("Was möchten Sie tun?")
    kiosk.tap_text(the_service.title)
    total = len(the_service.steps)
    for _ in range(total):
        state = kiosk.state
        if state.stage is not Stage.FORM:
            break
        index, step = state.step_index, state.step
        kiosk.expect(f"Schritt {index + 1} von {total}: {step.title}", the_service.title)
        if isinstance(step, DeclaredStep) and step.kind == "photo":
            # The demo camera's citizen sits down and holds still: the photo is taken by itself.
            kiosk.wait_until(lambda: kiosk.state.photo is PhotoPhase.REVIEW, 60, "the photo to be taken")
            kiosk.tap_text(tr("de", "Keep this photo"))
            kiosk.expect(tr("de", "Your photo is saved."))
            kiosk.tap_text(tr("de", "Next"))
            kiosk.wait_until(lambda i=index: kiosk.state.stage is not Stage.FORM or kiosk.state.step_index != i,
                             what="the next page")
            continue
        if isinstance(step, DeclaredStep):
            kiosk.expect(step.instead)  # what to do instead, in plain words
            assert kiosk.screen.inputs() == {}
        else:
            assert list(kiosk.screen.inputs()) == [f.path for f in shown_fields(the_service, step, answers)]
            fill_page(kiosk, step, answers, "de", service_id)
        kiosk.tap(kiosk.screen.ids.next)
        kiosk.wait_until(lambda i=index: kiosk.state.stage is not Stage.FORM or kiosk.state.step_index != i,
                         what="the next page")
        assert not kiosk.state.problems, kiosk.state.problems
    kiosk.expect("Bitte prüfen Sie Ihre Angaben")
    review = kiosk.texts_on_screen()
    for line in shown_answers(kiosk, answers, "de", service_id):
        assert line in review, f"{line!r} not on the review: {review}"
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Vielen Dank! Ihr Antrag ist eingegangen.")
    found = re.findall(rf"\b{the_service.reference_prefix}-[0-9A-Z]{{4}}-[0-9A-Z]{{4}}\b", kiosk.screen_text())
    assert len(found) == 1, kiosk.texts_on_screen()
    stored = kiosk.outbox.read(found[0])
    assert stored.data == to_data(the_service, answers)
    if the_service.needs.photo:
        assert stored.photo is not None and stored.photo["retrieval_code"] in kiosk.screen_text()


# -- mistakes, time, second thoughts -----------------------------------------------------

def test_postcode_error_shown_next_to_field_and_cleared_when_corrected(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    fill_page(kiosk, pages(kiosk)[0], answers, "de")
    kiosk.tap_text("Weiter")
    kiosk.expect(step_heading(kiosk, 1, "de"))
    fill_page(kiosk, pages(kiosk)[1], {**answers, "anschrift.plz": "5114"}, "de")
    kiosk.tap_text("Weiter")

    message_ = problem_message(kiosk, "anschrift.plz", "postal-code-de")
    assert "Postleitzahl" in message_  # names the field by its label
    kiosk.expect(message_)
    assert step_heading(kiosk, 1, "de") in kiosk.texts_on_screen()  # the page stayed
    assert kiosk.field_texts()["anschrift.plz"] == "5114"  # and kept what was typed
    kiosk.screenshot("postcode-error")
    # Next to the field: the message is drawn between the postcode field and the next question.
    error = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == "!  " + message_)
    postcode = kiosk.input("anschrift.plz")
    town_label = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == "Ort")
    assert town_label.to_window(*town_label.pos)[1] < error.to_window(*error.pos)[1] \
        < postcode.to_window(*postcode.pos)[1]
    assert sum(message_ in t for t in kiosk.texts_on_screen()) == 1  # only the wrong field
    assert postcode.problem and not kiosk.input("anschrift.ort").problem  # framed in the error colour

    # The citizen taps the field and adds the missing digit on the on-screen keyboard.
    kiosk.tap(postcode)
    kiosk.press_keys("7")
    assert kiosk.field_texts()["anschrift.plz"] == "51147"
    assert message_ not in kiosk.screen_text()
    assert not postcode.problem
    kiosk.close_keyboard()
    kiosk.tap_text("Weiter")
    kiosk.expect(step_heading(kiosk, 2, "de"))
    assert message_ != problem_message(kiosk, "anschrift.plz", "postal-code-de", "en"), \
        f"the German screen said it in English: {message_!r}"


def test_a_problem_scrolled_out_of_sight_is_brought_into_view(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    fill_page(kiosk, pages(kiosk)[0], answers, "de")
    kiosk.tap_text("Weiter")
    kiosk.expect(step_heading(kiosk, 1, "de"))
    # A mistake in the first field, then the rest typed: the page has scrolled down to the town.
    fill_page(kiosk, pages(kiosk)[1], {**answers, "anschrift.strasse": "Heidestraße!"}, "de")
    assert not kiosk.in_view(kiosk.input("anschrift.strasse"))
    kiosk.tap_text("Weiter")
    message_ = "!  " + problem_message(kiosk, "anschrift.strasse", "street")
    kiosk.expect(message_)
    error = next(w for w in kiosk.visible_widgets() if getattr(w, "text", "") == message_)
    kiosk.screenshot("street-error")
    assert kiosk.in_view(error), "the citizen taps 'Weiter' and sees nothing happen"
    assert kiosk.in_view(kiosk.input("anschrift.strasse"))


def speech_on(kiosk: Kiosk) -> None:
    """The citizen turns speech output on in the accessibility panel (top bar)."""
    kiosk.tap_text("Bedienhilfen")
    kiosk.tap_text("Vorlesen ein")
    kiosk.tap_text("Zurück zu meiner Seite")
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the panel to close")


def test_more_time_prompt_counts_down_speaks_and_keeps_the_answers(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    speech_on(kiosk)
    fill_page(kiosk, pages(kiosk)[0], answers, "de")
    filled = kiosk.field_texts()

    kiosk.idle_for(TIMING.inactivity_s - 1)
    assert kiosk.overlay() is None
    kiosk.idle_for(1)
    kiosk.expect("Brauchen Sie mehr Zeit?", f"Sonst werden Ihre Angaben in {TIMING.prompt_s} Sekunden gelöscht.",
                 "Ja, ich brauche mehr Zeit")
    assert kiosk.overlay() is not None
    kiosk.screenshot("more-time")
    kiosk.idle_for(3)
    kiosk.expect(f"in {TIMING.prompt_s - 3} Sekunden")

    speaker = kiosk.devices.speaker
    assert "Brauchen Sie mehr Zeit?" in speaker.last_text
    assert f"{TIMING.prompt_s} Sekunden" in speaker.last_text
    assert speaker.wait(10)
    assert speaker.last_audio[:4] == b"RIFF" and len(speaker.last_audio) > 1000

    kiosk.tap_text("Ja, ich brauche mehr Zeit")
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the prompt to close")
    assert "Brauchen Sie mehr Zeit?" not in kiosk.screen_text()
    assert kiosk.field_texts() == filled
    # The tap counted as activity: the full time starts again.
    kiosk.idle_for(TIMING.inactivity_s - 1)
    assert kiosk.overlay() is None


def test_more_time_prompt_running_out_ends_the_session(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    fill_page(kiosk, pages(kiosk)[0], answers, "de")
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")
    kiosk.idle_for(TIMING.prompt_s)
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the prompt to close")
    assert kiosk.devices.speaker.last_text == ""  # the prompt is not left to be replayed
    assert_welcome_and_empty(kiosk, [str(answers["vorname"]), str(answers["familienname"])])


def test_cancel_asks_first_and_only_then_deletes(kiosk: Kiosk) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    fill_page(kiosk, pages(kiosk)[0], answers, "de")
    filled = kiosk.field_texts()

    kiosk.tap_text("Abbrechen")
    kiosk.expect("Möchten Sie wirklich abbrechen?", "Alles, was Sie eingegeben haben, wird gelöscht.")
    kiosk.screenshot("confirm-cancel")
    kiosk.tap_text("Nein, weitermachen")
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the question to close")
    assert kiosk.field_texts() == filled

    kiosk.tap_text("Abbrechen")
    kiosk.expect("Möchten Sie wirklich abbrechen?")
    kiosk.tap_text("Ja, abbrechen und löschen")
    assert_welcome_and_empty(kiosk, [str(answers["vorname"]), str(answers["familienname"])])


# -- help on every screen ----------------------------------------------------------------

def body_labels(kiosk: Kiosk) -> list:
    """Labels of the screen under the overlay that use the body text size."""
    from kivy.uix.label import Label

    size = kiosk.app.theme.body
    return [w for w in kiosk.screen.walk(restrict=True)
            if isinstance(w, Label) and w.text.strip() and w.font_size == size]


def assert_overlay_fits(kiosk: Kiosk, where: str) -> None:
    """Everything in the open overlay lies inside its box (or its scrolling page), which lies
    inside the window; no text is cut off and no two overlap."""
    assert_overlay_in_window(kiosk, where)
    assert_nothing_cut_off(kiosk, where)


def check_help(kiosk: Kiosk, where: str, try_everything: bool = True) -> None:
    """Help and the accessibility panel are in this screen's top bar. Help offers its aids and
    leads back here; the panel's text sizes apply to this screen without cutting anything off,
    and it leads back here too."""

    screen_name = kiosk.screen.name
    before = kiosk.texts_on_screen()
    for label in ("?  Hilfe", "Bedienhilfen"):
        button = kiosk.button(label)
        x, y = button.to_window(*button.center)
        assert y > kiosk.window.height * 0.8, f"{where}: {label!r} is not in the top bar"
    kiosk.tap_text("?  Hilfe")
    kiosk.expect("Das können Sie tun:", "Bildschirm vorlesen", "Bedienhilfen: Schriftgröße, Kontrast, Vorlesen",
                 "Von vorn beginnen", "Zurück zu meiner Seite")

    if try_everything:
        from kiosk.ui.announcer import speakable

        kiosk.tap_text("Bildschirm vorlesen")
        spoken = kiosk.devices.speaker.last_text
        assert not re.search(r"\[/?(b|size)", spoken) and "&bl;" not in spoken, \
            f"{where}: markup read aloud: {spoken!r}"
        # Everything on the screen, in reading order (top to bottom, whatever is scrolled away),
        # as it should sound (without the signs: "?  Hilfe" is said "Hilfe").
        position = 0
        for text in (speakable(t) for t in before):
            found = spoken.find(text, position)
            assert found >= 0, f"{where}: {text!r} not read aloud (in this order): {spoken!r}"
            position = found + len(text)

    kiosk.tap_text("Zurück zu meiner Seite")
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="help to close")
    assert kiosk.screen.name == screen_name
    assert kiosk.texts_on_screen() == before, f"{where}: the screen changed under the help"

    if try_everything:
        kiosk.tap_text("Bedienhilfen")
        kiosk.expect("Schriftgröße", "Kontrast", "Vorlesen", "Lautstärke")
        labels = body_labels(kiosk)
        assert labels, f"{where}: no body text to compare"
        sizes = [w.font_size for w in labels]
        kiosk.tap_text("200 %")  # (150 % is checked on the screens without the form: test_accessibility)
        kiosk.expect("✓  Aa  200 %")
        assert all(w.font_size > s for w, s in zip(labels, sizes)), f"{where}: text did not grow"
        assert_overlay_fits(kiosk, f"panel on {where} at 200 %")
        kiosk.tap_text("100 %")
        assert [w.font_size for w in labels] == sizes
        kiosk.tap_text("Zurück zu meiner Seite")
        kiosk.wait_until(lambda: kiosk.overlay() is None, what="the panel to close")
        assert kiosk.screen.name == screen_name
        assert kiosk.texts_on_screen() == before, f"{where}: the screen changed under the panel"


def test_help_on_every_screen(kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = sample_answers(kiosk)
    check_help(kiosk, "welcome")
    kiosk.tap_text(START)
    kiosk.expect("Deutsch")
    check_help(kiosk, "language")
    kiosk.tap_text("Deutsch")
    kiosk.expect("Was möchten Sie tun?")
    check_help(kiosk, "catalogue")
    kiosk.tap_text("Meldebescheinigung beantragen")

    def on_page(index: int) -> None:
        check_help(kiosk, f"form page {index + 1}")
        if index == 0:
            kiosk.tap_text("Bedienhilfen")
            kiosk.tap_text("150 %")
            kiosk.screenshot("panel-larger-text")
            kiosk.tap_text("Zurück zu meiner Seite")
            kiosk.screenshot("form-larger-text")
            kiosk.tap_text("Bedienhilfen")
            kiosk.tap_text("100 %")
            kiosk.tap_text("Zurück zu meiner Seite")

    fill_all_pages(kiosk, answers, on_page=on_page)
    check_help(kiosk, "review")

    # Hold the submission in the worker to see the 'being saved' screen, then let it fail once.
    gate, outcome = threading.Event(), {"fail": True}
    real_put = kiosk.outbox.put

    def slow_put(application, prefix):  # type: ignore[no-untyped-def]
        assert gate.wait(10)
        if outcome["fail"]:
            raise OutboxError("/var/lib/kiosk/outbox.sqlite3: cannot store application: disk I/O error")
        return real_put(application, prefix)

    monkeypatch.setattr(kiosk.outbox, "put", slow_put)
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Ihr Antrag wird gespeichert. Einen Moment bitte …")
    check_help(kiosk, "submitting", try_everything=False)
    gate.set()
    kiosk.expect("Entschuldigung, etwas ist schiefgegangen.")
    check_help(kiosk, "failsafe")
    outcome["fail"] = False
    kiosk.tap_text("Noch einmal versuchen")
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Bitte nehmen Sie Ihren Beleg")
    check_help(kiosk, "receipt")
    kiosk.tap_text("Fertig")
    kiosk.expect("Auf Wiedersehen!")
    check_help(kiosk, "goodbye")


def test_overlays_fit_at_the_largest_text_size_which_is_reset_for_the_next_citizen(kiosk: Kiosk) -> None:
    start(kiosk)
    kiosk.tap_text("Bedienhilfen")
    kiosk.tap_text("200 %")
    assert_overlay_fits(kiosk, "accessibility panel")
    kiosk.tap_text("Zurück zu meiner Seite")
    kiosk.tap_text("Hilfe")
    kiosk.screenshot("help-largest-text")
    assert_overlay_fits(kiosk, "help")
    kiosk.tap_text("Zurück zu meiner Seite")
    larger = kiosk.app.theme.body
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")
    kiosk.screenshot("more-time-largest-text")
    assert_overlay_fits(kiosk, "more time prompt")
    kiosk.tap_text("Ja, ich brauche mehr Zeit")
    kiosk.tap_text("Abbrechen")
    kiosk.expect("Möchten Sie wirklich abbrechen?")
    kiosk.screenshot("confirm-cancel-largest-text")
    assert_overlay_fits(kiosk, "cancel question")
    kiosk.tap_text("Ja, abbrechen und löschen")
    kiosk.expect(WELCOME)
    assert kiosk.app.theme.body < larger


# -- when things go wrong ----------------------------------------------------------------

def test_failsafe_shows_no_traceback_and_retry_keeps_the_answers(kiosk: Kiosk,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    answers = sample_answers(kiosk)
    start(kiosk)
    fill_all_pages(kiosk, answers)
    review = kiosk.texts_on_screen()

    def broken_put(application, prefix):  # type: ignore[no-untyped-def]
        raise OutboxError(f"{kiosk.config.paths.data_dir}/outbox.sqlite3: cannot store application: "
                          f"database or disk is full ({application.data['familienname']})")

    monkeypatch.setattr(kiosk.outbox, "put", broken_put)
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Entschuldigung, etwas ist schiefgegangen.",
                 "Ihre Angaben sind noch da. Sie können es noch einmal versuchen oder von vorn beginnen.",
                 "Noch einmal versuchen", "Von vorn beginnen")
    kiosk.screenshot("failsafe")
    shown = kiosk.screen_text()
    for technical in ("Traceback", "Error", "Exception", "outbox", "sqlite", ".py", "disk",
                      answers["familienname"]):
        assert technical not in shown, f"{technical!r} shown on the failsafe screen"
    assert str(answers["familienname"]) not in kiosk.log_file.read_text(encoding="utf-8")

    kiosk.tap_text("Noch einmal versuchen")
    kiosk.expect("Bitte prüfen Sie Ihre Angaben")
    assert kiosk.texts_on_screen() == review
    # The outbox works again: nothing was lost, sending now succeeds.
    monkeypatch.undo()
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Vielen Dank! Ihr Antrag ist eingegangen.")
    assert kiosk.outbox.read(reference_on_screen(kiosk)).data == to_data(service(kiosk), answers)


def test_receipt_texts_reach_the_translators() -> None:
    """The receipt screen's texts sit in a table: the extractor must still find them, or the
    catalogues lose their translations at the next `kiosk translations update`."""
    from kiosk.translations import ui_messages
    from kiosk.ui.screens.receipt import PRINTOUT_MESSAGES

    shown = [text for text in PRINTOUT_MESSAGES.values() if text]
    assert len(shown) == 4
    extracted = ui_messages()
    assert [text for text in shown if text not in extracted] == []


# -- privacy -----------------------------------------------------------------------------

def end_by_finishing(kiosk: Kiosk) -> None:
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Vielen Dank! Ihr Antrag ist eingegangen.", "Bitte nehmen Sie Ihren Beleg")
    kiosk.tap_text("Fertig")
    kiosk.expect("Auf Wiedersehen!")
    kiosk.idle_for(TIMING.goodbye_s)


def end_by_cancelling(kiosk: Kiosk) -> None:
    kiosk.tap_text("Abbrechen")
    kiosk.tap_text("Ja, abbrechen und löschen")


def end_by_walking_away(kiosk: Kiosk) -> None:
    kiosk.idle_for(TIMING.inactivity_s)
    kiosk.expect("Brauchen Sie mehr Zeit?")
    kiosk.idle_for(TIMING.prompt_s)


@pytest.mark.parametrize("end", [end_by_finishing, end_by_cancelling, end_by_walking_away],
                         ids=["finish", "cancel", "timeout"])
def test_no_answer_survives_the_session(kiosk: Kiosk, end: Callable[[Kiosk], None], tmp_path: Path) -> None:
    start(kiosk)
    fill_all_pages(kiosk, CANARY)
    review = kiosk.screen_text()
    assert all(c in review for c in TYPED_CANARIES), review  # they were really there
    end(kiosk)
    kiosk.expect(WELCOME)
    kiosk.advance_frames(3)

    assert kiosk.journey.session is None
    in_widgets = [c for c in CANARY_TRACES if any(c in t for t in kiosk.all_text_anywhere())]
    assert not in_widgets, f"still held by widgets: {in_widgets}"
    from kivy.cache import Cache  # Kivy caches text layouts keyed by the text itself

    cached = [str(key) for category in Cache._objects.values() for key in category]
    assert not [c for c in CANARY_TRACES if any(c in key for key in cached)], "still in Kivy's caches"
    assert not any(c in kiosk.devices.speaker.last_text for c in CANARY_TRACES)
    assert not any(c.encode() in printed(kiosk, int(end is end_by_finishing)) for c in CANARY_TRACES)
    logging_flush()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert kiosk.log_file in files
    for path in files:  # log, temp dir, outbox (encrypted), Kivy's own files
        data = path.read_bytes()
        leaked = [c for c in CANARY_TRACES if c.encode() in data or c.encode("utf-16-le") in data]
        assert not leaked, f"{path.relative_to(tmp_path)} holds {leaked}"


def printed(kiosk: Kiosk, count: int = 1) -> bytes:
    """The `count` receipts the terminal's printer (the emulator at the far end of the line)
    received: it takes them off the line a moment after the terminal knows they printed."""
    emulator = kiosk.devices.printer_line.emulator  # type: ignore[union-attr]
    assert emulator.wait_for_receipts(count, 10)
    assert len(emulator.receipts) == count
    return b"".join(emulator.receipts)


def logging_flush() -> None:
    import logging

    for handler in logging.getLogger().handlers:
        handler.flush()


# -- touch targets -----------------------------------------------------------------------

def assert_touch_targets(kiosk: Kiosk, where: str) -> int:
    from kivy.uix.button import Button

    smallest = kiosk.app.theme.touch
    buttons = kiosk.visible_widgets(Button)
    too_small = [(t.text, round(t.width), round(t.height)) for t in buttons
                 if t.width < smallest or t.height < smallest]
    assert not too_small, f"{where}: buttons smaller than {smallest} px: {too_small}"
    return len(buttons)


def test_every_button_is_a_large_enough_touch_target(kiosk: Kiosk) -> None:
    touch_mm, dpi = kiosk.config.display.touch_target_mm, kiosk.config.display.dpi
    assert kiosk.app.theme.touch >= touch_mm * dpi / 25.4
    answers = sample_answers(kiosk)
    checked = assert_touch_targets(kiosk, "welcome")
    kiosk.tap_text(START)
    kiosk.expect("Deutsch")
    checked += assert_touch_targets(kiosk, "language")
    kiosk.tap_text("Deutsch")
    kiosk.expect("Was möchten Sie tun?")
    checked += assert_touch_targets(kiosk, "catalogue")
    kiosk.tap_text("Meldebescheinigung beantragen")

    def on_page(index: int) -> None:
        nonlocal checked
        checked += assert_touch_targets(kiosk, f"form page {index + 1}")
        if index == 0:
            kiosk.tap_text("Hilfe")
            checked += assert_touch_targets(kiosk, "help")
            kiosk.tap_text("Zurück zu meiner Seite")
            kiosk.tap_text("Abbrechen")
            checked += assert_touch_targets(kiosk, "cancel question")
            kiosk.tap_text("Nein, weitermachen")
            kiosk.idle_for(TIMING.inactivity_s)
            kiosk.expect("Brauchen Sie mehr Zeit?")
            checked += assert_touch_targets(kiosk, "more time prompt")
            kiosk.tap_text("Ja, ich brauche mehr Zeit")

    fill_all_pages(kiosk, answers, on_page=on_page)
    checked += assert_touch_targets(kiosk, "review")
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Bitte nehmen Sie Ihren Beleg")
    checked += assert_touch_targets(kiosk, "receipt")
    kiosk.tap_text("Fertig")
    kiosk.expect("Auf Wiedersehen!")
    checked += assert_touch_targets(kiosk, "goodbye")
    assert checked >= 30  # the walk really looked at the buttons


def test_keyboard_leaves_the_field_and_next_in_view_and_enter_moves_on(kiosk: Kiosk) -> None:
    start(kiosk)
    family_name = kiosk.input("familienname")
    kiosk.tap(family_name)
    kiosk.wait_until(lambda: kiosk.keyboard() is not None, 2, "the on-screen keyboard")
    kiosk.pump_for(0.3)  # the page makes room and scrolls the question into view
    keyboard_top = kiosk.keyboard().top
    assert kiosk.in_view(family_name)
    assert family_name.to_window(*family_name.pos)[1] > keyboard_top, "field hidden by the keyboard"
    weiter = kiosk.button("Weiter")
    assert weiter.to_window(*weiter.pos)[1] >= keyboard_top, "'Weiter' hidden by the keyboard"
    kiosk.screenshot("keyboard-open")
    # Enter on the keyboard moves to the next question instead of checking the whole page.
    kiosk._tap_key(lambda data: data[2] == "enter")
    assert kiosk.input("geburtsdatum").focus and not family_name.focus
    assert dict(kiosk.state.problems) == {}
    assert not any(t.startswith("!  ") for t in kiosk.texts_on_screen()), kiosk.texts_on_screen()
    kiosk.close_keyboard()


def test_a_failing_screen_leads_to_the_failsafe_not_a_dead_terminal(kiosk: Kiosk,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from kivy.base import ExceptionManager

    from kiosk.ui.screens.review import ReviewScreen

    answers = sample_answers(kiosk)
    start(kiosk)
    fill_all_pages(kiosk, answers)
    kiosk.tap_text("Zurück")
    kiosk.expect(step_heading(kiosk, 2, "de"))
    real_show = ReviewScreen.show
    monkeypatch.setattr(ReviewScreen, "show", lambda self, state: 1 / 0)
    # Kivy's main loop hands an exception escaping a tap to the app's handler; here the test
    # pumps the loop itself, so it catches the exception and hands it over the same way.
    assert kiosk.app._failsafe in ExceptionManager.handlers
    with pytest.raises(ZeroDivisionError) as failure:
        kiosk.tap_text("Angaben prüfen")
    assert kiosk.app._failsafe.handle_exception(failure.value) == ExceptionManager.PASS
    kiosk.expect("Entschuldigung, etwas ist schiefgegangen.", "Noch einmal versuchen")
    assert "ZeroDivisionError" in kiosk.log_file.read_text(encoding="utf-8")
    monkeypatch.setattr(ReviewScreen, "show", real_show)
    kiosk.tap_text("Noch einmal versuchen")
    kiosk.expect("Bitte prüfen Sie Ihre Angaben")
    assert f"Familienname:  {answers['familienname']}" in plain(kiosk.screen_text())


def test_an_overlay_puts_the_keyboard_away(kiosk: Kiosk) -> None:
    start(kiosk)
    kiosk.tap(kiosk.input("vorname"))
    kiosk.wait_until(lambda: kiosk.keyboard() is not None, 2, "the on-screen keyboard")
    kiosk.idle_for(TIMING.inactivity_s)  # the prompt comes without a touch
    kiosk.expect("Brauchen Sie mehr Zeit?")
    kiosk.wait_until(lambda: kiosk.keyboard() is None, 2, "the keyboard to go away")
    kiosk.tap_text("Ja, ich brauche mehr Zeit")
    kiosk.expect(step_heading(kiosk, 0, "de"))


def test_names_get_capitals_and_dates_get_the_number_pad(kiosk: Kiosk) -> None:
    start(kiosk)
    kiosk.tap(kiosk.input("vorname"))
    assert kiosk.keyboard().layout == "text"
    kiosk.press_keys("anna-lena ö")
    assert kiosk.field_texts()["vorname"] == "Anna-Lena Ö"  # no shift key needed
    kiosk.close_keyboard()
    kiosk.tap(kiosk.input("geburtsdatum"))
    keyboard = kiosk.keyboard()
    assert keyboard.layout == "numeric"
    labels = {key[0] for row in range(1, 5) for key in keyboard.available_layouts["numeric"][f"normal_{row}"]}
    assert set("0123456789.") <= labels and "q" not in labels
    kiosk.press_keys("12.08.1964")
    assert kiosk.field_texts()["geburtsdatum"] == "12.08.1964"
    kiosk.screenshot("number-pad")
