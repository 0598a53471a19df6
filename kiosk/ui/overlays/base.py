"""Overlays sit above the current screen, which stays as it was underneath."""

from __future__ import annotations

from kivy.uix.modalview import ModalView

from kiosk.journey.state import JourneyState, Overlay


class KioskOverlay(ModalView):
    overlay: Overlay

    def __init__(self, **kwargs: object) -> None:
        # Only the journey closes an overlay; a tap beside it must not lose the question.
        super().__init__(auto_dismiss=False, **kwargs)

    def show(self, state: JourneyState) -> None:
        """Bring the overlay up to date (called on every change while it is open)."""
