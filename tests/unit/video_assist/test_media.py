"""The call's tracks: the camera's frames from a real FrameOwner over the SyntheticCamera, the test
picture, the tone, the mute switch, the sinks, the ALSA devices' errors, the loopback override."""

from __future__ import annotations

import asyncio
import threading
import time

import aioice.ice
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from hardware.camera import FrameOwner, SyntheticCamera
from video_assist import loopback
from video_assist.media import (
    AudioSink,
    CameraTrack,
    FrameSink,
    MediaError,
    MutableAudioTrack,
    SyntheticVideoTrack,
    ToneTrack,
    bgr_to_i420,
    fit_size,
    microphone,
)


class PausableCamera(SyntheticCamera):
    """The synthetic camera with a pause: while paused, read() gives nothing (a stalled camera)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.paused = threading.Event()

    def read(self):
        if self.paused.is_set():
            time.sleep(0.01)
            return None
        return super().read()


def _frames(track, count: int) -> list:
    async def take():
        try:
            return [await track.recv() for _ in range(count)]
        finally:
            track.stop()

    return asyncio.run(take())


def test_fit_size_keeps_the_aspect_never_enlarges_and_stays_even():
    assert fit_size(1280, 720) == (640, 360)
    assert fit_size(960, 1280) == (360, 480)  # the demo's portrait camera
    assert fit_size(640, 480) == (640, 480)
    assert fit_size(320, 240) == (320, 240)
    assert fit_size(1921, 1081) == (640, 360)
    assert fit_size(321, 241) == (320, 240)  # yuv420p halves both sides


def test_bgr_to_i420_scales_and_keeps_the_colour():
    image = np.full((720, 1280, 3), (255, 0, 0), dtype=np.uint8)  # pure blue in BGR
    image.flags.writeable = False  # as the owner shares them
    planes = bgr_to_i420(image)
    assert planes.shape == (360 * 3 // 2, 640)
    u = planes[360:360 + 90].reshape(-1)
    assert u.mean() > 200  # blue: high U (Cb)


@pytest.mark.parametrize("size, sent", [((1280, 720), (640, 360)), ((960, 1280), (360, 480)),
                                        ((640, 480), (640, 480))])
def test_camera_track_sends_the_owners_frames_scaled(size, sent):
    with FrameOwner(SyntheticCamera(*size, fps=30)) as owner:
        track = CameraTrack(owner)
        frames = _frames(track, 8)
    assert {(f.width, f.height) for f in frames} == {sent}
    assert all(f.format.name == "yuv420p" for f in frames)
    assert track.frames == 8 and track.repeats == 0
    pts = [f.pts for f in frames]
    assert pts == sorted(set(pts))  # strictly rising


def test_camera_track_paces_a_fast_camera_to_30_fps():
    with FrameOwner(SyntheticCamera(320, 240, fps=120)) as owner:
        track = CameraTrack(owner)

        async def count_for(seconds: float) -> int:
            end = time.monotonic() + seconds
            n = 0
            while time.monotonic() < end:
                await track.recv()
                n += 1
            track.stop()
            return n

        sent = asyncio.run(count_for(1.0))
    assert sent <= 33


def test_camera_track_repeats_the_last_frame_while_the_camera_stalls_then_goes_on():
    camera = PausableCamera(640, 480, fps=30)
    with FrameOwner(camera, stall_s=5.0) as owner:
        track = CameraTrack(owner, repeat_after_s=0.05)

        async def scenario():
            live = [await track.recv() for _ in range(3)]
            camera.paused.set()
            await asyncio.sleep(0.1)  # the frame in flight arrives
            await track.recv()
            stalled = [await track.recv() for _ in range(4)]
            repeats = track.repeats
            camera.paused.clear()
            back = [await track.recv() for _ in range(3)]
            track.stop()
            return live, stalled, repeats, back

        live, stalled, repeats, back = asyncio.run(scenario())
    assert repeats >= 4
    still = [f.to_ndarray() for f in stalled]
    assert all(np.array_equal(still[0], s) for s in still[1:]), "the same picture again"
    assert not np.array_equal(still[-1], back[-1].to_ndarray()), "new frames once the camera is back"
    assert [f.pts for f in stalled] == sorted(set(f.pts for f in stalled))


def test_camera_track_sends_grey_before_the_first_frame():
    owner = FrameOwner(SyntheticCamera(640, 480))  # never started: no frame comes
    track = CameraTrack(owner, repeat_after_s=0.02)
    frame = _frames(track, 1)[0]
    assert (frame.width, frame.height) == (640, 480)
    assert int(frame.to_ndarray()[:480].mean()) == 128
    assert track.repeats == 1 and track.frames == 0


def test_camera_track_keeps_no_frame_after_stop():
    with FrameOwner(SyntheticCamera(640, 480, fps=30)) as owner:
        track = CameraTrack(owner)
        _frames(track, 2)  # stops the track

    async def after_stop():
        with pytest.raises(MediaStreamError):
            await track.recv()

    asyncio.run(after_stop())
    assert track._last is None


def test_synthetic_video_is_640x480_at_30_and_moves():
    track = SyntheticVideoTrack()
    started = time.monotonic()
    frames = _frames(track, 10)
    took = time.monotonic() - started
    assert {(f.width, f.height, f.format.name) for f in frames} == {(640, 480, "yuv420p")}
    assert [f.pts for f in frames] == [i * 3000 for i in range(10)]  # 90 kHz clock, 30 fps
    assert not np.array_equal(frames[0].to_ndarray(), frames[9].to_ndarray())
    assert took >= 9 / 30 - 0.02  # real time: it does not run ahead


def test_tone_is_48k_mono_s16_440hz_in_20ms_frames_in_real_time():
    track = ToneTrack()
    started = time.monotonic()
    frames = _frames(track, 25)
    took = time.monotonic() - started
    assert {(f.sample_rate, f.layout.name, f.format.name, f.samples) for f in frames} == {(48000, "mono", "s16", 960)}
    assert [f.pts for f in frames] == [i * 960 for i in range(25)]
    samples = np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    peak_hz = np.argmax(spectrum) * 48000 / len(samples)
    assert abs(peak_hz - 440) < 3
    assert np.abs(np.diff(samples)).max() < 32767 * 0.25 * 2 * np.pi * 440 / 48000 * 1.05  # no click between frames
    assert took >= 24 * 0.020 - 0.02


def test_mute_gives_silence_of_the_same_length_and_time():
    track = MutableAudioTrack(ToneTrack())

    async def scenario():
        loud = await track.recv()
        track.muted = True
        quiet = await track.recv()
        track.muted = False
        again = await track.recv()
        track.stop()
        return loud, quiet, again

    loud, quiet, again = asyncio.run(scenario())
    assert np.abs(loud.to_ndarray()).max() > 1000
    assert not quiet.to_ndarray().any()
    assert (quiet.samples, quiet.sample_rate, quiet.pts) == (960, 48000, 960)
    assert np.abs(again.to_ndarray()).max() > 1000
    assert track.source.readyState == "ended"  # stopping the switch stops the microphone


def test_frame_sink_keeps_only_the_newest_frame_as_rgb_and_drops_it_on_stop():
    firsts = []
    sink = FrameSink(on_first_frame=lambda: firsts.append(time.monotonic()))

    async def scenario():
        source = SyntheticVideoTrack(320, 240)
        sink.consume(source)
        while sink.frames < 5:
            await asyncio.sleep(0.01)
        latest = sink.latest()
        again = sink.latest()
        source.stop()
        await sink.stop()
        return latest, again

    latest, again = asyncio.run(scenario())
    number, rgb = latest
    assert number >= 5 and rgb.shape == (240, 320, 3) and rgb.dtype == np.uint8
    assert again[1] is rgb  # converted once per frame
    assert len(firsts) == 1 and sink.first_frame_at <= firsts[0]
    assert sink.latest() is None


def test_audio_sink_counts_what_it_drops():
    sink = AudioSink("none")

    async def scenario():
        source = ToneTrack()
        sink.consume(source)
        while sink.samples < 960 * 10:
            await asyncio.sleep(0.01)
        source.stop()
        await sink.stop()

    asyncio.run(scenario())
    assert sink.samples >= 9600 and sink.peak > 1000 and sink.error is None


def test_microphone_tone_and_a_missing_alsa_device():
    assert isinstance(microphone("tone", "default"), ToneTrack)
    with pytest.raises(MediaError, match="no-such-card"):
        microphone("alsa", "hw:no-such-card")
    with pytest.raises(ValueError):
        microphone("pulse", "default")  # type: ignore[arg-type]


def test_microphone_and_speaker_on_alsa_null_device():
    """ALSA for real, through the av wheel's alsa-lib, on the "null" device every ALSA has."""
    track = microphone("alsa", "null")
    sink = AudioSink("alsa", "null")

    async def scenario():
        frame = await track.recv()
        source = ToneTrack()
        sink.consume(source)
        while sink.samples < 960 * 10:
            await asyncio.sleep(0.01)
        source.stop()
        track.stop()
        await sink.stop()
        return frame

    frame = asyncio.run(scenario())
    assert frame.samples > 0
    assert sink.error is None and sink.samples >= 9600


def test_a_speaker_that_cannot_be_opened_leaves_the_call_going_without_sound():
    sink = AudioSink("alsa", "hw:no-such-card")

    async def scenario():
        source = ToneTrack()
        sink.consume(source)
        while sink.samples < 960 * 3:
            await asyncio.sleep(0.01)
        source.stop()
        await sink.stop()

    asyncio.run(scenario())
    assert "no-such-card" in sink.error
    assert sink.samples >= 2880


@pytest.mark.parametrize("url, local", [
    ("http://127.0.0.1:8080", True), ("https://localhost/", True), ("http://[::1]:80", True),
    ("ws://127.8.0.1/ws", True), ("127.0.0.1:9000", True), ("https://backoffice.example.org", False),
    ("http://192.0.2.2:8080", False), ("", False)])
def test_is_loopback(url, local):
    assert loopback.is_loopback(url) is local


def test_loopback_override_applies_only_when_asked_and_is_undone():
    loopback.restore()  # an earlier test's call on loopback may have left it on (it is process-wide)
    original = aioice.ice.get_host_addresses
    try:
        assert loopback.apply_for("https://backoffice.example.org") is False
        assert aioice.ice.get_host_addresses is original
        assert loopback.apply_for("http://127.0.0.1:8080") is True
        assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1"]
        assert aioice.ice.get_host_addresses(False, True) == []
    finally:
        loopback.restore()
    assert aioice.ice.get_host_addresses is original and not loopback.active()
