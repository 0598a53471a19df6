"""The call kept small above the page while the citizen works on it with the clerk: the clerk's
picture, who it is, and the way back to the call or out of it."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import StringProperty

from kiosk.journey.state import CallPhase, JourneyState, Overlay
from kiosk.ui.live_picture import LivePicture  # noqa: F401  (registers it for call_bar.kv)
from kiosk.ui.rtl import Row
from kiosk.ui.screens.base import load_kv

FPS = 10


class CallBar(Row):
    status = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._drawing = Clock.schedule_interval(self._draw, 1 / FPS)
        self._drawing.cancel()

    @staticmethod
    def wanted(state: JourneyState) -> bool:
        """Shown while a call goes on and the page, not the call, is in front."""
        return state.call is not None and state.call.active and state.overlay is not Overlay.CALL

    def show(self, state: JourneyState) -> None:
        app = App.get_running_app()
        call = state.call
        if call is None or not self.wanted(state):
            self._drawing.cancel()
            self.ids.clerk_picture.clear()
            return
        if call.phase is CallPhase.TALKING:
            self.status = app.t("In a call with {name}", name=call.clerk) if call.clerk else app.t("In a call")
            self._drawing()
        else:
            self.status = app.t("Waiting for a clerk")
            self._drawing.cancel()
            self.ids.clerk_picture.clear()

    def _draw(self, _dt: float) -> None:
        video = App.get_running_app().video_call
        clerk = video.pictures()[0] if video is not None else None
        if clerk is not None:
            self.ids.clerk_picture.show_frame(clerk, colorfmt="rgb")


load_kv(__file__)
