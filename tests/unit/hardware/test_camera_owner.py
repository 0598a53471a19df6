"""The frame owner: newest frame only, fan-out, health and recovery.

A scripted source stands in for a camera that fails in the ways real ones do
(refuses to open, dies mid-capture, raises); tests/integration/
test_camera_sources.py runs the owner on real OpenCV video files.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from hardware.camera import (
    STATES,
    CameraError,
    CameraHealth,
    Frame,
    FrameOwner,
    FrameSource,
    SyntheticCamera,
)
from hardware.camera.owner import IDLE_S, backoff_delay
from tests.fakes import HealthLog

FAST = {"stall_s": 0.2, "backoff_s": (0.02, 0.1)}
FOREVER = 10**9


@dataclass
class Session:
    """What the scripted camera does between one open() and the next."""

    open_error: Exception | None = None  # open() raises this
    frames: int = FOREVER  # frames delivered, then ...
    read_error: Exception | None = None  # ... read() raises this, or returns None


class ScriptedCamera(FrameSource):
    """A camera following a script of sessions (the last one repeats).

    Frame k of the whole run is filled with k % 256, so tests can tell frames
    apart. Reads take `interval` seconds, like a camera at 1/interval fps.
    """

    def __init__(self, *sessions: Session, interval: float = 0.005) -> None:
        self.sessions = list(sessions) or [Session()]
        self.interval = interval
        self.opens: list[float] = []  # time.monotonic() of each open() call
        self.closes = 0
        self.reads = 0
        self.frames_delivered = 0
        self.is_open = False
        self._session = Session()
        self._left = 0

    @property
    def name(self) -> str:
        return "scripted"

    @property
    def resolution(self) -> tuple[int, int]:
        return 8, 6

    def open(self) -> None:
        self.opens.append(time.monotonic())
        index = min(len(self.opens) - 1, len(self.sessions) - 1)
        self._session = self.sessions[index]
        if self._session.open_error is not None:
            raise self._session.open_error
        self._left = self._session.frames
        self.is_open = True

    def read(self) -> np.ndarray | None:
        self.reads += 1
        if not self.is_open:
            return None
        if self._left == 0:
            if self._session.read_error is not None:
                raise self._session.read_error
            return None
        time.sleep(self.interval)
        self._left -= 1
        self.frames_delivered += 1
        return np.full((6, 8, 3), self.frames_delivered % 256, dtype=np.uint8)

    def close(self) -> None:
        self.closes += 1
        self.is_open = False


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)


# -- frames ---------------------------------------------------------------------


def test_consumers_get_the_newest_frame_numbered_by_the_owner():
    with FrameOwner(ScriptedCamera(), **FAST) as owner:
        first = owner.wait_for(after=0, timeout=5)
        second = owner.wait_for(after=first.number, timeout=5)
        latest = owner.latest()
    assert isinstance(first, Frame)
    assert first.number >= 1
    assert second.number > first.number
    assert latest.number >= second.number
    assert first.image.shape == (6, 8, 3) and first.image.dtype == np.uint8
    assert first.time <= second.time


def test_frames_are_read_only_for_consumers():
    with FrameOwner(ScriptedCamera(), **FAST) as owner:
        frame = owner.wait_for(after=0, timeout=5)
    with pytest.raises(ValueError):
        frame.image[0, 0] = 255
    with pytest.raises(ValueError):
        frame.image.flags.writeable = True


def test_a_slow_consumer_skips_frames_instead_of_queueing_them():
    camera = ScriptedCamera(interval=0.002)
    with FrameOwner(camera, **FAST) as owner:
        handled = [owner.wait_for(after=0, timeout=5)]
        for _ in range(3):
            time.sleep(0.05)  # a slow analysis step: ~25 frames go by meanwhile
            handled.append(owner.wait_for(after=handled[-1].number, timeout=5))
        read_meanwhile = camera.frames_delivered
    gaps = np.diff([frame.number for frame in handled])
    assert (gaps > 1).all()  # frames in between were dropped
    assert len(handled) < read_meanwhile


def test_each_consumer_at_its_own_pace():
    with FrameOwner(ScriptedCamera(), **FAST) as owner:
        results: dict[str, list[int]] = {"fast": [], "slow": []}

        def consume(key: str, pause: float) -> None:
            number = 0
            for _ in range(4):
                frame = owner.wait_for(after=number, timeout=5)
                number = frame.number
                results[key].append(number)
                time.sleep(pause)

        threads = [threading.Thread(target=consume, args=("fast", 0.0)),
                   threading.Thread(target=consume, args=("slow", 0.04))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    for numbers in results.values():
        assert len(numbers) == 4 and numbers == sorted(set(numbers))
    assert results["slow"][-1] - results["slow"][0] > results["fast"][-1] - results["fast"][0]


def test_wait_for_times_out_without_frames():
    camera = ScriptedCamera(Session(frames=0))
    with FrameOwner(camera, stall_s=5.0, backoff_s=(0.02, 0.1)) as owner:
        assert owner.wait_for(after=0, timeout=0.1) is None
        assert owner.latest() is None


def test_wait_for_before_start_gets_the_first_frame():
    owner = FrameOwner(ScriptedCamera(), **FAST)
    got: list[Frame | None] = []
    consumer = threading.Thread(target=lambda: got.append(owner.wait_for(after=0, timeout=5)))
    consumer.start()
    time.sleep(0.05)
    with owner:
        consumer.join(5)
    assert got[0] is not None and got[0].number >= 1


def test_stop_wakes_a_waiting_consumer():
    owner = FrameOwner(ScriptedCamera(Session(frames=0)), stall_s=5.0, backoff_s=(0.02, 0.1))
    owner.start()
    got: list[Frame | None] = []
    consumer = threading.Thread(target=lambda: got.append(owner.wait_for(after=0, timeout=30)))
    consumer.start()
    time.sleep(0.05)
    started = time.monotonic()
    owner.stop()
    consumer.join(5)
    assert got == [None]
    assert time.monotonic() - started < 5  # not the 30 s timeout


def test_a_frame_older_than_stall_s_is_not_handed_out():
    now = [100.0]
    camera = ScriptedCamera(Session(frames=1), Session(open_error=CameraError("gone")))
    with FrameOwner(camera, stall_s=1.0, backoff_s=(0.02, 0.1), clock=lambda: now[0]) as owner:
        frame = owner.wait_for(after=0, timeout=5)
        assert owner.latest() == frame
        now[0] += 1.5
        assert owner.latest() is None
        assert owner.wait_for(after=0, timeout=0.05) is None


def test_forget_drops_the_frame_and_numbering_goes_on():
    camera = ScriptedCamera(Session(frames=3), Session(frames=FOREVER))
    with FrameOwner(camera, stall_s=5.0, backoff_s=(0.02, 0.1)) as owner:
        wait_until(lambda: camera.frames_delivered == 3)
        before = owner.wait_for(after=0, timeout=5)
        owner.forget()
        assert owner.latest() is None  # the camera gives nothing more for 5 s
    with FrameOwner(ScriptedCamera(), **FAST) as owner:
        first = owner.wait_for(after=0, timeout=5)
        owner.forget()
        after = owner.wait_for(after=first.number, timeout=5)
    assert before.number == 3
    assert after.number > first.number


def test_stop_closes_the_source_and_forgets_the_frame():
    camera = ScriptedCamera()
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)
    owner.on_health(log)
    owner.start()
    assert owner.wait_for(after=0, timeout=5) is not None
    owner.stop()
    assert not camera.is_open and camera.closes >= 1
    assert owner.latest() is None
    assert owner.health().state == "stopped"
    assert owner.health().message == "camera scripted: stopped"
    assert log.states == ["ok", "stopped"]
    assert set(log.threads) == {"camera-owner"}
    reads = camera.reads
    time.sleep(0.05)
    assert camera.reads == reads  # the thread is gone


def test_restart_after_stop_resumes_with_higher_numbers():
    owner = FrameOwner(ScriptedCamera(), **FAST)
    with owner:
        first = owner.wait_for(after=0, timeout=5)
    with owner:
        again = owner.wait_for(after=0, timeout=5)
        assert owner.health().state == "ok"
    assert again.number > first.number


def test_start_twice_is_refused():
    with FrameOwner(ScriptedCamera(), **FAST) as owner:
        with pytest.raises(RuntimeError, match="camera scripted"):
            owner.start()


def test_stop_without_start_is_harmless():
    camera = ScriptedCamera()
    owner = FrameOwner(camera, **FAST)
    assert owner.health().state == "starting"
    owner.stop()
    assert owner.health().state == "stopped"
    assert camera.opens == []


def test_synthetic_camera_through_the_owner():
    with FrameOwner(SyntheticCamera(96, 64), **FAST) as owner:
        frame = owner.wait_for(after=0, timeout=5)
        assert owner.name == "synthetic"
    assert frame.image.shape == (64, 96, 3)
    # Both count from the first frame: the owner's frame n is the synthetic frame n - 1.
    assert np.array_equal(frame.image, SyntheticCamera(96, 64).frame(frame.number - 1))


# -- health and recovery ----------------------------------------------------------


def test_health_of_a_camera_that_dies_and_comes_back():
    camera = ScriptedCamera(Session(frames=5), Session(frames=FOREVER))
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)
    owner.on_health(log)
    with owner:
        log.wait_for_state("ok", count=2)
        after_recovery = owner.wait_for(after=5, timeout=5)
    assert log.states == ["ok", "stalled", "ok", "stopped"]
    stalled = log.changes[1]
    assert stalled.message == "camera scripted: no frame for 0.2 s"
    assert log.changes[0].message == "camera scripted: ok, 8x6"
    assert after_recovery.number > 5
    assert len(camera.opens) == 2 and camera.closes >= 2
    assert all(a.since <= b.since for a, b in zip(log.changes, log.changes[1:]))
    assert set(log.threads) == {"camera-owner"}


def test_a_camera_that_cannot_be_opened_is_retried_until_it_can():
    unplugged = Session(open_error=CameraError("camera scripted: cannot open: no such device"))
    camera = ScriptedCamera(unplugged, unplugged, unplugged, Session())
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)
    owner.on_health(log)
    with owner:
        log.wait_for_state("ok")
        assert owner.wait_for(after=0, timeout=5) is not None
    assert log.states == ["unavailable", "ok", "stopped"]
    assert log.changes[0].message == "camera scripted: cannot open: no such device"
    assert len(camera.opens) == 4


def test_an_error_without_the_camera_name_gets_it():
    camera = ScriptedCamera(Session(open_error=RuntimeError("driver bug")),
                            Session(open_error=CameraError("permission denied")), Session())
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)
    owner.on_health(log)
    with owner:
        log.wait_for_state("ok")
    assert [h.message for h in log.changes[:2]] == [
        "camera scripted: cannot open: RuntimeError: driver bug",
        "camera scripted: cannot open: permission denied",
    ]


def test_a_read_that_raises_makes_the_camera_unavailable_and_reopened():
    camera = ScriptedCamera(Session(frames=3, read_error=OSError("USB reset")), Session())
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)
    owner.on_health(log)
    with owner:
        log.wait_for_state("ok", count=2)
        assert owner.wait_for(after=3, timeout=5).number > 3
    assert log.states == ["ok", "unavailable", "ok", "stopped"]
    assert log.changes[1].message == "camera scripted: read failed: OSError: USB reset"
    assert len(camera.opens) == 2


def test_a_camera_that_opens_but_never_delivers_is_stalled():
    camera = ScriptedCamera(Session(frames=0))
    log = HealthLog()
    owner = FrameOwner(camera, stall_s=0.1, backoff_s=(0.02, 0.05))
    owner.on_health(log)
    with owner:
        wait_until(lambda: len(camera.opens) >= 3)
        assert owner.health().state == "stalled"
        assert owner.health().message == "camera scripted: no frame for 0.1 s"
    assert log.states == ["stalled", "stopped"]  # the same state again is not pushed again


def test_reopening_backs_off_and_resets_after_frames():
    refused = Session(open_error=CameraError("camera scripted: cannot open: busy"))
    camera = ScriptedCamera(refused, refused, refused, refused, Session(frames=2), refused)
    log = HealthLog()
    owner = FrameOwner(camera, stall_s=0.05, backoff_s=(0.05, 1.0))
    owner.on_health(log)
    with owner:
        wait_until(lambda: len(camera.opens) >= 6)
    gaps = np.diff(camera.opens)
    # Event.wait never returns early, so the pauses are lower bounds: 0.05, 0.1, 0.2, 0.4.
    assert (gaps[:4] >= np.array([0.05, 0.1, 0.2, 0.4]) - 0.005).all(), gaps
    # After the session that brought frames: stall (0.05) + the first pause again (0.05),
    # not the 0.8 s the doubling would have reached.
    assert gaps[4] < 0.5, gaps


def test_backoff_doubles_from_first_to_longest():
    delays = [backoff_delay(n, (0.5, 8.0)) for n in range(8)]
    assert delays == [0.5, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert backoff_delay(10_000, (0.5, 8.0)) == 8.0


def test_a_dead_source_is_not_polled_in_a_busy_loop():
    camera = ScriptedCamera(Session(frames=0))
    with FrameOwner(camera, stall_s=10.0, backoff_s=(0.02, 0.1)):
        time.sleep(0.3)
    assert camera.reads <= 0.3 / IDLE_S + 5


def test_a_listener_that_raises_does_not_stop_the_camera():
    camera = ScriptedCamera(Session(frames=3), Session())
    log = HealthLog()
    owner = FrameOwner(camera, **FAST)

    def broken(health: CameraHealth) -> None:
        raise RuntimeError("listener bug")

    owner.on_health(broken)
    owner.on_health(log)
    with owner:
        log.wait_for_state("ok", count=2)
    assert log.states == ["ok", "stalled", "ok", "stopped"]


def test_unsubscribed_listeners_hear_nothing_more():
    log = HealthLog()
    owner = FrameOwner(ScriptedCamera(), **FAST)
    unsubscribe = owner.on_health(log)
    with owner:
        log.wait_for_state("ok")
        unsubscribe()
        unsubscribe()
    assert log.states == ["ok"]


def test_a_listener_may_stop_the_owner():
    camera = ScriptedCamera(Session(frames=2))
    owner = FrameOwner(camera, **FAST)
    stopped = threading.Event()

    def stop_when_stalled(health: CameraHealth) -> None:
        if health.state == "stalled":
            owner.stop()
        if health.state == "stopped":
            stopped.set()

    owner.on_health(stop_when_stalled)
    owner.start()
    assert stopped.wait(5)
    wait_until(lambda: not camera.is_open)
    assert owner.latest() is None
    owner.stop()  # and stopping again from outside joins the finished thread
    assert owner.health().state == "stopped"


def test_health_states_are_the_documented_ones():
    assert STATES == ("starting", "ok", "stalled", "unavailable", "stopped")
    assert CameraHealth("ok", "camera x: ok, 8x6", 0.0).ok
    assert not CameraHealth("stalled", "camera x: no frame for 2.0 s", 0.0).ok


@pytest.mark.parametrize("kwargs", [{"stall_s": 0}, {"backoff_s": (0, 1)}, {"backoff_s": (2, 1)}])
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        FrameOwner(ScriptedCamera(), **kwargs)
