from kivy.app import App

from kiosk.i18n import LANGUAGE_NAMES
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import BigButton


class LanguageScreen(KioskScreen):
    stage = Stage.LANGUAGE

    def show(self, state: JourneyState) -> None:
        box = self.ids.languages
        if box.children:
            return
        for code in App.get_running_app().config_model.language.offered:
            button = BigButton(text=LANGUAGE_NAMES[code], primary=True)
            button.language_code = code
            button.bind(on_release=lambda b: App.get_running_app().send(ev.ChooseLanguage(b.language_code)))
            box.add_widget(button)


load_kv(__file__)
