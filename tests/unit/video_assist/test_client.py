"""The terminal's signalling client against a small scripted aiohttp server in the same process:
the Bearer token, every received message checked (a bad one is logged and ignored), what we send
checked, reconnect with backoff and the same `call` again. The real back office is in
tests/integration/test_assist_call.py."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest
from aiohttp import web

from video_assist import messages
from video_assist.client import (
    DROPPED,
    Rejected,
    SignallingClient,
    Unreachable,
    backoff_delay,
    terminal_url,
)
from video_assist.messages import ProtocolError
from tests.backoffice_process import free_port

TOKEN = "s3cret-token"
CONTEXT = {"language": "de", "service": None, "service_title": None, "step": "catalogue", "step_title": None,
           "needs": []}
CALL_ID = "0b6c1e9e-6c0e-4c55-9d0b-8c7f6c1c2f10"


def queued(call_id: str, position: int = 1, expected_wait_s: int | None = None) -> dict[str, Any]:
    # set apart: message() leaves out None values, and expected_wait_s is required (null = unknown)
    return {**messages.message("queued", call_id=call_id, position=position, ice_servers=[]),
            "expected_wait_s": expected_wait_s}


class Server:
    """/ws/terminal that checks the token, records what it receives and sends `script` at connect
    (and `queued` for every `call`)."""

    def __init__(self, script: list[Any] | None = None, port: int = 0) -> None:
        self.script = script or []
        self.port = port or free_port()
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self.sockets: list[web.WebSocketResponse] = []
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handler(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": "unknown or missing terminal token"}, status=401)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections += 1
        self.sockets.append(ws)
        for item in self.script:
            await (ws.send_str(item) if isinstance(item, str) else ws.send_json(item))
        async for frame in ws:
            message = json.loads(frame.data)
            self.received.append(message)
            if message["type"] == "call":
                await ws.send_json(queued(message["call_id"]))
        return ws

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/ws/terminal", self.handler)
        app.router.add_get("/prefix/ws/terminal", self.handler)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        self.sockets.clear()
        assert self.runner is not None
        await self.runner.cleanup()


async def _next(client: SignallingClient, timeout: float = 5.0) -> Any:
    return await asyncio.wait_for(client.inbox.get(), timeout)


def test_terminal_url():
    assert terminal_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/ws/terminal"
    assert terminal_url("https://bo.example.org/") == "wss://bo.example.org/ws/terminal"
    assert terminal_url("https://example.org/backoffice") == "wss://example.org/backoffice/ws/terminal"
    for bad in ("", "ftp://x", "127.0.0.1:8080", "http://"):
        with pytest.raises(ValueError):
            terminal_url(bad)


def test_backoff_doubles_up_to_the_longest():
    assert [backoff_delay(n, (0.5, 4.0)) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_received_messages_are_checked_and_bad_ones_ignored_with_a_log_line(caplog):
    good = queued(CALL_ID, 2, 60)
    script = [
        "not json {",
        {"v": 2, "type": "queued"},  # another protocol version
        {"v": 1, "type": "welcome"},  # unknown type
        {**good, "position": 0},  # a field out of range
        {**good, "extra": "field"},  # a field the schema does not know
        {"v": 1, "type": "queue", "calls": []},  # a clerk's message, not a terminal's
        "x" * (messages.MAX_MESSAGE_BYTES + 1),
        good,
        messages.message("point", call_id=CALL_ID, control="surname"),
    ]

    async def scenario():
        server = Server(script)
        await server.start()
        client = SignallingClient(server.url, TOKEN)
        await client.connect()
        first, second = await _next(client), await _next(client)
        ignored = client.ignored
        await client.close()
        await server.stop()
        return first, second, ignored

    with caplog.at_level(logging.WARNING, logger="video_assist.client"):
        first, second, ignored = asyncio.run(scenario())
    assert first == good and second["type"] == "point"
    assert ignored == 7
    lines = [r.getMessage() for r in caplog.records if "does not fit the protocol" in r.getMessage()]
    assert len(lines) == 7
    assert any("version" in line for line in lines) and any("position" in line for line in lines)


def test_what_we_send_is_checked_first():
    async def scenario():
        server = Server()
        await server.start()
        client = SignallingClient(server.url, TOKEN)
        await client.connect()
        with pytest.raises(ProtocolError):
            await client.send(messages.message("call", call_id="short", context=CONTEXT))
        with pytest.raises(ProtocolError):
            await client.send(messages.message("accept", call_id=CALL_ID))  # a clerk's message
        sent = await client.send(messages.message("call", call_id=CALL_ID, context=CONTEXT))
        await _next(client)
        await client.close()
        await server.stop()
        return sent, server.received

    sent, received = asyncio.run(scenario())
    assert sent is True
    assert [m["type"] for m in received] == ["call"]


def test_bad_token_is_rejected():
    async def scenario():
        server = Server()
        await server.start()
        client = SignallingClient(server.url, "wrong")
        try:
            with pytest.raises(Rejected) as caught:
                await client.connect()
        finally:
            await client.close()
            await server.stop()
        return caught.value

    error = asyncio.run(scenario())
    assert error.status == 401 and "refused this terminal's token" in str(error)


def test_nothing_listening_is_unreachable_at_once():
    async def scenario():
        client = SignallingClient(f"http://127.0.0.1:{free_port()}", TOKEN, connect_timeout_s=3)
        started = time.monotonic()
        with pytest.raises(Unreachable) as caught:
            await client.connect()
        await client.close()
        return time.monotonic() - started, caught.value

    took, error = asyncio.run(scenario())
    assert took < 3
    assert "ws://127.0.0.1:" in str(error)


def test_a_server_that_does_not_answer_is_unreachable_after_the_timeout():
    async def scenario():
        silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)  # accepts, never answers
        port = silent.sockets[0].getsockname()[1]
        client = SignallingClient(f"http://127.0.0.1:{port}", TOKEN, connect_timeout_s=0.5)
        with pytest.raises(Unreachable, match="no answer within 0.5 s"):
            await client.connect()
        await client.close()
        silent.close()

    asyncio.run(scenario())


def test_a_page_that_is_not_the_back_office_is_unreachable_with_its_status():
    async def scenario():
        server = Server()
        await server.start()
        client = SignallingClient(server.url + "/elsewhere", TOKEN)
        with pytest.raises(Unreachable, match="HTTP 404"):
            await client.connect()
        prefixed = SignallingClient(server.url + "/prefix", TOKEN)
        await prefixed.connect()  # a back office behind a path prefix
        await prefixed.close()
        await client.close()
        await server.stop()

    asyncio.run(scenario())


def test_drop_then_reconnect_sends_the_same_call_again_with_the_latest_context():
    async def scenario():
        server = Server()
        await server.start()
        client = SignallingClient(server.url, TOKEN, backoff_s=(0.05, 0.2))
        await client.connect()
        await client.send(messages.message("call", call_id=CALL_ID, context=CONTEXT))
        assert (await _next(client))["type"] == "queued"
        moved = {**CONTEXT, "step": "review"}
        await client.send(messages.message("context", call_id=CALL_ID, context=moved))
        while len(server.received) < 2:
            await asyncio.sleep(0.01)
        await server.stop()  # the back office goes away
        assert await _next(client) is DROPPED
        assert not client.connected
        asyncio.get_running_loop().call_later(0.4, lambda: asyncio.ensure_future(server.start()))
        await client.reconnect(deadline=time.monotonic() + 10)
        queued = await _next(client)
        await client.close()
        await server.stop()
        return server.received, queued, client.connects

    received, queued, connects = asyncio.run(scenario())
    assert [m["type"] for m in received] == ["call", "context", "call"]
    assert received[2]["call_id"] == CALL_ID and received[2]["context"]["step"] == "review"
    assert queued["type"] == "queued" and connects == 2


def test_reconnect_gives_up_at_the_deadline():
    async def scenario():
        client = SignallingClient(f"http://127.0.0.1:{free_port()}", TOKEN, backoff_s=(0.05, 0.1))
        started = time.monotonic()
        with pytest.raises(Unreachable):
            await client.reconnect(deadline=started + 0.6)
        await client.close()
        return time.monotonic() - started

    took = asyncio.run(scenario())
    assert 0.4 < took < 3


def test_after_hangup_nothing_is_sent_again_and_close_sends_no_drop():
    async def scenario():
        server = Server()
        await server.start()
        client = SignallingClient(server.url, TOKEN, backoff_s=(0.05, 0.2))
        await client.connect()
        await client.send(messages.message("call", call_id=CALL_ID, context=CONTEXT))
        await _next(client)
        await client.send(messages.message("hangup", call_id=CALL_ID, reason="citizen"))
        await client.reconnect(deadline=time.monotonic() + 5)
        await asyncio.sleep(0.2)
        await client.close()
        sent_after_close = await client.send(messages.message("hangup", call_id=CALL_ID, reason="citizen"))
        await server.stop()
        return server.received, client.inbox.empty(), sent_after_close

    received, empty, sent_after_close = asyncio.run(scenario())
    assert [m["type"] for m in received] == ["call", "hangup"]  # no `call` after the reconnect
    assert empty and sent_after_close is False


def test_network_loop_runs_coroutines_in_its_thread_and_stop_cancels_what_runs():
    import threading

    from video_assist.network import NetworkLoop

    net = NetworkLoop()
    try:
        async def where() -> str:
            return threading.current_thread().name

        assert net.submit(where()).result(5) == "network"
        called = threading.Event()
        net.call_soon(called.set)
        assert called.wait(5)
        cancelled = threading.Event()

        async def forever() -> None:
            try:
                await asyncio.sleep(3600)
            finally:
                cancelled.set()

        pending = net.submit(forever())
    finally:
        net.stop()
    assert cancelled.is_set() and pending.cancelled()
    assert not net.thread.is_alive()
    with pytest.raises(RuntimeError):
        net.submit(where())
