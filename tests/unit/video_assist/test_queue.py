"""CallQueue: order, positions, expected wait, taking once, requeue at the head, reconnect grace."""

from __future__ import annotations

import pytest

from video_assist.queue import CallQueue, NotYours, Taken, Unavailable, UnknownCall

CTX = {"language": "de"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(clock: Clock) -> CallQueue:
    return CallQueue(reconnect_grace_s=20, clock=clock)


def fill(queue: CallQueue, *terminals: str) -> list[str]:
    ids = [f"call-{t}-000" for t in terminals]
    for call_id, terminal in zip(ids, terminals):
        queue.add(call_id, terminal, f"Ort {terminal}", CTX)
    return ids


def test_calls_wait_in_order_with_positions_from_one(queue: CallQueue) -> None:
    a, b, c = fill(queue, "t1", "t2", "t3")
    assert [queue.position(x) for x in (a, b, c)] == [1, 2, 3]
    assert queue.positions() == {a: 1, b: 2, c: 3}
    assert queue.position("call-nobody") is None
    assert len(queue) == 3 and a in queue


def test_snapshot_lists_terminal_location_context_and_whole_seconds_waited(queue: CallQueue, clock: Clock) -> None:
    (a,) = fill(queue, "t1")
    clock.now += 61.7
    assert queue.snapshot() == [{"call_id": a, "terminal": "t1", "location": "Ort t1", "context": CTX, "waited_s": 61}]


def test_take_removes_the_call_once(queue: CallQueue) -> None:
    a, b = fill(queue, "t1", "t2")
    assert queue.take(a).terminal == "t1"
    assert queue.positions() == {b: 1}
    with pytest.raises(Taken) as raised:
        queue.take(a)
    assert raised.value.code == "taken"


def test_expected_wait_is_unknown_without_history_then_median_times_position(queue: CallQueue,
                                                                            clock: Clock) -> None:
    calls = fill(queue, "t1", "t2", "t3", "t4", "t5")
    assert queue.expected_wait_s(1) is None
    for waited, call_id in zip((10, 30, 200), calls):  # waits since joining: 10, 40, 240
        clock.now += waited
        queue.take(call_id)
    # median of 10, 40, 240 is 40; one very long wait does not move it
    assert queue.expected_wait_s(1) == 40
    assert queue.expected_wait_s(2) == 80


def test_history_keeps_only_the_last_waits(clock: Clock) -> None:
    queue = CallQueue(clock=clock, history=2)
    for i in range(3):
        (call_id,) = fill(queue, f"t{i}")
        clock.now += (1000, 10, 20)[i]
        queue.take(call_id)
    assert queue.expected_wait_s(1) == 15


def test_requeue_puts_the_call_at_the_head_and_keeps_its_waiting_time(queue: CallQueue, clock: Clock) -> None:
    a, b, c = fill(queue, "t1", "t2", "t3")
    call = queue.take(b)
    clock.now += 30
    queue.requeue(call)
    assert queue.positions() == {b: 1, a: 2, c: 3}
    assert call.requeued
    assert queue.snapshot()[0]["waited_s"] == 30


def test_same_call_id_again_keeps_its_place_without_a_duplicate(queue: CallQueue) -> None:
    a, b = fill(queue, "t1", "t2")
    added = queue.add(a, "t1", "Ort t1", {"language": "en"})
    assert added.rejoined and added.replaced is None
    assert queue.positions() == {a: 1, b: 2}
    assert queue.get(a).context == {"language": "en"}


def test_a_new_call_from_the_same_terminal_replaces_the_older(queue: CallQueue) -> None:
    a, b = fill(queue, "t1", "t2")
    added = queue.add("call-t1-new", "t1", "Ort t1", CTX)
    assert added.replaced is not None and added.replaced.call_id == a
    assert queue.positions() == {b: 1, "call-t1-new": 2}


def test_a_call_id_of_another_terminal_is_refused(queue: CallQueue) -> None:
    (a,) = fill(queue, "t1")
    with pytest.raises(NotYours):
        queue.add(a, "t2", "Ort t2", CTX)


def test_a_dropped_terminal_keeps_its_place_within_the_grace(queue: CallQueue, clock: Clock) -> None:
    a, b = fill(queue, "t1", "t2")
    queue.disconnect(a)
    assert queue.positions() == {a: 1, b: 2}
    assert [c.call_id for c in queue.offered()] == [b]  # no clerk can take it meanwhile
    assert [c["call_id"] for c in queue.snapshot()] == [b]
    with pytest.raises(Unavailable):
        queue.take(a)
    clock.now += 19.9
    assert queue.expire() == []
    assert queue.add(a, "t1", "Ort t1", CTX).rejoined
    assert [c.call_id for c in queue.offered()] == [a, b]
    clock.now += 100
    assert queue.expire() == []  # connected again: no grace running


def test_a_dropped_terminal_leaves_after_the_grace(queue: CallQueue, clock: Clock) -> None:
    a, b = fill(queue, "t1", "t2")
    queue.disconnect(a)
    clock.now += 10
    queue.disconnect(a)  # a second notice does not restart the grace
    clock.now += 10
    assert [c.call_id for c in queue.expire()] == [a]
    assert queue.positions() == {b: 1}
    assert not queue.add(a, "t1", "Ort t1", CTX).rejoined  # back at the tail as a new call
    assert queue.positions() == {b: 1, a: 2}


def test_context_updates_and_unknown_calls(queue: CallQueue) -> None:
    (a,) = fill(queue, "t1")
    queue.update_context(a, {"language": "uk", "step": "address"})
    assert queue.snapshot()[0]["context"] == {"language": "uk", "step": "address"}
    with pytest.raises(UnknownCall) as raised:
        queue.update_context("call-unknown", CTX)
    assert raised.value.code == "unknown_call"
    with pytest.raises(UnknownCall):
        queue.remove("call-unknown")
    assert queue.remove(a).call_id == a and len(queue) == 0
