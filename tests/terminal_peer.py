"""A minimal scripted terminal for tests: the signalling of `video_assist/messages.py` plus an
aiortc peer with a synthetic camera (640x480 moving pattern) and a 440 Hz tone.

    peer = TerminalPeer(base_url, token)
    await peer.connect()
    await peer.call(context)                 # -> the `queued` reply
    await peer.wait_for("accepted")          # an `accepted` makes it offer by itself (auto_offer)
    await peer.wait_for("answer")            # the answer is applied on arrival
    await peer.wait_media(video_frames=1, audio_samples=1)
    await peer.send("coview", shared=True, step=..., answers=[])
    await peer.hangup("citizen")
    await peer.close()

Everything it receives is validated against `messages.TO_TERMINAL` and kept in `received`.
All methods are coroutines for one asyncio loop; a sync test (Playwright's sync API) runs that
loop in its own thread: `LoopThread` in this module (`loop.run(coro)`).

The agent-C peer (`video_assist/peer.py`) is the real terminal; this one is for the signalling
and console tests and stays small on purpose.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
import uuid
from typing import Any, Coroutine, TypeVar

import aiohttp
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AUDIO_PTIME, VideoStreamTrack
from av import AudioFrame, VideoFrame

from video_assist import loopback, messages
from video_assist.network import NetworkLoop

T = TypeVar("T")

# Loopback gotcha (DOMAIN.md 5): browser and terminal on one machine pair only over 127.0.0.1,
# which aioice leaves out unless told (the kiosk's own switch, for the whole process).
loopback.use_loopback()

DEFAULT_CONTEXT = {"service": "meldebescheinigung", "service_title": "Meldebescheinigung", "step": "person",
                   "step_title": "Angaben zur Person", "language": "tr", "needs": ["large_text"]}


class PatternTrack(VideoStreamTrack):
    """640x480 frames at 30 fps, a bar moving across a gradient (so the encoder has work)."""

    def __init__(self) -> None:
        super().__init__()
        y = np.linspace(0, 255, 480, dtype=np.uint8)[:, None]
        self._base = np.repeat(np.repeat(y, 640, axis=1)[:, :, None], 3, axis=2)
        self.frames_sent = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = self._base.copy()
        x = (self.frames_sent * 8) % 640
        image[:, x:x + 40] = (0, 128, 255)  # an orange bar (BGR)
        frame = VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        self.frames_sent += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """A 440 Hz tone, 20 ms mono frames at 48 kHz, paced like a microphone."""

    kind = "audio"
    rate = 48000

    def __init__(self) -> None:
        super().__init__()
        self._samples = int(AUDIO_PTIME * self.rate)
        self._pts = 0
        self._start: float | None = None

    async def recv(self) -> AudioFrame:
        if self._start is None:
            self._start = time.time()
        else:
            wait = self._start + self._pts / self.rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
        t = (np.arange(self._samples) + self._pts) / self.rate
        data = (np.sin(2 * math.pi * 440 * t) * 8000).astype(np.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(data, format="s16", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = self.rate, self._pts, fractions.Fraction(1, self.rate)
        self._pts += self._samples
        return frame


class TerminalPeer:
    def __init__(self, base_url: str, token: str, *, call_id: str | None = None,
                 context: dict[str, Any] | None = None, auto_offer: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.call_id = call_id or str(uuid.uuid4())
        self.context = dict(context or DEFAULT_CONTEXT)
        self.auto_offer = auto_offer
        self.received: list[dict[str, Any]] = []
        self.invalid: list[str] = []  # messages from the server that TO_TERMINAL does not allow
        self.video_frames = 0
        self.audio_samples = 0
        self.pc: RTCPeerConnection | None = None
        self.ice_servers: list[dict[str, Any]] = []
        self.offered_at: float | None = None
        self.first_frame_at: float | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- signalling --------------------------------------------------------------------------

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http", "ws", 1) + "/ws/terminal"

    async def connect(self) -> None:
        self._session = aiohttp.ClientSession()
        self._ws = await self._session.ws_connect(self.ws_url, headers={"Authorization": f"Bearer {self.token}"},
                                                  heartbeat=15)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._ws is not None
        async for frame in self._ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            try:
                msg = messages.parse(frame.data, messages.TO_TERMINAL)
            except messages.ProtocolError as exc:  # the server broke the contract: tests assert on this
                self.invalid.append(f"{exc.code}: {exc.detail}")
                continue
            self.received.append(msg)
            if msg["type"] == "queued":
                self.ice_servers = msg["ice_servers"]
                if msg.get("requeued"):
                    await self._close_pc()
            elif msg["type"] == "accepted" and self.auto_offer:
                self._spawn(self.offer())
            elif msg["type"] == "answer" and self.pc is not None:
                await self.pc.setRemoteDescription(RTCSessionDescription(msg["sdp"], "answer"))
            elif msg["type"] == "hangup":
                await self._close_pc()
            self._wake()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def send(self, kind: str, **fields: Any) -> None:
        """Send a message of `kind` for this call (call_id filled in unless given)."""
        fields.setdefault("call_id", self.call_id)
        await self.send_raw(messages.message(kind, **fields))

    async def send_raw(self, msg: Any) -> None:
        assert self._ws is not None
        if isinstance(msg, (str, bytes)):
            await (self._ws.send_str(msg) if isinstance(msg, str) else self._ws.send_bytes(msg))
        else:
            await self._ws.send_json(msg)

    async def call(self, context: dict[str, Any] | None = None, timeout: float = 10) -> dict[str, Any]:
        if context is not None:
            self.context = dict(context)
        count = len(self.of_type("queued"))
        await self.send("call", context=self.context)
        return await self.wait_for("queued", after=count, timeout=timeout)

    async def hangup(self, reason: str = "citizen") -> None:
        await self.send("hangup", reason=reason)
        await self._close_pc()

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == kind]

    async def wait_for(self, kind: str, *, after: int | None = None, timeout: float = 10,
                       **match: Any) -> dict[str, Any]:
        """The first received `kind` message (the first after `after` of that kind) matching `match`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [m for m in self.of_type(kind)[after or 0:] if all(m.get(k) == v for k, v in match.items())]
            if found:
                return found[0]
            changed = self._changed
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {kind} {match or ''} within {timeout} s; got {[m['type'] for m in self.received]}")
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    # --- media -------------------------------------------------------------------------------

    async def offer(self) -> None:
        await self._close_pc()
        servers = [RTCIceServer(**s) for s in self.ice_servers]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self.pc = pc
        pc.addTrack(ToneTrack())
        pc.addTrack(PatternTrack())
        pc.on("track", lambda track: self._spawn(self._count(track)))
        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers all candidates here
        self.offered_at = time.monotonic()
        await self.send("offer", sdp=pc.localDescription.sdp)

    async def _count(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except Exception:  # MediaStreamError when the track ends
                return
            if track.kind == "video":
                self.video_frames += 1
                if self.first_frame_at is None:
                    self.first_frame_at = time.monotonic()
            else:
                self.audio_samples += frame.samples
            if self.video_frames % 10 == 1:
                self._wake()

    async def wait_media(self, *, video_frames: int = 1, audio_samples: int = 1, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.video_frames < video_frames or self.audio_samples < audio_samples:
            if time.monotonic() > deadline:
                raise TimeoutError(f"received {self.video_frames} video frames, {self.audio_samples} audio samples")
            await asyncio.sleep(0.05)

    async def _close_pc(self) -> None:
        pc, self.pc = self.pc, None
        if pc is not None:
            await pc.close()

    async def drop(self) -> None:
        """The connection breaks (no hangup): the server sees the WebSocket close."""
        await self._close_pc()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        self._ws = self._session = self._reader = None

    async def close(self) -> None:
        await self.drop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class LoopThread(NetworkLoop):
    """The network loop, for sync tests: `run(coro)` waits for the result."""

    def __init__(self) -> None:
        super().__init__("test-loop")

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self.submit(coro).result(timeout)
