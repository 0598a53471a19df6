"""Real-window UI tests, after Kivy's own fixture (kivy/tests/fixtures.py): one real Kivy window
under Xvfb for the whole run, a fresh KioskApp in it for every test, and helpers that touch
widgets with real touch events and wait for frames.

Everything is built the way `kiosk.app.run` builds it, with its own functions (demo config ->
prepare_kivy -> configure_logging -> build_devices -> open_outbox -> the real KivyWorker ->
build_journey -> KioskApp). The differences: data and temp folders in the test's tmp_path,
speech kept in memory (MemorySpeaker: really synthesised, not played), short timeouts, the
journey on a clock the test moves (so the inactivity timeout takes no real time), and no
multisampling (set right after prepare_kivy). The app is started without blocking (App._run_prepare) and the
test pumps the frames (EventLoop.idle), as Kivy's own fixture does.

Kivy reads its environment and config when it is first imported, so this module prepares Kivy
at import time and imports nothing of Kivy at module level before that. Test modules must not
import Kivy (or kiosk.ui) at module level: the window opens (on Xvfb when there is no display)
only when the first UI test asks for it.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kiosk.app import (Devices, build_assist, build_capture, build_devices, build_journey, configure_logging, ensure_display,
                       open_outbox, prepare_kivy, watch_printer)
from kiosk.cli import demo_config
from kiosk.config import KioskConfig, PathsConfig, SessionConfig, SpeechConfig
from kiosk.journey.machine import Journey
from kiosk.journey.state import JourneyState
from kiosk.outbox.store import EncryptedOutbox
from tests.fakes import ManualClock
from video_assist.network import NetworkLoop

# Short but valid (the config model's minimums): the fake clock jumps over them anyway.
TIMING = SessionConfig(inactivity_s=30, prompt_s=10, goodbye_s=3)
DEFAULT_WAIT_S = 5.0
SCROLL_TAP_WAIT_S = 0.22  # ScrollView hands a tap to its child 0.2 s after the finger lifts
REVEAL_WAIT_S = 0.15  # a focused question is scrolled into view 0.1 s after it got the focus

_KIVY_HOME_ROOT = Path(tempfile.mkdtemp(prefix="kiosk-ui-kivy-"))


def _config(data_dir: Path, temp_dir: Path) -> KioskConfig:
    base = demo_config(KioskConfig())
    return base.model_copy(update={
        "paths": PathsConfig(data_dir=data_dir, temp_dir=temp_dir),
        "speech": SpeechConfig(engine="memory", rate_wpm=base.speech.rate_wpm),
        "session": TIMING,
    })


# Before anything imports Kivy (the window size, fonts, keyboard mode and logging follow from it).
_WINDOW_CONFIG = _config(_KIVY_HOME_ROOT, _KIVY_HOME_ROOT / "tmp")
prepare_kivy(_WINDOW_CONFIG)
# The one departure from the terminal's graphics settings: Xvfb renders in software (llvmpipe),
# where Kivy's default 2x multisampling makes every frame 2-3 times slower; it only smooths edges.
from kivy.config import Config as _KivyConfig  # noqa: E402  (after prepare_kivy, on purpose)

_KivyConfig.set("graphics", "multisamples", "0")
DRAW_EVERY_S = 0.1  # while waiting, draw at most this often (and always once the wait is over)


@pytest.fixture(scope="session")
def kivy_window() -> Iterator[Any]:
    """The one Kivy window of this process (Kivy creates only one), on Xvfb if there is no display."""
    display = ensure_display(_WINDOW_CONFIG.display.width, _WINDOW_CONFIG.display.height)
    try:
        from kivy.config import Config

        if Config.get("kivy", "keyboard_mode") != "systemanddock":
            pytest.fail("Kivy was imported before tests/ui/conftest.py could prepare it")
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.core.window import Window

        EventLoop.ensure_window()
        EventLoop.start()
        Clock._max_fps = 0  # frames as fast as we pump them (as Kivy's fixture does)
        yield Window
    finally:
        if display is not None:
            display.terminate()
            display.wait(5)
        shutil.rmtree(_KIVY_HOME_ROOT, ignore_errors=True)


@dataclass
class Kiosk:
    """One terminal in the test window, and what a test does with it."""

    config: KioskConfig
    app: Any  # KioskApp
    journey: Journey
    devices: Devices
    outbox: EncryptedOutbox
    clock: ManualClock
    capture: Any  # CaptureLoop | None
    log_file: Path
    window: Any
    shots: Path
    _drawn_at: float = 0.0

    # -- time ------------------------------------------------------------------------------

    def advance_frames(self, count: int = 1, draw: bool = True) -> None:
        """`count` frames of the event loop (Kivy's EventLoop.idle); without `draw`, the same
        frame (clock, input, layout) but not rendered, which saves time in software GL."""
        from kivy.base import EventLoop
        from kivy.clock import Clock
        from kivy.lang import Builder

        for _ in range(count):
            if draw:
                EventLoop.idle()
                self._drawn_at = time.monotonic()
            else:
                Clock.tick()
                EventLoop.dispatch_input()
                Builder.sync()
                Clock.tick_draw()
                Builder.sync()

    def _waiting_frame(self) -> None:
        self.advance_frames(draw=time.monotonic() - self._drawn_at > DRAW_EVERY_S)
        time.sleep(0.001)  # let worker threads run

    def wait_until(self, predicate: Callable[[], object], timeout_s: float = DEFAULT_WAIT_S,
                   what: str = "") -> None:
        """Pump frames until `predicate()` is true; fail with `what` after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout_s} s waiting for {what or predicate}; "
                                     f"stage {self.state.stage.name}/{self.state.overlay.name}, "
                                     f"on screen: {self.texts_on_screen()}")
            self._waiting_frame()
        self.advance_frames(2)  # and let the change be drawn

    def pump_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._waiting_frame()

    def idle_for(self, seconds: float) -> None:
        """The citizen does nothing for `seconds`; the journey hears the next tick."""
        from kiosk.journey import events as ev

        self.clock.advance(seconds)
        self.app.send(ev.Tick())
        self.advance_frames(2)

    # -- looking ---------------------------------------------------------------------------

    @property
    def state(self) -> JourneyState:
        return self.journey.state

    @property
    def screen(self) -> Any:
        return self.app.manager.current_screen

    def overlay(self) -> Any | None:
        """The overlay really on the window (not what the app thinks is open)."""
        from kivy.uix.modalview import ModalView

        return next((w for w in self.window.children if isinstance(w, ModalView)), None)

    def keyboard(self) -> Any | None:
        from kivy.uix.vkeyboard import VKeyboard

        return next((w for w in self.window.children if isinstance(w, VKeyboard)), None)

    def visible_widgets(self, of_type: type | tuple[type, ...] | None = None) -> list[Any]:
        """Widgets really drawn in the window now: attached, not transparent, not zero-sized."""
        from kivy.uix.vkeyboard import VKeyboard

        found = []
        for root in list(self.window.children):
            if isinstance(root, VKeyboard):
                continue
            for widget in root.walk(restrict=True):
                if of_type is not None and not isinstance(widget, of_type):
                    continue
                if _shown(widget):
                    found.append(widget)
        return found

    def in_view(self, widget: Any) -> bool:
        """Whether `widget` is wholly visible: inside the window and not scrolled out of sight."""
        from kivy.uix.scrollview import ScrollView

        if not _shown(widget):
            return False
        left, bottom = widget.to_window(widget.x, widget.y)
        boxes = [(0, 0, self.window.width, self.window.height)]
        for scroller in (w for w in _ancestors(widget) if isinstance(w, ScrollView)):
            x, y = scroller.to_window(scroller.x, scroller.y)
            boxes.append((x, y, x + scroller.width, y + scroller.height))
        return all(x0 - 1 <= left and left + widget.width <= x1 + 1 and y0 - 1 <= bottom
                   and bottom + widget.height <= y1 + 1 for x0, y0, x1, y1 in boxes)

    def texts_on_screen(self) -> list[str]:
        """Texts of every visible Label and Button of the current screen and open overlay,
        without markup, as a citizen reads them."""
        from kivy.uix.label import Label

        return [plain(w.text) for w in self.visible_widgets(Label) if plain(w.text).strip()]

    def screen_text(self) -> str:
        return "\n".join(self.texts_on_screen())

    def expect(self, *texts: str, timeout_s: float = DEFAULT_WAIT_S) -> None:
        """Wait until every one of `texts` is on screen (each may be part of a longer text)."""
        self.wait_until(lambda: all(t in self.screen_text() for t in texts), timeout_s,
                        f"{texts!r} on screen")

    def field_texts(self) -> dict[str, str]:
        """What the form's input fields show, by field id."""
        from kivy.uix.textinput import TextInput

        return {w.field_id: w.text for w in self.visible_widgets(TextInput)}

    def button(self, text: str) -> Any:
        """The one visible button showing `text` (a citizen finds buttons by what they say)."""
        from kivy.uix.button import Button

        buttons = self.visible_widgets(Button)
        overlay = self.overlay()
        if overlay is not None:  # with an overlay open, only its buttons can be reached
            buttons = [b for b in buttons if overlay in _ancestors(b)]
        exact = [b for b in buttons if plain(b.text).strip() == text]
        matches = exact or [b for b in buttons if text in plain(b.text)]
        assert len(matches) == 1, (f"expected one button {text!r}, found {len(matches)}; "
                                   f"buttons: {[plain(b.text) for b in buttons]}")
        return matches[0]

    def all_text_anywhere(self) -> list[str]:
        """Every text held by any widget of the app: the window tree, every screen (shown or
        not), every overlay (open or not), including input fields and their hints."""
        roots = [*self.window.children, *self.app.screens.values(), *self.app.overlays.values()]
        texts = []
        for root in roots:
            for widget in root.walk():
                for name in ("text", "hint_text", "title"):
                    value = getattr(widget, name, None)
                    if isinstance(value, str) and value:
                        texts.append(value)
        return texts

    # -- acting ----------------------------------------------------------------------------

    def tap(self, widget: Any) -> None:
        """A real touch in the middle of `widget`, as a finger would do it: scrolled into view
        first, refused when something (an overlay, the on-screen keyboard) covers the spot,
        and waited for until the widget really got it (ScrollView passes taps on later)."""
        from kivy.tests.common import UnitTestTouch
        from kivy.uix.button import Button
        from kivy.uix.scrollview import ScrollView
        from kivy.uix.textinput import TextInput

        self.advance_frames(2)  # layouts settled
        ancestors = _ancestors(widget)
        scroller = next((w for w in ancestors if isinstance(w, ScrollView)), None)
        if scroller is not None:
            scroller.scroll_to(widget, padding=10, animate=False)
            scroller._update_effect_bounds()
            self.advance_frames(2)
        assert _shown(widget), f"{_describe(widget)} is not visible"
        assert not widget.disabled, f"{_describe(widget)} is disabled"
        x, y = widget.to_window(*widget.center)
        if scroller is not None:
            left, bottom = scroller.to_window(scroller.x, scroller.y)
            assert left <= x <= left + scroller.width and bottom <= y <= bottom + scroller.height, \
                f"{_describe(widget)} cannot be scrolled into view"
        cover = self._covering(x, y, ancestors)
        assert cover is None, f"{_describe(widget)} is covered by {type(cover).__name__}"
        released: list[bool] = []
        if isinstance(widget, Button):
            def note(*_args: object) -> None:
                released.append(True)
            widget.fbind("on_release", note)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        try:
            self.advance_frames()
        finally:
            touch.touch_up()  # a finger always lifts, even when the app failed meanwhile
        try:
            if isinstance(widget, Button):
                self.wait_until(lambda: released, 2, f"{_describe(widget)} to get the tap")
            elif isinstance(widget, TextInput):
                self.wait_until(lambda: widget.focus, 2, f"{_describe(widget)} to get the focus")
                if scroller is not None:
                    self.pump_for(SCROLL_TAP_WAIT_S)  # the ScrollView's deferred touch-up
            else:
                self.pump_for(SCROLL_TAP_WAIT_S if scroller is not None else 0)
                self.advance_frames(2)
        finally:
            if isinstance(widget, Button):
                widget.funbind("on_release", note)

    def tap_text(self, text: str) -> None:
        self.tap(self.button(text))

    def _covering(self, x: float, y: float, ancestors: list[Any]) -> Any | None:
        from kivy.uix.modalview import ModalView

        for child in self.window.children:  # topmost first
            if child in ancestors:
                return None
            if isinstance(child, ModalView) or child.collide_point(x, y):
                return child  # an open overlay takes every touch; the keyboard those on it
        return None

    def input(self, field_id: str) -> Any:
        from kivy.uix.textinput import TextInput

        widgets = [w for w in self.screen.walk(restrict=True)
                   if isinstance(w, TextInput) and getattr(w, "field_id", None) == field_id]
        assert len(widgets) == 1, f"no input field {field_id!r} on {self.screen.name}"
        return widgets[0]

    def type_into(self, field_id: str, text: str) -> None:
        """Tap the field, replace what is in it by `text` typed on the keyboard, then close
        the on-screen keyboard with its ⨯ key (it covers the lower half of the screen)."""
        field = self.input(field_id)
        focused_at = time.monotonic()
        if not field.focus:
            if self.keyboard() is not None:
                self.close_keyboard()
            self.tap(field)
            focused_at = time.monotonic()
        field.select_all()
        self.window.dispatch("on_textinput", text)  # what SDL2 sends for typed characters
        self.advance_frames(2)
        self.close_keyboard()
        # The page scrolls a focused question into view a moment later (form_page: _reveal); a
        # tap computed before that would land where the next question no longer is.
        self.pump_for(REVEAL_WAIT_S - (time.monotonic() - focused_at))

    def press_keys(self, keys: str) -> None:
        """Tap keys of the on-screen keyboard (lower-case letters, digits, '.' and '-')."""
        for key in keys:
            self._tap_key(lambda data, key=key: data[0] == key)

    def close_keyboard(self) -> None:
        self._tap_key(lambda data: data[2] == "escape")
        self.wait_until(lambda: self.keyboard() is None, 2, "the on-screen keyboard to close")

    def _tap_key(self, wanted: Callable[[tuple], bool]) -> None:
        from kivy.tests.common import UnitTestTouch

        keyboard = self.keyboard()
        assert keyboard is not None, "the on-screen keyboard is not shown"
        layout = keyboard.available_layouts[keyboard.layout]
        for line in range(1, layout["rows"] + 1):
            keys = layout[f"{keyboard.layout_mode}_{line}"]
            for data, (pos, size) in zip(keys, keyboard.layout_geometry[f"LINE_{line}"]):
                if wanted(data):
                    # The keyboard is a Scatter: key geometry is in its local coordinates.
                    x, y = keyboard.to_parent(pos[0] + size[0] / 2, pos[1] + size[1] / 2)
                    touch = UnitTestTouch(x, y)
                    touch.touch_down()
                    try:
                        self.advance_frames()
                    finally:
                        # Always lifted: a key left held would repeat into the next test.
                        touch.touch_up()
                    self.advance_frames(2)
                    return
        raise AssertionError("key not found on the on-screen keyboard")

    def screenshot(self, name: str) -> Path:
        self.advance_frames(3)
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        saved = self.window.screenshot(name=str(self.shots / "shot.png"))
        Path(saved).replace(path)
        return path


def plain(text: str) -> str:
    """A label's text as shown: Kivy markup tags removed, its escapes resolved."""
    text = re.sub(r"\[/?(?:b|i|u|s|sub|sup|size|color|font|font_context|font_family|font_features|"
                  r"text_language|ref|anchor)(?:=[^\]]*)?\]", "", text)
    return text.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def _ancestors(widget: Any) -> list[Any]:
    """Parents up to (not including) the window."""
    from kivy.core.window import WindowBase

    found = []
    parent = widget.parent
    while parent is not None and parent not in found and not isinstance(parent, WindowBase):
        found.append(parent)
        parent = parent.parent
    return found


def _shown(widget: Any) -> bool:
    if widget.width <= 0 or widget.height <= 0:
        return False
    return all(w.opacity > 0 for w in (widget, *_ancestors(widget)))


def _release_keys(window: Any) -> None:
    """The window keeps one on-screen keyboard for every test. A key the app failed to take
    (Kivy grabs the touch only after handling the key) stays down and repeats every 50 ms: into
    the next test, which would then fail for this one's reason. Let go of it."""
    from kivy.uix.vkeyboard import VKeyboard

    for keyboard in getattr(window, "_keyboards", {}).values():
        widget = getattr(keyboard, "widget", None)
        if isinstance(widget, VKeyboard):
            for event in ("_start_repeat_key_ev", "_repeat_key_ev"):
                if getattr(widget, event, None) is not None:
                    getattr(widget, event).cancel()
                    setattr(widget, event, None)
            widget.repeat_touch = None
            widget.active_keys.clear()


def _describe(widget: Any) -> str:
    text = getattr(widget, "text", "")
    return f"{type(widget).__name__} {plain(text)!r}" if isinstance(text, str) else type(widget).__name__


@pytest.fixture
def kiosk(kivy_window: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Kiosk]:
    """A fresh terminal in the shared window, started without blocking (App._run_prepare, then
    frames pumped by the test), stopped and removed from the window afterwards. A test marked
    `@pytest.mark.kiosk_config(section={key: value})` changes those config keys."""
    from kivy.uix.textinput import TextInput

    from kiosk.ui.bridge import KivyWorker
    from kiosk.ui.kiosk_app import KioskApp

    window = kivy_window
    assert not window.children, f"the window still shows {window.children} from an earlier test"
    config = _config(tmp_path / "data", tmp_path / "tmp")
    marker = request.node.get_closest_marker("kiosk_config")
    if marker is not None:
        config = config.model_copy(update={name: getattr(config, name).model_copy(update=keys)
                                           for name, keys in marker.kwargs.items()})
    if "assist_settings" in request.fixturenames:  # a module using it: a line to a back office
        config = config.model_copy(update={"assist": request.getfixturevalue("assist_settings")})
    root_logger = logging.getLogger()
    kept = list(root_logger.handlers)  # pytest's capture handlers
    log_file = configure_logging(config.paths.data_dir)  # as the app does (it replaces handlers)
    ours = [h for h in root_logger.handlers if h not in kept]
    for handler in kept:
        root_logger.addHandler(handler)
    devices = build_devices(config)
    outbox = open_outbox(config)
    worker = KivyWorker()
    clock = ManualClock()
    # The composition root's journey (with its wipe listeners), on the test's clock.
    journey = build_journey(config, devices, outbox, worker, clock=clock)
    network = NetworkLoop()
    journey.assist = build_assist(config, devices, network, lambda: app)
    capture = build_capture(config, devices)
    app = KioskApp(config, journey, devices.speaker, capture=capture, video_call=journey.assist)
    watch_printer(app, journey, devices.printer_monitor)  # the printer emulator's state reaches the journey
    # kv rules reach the app through one cached proxy, which forgets an app when it stops. A kv
    # rule evaluated during the last teardown (a field losing focus) can have cached the old
    # app again, so the new app's buttons would talk to the old journey: point it at this app.
    from kivy.lang.parser import global_idmap

    object.__setattr__(global_idmap["app"], "_obj", None)
    kiosk = Kiosk(config=config, app=app, journey=journey, devices=devices, outbox=outbox, clock=clock, capture=capture,
                  log_file=log_file, window=window, shots=tmp_path / "screens")
    app._run_prepare()
    try:
        kiosk.wait_until(lambda: app.ready, what="the first frame")
        yield kiosk
    finally:
        for root in [*window.children]:
            for widget in root.walk():
                if isinstance(widget, TextInput):
                    widget.focus = False  # releases the on-screen keyboard
        _release_keys(window)
        kiosk.advance_frames(2)  # let the keyboard go while the app still runs
        app.dispatch("on_stop")
        if app.root is not None:
            window.remove_widget(app.root)
        window.unbind(on_touch_down=app._on_any_touch)
        if journey.assist is not None:
            journey.assist.close()
        network.stop()
        worker.shutdown()
        if capture is not None:
            capture.close()
        kiosk.advance_frames(3)  # callbacks the worker scheduled
        if devices.speaker.utterances:  # (MemorySpeaker.wait blocks when nothing was said)
            devices.speaker.wait()
        outbox.close()
        devices.close()
        for handler in ours:
            root_logger.removeHandler(handler)
            handler.close()
    assert not window.children, f"the app left {window.children} on the window"
