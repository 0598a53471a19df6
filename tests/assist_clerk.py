"""A clerk's console without a browser, for the video-assist tests and benchmarks: logs in through
the back office's real API (POST /api/login), holds the real /ws/clerk WebSocket with the session
cookie, checks every message it receives against messages.TO_CLERK, and answers the kiosk's
offer with a plain aiortc peer that sends a synthetic picture and a tone and counts what it
receives.

Everything is asyncio; run it on the loop the test runs (asyncio.run) or on a LoopThread.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from video_assist import messages
from video_assist.media import SyntheticVideoTrack, ToneTrack
from video_assist.peer import ice_configuration


class ScriptedClerk:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username, self.password = username, password
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.received: list[dict[str, Any]] = []
        self._new = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self.pc: RTCPeerConnection | None = None
        self.video_frames = 0
        self.video_size: tuple[int, int] | None = None
        self.audio_samples = 0
        self.audio_peak = 0
        self._media: list[asyncio.Task] = []

    # --- signalling -------------------------------------------------------------------------------

    async def connect(self) -> None:
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # cookies for 127.0.0.1
        async with self.session.post(self.base_url + "/api/login",
                                     json={"username": self.username, "password": self.password}) as response:
            if response.status != 200:
                raise AssertionError(f"login failed: {response.status} {await response.text()}")
        self.ws = await self.session.ws_connect(self.base_url.replace("http", "ws", 1) + "/ws/clerk")
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.ws is not None
        async for frame in self.ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                self.received.append(messages.parse(frame.data, messages.TO_CLERK))
                self._new.set()

    async def next(self, kind: str, timeout: float = 15.0, after: int = 0, **match: Any) -> dict[str, Any]:
        """The first received message of `kind` (from index `after`) whose fields equal `match`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self.received[after:]:
                if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                    return message
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no {kind} {match or ''} within {timeout} s; got "
                                     f"{[m['type'] for m in self.received]}")
            self._new.clear()
            try:
                await asyncio.wait_for(self._new.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def waiting_call(self, timeout: float = 15.0) -> dict[str, Any]:
        """The first call in a `queue` message."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        seen = 0
        while True:
            message = await self.next("queue", max(0.01, deadline - loop.time()), after=seen)
            seen = self.received.index(message) + 1
            if message["calls"]:
                return message["calls"][0]

    async def send(self, kind: str, **fields: Any) -> None:
        message = messages.message(kind, **fields)
        messages.check(message, messages.FROM_CLERK)
        assert self.ws is not None
        await self.ws.send_json(message)

    async def accept(self, call_id: str) -> dict[str, Any]:
        mark = len(self.received)
        await self.send("accept", call_id=call_id)
        return await self.next("accepted", after=mark, call_id=call_id)

    async def answer(self, call_id: str, ice_servers: list[dict[str, Any]] | None = None,
                     timeout: float = 20.0) -> None:
        """Wait for the kiosk's offer and answer it with a picture and a tone."""
        offer = await self.next("offer", timeout, call_id=call_id)
        self.pc = RTCPeerConnection(ice_configuration(ice_servers or []) if ice_servers is not None
                                    else RTCConfiguration(iceServers=[]))
        self.pc.on("track", lambda track: self._media.append(asyncio.ensure_future(self._consume(track))))
        await self.pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        self.pc.addTrack(SyntheticVideoTrack(320, 240))
        self.pc.addTrack(ToneTrack(frequency=660))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        await self.send("answer", call_id=call_id, sdp=self.pc.localDescription.sdp)

    async def take(self, timeout: float = 15.0) -> str:
        """Accept the first waiting call and answer its offer; its call_id."""
        call = await self.waiting_call(timeout)
        await self.accept(call["call_id"])
        await self.answer(call["call_id"])
        return call["call_id"]

    async def _consume(self, track) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.video_frames += 1
                self.video_size = (frame.width, frame.height)
            else:
                self.audio_samples += frame.samples
                self.audio_peak = int(np.abs(frame.to_ndarray().astype(np.int32)).max())

    async def media_until(self, frames: int, samples: int = 0, timeout: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.video_frames < frames or self.audio_samples < samples:
            if loop.time() > deadline:
                raise AssertionError(f"clerk got {self.video_frames} frames, {self.audio_samples} samples "
                                     f"within {timeout} s")
            await asyncio.sleep(0.05)

    # --- ending -----------------------------------------------------------------------------------

    async def close_peer(self) -> None:
        if self.pc is not None:
            await self.pc.close()
            self.pc = None
        for task in self._media:
            task.cancel()
        await asyncio.gather(*self._media, return_exceptions=True)
        self._media.clear()

    async def vanish(self) -> None:
        """The console goes away mid-call (tab closed, network gone): no hangup, socket closed."""
        await self.close_peer()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def close(self) -> None:
        await self.vanish()
        if self.session is not None:
            await self.session.close()
