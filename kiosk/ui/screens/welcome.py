from kiosk.journey.state import Stage
from kiosk.ui.screens.base import KioskScreen, load_kv


class WelcomeScreen(KioskScreen):
    stage = Stage.WELCOME


load_kv(__file__)
