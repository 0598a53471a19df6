from kivy.app import App

from kiosk.i18n import LANGUAGE_NAMES, RTL_LANGUAGES
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
            # Each name is written in its own language, so العربية is drawn right to left even
            # on the German screen: that is where an Arabic reader must find it.
            button = BigButton(text=LANGUAGE_NAMES[code], primary=True, written_rtl=code in RTL_LANGUAGES)
            button.language_code = code
            button.bind(on_release=lambda b: App.get_running_app().send(ev.ChooseLanguage(b.language_code)))
            box.add_widget(button)


load_kv(__file__)
