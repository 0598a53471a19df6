from kivy.app import App

from kiosk.journey.state import JourneyState, Overlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv


class MoreTimeOverlay(KioskOverlay):
    overlay = Overlay.MORE_TIME

    def show(self, state: JourneyState) -> None:
        self.ids.instruction.text = App.get_running_app().t(
            "Otherwise your answers will be deleted in {seconds} seconds.", seconds=state.countdown_s or 0)


load_kv(__file__)
