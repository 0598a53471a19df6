"""Turns the journey's state changes into usage counts (see store.py for what is kept)."""

from __future__ import annotations

from typing import Callable

from kiosk.journey.machine import Journey
from kiosk.journey.state import JourneyState, Overlay, Stage
from kiosk.usage.store import UsageStore

NO_SERVICE = "-"  # help opened, or a session left, before any service was chosen


def place_of(state: JourneyState) -> str:
    """Where a citizen is, in words an operator understands: a stage, or a form page."""
    if state.stage is Stage.FORM and state.service is not None:
        return f"form:{state.service.steps[state.step_index].id}"
    return state.stage.name.lower()


class UsageRecorder:
    def __init__(self, store: UsageStore, journey: Journey, clock: Callable[[], float]) -> None:
        self._store, self._journey, self._clock = store, journey, clock
        self._service: str | None = None
        self._started_at = 0.0
        self._completed = False
        self._overlay = Overlay.NONE
        journey.subscribe(self._on_state)
        journey.on_wipe(self._on_wipe)

    def _on_state(self, state: JourneyState) -> None:
        service_id = state.service.id if state.service is not None else None
        if service_id is not None and service_id != self._service and state.stage is Stage.FORM:
            if self._service is not None:  # went back and chose another service
                self._store.count(self._service, "abandoned", "catalogue")
            self._service, self._started_at, self._completed = service_id, self._clock(), False
            self._store.count(service_id, "started")
        if state.overlay is Overlay.HELP and self._overlay is not Overlay.HELP:
            self._store.count(self._service or NO_SERVICE, "help", place_of(state))
        self._overlay = state.overlay
        if state.stage is Stage.RECEIPT and self._service is not None and not self._completed:
            self._completed = True
            self._store.count(self._service, "completed")
            self._store.duration(self._service, self._clock() - self._started_at)

    def _on_wipe(self) -> None:
        # Called before the journey leaves the state the session ended in.
        if not self._completed:
            self._store.count(self._service or NO_SERVICE, "abandoned", place_of(self._journey.state))
        self._service, self._completed = None, False
