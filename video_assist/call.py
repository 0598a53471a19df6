"""One help call from the kiosk's side, from the citizen's tap to the hang-up.

    call = AssistCall(server, token, CallContext(language="de"), camera=..., microphone=..., on_event=...)
    ended = await call.run()          # on the network loop; events arrive through on_event

The flow (messages.py): connect, send `call`, wait in the queue (Queued on every change), the
clerk accepts (Answered), the kiosk offers and the clerk answers, the first picture from the
clerk arrives (Connected), proposals and pointing arrive (Proposed, Pointed), until either side
hangs up (Ended, always the last event). Along the way:
- no connection within connect_timeout_s: Ended("unreachable"); token refused: Ended("rejected");
- the WebSocket drops: Reconnecting, then reconnect with backoff and send `call` again with the
  same call_id (the back office keeps the place for a while, or queues it anew after a restart).
  A call in progress is over when the socket drops (the back office tells the clerk at once), so
  the peer connection is closed and the citizen waits again;
- the clerk's console goes away mid-call: the back office requeues the call at the head
  (Queued(requeued=True)): the peer connection is closed and the call waits again;
- nobody accepts within wait_max_s (None: no limit): hangup `no_clerk`, Ended("no_clerk").

Privacy: SDPs appear in the log only at DEBUG, coview contents and proposed values never.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from aiortc.mediastreams import MediaStreamTrack

from video_assist import loopback, messages
from video_assist.client import BACKOFF_S, DROPPED, Rejected, SignallingClient, Unreachable
from video_assist.peer import KioskPeer

log = logging.getLogger(__name__)

T = TypeVar("T")

ANSWER_TIMEOUT_S = 30.0  # from our offer to the clerk's answer
MEDIA_TIMEOUT_S = 20.0  # from the answer to a working connection
HANGUP_SEND_S = 2.0  # how long the last `hangup` may take to leave

# Reasons of Ended besides messages.HANGUP_REASONS.
LOCAL_REASONS = ("unreachable", "rejected")

TrackFactory = Callable[[], MediaStreamTrack]


@dataclass(frozen=True)
class CallContext:
    """Where the citizen is (messages.CONTEXT): what the clerk sees in the queue and in the call."""

    service: str | None = None
    service_title: str | None = None
    step: str | None = None
    step_title: str | None = None
    language: str = "de"
    needs: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"service": self.service, "service_title": self.service_title, "step": self.step,
                "step_title": self.step_title, "language": self.language, "needs": list(self.needs)}


class CallEvent:
    """What happened in the call (the base of the events below)."""


@dataclass(frozen=True)
class Queued(CallEvent):
    position: int
    expected_wait_s: int | None  # None: no estimate yet
    requeued: bool = False  # the clerk's side went away mid-call


@dataclass(frozen=True)
class Answered(CallEvent):
    clerk: str  # the clerk's display name


@dataclass(frozen=True)
class Connected(CallEvent):
    """Media flows: the first picture from the clerk arrived."""


@dataclass(frozen=True)
class Proposed(CallEvent):
    proposal_id: str
    field: str
    value: str


@dataclass(frozen=True)
class Pointed(CallEvent):
    control: str


@dataclass(frozen=True)
class Reconnecting(CallEvent):
    """The connection to the back office dropped; trying again."""


@dataclass(frozen=True)
class Ended(CallEvent):
    """The last event of every call. `reason`: one of messages.HANGUP_REASONS, "unreachable" or
    "rejected" (the token was refused); `detail` a sentence for the operator's log."""

    reason: str
    detail: str = field(default="", compare=False)


class _HungUp(Exception):
    """hang_up() was called while the call waited for something."""


@dataclass(frozen=True)
class _FirstFrame:
    peer: KioskPeer


@dataclass(frozen=True)
class _PeerState:
    peer: KioskPeer
    state: str


Phase = Literal["idle", "connecting", "waiting", "offered", "answered", "in_call", "reconnecting", "ended"]


class AssistCall:
    """One call's lifecycle. Every method runs on the network loop (NetworkLoop); `on_event` is
    called there too and must return quickly (the UI bridges it to its own thread).

    `camera` and `microphone` make a fresh track for each peer connection (a requeued call
    connects again). `loopback`: None applies the 127.0.0.1 ICE override when the server is on
    this machine, True always, False never (loopback.py).
    """

    def __init__(self, server_url: str, token: str, context: CallContext, *, camera: TrackFactory,
                 microphone: TrackFactory, speaker: Literal["alsa", "none"] = "none", audio_device: str = "default",
                 on_event: Callable[[CallEvent], None] | None = None, connect_timeout_s: float = 5.0,
                 wait_max_s: float | None = 120.0, call_id: str | None = None, loopback: bool | None = None,
                 backoff_s: tuple[float, float] = BACKOFF_S, answer_timeout_s: float = ANSWER_TIMEOUT_S,
                 media_timeout_s: float = MEDIA_TIMEOUT_S) -> None:
        self.server_url = server_url
        self.call_id = call_id or str(uuid.uuid4())
        messages.check(messages.message("call", call_id=self.call_id, context=context.as_dict()),
                       messages.FROM_TERMINAL)  # a bad call_id or context fails here, not on the server
        self.context = context
        self._token = token
        self._camera, self._microphone = camera, microphone
        self._speaker, self._audio_device = speaker, audio_device
        self._on_event = on_event
        self.connect_timeout_s = connect_timeout_s
        self.wait_max_s = wait_max_s
        self._loopback = loopback
        self._backoff_s = backoff_s
        self._answer_timeout_s, self._media_timeout_s = answer_timeout_s, media_timeout_s
        self.phase: Phase = "idle"
        self.peer: KioskPeer | None = None
        self.clerk: str | None = None
        self.ice_servers: list[dict[str, Any]] = []
        self.ended: Ended | None = None
        self.started_at: float | None = None  # time.monotonic() when run() began (the help tap)
        self.offer_started_at: float | None = None  # ... when the latest offer began (createOffer, ICE gathering)
        self._muted = False
        self._client: SignallingClient | None = None
        self._inbox: asyncio.Queue[Any] | None = None
        self._hangup: asyncio.Event | None = None
        self._hangup_reason = "citizen"
        self._done: asyncio.Event | None = None
        self._placed = False  # `call` was sent: the back office knows the call
        self._waiting_since = 0.0
        self._phase_since = 0.0
        self._peer_connected = False

    # --- what the UI asks (through the network loop) ----------------------------------------------

    async def run(self) -> Ended:
        """The whole call; returns its Ended (also the last event)."""
        if self.started_at is not None:
            raise RuntimeError("an AssistCall runs once; make a new one for the next call")
        self.started_at = time.monotonic()
        self._inbox = asyncio.Queue()
        self._hangup = self._hangup or asyncio.Event()
        self._done = self._done or asyncio.Event()
        if self._loopback is not False:
            loopback.apply_for(self.server_url, force=bool(self._loopback))
        self._client = SignallingClient(self.server_url, self._token, connect_timeout_s=self.connect_timeout_s,
                                        backoff_s=self._backoff_s, inbox=self._inbox)
        send_hangup = False
        try:
            ended, send_hangup = await self._lifecycle()
        except _HungUp:
            ended, send_hangup = Ended(self._hangup_reason, "hung up on the kiosk"), True
        except asyncio.CancelledError:
            ended = Ended("session_ended", "the network loop was stopped")
            await self._finish(ended, send_hangup=True)
            raise
        except Exception as exc:
            log.exception("video assist: call %s failed", self.call_id)
            ended, send_hangup = Ended("error", f"{type(exc).__name__}: {exc}"), True
        await self._finish(ended, send_hangup)
        return ended

    async def hang_up(self, reason: str = "citizen") -> None:
        """End the call (sends `hangup` with `reason` when the back office knows the call); returns
        when it has ended, or after a few seconds."""
        if reason not in messages.HANGUP_REASONS:
            raise ValueError(f"hang-up reason must be one of {messages.HANGUP_REASONS}, got {reason!r}")
        if self.ended is not None:
            return
        self._hangup = self._hangup or asyncio.Event()
        self._done = self._done or asyncio.Event()
        if not self._hangup.is_set():
            self._hangup_reason = reason
            self._hangup.set()
        if self.started_at is None:
            return  # run() will end at once
        try:
            await asyncio.wait_for(self._done.wait(), HANGUP_SEND_S + 6.0)
        except asyncio.TimeoutError:
            log.warning("video assist: call %s did not end within a few seconds of hang_up", self.call_id)

    async def update(self, context: CallContext) -> bool:
        """The citizen moved on: the clerk sees the new place (also after a reconnect). Whether sent."""
        messages.check(messages.message("context", call_id=self.call_id, context=context.as_dict()),
                       messages.FROM_TERMINAL)
        self.context = context
        if not self._placed or self._client is None or self.phase in ("reconnecting", "ended"):
            return False
        return await self._client.send(messages.message("context", call_id=self.call_id, context=context.as_dict()))

    async def share(self, step: dict[str, Any] | None, answers: list[dict[str, Any]]) -> bool:
        """Show the clerk the citizen's page and answers (after the citizen agreed); share(None, [])
        withdraws them. Only while a clerk is on the call; whether sent."""
        if step is None and not answers:
            message = messages.message("coview", call_id=self.call_id, shared=False)
        else:
            message = messages.message("coview", call_id=self.call_id, shared=True, step=step, answers=answers)
        return await self._send_in_call(message)

    async def reply(self, proposal_id: str, accepted: bool) -> bool:
        """The citizen's answer to a proposal; whether sent."""
        return await self._send_in_call(messages.message("proposal_reply", call_id=self.call_id,
                                                         proposal_id=proposal_id, accepted=bool(accepted)))

    def mute(self, muted: bool) -> None:
        """The citizen's microphone (kept for the next peer connection too)."""
        self._muted = bool(muted)
        if self.peer is not None:
            self.peer.mute(self._muted)

    @property
    def muted(self) -> bool:
        return self._muted

    # --- the lifecycle ----------------------------------------------------------------------------

    async def _lifecycle(self) -> tuple[Ended, bool]:
        """(Ended, whether to send `hangup`)."""
        assert self._client is not None and self._inbox is not None
        self._set_phase("connecting")
        try:
            await self._guard(self._client.connect())
        except Rejected as exc:
            return Ended("rejected", str(exc)), False
        except Unreachable as exc:
            return Ended("unreachable", str(exc)), False
        self._placed = True
        self._waiting_since = time.monotonic()
        self._set_phase("waiting")
        await self._client.send(messages.message("call", call_id=self.call_id, context=self.context.as_dict()))
        while True:
            try:
                item = await self._guard(self._inbox.get(), self._timeout())
            except asyncio.TimeoutError:
                return self._timed_out()
            if item is DROPPED:
                outcome = await self._reconnect()
            elif isinstance(item, _FirstFrame):
                outcome = self._first_frame(item)
            elif isinstance(item, _PeerState):
                outcome = self._peer_state(item)
            else:
                outcome = await self._handle(item)
            if outcome is not None:
                return outcome

    def _timeout(self) -> float | None:
        now = time.monotonic()
        if self.phase == "waiting" and self.wait_max_s is not None:
            return max(0.0, self._waiting_since + self.wait_max_s - now)
        if self.phase == "offered":
            return max(0.0, self._phase_since + self._answer_timeout_s - now)
        if self.phase == "answered" and not self._peer_connected:
            return max(0.0, self._phase_since + self._media_timeout_s - now)
        return None

    def _timed_out(self) -> tuple[Ended, bool]:
        if self.phase == "waiting":
            return Ended("no_clerk", f"no clerk accepted within {self.wait_max_s:g} s"), True
        if self.phase == "offered":
            return Ended("error", f"the clerk's console did not answer within {self._answer_timeout_s:g} s"), True
        return Ended("error", f"no media connection within {self._media_timeout_s:g} s of the answer"), True

    async def _reconnect(self) -> tuple[Ended, bool] | None:
        assert self._client is not None
        self._emit(Reconnecting())
        if self.peer is not None:  # the back office ended the call when the socket dropped
            await self._close_peer()
            self._waiting_since = time.monotonic()
        self._set_phase("reconnecting")
        deadline = None if self.wait_max_s is None else self._waiting_since + self.wait_max_s
        try:
            await self._guard(self._client.reconnect(deadline))
        except Rejected as exc:
            return Ended("rejected", str(exc)), False
        except Unreachable as exc:
            return Ended("unreachable", f"the back office did not come back before the waiting limit: {exc}"), False
        self._set_phase("waiting")
        return None

    async def _handle(self, message: dict[str, Any]) -> tuple[Ended, bool] | None:
        kind = message["type"]
        if kind == "error":
            log.warning("video assist: the back office says %s: %s", message["code"], message["detail"][:200])
            if message["code"] == "forbidden" and message.get("call_id") == self.call_id:
                return Ended("error", f"the back office refused the call: {message['detail'][:200]}"), False
            return None
        if message.get("call_id") != self.call_id:
            log.warning("video assist: ignored %s for another call", kind)
            return None
        if kind == "queued":
            return await self._queued(message)
        if kind == "accepted":
            return await self._accepted(message)
        if kind == "answer":
            return await self._answer(message)
        if kind == "hangup":
            return Ended(message["reason"], "hung up by the back office or the clerk"), False
        if self.phase not in ("offered", "answered", "in_call"):
            log.warning("video assist: ignored %s outside a call", kind)
            return None
        if kind == "propose":
            self._emit(Proposed(message["proposal_id"], message["field"], message["value"]))
        elif kind == "point":
            self._emit(Pointed(message["control"]))
        return None

    async def _queued(self, message: dict[str, Any]) -> None:
        self.ice_servers = list(message["ice_servers"])
        requeued = bool(message.get("requeued", False)) or self.peer is not None
        if self.peer is not None:
            await self._close_peer()
        if requeued or self.phase != "waiting":
            self._waiting_since = time.monotonic()  # a fresh wait: the clerk was lost, not the citizen's turn
            self.clerk = None
        self._set_phase("waiting")
        self._emit(Queued(message["position"], message["expected_wait_s"], requeued))
        return None

    async def _accepted(self, message: dict[str, Any]) -> tuple[Ended, bool] | None:
        if self.phase != "waiting":
            log.warning("video assist: ignored accepted while %s", self.phase)
            return None
        self.clerk = message["clerk"]
        self._set_phase("offered")
        self._emit(Answered(self.clerk))
        try:
            peer = KioskPeer(self.ice_servers, self._camera(), self._microphone(), speaker=self._speaker,
                             audio_device=self._audio_device)
        except Exception as exc:  # camera or microphone cannot be opened
            log.warning("video assist: cannot start the media: %s", exc)
            return Ended("error", f"cannot start camera or microphone: {exc}"), True
        peer.video.on_first_frame = lambda: self._post(_FirstFrame(peer))
        peer.on_state = lambda state: self._post(_PeerState(peer, state))
        peer.mute(self._muted)
        self.peer = peer
        self._peer_connected = False
        self.offer_started_at = time.monotonic()
        sdp = await self._guard(peer.offer())
        assert self._client is not None
        await self._client.send(messages.message("offer", call_id=self.call_id, sdp=sdp))
        self._set_phase("offered")  # the answer timeout runs from the sent offer
        return None

    async def _answer(self, message: dict[str, Any]) -> tuple[Ended, bool] | None:
        if self.phase != "offered" or self.peer is None:
            log.warning("video assist: ignored an answer while %s", self.phase)
            return None
        try:
            await self._guard(self.peer.accept_answer(message["sdp"]))
        except _HungUp:
            raise
        except Exception as exc:
            log.warning("video assist: the clerk's answer cannot be used: %s", exc)
            return Ended("error", f"the clerk's answer cannot be used: {exc}"), True
        self._set_phase("answered")
        return None

    def _first_frame(self, item: _FirstFrame) -> None:
        if item.peer is self.peer and self.phase == "answered":
            self._set_phase("in_call")
            self._emit(Connected())
        return None

    def _peer_state(self, item: _PeerState) -> tuple[Ended, bool] | None:
        if item.peer is not self.peer:
            return None
        if item.state == "connected":
            self._peer_connected = True
        elif item.state == "failed":
            return Ended("error", "the media connection failed"), True
        return None

    # --- helpers ----------------------------------------------------------------------------------

    async def _guard(self, awaitable: Awaitable[T], timeout: float | None = None) -> T:
        """The result of `awaitable`; _HungUp when hang_up() comes first, asyncio.TimeoutError
        after `timeout` s."""
        assert self._hangup is not None
        if self._hangup.is_set():
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise _HungUp
        work = asyncio.ensure_future(awaitable)
        stop = asyncio.ensure_future(self._hangup.wait())
        try:
            done, _ = await asyncio.wait({work, stop}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            work.cancel()
            stop.cancel()
            raise
        if work in done:
            stop.cancel()
            return work.result()
        work.cancel()
        stop.cancel()
        await asyncio.gather(work, return_exceptions=True)
        if stop in done:
            raise _HungUp
        raise asyncio.TimeoutError

    def _post(self, item: Any) -> None:
        if self._inbox is not None and self.ended is None:
            self._inbox.put_nowait(item)

    def _set_phase(self, phase: Phase) -> None:
        if phase != self.phase:
            log.info("video assist: call %s %s", self.call_id, phase)
        self.phase = phase
        self._phase_since = time.monotonic()

    def _emit(self, event: CallEvent) -> None:
        if self.ended is not None or self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            log.exception("video assist: the event listener failed on %s", type(event).__name__)

    async def _send_in_call(self, message: dict[str, Any]) -> bool:
        messages.check(message, messages.FROM_TERMINAL)
        if self._client is None or self.phase not in ("offered", "answered", "in_call"):
            return False
        return await self._client.send(message)

    async def _close_peer(self) -> None:
        peer, self.peer = self.peer, None
        self._peer_connected = False
        if peer is not None:
            await peer.close()

    async def _finish(self, ended: Ended, send_hangup: bool) -> None:
        """Say goodbye when we are the one ending, close everything, then the last event."""
        client = self._client
        try:
            if send_hangup and self._placed and client is not None and client.connected:
                try:
                    await asyncio.wait_for(client.send(messages.message("hangup", call_id=self.call_id,
                                                                        reason=ended.reason)), HANGUP_SEND_S)
                except (asyncio.TimeoutError, Exception) as exc:
                    log.info("video assist: hangup not sent: %s", type(exc).__name__)
            await self._close_peer()
            if client is not None:
                await client.close()
        except Exception:
            log.exception("video assist: closing call %s failed", self.call_id)
        finally:
            self._set_phase("ended")
            log.info("video assist: call %s ended: %s%s", self.call_id, ended.reason,
                     f" ({ended.detail})" if ended.detail else "")
            on_event, self._on_event = self._on_event, None
            self.ended = ended
            if on_event is not None:
                try:
                    on_event(ended)
                except Exception:
                    log.exception("video assist: the event listener failed on Ended")
            if self._done is not None:
                self._done.set()
