"""The terminal's signalling client: one WebSocket to the back office's /ws/terminal.

It authenticates with `Authorization: Bearer <token>`, checks every message it receives against
messages.TO_TERMINAL (a message that does not fit is logged and dropped, never acted on) and
every message it sends against messages.FROM_TERMINAL. Received messages go into `inbox`, in
order; when the connection drops, `DROPPED` follows them. reconnect() tries again with
exponential backoff and, once through, sends the `call` it last sent again (same call_id): the
back office keeps the terminal's place in the queue for a while, or, after a restart, queues it
anew.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from video_assist import messages
from video_assist.messages import FROM_TERMINAL, TO_TERMINAL, ProtocolError

log = logging.getLogger(__name__)

TERMINAL_PATH = "ws/terminal"
HEARTBEAT_S = 10.0  # a back office that stops answering pings is noticed within this
BACKOFF_S = (0.5, 8.0)  # first and longest pause between reconnects


class SignallingError(Exception):
    """The back office cannot be used; the message says why, for an operator."""


class Unreachable(SignallingError):
    """No WebSocket to the back office (refused, timed out, DNS, TLS, a proxy's error page)."""


class Rejected(SignallingError):
    """The back office refused this terminal's token (401/403)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class _Dropped:
    def __repr__(self) -> str:
        return "DROPPED"


DROPPED = _Dropped()  # in the inbox: the connection went away after the messages before it


def terminal_url(server_url: str) -> str:
    """The /ws/terminal WebSocket of the back office at `server_url` (http(s) or ws(s))."""
    parts = urlsplit(server_url.strip())
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"back office address must be http(s)://host[:port][/path], got {server_url!r}")
    path = parts.path.rstrip("/") + "/" + TERMINAL_PATH
    return urlunsplit((scheme, parts.netloc, path, "", ""))


def backoff_delay(attempt: int, backoff_s: tuple[float, float] = BACKOFF_S) -> float:
    """Pause before reconnect attempt `attempt` (1, 2, ...): first, 2*first, ... up to longest."""
    first, longest = backoff_s
    return min(first * 2 ** min(max(attempt - 1, 0), 30), longest)


class SignallingClient:
    """The terminal's line to the back office. All methods run on one event loop."""

    def __init__(self, server_url: str, token: str, *, connect_timeout_s: float = 5.0,
                 backoff_s: tuple[float, float] = BACKOFF_S,
                 inbox: asyncio.Queue[Any] | None = None) -> None:
        self.url = terminal_url(server_url)
        self._token = token
        self.connect_timeout_s = connect_timeout_s
        self.backoff_s = backoff_s
        # `inbox` may be shared with the caller, who puts its own items between the messages
        self.inbox: asyncio.Queue[Any] = inbox if inbox is not None else asyncio.Queue()
        self.ignored = 0  # received messages that did not fit the protocol
        self.connects = 0
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._call: dict[str, Any] | None = None  # the `call` to send again after a reconnect
        self._closing = False

    @property
    def connected(self) -> bool:
        return self._ws is not None and not self._ws.closed

    async def connect(self) -> None:
        """One attempt within connect_timeout_s. Unreachable or Rejected when it fails."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self._closing = False
        try:
            ws = await asyncio.wait_for(self._session.ws_connect(
                self.url, headers={"Authorization": f"Bearer {self._token}"}, heartbeat=HEARTBEAT_S,
                timeout=aiohttp.ClientWSTimeout(ws_close=2.0), max_msg_size=messages.MAX_MESSAGE_BYTES * 4),
                self.connect_timeout_s)
        except aiohttp.WSServerHandshakeError as exc:
            if exc.status in (401, 403):
                raise Rejected(exc.status, f"the back office at {self.url} refused this terminal's token "
                                           f"(HTTP {exc.status})") from None
            raise Unreachable(f"{self.url}: the back office answered HTTP {exc.status} instead of a WebSocket") \
                from None
        except asyncio.TimeoutError:
            raise Unreachable(f"{self.url}: no answer within {self.connect_timeout_s:g} s") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise Unreachable(f"{self.url}: {type(exc).__name__}: {exc}") from None
        self._ws = ws
        self.connects += 1
        log.info("video assist: connected to %s", self.url)
        self._reader = asyncio.ensure_future(self._read(ws))

    async def reconnect(self, deadline: float | None = None) -> None:
        """Connect again, pausing with backoff between attempts, until through or time.monotonic()
        passes `deadline` (None: no limit); then send the remembered `call` again. Unreachable at
        the deadline; Rejected at once when the token is refused."""
        await self._drop_socket()
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.connect()
                break
            except Unreachable as exc:
                pause = backoff_delay(attempt, self.backoff_s)
                if deadline is not None and time.monotonic() + pause >= deadline:
                    raise
                log.info("video assist: reconnect attempt %d failed (%s); next in %.1f s", attempt, exc, pause)
                await asyncio.sleep(pause)
        if self._call is not None:
            await self.send(self._call)

    async def send(self, message: dict[str, Any]) -> bool:
        """Send `message` (checked against FROM_TERMINAL: a wrong one is our bug and raises
        ProtocolError). False when not connected: the message is lost and DROPPED is, or soon
        will be, in the inbox."""
        messages.check(message, FROM_TERMINAL)
        if message["type"] == "call":
            self._call = message
        elif message["type"] == "hangup":
            self._call = None
        elif message["type"] == "context" and self._call is not None:
            self._call = {**self._call, "context": message["context"]}
        ws = self._ws
        if ws is None or ws.closed:
            return False
        try:
            await ws.send_json(message)
        except (ConnectionError, RuntimeError, aiohttp.ClientError) as exc:
            log.info("video assist: sending %s failed: %s", message["type"], type(exc).__name__)
            return False
        log.debug("video assist: sent %s", message["type"])
        return True

    def forget_call(self) -> None:
        """No call to send again after a reconnect."""
        self._call = None

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for frame in ws:
                if frame.type == aiohttp.WSMsgType.TEXT:
                    self._received(frame.data)
                elif frame.type == aiohttp.WSMsgType.BINARY:
                    self.ignored += 1
                    log.warning("video assist: ignored a binary frame from the back office")
                elif frame.type == aiohttp.WSMsgType.ERROR:
                    log.info("video assist: connection error: %s", ws.exception())
        except Exception:
            log.exception("video assist: reading from the back office failed")
        finally:
            if ws is self._ws and not self._closing:
                log.info("video assist: connection to the back office lost (close code %s)", ws.close_code)
                self.inbox.put_nowait(DROPPED)

    def _received(self, raw: str) -> None:
        try:
            message = messages.parse(raw, TO_TERMINAL)
        except ProtocolError as exc:
            self.ignored += 1
            log.warning("video assist: ignored a message from the back office that does not fit the protocol: "
                        "%s: %s", exc.code, exc.detail[:200])
            return
        log.debug("video assist: received %s", message["type"])
        self.inbox.put_nowait(message)

    async def _drop_socket(self) -> None:
        ws, self._ws = self._ws, None
        reader, self._reader = self._reader, None
        if ws is not None and not ws.closed:
            try:
                await asyncio.wait_for(ws.close(), 2.0)
            except (asyncio.TimeoutError, Exception):
                pass
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def close(self) -> None:
        """Close the WebSocket and the HTTP session; nothing more arrives in the inbox."""
        self._closing = True
        await self._drop_socket()
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

