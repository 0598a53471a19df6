from kivy.app import App

from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Stage
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import BigButton


class CatalogueScreen(KioskScreen):
    stage = Stage.CATALOGUE

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._language = ""
        # The tiles' summaries carry their size in markup: redraw them when the text size changes.
        App.get_running_app().theme.fbind("small", lambda *_args: self._build())

    def show(self, state: JourneyState) -> None:
        self._language = state.language
        self._build()

    def _build(self) -> None:
        box = self.ids.services
        box.clear_widgets()
        if not self._language:
            return
        app = App.get_running_app()
        for service in self.journey.services.values():
            tile = BigButton(text=f"{service.title[self._language]}\n[size={int(app.theme.small)}]"
                                  f"{service.summary[self._language]}[/size]", markup=True, primary=True,
                             min_height=app.theme.button_height * 1.8 / app.theme.scale)
            tile.service_id = service.id
            tile.bind(on_release=lambda b: app.send(ev.ChooseService(b.service_id)))
            box.add_widget(tile)


load_kv(__file__)
