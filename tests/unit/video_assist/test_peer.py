"""KioskPeer against a plain aiortc answerer in the same process, over loopback (as aiortc's own
tests connect two peers): picture and voice both ways, mute, close."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from video_assist import loopback
from video_assist.media import SyntheticVideoTrack, ToneTrack
from video_assist.peer import KioskPeer, describe_sdp, ice_configuration


@pytest.fixture(autouse=True)
def _loopback():
    loopback.use_loopback()
    yield
    loopback.restore()


class Clerk:
    """The far end: a plain RTCPeerConnection answering with its own picture and tone; it reads
    what the kiosk sends into lists of (kind, frame facts)."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.video_frames: list[tuple[int, int]] = []
        self.audio_peaks: list[int] = []
        self.tasks: list[asyncio.Task] = []
        self.pc.on("track", self._track)

    def _track(self, track) -> None:
        self.tasks.append(asyncio.ensure_future(self._read(track)))

    async def _read(self, track) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if track.kind == "video":
                self.video_frames.append((frame.width, frame.height))
            else:
                self.audio_peaks.append(int(np.abs(frame.to_ndarray().astype(np.int32)).max()))

    async def answer(self, offer: str) -> str:
        await self.pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        self.pc.addTrack(SyntheticVideoTrack(320, 240))
        self.pc.addTrack(ToneTrack(frequency=880))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    async def close(self) -> None:
        await self.pc.close()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _until(condition, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def _connected() -> tuple[KioskPeer, Clerk, list[str]]:
    states: list[str] = []
    peer = KioskPeer([], SyntheticVideoTrack(), ToneTrack(), on_state=states.append)
    clerk = Clerk()
    offer = await peer.offer()
    await peer.accept_answer(await clerk.answer(offer))
    return peer, clerk, states


def test_offer_is_complete_and_uses_loopback():
    async def scenario():
        peer = KioskPeer([], SyntheticVideoTrack(), ToneTrack())
        sdp = await peer.offer()
        await peer.close()
        return sdp

    sdp = asyncio.run(scenario())
    assert "m=video" in sdp and "m=audio" in sdp
    assert "a=candidate:" in sdp and "127.0.0.1" in sdp  # gathered before the offer: no trickle
    assert "VP8" in sdp
    assert "127.0.0.1" not in describe_sdp(sdp)  # what goes to the log names no address


def test_picture_and_voice_flow_both_ways():
    async def scenario():
        peer, clerk, states = await _connected()
        await _until(lambda: len(clerk.video_frames) >= 10 and peer.video.frames >= 10
                     and len(clerk.audio_peaks) >= 20 and peer.audio.samples >= 48000 * 0.4)
        latest = peer.video.latest()
        result = (list(states), clerk.video_frames[-1], latest, peer.audio.peak, max(clerk.audio_peaks[-10:]),
                  peer.video.first_frame_at)
        await peer.close()
        await clerk.close()
        return result

    states, clerk_sees, latest, kiosk_hears, clerk_hears, first = asyncio.run(scenario())
    assert "connected" in states
    assert clerk_sees == (640, 480)
    number, rgb = latest
    assert number >= 10 and rgb.shape == (240, 320, 3) and rgb.dtype == np.uint8
    assert first is not None
    assert kiosk_hears > 1000 and clerk_hears > 1000  # the tones, not silence


def test_mute_sends_silence_and_unmute_the_voice_again():
    async def scenario():
        peer, clerk, _ = await _connected()
        await _until(lambda: len(clerk.audio_peaks) >= 25)
        peer.mute(True)
        # What was in flight (jitter buffer, a loaded machine) passes: count from the first silence.
        start = len(clerk.audio_peaks)
        await _until(lambda: any(p < 50 for p in clerk.audio_peaks[start:]))
        muted_from = start + next(i for i, p in enumerate(clerk.audio_peaks[start:]) if p < 50)
        await _until(lambda: len(clerk.audio_peaks) >= muted_from + 25)
        muted = clerk.audio_peaks[muted_from:]
        peer.mute(False)
        await asyncio.sleep(0.6)
        again_from = len(clerk.audio_peaks)
        await _until(lambda: len(clerk.audio_peaks) >= again_from + 25)
        again = clerk.audio_peaks[again_from:]
        await peer.close()
        await clerk.close()
        return muted, again, peer.muted

    muted, again, still_muted = asyncio.run(scenario())
    assert max(muted) < 50, "muted: the clerk hears silence"
    assert max(again) > 1000, "unmuted: the clerk hears the voice again"
    assert not still_muted


def test_close_stops_everything_and_keeps_no_frame():
    async def scenario():
        peer, clerk, _ = await _connected()
        await _until(lambda: peer.video.frames >= 5)
        assert peer.video.latest() is not None
        await peer.close()
        await peer.close()  # twice is fine
        result = (peer.video.latest(), peer.camera.readyState, peer.microphone.readyState,
                  peer.microphone.source.readyState, peer.connection_state)
        await clerk.close()
        return result

    latest, camera, microphone, source, state = asyncio.run(scenario())
    assert latest is None
    assert camera == microphone == source == "ended"
    assert state == "closed"


def test_ice_servers_come_from_the_back_office_only():
    servers = ice_configuration([{"urls": ["stun:stun.example.org:3478"]},
                                 {"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "c"}]
                                ).iceServers
    assert [s.urls for s in servers] == [["stun:stun.example.org:3478"], ["turn:turn.example.org:3478"]]
    assert servers[1].username == "u" and servers[1].credential == "c"
    assert ice_configuration([]).iceServers == []  # never aiortc's default (Google's STUN server)
