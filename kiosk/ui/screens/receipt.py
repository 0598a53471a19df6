from kivy.app import App

from kiosk.i18n import N_
from kiosk.journey.state import JourneyState, Printout, Stage
from kiosk.ui.announcer import Part
from kiosk.ui.screens.base import KioskScreen, load_kv

PRINTOUT_MESSAGES = {
    Printout.NONE: "",
    Printout.PRINTING: N_("Your receipt is being printed …"),
    Printout.PRINTED: N_("Please take your receipt from the printer below the screen."),
    Printout.FAILED: N_("The receipt cannot be printed right now. Please write down or photograph "
                        "your reference number. Your application has been received."),
}


class ReceiptScreen(KioskScreen):
    stage = Stage.RECEIPT

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._printout: Printout | None = None

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.RECEIPT:
            return
        app = App.get_running_app()
        self.ids.reference.text = state.reference or ""
        self.ids.photo_code_label.text = app.t("Your photo retrieval code:") if state.photo_code else ""
        self.ids.photo_code.text = state.photo_code or ""
        self.ids.printout.text = app.t(PRINTOUT_MESSAGES[state.printout])
        self.ids.finish.disabled = state.printout is Printout.PRINTING
        if self._printout is not None and state.printout is not self._printout:
            # The printer finished while the screen is shown: say so (entering said the rest).
            app.announcer.queue(Part.SCREEN, [self.ids.printout.text])
        self._printout = state.printout

    def on_leave(self, *args: object) -> None:
        self._printout = None


load_kv(__file__)
