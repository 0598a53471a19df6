from kiosk.journey.state import Stage
from kiosk.ui.screens.base import KioskScreen, load_kv


class GoodbyeScreen(KioskScreen):
    stage = Stage.GOODBYE


load_kv(__file__)
