"""The photo step with the camera on: the citizen's mirror picture, one instruction at a time
(shown and spoken, since someone looking into the camera is not reading the screen), and a
spoken countdown before the photo is taken by itself. When the camera fails: say so, and offer
to try again, to get help, or to go on without a photo."""

from __future__ import annotations

from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.uix.widget import Widget

from kiosk.i18n import N_, ts
from kiosk.journey import events as ev
from kiosk.journey.state import JourneyState, Overlay, PhotoPhase, Stage
from kiosk.photo.capture import Callbacks, LiveStatus
from kiosk.photo.guidance import NO_FACE
from kiosk.ui.live_picture import LivePicture  # noqa: F401  (used in the .kv)
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import held, show_only

PREVIEW_FPS = 15
SAY_AFTER_S = 0.8  # an instruction is said once it held this long (not every flicker)
SAY_AGAIN_S = 6.0  # and again while it is still the one to follow
PRESENCE_EVERY_S = 5.0  # a face in front of the camera keeps the session alive
HOLD_STILL = N_("Hold still. The photo is taken in a moment.")


class PhotoCaptureScreen(KioskScreen):
    stage = Stage.FORM
    key = PhotoPhase.CAPTURE

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._active = False
        self._preview_event = None
        self._last_frame = -1
        self._status: LiveStatus | None = None
        self._said: tuple[str, float] = ("", 0.0)
        self._pending: tuple[str, float] = ("", 0.0)
        self._presence_at = 0.0
        self._parts = held(self.ids, "back", "retry", "without", "live", "failed")
        self._parts["spacer"] = Widget(size_hint=(2, None), height=0)  # Back keeps a third of the row

    def show(self, state: JourneyState) -> None:
        if state.photo not in (PhotoPhase.CAPTURE, PhotoPhase.UNAVAILABLE):
            return
        app = App.get_running_app()
        service = state.service
        assert service is not None
        self.ids.bar.title = ts(state.language, service.id, service.title)
        self.ids.title.text = app.t("Step {number} of {total}: {title}", number=state.step_index + 1,
                                    total=len(service.steps), title=ts(state.language, service.id, state.step.title))
        self.ids.instead.text = ts(state.language, service.id, state.step.instead)
        failed = state.photo is PhotoPhase.UNAVAILABLE
        parts = self._parts
        show_only(self.ids.body, [parts["failed"] if failed else parts["live"]])
        show_only(self.ids.buttons, [parts["back"], parts["retry"], parts["without"]] if failed
                  else [parts["back"], parts["spacer"]])
        if failed:
            self.ids.instruction.text = ""  # not read aloud from the hidden camera part
        if failed or state.overlay is not Overlay.NONE:
            self._stop()  # help open: no photo is taken behind it
        else:
            self._start()

    # -- the camera --------------------------------------------------------------------------

    def _start(self) -> None:
        capture = App.get_running_app().capture
        if self._active or capture is None:
            return
        self._active = True
        self._status = None
        self._show_status(None)
        capture.activate(Callbacks(status=_on_ui(self._on_status), photo=_on_ui(self._on_photo),
                                   failure=_on_ui(self._on_failure)))
        self._preview_event = Clock.schedule_interval(self._refresh_preview, 1 / PREVIEW_FPS)

    def _stop(self) -> None:
        if not self._active:
            return
        self._active = False
        capture = App.get_running_app().capture
        if capture is not None:
            capture.deactivate()
        if self._preview_event is not None:
            self._preview_event.cancel()
            self._preview_event = None
        self.ids.picture.clear()
        self._last_frame = -1

    def _refresh_preview(self, _dt: float) -> None:
        frame = App.get_running_app().capture.preview()
        if frame is not None and frame.number != self._last_frame:
            self._last_frame = frame.number
            self.ids.picture.show_frame(frame.image)

    def _on_status(self, status: LiveStatus) -> None:
        if not self._active:
            return
        self._status = status
        self._show_status(status)
        now = self.journey.now()
        if status.faces and now - self._presence_at >= PRESENCE_EVERY_S:
            self._presence_at = now
            App.get_running_app().send(ev.Touch())

    def _on_photo(self, photo: object) -> None:
        if self._active:
            self._stop()
            App.get_running_app().send(ev.PhotoTaken(photo))  # type: ignore[arg-type]
        else:
            photo.wipe()  # type: ignore[attr-defined]

    def _on_failure(self, reason: str) -> None:
        if self._active:
            App.get_running_app().send(ev.CameraFailed(reason))

    # -- what the citizen sees and hears ------------------------------------------------------

    def _show_status(self, status: LiveStatus | None) -> None:
        app = App.get_running_app()
        picture = self.ids.picture
        picture.box = list(status.box) if status and status.box else []
        picture.ready = bool(status and status.countdown)
        if status is None:
            instruction = app.t(NO_FACE)
        elif status.countdown:
            instruction = app.t(HOLD_STILL)
        else:
            instruction = app.t(status.guidance or NO_FACE)
        self.ids.instruction.text = instruction
        self.ids.countdown.text = str(status.countdown) if status and status.countdown else ""
        self._speak(status, instruction)

    def _speak(self, status: LiveStatus | None, instruction: str) -> None:
        now = self.journey.now()
        if status is not None and status.countdown:
            if self._said[0] != str(status.countdown):
                self._say(str(status.countdown), now)
            return
        if instruction != self._pending[0]:
            self._pending = (instruction, now)
            Clock.schedule_once(lambda _dt: self._say_if_still(instruction), SAY_AFTER_S)
        elif instruction != self._said[0] or now - self._said[1] >= SAY_AGAIN_S:
            self._say_if_still(instruction)

    def _say_if_still(self, instruction: str) -> None:
        if self._active and self.ids.instruction.text == instruction and self._said[0] != instruction:
            self._say(instruction, self.journey.now())

    def _say(self, text: str, now: float) -> None:
        self._said = (text, now)
        app = App.get_running_app()
        app.announcer.say_now([(text, app.language)])

    def on_leave(self, *args: object) -> None:
        self._stop()

    def clear(self) -> None:
        self._stop()
        self._said = self._pending = ("", 0.0)


def _on_ui(callback: Callable[[object], None]) -> Callable[[object], None]:
    """A callback from the capture thread, run on the UI thread (Clock is thread-safe)."""
    return lambda value: Clock.schedule_once(lambda _dt: callback(value), 0)


load_kv(__file__)
