"""The signalling server: terminals and clerks' consoles meet here (protocol: `messages.py`).

`setup(app, ...)` adds to the back office's aiohttp application:
- `GET /ws/terminal`: a terminal's WebSocket (Bearer token, checked by `terminal_auth`),
- `GET /ws/clerk`: a clerk's console (session cookie and Origin, checked by `clerk_auth`; a user
  who does not take calls gets 403),
- `/console/`: the clerk's console (static files, `console/` next to this module).

Authentication fails with 401 (403 for a role without calls) before the WebSocket upgrade.

One asyncio task per connection reads its frames; every frame goes through `messages.parse`
and a `ProtocolError`, or a message that does not fit the state of the call, is answered with an
`error` and the connection stays open. State changes happen synchronously in the `Hub` (one
event loop, no awaits in between), the resulting messages are sent afterwards.

Decisions worth knowing:
- A terminal whose WebSocket closes in a call ends the call at once: the clerk gets `hangup`
  with reason `terminal_gone` (its peer connection is gone with it anyway). While waiting, it
  keeps its place for `reconnect_grace_s` and is hidden from the clerks meanwhile.
- A clerk's console that closes mid-call puts the call back at the head of the queue; the
  terminal gets `queued` with `requeued: true`.
- Clerks see the queue at connect, on every change, and every `BROADCAST_EVERY_S` seconds (the
  waiting times); grace expiry is checked on the same tick.
- Only message types, error codes, terminal ids and call ids are logged, never contents.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from aiohttp import WSMsgType, web

from video_assist import messages
from video_assist.messages import FROM_CLERK, FROM_TERMINAL, ProtocolError
from video_assist.parties import Clerk, Terminal
from video_assist.queue import CallQueue, QueueError, WaitingCall

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).with_name("console")
BROADCAST_EVERY_S = 5.0
HEARTBEAT_S = 15.0
# Frames up to this size are read and answered with an error by messages.parse (64 KB); only
# beyond it does aiohttp close the connection.
MAX_FRAME_BYTES = 1024 * 1024

TerminalAuth = Callable[[web.Request], Awaitable[Terminal | None]]
ClerkAuth = Callable[[web.Request], Awaitable[Clerk | None]]

HUB = web.AppKey("video_assist.hub", "Hub")


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, message: dict[str, Any]) -> None:
        if self.ws.closed:
            return
        try:
            async with self.lock:
                await self.ws.send_json(message)
        except (ConnectionError, RuntimeError) as exc:  # closing under us; its reader ends it
            log.debug("send %s failed: %s", message.get("type"), type(exc).__name__)


@dataclass(eq=False)
class TerminalConnection(Connection):
    terminal: Terminal = None  # type: ignore[assignment]
    call_id: str | None = None  # its current call (waiting or in progress)


@dataclass(eq=False)
class ClerkConnection(Connection):
    clerk: Clerk = None  # type: ignore[assignment]
    call_id: str | None = None  # the call it accepted

    @property
    def display_name(self) -> str:
        return getattr(self.clerk, "display_name", None) or self.clerk.name


@dataclass(eq=False)
class ActiveCall:
    call: WaitingCall
    terminal: TerminalConnection
    clerk: ClerkConnection
    offered: bool = False


Outbox = list[tuple[Connection, dict[str, Any]]]


class Hub:
    """Every connection, the queue and the calls in progress."""

    def __init__(self, *, ice_servers: list[dict[str, Any]], reconnect_grace_s: float,
                 queue: CallQueue | None = None) -> None:
        self.ice_servers = ice_servers
        self.queue = queue or CallQueue(reconnect_grace_s=reconnect_grace_s)
        self.terminals: dict[str, TerminalConnection] = {}  # call_id -> connection of its terminal
        self.clerks: set[ClerkConnection] = set()
        self.active: dict[str, ActiveCall] = {}

    # --- what the parties are told ------------------------------------------------------------

    def queued(self, call_id: str, *, requeued: bool = False) -> dict[str, Any]:
        position = self.queue.position(call_id) or 1
        msg = messages.message("queued", call_id=call_id, position=position, ice_servers=self.ice_servers,
                               requeued=True if requeued else None)
        # set apart: message() leaves out None values, and expected_wait_s is required (null = unknown)
        msg["expected_wait_s"] = self.queue.expected_wait_s(position)
        return msg

    def queue_message(self) -> dict[str, Any]:
        return messages.message("queue", calls=self.queue.snapshot())

    def to_clerks(self) -> Outbox:
        msg = self.queue_message()
        return [(c, msg) for c in self.clerks]

    def moved(self, before: dict[str, int], *, skip: str | None = None) -> Outbox:
        """`queued` to every connected waiting terminal whose position changed."""
        out: Outbox = []
        for call_id, position in self.queue.positions().items():
            conn = self.terminals.get(call_id)
            if call_id != skip and conn is not None and before.get(call_id) != position:
                out.append((conn, self.queued(call_id)))
        return out

    # --- terminal messages --------------------------------------------------------------------

    def from_terminal(self, conn: TerminalConnection, msg: dict[str, Any]) -> Outbox:
        kind, call_id = msg["type"], msg["call_id"]
        if kind == "call":
            return self._call(conn, call_id, msg["context"])
        if conn.call_id != call_id:
            raise ProtocolError("unknown_call", f"no call {call_id} from this terminal", call_id)
        active = self.active.get(call_id)
        if active is None:  # waiting
            if kind == "context":
                self.queue.update_context(call_id, msg["context"])
                return self.to_clerks()
            if kind == "hangup":
                before = self.queue.positions()
                self.queue.remove(call_id)
                self.terminals.pop(call_id, None)
                conn.call_id = None
                return self.to_clerks() + self.moved(before)
            raise ProtocolError("unexpected", f"{kind} before a clerk accepted call {call_id}", call_id)
        if kind == "offer":
            active.offered = True
        elif kind == "context":
            active.call.context = msg["context"]
        elif kind == "hangup":
            self._end(call_id)
        return [(active.clerk, msg)]

    def _call(self, conn: TerminalConnection, call_id: str, context: dict[str, Any]) -> Outbox:
        out: Outbox = []
        if call_id in self.active:
            raise ProtocolError("unexpected", f"call {call_id} is in progress", call_id)
        # a different call from this connection ends the older one
        if conn.call_id is not None and conn.call_id != call_id:
            out += self._drop_call(conn.call_id, "terminal_gone")
        before = self.queue.positions()
        try:
            added = self.queue.add(call_id, conn.terminal.id, conn.terminal.location, context)
        except QueueError as exc:
            raise ProtocolError(exc.code, str(exc), call_id) from None
        if added.replaced is not None:
            stale = self.terminals.pop(added.replaced.call_id, None)
            if stale is not None and stale is not conn:
                stale.call_id = None
        self.terminals[call_id] = conn
        conn.call_id = call_id
        log.info("call %s from terminal %s %s", call_id, conn.terminal.id, "rejoined" if added.rejoined else "queued")
        return out + [(conn, self.queued(call_id))] + self.moved(before, skip=call_id) + self.to_clerks()

    def _drop_call(self, call_id: str, reason: str) -> Outbox:
        """End a call of a terminal that moved on (waiting: leaves the queue; active: clerk hears)."""
        active = self.active.get(call_id)
        if active is not None:
            self._end(call_id)
            return [(active.clerk, messages.message("hangup", call_id=call_id, reason=reason))]
        if call_id in self.queue:
            before = self.queue.positions()
            self.queue.remove(call_id)
            self.terminals.pop(call_id, None)
            return self.to_clerks() + self.moved(before)
        return []

    def _end(self, call_id: str) -> ActiveCall | None:
        active = self.active.pop(call_id, None)
        if active is not None:
            active.clerk.call_id = None
            if active.terminal.call_id == call_id:
                active.terminal.call_id = None
            self.terminals.pop(call_id, None)
        return active

    def terminal_closed(self, conn: TerminalConnection) -> Outbox:
        call_id = conn.call_id
        if call_id is None or self.terminals.get(call_id) is not conn:
            return []  # no call, or a newer connection took it over
        if call_id in self.active:
            active = self._end(call_id)
            assert active is not None
            log.info("call %s: terminal %s gone mid-call", call_id, conn.terminal.id)
            return [(active.clerk, messages.message("hangup", call_id=call_id, reason="terminal_gone"))]
        del self.terminals[call_id]
        self.queue.disconnect(call_id)
        return self.to_clerks()

    # --- clerk messages -----------------------------------------------------------------------

    def from_clerk(self, conn: ClerkConnection, msg: dict[str, Any]) -> Outbox:
        kind, call_id = msg["type"], msg["call_id"]
        if kind == "accept":
            return self._accept(conn, call_id)
        active = self.active.get(call_id)
        if active is None:
            if call_id in self.queue:
                raise ProtocolError("unexpected", f"{kind} before accepting call {call_id}", call_id)
            raise ProtocolError("unknown_call", f"no call {call_id}", call_id)
        if active.clerk is not conn:
            raise ProtocolError("forbidden", f"call {call_id} was accepted by another clerk", call_id)
        if kind == "answer" and not active.offered:
            raise ProtocolError("unexpected", f"answer before the terminal's offer for call {call_id}", call_id)
        if kind == "hangup":
            self._end(call_id)
        return [(active.terminal, msg)]

    def _accept(self, conn: ClerkConnection, call_id: str) -> Outbox:
        if conn.call_id is not None:
            raise ProtocolError("unexpected", f"already in call {conn.call_id}; hang up first", call_id)
        if call_id in self.active:
            raise ProtocolError("taken", f"call {call_id} was taken by another clerk", call_id)
        if call_id not in self.queue:
            raise ProtocolError("unknown_call", f"no call {call_id}", call_id)
        terminal = self.terminals.get(call_id)
        before = self.queue.positions()
        try:
            call = self.queue.take(call_id)
        except QueueError as exc:
            raise ProtocolError(exc.code, str(exc), call_id) from None
        assert terminal is not None  # take() refuses calls whose terminal is disconnected
        self.active[call_id] = ActiveCall(call, terminal, conn)
        conn.call_id = call_id
        log.info("call %s (terminal %s) accepted", call_id, call.terminal)
        return [
            (conn, messages.message("accepted", call_id=call_id, terminal=call.terminal, location=call.location,
                                    context=call.context, ice_servers=self.ice_servers)),
            (terminal, messages.message("accepted", call_id=call_id, clerk=conn.display_name[:80])),
            *self.moved(before), *self.to_clerks(),
        ]

    def clerk_closed(self, conn: ClerkConnection) -> Outbox:
        self.clerks.discard(conn)
        call_id = conn.call_id
        if call_id is None or call_id not in self.active:
            return []
        active = self._end(call_id)
        assert active is not None
        before = self.queue.positions()
        self.queue.requeue(active.call)
        self.terminals[call_id] = active.terminal
        active.terminal.call_id = call_id
        log.info("call %s: clerk's console gone, requeued at the head", call_id)
        return ([(active.terminal, self.queued(call_id, requeued=True))] + self.moved(before, skip=call_id)
                + self.to_clerks())

    def tick(self) -> Outbox:
        """Every few seconds: expire the grace of dropped terminals, refresh the clerks' queue."""
        before = self.queue.positions()
        gone = self.queue.expire()
        for call in gone:
            log.info("call %s (terminal %s) left the queue: no reconnect within the grace", call.call_id,
                     call.terminal)
        return self.to_clerks() + (self.moved(before) if gone else [])


async def deliver(out: Outbox) -> None:
    """Send in order; a clerk gets only the last of several `queue` snapshots in one outbox."""
    last_queue = {id(conn): i for i, (conn, msg) in enumerate(out) if msg["type"] == "queue"}
    for i, (conn, msg) in enumerate(out):
        if msg["type"] != "queue" or last_queue[id(conn)] == i:
            await conn.send(msg)


async def _serve(ws: web.WebSocketResponse, conn: Connection, table: dict[str, dict[str, Any]],
                 handle: Callable[[dict[str, Any]], Outbox], who: str) -> None:
    async for frame in ws:
        try:
            if frame.type == WSMsgType.TEXT:
                msg = messages.parse(frame.data, table)
            elif frame.type == WSMsgType.BINARY:
                raise ProtocolError("malformed", "binary frames are not part of the protocol")
            else:
                continue  # ERROR/CLOSE: the iteration ends by itself
            out = handle(msg)
        except ProtocolError as err:
            log.info("%s: error %s (call %s)", who, err.code, err.call_id)
            await conn.send(err.reply())
            continue
        except Exception:  # never let one message bring the connection down
            log.exception("%s: handling failed", who)
            await conn.send(messages.error("unexpected", "the server could not handle this message"))
            continue
        log.debug("%s: %s (call %s)", who, msg["type"], msg.get("call_id"))
        await deliver(out)


async def terminal_ws(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    terminal = await request.app[_TERMINAL_AUTH](request)
    if terminal is None:
        return web.json_response({"error": "unknown or missing terminal token"}, status=401)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    conn = TerminalConnection(ws, terminal=terminal)
    who = f"terminal {terminal.id}"
    log.info("%s connected", who)
    try:
        await _serve(ws, conn, FROM_TERMINAL, lambda msg: hub.from_terminal(conn, msg), who)
    finally:
        await deliver(hub.terminal_closed(conn))
        log.info("%s disconnected", who)
    return ws


async def clerk_ws(request: web.Request) -> web.StreamResponse:
    hub = request.app[HUB]
    clerk = await request.app[_CLERK_AUTH](request)
    if clerk is None:
        return web.json_response({"error": "not logged in"}, status=401)
    if not clerk.takes_calls:
        return web.json_response({"error": f"role {clerk.role} does not take calls"}, status=403)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_FRAME_BYTES)
    await ws.prepare(request)
    conn = ClerkConnection(ws, clerk=clerk)
    hub.clerks.add(conn)
    who = f"clerk {clerk.name}"
    log.info("%s connected", who)
    try:
        await conn.send(hub.queue_message())
        await _serve(ws, conn, FROM_CLERK, lambda msg: hub.from_clerk(conn, msg), who)
    finally:
        await deliver(hub.clerk_closed(conn))
        log.info("%s disconnected", who)
    return ws


# The back office adds its Content-Security-Policy and the other security headers to every
# response (backoffice/app.py); the console only needs to be fetched fresh after an update.
_CONSOLE_HEADERS = {"Cache-Control": "no-cache"}


async def console_index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(CONSOLE_DIR / "index.html", headers=_CONSOLE_HEADERS)


async def console_redirect(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/console/")


_TERMINAL_AUTH = web.AppKey("video_assist.terminal_auth", object)
_CLERK_AUTH = web.AppKey("video_assist.clerk_auth", object)


def setup(app: web.Application, *, terminal_auth: TerminalAuth, clerk_auth: ClerkAuth,
          ice_servers: list[dict[str, Any]], reconnect_grace_s: float) -> None:
    """Add the two WebSockets and the console to `app` (before it starts)."""
    hub = Hub(ice_servers=ice_servers, reconnect_grace_s=reconnect_grace_s)
    messages.check(hub.queued("00000000"), messages.TO_TERMINAL)  # bad ice_servers fail at start, not per call
    app[HUB] = hub
    app[_TERMINAL_AUTH] = terminal_auth
    app[_CLERK_AUTH] = clerk_auth
    app.router.add_get("/ws/terminal", terminal_ws)
    app.router.add_get("/ws/clerk", clerk_ws)
    app.router.add_get("/console", console_redirect)
    app.router.add_get("/console/", console_index)
    app.router.add_static("/console/", CONSOLE_DIR)
    app.cleanup_ctx.append(_ticker)
    app.on_shutdown.append(_close_all)


async def _ticker(app: web.Application):
    hub = app[HUB]

    async def run() -> None:
        while True:
            await asyncio.sleep(min(BROADCAST_EVERY_S, max(0.05, hub.queue.reconnect_grace_s / 2)))
            try:
                await deliver(hub.tick())
            except Exception:
                log.exception("queue tick failed")

    task = asyncio.create_task(run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_all(app: web.Application) -> None:
    """At shutdown: close every WebSocket (terminals reconnect and call again after a restart)."""
    hub = app[HUB]
    conns = {*hub.clerks, *hub.terminals.values(), *(a.terminal for a in hub.active.values())}
    for conn in conns:
        with contextlib.suppress(Exception):
            await conn.ws.close(code=1001, message=b"server shutting down")
