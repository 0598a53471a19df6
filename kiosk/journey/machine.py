"""The citizen's path through the terminal as a state machine (pure Python, no Kivy).

Every event goes through `send`. A handler computes the next state; the state is replaced only
when the handler finished, so an exception anywhere leaves the old state intact and leads to the
failsafe stage, from which Retry returns to the old state and StartOver wipes and begins again
(the pibooth lesson: the terminal never shows a traceback and always comes back).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Protocol, TypeVar

from hardware.printer import JobOutcome, Printer, PrintResult, Receipt
from kiosk.forms.answers import shown_fields, step_shown, to_data
from kiosk.forms.service import Answer, DeclaredStep, FormStep, Service
from kiosk.forms.validation import FieldProblem, page_problems, validate
from kiosk.i18n import LANGUAGES, ts
from kiosk.journey import calling
from kiosk.journey import events as ev
from kiosk.journey.assist import Assist
from kiosk.journey.session import Session
from kiosk.journey.state import JourneyState, Overlay, PhotoPhase, Printout, Stage
from kiosk.outbox.application import Application, Outbox, new_retrieval_code
from kiosk.photo.captured import CapturedPhoto
from kiosk.receipt import Office, Submitted, receipt

log = logging.getLogger(__name__)
T = TypeVar("T")


class Worker(Protocol):
    """Runs blocking work off the journey's thread and calls `done` back on it."""

    def run(self, job: Callable[[], T], done: Callable[[T | BaseException], None]) -> None: ...


class InlineWorker:
    """Runs the job at once on the calling thread (scripts and unit tests)."""

    def run(self, job: Callable[[], T], done: Callable[[T | BaseException], None]) -> None:
        try:
            result: T | BaseException = job()
        except Exception as exc:  # handed to `done`, which leads to the failsafe
            result = exc
        done(result)


@dataclass(frozen=True)
class Timing:
    inactivity_s: float
    prompt_s: float
    goodbye_s: float


@dataclass(frozen=True)
class Place:
    terminal_id: str
    location: str
    opening_hours: str = ""  # of the office citizens turn to: printed on every receipt
    phone: str = ""


Listener = Callable[[JourneyState], None]


class Journey:
    def __init__(self, services: tuple[Service, ...], outbox: Outbox, printer: Printer, *,
                 timing: Timing, place: Place, temp_root: Path, default_language: str,
                 clock: Callable[[], float], today: Callable[[], dt.date] = dt.date.today,
                 worker: Worker | None = None, photo_retakes: int | None = None,
                 assist: Assist | None = None) -> None:
        """`photo_retakes`: how many photos after the first a citizen may take on a photo step;
        None when the terminal takes no photos (the step then says what to do instead).
        `assist`: the line to the clerks for help calls; None when the terminal has none."""
        self.services = {s.id: s for s in services}
        self._outbox, self._printer = outbox, printer
        self._timing, self._place, self._temp_root = timing, place, temp_root
        self._default_language = default_language
        self._clock, self._today = clock, today
        self._worker = worker or InlineWorker()
        self._photo_retakes = photo_retakes
        self.assist = assist
        self._listeners: list[Listener] = []
        self._wipe_listeners: list[Callable[[], None]] = []
        self.session: Session | None = None
        self._printer_ready = True
        self.state = JourneyState(language=default_language)
        self._last_activity = clock()
        self._stage_entered = clock()

    # -- observing -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def on_wipe(self, listener: Callable[[], None]) -> None:
        """Called whenever a session ends, for whatever reason (UI clears its fields)."""
        self._wipe_listeners.append(listener)

    def answer(self, field_path: str) -> Answer:
        return self.session.answers.get(field_path, "") if self.session else ""

    def answers(self) -> dict[str, Answer]:
        """A copy of the session's answers (for deciding which pages and fields are shown)."""
        return dict(self.session.answers) if self.session else {}

    def photo(self) -> tuple[CapturedPhoto | None, str | None]:
        """The photo on the current photo step and its retrieval code once kept (for the screens)."""
        return (self.session.photo, self.session.photo_code) if self.session else (None, None)

    def now(self) -> float:
        """The journey's clock (monotonic seconds), for UI timers that must follow it in tests."""
        return self._clock()

    def idle_s(self) -> float:
        """Seconds since the citizen last touched or tapped anything."""
        return self._clock() - self._last_activity

    # -- driving ---------------------------------------------------------------------------

    def send(self, event: ev.Event) -> JourneyState:
        old = self.state
        if event.citizen:
            self._last_activity = self._clock()
        if isinstance(event, ev.PrinterChanged):
            self._printer_ready = event.ready
        try:
            new = self._photo_phase(self._handle(event))
        except Exception as exc:
            # Log the kind of failure and where, never the event nor the exception's message:
            # both may carry citizen data (e.g. "invalid literal for int(): '<what was typed>'").
            log.error("journey step failed in %s on %s: %s", old.stage.name, type(event).__name__, failure_site(exc))
            new = JourneyState(stage=Stage.FAILSAFE, language=old.language, resume=_settled(old))
        new = calling.follow(self, old, new, event)
        if new.printer_ready is not self._printer_ready:  # states made afresh start from the default
            new = replace(new, printer_ready=self._printer_ready)
        self._enter(new)
        return new

    def _enter(self, new: JourneyState) -> None:
        if new is self.state:
            return
        if new.stage is not self.state.stage:
            self._stage_entered = self._clock()
        if new.stage is Stage.WELCOME and self.session is not None:
            self._end_session()
        self.state = new
        for listener in list(self._listeners):
            listener(new)

    def recover(self) -> None:
        """Something outside the journey failed (a screen): show the failsafe, whose Retry returns
        here; when the failsafe itself failed, start over."""
        if self.state.stage is Stage.FAILSAFE:
            self._enter(JourneyState(language=self._default_language))
        else:
            self._enter(JourneyState(stage=Stage.FAILSAFE, language=self.state.language, resume=_settled(self.state)))

    def _end_session(self) -> None:
        assert self.session is not None
        self.session.wipe()
        self.session = None
        for listener in list(self._wipe_listeners):
            listener()

    def _handle(self, event: ev.Event) -> JourneyState:
        s = self.state
        if isinstance(event, ev.Tick):
            return self._tick(s)
        if isinstance(event, (ev.Touch, ev.PrinterChanged)):
            return s  # PrinterChanged: `send` carries the printer's readiness into every state
        if type(event) in calling.HANDLERS:
            return calling.HANDLERS[type(event)](self, s, event)
        handler = _OVERLAY_HANDLERS.get((s.overlay, type(event))) if s.overlay is not Overlay.NONE \
            else _HANDLERS.get((s.stage, type(event))) or _ANYWHERE.get(type(event))
        if handler is None:
            log.info("ignored %s in %s/%s", type(event).__name__, s.stage.name, s.overlay.name)
            if isinstance(event, ev.PhotoTaken):
                event.photo.wipe()  # e.g. taken as the help overlay opened: nobody saw it
            return s
        return handler(self, s, event)

    # -- stages ----------------------------------------------------------------------------

    def _start(self, s: JourneyState, e: ev.Start) -> JourneyState:
        return replace(self.begin(), call=s.call)  # a call from the welcome screen goes on

    def begin(self) -> JourneyState:
        """A new session, on the language page."""
        self.session = Session(language=self._default_language, temp_root=self._temp_root)
        return JourneyState(stage=Stage.LANGUAGE, language=self._default_language)

    def choose_service(self, s: JourneyState, service_id: str) -> JourneyState:
        return self._choose_service(s, ev.ChooseService(service_id))

    def take_answer(self, s: JourneyState, e: ev.Answer) -> JourneyState:
        return self._answer(s, e)

    def _choose_language(self, s: JourneyState, e: ev.ChooseLanguage) -> JourneyState:
        if e.language not in LANGUAGES:
            raise ValueError("unsupported language")
        self._session().language = e.language
        return replace(s, stage=Stage.CATALOGUE, language=e.language)

    def _choose_service(self, s: JourneyState, e: ev.ChooseService) -> JourneyState:
        service = self.services[e.service_id]
        session = self._session()
        if session.service is not service:
            session.answers.clear()
            session.service = service
        return replace(s, stage=Stage.FORM, service=service, step_index=0, editing=False, problems=_NO_PROBLEMS)

    def _answer(self, s: JourneyState, e: ev.Answer) -> JourneyState:
        if e.field_id not in {f.path for f in self._shown(s)}:
            raise KeyError("answer for a field not on this page")
        self._session().answers[e.field_id] = e.value
        if e.field_id not in s.problems:
            return s
        problems = {k: v for k, v in s.problems.items() if k != e.field_id}
        return replace(s, problems=MappingProxyType(problems))

    def _shown(self, s: JourneyState) -> tuple:
        step = s.step
        return shown_fields(s.service, step, self._session().answers) if isinstance(step, FormStep) else ()  # type: ignore[arg-type]

    def _check_page(self, s: JourneyState) -> dict[str, FieldProblem]:
        step = s.step
        if not isinstance(step, FormStep):
            return {}
        return page_problems(s.service, step, self._session().answers, self._today())  # type: ignore[arg-type]

    def _next(self, s: JourneyState, e: ev.Next) -> JourneyState:
        if s.photo in (PhotoPhase.CAPTURE, PhotoPhase.REVIEW) and not self._may_go_without_photo(s):
            return s  # the photo screen offers no Next then; a stray one changes nothing
        problems = self._check_page(s)
        if problems:
            return replace(s, problems=MappingProxyType(problems))
        following = self._page_after(s, s.step_index)
        if s.editing or following is None:
            return replace(s, stage=Stage.REVIEW, editing=False, problems=_NO_PROBLEMS)
        return replace(s, step_index=following, problems=_NO_PROBLEMS)

    # -- photo step ------------------------------------------------------------------------

    def _photo_phase(self, s: JourneyState) -> JourneyState:
        """Every state on a photo step says where the citizen is with the photo; every other
        state has none. Arriving at the step shows the kept photo, or the camera."""
        on_photo_step = (self._photo_retakes is not None and s.stage is Stage.FORM
                         and isinstance(s.step, DeclaredStep) and s.step.kind == "photo")
        if not on_photo_step:
            if s.photo is PhotoPhase.NONE:
                return s
            if self.session is not None and self.session.photo_code is None:
                self.session.forget_photo()  # taken but not kept, and the citizen moved on
            return replace(s, photo=PhotoPhase.NONE, retakes_left=0)
        if s.photo is not PhotoPhase.NONE:
            return s
        session = self._session()
        if session.photo_code is not None:
            return replace(s, photo=PhotoPhase.ACCEPTED, retakes_left=0)
        session.forget_photo()  # one taken but not kept: the citizen left the step, so it goes
        return replace(s, photo=PhotoPhase.CAPTURE, retakes_left=self._retakes_left())

    def _retakes_left(self) -> int:
        assert self._photo_retakes is not None
        return max(0, self._photo_retakes + 1 - max(1, self._session().photos_taken))

    def _may_go_without_photo(self, s: JourneyState) -> bool:
        """After the last permitted photo failed the checks, the citizen goes on without one
        (the step's text says what to do instead); never a dead end."""
        photo = self._session().photo
        return s.photo is PhotoPhase.REVIEW and s.retakes_left == 0 and photo is not None and not photo.compliant

    def _photo_taken(self, s: JourneyState, e: ev.PhotoTaken) -> JourneyState:
        if s.photo is not PhotoPhase.CAPTURE:
            e.photo.wipe()  # arrived after the citizen left the camera: not kept
            return s
        session = self._session()
        session.forget_photo()
        session.photo = e.photo
        session.photos_taken += 1
        return replace(s, photo=PhotoPhase.REVIEW, retakes_left=self._retakes_left())

    def _retake_photo(self, s: JourneyState, e: ev.RetakePhoto) -> JourneyState:
        if s.photo is not PhotoPhase.REVIEW or s.retakes_left <= 0:
            return s
        self._session().forget_photo()
        return replace(s, photo=PhotoPhase.CAPTURE)

    def _accept_photo(self, s: JourneyState, e: ev.AcceptPhoto) -> JourneyState:
        session = self._session()
        if s.photo is not PhotoPhase.REVIEW or session.photo is None or not session.photo.compliant:
            return s  # only a photo that passed every check can be kept
        session.photo_code = new_retrieval_code()
        return replace(s, photo=PhotoPhase.ACCEPTED, retakes_left=0)

    def _camera_failed(self, s: JourneyState, e: ev.CameraFailed) -> JourneyState:
        if s.photo is not PhotoPhase.CAPTURE:
            return s
        log.warning("photo step: camera failed: %s", e.reason)
        return replace(s, photo=PhotoPhase.UNAVAILABLE)

    def _retry_camera(self, s: JourneyState, e: ev.RetryCamera) -> JourneyState:
        return replace(s, photo=PhotoPhase.CAPTURE) if s.photo is PhotoPhase.UNAVAILABLE else s

    def _page_after(self, s: JourneyState, index: int, direction: int = 1) -> int | None:
        """The next page in `direction` that this citizen's answers show, if any."""
        steps, answers = s.service.steps, self._session().answers  # type: ignore[union-attr]
        index += direction
        while 0 <= index < len(steps):
            if step_shown(steps[index], answers):
                return index
            index += direction
        return None

    def _back(self, s: JourneyState, e: ev.Back) -> JourneyState:
        if s.stage is Stage.LANGUAGE:
            return replace(s, stage=Stage.WELCOME)
        if s.stage is Stage.CATALOGUE:
            return replace(s, stage=Stage.LANGUAGE)
        if s.stage is Stage.REVIEW:
            last = self._page_after(s, len(s.service.steps), -1)  # type: ignore[union-attr]
            return replace(s, stage=Stage.FORM, step_index=last)
        if s.editing:
            return replace(s, stage=Stage.REVIEW, editing=False, problems=_NO_PROBLEMS)
        earlier = self._page_after(s, s.step_index, -1)
        if earlier is None:
            return replace(s, stage=Stage.CATALOGUE, problems=_NO_PROBLEMS)
        return replace(s, step_index=earlier, problems=_NO_PROBLEMS)

    def _edit(self, s: JourneyState, e: ev.Edit) -> JourneyState:
        step = s.service.steps[e.step_index]  # type: ignore[union-attr]
        if not isinstance(step, FormStep) or not step_shown(step, self._session().answers):
            raise ValueError("only form pages can be edited")
        return replace(s, stage=Stage.FORM, step_index=e.step_index, editing=True, problems=_NO_PROBLEMS)

    def _submit(self, s: JourneyState, e: ev.Submit) -> JourneyState:
        session = self._session()
        service = s.service
        assert service is not None
        # Check everything again: a page opened from the review and left with Back was not checked,
        # and a changed answer may have made a rule on another page apply.
        data = to_data(service, session.answers)
        if problems := validate(service, data, self._today()):
            return self._page_with(s, problems)
        application = Application(service_id=service.id, language=session.language,
                                  terminal_id=self._place.terminal_id,
                                  submitted_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                  data=data, photo=self._photo_attachment())
        # Enter SUBMITTING before the work starts: a worker may call back at once (InlineWorker),
        # and `_submitted` only accepts a result while the journey is submitting.
        self._enter(replace(s, stage=Stage.SUBMITTING))
        self._worker.run(lambda: self._outbox.put(application, service.reference_prefix), self._submitted)
        return self.state

    def _photo_attachment(self) -> dict[str, object] | None:
        session = self._session()
        if session.photo is None or session.photo_code is None:
            return None
        photo = session.photo
        return {"retrieval_code": session.photo_code, "width": photo.width, "height": photo.height,
                "jpeg_base64": base64.b64encode(photo.jpeg).decode("ascii")}

    def _page_with(self, s: JourneyState, problems: list[FieldProblem]) -> JourneyState:
        """The first shown page with a problem, opened for correcting."""
        for index, step in enumerate(s.service.steps):  # type: ignore[union-attr]
            page = replace(s, stage=Stage.FORM, step_index=index, editing=True)
            on_page = {f.path for f in self._shown(page)} if step_shown(step, self._session().answers) else set()
            if found := {p.field: p for p in problems if p.field in on_page}:
                return replace(page, problems=MappingProxyType(found))
        # A rule about something no page asks for: the definition is wrong, not the citizen.
        raise ValueError("problem outside every page: " + ", ".join(sorted({p.code for p in problems})))

    def _submitted(self, result: str | BaseException) -> None:
        if self.state.stage is not Stage.SUBMITTING:
            return  # the session ended meanwhile
        if isinstance(result, BaseException):
            log.error("submission failed: %s", type(result).__name__)
            back = replace(self.state, stage=Stage.REVIEW)
            self._enter(JourneyState(stage=Stage.FAILSAFE, language=back.language, resume=back))
            return
        code = self.session.photo_code if self.session else None
        self._enter(replace(self.state, stage=Stage.RECEIPT, reference=result, photo_code=code,
                            printout=Printout.PRINTING))
        # The receipt is built inside the job: if building it fails, the printout fails and the
        # reference stays on screen (this callback runs outside `send`'s failsafe).
        shown = self.state
        self._worker.run(lambda: self._printer.print_receipt(self._receipt(shown)), self._printed)

    def _printed(self, result: PrintResult | BaseException) -> None:
        if self.state.stage is not Stage.RECEIPT:
            return
        # The application is safe in the outbox either way; without a printout the citizen gets
        # the code on screen. Logged without the receipt (citizen data): outcome and fault only.
        if isinstance(result, BaseException):
            log.error("receipt not printed: %s", failure_site(result))
            printout = Printout.FAILED
        else:
            printout = _PRINTOUTS[result.outcome]
            if printout is not Printout.PRINTED:
                log.warning("receipt %s: %s", result.outcome.value, result.detail)
        self._enter(replace(self.state, printout=printout))

    def _receipt(self, s: JourneyState) -> Receipt:
        """The receipt in the citizen's language when the printer has a code page for its letters,
        else in German (the reference code and QR code are the same either way)."""
        receipt = self._receipt_in(s.language, s)
        return receipt if self._printer.can_print(receipt.texts()) else self._receipt_in("de", s)

    def _receipt_in(self, lang: str, s: JourneyState) -> Receipt:
        service = s.service
        assert service is not None and s.reference is not None
        submitted = Submitted(ts(lang, service.id, service.title), ts(lang, service.id, service.office),
                              s.reference, s.photo_code)
        place = self._place
        return receipt(lang, submitted, Office(place.location, place.opening_hours, place.phone), dt.datetime.now())

    def _finish(self, s: JourneyState, e: ev.Finish) -> JourneyState:
        self._end_session()
        return JourneyState(stage=Stage.GOODBYE, language=s.language)

    def _retry(self, s: JourneyState, e: ev.Retry) -> JourneyState:
        if s.resume is None or self.session is None:
            return JourneyState(language=self._default_language)
        return s.resume

    def _to_welcome(self, s: JourneyState, e: ev.Event) -> JourneyState:
        return JourneyState(language=self._default_language)

    # -- overlays --------------------------------------------------------------------------

    def _open_help(self, s: JourneyState, e: ev.OpenHelp) -> JourneyState:
        return replace(s, overlay=Overlay.HELP)

    def _open_accessibility(self, s: JourneyState, e: ev.OpenAccessibility) -> JourneyState:
        return replace(s, overlay=Overlay.ACCESSIBILITY)

    def _cancel(self, s: JourneyState, e: ev.Cancel) -> JourneyState:
        if s.stage in (Stage.WELCOME, Stage.GOODBYE, Stage.SUBMITTING):
            return s
        return replace(s, overlay=Overlay.CONFIRM_CANCEL)

    def _close_overlay(self, s: JourneyState, e: ev.Event) -> JourneyState:
        return replace(s, overlay=Overlay.NONE, countdown_s=None)

    def _help_start_over(self, s: JourneyState, e: ev.StartOver) -> JourneyState:
        if s.stage in (Stage.WELCOME, Stage.GOODBYE):
            return self._to_welcome(s, e)
        return replace(s, overlay=Overlay.CONFIRM_CANCEL)

    # -- time ------------------------------------------------------------------------------

    def _tick(self, s: JourneyState) -> JourneyState:
        now = self._clock()
        if s.call is not None and s.call.active:
            self._last_activity = now  # talking to a clerk, or waiting for one, is not walking away
            return s
        if s.stage is Stage.GOODBYE:
            return self._to_welcome(s, ev.Tick()) if now - self._stage_entered >= self._timing.goodbye_s else s
        if s.stage is Stage.WELCOME:
            # No session to lose, but a panel left open must not greet the next passer-by.
            walked_away = s.overlay is not Overlay.NONE and now - self._last_activity >= self._timing.inactivity_s
            return self._to_welcome(s, ev.Tick()) if walked_away else s
        if s.stage is Stage.SUBMITTING:
            return s
        idle = now - self._last_activity
        if idle < self._timing.inactivity_s:
            return s if s.overlay is not Overlay.MORE_TIME else replace(s, overlay=Overlay.NONE, countdown_s=None)
        left = self._timing.inactivity_s + self._timing.prompt_s - idle
        if left <= 0:
            log.info("session ended after inactivity")
            return self._to_welcome(s, ev.Tick())
        return replace(s, overlay=Overlay.MORE_TIME, countdown_s=int(left + 0.999))

    def _session(self) -> Session:
        if self.session is None:
            raise RuntimeError("no session")
        return self.session


_NO_PROBLEMS: MappingProxyType = MappingProxyType({})


def failure_site(exc: BaseException) -> str:
    """An exception's type and code location, without its message (which may hold citizen data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return type(exc).__name__ + "".join(f" < {Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


def _settled(s: JourneyState) -> JourneyState:
    """The state to return to on Retry: the same stage without any overlay."""
    return replace(s, overlay=Overlay.NONE, countdown_s=None)


J = Journey
_HANDLERS = {
    (Stage.WELCOME, ev.Start): J._start,
    (Stage.LANGUAGE, ev.ChooseLanguage): J._choose_language,
    (Stage.LANGUAGE, ev.Back): J._back,
    (Stage.CATALOGUE, ev.ChooseService): J._choose_service,
    (Stage.CATALOGUE, ev.Back): J._back,
    (Stage.FORM, ev.Answer): J._answer,
    (Stage.FORM, ev.Next): J._next,
    (Stage.FORM, ev.Back): J._back,
    (Stage.FORM, ev.PhotoTaken): J._photo_taken,
    (Stage.FORM, ev.RetakePhoto): J._retake_photo,
    (Stage.FORM, ev.AcceptPhoto): J._accept_photo,
    (Stage.FORM, ev.CameraFailed): J._camera_failed,
    (Stage.FORM, ev.RetryCamera): J._retry_camera,
    (Stage.REVIEW, ev.Edit): J._edit,
    (Stage.REVIEW, ev.Back): J._back,
    (Stage.REVIEW, ev.Submit): J._submit,
    (Stage.RECEIPT, ev.Finish): J._finish,
    (Stage.GOODBYE, ev.Start): J._to_welcome,
    (Stage.FAILSAFE, ev.Retry): J._retry,
    (Stage.FAILSAFE, ev.StartOver): J._to_welcome,
}
_PRINTOUTS = {JobOutcome.PRINTED: Printout.PRINTED, JobOutcome.FAILED: Printout.FAILED,
              JobOutcome.UNKNOWN: Printout.UNKNOWN}
_ANYWHERE = {
    ev.OpenHelp: J._open_help,
    ev.OpenAccessibility: J._open_accessibility,
    ev.Cancel: J._cancel,
}
_OVERLAY_HANDLERS = {
    (Overlay.HELP, ev.CloseHelp): J._close_overlay,
    (Overlay.HELP, ev.StartOver): J._help_start_over,
    (Overlay.HELP, ev.Cancel): J._cancel,
    (Overlay.HELP, ev.OpenAccessibility): J._open_accessibility,
    (Overlay.ACCESSIBILITY, ev.CloseAccessibility): J._close_overlay,
    (Overlay.CONFIRM_CANCEL, ev.ConfirmCancel): J._to_welcome,
    (Overlay.CONFIRM_CANCEL, ev.KeepGoing): J._close_overlay,
    (Overlay.MORE_TIME, ev.KeepGoing): J._close_overlay,
    (Overlay.HELP, ev.ShowCall): calling.show_call,
    **calling.OVERLAY_HANDLERS,
}
_ANYWHERE.update(calling.ANYWHERE)
