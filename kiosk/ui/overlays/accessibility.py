"""The accessibility panel: text size, contrast, speech output, volume and the low layout.

Reached from every screen (the top bar, help, and the large button on the welcome screen),
before a session starts too. Every setting is shown by its state in words and by shape (the
chosen option is filled and ticked), never by colour alone; all of it goes back to the
defaults for the next citizen (KioskApp.reset_for_next_citizen)."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

from kiosk.journey.state import Overlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv
from kiosk.ui.rtl import Row
from kiosk.ui.widgets import BigButton


class OptionButton(BigButton):
    """One choice of a setting; the chosen one is filled and ticked."""

    selected = BooleanProperty(False)
    label = StringProperty("")


class SettingRow(Row):
    """A setting's name beside its choices (on their right in Arabic); at larger text sizes the
    name goes above them."""

    stacked = BooleanProperty(False)

    def __init__(self, **kwargs: object) -> None:
        self._arrange_soon = Clock.create_trigger(self._arrange, -1)
        super().__init__(**kwargs)
        App.get_running_app().theme.fbind("scale", self._arrange_soon)
        self.fbind("minimum_height", self._arrange_soon)

    def on_children(self, _row: Row, children: list[Widget]) -> None:
        for child in children:
            child.funbind("height", self._arrange_soon)
            child.fbind("height", self._arrange_soon)
        self._arrange_soon()

    def _arrange(self, *_args: object) -> None:
        self.stacked = App.get_running_app().theme.scale > 1
        self.orientation = "vertical" if self.stacked else "horizontal"
        self.height = self.minimum_height if self.stacked else max((c.height for c in self.children), default=0)


class VolumeMeter(Widget):
    """The volume as steps of rising bars, the reached ones filled (shape, not colour alone)."""

    level = NumericProperty(3)
    steps = NumericProperty(5)


class AccessibilityOverlay(KioskOverlay):
    overlay = Overlay.ACCESSIBILITY

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # A new text size or layout reflows the panel: keep the row just tapped in view, so
        # the citizen sees the choice take effect instead of the panel's top.
        theme = self._app.theme
        theme.fbind("scale", lambda *_args: self._keep_in_view("text_sizes"))
        theme.fbind("low_layout", lambda *_args: self._keep_in_view("layouts"))

    def _keep_in_view(self, row_id: str) -> None:
        if self._is_open:
            # Twice deferred: first the sizes change, then the layouts place everything anew.
            Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt: self._scroll_to(row_id)), 0)

    def _scroll_to(self, row_id: str) -> None:
        frame = self.ids.frame
        scroller = frame if frame.cramped else self.ids.body.parent
        scroller.scroll_to(self.ids[row_id], padding=self._app.theme.gap, animate=False)


load_kv(__file__)
