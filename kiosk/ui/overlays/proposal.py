"""The clerk proposes an answer: the citizen sees the field and the value and decides."""

from __future__ import annotations

from kiosk.i18n import ts
from kiosk.journey.state import JourneyState, Overlay
from kiosk.ui.overlays.base import KioskOverlay
from kiosk.ui.screens.base import load_kv


class ProposalOverlay(KioskOverlay):
    overlay = Overlay.PROPOSAL

    def show(self, state: JourneyState) -> None:
        proposal = state.call.proposal if state.call is not None else None
        if proposal is None or state.service is None:
            return
        self.ids.field.text = ts(state.language, state.service.id, proposal.label)
        self.ids.value.text = ts(state.language, state.service.id, proposal.shown)


load_kv(__file__)
