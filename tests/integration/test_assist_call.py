"""AssistCall against the real back office (kiosk-backoffice serve as a subprocess, its real
signalling, login and tokens). The clerk is tests/assist_clerk.py: the real /api/login and
/ws/clerk with the session cookie, answering with a plain aiortc peer; picture and voice flow
both ways over loopback."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.assist_clerk import ScriptedClerk
from tests.backoffice_process import DEFAULT_PASSWORD, BackofficeProcess, free_port
from video_assist import loopback
from video_assist.call import (
    Answered,
    AssistCall,
    CallContext,
    CallEvent,
    Connected,
    Ended,
    Pointed,
    Proposed,
    Queued,
    Reconnecting,
)
from video_assist.media import SyntheticVideoTrack, ToneTrack

pytestmark = pytest.mark.integration

CONTEXT = CallContext(service="meldebescheinigung", service_title="Meldebescheinigung beantragen",
                      step="person", step_title="Angaben zur Person", language="de")


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory):
    with BackofficeProcess(tmp_path_factory.mktemp("assist") / "bo") as bo:
        bo.add_user("anna", display_name="Frau Schmidt")
        bo.add_user("ben", display_name="Herr Weber")
        bo.token = bo.add_terminal("rathaus-01", "Rathaus, Foyer")
        bo.start()
        yield bo


@pytest.fixture(autouse=True)
def _undo_loopback():
    yield
    loopback.restore()


class Call:
    """An AssistCall running on the test's loop, with the events it emitted."""

    def __init__(self, url: str, token: str, **options: Any) -> None:
        self.events: list[CallEvent] = []
        options = {"wait_max_s": 60.0, "connect_timeout_s": 5.0, "backoff_s": (0.1, 0.5), **options}
        self.call = AssistCall(url, token, options.pop("context", CONTEXT), camera=SyntheticVideoTrack,
                               microphone=ToneTrack, on_event=self.events.append, **options)
        self.task = asyncio.ensure_future(self.call.run())

    async def event(self, kind: type, timeout: float = 20.0, count: int = 1) -> CallEvent:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [e for e in self.events if isinstance(e, kind)]
            if len(found) >= count:
                return found[count - 1]
            if loop.time() > deadline or (self.task.done() and kind is not Ended):
                raise AssertionError(f"no {kind.__name__} (#{count}) within {timeout} s: {self.events}")
            await asyncio.sleep(0.02)

    async def ended(self, timeout: float = 20.0) -> Ended:
        return await asyncio.wait_for(asyncio.shield(self.task), timeout)

    def kinds(self) -> list[str]:
        return [type(e).__name__ for e in self.events]


def _ends_once_and_last(call: Call) -> None:
    assert [type(e) for e in call.events].count(Ended) == 1 and isinstance(call.events[-1], Ended)
    assert call.call.peer is None


def test_full_call_media_both_ways_proposal_point_share_and_the_clerk_hangs_up(backoffice):
    async def scenario():
        clerk = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await clerk.connect()
        call = Call(backoffice.url, backoffice.token)
        queued = await call.event(Queued)
        waiting = await clerk.waiting_call()
        accepted = await clerk.accept(waiting["call_id"])
        await clerk.answer(waiting["call_id"])
        answered = await call.event(Answered)
        await call.event(Connected)
        await clerk.media_until(frames=20, samples=48000 // 2)
        peer = call.call.peer
        while peer.video.frames < 20 or peer.audio.samples < 48000 // 2:
            await asyncio.sleep(0.05)
        kiosk_sees = peer.video.latest()
        call_id = waiting["call_id"]

        await clerk.send("propose", call_id=call_id, proposal_id="prop-0001", field="surname", value="Müller")
        proposed = await call.event(Proposed)
        await clerk.send("point", call_id=call_id, control="birth_date")
        pointed = await call.event(Pointed)
        assert await call.call.reply("prop-0001", True)
        reply = await clerk.next("proposal_reply", call_id=call_id)
        moved = CallContext(service="meldebescheinigung", step="review", language="de")
        assert await call.call.update(moved)
        context = await clerk.next("context", call_id=call_id)
        step = {"id": "person", "title": "Angaben zur Person",
                "fields": [{"field": "surname", "label": "Familienname"}]}
        answers = [{"field": "surname", "label": "Familienname", "value": "Müller"}]
        assert await call.call.share(step, answers)
        shared = await clerk.next("coview", call_id=call_id, shared=True)
        assert await call.call.share(None, [])
        withdrawn = await clerk.next("coview", call_id=call_id, shared=False)

        await clerk.send("hangup", call_id=call_id, reason="clerk")
        ended = await call.ended()
        await clerk.close()
        return (call, queued, waiting, accepted, answered, kiosk_sees, clerk, proposed, pointed, reply, context,
                shared, withdrawn, ended, peer)

    (call, queued, waiting, accepted, answered, kiosk_sees, clerk, proposed, pointed, reply, context, shared,
     withdrawn, ended, peer) = asyncio.run(scenario())
    assert queued == Queued(1, None, False) or (queued.position == 1 and not queued.requeued)
    assert waiting["call_id"] == call.call.call_id and waiting["context"] == CONTEXT.as_dict()
    assert accepted["terminal"] == "rathaus-01" and accepted["location"] == "Rathaus, Foyer"
    assert answered.clerk  # the clerk's name as the back office gives it
    assert clerk.video_size == (640, 480) and clerk.audio_peak > 1000  # the kiosk's picture and tone
    number, rgb = kiosk_sees
    assert rgb.shape == (240, 320, 3)  # the clerk's picture on the kiosk
    assert proposed == Proposed("prop-0001", "surname", "Müller")
    assert pointed == Pointed("birth_date")
    assert reply["accepted"] is True
    assert context["context"]["step"] == "review"
    assert shared["answers"] == [{"field": "surname", "label": "Familienname", "value": "Müller"}]
    assert withdrawn["shared"] is False and "answers" not in withdrawn
    assert ended == Ended("clerk")
    assert call.kinds()[:4] == ["Queued", "Answered", "Connected", "Proposed"]
    _ends_once_and_last(call)
    assert peer.video.latest() is None and peer.camera.readyState == "ended"  # no frame kept


def test_the_citizen_hangs_up_and_the_clerk_hears_it(backoffice):
    async def scenario():
        clerk = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await clerk.connect()
        call = Call(backoffice.url, backoffice.token)
        call_id = await clerk.take()
        await call.event(Connected)
        await call.call.hang_up("citizen")
        hangup = await clerk.next("hangup", call_id=call_id)
        ended = await call.ended()
        await clerk.close()
        return call, hangup, ended

    call, hangup, ended = asyncio.run(scenario())
    assert hangup["reason"] == "citizen"
    assert ended == Ended("citizen")
    _ends_once_and_last(call)


def test_hanging_up_while_waiting_takes_the_call_out_of_the_queue(backoffice):
    async def scenario():
        clerk = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await clerk.connect()
        call = Call(backoffice.url, backoffice.token)
        await clerk.waiting_call()
        mark = len(clerk.received)
        await call.call.hang_up("session_ended")
        ended = await call.ended()
        empty = await clerk.next("queue", after=mark, calls=[])
        await clerk.close()
        return call, ended, empty

    call, ended, empty = asyncio.run(scenario())
    assert ended == Ended("session_ended") and empty["calls"] == []
    assert call.kinds() == ["Queued", "Ended"]


def test_a_bad_token_is_rejected(backoffice):
    async def scenario():
        call = Call(backoffice.url, "not-a-token")
        return call, await call.ended()

    call, ended = asyncio.run(scenario())
    assert ended.reason == "rejected" and "401" in ended.detail
    assert call.kinds() == ["Ended"]


def test_no_back_office_is_unreachable_within_the_connect_timeout():
    async def scenario():
        started = time.monotonic()
        refused = Call(f"http://127.0.0.1:{free_port()}", "token", connect_timeout_s=2.0)
        ended_refused = await refused.ended()
        silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)  # takes the connection, says nothing
        port = silent.sockets[0].getsockname()[1]
        middle = time.monotonic()
        mute = Call(f"http://127.0.0.1:{port}", "token", connect_timeout_s=1.0)
        ended_mute = await mute.ended()
        silent.close()
        return ended_refused, middle - started, ended_mute, time.monotonic() - middle

    ended_refused, took_refused, ended_mute, took_mute = asyncio.run(scenario())
    assert ended_refused.reason == "unreachable" and took_refused < 2.0
    assert ended_mute.reason == "unreachable" and 0.9 < took_mute < 3.0
    assert "no answer within 1 s" in ended_mute.detail


def test_the_back_office_restarts_while_the_call_waits(backoffice):
    async def scenario():
        call = Call(backoffice.url, backoffice.token)
        await call.event(Queued)
        await asyncio.get_running_loop().run_in_executor(None, backoffice.restart)
        await call.event(Reconnecting)
        queued_again = await call.event(Queued, count=2)
        clerk = ScriptedClerk(backoffice.url, "ben", DEFAULT_PASSWORD)
        await clerk.connect()
        call_id = await clerk.take()
        await call.event(Connected)
        await clerk.media_until(frames=10)
        await clerk.send("hangup", call_id=call_id, reason="clerk")
        ended = await call.ended()
        await clerk.close()
        return call, call_id, queued_again, ended

    call, call_id, queued_again, ended = asyncio.run(scenario())
    assert call_id == call.call.call_id  # the same call, sent again after the reconnect
    assert not queued_again.requeued
    assert call.kinds()[:5] == ["Queued", "Reconnecting", "Queued", "Answered", "Connected"]
    assert ended == Ended("clerk")


def test_the_clerks_console_vanishes_mid_call_and_the_call_waits_again(backoffice):
    async def scenario():
        first = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await first.connect()
        call = Call(backoffice.url, backoffice.token)
        await first.take()
        await call.event(Connected)
        old_peer = call.call.peer
        await first.vanish()
        requeued = await call.event(Queued, count=2)
        peer_after = call.call.peer
        second = ScriptedClerk(backoffice.url, "ben", DEFAULT_PASSWORD)
        await second.connect()
        await second.take()
        await call.event(Connected, count=2)
        await second.media_until(frames=10)
        await call.call.hang_up()
        ended = await call.ended()
        await first.close()
        await second.close()
        return call, requeued, old_peer, peer_after, ended

    call, requeued, old_peer, peer_after, ended = asyncio.run(scenario())
    assert requeued.requeued and requeued.position == 1
    assert peer_after is None and old_peer.connection_state == "closed" and old_peer.video.latest() is None
    assert call.kinds()[:6] == ["Queued", "Answered", "Connected", "Queued", "Answered", "Connected"]
    assert ended == Ended("citizen")


def test_nobody_answers_within_the_waiting_limit(backoffice):
    async def scenario():
        clerk = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await clerk.connect()
        started = time.monotonic()
        call = Call(backoffice.url, backoffice.token, wait_max_s=1.5)
        await clerk.waiting_call()
        mark = len(clerk.received)
        ended = await call.ended()
        took = time.monotonic() - started
        gone = await clerk.next("queue", after=mark, calls=[])
        await clerk.close()
        return call, ended, took, gone

    call, ended, took, gone = asyncio.run(scenario())
    assert ended.reason == "no_clerk" and 1.4 < took < 5
    assert gone["calls"] == []  # the hangup took it out of the queue
    _ends_once_and_last(call)


def test_the_citizen_mutes_and_the_clerk_hears_silence(backoffice):
    async def scenario():
        clerk = ScriptedClerk(backoffice.url, "anna", DEFAULT_PASSWORD)
        await clerk.connect()
        call = Call(backoffice.url, backoffice.token)
        call.call.mute(True)  # before the call: the peer starts muted
        call_id = await clerk.take()
        await call.event(Connected)
        await clerk.media_until(frames=5, samples=48000)
        muted_peak = clerk.audio_peak
        call.call.mute(False)
        await asyncio.sleep(1.0)
        await clerk.media_until(frames=5, samples=48000 * 2)
        loud_peak = clerk.audio_peak
        await clerk.send("hangup", call_id=call_id, reason="clerk")
        await call.ended()
        await clerk.close()
        return muted_peak, loud_peak

    muted_peak, loud_peak = asyncio.run(scenario())
    assert muted_peak < 50 and loud_peak > 1000
