"""The kiosk's end of the WebRTC connection: one RTCPeerConnection per call, the kiosk offering.

aiortc gathers all ICE candidates inside setLocalDescription, so offer() returns a complete
SDP and no candidate is sent separately (no trickle). Only the ICE servers the back office
names (`queued` / `accepted`) are used: with none, aiortc would ask Google's STUN server.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from video_assist.media import AudioSink, FrameSink, MutableAudioTrack

log = logging.getLogger(__name__)

_CANDIDATE = re.compile(r"^a=candidate:.*$", re.MULTILINE)


def ice_configuration(ice_servers: Iterable[dict[str, Any]]) -> RTCConfiguration:
    """An RTCConfiguration from the protocol's `ice_servers` (messages.ICE_SERVER)."""
    return RTCConfiguration(iceServers=[
        RTCIceServer(urls=list(server["urls"]), username=server.get("username"),
                     credential=server.get("credential"))
        for server in ice_servers])


def describe_sdp(sdp: str) -> str:
    """An SDP for the log without addresses: its media lines and how many candidates it has."""
    media = [line.split(" ")[0][2:] for line in sdp.splitlines() if line.startswith("m=")]
    return f"{len(sdp)} bytes, media {'+'.join(media) or 'none'}, {len(_CANDIDATE.findall(sdp))} candidate(s)"


class KioskPeer:
    """One call's peer connection: sends `camera` and `microphone` (mutable), receives the clerk's
    picture into `video` and voice into `audio`.

    `on_state(state)` hears every connectionState ("connecting", "connected", "failed",
    "closed"); `on_first_frame()` the first picture from the clerk. Both are called on the loop.
    close() stops the tracks and sinks; no frame is kept after it.
    """

    def __init__(self, ice_servers: Iterable[dict[str, Any]], camera: MediaStreamTrack,
                 microphone: MediaStreamTrack, *, speaker: Literal["alsa", "none"] = "none",
                 audio_device: str = "default", on_state: Callable[[str], None] | None = None,
                 on_first_frame: Callable[[], None] | None = None) -> None:
        self.pc = RTCPeerConnection(ice_configuration(ice_servers))
        self.camera = camera
        self.microphone = MutableAudioTrack(microphone)
        self.video = FrameSink(on_first_frame)
        self.audio = AudioSink(speaker, audio_device)
        self.on_state = on_state
        self._closed = False
        self.pc.on("track", self._track)
        self.pc.on("connectionstatechange", self._state)

    @property
    def connection_state(self) -> str:
        return self.pc.connectionState

    @property
    def muted(self) -> bool:
        return self.microphone.muted

    def mute(self, muted: bool) -> None:
        """The citizen's microphone: while muted the clerk hears silence."""
        self.microphone.muted = bool(muted)

    async def offer(self) -> str:
        """Add the tracks, create the offer and set it (gathering ICE); the complete offer SDP."""
        self.pc.addTrack(self.camera)
        self.pc.addTrack(self.microphone)
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = self.pc.localDescription.sdp
        log.info("video assist: offer ready (%s)", describe_sdp(sdp))
        log.debug("video assist: offer SDP:\n%s", sdp)
        return sdp

    async def accept_answer(self, sdp: str) -> None:
        """The clerk's answer; media starts flowing once ICE and DTLS are through."""
        log.info("video assist: answer received (%s)", describe_sdp(sdp))
        log.debug("video assist: answer SDP:\n%s", sdp)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    def _track(self, track: MediaStreamTrack) -> None:
        log.info("video assist: receiving the clerk's %s", track.kind)
        if track.kind == "video":
            self.video.consume(track)
        elif track.kind == "audio":
            self.audio.consume(track)

    def _state(self) -> None:
        state = self.pc.connectionState
        log.info("video assist: connection %s", state)
        if self.on_state is not None and not self._closed:
            self.on_state(state)

    async def close(self) -> None:
        """End the connection, stop the tracks and sinks, drop every frame. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.camera.stop()
        self.microphone.stop()
        try:
            await asyncio.wait_for(self.pc.close(), 5.0)
        except Exception:
            log.exception("video assist: closing the peer connection failed")
        await self.video.stop()
        await self.audio.stop()
