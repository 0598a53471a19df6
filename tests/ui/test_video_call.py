"""The help call in the real window: the kiosk (its real aiortc peer on the network loop) calls the
real back office (a subprocess), where a scripted clerk (aiortc, the real /ws/clerk with a login
session) answers. What the citizen sees, hears and decides is checked on screen."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kiosk.config import AssistConfig
from kiosk.i18n import tr
from tests.assist_clerk import ScriptedClerk
from tests.backoffice_process import BackofficeProcess
from tests.ui.conftest import Kiosk
from tests.ui.test_screens import start
from video_assist.network import NetworkLoop

# usefixtures: the kiosk fixture sees assist_settings and gives the terminal its line to the clerks
pytestmark = [pytest.mark.ui, pytest.mark.integration, pytest.mark.usefixtures("assist_settings")]
PASSWORD = "a long clerk password"
CALL_WAIT_S = 45.0  # connecting, ICE on loopback and the first picture take about a second (more under CI load)


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackofficeProcess, str]]:
    bo = BackofficeProcess(tmp_path_factory.mktemp("backoffice") / "data")
    bo.add_user("schmidt", password=PASSWORD, display_name="Frau Schmidt")
    token = bo.add_terminal("demo-01")
    bo.start()
    yield bo, token
    bo.stop()


@pytest.fixture
def assist_settings(backoffice: tuple[BackofficeProcess, str], tmp_path: Path) -> AssistConfig:
    bo, token = backoffice
    token_file = tmp_path / "assist-token"
    token_file.write_text(token + "\n", encoding="utf-8")
    return AssistConfig(server=bo.url, token_file=token_file, microphone="tone", speaker="none",
                        wait_max_s=120, connect_timeout_s=5.0)


@pytest.fixture
def clerk(backoffice: tuple[BackofficeProcess, str]) -> Iterator[tuple[NetworkLoop, ScriptedClerk]]:
    loop = NetworkLoop("clerk")
    scripted = ScriptedClerk(backoffice[0].url, "schmidt", PASSWORD)
    loop.submit(scripted.connect()).result(10)
    yield loop, scripted
    loop.submit(scripted.close()).result(10)
    loop.stop()


def run(clerk: tuple[NetworkLoop, ScriptedClerk], kiosk: Kiosk, step, timeout_s: float = CALL_WAIT_S):  # type: ignore[no-untyped-def]
    """Run a clerk coroutine while the kiosk's window keeps drawing (its events arrive by Clock)."""
    future = clerk[0].submit(step)
    kiosk.wait_until(future.done, timeout_s=timeout_s, what="the clerk")
    return future.result()


def call_from_help(kiosk: Kiosk) -> None:
    kiosk.tap(kiosk.button(tr("de", "Help")))
    kiosk.tap(kiosk.button(tr("de", "Talk to a clerk (video call)")))


def test_a_call_from_a_form_page_with_consent_proposal_pointing_and_hang_up(
        kiosk: Kiosk, clerk: tuple[NetworkLoop, ScriptedClerk]) -> None:
    _, scripted = clerk
    start(kiosk)
    call_from_help(kiosk)
    kiosk.expect(tr("de", "Connecting you to a clerk"))
    kiosk.expect(tr("de", "You are number {position} in the queue.", position=1), timeout_s=CALL_WAIT_S)
    kiosk.screenshot("call-waiting")
    waiting = run(clerk, kiosk, scripted.waiting_call())
    assert waiting["context"]["step"] == kiosk.state.step.id, "the clerk sees the step in the queue"
    assert waiting["terminal"] == "demo-01"
    run(clerk, kiosk, scripted.accept(waiting["call_id"]))
    run(clerk, kiosk, scripted.answer(waiting["call_id"]))
    kiosk.expect(tr("de", "You are talking to {name}", name="Frau Schmidt"), timeout_s=CALL_WAIT_S)
    picture = kiosk.overlay().ids.clerk_picture
    kiosk.wait_until(lambda: picture.texture is not None, timeout_s=CALL_WAIT_S, what="the clerk's picture")
    run(clerk, kiosk, scripted.media_until(frames=10, samples=4800))
    assert scripted.video_frames >= 10 and scripted.audio_samples >= 4800, "the clerk sees and hears the kiosk"
    kiosk.screenshot("call-talking")

    mark = len(scripted.received)
    kiosk.tap(kiosk.button(tr("de", "Show my page to the clerk")))
    shared = run(clerk, kiosk, scripted.next("coview", after=mark, shared=True))
    assert shared["step"]["id"] == kiosk.state.step.id
    field = shared["step"]["fields"][0]["field"]

    call_id = waiting["call_id"]
    mark = len(scripted.received)
    run(clerk, kiosk, scripted.send("propose", call_id=call_id, proposal_id="proposal-1", field=field, value="Erika"))
    kiosk.expect(tr("de", "The clerk suggests an answer"))
    kiosk.expect("Erika")
    kiosk.screenshot("call-proposal")
    kiosk.tap(kiosk.button(tr("de", "Yes, take it")))
    reply = run(clerk, kiosk, scripted.next("proposal_reply", after=mark))
    assert reply["accepted"] is True
    kiosk.wait_until(lambda: kiosk.field_texts().get(field) == "Erika", what="the proposed value in the field")

    run(clerk, kiosk, scripted.send("point", call_id=call_id, control=field))
    kiosk.expect(tr("de", "The clerk is pointing here"))
    kiosk.expect(tr("de", "In a call with {name}", name="Frau Schmidt"))
    kiosk.screenshot("call-pointing")

    run(clerk, kiosk, scripted.send("hangup", call_id=call_id, reason="clerk"))
    kiosk.expect(tr("de", "The call has ended"), timeout_s=CALL_WAIT_S)
    kiosk.tap(kiosk.button(tr("de", "Back to where I was")))
    kiosk.wait_until(lambda: kiosk.state.call is None and kiosk.overlay() is None, what="the page again")
    assert kiosk.field_texts().get(field) == "Erika", "the page kept what was taken during the call"


def test_the_citizen_hangs_up_and_the_clerk_is_told(kiosk: Kiosk, clerk: tuple[NetworkLoop, ScriptedClerk]) -> None:
    _, scripted = clerk
    start(kiosk)
    call_from_help(kiosk)
    call_id = run(clerk, kiosk, scripted.take())
    kiosk.expect(tr("de", "You are talking to {name}", name="Frau Schmidt"), timeout_s=CALL_WAIT_S)
    kiosk.tap(kiosk.button(tr("de", "End call")))
    ended = run(clerk, kiosk, scripted.next("hangup", call_id=call_id))
    assert ended["reason"] == "citizen"
    kiosk.expect(tr("de", "The call has ended"))
