"""The services on offer: each with what it is for and what the citizen needs for it."""

from babel.numbers import format_currency
from kivy.app import App

from kiosk.forms.service import Service
from kiosk.i18n import ts
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
            lang = self._language
            lines = [ts(lang, service.id, service.summary)] + needs(service, lang)
            tile = BigButton(text=f"{ts(lang, service.id, service.title)}\n[size={int(app.theme.small)}]"
                                  + "\n".join(lines) + "[/size]", markup=True, primary=True,
                             min_height=app.theme.button_height * 1.8 / app.theme.scale)
            tile.service_id = service.id
            tile.bind(on_release=lambda b: app.send(ev.ChooseService(b.service_id)))
            box.add_widget(tile)


def needs(service: Service, lang: str) -> list[str]:
    """What to have ready, said before starting (identity card, fee), so nobody is surprised."""
    app = App.get_running_app()
    found = []
    if service.needs.identification:
        found.append(app.t("You need your ID card or passport."))
    if service.needs.fee:
        amount = format_currency(service.needs.fee.amount_eur, "EUR", locale=lang)
        found.append(app.t("Fee: {amount}", amount=amount))
    return found


load_kv(__file__)
