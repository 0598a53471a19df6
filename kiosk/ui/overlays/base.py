"""Overlays sit above the current screen, which stays as it was underneath.

Every overlay is as tall as its content, at most as tall as the part of the window that holds
the controls (all of it, or its lower part in the low layout), and centred in that part. Its
content scrolls when the text is too large to fit, its closing buttons stay in view."""

from __future__ import annotations

from kivy.app import App
from kivy.core.window import Window
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from kiosk.journey.state import JourneyState, Overlay
from kiosk.ui.screens.base import load_kv


class KioskOverlay(ModalView):
    overlay: Overlay
    natural_height = NumericProperty(0)  # the height its content asks for (each overlay's rule sets it)

    def __init__(self, **kwargs: object) -> None:
        # Only the journey closes an overlay; a tap beside it must not lose the question.
        super().__init__(auto_dismiss=False, **kwargs)
        self._app = App.get_running_app()
        self._app.fbind("usable_height", self._align_center)

    def show(self, state: JourneyState) -> None:
        """Bring the overlay up to date (called on every change while it is open)."""

    def open(self, *args: object, **kwargs: object) -> None:
        super().open(*args, **kwargs)
        self._align_center()  # ModalView put it in the window's centre

    def _align_center(self, *_args: object) -> None:
        # ModalView centres itself in the window; ours centre in the part that holds the controls.
        if self._is_open:
            self.center = (Window.center[0], self._app.usable_height / 2)


load_kv(__file__)
