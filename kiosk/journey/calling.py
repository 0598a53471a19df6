"""The journey's help-call transitions: asking for a clerk, waiting, talking, sharing, ending.

The call sits above the stage (JourneyState.call). It never ends in a dead end: a call that
cannot be made offers to wait on, to be called back, or to go on alone. Sharing the page with the
clerk needs the citizen's consent on screen and ends with the call.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.journey import events as ev
from kiosk.journey.assist import page_fields, proposed_answer, shared_page, shown, where
from kiosk.journey.state import CallPhase, CallState, JourneyState, Overlay, Proposal

if TYPE_CHECKING:
    from kiosk.journey.machine import Journey

log = logging.getLogger(__name__)
CALLBACK_SERVICE = "rueckruf"
UNREACHED = ("unreachable", "rejected", "no_clerk", "error")  # no clerk was reached: offer the ways on


def call_clerk(j: Journey, s: JourneyState, e: ev.CallClerk) -> JourneyState:
    if j.assist is None or (s.call is not None and s.call.active):
        return replace(s, overlay=Overlay.CALL) if s.call is not None else s
    j.assist.start(where(s))
    return replace(s, overlay=Overlay.CALL, call=CallState())


def queued(j: Journey, s: JourneyState, e: ev.CallQueued) -> JourneyState:
    if s.call is None or not s.call.active:
        return s
    return replace(s, call=replace(s.call, phase=CallPhase.WAITING, position=e.position, wait_s=e.wait_s,
                                   requeued=e.requeued, reconnecting=False, shared=False, pointing=None,
                                   proposal=None, clerk=""),
                   overlay=Overlay.CALL if s.call.phase is CallPhase.TALKING else s.overlay)


def reconnecting(j: Journey, s: JourneyState, e: ev.CallReconnecting) -> JourneyState:
    return replace(s, call=replace(s.call, reconnecting=True)) if s.call is not None and s.call.active else s


def answered(j: Journey, s: JourneyState, e: ev.CallAnswered) -> JourneyState:
    if s.call is None or s.call.phase is not CallPhase.WAITING:
        return s
    return replace(s, call=replace(s.call, phase=CallPhase.TALKING, clerk=e.clerk, reconnecting=False),
                   overlay=Overlay.CALL if s.overlay in (Overlay.NONE, Overlay.HELP) else s.overlay)


def ended(j: Journey, s: JourneyState, e: ev.CallEnded) -> JourneyState:
    if s.call is None or not s.call.active:
        return s
    talked = s.call.phase is CallPhase.TALKING
    phase = CallPhase.UNAVAILABLE if e.reason in UNREACHED and not talked else CallPhase.ENDED
    overlay = Overlay.CALL if s.overlay in (Overlay.NONE, Overlay.CALL, Overlay.PROPOSAL, Overlay.HELP) else s.overlay
    return replace(s, overlay=overlay, call=CallState(phase=phase, reason=e.reason, clerk=s.call.clerk))


def hang_up(j: Journey, s: JourneyState, e: ev.HangUp) -> JourneyState:
    if s.call is None or not s.call.active:
        return s
    j.assist.hang_up("citizen")
    return replace(s, overlay=Overlay.CALL, call=CallState(phase=CallPhase.ENDED, reason="citizen",
                                                           clerk=s.call.clerk))


def close_call(j: Journey, s: JourneyState, e: ev.CloseCall) -> JourneyState:
    if s.call is not None and s.call.active:
        return replace(s, overlay=Overlay.NONE)  # the call goes on, shown small beside the page
    return replace(s, overlay=Overlay.NONE, call=None)


def keep_waiting(j: Journey, s: JourneyState, e: ev.KeepWaiting) -> JourneyState:
    if s.call is None or s.call.active:
        return s
    return call_clerk(j, replace(s, call=None), ev.CallClerk())


def request_callback(j: Journey, s: JourneyState, e: ev.RequestCallback) -> JourneyState:
    """The Rückruf service, in the citizen's language; a service begun stays in the session's
    history only as far as the citizen had got (its answers are not sent)."""
    if CALLBACK_SERVICE not in j.services:
        return replace(s, overlay=Overlay.NONE, call=None)
    if j.session is None:
        s = j.begin()
    return j.choose_service(replace(s, overlay=Overlay.NONE, call=None), CALLBACK_SERVICE)


def toggle_mute(j: Journey, s: JourneyState, e: ev.ToggleMute) -> JourneyState:
    if s.call is None or s.call.phase is not CallPhase.TALKING:
        return s
    j.assist.mute(not s.call.muted)
    return replace(s, call=replace(s.call, muted=not s.call.muted))


def share_form(j: Journey, s: JourneyState, e: ev.ShareForm) -> JourneyState:
    if s.call is None or s.call.phase is not CallPhase.TALKING or s.call.shared is e.shared:
        return s
    j.assist.share(shared_page(s, j.answers()) if e.shared else None)
    return replace(s, call=replace(s.call, shared=e.shared, pointing=None, proposal=None))


def show_form(j: Journey, s: JourneyState, e: ev.ShowForm) -> JourneyState:
    return replace(s, overlay=Overlay.NONE) if s.call is not None else s


def show_call(j: Journey, s: JourneyState, e: ev.ShowCall) -> JourneyState:
    return replace(s, overlay=Overlay.CALL) if s.call is not None else s


def pointed_at(j: Journey, s: JourneyState, e: ev.PointedAt) -> JourneyState:
    """The clerk points at a field of the page: the page comes to the front with it highlighted."""
    if not _sharing(s) or e.control not in {f.path for f in page_fields(s, j.answers())}:
        log.info("pointing ignored: not shared or not on the page")
        return s
    overlay = Overlay.NONE if s.overlay is Overlay.CALL else s.overlay
    return replace(s, overlay=overlay, call=replace(s.call, pointing=e.control))


def value_proposed(j: Journey, s: JourneyState, e: ev.ValueProposed) -> JourneyState:
    """Asked on screen; a proposal the citizen cannot take (not shared, not on the page, not a value
    the field can hold, another question open) is declined at once."""
    field = next((f for f in page_fields(s, j.answers()) if f.path == e.field), None)
    answer = proposed_answer(field, e.value) if field is not None else None
    if not _sharing(s) or answer is None or s.overlay not in (Overlay.NONE, Overlay.CALL):
        j.assist.reply(e.proposal_id, False)
        return s
    proposal = Proposal(e.proposal_id, e.field, field.label, e.value, shown(field, answer))
    return replace(s, overlay=Overlay.PROPOSAL, call=replace(s.call, proposal=proposal, pointing=e.field))


def accept_proposal(j: Journey, s: JourneyState, e: ev.AcceptProposal) -> JourneyState:
    proposal = s.call.proposal if s.call is not None else None
    if proposal is None:
        return replace(s, overlay=Overlay.NONE)
    field = next(f for f in page_fields(s, j.answers()) if f.path == proposal.field)
    s = j.take_answer(s, ev.Answer(proposal.field, proposed_answer(field, proposal.value)))  # type: ignore[arg-type]
    j.assist.reply(proposal.id, True)
    return replace(s, overlay=Overlay.NONE, call=replace(s.call, proposal=None))


def decline_proposal(j: Journey, s: JourneyState, e: ev.DeclineProposal) -> JourneyState:
    if s.call is not None and s.call.proposal is not None:
        j.assist.reply(s.call.proposal.id, False)
        s = replace(s, call=replace(s.call, proposal=None))
    return replace(s, overlay=Overlay.NONE)


def follow(j: Journey, old: JourneyState, new: JourneyState, event: ev.Event) -> JourneyState:
    """After every transition: keep the clerk's view in step with the citizen's, and end a call
    whose session ended (a state made afresh has no call)."""
    if j.assist is None or old.call is None or not old.call.active:
        return new
    if new.call is None:
        j.assist.hang_up("session_ended")
        return new
    moved = (old.stage, old.step_index, old.service) != (new.stage, new.step_index, new.service)
    if moved:
        j.assist.update(where(new))
        new = replace(new, call=replace(new.call, pointing=None))
    if new.call.shared and new.call.phase is CallPhase.TALKING and (moved or isinstance(event, (ev.Answer, ev.AcceptProposal))):
        j.assist.share(shared_page(new, j.answers()))
    return new


def _sharing(s: JourneyState) -> bool:
    return s.call is not None and s.call.phase is CallPhase.TALKING and s.call.shared


HANDLERS = {
    ev.CallQueued: queued,
    ev.CallReconnecting: reconnecting,
    ev.CallAnswered: answered,
    ev.CallEnded: ended,
    ev.ValueProposed: value_proposed,
    ev.PointedAt: pointed_at,
}
"""Arrive from the back office: handled whatever is shown."""

OVERLAY_HANDLERS = {
    (Overlay.HELP, ev.CallClerk): call_clerk,
    (Overlay.CALL, ev.HangUp): hang_up,
    (Overlay.CALL, ev.ToggleMute): toggle_mute,
    (Overlay.CALL, ev.ShareForm): share_form,
    (Overlay.CALL, ev.ShowForm): show_form,
    (Overlay.CALL, ev.CloseCall): close_call,
    (Overlay.CALL, ev.KeepWaiting): keep_waiting,
    (Overlay.CALL, ev.RequestCallback): request_callback,
    (Overlay.PROPOSAL, ev.AcceptProposal): accept_proposal,
    (Overlay.PROPOSAL, ev.DeclineProposal): decline_proposal,
}

ANYWHERE = {
    ev.ShowCall: show_call,  # from the small call window beside the page
    ev.HangUp: hang_up,
}
