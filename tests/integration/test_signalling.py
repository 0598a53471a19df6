"""The signalling server over real WebSockets: a real aiohttp server on a loopback port with
`signalling.setup`, real aiohttp WebSocket clients. Authentication is stubbed here (a token
table and a header naming the clerk); the e2e tests run it inside the real back office.

Every message a client receives is checked against `messages.TO_TERMINAL` / `TO_CLERK`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web

from video_assist import messages, signalling
from video_assist.parties import Clerk, Terminal

pytestmark = pytest.mark.integration

ICE = [{"urls": ["stun:stun.example.org:3478"]}]
TERMINALS = {"tok-1": Terminal("t-1", "Rathaus, Foyer"), "tok-2": Terminal("t-2", "Bürgerbüro Nord"),
             "tok-3": Terminal("t-3", "Bibliothek")}
CONTEXT = {"service": "meldebescheinigung", "service_title": "Meldebescheinigung", "step": "person",
           "step_title": "Angaben zur Person", "language": "tr", "needs": ["large_text"]}
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"


@dataclass(frozen=True)
class NamedClerk(Clerk):
    display_name: str = ""


CLERKS = {"anna": NamedClerk("anna", "clerk", "Anna Schmidt"), "bernd": NamedClerk("bernd", "clerk", "Bernd Roth"),
          "olaf": NamedClerk("olaf", "operator", "Olaf Op")}


async def terminal_auth(request: web.Request) -> Terminal | None:
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return TERMINALS.get(token) if kind == "Bearer" else None


async def clerk_auth(request: web.Request) -> Clerk | None:
    return CLERKS.get(request.headers.get("X-Test-Clerk", ""))


@contextlib.asynccontextmanager
async def server(grace: float = 5.0) -> AsyncIterator[str]:
    app = web.Application()
    signalling.setup(app, terminal_auth=terminal_auth, clerk_auth=clerk_auth, ice_servers=ICE,
                     reconnect_grace_s=grace)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def run(test: Callable[..., Awaitable[None]], **server_options: Any) -> None:
    async def main() -> None:
        async with server(**server_options) as url, aiohttp.ClientSession() as session:
            await asyncio.wait_for(test(url, session), 20)
    asyncio.run(main())


class Party:
    """One WebSocket client; `recv` returns the next message, validated against the TO_* table."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, table: dict[str, dict[str, Any]]) -> None:
        self.ws, self.table = ws, table

    async def send(self, kind: str, **fields: Any) -> None:
        await self.ws.send_json(messages.message(kind, **fields))

    async def recv(self, kind: str | None = None, timeout: float = 3) -> dict[str, Any]:
        """The next message (skipping `queue` refreshes unless `kind` is "queue")."""
        while True:
            frame = await self.ws.receive(timeout)
            assert frame.type == aiohttp.WSMsgType.TEXT, frame
            msg = messages.check(json.loads(frame.data), self.table)
            if msg["type"] == "queue" and kind != "queue":
                continue
            if kind is not None:
                assert msg["type"] == kind, msg
            return msg

    async def nothing(self, timeout: float = 0.3, ignore: tuple[str, ...] = ("queue",)) -> None:
        """No message (other than `ignore`d ones) within `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (left := deadline - loop.time()) > 0:
            try:
                frame = await self.ws.receive(left)
            except asyncio.TimeoutError:
                return
            msg = json.loads(frame.data)
            assert msg["type"] in ignore, msg

    async def error(self, code: str) -> dict[str, Any]:
        msg = await self.recv("error")
        assert msg["code"] == code, msg
        return msg


async def terminal(url: str, session: aiohttp.ClientSession, token: str = "tok-1") -> Party:
    ws = await session.ws_connect(url + "/ws/terminal", headers={"Authorization": f"Bearer {token}"})
    return Party(ws, messages.TO_TERMINAL)


async def clerk(url: str, session: aiohttp.ClientSession, name: str = "anna") -> Party:
    ws = await session.ws_connect(url + "/ws/clerk", headers={"X-Test-Clerk": name})
    party = Party(ws, messages.TO_CLERK)
    return party


def new_id() -> str:
    return str(uuid.uuid4())


async def calling(url: str, session: aiohttp.ClientSession, token: str = "tok-1",
                  call_id: str | None = None) -> tuple[Party, str, dict[str, Any]]:
    t = await terminal(url, session, token)
    call_id = call_id or new_id()
    await t.send("call", call_id=call_id, context=CONTEXT)
    return t, call_id, await t.recv("queued")


async def in_call(url: str, session: aiohttp.ClientSession) -> tuple[Party, Party, str]:
    t, call_id, _ = await calling(url, session)
    c = await clerk(url, session)
    await c.recv("queue")
    await c.send("accept", call_id=call_id)
    await c.recv("accepted")
    await t.recv("accepted")
    return t, c, call_id


async def queue_of(c: Party) -> list[dict[str, Any]]:
    return (await c.recv("queue"))["calls"]


# --- the whole call ---------------------------------------------------------------------------


def test_full_call_both_hangup_directions() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        c = await clerk(url, session)
        assert await queue_of(c) == []
        t, call_id, queued = await calling(url, session)
        assert queued["position"] == 1 and queued["expected_wait_s"] is None and queued["ice_servers"] == ICE
        waiting = await queue_of(c)
        assert [(w["call_id"], w["terminal"], w["location"], w["context"]) for w in waiting] == \
            [(call_id, "t-1", "Rathaus, Foyer", CONTEXT)]

        # a waiting terminal's context reaches the clerks' queue
        moved = {**CONTEXT, "step": "address", "step_title": "Anschrift"}
        await t.send("context", call_id=call_id, context=moved)
        assert (await queue_of(c))[0]["context"] == moved

        await c.send("accept", call_id=call_id)
        accepted = await c.recv("accepted")
        assert (accepted["terminal"], accepted["location"], accepted["context"], accepted["ice_servers"]) == \
            ("t-1", "Rathaus, Foyer", moved, ICE)
        assert await queue_of(c) == []
        assert (await t.recv("accepted"))["clerk"] == "Anna Schmidt"

        await t.send("offer", call_id=call_id, sdp=SDP + "a=offer\r\n")
        assert (await c.recv("offer"))["sdp"] == SDP + "a=offer\r\n"
        await c.send("answer", call_id=call_id, sdp=SDP + "a=answer\r\n")
        assert (await t.recv("answer"))["sdp"] == SDP + "a=answer\r\n"

        await t.send("context", call_id=call_id, context=CONTEXT)
        assert (await c.recv("context"))["context"] == CONTEXT
        step = {"id": "person", "title": "Angaben zur Person",
                "fields": [{"field": "family_name", "label": "Familienname"}]}
        answers = [{"field": "family_name", "label": "Familienname", "value": "Yılmaz"}]
        await t.send("coview", call_id=call_id, shared=True, step=step, answers=answers)
        coview = await c.recv("coview")
        assert (coview["shared"], coview["step"], coview["answers"]) == (True, step, answers)
        await c.send("propose", call_id=call_id, proposal_id="p-0000001", field="family_name", value="Yilmaz")
        assert (await t.recv("propose"))["value"] == "Yilmaz"
        await t.send("proposal_reply", call_id=call_id, proposal_id="p-0000001", accepted=True)
        assert (await c.recv("proposal_reply"))["accepted"] is True
        await c.send("point", call_id=call_id, control="family_name")
        assert (await t.recv("point"))["control"] == "family_name"

        await t.send("hangup", call_id=call_id, reason="citizen")
        assert (await c.recv("hangup"))["reason"] == "citizen"
        # the call is gone: a late message gets unknown_call
        await c.send("point", call_id=call_id, control="family_name")
        await c.error("unknown_call")

        # the other direction, a second call
        t2, call_2, _ = await calling(url, session, "tok-2")
        await c.send("accept", call_id=call_2)
        await c.recv("accepted")
        await t2.recv("accepted")
        await c.send("hangup", call_id=call_2, reason="clerk")
        assert (await t2.recv("hangup"))["reason"] == "clerk"
        await t2.send("offer", call_id=call_2, sdp=SDP)
        await t2.error("unknown_call")
        # the first clerk's accept for the second call left no second clerk-side state behind
        await c.nothing()
    run(test)


def test_messages_reach_only_the_other_party_of_that_call() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t1, call_1, _ = await calling(url, session, "tok-1")
        t2, call_2, _ = await calling(url, session, "tok-2")
        a, b = await clerk(url, session, "anna"), await clerk(url, session, "bernd")
        await a.send("accept", call_id=call_1)
        await a.recv("accepted")
        await b.send("accept", call_id=call_2)
        await b.recv("accepted")
        await t1.recv("accepted")
        assert (await t2.recv("queued"))["position"] == 1  # moved up when anna took call 1
        await t2.recv("accepted")
        await t1.send("offer", call_id=call_1, sdp=SDP)
        assert (await a.recv("offer"))["call_id"] == call_1
        await b.nothing()
        await t2.nothing()
        # bernd answering anna's call is refused; anna's call is untouched
        await b.send("answer", call_id=call_1, sdp=SDP)
        await b.error("forbidden")
        await t1.nothing()
        # terminal 2 cannot speak for terminal 1's call
        await t2.send("coview", call_id=call_1, shared=False)
        await t2.error("unknown_call")
        await a.nothing()
    run(test)


# --- bad input --------------------------------------------------------------------------------


def test_bad_frames_get_the_right_error_and_the_connection_keeps_serving() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t = await terminal(url, session)
        c = await clerk(url, session)
        await c.recv("queue")
        call_id = new_id()
        for party, raw, code in [
            (t, "{not json", "malformed"),
            (t, json.dumps({"v": 2, "type": "call", "call_id": call_id, "context": CONTEXT}), "version"),
            (t, json.dumps({"v": 1, "type": "dance", "call_id": call_id}), "unexpected"),
            (t, json.dumps({"v": 1, "type": "call", "call_id": call_id, "context": {"language": "Deutsch"}}),
             "malformed"),
            (t, json.dumps([1, 2]), "malformed"),
            (t, json.dumps({"v": 1, "type": "accept", "call_id": call_id}), "unexpected"),  # a clerk's message
            (t, "x" * (messages.MAX_MESSAGE_BYTES + 1), "malformed"),
            (c, "{", "malformed"),
            (c, json.dumps({"v": 1, "type": "offer", "call_id": call_id, "sdp": SDP}), "unexpected"),
            (c, json.dumps({"v": 1, "type": "accept", "call_id": "short"}), "malformed"),
        ]:
            await party.ws.send_str(raw)
            error = await party.error(code)
            assert error["detail"]
        await t.ws.send_bytes(b"\x00\x01binary")
        await t.error("malformed")
        await c.ws.send_bytes(b"\x00")
        await c.error("malformed")

        # both still work
        await t.send("call", call_id=call_id, context=CONTEXT)
        assert (await t.recv("queued"))["position"] == 1
        assert [w["call_id"] for w in await queue_of(c)] == [call_id]
    run(test)


def test_messages_that_do_not_fit_the_state_of_the_call() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t, call_id, _ = await calling(url, session)
        a, b = await clerk(url, session, "anna"), await clerk(url, session, "bernd")
        # offer before a clerk accepted
        await t.send("offer", call_id=call_id, sdp=SDP)
        assert (await t.error("unexpected"))["call_id"] == call_id
        # answer/propose before accepting
        await a.send("answer", call_id=call_id, sdp=SDP)
        await a.error("unexpected")
        # unknown call ids
        await a.send("accept", call_id=new_id())
        await a.error("unknown_call")
        await t.send("context", call_id=new_id(), context=CONTEXT)
        await t.error("unknown_call")
        # two clerks, one call: the second gets "taken"
        await a.send("accept", call_id=call_id)
        await a.recv("accepted")
        await b.send("accept", call_id=call_id)
        await b.error("taken")
        # answer before the terminal's offer
        await a.send("answer", call_id=call_id, sdp=SDP)
        await a.error("unexpected")
        # one call at a time per console
        t2, other, _ = await calling(url, session, "tok-2")
        await a.send("accept", call_id=other)
        await a.error("unexpected")
        # the call still works after all that
        await t.recv("accepted")
        await t.send("offer", call_id=call_id, sdp=SDP)
        await a.recv("offer")
        await a.send("answer", call_id=call_id, sdp=SDP)
        await t.recv("answer")
    run(test)


def test_a_bad_terminal_token_is_refused_before_the_upgrade() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        for headers in ({"Authorization": "Bearer wrong"}, {}, {"Authorization": "Basic tok-1"}):
            with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
                await session.ws_connect(url + "/ws/terminal", headers=headers)
            assert raised.value.status == 401
        async with session.get(url + "/ws/terminal", headers={"Authorization": "Bearer nope"}) as response:
            assert response.status == 401 and "error" in await response.json()
    run(test)


def test_clerk_auth_refusals_401_and_403_for_a_role_without_calls() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(url + "/ws/clerk")
        assert raised.value.status == 401
        with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
            await session.ws_connect(url + "/ws/clerk", headers={"X-Test-Clerk": "olaf"})
        assert raised.value.status == 403
    run(test)


# --- queue order, reconnects, requeue ---------------------------------------------------------


def test_positions_move_up_and_expected_wait_comes_from_history() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t1, call_1, q1 = await calling(url, session, "tok-1")
        t2, call_2, q2 = await calling(url, session, "tok-2")
        t3, call_3, q3 = await calling(url, session, "tok-3")
        assert [q1["position"], q2["position"], q3["position"]] == [1, 2, 3]
        c = await clerk(url, session)
        assert [w["call_id"] for w in await queue_of(c)] == [call_1, call_2, call_3]
        await c.send("accept", call_id=call_1)
        await c.recv("accepted")
        # the others moved up, and now there is a wait history
        q2 = await t2.recv("queued")
        q3 = await t3.recv("queued")
        assert (q2["position"], q3["position"]) == (1, 2)
        assert isinstance(q2["expected_wait_s"], int) and q3["expected_wait_s"] >= q2["expected_wait_s"]
        # terminal 2 gives up: terminal 3 moves to 1
        await t2.send("hangup", call_id=call_2, reason="citizen")
        assert (await t3.recv("queued"))["position"] == 1
    run(test)


def test_same_call_again_keeps_its_place_and_a_new_call_replaces_the_old() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t1, call_1, _ = await calling(url, session, "tok-1")
        t2, call_2, _ = await calling(url, session, "tok-2")
        c = await clerk(url, session)
        await c.recv("queue")
        await t1.send("call", call_id=call_1, context=CONTEXT)  # sent again: no duplicate
        assert (await t1.recv("queued"))["position"] == 1
        assert [w["call_id"] for w in await queue_of(c)] == [call_1, call_2]
        call_1b = new_id()
        await t1.send("call", call_id=call_1b, context=CONTEXT)  # a new call from terminal 1
        assert (await t1.recv("queued"))["position"] == 2
        assert (await t2.recv("queued"))["position"] == 1
        assert [w["call_id"] for w in await queue_of(c)] == [call_2, call_1b]
        await t1.send("offer", call_id=call_1, sdp=SDP)  # the old one is gone
        await t1.error("unknown_call")
    run(test)


def test_a_dropped_waiting_terminal_keeps_its_place_within_the_grace() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t1, call_1, _ = await calling(url, session, "tok-1")
        t2, call_2, _ = await calling(url, session, "tok-2")
        c = await clerk(url, session)
        await c.recv("queue")
        await t1.ws.close()
        # hidden from clerks while it reconnects: nobody could answer its offer
        assert [w["call_id"] for w in await queue_of(c)] == [call_2]
        await c.send("accept", call_id=call_1)
        await c.error("unexpected")
        t1, _, queued = await calling(url, session, "tok-1", call_id=call_1)
        assert queued["position"] == 1
        assert [w["call_id"] for w in await queue_of(c)] == [call_1, call_2]
    run(test, grace=5.0)


def test_a_dropped_waiting_terminal_leaves_the_queue_after_the_grace() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t1, call_1, _ = await calling(url, session, "tok-1")
        t2, call_2, _ = await calling(url, session, "tok-2")
        await t1.ws.close()
        assert (await t2.recv("queued", timeout=3))["position"] == 1  # after 0.4 s
        c = await clerk(url, session)
        assert [w["call_id"] for w in await queue_of(c)] == [call_2]
        # coming back after the grace: a new place at the tail
        t1, _, queued = await calling(url, session, "tok-1", call_id=call_1)
        assert queued["position"] == 2
    run(test, grace=0.4)


def test_clerk_gone_mid_call_puts_the_call_back_at_the_head() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t, a, call_id = await in_call(url, session)
        t2, call_2, q2 = await calling(url, session, "tok-2")
        assert q2["position"] == 1
        b = await clerk(url, session, "bernd")
        assert [w["call_id"] for w in await queue_of(b)] == [call_2]
        await a.ws.close()
        requeued = await t.recv("queued")
        assert requeued["requeued"] is True and requeued["position"] == 1
        assert (await t2.recv("queued"))["position"] == 2
        assert [w["call_id"] for w in await queue_of(b)] == [call_id, call_2]
        await b.send("accept", call_id=call_id)
        assert (await b.recv("accepted"))["call_id"] == call_id
        assert (await t.recv("accepted"))["clerk"] == "Bernd Roth"
    run(test)


def test_terminal_gone_mid_call_hangs_up_the_clerk() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t, c, call_id = await in_call(url, session)
        await t.ws.close()
        hangup = await c.recv("hangup")
        assert (hangup["call_id"], hangup["reason"]) == (call_id, "terminal_gone")
        # the clerk is free again
        t2, other, _ = await calling(url, session, "tok-2")
        await c.send("accept", call_id=other)
        await c.recv("accepted")
    run(test)


def test_clerks_get_the_queue_again_every_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signalling, "BROADCAST_EVERY_S", 0.2)

    async def test(url: str, session: aiohttp.ClientSession) -> None:
        t, call_id, _ = await calling(url, session)  # t: keeps the terminal's WebSocket open
        c = await clerk(url, session)
        first = await queue_of(c)
        await asyncio.sleep(1.7)
        later = await queue_of(c)
        while True:  # the latest one
            try:
                later = messages.check(json.loads((await c.ws.receive(0.05)).data), messages.TO_CLERK)["calls"]
            except asyncio.TimeoutError:
                break
        assert later[0]["waited_s"] >= first[0]["waited_s"] + 1
    run(test)


def test_console_is_served() -> None:
    async def test(url: str, session: aiohttp.ClientSession) -> None:
        async with session.get(url + "/console/") as response:
            assert response.status == 200
            html = await response.text()
            assert 'data-testid="login-username"' in html and 'src="console.js"' in html
        for name, kind in (("console.js", "javascript"), ("console.css", "text/css")):
            async with session.get(url + "/console/" + name) as response:
                assert response.status == 200 and kind in response.headers["Content-Type"]
        async with session.get(url + "/console", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"] == "/console/"
        async with session.get(url + "/console/../signalling.py") as response:
            assert response.status in (403, 404)
    run(test)


# --- inside the real back office (agent A's auth: session cookie, Origin, terminal tokens) ------


def test_real_back_office_auth_for_both_websockets(tmp_path) -> None:
    from tests.backoffice_process import DEFAULT_PASSWORD, BackofficeProcess

    async def logged_in(url: str, name: str) -> aiohttp.ClientSession:
        # unsafe=True: aiohttp's cookie jar otherwise keeps no cookies for an IP address host
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with session.post(url + "/api/login", json={"username": name, "password": DEFAULT_PASSWORD}) as response:
            assert response.status == 200
        return session

    async def main(url: str, token: str) -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
                await session.ws_connect(url + "/ws/terminal", headers={"Authorization": "Bearer wrong"})
            assert raised.value.status == 401
            with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
                await session.ws_connect(url + "/ws/clerk")
            assert raised.value.status == 401
            t = Party(await session.ws_connect(url + "/ws/terminal", headers={"Authorization": f"Bearer {token}"}),
                      messages.TO_TERMINAL)
            await t.send("call", call_id=new_id(), context=CONTEXT)
            assert (await t.recv("queued"))["position"] == 1

            async with await logged_in(url, "olaf") as operator:
                with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
                    await operator.ws_connect(url + "/ws/clerk", origin=url)
                assert raised.value.status == 403
            async with await logged_in(url, "anna") as anna:
                with pytest.raises(aiohttp.WSServerHandshakeError) as raised:  # a foreign page with her cookie
                    await anna.ws_connect(url + "/ws/clerk", origin="http://evil.example")
                assert raised.value.status == 401
                c = Party(await anna.ws_connect(url + "/ws/clerk", origin=url), messages.TO_CLERK)
                assert [(w["terminal"], w["location"]) for w in await queue_of(c)] == [("t-9", "Rathaus")]
                async with anna.get(url + "/console/") as response:
                    assert response.status == 200 and "Content-Security-Policy" in response.headers

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna")
        bo.add_user("olaf", role="operator")
        token = bo.add_terminal("t-9", location="Rathaus")
        asyncio.run(asyncio.wait_for(main(bo.start(), token), 30))
