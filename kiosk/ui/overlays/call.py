"""The help call: waiting for a clerk (place in the queue, spoken), talking (the clerk large, one's
own picture small, mute, share the page, end), ended, or no clerk to be had (wait on, be called
back, go on alone): never a dead end."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock

from kiosk.journey.state import CallPhase, CallState, JourneyState, Overlay
from kiosk.ui.live_picture import LivePicture  # noqa: F401  (registers it for call.kv)
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv
from kiosk.ui.widgets import held, show_only

FPS = 15  # pictures drawn per second: enough to see a face and a hand, little work for the UI thread


class CallOverlay(KioskOverlay):
    overlay = Overlay.CALL

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._widgets = held(self.ids, "pictures", "mute", "share", "show_form", "hang_up", "keep_waiting",
                             "callback", "alone", "close")
        self._said: tuple[object, ...] | None = None
        self._drawing = Clock.schedule_interval(self._draw, 1 / FPS)
        self._drawing.cancel()

    def show(self, state: JourneyState) -> None:
        call = state.call or CallState()
        app = App.get_running_app()
        self.ids.title.text, self.ids.instruction.text = self.texts(call, app.t)
        w = self._widgets
        self.ids.mute.text = app.t("Microphone on") if call.muted else app.t("Mute microphone")
        self.ids.share.text = app.t("Stop showing my page") if call.shared else app.t("Show my page to the clerk")
        self.ids.keep_waiting.text = app.t("Keep waiting") if call.reason == "no_clerk" else app.t("Try again")
        buttons = {
            CallPhase.WAITING: ([], [w["hang_up"]]),
            CallPhase.TALKING: ([w["share"], w["show_form"]], [w["mute"], w["hang_up"]]),
            CallPhase.ENDED: ([w["close"]], []),
            CallPhase.UNAVAILABLE: ([w["keep_waiting"], w["callback"], w["alone"]], []),
        }[call.phase]
        show_only(self.ids.actions, buttons[0])
        show_only(self.ids.call_actions, buttons[1])
        show_only(self.ids.media, [w["pictures"]] if call.phase is CallPhase.TALKING else [])
        if call.phase is CallPhase.TALKING:
            self._drawing()
        else:
            self._drawing.cancel()
            self.ids.clerk_picture.clear()
            self.ids.own_picture.clear()
        self._say(call)

    @staticmethod
    def texts(call: CallState, t) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        """Title and instruction for where the call stands."""
        if call.phase is CallPhase.WAITING:
            return t("Connecting you to a clerk"), _waiting(call, t)
        if call.phase is CallPhase.TALKING:
            return (t("You are talking to {name}", name=call.clerk) if call.clerk else t("You are talking to a clerk"),
                    t("The clerk sees and hears you. Your page is only shown if you agree."))
        if call.phase is CallPhase.ENDED:
            return t("The call has ended"), t("You can carry on where you were.")
        if call.reason in ("unreachable", "rejected", "error"):
            return (t("The service centre cannot be reached right now"),
                    t("You can try again, ask to be called back by phone, or carry on alone."))
        return (t("No clerk is free right now"),
                t("You can wait longer, ask to be called back by phone, or carry on alone."))

    def _say(self, call: CallState) -> None:
        # Said on every change of phase and place in the queue: someone who cannot see the
        # screen hears that the call goes on, and when the clerk is there.
        key = (call.phase, call.position, call.reconnecting, call.requeued)
        if key != self._said and self._is_open:
            self._said = key
            App.get_running_app().announcer.screen(self)

    def open(self, *args: object, **kwargs: object) -> None:
        super().open(*args, **kwargs)
        self._said = None

    def dismiss(self, *args: object, **kwargs: object) -> None:
        self._drawing.cancel()
        self.ids.clerk_picture.clear()
        self.ids.own_picture.clear()
        super().dismiss(*args, **kwargs)

    def _draw(self, _dt: float) -> None:
        video = App.get_running_app().video_call
        if video is None:
            return
        clerk, own = video.pictures()
        if clerk is not None:
            self.ids.clerk_picture.show_frame(clerk, colorfmt="rgb")
        if own is not None:
            self.ids.own_picture.show_frame(own)


def _waiting(call: CallState, t) -> str:  # type: ignore[no-untyped-def]
    if call.reconnecting:
        return t("The connection was interrupted. It is being restored; you keep your place.")
    if call.position is None:
        return t("Please wait a moment.")
    first = t("The clerk was disconnected. You are next in line.") + " " if call.requeued else ""
    place = t("You are number {position} in the queue.", position=call.position)
    if call.wait_s is None:
        return first + place
    minutes = max(1, round(call.wait_s / 60))
    return first + place + " " + t("Expected wait: about {minutes} min.", minutes=minutes)


load_kv(__file__)
