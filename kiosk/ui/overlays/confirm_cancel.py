from kiosk.journey.state import Overlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv


class ConfirmCancelOverlay(KioskOverlay):
    overlay = Overlay.CONFIRM_CANCEL


load_kv(__file__)
