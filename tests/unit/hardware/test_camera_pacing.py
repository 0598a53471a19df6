"""Frame pacing shared by the synthetic and the video-file camera."""

import time

import pytest

from hardware.camera.pacing import Pacer


def test_unpaced_never_waits():
    pacer = Pacer(0)
    pacer.restart()
    assert [pacer.claim() for _ in range(5)] == [0.0] * 5


def test_slots_are_one_period_apart():
    pacer = Pacer(10)
    pacer.restart()
    delays = [pacer.claim() for _ in range(4)]
    assert delays[0] == pytest.approx(0.0, abs=0.01)
    # Nobody slept, so each slot lies one more period (0.1 s) ahead.
    assert delays[1:] == pytest.approx([0.1, 0.2, 0.3], abs=0.01)


def test_a_late_reader_gets_no_burst():
    pacer = Pacer(20)
    pacer.restart()
    pacer.claim()
    time.sleep(0.2)  # four slots (0.05 s apart) go by unclaimed
    assert pacer.claim() == 0.0
    assert pacer.claim() == pytest.approx(0.05, abs=0.02)


def test_negative_fps_is_refused():
    with pytest.raises(ValueError, match="fps"):
        Pacer(-1)
