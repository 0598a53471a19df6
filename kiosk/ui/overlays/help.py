from kivy.app import App

from kiosk.journey.state import JourneyState, Overlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv
from kiosk.ui.widgets import held, show_only


class HelpOverlay(KioskOverlay):
    overlay = Overlay.HELP

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._widgets = held(self.ids, "call")

    def show(self, state: JourneyState) -> None:
        """First of all: a person to talk to, when this terminal has a line to the clerks."""
        app = App.get_running_app()
        calling = state.call is not None and state.call.active
        self.ids.call.text = app.t("Back to the call") if calling else app.t("Talk to a clerk (video call)")
        show_only(self.ids.call_slot, [self._widgets["call"]] if app.video_call is not None else [])


load_kv(__file__)
