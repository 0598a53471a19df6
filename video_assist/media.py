"""The tracks of a video-assist call: what the kiosk sends and what it does with what it receives.

Sent: the citizen's picture (`CameraTrack`, frames taken from the camera's one owner; or
`SyntheticVideoTrack` for tests and the demo) and voice (`microphone()`: ALSA, or `ToneTrack`
as its simulator), the voice behind a `MutableAudioTrack` so the citizen can mute it.
Received: the clerk's picture (`FrameSink`, keeps only the newest frame for the screen) and voice
(`AudioSink`, played on ALSA or dropped).

No frame outlives its use: a track keeps at most its last frame, a sink its newest one, and
stop() drops both.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal

import cv2
import numpy as np
from aiortc.mediastreams import (
    AUDIO_PTIME,
    VIDEO_CLOCK_RATE,
    VIDEO_TIME_BASE,
    AudioStreamTrack,
    MediaStreamError,
    MediaStreamTrack,
    VideoStreamTrack,
)
from av import AudioFrame, VideoFrame

if TYPE_CHECKING:
    from hardware.camera.owner import FrameOwner

log = logging.getLogger(__name__)

MAX_WIDTH, MAX_HEIGHT = 640, 480
MAX_FPS = 30.0
# With no new camera frame for this long, the last one (or grey) is sent again: the clerk's
# picture stands still instead of the call freezing, and the encoder keeps its rhythm.
REPEAT_AFTER_S = 0.2

SAMPLE_RATE = 48000
TONE_HZ = 440.0
TONE_LEVEL = 0.25  # of full scale

SYSTEM_ALSA_CONFIG = "/usr/share/alsa/alsa.conf"

GREY = 128  # Y, U and V of a mid-grey picture


class MediaError(Exception):
    """A microphone or speaker cannot be opened; the message names the device."""


def fit_size(width: int, height: int, max_width: int = MAX_WIDTH, max_height: int = MAX_HEIGHT) -> tuple[int, int]:
    """The size a `width`x`height` picture is sent at: at most max_width x max_height, the same
    aspect, never enlarged, both sides even (yuv420p halves them)."""
    scale = min(1.0, max_width / width, max_height / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def bgr_to_i420(image: np.ndarray, max_width: int = MAX_WIDTH, max_height: int = MAX_HEIGHT) -> np.ndarray:
    """A BGR uint8 picture as yuv420p planes (h*3/2, w), scaled down to fit when larger."""
    height, width = image.shape[:2]
    size = fit_size(width, height, max_width, max_height)
    if size != (width, height):
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)


def grey_i420(width: int = MAX_WIDTH, height: int = MAX_HEIGHT) -> np.ndarray:
    return np.full((height * 3 // 2, width), GREY, dtype=np.uint8)


class _Clock:
    """Presentation times on the 90 kHz video clock from the wall clock, strictly rising."""

    def __init__(self) -> None:
        self._start: float | None = None
        self._last = -1

    def pts(self) -> int:
        now = time.monotonic()
        if self._start is None:
            self._start = now
        pts = max(int((now - self._start) * VIDEO_CLOCK_RATE), self._last + 1)
        self._last = pts
        return pts


def _video_frame(planes: np.ndarray, pts: int) -> VideoFrame:
    frame = VideoFrame.from_ndarray(planes, format="yuv420p")
    frame.pts = pts
    frame.time_base = VIDEO_TIME_BASE
    return frame


class CameraTrack(VideoStreamTrack):
    """The citizen's picture, frame by frame from the camera's owner.

    Paced by the camera (each new frame once, at most `max_fps`), scaled to fit 640x480 with
    its aspect kept. When the owner has no new frame for `repeat_after_s` (camera stalled,
    reopening) the last frame, or grey before the first, goes out again so the call does not
    freeze. Keeps only its last frame; stop() drops it.
    """

    def __init__(self, owner: FrameOwner, *, max_size: tuple[int, int] = (MAX_WIDTH, MAX_HEIGHT),
                 max_fps: float = MAX_FPS, repeat_after_s: float = REPEAT_AFTER_S) -> None:
        super().__init__()
        self._owner = owner
        self._max_size = max_size
        self._interval = 1.0 / max_fps
        self._repeat_after_s = repeat_after_s
        # wait_for blocks: it runs in a thread of the track's own, never in the event loop.
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="camera-track")
        self._after = 0  # the owner's number of the last frame taken
        self._last: np.ndarray | None = None  # its yuv420p planes, for repeats
        self._sent_at = 0.0
        self._clock = _Clock()
        self.frames = 0  # camera frames sent
        self.repeats = 0  # repeated (or grey) frames sent

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        pause = self._sent_at + self._interval - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        try:
            frame = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._owner.wait_for, self._after, self._repeat_after_s)
        except RuntimeError:  # the executor was shut down: the track stopped meanwhile
            raise MediaStreamError from None
        if self.readyState != "live":
            raise MediaStreamError
        if frame is not None:
            self._after = frame.number
            self._last = bgr_to_i420(frame.image, *self._max_size)
            self.frames += 1
        else:
            self.repeats += 1
            if self._last is None:
                self._last = grey_i420(*fit_size(*self._max_size, *self._max_size))
        self._sent_at = time.monotonic()
        return _video_frame(self._last, self._clock.pts())

    def stop(self) -> None:
        super().stop()
        self._last = None
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _in_real_time(start: float | None, offset_s: float) -> float:
    """Pace a made-up stream like a real device: the first frame starts the clock (returned), each
    later one waits until `offset_s` after it."""
    now = time.monotonic()
    if start is None:
        return now
    if start + offset_s > now:
        await asyncio.sleep(start + offset_s - now)
    return start


class SyntheticVideoTrack(VideoStreamTrack):
    """A moving test picture, 640x480 at 30 fps: colour bars, a white square crossing them and
    a frame counter of bars; cheap to make (one copy of a prepared frame and two fills)."""

    def __init__(self, width: int = MAX_WIDTH, height: int = MAX_HEIGHT, fps: float = 30.0) -> None:
        super().__init__()
        if width % 2 or height % 2 or width < 64 or height < 64:
            raise ValueError(f"test picture size must be even and at least 64x64, got {width}x{height}")
        self.width, self.height = width, height
        self._interval = 1.0 / fps
        self._base = self._bars(width, height)
        self._start: float | None = None
        self.frames = 0

    @staticmethod
    def _bars(width: int, height: int) -> np.ndarray:
        colours = [(192, 192, 192), (0, 192, 192), (192, 192, 0), (0, 192, 0),
                   (192, 0, 192), (0, 0, 192), (192, 0, 0), (16, 16, 16)]  # BGR, SMPTE-like
        image = np.zeros((height, width, 3), dtype=np.uint8)
        for index, colour in enumerate(colours):
            image[:, index * width // len(colours):(index + 1) * width // len(colours)] = colour
        return cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)

    async def recv(self) -> VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        self._start = await _in_real_time(self._start, self.frames * self._interval)
        number = self.frames
        self.frames += 1
        planes = self._base.copy()
        side = self.height // 6
        x = int((number * 4) % (self.width - side)) // 2 * 2
        y = (self.height - side) // 2 // 2 * 2
        planes[y:y + side, x:x + side] = 235  # white square on the luma plane
        for bit in range(16):  # the frame number in binary, bottom left, so a stuck stream shows
            if number >> bit & 1:
                left = 8 + bit * 12
                planes[self.height - 24:self.height - 8, left:left + 8] = 235
        return _video_frame(planes, int(number * self._interval * VIDEO_CLOCK_RATE))


class ToneTrack(AudioStreamTrack):
    """The microphone's simulator: a 440 Hz tone, 48 kHz mono s16, in 20 ms frames, in real time."""

    def __init__(self, frequency: float = TONE_HZ, level: float = TONE_LEVEL) -> None:
        super().__init__()
        self.samples_per_frame = int(SAMPLE_RATE * AUDIO_PTIME)
        # One second of the tone: a whole number of periods for any whole frequency, so the
        # table loops without a click, and 50 frames fit it exactly.
        t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
        self._table = (np.sin(2 * np.pi * frequency * t) * level * 32767).astype(np.int16)
        self._start: float | None = None
        self.samples = 0  # sent so far

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        self._start = await _in_real_time(self._start, self.samples / SAMPLE_RATE)
        offset = self.samples % SAMPLE_RATE
        chunk = self._table[offset:offset + self.samples_per_frame]
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.samples
        frame.time_base = fractions.Fraction(1, SAMPLE_RATE)
        self.samples += self.samples_per_frame
        return frame


def silence_like(frame: AudioFrame) -> AudioFrame:
    """An AudioFrame of silence with the format, length and time of `frame`."""
    quiet = AudioFrame(format=frame.format.name, layout=frame.layout.name, samples=frame.samples)
    for plane in quiet.planes:
        plane.update(bytes(plane.buffer_size))
    quiet.sample_rate = frame.sample_rate
    quiet.pts = frame.pts
    quiet.time_base = frame.time_base
    return quiet


class MutableAudioTrack(MediaStreamTrack):
    """`source` with a mute switch: while muted it still reads the source (the microphone's
    buffer does not fill up) but sends silence of the same length in its place."""

    kind = "audio"

    def __init__(self, source: MediaStreamTrack) -> None:
        super().__init__()
        self.source = source
        self.muted = False

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        frame = await self.source.recv()
        return silence_like(frame) if self.muted else frame

    def stop(self) -> None:
        super().stop()
        self.source.stop()


def alsa_config() -> None:
    """Point PyAV's own alsa-lib at the system's ALSA configuration. The alsa-lib inside the av
    wheel looks for it under its build prefix and finds no device, not even "default" or "null",
    unless ALSA_CONFIG_PATH says where it is (an operator's own setting is kept)."""
    if "ALSA_CONFIG_PATH" not in os.environ and os.path.exists(SYSTEM_ALSA_CONFIG):
        os.environ["ALSA_CONFIG_PATH"] = SYSTEM_ALSA_CONFIG


def microphone(kind: Literal["alsa", "tone"], device: str = "default") -> MediaStreamTrack:
    """The citizen's voice: the ALSA capture device `device`, or the test tone. MediaError when
    the device cannot be opened."""
    if kind == "tone":
        return ToneTrack()
    if kind != "alsa":
        raise ValueError(f"microphone must be 'alsa' or 'tone', got {kind!r}")
    from aiortc.contrib.media import MediaPlayer

    alsa_config()
    try:
        player = MediaPlayer(device, format="alsa")
    except Exception as exc:  # av raises its own OSError subclasses, and ValueError for bad names
        raise MediaError(f"microphone: cannot open ALSA capture device {device!r}: {exc}") from None
    if player.audio is None:
        raise MediaError(f"microphone: ALSA device {device!r} gives no audio")
    return player.audio


class FrameSink:
    """Takes the clerk's picture from a received video track; keeps only the newest frame.

    `frames` counts the frames received, `first_frame_at` is time.monotonic() of the first one
    and `on_first_frame` is called (on the event loop) when it comes. latest() may be called
    from any thread (the UI's): it converts the newest frame to RGB only when asked, once.
    """

    def __init__(self, on_first_frame: Callable[[], None] | None = None) -> None:
        self.on_first_frame = on_first_frame
        self.frames = 0
        self.first_frame_at: float | None = None
        self.size: tuple[int, int] | None = None  # (width, height) of the newest frame
        self._lock = threading.Lock()
        self._frame: VideoFrame | None = None
        self._rgb: tuple[int, np.ndarray] | None = None
        self._task: asyncio.Task[None] | None = None

    def consume(self, track: MediaStreamTrack) -> None:
        """Start reading `track` (on the running loop) until it ends or stop()."""
        if self._task is not None:
            self._task.cancel()
        self._task = asyncio.ensure_future(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            with self._lock:
                self.frames += 1
                self._frame = frame
                self.size = (frame.width, frame.height)
            if self.first_frame_at is None:
                self.first_frame_at = time.monotonic()
                if self.on_first_frame is not None:
                    self.on_first_frame()

    def latest(self) -> tuple[int, np.ndarray] | None:
        """(number, RGB uint8 (h, w, 3)) of the newest frame, or None before the first or after stop()."""
        with self._lock:
            if self._frame is None:
                return None
            if self._rgb is None or self._rgb[0] != self.frames:
                self._rgb = (self.frames, self._frame.to_ndarray(format="rgb24"))
            return self._rgb

    def drop(self) -> None:
        """Forget the newest frame (the counts stay)."""
        with self._lock:
            self._frame = None
            self._rgb = None

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.drop()


class AudioSink:
    """Takes the clerk's voice from a received audio track: plays it on the ALSA device
    (`speaker="alsa"`) or drops it (`"none"`); counts `samples` and keeps `peak`, the loudest
    sample of the last frame (0..32767). A speaker that cannot be opened leaves the call
    going without sound: `error` says why."""

    def __init__(self, speaker: Literal["alsa", "none"] = "none", device: str = "default") -> None:
        if speaker not in ("alsa", "none"):
            raise ValueError(f"speaker must be 'alsa' or 'none', got {speaker!r}")
        self.speaker, self.device = speaker, device
        self.samples = 0
        self.frames = 0
        self.peak = 0
        self.first_sample_at: float | None = None
        self.error: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._player = ThreadPoolExecutor(1, thread_name_prefix="speaker") if speaker == "alsa" else None
        self._output = None  # the ALSA playback, opened with the first frame
        self._stream = None

    def consume(self, track: MediaStreamTrack) -> None:
        """Start taking `track` (on the running loop) until it ends or stop()."""
        self._task = asyncio.ensure_future(self._take(track))

    async def _take(self, track: MediaStreamTrack) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self._count(frame)
            if self.speaker == "alsa" and self.error is None:
                # ALSA blocks until the device has room: in a thread, never in the loop
                await loop.run_in_executor(self._player, self._play, frame)

    def _play(self, frame: AudioFrame) -> None:
        try:
            if self._output is None:
                import av

                alsa_config()
                self._output = av.open(self.device, mode="w", format="alsa")
                self._stream = self._output.add_stream("pcm_s16le", rate=frame.sample_rate)
                self._stream.layout = frame.layout.name
            for packet in self._stream.encode(frame):
                self._output.mux(packet)
        except Exception as exc:
            self.error = f"speaker: cannot play on ALSA device {self.device!r}: {exc}"
            log.warning("video assist: %s; the clerk's voice is not played", self.error)
            self._close_output()

    def _close_output(self) -> None:
        output, self._output, self._stream = self._output, None, None
        if output is not None:
            try:
                output.close()
            except Exception:
                pass

    def _count(self, frame: AudioFrame) -> None:
        self.frames += 1
        self.samples += frame.samples
        if self.first_sample_at is None:
            self.first_sample_at = time.monotonic()
        data = frame.to_ndarray()
        self.peak = int(np.abs(data.astype(np.int32)).max()) if data.size and data.dtype == np.int16 else (
            int(min(1.0, float(np.abs(data).max())) * 32767) if data.size else 0)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._player is not None:
            await asyncio.get_running_loop().run_in_executor(self._player, self._close_output)
            self._player.shutdown(wait=False)
