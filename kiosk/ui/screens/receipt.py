from kivy.app import App

from kiosk.i18n import N_
from kiosk.journey.state import JourneyState, Printout, Stage
from kiosk.ui.announcer import Part
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import held, show_only

PRINTOUT_MESSAGES = {
    Printout.NONE: "",
    Printout.PRINTING: N_("Your receipt is being printed …"),
    Printout.PRINTED: N_("Please take your receipt from the printer below the screen."),
    Printout.FAILED: N_("The printer cannot print your receipt. Please photograph the code below with your "
                        "phone, or write it down. Your application has been received."),
    Printout.UNKNOWN: N_("If no receipt has come out of the printer, please photograph the code below with "
                         "your phone, or write it down. Your application has been received."),
}
NO_RECEIPT = (Printout.FAILED, Printout.UNKNOWN)


def spelled(code: str) -> str:
    """A code as speech should say it: character by character, a pause at each hyphen
    ("MB-7K3Q" -> "M B. 7 K 3 Q"), so a listener can write it down."""
    return ". ".join(" ".join(group) for group in code.split("-") if group)


class ReceiptScreen(KioskScreen):
    stage = Stage.RECEIPT

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._printout: Printout | None = None
        self._parts = held(self.ids, "spacer", "help", "finish")

    def show(self, state: JourneyState) -> None:
        if state.stage is not Stage.RECEIPT:
            return
        app = App.get_running_app()
        code = state.photo_code or state.reference or ""  # the receipt's big code and QR code
        self.ids.reference.text = state.reference or ""
        self.ids.photo_code_label.text = app.t("Your photo retrieval code:") if state.photo_code else ""
        self.ids.photo_code.text = state.photo_code or ""
        self.ids.printout.text = app.t(PRINTOUT_MESSAGES[state.printout])
        self.ids.qr.data = code if state.printout in NO_RECEIPT else ""
        self.ids.finish.disabled = state.printout is Printout.PRINTING
        parts = self._parts
        show_only(self.ids.buttons, [parts["help"] if state.printout in NO_RECEIPT else parts["spacer"],
                                     parts["finish"]])
        if self._printout is not None and state.printout is not self._printout:
            # The printer finished while the screen is shown: say so (entering said the rest),
            # and without a receipt say the code slowly enough to write it down.
            said = [self.ids.printout.text]
            if state.printout in NO_RECEIPT:
                said.append(app.t("Your code is: {code}", code=spelled(code)))
            app.announcer.queue(Part.SCREEN, said)
        self._printout = state.printout

    def on_leave(self, *args: object) -> None:
        self._printout = None


load_kv(__file__)
