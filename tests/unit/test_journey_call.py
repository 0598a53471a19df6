"""The help call in the journey: asking, waiting, talking, sharing with consent, proposals, pointing,
and never a dead end."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.config import REPO_ROOT
from kiosk.forms.service import load_service
from kiosk.journey import events as ev
from kiosk.journey.assist import CallWhere, SharedPage
from kiosk.journey.state import CallPhase, Overlay, Stage
from tests.unit.test_journey import CANARIES, TIMING, Env, covers, make_env, to_form

RUECKRUF = load_service(REPO_ROOT / "config" / "services" / "rueckruf.yaml")


@dataclass
class RecordingAssist:
    """Records what the journey asks of the line to the clerks (the real one is kiosk/video_call.py)."""

    calls: list[tuple[str, object]] = field(default_factory=list)

    def start(self, where: CallWhere) -> None:
        self.calls.append(("start", where))

    def update(self, where: CallWhere) -> None:
        self.calls.append(("update", where))

    def share(self, page: SharedPage | None) -> None:
        self.calls.append(("share", page))

    def reply(self, proposal_id: str, accepted: bool) -> None:
        self.calls.append(("reply", (proposal_id, accepted)))

    def mute(self, muted: bool) -> None:
        self.calls.append(("mute", muted))

    def hang_up(self, reason: str) -> None:
        self.calls.append(("hang_up", reason))

    def last(self, kind: str) -> object:
        return next(value for name, value in reversed(self.calls) if name == kind)

    def kinds(self) -> list[str]:
        return [name for name, _ in self.calls]


@dataclass
class CallEnv:
    env: Env
    assist: RecordingAssist

    def send(self, event: ev.Event):  # type: ignore[no-untyped-def]
        return self.env.send(event)


@pytest.fixture
def c(tmp_path: Path):  # type: ignore[no-untyped-def]
    assist = RecordingAssist()
    environment = make_env(tmp_path, services=(RUECKRUF,), assist=assist)
    yield CallEnv(environment, assist)
    environment.outbox.close()


def call(c: CallEnv) -> None:
    c.send(ev.OpenHelp())
    c.send(ev.CallClerk())


def talking(c: CallEnv, shared: bool = False) -> None:
    to_form(c.env, "de")
    call(c)
    c.send(ev.CallQueued(1, None))
    c.send(ev.CallAnswered("Frau Schmidt"))
    if shared:
        c.send(ev.ShareForm(True))


@covers((Overlay.HELP, ev.CallClerk))
def test_help_offers_the_call_which_tells_the_clerk_where_the_citizen_is(c: CallEnv) -> None:
    to_form(c.env, "tr")
    call(c)
    s = c.env.state
    assert s.overlay is Overlay.CALL and s.call is not None and s.call.phase is CallPhase.WAITING
    where = c.assist.last("start")
    assert where == CallWhere("tr", "meldebescheinigung", c.env.service.title, s.step.id, s.step.title)


def test_the_call_can_be_asked_for_from_the_welcome_screen(c: CallEnv) -> None:
    call(c)
    assert c.assist.last("start") == CallWhere("de", None, None, "welcome", None)


def test_without_a_line_to_the_clerks_asking_changes_nothing(tmp_path: Path) -> None:
    environment = make_env(tmp_path)
    environment.send(ev.OpenHelp())
    assert environment.send(ev.CallClerk()).call is None
    environment.outbox.close()


@covers(ev.CallQueued, ev.CallReconnecting)
def test_waiting_shows_the_place_in_the_queue_and_a_broken_line(c: CallEnv) -> None:
    call(c)
    assert c.send(ev.CallQueued(3, 240)).call.position == 3
    assert c.env.state.call.wait_s == 240
    assert c.send(ev.CallReconnecting()).call.reconnecting
    assert not c.send(ev.CallQueued(2, 120)).call.reconnecting


@covers(ev.CallAnswered)
def test_a_clerk_answers(c: CallEnv) -> None:
    talking(c)
    s = c.env.state
    assert s.call.phase is CallPhase.TALKING and s.call.clerk == "Frau Schmidt" and s.overlay is Overlay.CALL
    assert not s.call.shared, "nothing is shared before the citizen agrees"
    assert "share" not in c.assist.kinds()


@covers(ev.CallEnded)
def test_no_clerk_in_time_offers_the_ways_on_and_a_clerk_hanging_up_ends(c: CallEnv) -> None:
    call(c)
    s = c.send(ev.CallEnded("no_clerk"))
    assert s.call.phase is CallPhase.UNAVAILABLE and s.call.reason == "no_clerk" and s.overlay is Overlay.CALL
    c.send(ev.CloseCall())
    talking(c)
    s = c.send(ev.CallEnded("clerk"))
    assert s.call.phase is CallPhase.ENDED and s.call.reason == "clerk"


def test_an_unreachable_back_office_offers_the_ways_on(c: CallEnv) -> None:
    call(c)
    assert c.send(ev.CallEnded("unreachable")).call.phase is CallPhase.UNAVAILABLE


@covers((Overlay.CALL, ev.HangUp), (Overlay.CALL, ev.CloseCall))
def test_the_citizen_hangs_up_and_returns_to_the_page(c: CallEnv) -> None:
    talking(c)
    s = c.send(ev.HangUp())
    assert c.assist.last("hang_up") == "citizen"
    assert s.call.phase is CallPhase.ENDED and s.call.reason == "citizen"
    s = c.send(ev.CloseCall())
    assert s.call is None and s.overlay is Overlay.NONE and s.stage is Stage.FORM


@covers((Overlay.CALL, ev.ToggleMute))
def test_mute(c: CallEnv) -> None:
    talking(c)
    assert c.send(ev.ToggleMute()).call.muted and c.assist.last("mute") is True
    assert not c.send(ev.ToggleMute()).call.muted and c.assist.last("mute") is False


@covers((Overlay.CALL, ev.ShareForm))
def test_sharing_needs_consent_sends_the_page_and_answers_and_can_be_withdrawn(c: CallEnv) -> None:
    to_form(c.env, "de")
    c.send(ev.Answer("vorname", CANARIES["vorname"]))
    call(c)
    c.send(ev.ShareForm(True))
    assert "share" not in c.assist.kinds(), "no sharing while waiting"
    c.send(ev.CallQueued(1, None))
    c.send(ev.CallAnswered("Frau Schmidt"))
    c.send(ev.ShareForm(True))
    page = c.assist.last("share")
    assert isinstance(page, SharedPage) and page.step == c.env.state.step.id
    assert ("vorname", CANARIES["vorname"]) in [(f.field, f.value) for f in page.answers]
    assert "vorname" in [f.field for f in page.fields]
    c.send(ev.ShareForm(False))
    assert c.assist.last("share") is None and not c.env.state.call.shared


def test_while_shared_every_answer_and_page_goes_to_the_clerk_and_no_more_after_the_call(c: CallEnv) -> None:
    talking(c, shared=True)
    c.send(ev.ShowForm())
    c.send(ev.Answer("familienname", CANARIES["familienname"]))
    page = c.assist.last("share")
    assert CANARIES["familienname"] in [f.value for f in page.answers]
    c.send(ev.CallEnded("clerk"))
    shares = c.assist.kinds().count("share")
    c.send(ev.CloseCall())
    c.send(ev.Answer("vorname", "Nachher"))
    assert c.assist.kinds().count("share") == shares, "consent ends with the call"


@covers((Overlay.CALL, ev.ShowForm), ev.ShowCall, (Overlay.HELP, ev.ShowCall), ev.HangUp)
def test_the_page_can_be_used_during_the_call_and_the_call_brought_back(c: CallEnv) -> None:
    talking(c)
    s = c.send(ev.ShowForm())
    assert s.overlay is Overlay.NONE and s.call.phase is CallPhase.TALKING
    assert c.send(ev.ShowCall()).overlay is Overlay.CALL
    c.send(ev.ShowForm())
    c.send(ev.OpenHelp())
    assert c.send(ev.ShowCall()).overlay is Overlay.CALL
    c.send(ev.ShowForm())
    assert c.send(ev.HangUp()).call.phase is CallPhase.ENDED


def test_moving_on_tells_the_clerk_the_new_step(c: CallEnv) -> None:
    talking(c)
    c.send(ev.ShowForm())
    for path, value in CANARIES.items():
        if path in [f.path for f in c.env.journey._shown(c.env.state)]:
            c.send(ev.Answer(path, value))
    c.send(ev.Next())
    assert c.assist.last("update").step == c.env.state.step.id


@covers((Overlay.CALL, ev.KeepWaiting))
def test_keep_waiting_asks_again(c: CallEnv) -> None:
    call(c)
    c.send(ev.CallEnded("no_clerk"))
    s = c.send(ev.KeepWaiting())
    assert s.call.phase is CallPhase.WAITING and c.assist.kinds().count("start") == 2


@covers((Overlay.CALL, ev.RequestCallback))
def test_a_call_back_can_be_asked_for_instead(c: CallEnv) -> None:
    call(c)
    c.send(ev.CallEnded("unreachable"))
    s = c.send(ev.RequestCallback())
    assert s.stage is Stage.FORM and s.service.id == "rueckruf" and s.call is None and s.overlay is Overlay.NONE
    assert c.env.journey.session is not None


@covers(ev.PointedAt)
def test_the_clerk_points_at_a_field_only_when_shared_and_on_the_page(c: CallEnv) -> None:
    talking(c)
    assert c.send(ev.PointedAt("vorname")).call.pointing is None, "not shared: no pointing"
    c.send(ev.ShareForm(True))
    s = c.send(ev.PointedAt("vorname"))
    assert s.call.pointing == "vorname" and s.overlay is Overlay.NONE, "the page comes to the front"
    assert c.send(ev.PointedAt("no.such.field")).call.pointing == "vorname"


@covers(ev.ValueProposed, (Overlay.PROPOSAL, ev.AcceptProposal))
def test_a_proposed_value_is_taken_only_when_the_citizen_confirms(c: CallEnv) -> None:
    talking(c, shared=True)
    s = c.send(ev.ValueProposed("p-00000001", "vorname", "Erika"))
    assert s.overlay is Overlay.PROPOSAL and s.call.proposal.value == "Erika"
    assert c.env.journey.answer("vorname") == "", "not before the citizen agrees"
    s = c.send(ev.AcceptProposal())
    assert c.env.journey.answer("vorname") == "Erika" and c.assist.last("reply") == ("p-00000001", True)
    assert s.overlay is Overlay.NONE and s.call.proposal is None
    assert "Erika" in [f.value for f in c.assist.last("share").answers], "the clerk sees it taken"


@covers((Overlay.PROPOSAL, ev.DeclineProposal))
def test_a_declined_proposal_changes_nothing(c: CallEnv) -> None:
    talking(c, shared=True)
    c.send(ev.ValueProposed("p-00000002", "vorname", "Erika"))
    c.send(ev.DeclineProposal())
    assert c.env.journey.answer("vorname") == "" and c.assist.last("reply") == ("p-00000002", False)


def test_a_choice_may_be_proposed_by_its_label(c: CallEnv) -> None:
    talking(c, shared=True)
    c.send(ev.ShowForm())
    for path, value in CANARIES.items():
        if path in [f.path for f in c.env.journey._shown(c.env.state)]:
            c.send(ev.Answer(path, value))
    while "zweck" not in [f.path for f in c.env.journey._shown(c.env.state)]:
        c.send(ev.Next())
        for path, value in CANARIES.items():
            if path in [f.path for f in c.env.journey._shown(c.env.state)] and path != "zweck":
                c.send(ev.Answer(path, value))
    label = c.env.service.field("zweck").choices[0]
    s = c.send(ev.ValueProposed("p-00000003", "zweck", label.label))
    assert s.call.proposal.shown == label.label
    c.send(ev.AcceptProposal())
    assert c.env.journey.answer("zweck") == label.value


@pytest.mark.parametrize("field_id, value", [("no.such.field", "x"), ("vorname", "x" * 5000)])
def test_a_proposal_that_cannot_be_taken_is_declined_at_once(c: CallEnv, field_id: str, value: str) -> None:
    talking(c, shared=True)
    s = c.send(ev.ValueProposed("p-00000004", field_id, value))
    assert s.overlay is Overlay.CALL and c.assist.last("reply") == ("p-00000004", False)


def test_a_proposal_without_consent_is_declined(c: CallEnv) -> None:
    talking(c)
    c.send(ev.ValueProposed("p-00000005", "vorname", "Erika"))
    assert c.assist.last("reply") == ("p-00000005", False) and c.env.state.overlay is Overlay.CALL


def test_waiting_or_talking_is_not_walking_away(c: CallEnv) -> None:
    talking(c)
    c.env.tick(TIMING.inactivity_s + TIMING.prompt_s + 60)
    assert c.env.state.stage is Stage.FORM and c.env.state.overlay is Overlay.CALL


def test_ending_the_session_hangs_up(c: CallEnv) -> None:
    talking(c)
    c.send(ev.ShowForm())
    c.send(ev.Cancel())
    s = c.send(ev.ConfirmCancel())
    assert s.stage is Stage.WELCOME and s.call is None
    assert c.assist.last("hang_up") == "session_ended"
    assert c.env.wipes, "the session was wiped"


def test_a_clerk_going_away_puts_the_citizen_first_in_line_and_ends_sharing(c: CallEnv) -> None:
    talking(c, shared=True)
    c.send(ev.ShowForm())
    s = c.send(ev.CallQueued(1, None, requeued=True))
    assert s.call.phase is CallPhase.WAITING and s.call.requeued and not s.call.shared
    assert s.overlay is Overlay.CALL


def test_proposed_values_never_reach_the_log(c: CallEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    talking(c, shared=True)
    c.send(ev.ValueProposed("p-00000006", "vorname", CANARIES["vorname"]))
    c.send(ev.AcceptProposal())
    c.send(ev.PointedAt("no.such.field"))
    assert CANARIES["vorname"] not in caplog.text
