from kivy.app import App

from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import BigButton


class CatalogueScreen(KioskScreen):
    stage = Stage.CATALOGUE

    def show(self, state: JourneyState) -> None:
        box = self.ids.services
        box.clear_widgets()
        app = App.get_running_app()
        for service in self.journey.services.values():
            tile = BigButton(text=f"{service.title[state.language]}\n[size={int(app.theme.small)}]"
                                  f"{service.summary[state.language]}[/size]", markup=True, primary=True)
            tile.height = app.theme.button_height * 1.8
            tile.service_id = service.id
            tile.bind(on_release=lambda b: app.send(ev.ChooseService(b.service_id)))
            box.add_widget(tile)


load_kv(__file__)
