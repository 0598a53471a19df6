"""The Kivy application: shows the journey's state and sends it the citizen's taps.

It holds no business state: every screen redraws from the journey's state, and every button
sends a typed event. Screens and overlays are found by the Stage/Overlay they belong to.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Callable

from kivy.app import App
from kivy.base import ExceptionHandler, ExceptionManager
from kivy.cache import Cache
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager
from kivy.uix.widget import Widget

from hardware.speech import Speaker
from kiosk.config import KioskConfig
from kiosk.i18n import RTL_LANGUAGES, tr
from kiosk.journey import events as ev
from kiosk.journey.machine import Journey, failure_site
from kiosk.journey.state import JourneyState, Overlay, Stage
from kiosk.photo.capture import CaptureLoop
from kiosk.ui.announcer import VOLUME_STEPS, Announcer, Part, sentences, speakable, visible_texts
from kiosk.ui.call_bar import CallBar
from kiosk.ui.overlays.accessibility import AccessibilityOverlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.overlays.call import CallOverlay
from kiosk.ui.overlays.confirm_cancel import ConfirmCancelOverlay
from kiosk.ui.overlays.help import HelpOverlay
from kiosk.ui.overlays.more_time import MoreTimeOverlay
from kiosk.ui.overlays.proposal import ProposalOverlay
from kiosk.ui.screens.base import KioskScreen, screen_key
from kiosk.ui.screens.catalogue import CatalogueScreen
from kiosk.ui.screens.failsafe import FailsafeScreen
from kiosk.ui.screens.form_page import FormPageScreen
from kiosk.ui.screens.goodbye import GoodbyeScreen
from kiosk.ui.screens.language import LanguageScreen
from kiosk.ui.screens.photo_capture import PhotoCaptureScreen
from kiosk.ui.screens.photo_review import PhotoReviewScreen
from kiosk.ui.screens.receipt import ReceiptScreen
from kiosk.ui.screens.review import ReviewScreen
from kiosk.ui.screens.submitting import SubmittingScreen
from kiosk.ui.screens.welcome import LONG_PRESS_S, WelcomeScreen
from kiosk.ui.theme import TEXT_SIZES, Theme
from kiosk.ui.widgets import KioskKeyboard, let_go, show_only, what_is_at

if TYPE_CHECKING:
    from kiosk.video_call import VideoCall

log = logging.getLogger(__name__)
SCREENS = (WelcomeScreen, LanguageScreen, CatalogueScreen, FormPageScreen, PhotoCaptureScreen, PhotoReviewScreen,
           ReviewScreen, SubmittingScreen, ReceiptScreen, GoodbyeScreen, FailsafeScreen)
OVERLAYS = (HelpOverlay, ConfirmCancelOverlay, MoreTimeOverlay, AccessibilityOverlay, CallOverlay, ProposalOverlay)
TEXT_CACHES = ("textinput.label", "textinput.width")


class KioskApp(App):
    language = StringProperty("de")
    rtl = BooleanProperty(False)  # the language is written right to left: texts and rows mirror
    theme = ObjectProperty(None)
    ready = BooleanProperty(False)  # the first frame of the welcome screen was drawn
    keyboard_height = NumericProperty(0)  # screens keep their content above the on-screen keyboard
    usable_height = NumericProperty(0)  # the window's height that holds controls (less in the low layout)
    announcer = ObjectProperty(None)

    def __init__(self, config_model: KioskConfig, journey: Journey, speaker: Speaker,
                 on_ready: Callable[[], None] = lambda: None, capture: CaptureLoop | None = None,
                 video_call: VideoCall | None = None, **kwargs: object) -> None:
        self.config_model = config_model
        self.journey = journey
        self.speaker = speaker
        self.capture = capture  # the photo step's camera, None when the terminal takes no photos
        self.video_call = video_call  # the line to the clerks, None when the terminal has none
        self._on_ready = on_ready
        self.theme = Theme(config_model.display.dpi, config_model.display.touch_target_mm)
        super().__init__(**kwargs)
        self.announcer = Announcer(speaker, lambda: self.language)
        self.title = "Bürgerterminal"
        self.language = journey.state.language
        self.screens: dict[object, KioskScreen] = {}
        self.overlays: dict[Overlay, KioskOverlay] = {}
        self._open_overlay: KioskOverlay | None = None
        self._entered: tuple[object, Overlay] = (screen_key(journey.state), journey.state.overlay)
        self._failsafe = UiFailsafe(journey)

    # -- building --------------------------------------------------------------------------

    def build(self) -> BoxLayout:
        self.theme.fit(*Window.size)
        Window.bind(size=self._resized)
        Window.clearcolor = self.theme.background
        self.theme.bind(background=lambda _theme, colour: setattr(Window, "clearcolor", colour))
        Window.set_vkeyboard_class(KioskKeyboard)
        Window.bind(children=self._track_keyboard)
        manager = ScreenManager(transition=NoTransition())
        for screen_class in SCREENS:
            screen = screen_class(name=screen_class.__name__)
            self.screens[screen_class.screen_key()] = screen
            manager.add_widget(screen)
        self.overlays = {o.overlay: o() for o in OVERLAYS}
        self.manager = manager
        # The low layout puts the screens in the window's lower part, under an empty space.
        root = BoxLayout(orientation="vertical")
        self._above = Widget(size_hint_y=0)
        root.add_widget(self._above)
        # During a call with the page in front, the call sits small above it (the page shrinks).
        self.call_bar = CallBar()
        self._bar_slot = BoxLayout(orientation="vertical", size_hint_y=None, height=0)
        self._bar_slot.bind(minimum_height=self._bar_slot.setter("height"))
        root.add_widget(self._bar_slot)
        root.add_widget(manager)
        self.theme.fbind("low_layout", self._place_controls)
        self._place_controls()
        self.journey.subscribe(self._on_state)
        self.journey.on_wipe(self._on_wipe)
        Window.bind(on_touch_down=self._on_any_touch, on_touch_up=self._on_any_touch_up)
        ExceptionManager.add_handler(self._failsafe)
        self._ticker = Clock.schedule_interval(lambda _dt: self.send(ev.Tick()), 1.0)
        Clock.schedule_once(self._first_frame, 0)
        return root

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
        self._place_controls()

    def _place_controls(self, *_args: object) -> None:
        share = self.config_model.display.low_layout_share if self.theme.low_layout else 1.0
        self._above.size_hint_y = 1 - share
        self.manager.size_hint_y = share
        self.usable_height = Window.height * share

    def on_stop(self) -> None:
        Window.unbind(children=self._track_keyboard, size=self._resized, on_touch_down=self._on_any_touch,
                      on_touch_up=self._on_any_touch_up)
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
        state = self.journey.send(event)
        if isinstance(event, ev.Tick) and state.stage is Stage.WELCOME and state.overlay is Overlay.NONE:
            self._welcome_tick()
        return state

    def _welcome_tick(self) -> None:
        if self.journey.idle_s() >= self.config_model.session.inactivity_s:
            self.reset_for_next_citizen()  # settings chosen on the welcome screen by someone who left
        else:
            self.screens[Stage.WELCOME].tick(self.journey.now())

    def on_language(self, _app: App, language: str) -> None:
        self.rtl = language in RTL_LANGUAGES

    def t(self, message: str, language: str | None = None, **values: object) -> str:
        """Translate for the screen; kv passes app.language so texts follow a language change."""
        return tr(language or self.language, message, **values)

    def _on_any_touch(self, _window: Widget, touch: MotionEvent) -> bool:
        state = self.journey.send(ev.Touch())
        if state.stage is Stage.WELCOME and state.overlay is Overlay.NONE:
            self.screens[Stage.WELCOME].noticed(self.journey.now())  # it has its own long press
        else:
            touch.ud["down_at"], touch.ud["on"] = time.monotonic(), self._entered
            touch.ud["explore"] = Clock.schedule_once(lambda _dt: self._explore(touch), LONG_PRESS_S)
        return False  # never swallow the touch

    def _on_any_touch_up(self, _window: Widget, touch: MotionEvent) -> bool:
        touch.ud["up"] = True
        pending = touch.ud.pop("explore", None)
        if pending is not None:
            pending.cancel()
        return False

    def _explore(self, touch: MotionEvent) -> None:
        """A finger held still on a button says what the button does, without pressing it:
        how someone who cannot see the screen finds their way (said whether speech is on or not)."""
        if touch.ud.get("up") or touch.ud.get("on") != self._entered:
            # Lifted meanwhile, or the screen changed under the finger: a tap, whatever the
            # clock says (seen under load: a tap on "Send" then said the next screen's "Done").
            return
        # Kivy counts the delay from its last frame: after the UI stood still (a slow step, the
        # photo analysis loading), a plain tap would count as held. Count from the real touch.
        held = time.monotonic() - touch.ud.get("down_at", 0.0)
        if held < LONG_PRESS_S - 0.05:
            touch.ud["explore"] = Clock.schedule_once(lambda _dt: self._explore(touch), LONG_PRESS_S - held)
            return
        touch.ud.pop("explore", None)
        words = what_is_at(self._open_overlay or self.manager.current_screen, *touch.pos)
        if words:
            let_go(touch)
            self.announcer.say_now([(sentences(speakable(w) for w in words), self.language)])

    def _on_state(self, state: JourneyState) -> None:
        self.language = state.language
        key = screen_key(state)
        screen = self.screens[key]
        screen.show(state)
        if self.manager.current != screen.name:
            self.manager.current = screen.name
            if state.stage is Stage.WELCOME:
                self.reset_for_next_citizen()
        self._show_overlay(state)
        self.call_bar.show(state)
        show_only(self._bar_slot, [self.call_bar] if CallBar.wanted(state) else [])
        if (key, state.overlay) != self._entered:
            # Entering a screen or overlay, or coming back to the screen from one: say where we are.
            self._entered = (key, state.overlay)
            self.announcer.screen(self._open_overlay or screen)

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

    def _on_wipe(self) -> None:
        for screen in self.screens.values():
            screen.clear()
        # TextInput caches rendered lines keyed by their text for a minute: drop them now.
        for category in TEXT_CACHES:
            Cache.remove(category)

    # -- accessibility ---------------------------------------------------------------------

    def reset_for_next_citizen(self) -> None:
        """Text size, colours, layout, speech and volume back to the defaults, and the welcome
        screen's spoken hint ready for the next person."""
        self.theme.reset()
        self.announcer.reset()
        self.screens[Stage.WELCOME].reset_visit()

    def needs(self) -> tuple[str, ...]:
        """The accessibility settings in use: the clerk answering a call sees them (no person data)."""
        chosen = {"speech": self.announcer.speech, "large_text": self.theme.scale > 1,
                  "high_contrast": self.theme.high_contrast, "low_layout": self.theme.low_layout}
        return tuple(name for name, on in chosen.items() if on)

    def read_aloud(self) -> None:
        """Speak the texts of the screen under the help overlay, top to bottom (asked for, so
        said whether speech output is on or not)."""
        texts = visible_texts(self.manager.current_screen)
        self.announcer.say_now([(sentences(speakable(t) for t in texts), self.language)])

    def set_text_size(self, scale: float) -> None:
        assert scale in TEXT_SIZES
        self.theme.scale = scale
        self._confirm(self.t("Text size"), f"{round(scale * 100)} %")

    def set_high_contrast(self, high: bool) -> None:
        self.theme.high_contrast = high
        self._confirm(self.t("Contrast"), self.t("High contrast") if high else self.t("Normal"))

    def set_speech(self, on: bool) -> None:
        if not on:
            self.speaker.stop()  # silence at once, not after the current sentence
        self.announcer.speech = on
        self._confirm(self.t("Read aloud"), self.t("Speech on"))

    def change_volume(self, steps: int) -> None:
        self.announcer.volume_step = max(1, min(len(VOLUME_STEPS), self.announcer.volume_step + steps))
        self._confirm(self.t("Volume"), self.t("{word} ({step} of {steps})", word=self.t(self.announcer.volume_word),
                                       step=int(self.announcer.volume_step), steps=len(VOLUME_STEPS)))

    def set_low_layout(self, low: bool) -> None:
        self.theme.low_layout = low
        self._confirm(self.t("Layout"), self.t("All at the bottom") if low else self.t("Normal layout"))

    def _confirm(self, setting: str, value: str) -> None:
        """Say the new setting (with speech on; a change of volume is heard at the new volume)."""
        self.announcer.queue(Part.SETTING, [f"{setting}: {value}"])


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
