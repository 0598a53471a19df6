from kiosk.journey.state import Stage
from kiosk.ui.screens.base import KioskScreen, load_kv


class SubmittingScreen(KioskScreen):
    stage = Stage.SUBMITTING


load_kv(__file__)
