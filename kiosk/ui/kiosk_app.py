"""The Kivy application: shows the journey's state and sends it the citizen's taps.

It holds no business state: every screen redraws from the journey's state, and every button
sends a typed event. Screens and overlays are found by the Stage/Overlay they belong to.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Callable

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.cache import Cache
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from hardware.speech import Speaker
from kiosk.config import KioskConfig
from kiosk.i18n import RTL_LANGUAGES, tr
from kiosk.journey import events as ev
from kiosk.journey.machine import Journey, failure_site
from kiosk.journey.state import JourneyState, Overlay, Stage
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.overlays.confirm_cancel import ConfirmCancelOverlay
from kiosk.ui.overlays.help import HelpOverlay
from kiosk.ui.overlays.more_time import MoreTimeOverlay
from kiosk.ui.screens.base import KioskScreen
from kiosk.ui.screens.catalogue import CatalogueScreen
from kiosk.ui.screens.failsafe import FailsafeScreen
from kiosk.ui.screens.form_page import FormPageScreen
from kiosk.ui.screens.goodbye import GoodbyeScreen
from kiosk.ui.screens.language import LanguageScreen
from kiosk.ui.screens.receipt import ReceiptScreen
from kiosk.ui.screens.review import ReviewScreen
from kiosk.ui.screens.submitting import SubmittingScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.theme import LARGER_TEXT, Theme
from kiosk.ui.widgets import KioskKeyboard

log = logging.getLogger(__name__)
_MARKUP = re.compile(r"\[/?[a-z]+(?:=[^\]]*)?\]")
SCREENS = (WelcomeScreen, LanguageScreen, CatalogueScreen, FormPageScreen, ReviewScreen,
           SubmittingScreen, ReceiptScreen, GoodbyeScreen, FailsafeScreen)
OVERLAYS = (HelpOverlay, ConfirmCancelOverlay, MoreTimeOverlay)
TEXT_CACHES = ("textinput.label", "textinput.width")


class KioskApp(App):
    language = StringProperty("de")
    rtl = BooleanProperty(False)  # the language is written right to left: texts and rows mirror
    theme = ObjectProperty(None)
    ready = BooleanProperty(False)  # the first frame of the welcome screen was drawn
    keyboard_height = NumericProperty(0)  # screens keep their content above the on-screen keyboard

    def __init__(self, config_model: KioskConfig, journey: Journey, speaker: Speaker,
                 on_ready: Callable[[], None] = lambda: None, **kwargs: object) -> None:
        self.config_model = config_model
        self.journey = journey
        self.speaker = speaker
        self._on_ready = on_ready
        self.theme = Theme(config_model.display.dpi, config_model.display.touch_target_mm)
        super().__init__(**kwargs)
        self.title = "Bürgerterminal"
        self.language = journey.state.language
        self.screens: dict[object, KioskScreen] = {}
        self.overlays: dict[Overlay, KioskOverlay] = {}
        self._open_overlay: KioskOverlay | None = None
        self._failsafe = UiFailsafe(journey)

    # -- building --------------------------------------------------------------------------

    def build(self) -> ScreenManager:
        self.theme.fit(*Window.size)
        Window.bind(size=self._resized)
        Window.clearcolor = self.theme.background
        self.theme.bind(background=lambda _theme, colour: setattr(Window, "clearcolor", colour))
        Window.set_vkeyboard_class(KioskKeyboard)
        Window.bind(children=self._track_keyboard)
        manager = ScreenManager(transition=NoTransition())
        for screen_class in SCREENS:
            screen = screen_class(name=screen_class.stage.name)
            self.screens[screen_class.stage] = screen
            manager.add_widget(screen)
        self.overlays = {o.overlay: o() for o in OVERLAYS}
        self.manager = manager
        self.journey.subscribe(self._on_state)
        self.journey.on_wipe(self._on_wipe)
        Window.bind(on_touch_down=self._on_any_touch)
        ExceptionManager.add_handler(self._failsafe)
        self._ticker = Clock.schedule_interval(lambda _dt: self.send(ev.Tick()), 1.0)
        Clock.schedule_once(self._first_frame, 0)
        return manager

    def _track_keyboard(self, window: Widget, children: list[Widget]) -> None:
        # Kivy's docked keyboard lies over the window; screens pad their bottom by its height
        # so the field being typed in and the Next button stay visible above it.
        keyboard = next((c for c in children if isinstance(c, KioskKeyboard)), None)
        if keyboard is None:
            self.keyboard_height = 0
            return
        # Docking sets the keyboard's scale after it was added, so follow it.
        keyboard.funbind("scale", self._keyboard_resized)
        keyboard.fbind("scale", self._keyboard_resized)
        self._keyboard_resized(keyboard)

    def _keyboard_resized(self, keyboard: KioskKeyboard, *_args: object) -> None:
        if keyboard.parent is not None:
            self.keyboard_height = keyboard.height * keyboard.scale

    def _resized(self, _window: Widget, size: tuple[int, int]) -> None:
        self.theme.fit(*size)

    def on_stop(self) -> None:
        Window.unbind(children=self._track_keyboard, size=self._resized, on_touch_down=self._on_any_touch)
        self._ticker.cancel()
        if self._failsafe in ExceptionManager.handlers:
            ExceptionManager.remove_handler(self._failsafe)
        if self._open_overlay is not None:
            self._open_overlay.dismiss(animation=False)

    def _first_frame(self, _dt: float) -> None:
        self.ready = True
        self._on_ready()

    # -- journey <-> UI --------------------------------------------------------------------

    def send(self, event: ev.Event) -> JourneyState:
        return self.journey.send(event)

    def on_language(self, _app: App, language: str) -> None:
        self.rtl = language in RTL_LANGUAGES

    def t(self, message: str, language: str | None = None, **values: object) -> str:
        """Translate for the screen; kv passes app.language so texts follow a language change."""
        return tr(language or self.language, message, **values)

    def _on_any_touch(self, _window: Widget, _touch: object) -> bool:
        self.journey.send(ev.Touch())
        return False  # never swallow the touch

    def _on_state(self, state: JourneyState) -> None:
        self.language = state.language
        screen = self.screens[state.stage]
        screen.show(state)
        if self.manager.current != screen.name:
            self.manager.current = screen.name
            if state.stage is Stage.WELCOME:
                self.theme.reset()
        self._show_overlay(state)

    def _show_overlay(self, state: JourneyState) -> None:
        wanted = self.overlays.get(state.overlay)
        if self._open_overlay is not wanted and self._open_overlay is not None:
            self._open_overlay.dismiss(animation=False)
            self._open_overlay = None
        if wanted is None:
            return
        wanted.show(state)
        if self._open_overlay is not wanted:
            # The on-screen keyboard would cover the overlay's buttons: put it away first.
            Window.release_all_keyboards()
            wanted.open(animation=False)
            self._open_overlay = wanted
            if state.overlay is Overlay.MORE_TIME:
                # Announced in sound as well as on screen (BITV: time limits are announced).
                self.speaker.say(self.t("Do you need more time?") + " " + wanted.ids.countdown.text,
                                 state.language)

    def _on_wipe(self) -> None:
        for screen in self.screens.values():
            screen.clear()
        # TextInput caches rendered lines keyed by their text for a minute: drop them now.
        for category in TEXT_CACHES:
            Cache.remove(category)

    # -- accessibility ---------------------------------------------------------------------

    def read_aloud(self) -> None:
        """Speak the texts of the screen under the help overlay, top to bottom."""
        texts = visible_texts(self.manager.current_screen)
        self.speaker.say(". ".join(texts), self.language)

    def toggle_text_size(self) -> None:
        self.theme.scale = 1.0 if self.theme.scale > 1 else LARGER_TEXT

    def toggle_contrast(self) -> None:
        self.theme.high_contrast = not self.theme.high_contrast


def visible_texts(root: Widget) -> list[str]:
    """Texts a sighted citizen sees, in reading order: the order the layouts place them (top to
    bottom, then left to right). Not sorted by window position: a scrolled form would then be
    read from its scrolled-away first question, before the page's heading."""
    found = []
    for widget in root.walk(restrict=True):
        if isinstance(widget, Label) and widget.text.strip() and widget.opacity > 0:
            found.append(_MARKUP.sub("", widget.text).strip() if widget.markup else widget.text.strip())
    return found


class UiFailsafe(ExceptionHandler):
    """An exception escaping a screen leads to the failsafe screen, never to a dead terminal.
    Failing again and again means the UI itself is broken: then let it crash, so systemd
    restarts it cleanly."""

    burst = 5
    window_s = 30.0

    def __init__(self, journey: Journey) -> None:
        super().__init__()
        self._journey = journey
        self._recent: list[float] = []

    def handle_exception(self, exception: BaseException) -> int:
        log.error("screen failed: %s", failure_site(exception))
        now = time.monotonic()
        self._recent = [t for t in self._recent if now - t < self.window_s] + [now]
        if len(self._recent) > self.burst or not isinstance(exception, Exception):
            return ExceptionManager.RAISE
        try:
            self._journey.recover()
        except Exception as again:
            log.error("failsafe failed: %s", failure_site(again))
            return ExceptionManager.RAISE
        return ExceptionManager.PASS
