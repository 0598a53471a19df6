"""A scripted citizen: walks a service through the real UI with the service's example answers.

It taps buttons with real touch events at their place on the window (as a finger would), types
every answer key by key on the on-screen keyboard, writes one screenshot per screen, prints one
line per screen, and at the end checks that the session was wiped and the welcome screen is back.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from kiosk.config import KioskConfig, installed
from kiosk.forms.answers import example_answers
from kiosk.forms.service import Answer, ServiceError, load_service, service_file
from kiosk.journey.machine import failure_site
from kiosk.journey.state import Overlay, PhotoPhase, Printout
from kiosk.ui.screens.base import screen_key
from kiosk.ui.widgets import FieldInput, KioskKeyboard, ancestors

if TYPE_CHECKING:
    from kiosk.app import Devices
    from kiosk.ui.kiosk_app import KioskApp

SETTLE_TICKS = 2  # frames to wait after a change before looking, so the screen is drawn
TIME_LIMIT_S = 90.0
FOCUS_WAIT_S = 1.0
KEYS_PER_FRAME = 8


class AutopilotError(Exception):
    pass


class Autopilot:
    def __init__(self, service_id: str, languages: tuple[str, ...], screenshots: Path | None,
                 sessions: int | None = None) -> None:
        """Walks the service once per language in turn (then again, for `sessions` in all)."""
        self.service_id, self.languages = service_id, languages
        self.screenshots, self.sessions = screenshots, sessions or len(languages)
        self.exit_status = 1
        self._app: KioskApp | None = None
        self._devices: Devices | None = None
        self._seen: object = None
        self._settle = 0
        self._shot = 0
        self._printed = 0  # receipts the terminal printed (the emulator numbers them alike)
        self._done_sessions = 0
        self._started = time.monotonic()
        self._answers: dict[str, Answer] = {}
        self._typed: list[str] = []
        self._focus_wait_until = 0.0
        self._doing = "starting"  # said when the run gets stuck
        self._instructions_seen: set[str] = set()  # on the photo screen: each instruction gets its shot

    def valid_for(self, config: KioskConfig) -> bool:
        for language in self.languages:
            if language not in config.language.offered:
                print(f"autopilot: language {language!r} is not offered; offered: "
                      f"{', '.join(config.language.offered)}", file=sys.stderr)
                return False
        if self.service_id not in config.services.offered:
            print(f"autopilot: service {self.service_id!r} is not offered; offered: "
                  f"{', '.join(config.services.offered)}", file=sys.stderr)
            return False
        try:
            service = load_service(service_file(installed(config.services.directory), self.service_id))
        except ServiceError as exc:
            print(f"autopilot: {exc}", file=sys.stderr)
            return False
        self._answers = example_answers(service, dt.date.today())
        # Typed answers must be gone from every widget after the wipe (choices are fixed texts).
        self._typed = [a for a in self._answers.values() if isinstance(a, str) and len(a) > 2]
        return True

    def attach(self, app: KioskApp, devices: Devices) -> None:
        self._app, self._devices = app, devices
        if self.screenshots:
            self.screenshots.mkdir(parents=True, exist_ok=True)
        app.bind(on_start=lambda _app: Clock.schedule_interval(self._step, 1 / 30))

    # -- the loop --------------------------------------------------------------------------

    def _step(self, _dt: float) -> bool | None:
        try:
            if time.monotonic() - self._started > TIME_LIMIT_S * self.sessions:
                raise AutopilotError(f"did not finish within {TIME_LIMIT_S * self.sessions:.0f} s; "
                                     f"last: {self._doing}")
            return self._advance()
        except Exception as exc:  # any failure ends the run with a message and non-zero status
            where = "" if isinstance(exc, AutopilotError) else f" ({failure_site(exc)})"
            print(f"autopilot: FAILED: {exc}{where}", file=sys.stderr, flush=True)
            self._stop(1)
            return False

    def _advance(self) -> bool | None:
        app = self._app
        assert app is not None
        state = app.journey.state
        if state is not self._seen:
            self._seen, self._settle = state, SETTLE_TICKS
            return None
        if self._settle > 0:
            self._settle -= 1
            return None
        if state.overlay is not Overlay.NONE:
            raise AutopilotError(f"unexpected {state.overlay.name} overlay on {state.stage.name}")
        act = getattr(self, f"_on_{state.stage.name.lower()}")
        return act(state)

    # -- one handler per stage -------------------------------------------------------------

    def _on_welcome(self, state) -> bool | None:  # type: ignore[no-untyped-def]
        if self._done_sessions == self.sessions:
            self._check_wiped()
            self._report(state, "welcome-again")
            self._stop(0)
            return False
        self._report(state, "welcome")
        self._tap(self._screen(state).ids.start)
        return None

    def _on_language(self, state) -> None:  # type: ignore[no-untyped-def]
        self._report(state, "language")
        buttons = self._screen(state).ids.languages.children
        self._tap(next(b for b in buttons if b.language_code == self.language))

    def _on_catalogue(self, state) -> None:  # type: ignore[no-untyped-def]
        self._report(state, "catalogue")
        tiles = self._screen(state).ids.services.children
        self._tap(next(t for t in tiles if t.service_id == self.service_id))

    def _on_form(self, state) -> None:  # type: ignore[no-untyped-def]
        if state.photo is not PhotoPhase.NONE:
            return self._on_photo(state)
        screen = self._screen(state)
        if state.problems:
            raise AutopilotError(f"example answers rejected on page {state.step.id}: "
                                 f"{', '.join(f'{p.field} ({p.code})' for p in state.problems.values())}")
        journey = self._app.journey  # type: ignore[union-attr]
        for path, widgets in screen.inputs().items():
            wanted = self._answers[path]
            if isinstance(widgets[0], TextInput):
                if widgets[0].text != wanted:
                    self._type(widgets[0], str(wanted))  # one key per frame, as a finger would
                    return
            elif journey.answer(path) != wanted:
                self._doing = f"choosing {wanted!r} for {path}"
                self._fill(widgets, wanted)
                self._seen = None  # a ScrollView hands a tap on to its children a moment later
                return
        self._report(state, f"form-{state.step.id}")
        self._tap(screen.ids.next)

    def _on_photo(self, state) -> None:  # type: ignore[no-untyped-def]
        """Sit in front of the camera (the demo video does) and keep the first good photo."""
        screen = self._screen(state)
        if state.photo is PhotoPhase.CAPTURE:
            self._doing = "waiting for the camera to take the photo"
            instruction = screen.ids.instruction.text
            if instruction not in self._instructions_seen:
                self._instructions_seen.add(instruction)
                self._report(state, f"photo-live-{len(self._instructions_seen)}")
            return None
        if state.photo is PhotoPhase.UNAVAILABLE:
            self._report(state, "photo-camera-failed")
            raise AutopilotError("the camera failed on the photo step")
        self._instructions_seen.clear()
        if state.photo is PhotoPhase.REVIEW:
            self._report(state, "photo-review")
            keep = screen.ids.keep
            self._tap(keep if keep.parent is not None else screen.ids.retake if screen.ids.retake.parent
                      else screen.ids.without)
            return None
        self._report(state, "photo-kept")
        self._tap(screen.ids.next)
        return None

    def _on_review(self, state) -> None:  # type: ignore[no-untyped-def]
        self._report(state, "review")
        self._tap(self._screen(state).ids.submit)

    def _on_submitting(self, state) -> None:  # type: ignore[no-untyped-def]
        return None  # the worker finishes the submission

    def _on_receipt(self, state) -> None:  # type: ignore[no-untyped-def]
        if state.printout is Printout.PRINTING:
            return
        self._printed += state.printout is Printout.PRINTED
        self._report(state, "receipt")
        if self.screenshots and self._first_session():
            folder = self.screenshots / state.language if len(self.languages) > 1 else self.screenshots
            self._save_paper(folder / f"{self._shot:02d}-receipt-paper.png")
        self._tap(self._screen(state).ids.finish)

    def _save_paper(self, path: Path) -> None:
        """The receipt as it came out: the emulator's drawing of it, or the simulator's."""
        line = self._devices.printer_line
        if line is None:
            self._devices.printer.preview_png(path)  # type: ignore[attr-defined]
            return
        if not line.emulator.wait_for_receipts(self._printed, 10):
            raise AutopilotError("the printer emulator received no receipt")
        drawn = line.emulator.receipt_png(self._printed)  # drawn before it is counted
        if drawn is None or not drawn.exists():
            raise AutopilotError("the printer emulator could not draw the receipt")
        shutil.copyfile(drawn, path)

    def _on_goodbye(self, state) -> None:  # type: ignore[no-untyped-def]
        self._report(state, "goodbye")
        self._done_sessions += 1
        if self.sessions > 1:  # progress of a long run (benchmarks/memory.py reads it)
            print(f"session {self._done_sessions} done", flush=True)
        self._tap(self._screen(state).ids.again)

    def _on_failsafe(self, state) -> None:  # type: ignore[no-untyped-def]
        self._report(state, "failsafe")
        raise AutopilotError("the journey reached the failsafe screen")

    # -- acting like a citizen -------------------------------------------------------------

    def _screen(self, state):  # type: ignore[no-untyped-def]
        return self._app.screens[screen_key(state)]  # type: ignore[union-attr]

    @property
    def language(self) -> str:
        return self.languages[self._done_sessions % len(self.languages)]

    def _first_session(self) -> bool:
        """The first walk in a language: reported screen by screen (later ones only counted)."""
        return self._done_sessions < len(self.languages)

    def _type(self, entry: FieldInput, wanted: str) -> None:
        """The next key towards `wanted`: focus the field first, fix a wrong start with
        backspace, switch the keyboard's layer when the next character is on the other one."""
        keyboard = next((c for c in Window.children if isinstance(c, KioskKeyboard)), None)
        self._doing = (f"typing into {entry.field_id} (focus {entry.focus}, keyboard "
                       f"{keyboard.layout if keyboard else None}): {len(entry.text)} of {len(wanted)} characters")
        if not entry.focus or keyboard is None or keyboard.target is not entry:
            if time.monotonic() < self._focus_wait_until:
                return  # a tap reaches a field in a ScrollView a moment later
            if self._tap(entry):
                self._focus_wait_until = time.monotonic() + FOCUS_WAIT_S
            return
        for _ in range(KEYS_PER_FRAME):  # each tap is handled at once; drawing waits for the frame
            typed = entry.text
            if typed == wanted:
                return
            if not wanted.startswith(typed):
                self._press(keyboard, "backspace")
                continue
            if len(typed) > len(wanted) + 2:
                raise AutopilotError(f"the keyboard typed more than asked into {entry.field_id}")
            char = wanted[len(typed)]
            if entry.capitalises_next() and char.isupper():
                char = char.lower()  # names get their capitals by themselves
            char = keyboard.shortcut(wanted[len(typed):]) or char  # e.g. the DE key of the IBAN pad
            shifted = keyboard.have_shift
            self._press(keyboard, char)
            if keyboard.have_shift != shifted:
                return  # the keyboard shows the other layer from the next frame on: look again then

    def _press(self, keyboard: KioskKeyboard, text: str) -> None:
        found = keyboard.key_position(text)
        if found is None:
            raise AutopilotError(f"no key for {text!r} on the {keyboard.layout} keyboard")
        mode, centre = found
        if mode != keyboard.layout_mode:  # on the other layer: switch first
            found = keyboard.key_position("shift")
            assert found is not None, "a layout with two layers has a shift key"
            centre = found[1]
        touch = UnitTestTouch(*centre)
        touch.touch_down()
        touch.touch_up()

    def _fill(self, widgets: list[Widget], value: Answer) -> None:
        for widget in widgets:
            if isinstance(value, list):
                if (widget.value in value) != (widget.state == "down"):
                    self._tap(widget)
            elif widget.value == value and widget.state != "down":
                self._tap(widget)

    def _tap(self, widget: Widget) -> bool:
        """A real touch in the middle of the widget once it is in view; False when the page
        had to scroll first (its widgets move on the next frame: a touch now would land on
        whatever was there before, e.g. a button of the top bar)."""
        scroller = next((w for w in ancestors(widget) if isinstance(w, ScrollView)), None)
        x, y = widget.to_window(*widget.center)
        if scroller is not None and not _inside(x, y, scroller):
            scroller.scroll_to(widget, padding=10, animate=False)
            return False
        if not widget.collide_point(*widget.to_widget(x, y)) or widget.disabled:
            raise AutopilotError(f"cannot tap {type(widget).__name__} {getattr(widget, 'text', '')!r}")
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        return True

    def _report(self, state, name: str) -> None:  # type: ignore[no-untyped-def]
        self._shot += 1
        if not (self._first_session() or name == "welcome-again"):
            return  # repeated sessions (--sessions N) only print their count
        shown = ""
        if self.screenshots:
            folder = self.screenshots / state.language if len(self.languages) > 1 else self.screenshots
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{self._shot:02d}-{name}.png"
            saved = Window.screenshot(name=str(path.with_name("shot.png")))
            Path(saved).replace(path)
            shown = path.name
        elapsed = time.monotonic() - self._started
        print(f"{self._shot:02d} {elapsed:6.2f}s {state.stage.name:<10} {state.language} {shown}", flush=True)

    def _check_wiped(self) -> None:
        app = self._app
        assert app is not None
        if app.journey.session is not None:
            raise AutopilotError("a session is still open after goodbye")
        texts = [w.text for root in (app.root, *app.overlays.values()) for w in root.walk()
                 if isinstance(getattr(w, "text", None), str)]
        left = [v for v in self._typed if any(v in t for t in texts)]
        if left:
            raise AutopilotError(f"{len(left)} answer(s) still on screen widgets after the session ended")

    def _stop(self, status: int) -> None:
        self.exit_status = status
        Clock.unschedule(self._step)
        self._app.stop()  # type: ignore[union-attr]


def _inside(x: float, y: float, scroller: ScrollView) -> bool:
    """Whether a window point lies well inside the part of the page the scroller shows."""
    left, bottom = scroller.to_window(scroller.x, scroller.y)
    margin = 8
    return left + margin < x < left + scroller.width - margin and bottom + margin < y < bottom + scroller.height - margin
