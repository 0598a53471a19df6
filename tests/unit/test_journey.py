"""The journey state machine, with the real service, a real outbox file and the printer simulator."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from hardware.printer import PaperStatus, PrinterStatus
from hardware.printer.simulator import SimulatedPrinter
from kiosk.config import REPO_ROOT
from kiosk.forms.answers import example_answers, shown_fields, to_data
from kiosk.forms.service import DeclaredStep, FormStep, Service, load_catalogue, load_service, parse_service
from kiosk.forms.validation import FieldProblem, validate
from kiosk.i18n import LANGUAGES, ts
from kiosk.journey import calling
from kiosk.journey import events as ev
from kiosk.journey import machine
from kiosk.journey.machine import _ANYWHERE, _HANDLERS, _OVERLAY_HANDLERS, Journey, Place, Timing
from kiosk.journey.session import Session
from kiosk.journey.state import JourneyState, Overlay, Printout, Stage
from kiosk.outbox.store import EncryptedOutbox, OutboxError
from tests.fakes import ManualClock

SERVICE_FILE = REPO_ROOT / "config" / "services" / "meldebescheinigung.yaml"
TIMING = Timing(inactivity_s=120, prompt_s=30, goodbye_s=8)
TODAY = dt.date(2025, 6, 15)

# Valid answers that are easy to spot anywhere they should not be.
CANARIES = {
    "vorname": "Kanarienvogel",
    "familienname": "Zaunkoenigsberger-Canary",
    "geburtsdatum": "29.02.1944",
    "anschrift.strasse": "Kanarienweg",
    "anschrift.hausnummer": "4711",
    "anschrift.plz": "47110",
    "anschrift.ort": "Vogelsangshausen",
    "zweck": "behoerde",
    "zustellung": "abholung",
}
# What the office receives for them: nested as the schema says, the date in ISO form.
CANARY_DATA = {
    "vorname": "Kanarienvogel",
    "familienname": "Zaunkoenigsberger-Canary",
    "geburtsdatum": "1944-02-29",
    "anschrift": {"strasse": "Kanarienweg", "hausnummer": "4711", "plz": "47110", "ort": "Vogelsangshausen"},
    "zweck": "behoerde",
    "zustellung": "abholung",
}
FREE_TEXT_CANARIES = [v for k, v in CANARIES.items() if k not in ("zweck", "zustellung")] + ["1944-02-29"]

# -- every transition in the tables has a test; registered here, checked at the end -----------

COVERED: set[object] = set()


def covers(*keys: object) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def mark(test: Callable[..., None]) -> Callable[..., None]:
        COVERED.update(keys)
        return test
    return mark


# -- test doubles --------------------------------------------------------------------------------

class ManualWorker:
    """Keeps jobs until the test runs them, as a real worker thread would deliver them later."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], object], Callable[[object], None]]] = []

    def run(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        self.jobs.append((job, done))

    def finish_all(self) -> None:
        while self.jobs:
            job, done = self.jobs.pop(0)
            try:
                result: object = job()
            except Exception as exc:
                result = exc
            done(result)


@dataclass
class Env:
    journey: Journey
    outbox: EncryptedOutbox
    printer: SimulatedPrinter
    clock: ManualClock
    service: Service
    temp_root: Path
    wipes: list[int] = field(default_factory=list)
    seen: list[JourneyState] = field(default_factory=list)

    def send(self, event: ev.Event) -> JourneyState:
        return self.journey.send(event)

    @property
    def state(self) -> JourneyState:
        return self.journey.state

    @property
    def session(self) -> Session:
        assert self.journey.session is not None
        return self.journey.session

    def tick(self, seconds: float = 0) -> JourneyState:
        self.clock.advance(seconds)
        return self.send(ev.Tick())


# A small service with what the real one does not have: an identification step (declared, not
# done at the terminal), pages shown only for one way of delivery (one by its own show_when, one
# because its only field is hidden), and a rule (if/then) by which an answer on a later page makes
# a field on the first page required.
HUND = {
    "id": "hundeanmeldung", "reference_prefix": "HU", "title": "Hund anmelden",
    "summary": "Melden Sie Ihren Hund für die Hundesteuer an.", "office": "Steueramt",
    "needs": {"identification": True},
    "schema": {
        "type": "object", "additionalProperties": False, "required": ["name", "zustellung"],
        "properties": {
            "name": {"type": "string", "title": "Name", "format": "name"},
            "telefon": {"type": "string", "title": "Telefon", "format": "phone"},
            "zustellung": {"type": "string", "title": "Zustellung",
                           "oneOf": [{"const": "post", "title": "Per Post"},
                                     {"const": "abholung", "title": "Abholen"}]},
            "rueckruf": {"type": "boolean", "title": "Sollen wir Sie anrufen?"},
            "strasse": {"type": "string", "title": "Straße", "format": "street"},
            "bemerkung": {"type": "string", "title": "Bemerkung", "maxLength": 200},
            "express": {"type": "boolean", "title": "Express?"},
        },
        "if": {"properties": {"rueckruf": {"const": True}}, "required": ["rueckruf"]},
        "then": {"required": ["telefon"]},
    },
    "steps": [
        {"id": "halter", "title": "Halter", "fields": [{"field": "name", "example": "Erika"},
                                                       {"field": "telefon", "example": "0221 12345678"}]},
        {"id": "ausweis", "kind": "eid", "title": "Ausweisen",
         "instead": "Bitte bringen Sie Ihren Personalausweis mit, wenn Sie die Marke abholen."},
        {"id": "zustellung", "title": "Zustellung", "fields": [{"field": "zustellung", "example": "post"},
                                                               {"field": "rueckruf", "example": True}]},
        {"id": "adresse", "title": "Adresse", "show_when": {"field": "zustellung", "equals": "post"},
         "fields": [{"field": "strasse", "example": "Heidestraße"}]},
        {"id": "bemerkung", "title": "Bemerkung", "fields": [{"field": "bemerkung", "example": "Keine"}]},
        {"id": "versand", "title": "Versand",
         "fields": [{"field": "express", "example": False, "show_when": {"field": "zustellung", "equals": "post"}}]},
    ],
}
HALTER, AUSWEIS, ZUSTELLUNG, ADRESSE, BEMERKUNG, VERSAND = range(6)
HUND_ANSWERS: dict[str, object] = {"name": "Erika", "telefon": "", "zustellung": "post", "rueckruf": False,
                                   "strasse": "Heidestraße", "bemerkung": "", "express": True}


def make_env(tmp_path: Path, worker: object = None, services: tuple[Service, ...] = (),
             photo_retakes: int | None = None, assist: object = None) -> Env:
    service = load_service(SERVICE_FILE)
    outbox = EncryptedOutbox(tmp_path / "data" / "outbox.sqlite", tmp_path / "data" / "outbox.key")
    printer = SimulatedPrinter()
    clock = ManualClock()
    journey = Journey((service, *services), outbox, printer, timing=TIMING, place=Place("demo-01", "Rathaus, Foyer"),
                      temp_root=tmp_path / "run", default_language="de", clock=clock, today=lambda: TODAY,
                      worker=worker, photo_retakes=photo_retakes, assist=assist)  # type: ignore[arg-type]
    env = Env(journey, outbox, printer, clock, service, tmp_path / "run")
    journey.on_wipe(lambda: env.wipes.append(1))
    journey.subscribe(env.seen.append)
    return env


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    environment = make_env(tmp_path)
    yield environment
    environment.outbox.close()


@pytest.fixture
def hund(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The terminal offering the real service and the small one."""
    environment = make_env(tmp_path, services=(parse_service(HUND, "hundeanmeldung"),))
    yield environment
    environment.outbox.close()


# -- driving helpers -----------------------------------------------------------------------------

def to_form(env: Env, language: str = "en", service_id: str = "meldebescheinigung") -> JourneyState:
    env.send(ev.Start())
    env.send(ev.ChooseLanguage(language))
    return env.send(ev.ChooseService(service_id))


def page_fields(env: Env) -> list[str]:
    """The fields the current page shows (none on a declared step)."""
    step, service = env.state.step, env.state.service
    assert service is not None
    return [f.path for f in shown_fields(service, step, env.journey.answers())] if isinstance(step, FormStep) else []


def fill_page(env: Env, answers: dict[str, object] = CANARIES) -> None:
    for path in page_fields(env):
        env.send(ev.Answer(path, answers[path]))  # type: ignore[arg-type]


def to_review(env: Env, answers: dict[str, object] = CANARIES, language: str = "en",
              service_id: str = "meldebescheinigung") -> JourneyState:
    to_form(env, language, service_id)
    for _ in env.journey.services[service_id].steps:  # at most one Next per page
        fill_page(env, answers)
        if env.send(ev.Next()).stage is not Stage.FORM:
            break
    assert env.state.stage is Stage.REVIEW, env.state
    return env.state


def required(*paths: str) -> dict[str, FieldProblem]:
    return {path: FieldProblem(path, "required") for path in paths}


def to_receipt(env: Env, answers: dict[str, str] = CANARIES, language: str = "en") -> JourneyState:
    to_review(env, answers, language)
    return env.send(ev.Submit())


def to_failsafe(env: Env) -> JourneyState:
    """A step that raises: an answer for a field that is not on the page."""
    to_form(env)
    fill_page(env)
    state = env.send(ev.Answer("no_such_field", "x"))
    assert state.stage is Stage.FAILSAFE
    return state


def reach(env: Env, stage: Stage) -> JourneyState:
    if stage is Stage.LANGUAGE:
        env.send(ev.Start())
    elif stage is Stage.CATALOGUE:
        env.send(ev.Start())
        env.send(ev.ChooseLanguage("en"))
    elif stage is Stage.FORM:
        to_form(env)
    elif stage is Stage.REVIEW:
        to_review(env)
    elif stage in (Stage.SUBMITTING, Stage.RECEIPT):
        to_receipt(env)
    elif stage is Stage.GOODBYE:
        to_receipt(env)
        env.send(ev.Finish())
    elif stage is Stage.FAILSAFE:
        to_failsafe(env)
    assert env.state.stage is stage
    assert env.state.overlay is Overlay.NONE
    return env.state


def answers_of(session: Session) -> str:
    return repr(vars(session))


# -- the whole way through -----------------------------------------------------------------------

@covers((Stage.WELCOME, ev.Start), (Stage.LANGUAGE, ev.ChooseLanguage), (Stage.CATALOGUE, ev.ChooseService),
        (Stage.FORM, ev.Answer), (Stage.FORM, ev.Next), (Stage.REVIEW, ev.Submit), (Stage.RECEIPT, ev.Finish))
def test_happy_path_from_welcome_to_goodbye_and_back(env: Env) -> None:
    assert env.state == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None

    state = env.send(ev.Start())
    assert state.stage is Stage.LANGUAGE and state.language == "de"
    assert env.session.language == "de"

    state = env.send(ev.ChooseLanguage("en"))
    assert state.stage is Stage.CATALOGUE and state.language == "en"
    assert env.session.language == "en"

    state = env.send(ev.ChooseService("meldebescheinigung"))
    assert (state.stage, state.step_index, state.service) == (Stage.FORM, 0, env.service)
    assert env.session.service is env.service

    for index, step in enumerate(env.service.steps):
        assert env.state.stage is Stage.FORM and env.state.step_index == index
        assert env.state.step is step
        fill_page(env)
        assert page_fields(env)
        for path in page_fields(env):
            assert env.journey.answer(path) == CANARIES[path]
        env.send(ev.Next())
    assert env.state.stage is Stage.REVIEW

    state = env.send(ev.Submit())
    assert state.stage is Stage.RECEIPT
    assert state.printout is Printout.PRINTED
    assert state.reference is not None and state.reference.startswith("MB-")
    assert env.state is state
    assert [s.stage for s in env.seen[-3:]] == [Stage.SUBMITTING, Stage.RECEIPT, Stage.RECEIPT]
    assert [s.printout for s in env.seen[-2:]] == [Printout.PRINTING, Printout.PRINTED]

    stored = env.outbox.read(state.reference)
    assert stored.data == CANARY_DATA
    assert (stored.service_id, stored.language, stored.terminal_id) == ("meldebescheinigung", "en", "demo-01")
    assert env.outbox.pending() == 1

    assert env.printer.receipts_printed == 1
    printed = env.printer.last_bytes.decode("cp858", errors="replace")
    assert state.reference in printed
    title = ts("en", "meldebescheinigung", env.service.title)  # in the citizen's language
    assert " ".join(title.split()) in " ".join(printed.split())  # (a long title wraps)
    for canary in FREE_TEXT_CANARIES:
        assert canary not in printed  # the receipt carries no answers

    session = env.session
    state = env.send(ev.Finish())
    assert state.stage is Stage.GOODBYE
    assert env.journey.session is None
    assert session.answers == {}
    assert env.wipes == [1]

    assert env.tick(TIMING.goodbye_s - 0.5).stage is Stage.GOODBYE
    assert env.tick(0.5) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.wipes == [1]  # wiped once, not again


def test_german_receipt_is_printed(env: Env) -> None:
    state = to_receipt(env, language="de")
    assert state.printout is Printout.PRINTED
    printed = env.printer.last_bytes.decode("cp858", errors="replace")
    assert "Meldebescheinigung beantragen" in printed
    assert state.reference in printed  # type: ignore[operator]


def test_turkish_and_arabic_receipts_print_in_their_own_code_page(env: Env) -> None:
    from hardware.printer.escpos_parser import TextLine, parse_escpos

    for language, table, title in (("tr", b"\x1bt\x0d", "Fiş"), ("ar", b"\x1bt\x25", None)):
        state = to_receipt(env, language=language)
        assert state.printout is Printout.PRINTED
        assert table in env.printer.last_bytes
        lines = [e.text for e in parse_escpos(env.printer.last_bytes) if isinstance(e, TextLine)]
        assert title is None or title in lines[0]
        assert any(state.reference in line for line in lines)  # type: ignore[operator]
        env.send(ev.Finish())
        env.tick(TIMING.goodbye_s)


def test_a_printer_without_the_citizens_letters_gets_the_german_receipt(env: Env,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    cyrillic = re.compile("[\u0400-\u04ff]")  # a printer without a Cyrillic code page
    monkeypatch.setattr(env.printer, "can_print", lambda texts: not any(cyrillic.search(t) for t in texts))
    state = to_receipt(env, language="ru")
    assert state.printout is Printout.PRINTED
    printed = env.printer.last_bytes.decode("cp858", errors="replace")
    assert "Beleg" in printed and state.reference in printed  # type: ignore[operator]


def test_events_a_stage_does_not_know_are_ignored(env: Env) -> None:
    to_form(env)
    before = env.state
    assert env.send(ev.Submit()) is before
    assert env.send(ev.Finish()) is before
    assert env.send(ev.Retry()) is before


def test_back_to_catalogue_and_same_service_keeps_answers(env: Env) -> None:
    to_form(env)
    fill_page(env)
    env.send(ev.Back())
    assert env.state.stage is Stage.CATALOGUE
    env.send(ev.ChooseService("meldebescheinigung"))
    assert env.journey.answer("vorname") == CANARIES["vorname"]


# -- form pages ----------------------------------------------------------------------------------

def test_validation_errors_keep_the_page_and_clear_when_answered(env: Env) -> None:
    to_form(env)
    state = env.send(ev.Next())
    assert (state.stage, state.step_index) == (Stage.FORM, 0)
    assert dict(state.problems) == required("vorname", "familienname", "geburtsdatum")

    state = env.send(ev.Answer("vorname", "Erika"))
    assert dict(state.problems) == required("familienname", "geburtsdatum")

    env.send(ev.Answer("familienname", "R2-D2"))
    env.send(ev.Answer("geburtsdatum", "gestern"))
    state = env.send(ev.Next())
    assert state.step_index == 0
    assert dict(state.problems) == {"familienname": FieldProblem("familienname", "name"),
                                    "geburtsdatum": FieldProblem("geburtsdatum", "date")}

    env.send(ev.Answer("familienname", "Müller"))
    env.send(ev.Answer("geburtsdatum", "16.06.2025"))  # tomorrow
    assert dict(env.send(ev.Next()).problems) == {"geburtsdatum": FieldProblem("geburtsdatum", "x-not-future", True)}
    env.send(ev.Answer("geburtsdatum", "15.06.1885"))
    assert dict(env.send(ev.Next()).problems) == {"geburtsdatum": FieldProblem("geburtsdatum", "x-max-age", 130)}

    state = env.send(ev.Answer("geburtsdatum", "1.2.1950"))
    assert dict(state.problems) == {}
    state = env.send(ev.Next())
    assert (state.stage, state.step_index, dict(state.problems)) == (Stage.FORM, 1, {})
    assert env.journey.answer("geburtsdatum") == "1.2.1950"  # kept as typed; the data has it as a date
    assert to_data(env.service, env.journey.answers())["geburtsdatum"] == "1950-02-01"


def test_an_empty_page_of_nested_fields_is_refused(env: Env) -> None:
    to_form(env)
    fill_page(env)
    state = env.send(ev.Next())
    assert state.step.id == "anschrift"
    state = env.send(ev.Next())
    assert (state.stage, state.step_index) == (Stage.FORM, 1)
    assert dict(state.problems) == required("anschrift.strasse", "anschrift.hausnummer", "anschrift.plz",
                                            "anschrift.ort")


def test_answer_that_is_not_a_problem_leaves_the_state(env: Env) -> None:
    to_form(env)
    before = env.state
    assert env.send(ev.Answer("vorname", "Erika")) is before


@covers((Stage.REVIEW, ev.Edit))
def test_edit_a_page_from_the_review_returns_to_the_review(env: Env) -> None:
    to_review(env)
    state = env.send(ev.Edit(1))
    assert (state.stage, state.step_index, state.editing) == (Stage.FORM, 1, True)
    env.send(ev.Answer("anschrift.plz", "5114"))
    state = env.send(ev.Next())
    assert (state.stage, state.step_index) == (Stage.FORM, 1)
    assert dict(state.problems) == {"anschrift.plz": FieldProblem("anschrift.plz", "postal-code-de")}
    env.send(ev.Answer("anschrift.plz", " 51 147 "))
    state = env.send(ev.Next())
    assert (state.stage, state.editing) == (Stage.REVIEW, False)
    assert env.journey.answer("anschrift.plz") == " 51 147 "  # as typed
    assert env.journey.answer("vorname") == CANARIES["vorname"]
    state = env.send(ev.Submit())
    stored = env.outbox.read(state.reference)  # type: ignore[arg-type]
    assert stored.data == {**CANARY_DATA, "anschrift": {**CANARY_DATA["anschrift"], "plz": "51147"}}  # type: ignore[dict-item]


def test_page_left_with_back_from_review_edit_is_checked_before_submitting(env: Env) -> None:
    to_review(env)
    env.send(ev.Edit(1))
    env.send(ev.Answer("anschrift.plz", "<script>"))
    assert env.send(ev.Back()).stage is Stage.REVIEW
    state = env.send(ev.Submit())
    assert (state.stage, state.step_index, state.editing) == (Stage.FORM, 1, True)
    assert dict(state.problems) == {"anschrift.plz": FieldProblem("anschrift.plz", "postal-code-de")}
    assert env.outbox.pending() == 0
    env.send(ev.Answer("anschrift.plz", "51147"))
    assert env.send(ev.Next()).stage is Stage.REVIEW
    assert env.send(ev.Submit()).stage is Stage.RECEIPT
    assert env.outbox.pending() == 1


# -- back ------------------------------------------------------------------------------------------

@covers((Stage.LANGUAGE, ev.Back))
def test_back_from_language_returns_to_welcome_and_wipes(env: Env) -> None:
    env.send(ev.Start())
    assert env.send(ev.Back()) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None
    assert env.wipes == [1]


@covers((Stage.CATALOGUE, ev.Back))
def test_back_from_catalogue_returns_to_language(env: Env) -> None:
    reach(env, Stage.CATALOGUE)
    state = env.send(ev.Back())
    assert state.stage is Stage.LANGUAGE
    assert env.journey.session is not None


@covers((Stage.FORM, ev.Back))
def test_back_through_the_form_pages(env: Env) -> None:
    to_form(env)
    for _ in range(2):
        fill_page(env)
        env.send(ev.Next())
    assert env.state.step_index == 2
    assert env.send(ev.Back()).step_index == 1
    state = env.send(ev.Back())
    assert (state.stage, state.step_index) == (Stage.FORM, 0)
    assert env.send(ev.Back()).stage is Stage.CATALOGUE
    assert env.journey.answer("anschrift.strasse") == CANARIES["anschrift.strasse"]  # nothing typed is lost


def test_back_clears_problems(env: Env) -> None:
    to_form(env)
    fill_page(env)
    env.send(ev.Next())
    fill_page(env, {**CANARIES, "anschrift.plz": "4711"})
    assert env.send(ev.Next()).problems
    assert dict(env.send(ev.Back()).problems) == {}


def test_back_from_a_page_opened_from_review_returns_to_review(env: Env) -> None:
    to_review(env)
    env.send(ev.Edit(0))
    state = env.send(ev.Back())
    assert (state.stage, state.editing) == (Stage.REVIEW, False)


@covers((Stage.REVIEW, ev.Back))
def test_back_from_review_returns_to_the_last_page(env: Env) -> None:
    to_review(env)
    state = env.send(ev.Back())
    assert (state.stage, state.step_index, state.editing) == (Stage.FORM, 2, False)
    assert env.send(ev.Next()).stage is Stage.REVIEW


@pytest.mark.parametrize("stage", [Stage.WELCOME, Stage.RECEIPT, Stage.GOODBYE, Stage.FAILSAFE])
def test_back_where_there_is_no_way_back_is_ignored(env: Env, stage: Stage) -> None:
    before = reach(env, stage)
    assert env.send(ev.Back()) is before


# -- declared steps, pages shown on condition, rules across pages --------------------------------

def test_a_declared_step_is_a_page_and_next_moves_past_it(hund: Env) -> None:
    state = to_form(hund, service_id="hundeanmeldung")
    assert (state.service.id, state.step_index) == ("hundeanmeldung", HALTER)  # type: ignore[union-attr]
    fill_page(hund, HUND_ANSWERS)
    state = hund.send(ev.Next())
    assert (state.stage, state.step_index, dict(state.problems)) == (Stage.FORM, AUSWEIS, {})
    assert isinstance(state.step, DeclaredStep) and state.step.kind == "eid"
    assert page_fields(hund) == []
    state = hund.send(ev.Next())  # nothing to check on it
    assert (state.stage, state.step_index, dict(state.problems)) == (Stage.FORM, ZUSTELLUNG, {})
    assert hund.send(ev.Back()).step_index == AUSWEIS
    assert hund.send(ev.Back()).step_index == HALTER


def test_a_declared_step_takes_no_answers_and_cannot_be_opened_from_the_review(hund: Env) -> None:
    to_review(hund, HUND_ANSWERS, service_id="hundeanmeldung")
    review = hund.state
    state = hund.send(ev.Edit(AUSWEIS))
    assert (state.stage, state.resume) == (Stage.FAILSAFE, review)
    assert hund.send(ev.Retry()) == review
    state = hund.send(ev.Back())
    assert state.step_index == VERSAND
    hund.send(ev.Back())
    hund.send(ev.Back())
    hund.send(ev.Back())
    assert hund.send(ev.Back()).step_index == AUSWEIS
    assert hund.send(ev.Answer("name", "Erika")).stage is Stage.FAILSAFE  # not a field of this page


def test_pages_shown_only_for_post_are_skipped_forwards_and_backwards_for_collection(hund: Env) -> None:
    to_form(hund, service_id="hundeanmeldung")
    fill_page(hund, HUND_ANSWERS)
    hund.send(ev.Next())
    hund.send(ev.Next())
    fill_page(hund, {**HUND_ANSWERS, "zustellung": "abholung"})
    state = hund.send(ev.Next())
    assert (state.stage, state.step_index) == (Stage.FORM, BEMERKUNG)  # the address page is skipped
    state = hund.send(ev.Next())
    assert state.stage is Stage.REVIEW  # so is the last page
    state = hund.send(ev.Back())
    assert (state.stage, state.step_index) == (Stage.FORM, BEMERKUNG)
    assert hund.send(ev.Back()).step_index == ZUSTELLUNG
    assert hund.send(ev.Back()).step_index == AUSWEIS


def test_pages_shown_only_for_post_are_shown_for_post(hund: Env) -> None:
    to_form(hund, service_id="hundeanmeldung")
    steps = []
    for _ in range(len(HUND["steps"])):  # type: ignore[arg-type]
        steps.append(hund.state.step_index)
        fill_page(hund, HUND_ANSWERS)
        if hund.send(ev.Next()).stage is Stage.REVIEW:
            break
    assert steps == [HALTER, AUSWEIS, ZUSTELLUNG, ADRESSE, BEMERKUNG, VERSAND]
    assert hund.send(ev.Back()).step_index == VERSAND


def test_answers_on_pages_no_longer_shown_are_not_sent(hund: Env) -> None:
    to_review(hund, HUND_ANSWERS, service_id="hundeanmeldung")
    hund.send(ev.Edit(ZUSTELLUNG))
    hund.send(ev.Answer("zustellung", "abholung"))
    assert hund.send(ev.Next()).stage is Stage.REVIEW
    assert hund.journey.answer("strasse") == "Heidestraße"  # kept, should the citizen change back
    state = hund.send(ev.Submit())
    assert state.reference is not None and state.reference.startswith("HU-")
    assert hund.outbox.read(state.reference).data == {"name": "Erika", "zustellung": "abholung", "rueckruf": False}


def test_submit_with_a_problem_on_an_earlier_page_opens_that_page(hund: Env) -> None:
    to_form(hund, service_id="hundeanmeldung")
    fill_page(hund, HUND_ANSWERS)  # no phone number: not needed yet
    hund.send(ev.Next())
    hund.send(ev.Next())
    fill_page(hund, {**HUND_ANSWERS, "rueckruf": True})  # a call back needs the phone number
    state = hund.send(ev.Next())
    assert (state.stage, dict(state.problems)) == (Stage.FORM, {})  # the phone is not on this page
    for _ in range(VERSAND - ZUSTELLUNG):
        fill_page(hund, HUND_ANSWERS)
        hund.send(ev.Next())
    assert hund.state.stage is Stage.REVIEW

    state = hund.send(ev.Submit())
    assert (state.stage, state.step_index, state.editing) == (Stage.FORM, HALTER, True)
    assert dict(state.problems) == required("telefon")
    assert hund.outbox.pending() == 0
    hund.send(ev.Answer("telefon", "0221 12345678"))
    assert hund.send(ev.Next()).stage is Stage.REVIEW  # straight back to the review
    state = hund.send(ev.Submit())
    assert state.stage is Stage.RECEIPT
    assert hund.outbox.read(state.reference).data == {  # type: ignore[arg-type]
        "name": "Erika", "telefon": "0221 12345678", "zustellung": "post", "rueckruf": True,
        "strasse": "Heidestraße", "express": True}


SERVICE_IDS = sorted(p.stem for p in SERVICE_FILE.parent.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


@pytest.mark.parametrize("service_id", SERVICE_IDS)
def test_every_service_can_be_walked_with_its_examples(tmp_path: Path, service_id: str) -> None:
    catalogue = load_catalogue(SERVICE_FILE.parent, tuple(SERVICE_IDS))
    assert catalogue.broken == ()
    env = make_env(tmp_path, services=tuple(s for s in catalogue.services if s.id != "meldebescheinigung"))
    service = env.journey.services[service_id]
    examples = example_answers(service, TODAY)
    try:
        state = to_review(env, examples, "de", service_id)  # type: ignore[arg-type]
        state = env.send(ev.Submit())
        assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.PRINTED), state
        assert state.reference is not None and state.reference.startswith(service.reference_prefix + "-")
        stored = env.outbox.read(state.reference)
        assert stored.data == to_data(service, examples)
        assert validate(service, stored.data, TODAY) == []
    finally:
        env.outbox.close()


def test_the_seven_languages() -> None:
    assert LANGUAGES == ("de", "en", "tr", "ar", "ru", "uk", "pl")


@pytest.mark.parametrize("code", LANGUAGES)
def test_language_choice_accepts_every_language_through_to_the_receipt(env: Env, code: str) -> None:
    env.send(ev.Start())
    state = env.send(ev.ChooseLanguage(code))
    assert (state.stage, state.language, env.session.language) == (Stage.CATALOGUE, code, code)
    state = to_receipt(env, language=code)
    assert (state.stage, state.language, state.printout) == (Stage.RECEIPT, code, Printout.PRINTED)
    assert env.outbox.read(state.reference).language == code  # type: ignore[arg-type]


# -- help ------------------------------------------------------------------------------------------

ALL_STAGES = list(Stage)


@covers(ev.OpenHelp, (Overlay.HELP, ev.CloseHelp))
@pytest.mark.parametrize("stage", ALL_STAGES)
def test_help_opens_over_any_stage_and_closes_back_to_it(tmp_path: Path, stage: Stage) -> None:
    env = make_env(tmp_path, ManualWorker() if stage is Stage.SUBMITTING else None)
    before = reach(env, stage)
    state = env.send(ev.OpenHelp())
    assert (state.stage, state.overlay) == (stage, Overlay.HELP)
    assert env.send(ev.Next()).overlay is Overlay.HELP  # the stage underneath does not react
    assert env.send(ev.CloseHelp()) == before


@covers((Overlay.HELP, ev.StartOver))
@pytest.mark.parametrize("stage", [Stage.LANGUAGE, Stage.CATALOGUE, Stage.FORM, Stage.REVIEW, Stage.RECEIPT,
                                   Stage.FAILSAFE])
def test_start_over_from_help_asks_first(env: Env, stage: Stage) -> None:
    reach(env, stage)
    env.send(ev.OpenHelp())
    state = env.send(ev.StartOver())
    assert (state.stage, state.overlay) == (stage, Overlay.CONFIRM_CANCEL)
    assert env.journey.session is not None


@pytest.mark.parametrize("stage", [Stage.WELCOME, Stage.GOODBYE])
def test_start_over_from_help_without_a_session_goes_to_welcome(env: Env, stage: Stage) -> None:
    reach(env, stage)
    env.send(ev.OpenHelp())
    assert env.send(ev.StartOver()) == JourneyState(stage=Stage.WELCOME, language="de")


@covers((Overlay.HELP, ev.Cancel))
def test_cancel_from_help_asks_for_confirmation(env: Env) -> None:
    reach(env, Stage.FORM)
    env.send(ev.OpenHelp())
    state = env.send(ev.Cancel())
    assert (state.stage, state.overlay) == (Stage.FORM, Overlay.CONFIRM_CANCEL)


# -- accessibility panel ---------------------------------------------------------------------------

@covers(ev.OpenAccessibility, (Overlay.ACCESSIBILITY, ev.CloseAccessibility))
@pytest.mark.parametrize("stage", ALL_STAGES)
def test_accessibility_panel_opens_over_any_stage_and_closes_back_to_it(tmp_path: Path, stage: Stage) -> None:
    env = make_env(tmp_path, ManualWorker() if stage is Stage.SUBMITTING else None)
    before = reach(env, stage)
    session = env.journey.session
    state = env.send(ev.OpenAccessibility())
    assert (state.stage, state.overlay) == (stage, Overlay.ACCESSIBILITY)
    assert env.send(ev.Next()).overlay is Overlay.ACCESSIBILITY  # the stage underneath does not react
    assert env.send(ev.CloseAccessibility()) == before
    assert env.journey.session is session  # opening it neither starts nor ends a session


@covers((Overlay.HELP, ev.OpenAccessibility))
def test_accessibility_panel_opens_from_help_and_closes_to_the_page(env: Env) -> None:
    before = reach(env, Stage.FORM)
    env.send(ev.OpenHelp())
    assert env.send(ev.OpenAccessibility()).overlay is Overlay.ACCESSIBILITY
    assert env.send(ev.CloseAccessibility()) == before


def test_a_panel_left_open_on_the_welcome_screen_closes_for_the_next_passer_by(env: Env) -> None:
    env.send(ev.OpenAccessibility())
    assert env.tick(TIMING.inactivity_s - 1).overlay is Overlay.ACCESSIBILITY
    assert env.tick(1) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None and env.wipes == []


def test_inactivity_with_the_panel_open_still_asks_for_more_time(env: Env) -> None:
    to_form(env)
    env.send(ev.OpenAccessibility())
    state = env.tick(TIMING.inactivity_s)
    assert (state.overlay, state.countdown_s) == (Overlay.MORE_TIME, TIMING.prompt_s)


def test_idle_time_follows_the_journey_clock_and_any_touch_resets_it(env: Env) -> None:
    env.tick(7.5)
    assert env.journey.idle_s() == 7.5
    env.send(ev.Touch())
    assert env.journey.idle_s() == 0 and env.journey.now() == env.clock.now


# -- cancel ----------------------------------------------------------------------------------------

@covers(ev.Cancel, (Overlay.CONFIRM_CANCEL, ev.KeepGoing))
@pytest.mark.parametrize("stage", [Stage.LANGUAGE, Stage.CATALOGUE, Stage.FORM, Stage.REVIEW, Stage.RECEIPT,
                                   Stage.FAILSAFE])
def test_cancel_then_keep_going_keeps_everything(env: Env, stage: Stage) -> None:
    before = reach(env, stage)
    session = env.session
    kept = dict(session.answers)
    state = env.send(ev.Cancel())
    assert (state.stage, state.overlay) == (stage, Overlay.CONFIRM_CANCEL)
    assert env.send(ev.KeepGoing()) == before
    assert env.journey.session is session and session.answers == kept
    assert env.wipes == []


@covers((Overlay.CONFIRM_CANCEL, ev.ConfirmCancel))
def test_confirm_cancel_wipes_and_returns_to_welcome(env: Env) -> None:
    to_review(env)
    session = env.session
    env.send(ev.Cancel())
    assert env.send(ev.ConfirmCancel()) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None and session.answers == {}
    assert env.wipes == [1]
    assert env.outbox.pending() == 0


@pytest.mark.parametrize("stage", [Stage.WELCOME, Stage.SUBMITTING, Stage.GOODBYE])
def test_cancel_is_ignored_where_there_is_nothing_to_cancel(tmp_path: Path, stage: Stage) -> None:
    env = make_env(tmp_path, ManualWorker() if stage is Stage.SUBMITTING else None)
    before = reach(env, stage)
    assert env.send(ev.Cancel()) is before


# -- time ------------------------------------------------------------------------------------------

@covers((Overlay.MORE_TIME, ev.KeepGoing))
def test_inactivity_asks_for_more_time_and_keep_going_resets(env: Env) -> None:
    to_form(env)
    fill_page(env)
    assert env.tick(TIMING.inactivity_s - 1).overlay is Overlay.NONE
    state = env.tick(1)
    assert (state.stage, state.overlay, state.countdown_s) == (Stage.FORM, Overlay.MORE_TIME, TIMING.prompt_s)
    state = env.tick(10.5)
    assert state.countdown_s == TIMING.prompt_s - 10
    state = env.send(ev.KeepGoing())
    assert (state.stage, state.overlay, state.countdown_s) == (Stage.FORM, Overlay.NONE, None)
    assert env.tick(TIMING.inactivity_s - 1).overlay is Overlay.NONE  # the timer started again
    assert env.journey.answer("vorname") == CANARIES["vorname"]


def test_any_citizen_event_counts_as_activity(env: Env) -> None:
    to_form(env)
    env.tick(TIMING.inactivity_s - 1)
    env.send(ev.Answer("vorname", "Erika"))
    assert env.tick(TIMING.inactivity_s - 1).overlay is Overlay.NONE
    assert env.tick(1).overlay is Overlay.MORE_TIME


def test_touch_during_the_prompt_closes_it_on_the_next_tick(env: Env) -> None:
    to_form(env)
    assert env.tick(TIMING.inactivity_s + 5).overlay is Overlay.MORE_TIME
    prompt = env.state
    assert env.send(ev.Touch()) is prompt
    state = env.tick(0)
    assert (state.overlay, state.countdown_s, state.stage) == (Overlay.NONE, None, Stage.FORM)


def test_countdown_running_out_wipes_and_returns_to_welcome(env: Env) -> None:
    to_review(env)
    session = env.session
    env.tick(TIMING.inactivity_s)
    assert env.tick(TIMING.prompt_s - 1).countdown_s == 1
    assert env.journey.session is session
    assert env.tick(1) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None and session.answers == {}
    assert env.wipes == [1]


def test_inactivity_over_help_turns_into_the_prompt(env: Env) -> None:
    to_form(env)
    env.send(ev.OpenHelp())
    state = env.tick(TIMING.inactivity_s)
    assert (state.stage, state.overlay) == (Stage.FORM, Overlay.MORE_TIME)


def test_a_citizen_leaving_the_receipt_screen_is_timed_out(env: Env) -> None:
    to_receipt(env)
    env.tick(TIMING.inactivity_s + TIMING.prompt_s)
    assert env.state.stage is Stage.WELCOME
    assert env.journey.session is None and env.wipes == [1]


def test_no_timeout_on_welcome(env: Env) -> None:
    before = env.state
    assert env.tick(10 * (TIMING.inactivity_s + TIMING.prompt_s)) is before


def test_no_timeout_while_submitting(tmp_path: Path) -> None:
    worker = ManualWorker()
    env = make_env(tmp_path, worker)
    state = reach(env, Stage.SUBMITTING)
    assert env.tick(TIMING.inactivity_s + TIMING.prompt_s + 1) is state
    assert env.journey.session is not None
    worker.finish_all()
    assert env.state.stage is Stage.RECEIPT and env.state.printout is Printout.PRINTED


@covers((Stage.GOODBYE, ev.Start))
def test_touching_goodbye_returns_to_welcome_at_once(env: Env) -> None:
    reach(env, Stage.GOODBYE)
    assert env.send(ev.Start()) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None


# -- failsafe --------------------------------------------------------------------------------------

def raising_check(*args: object) -> object:
    raise RuntimeError("validator broke")


@covers((Stage.FAILSAFE, ev.Retry))
def test_failing_step_leads_to_failsafe_and_retry_keeps_answers(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    to_form(env)
    fill_page(env)
    env.send(ev.Next())
    fill_page(env)
    before = env.state
    monkeypatch.setattr(machine, "page_problems", raising_check)
    state = env.send(ev.Next())  # must not raise
    assert state.stage is Stage.FAILSAFE
    assert state.resume == before
    assert env.journey.session is not None

    monkeypatch.undo()
    state = env.send(ev.Retry())
    assert state == before
    assert (state.stage, state.step_index) == (Stage.FORM, 1)
    kept = ("vorname", "anschrift.strasse", "anschrift.ort")
    assert {k: env.journey.answer(k) for k in kept} == {k: CANARIES[k] for k in kept}
    assert env.send(ev.Next()).step_index == 2


def test_retry_returns_without_the_overlay_that_was_open(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    to_form(env)
    env.send(ev.OpenHelp())
    monkeypatch.setitem(_OVERLAY_HANDLERS, (Overlay.HELP, ev.CloseHelp), raising_check)
    assert env.send(ev.CloseHelp()).stage is Stage.FAILSAFE
    state = env.send(ev.Retry())
    assert (state.stage, state.overlay) == (Stage.FORM, Overlay.NONE)


@covers((Stage.FAILSAFE, ev.StartOver))
def test_start_over_from_failsafe_wipes(env: Env) -> None:
    to_failsafe(env)
    session = env.session
    assert env.send(ev.StartOver()) == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.journey.session is None and session.answers == {}
    assert env.wipes == [1]


@pytest.mark.parametrize("code", ["fr", "", "DE", "de-DE", "english", "ar "])
def test_other_language_codes_are_refused(env: Env, code: str) -> None:
    env.send(ev.Start())
    state = env.send(ev.ChooseLanguage(code))
    assert state.stage is Stage.FAILSAFE
    assert env.session.language == "de"
    state = env.send(ev.Retry())
    assert (state.stage, state.language) == (Stage.LANGUAGE, "de")


def test_retry_without_a_session_goes_to_welcome(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(machine, "Session", raising_check)
    assert env.send(ev.Start()).stage is Stage.FAILSAFE
    monkeypatch.undo()
    assert env.send(ev.Retry()) == JourneyState(stage=Stage.WELCOME, language="de")


def test_failed_submission_keeps_answers_and_retry_returns_to_review(env: Env,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    to_review(env)

    def broken_put(*args: object) -> str:
        raise OutboxError("/var/lib/kiosk/outbox.sqlite: disk full")

    monkeypatch.setattr(env.outbox, "put", broken_put)
    state = env.send(ev.Submit())
    assert state.stage is Stage.FAILSAFE
    assert state.resume is not None and state.resume.stage is Stage.REVIEW
    assert env.session.answers == CANARIES
    assert env.outbox.pending() == 0

    monkeypatch.undo()
    assert env.send(ev.Retry()).stage is Stage.REVIEW
    state = env.send(ev.Submit())
    assert state.stage is Stage.RECEIPT
    assert env.outbox.read(state.reference).data == CANARY_DATA  # type: ignore[arg-type]


def test_paper_out_still_shows_the_reference(env: Env) -> None:
    env.printer.set_paper(PaperStatus.OUT)
    state = to_receipt(env)
    assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.FAILED)
    assert state.reference is not None
    assert env.outbox.read(state.reference).data == CANARY_DATA
    assert env.printer.receipts_printed == 0
    assert env.send(ev.Finish()).stage is Stage.GOODBYE


@pytest.mark.parametrize("status", [
    PrinterStatus(online=False, paper=PaperStatus.OK, cover_open=True, error=None),
    PrinterStatus(online=False, paper=PaperStatus.OK, cover_open=False, error="autocutter error"),
    PrinterStatus.unknown("not connected: [Errno 2] No such file or directory: '/dev/ttyUSB0'"),
], ids=["cover open", "error", "not connected"])
def test_a_printer_that_cannot_print_gets_no_receipt_and_the_code_stays(env: Env, status: PrinterStatus) -> None:
    env.printer.set_status(status)
    state = to_receipt(env)
    assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.FAILED)
    assert state.reference is not None and env.outbox.read(state.reference).data == CANARY_DATA
    assert env.printer.receipts_printed == 0


def test_a_silent_printer_still_gets_the_receipt_but_the_outcome_is_unknown(env: Env) -> None:
    env.printer.set_status(PrinterStatus.unknown("no reply"))
    state = to_receipt(env)
    assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.UNKNOWN)
    assert state.reference is not None
    assert env.printer.receipts_printed == 1


def test_paper_near_end_still_prints(env: Env) -> None:
    env.printer.set_paper(PaperStatus.NEAR_END)
    assert to_receipt(env).printout is Printout.PRINTED


def test_the_printers_readiness_reaches_every_state_until_it_changes(env: Env) -> None:
    assert env.state.printer_ready
    env.send(ev.PrinterChanged(ready=False))
    assert env.state.printer_ready is False and env.state.stage is Stage.WELCOME
    state = to_review(env)
    assert state.printer_ready is False  # the review page warns before sending
    env.send(ev.PrinterChanged(ready=True))
    assert env.state.printer_ready and env.state.stage is Stage.REVIEW
    env.send(ev.PrinterChanged(ready=False))
    env.send(ev.Submit())
    env.send(ev.Finish())
    env.tick(TIMING.goodbye_s)
    assert env.state == JourneyState(stage=Stage.WELCOME, language="de", printer_ready=False)


def test_failure_building_the_receipt_fails_only_the_printout(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Journey, "_receipt", lambda *a: raising_check())
    state = to_receipt(env)
    assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.FAILED)
    assert env.outbox.pending() == 1


def test_asynchronous_worker_delivers_results_later(tmp_path: Path) -> None:
    worker = ManualWorker()
    env = make_env(tmp_path, worker)
    to_review(env)
    state = env.send(ev.Submit())
    assert state.stage is Stage.SUBMITTING and env.outbox.pending() == 0
    job, done = worker.jobs.pop(0)
    done(job())
    assert (env.state.stage, env.state.printout) == (Stage.RECEIPT, Printout.PRINTING)
    worker.finish_all()
    assert env.state.printout is Printout.PRINTED


def test_result_arriving_after_the_session_ended_is_ignored(tmp_path: Path) -> None:
    worker = ManualWorker()
    env = make_env(tmp_path, worker)
    reach(env, Stage.SUBMITTING)
    env.send(ev.OpenHelp())
    env.send(ev.StartOver())
    env.send(ev.ConfirmCancel())
    assert env.state.stage is Stage.WELCOME and env.journey.session is None
    worker.finish_all()
    assert env.state == JourneyState(stage=Stage.WELCOME, language="de")
    assert env.printer.receipts_printed == 0


# -- wipe on every way out -------------------------------------------------------------------------

def finish(env: Env) -> None:
    to_receipt(env)
    env.send(ev.Finish())
    env.tick(TIMING.goodbye_s)


def cancel(env: Env) -> None:
    to_review(env)
    env.send(ev.Cancel())
    env.send(ev.ConfirmCancel())


def help_start_over(env: Env) -> None:
    to_review(env)
    env.send(ev.OpenHelp())
    env.send(ev.StartOver())
    env.send(ev.ConfirmCancel())


def timeout(env: Env) -> None:
    to_review(env)
    env.tick(TIMING.inactivity_s)
    env.tick(TIMING.prompt_s)


def failsafe_start_over(env: Env) -> None:
    to_review(env)
    env.send(ev.Edit(99))  # no such page: the step raises
    assert env.state.stage is Stage.FAILSAFE
    env.send(ev.StartOver())


def back_out(env: Env) -> None:
    to_form(env)
    fill_page(env)
    for _ in range(3):
        env.send(ev.Back())


@pytest.mark.parametrize("way_out", [finish, cancel, help_start_over, timeout, failsafe_start_over, back_out])
def test_every_way_out_wipes_the_session(env: Env, way_out: Callable[[Env], None]) -> None:
    sessions: list[Session] = []
    temp_files: list[Path] = []

    def keep_session(state: JourneyState) -> None:
        session = env.journey.session
        if session is not None and session not in sessions and state.stage is Stage.FORM:
            sessions.append(session)
            photo = session.temp_dir / "photo.jpg"
            photo.write_bytes(CANARIES["familienname"].encode() * 100)
            temp_files.append(photo)

    env.journey.subscribe(keep_session)
    way_out(env)

    assert env.state.stage is Stage.WELCOME
    assert env.journey.session is None
    assert env.wipes == [1]
    assert len(sessions) == 1
    old = sessions[0]
    assert old.answers == {}
    assert old.service is None
    for canary in FREE_TEXT_CANARIES:
        assert canary not in answers_of(old)
    assert not temp_files[0].exists()
    assert not temp_files[0].parent.exists()
    assert list(env.temp_root.iterdir()) == []


# -- logging ---------------------------------------------------------------------------------------

def test_no_citizen_data_in_the_logs(env: Env, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    real_check = machine.page_problems
    broke = []

    def leaky_check(service, step, answers, today):  # type: ignore[no-untyped-def]
        # A validator bug whose message quotes what was typed, like int("...") does.
        street = answers.get("anschrift.strasse")
        if street == CANARIES["anschrift.strasse"] and not broke:
            broke.append(1)
            raise ValueError(f"invalid literal for int() with base 10: {street!r}")
        return real_check(service, step, answers, today)

    monkeypatch.setattr(machine, "page_problems", leaky_check)
    to_form(env)
    fill_page(env)
    env.send(ev.Next())
    fill_page(env)
    assert env.send(ev.Next()).stage is Stage.FAILSAFE
    env.send(ev.Retry())
    env.send(ev.Next())
    fill_page(env)
    env.send(ev.Next())
    env.send(ev.Answer("no_such_field", CANARIES["vorname"]))  # another failure, event carries data
    env.send(ev.Retry())
    env.printer.set_paper(PaperStatus.OUT)
    state = env.send(ev.Submit())
    assert (state.stage, state.printout) == (Stage.RECEIPT, Printout.FAILED)
    env.send(ev.Finish())
    env.tick(TIMING.goodbye_s)

    assert any(r.levelno >= logging.ERROR for r in caplog.records)  # the failures were logged
    formatter = logging.Formatter()
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), formatter.format(record),
                         record.exc_text or "", repr(record.exc_info)])
        for canary in FREE_TEXT_CANARIES:
            assert canary not in text, (canary, record.name, record.getMessage())


# -- the tables ------------------------------------------------------------------------------------

def test_every_transition_in_the_tables_has_a_test() -> None:
    import tests.unit.test_journey_call  # noqa: F401  (its tests register the help call's transitions)
    import tests.unit.test_journey_photo  # noqa: F401  (its tests register the photo step's transitions)

    tables = set(_HANDLERS) | set(_ANYWHERE) | set(_OVERLAY_HANDLERS) | set(calling.HANDLERS)
    assert tables - COVERED == set(), "transitions without a test"
    assert COVERED - tables == set(), "tests for transitions that no longer exist"


def test_journey_forms_and_outbox_do_not_import_kivy() -> None:
    code = ("import sys, kiosk.journey.machine, kiosk.forms.validation, kiosk.forms.service, "
            "kiosk.outbox.store, kiosk.config, kiosk.i18n; "
            "assert 'kivy' not in sys.modules, sorted(m for m in sys.modules if m.startswith('kivy'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_recover_from_a_failed_screen_shows_the_failsafe_and_retry_returns_with_answers(env: Env) -> None:
    to_review(env)
    env.journey.recover()
    assert env.state.stage is Stage.FAILSAFE
    assert env.send(ev.Retry()).stage is Stage.REVIEW
    assert env.journey.answer("anschrift.strasse") == CANARIES["anschrift.strasse"]


def test_recover_when_the_failsafe_itself_failed_starts_over_and_wipes(env: Env) -> None:
    to_review(env)
    env.journey.recover()
    env.journey.recover()
    assert env.state.stage is Stage.WELCOME
    assert env.journey.session is None
