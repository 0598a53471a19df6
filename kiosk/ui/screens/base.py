"""What every screen shares: it belongs to one journey stage and redraws from the journey state."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.screenmanager import Screen

from kiosk.journey.state import JourneyState, PhotoPhase, Stage


class KioskScreen(Screen):
    stage: Stage
    key: object = None  # what the app finds it by when a stage has more than one screen

    @classmethod
    def screen_key(cls) -> object:
        return cls.key if cls.key is not None else cls.stage

    def show(self, state: JourneyState) -> None:
        """Bring the screen up to date with the journey state (called on every change)."""

    def clear(self) -> None:
        """Forget anything the citizen entered (called when a session ends)."""

    @property
    def journey(self):  # type: ignore[no-untyped-def]
        return App.get_running_app().journey


def screen_key(state: JourneyState) -> object:
    """Which screen shows this state: the stage's own, or on a photo step the camera or the
    photo taken."""
    if state.photo in (PhotoPhase.CAPTURE, PhotoPhase.UNAVAILABLE):
        return PhotoPhase.CAPTURE
    if state.photo in (PhotoPhase.REVIEW, PhotoPhase.ACCEPTED):
        return PhotoPhase.REVIEW
    return state.stage


def load_kv(module_file: str) -> None:
    """Each screen is one .py and one .kv of the same name."""
    Builder.load_file(str(Path(module_file).with_suffix(".kv")))
