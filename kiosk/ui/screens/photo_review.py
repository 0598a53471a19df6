"""The photo just taken, as the office will get it, with every check in plain words: keep it,
take it again (as often as the terminal allows), or go on without one. Once kept: its
retrieval code, which is also printed on the receipt."""

from __future__ import annotations

import cv2
import numpy as np
from kivy.app import App
from kivy.graphics.texture import Texture

from kiosk.i18n import ts
from kiosk.journey.state import JourneyState, PhotoPhase, Stage
from kiosk.photo.captured import CapturedPhoto
from kiosk.photo.guidance import label
from kiosk.ui.screens.base import KioskScreen, load_kv
from kiosk.ui.widgets import Text, held, show_only

PASSED, FAILED = "✓  ", "✗  "


class PhotoReviewScreen(KioskScreen):
    stage = Stage.FORM
    key = PhotoPhase.REVIEW

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] | None = None
        self._choices = held(self.ids, "back", "retake", "without", "keep", "next")

    def show(self, state: JourneyState) -> None:
        if state.photo not in (PhotoPhase.REVIEW, PhotoPhase.ACCEPTED):
            return
        photo, code = self.journey.photo()
        key = (id(photo), code, state.language, state.retakes_left)
        if key == self._shown or photo is None:
            return
        self._shown = key
        app, service = App.get_running_app(), state.service
        assert service is not None
        self.ids.bar.title = ts(state.language, service.id, service.title)
        self.ids.image.texture = _texture(photo)
        self._show_checks(photo)
        kept = state.photo is PhotoPhase.ACCEPTED
        self.ids.title.text = app.t("Your photo is saved.") if kept else \
            app.t("Your photo meets the rules.") if photo.compliant else app.t("Your photo does not meet every rule yet.")
        self.ids.instruction.text = self._instruction(state, photo, code)
        self.ids.code.text = code or ""
        self._buttons(state, photo)

    def _instruction(self, state: JourneyState, photo: CapturedPhoto, code: str | None) -> str:
        app = App.get_running_app()
        if code:
            return app.t("Your photo retrieval code is also printed on your receipt. The office fetches your photo with it.")
        size = "" if (photo.width, photo.height) >= (827, 1063) else " " + app.t(
            "The photo is {width} × {height} pixels (827 × 1063 are recommended).", width=photo.width, height=photo.height)
        if photo.compliant:
            return app.t("Do you want to keep this photo?") + size
        advice = "".join(" " + app.t(text) for text in photo.advice[:2])  # the two that matter most
        if state.retakes_left:
            return app.t("Please take the photo again. You can take {count} more.",
                         count=state.retakes_left) + advice + size
        return app.t("The photo cannot be used. Please go on: the office will take your photo when you apply.") + size

    def _show_checks(self, photo: CapturedPhoto) -> None:
        app = App.get_running_app()
        checks = self.ids.checks
        checks.clear_widgets()
        # What failed first: that is what the citizen can change.
        for verdict in sorted(photo.verdicts, key=lambda v: v.passed):
            line = Text(text=(PASSED if verdict.passed else FAILED) + label(verdict.name, app.language),
                        color=app.theme.text if verdict.passed else app.theme.error, bold=not verdict.passed)
            checks.add_widget(line)

    def _buttons(self, state: JourneyState, photo: CapturedPhoto) -> None:
        """Back, and what can be done with this photo: only those buttons are in the row."""
        kept = state.photo is PhotoPhase.ACCEPTED
        wanted = {"back": True,
                  "retake": not kept and state.retakes_left > 0,
                  "without": not kept and not photo.compliant and state.retakes_left == 0,
                  "keep": not kept and photo.compliant,
                  "next": kept}
        show_only(self.ids.buttons, [self._choices[name] for name, shown in wanted.items() if shown])

    def clear(self) -> None:
        self._shown = None
        self.ids.image.texture = None
        self.ids.checks.clear_widgets()
        self.ids.code.text = ""


def _texture(photo: CapturedPhoto) -> Texture:
    image = cv2.imdecode(np.frombuffer(bytes(photo.jpeg), np.uint8), cv2.IMREAD_COLOR)
    texture = Texture.create(size=(image.shape[1], image.shape[0]), colorfmt="bgr")
    texture.flip_vertical()
    texture.blit_buffer(image.tobytes(), colorfmt="bgr", bufferfmt="ubyte")
    return texture


load_kv(__file__)
