"""The welcome screen, and its spoken hint for people who cannot read the screen.

The terminal has no presence sensor, so it takes a touch as presence: a long press anywhere on
the welcome screen says, in German and then in English, what the accessibility button does and
where it is; so does a touch not followed by "Start" within a few seconds (once per visit).
The hint is said whether speech output is on or not: it is how one learns that it exists.
Elsewhere a long press says what the finger rests on (KioskApp._explore)."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent

from kiosk.i18n import N_
from kiosk.journey.state import Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import let_go

LONG_PRESS_S = 1.5
PRESENCE_HINT_S = 8.0  # after a touch, on the journey's clock
HINT = N_("Accessibility. You can make the text larger, make the colours stronger, have everything read "
        "aloud, and bring all buttons down low. The accessibility button is at the bottom of the screen, "
        "in the middle, below the large Start button. It shows a figure with open arms in a circle. "
        "Press and hold any button to hear what it does, without choosing it.")
HINT_LANGUAGES = ("de", "en")


class WelcomeScreen(KioskScreen):
    stage = Stage.WELCOME

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._touched_at: float | None = None
        self._hinted = False

    # -- long press ------------------------------------------------------------------------

    def on_touch_down(self, touch: MotionEvent) -> bool:
        if self.collide_point(*touch.pos):
            touch.ud["welcome_hint"] = Clock.schedule_once(lambda _dt: self._long_press(touch), LONG_PRESS_S)
        return super().on_touch_down(touch)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        pending = touch.ud.pop("welcome_hint", None)
        if pending is not None:
            pending.cancel()
        return super().on_touch_up(touch)

    def _long_press(self, touch: MotionEvent) -> None:
        touch.ud.pop("welcome_hint", None)
        let_go(touch)  # the finger was exploring: the button under it must not fire when it lifts
        self.say_hint()

    # -- presence --------------------------------------------------------------------------

    def noticed(self, now: float) -> None:
        """Someone touched the welcome screen (the app calls this for every touch here)."""
        if self._touched_at is None:
            self._touched_at = now

    def tick(self, now: float) -> None:
        """Time passed on the welcome screen: give the hint once if a touch led nowhere."""
        if self._touched_at is not None and not self._hinted and now - self._touched_at >= PRESENCE_HINT_S:
            self.say_hint()

    def reset_visit(self) -> None:
        """The next person gets the hint again."""
        self._touched_at = None
        self._hinted = False

    def say_hint(self) -> None:
        self._hinted = True
        app = App.get_running_app()
        app.announcer.say_now([(app.t(HINT, language), language) for language in HINT_LANGUAGES])


load_kv(__file__)
