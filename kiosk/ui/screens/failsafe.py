from kiosk.journey.state import Stage
from kiosk.ui.screens.base import KioskScreen, load_kv


class FailsafeScreen(KioskScreen):
    stage = Stage.FAILSAFE


load_kv(__file__)
