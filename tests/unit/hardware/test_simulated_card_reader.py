"""The simulated PIN pad reader and its subscriptions."""

import threading

from hardware.cardreader import CardReader, ReaderState
from hardware.cardreader.simulator import READER_NAME, SimulatedCardReader


def state(attached: bool, card_present: bool) -> ReaderState:
    return ReaderState(READER_NAME, attached, card_present, has_keypad=True)


def test_one_attached_empty_reader_with_keypad():
    reader = SimulatedCardReader()
    assert isinstance(reader, CardReader)
    assert reader.readers() == [state(attached=True, card_present=False)]


def test_subscriber_sees_insert_remove_unplug_and_plug_in():
    reader = SimulatedCardReader()
    events: list[ReaderState] = []
    reader.subscribe(events.append)
    reader.insert_card()
    reader.remove_card()
    reader.insert_card()
    reader.unplug()
    reader.plug_in()
    assert events == [
        state(True, True),
        state(True, False),
        state(True, True),
        state(False, False),  # the card goes with the reader
        state(True, False),
    ]
    assert reader.readers() == [state(True, False)]


def test_no_event_without_a_change():
    reader = SimulatedCardReader()
    events: list[ReaderState] = []
    reader.subscribe(events.append)
    reader.remove_card()  # no card in
    reader.plug_in()  # already attached
    reader.unplug()
    reader.insert_card()  # into an unplugged reader: nothing happens
    assert events == [state(False, False)]


def test_unsubscribe_stops_events_and_is_idempotent():
    reader = SimulatedCardReader()
    kept: list[ReaderState] = []
    dropped: list[ReaderState] = []
    reader.subscribe(kept.append)
    unsubscribe = reader.subscribe(dropped.append)
    reader.insert_card()
    unsubscribe()
    unsubscribe()
    reader.remove_card()
    assert dropped == [state(True, True)]
    assert kept == [state(True, True), state(True, False)]


def test_a_failing_subscriber_does_not_silence_the_others(caplog):
    reader = SimulatedCardReader()
    events: list[ReaderState] = []

    def broken(_: ReaderState) -> None:
        raise RuntimeError("boom")

    reader.subscribe(broken)
    reader.subscribe(events.append)
    reader.insert_card()
    assert events == [state(True, True)]
    assert "boom" in caplog.text


def test_callback_may_ask_for_the_readers_without_deadlock():
    reader = SimulatedCardReader()
    seen: list[list[ReaderState]] = []
    reader.subscribe(lambda _: seen.append(reader.readers()))
    reader.insert_card()
    assert seen == [[state(True, True)]]


def test_close_drops_subscribers():
    reader = SimulatedCardReader()
    events: list[ReaderState] = []
    reader.subscribe(events.append)
    reader.close()
    reader.insert_card()
    assert events == []


def test_changes_from_many_threads_are_all_reported_in_a_consistent_order():
    reader = SimulatedCardReader()
    events: list[ReaderState] = []
    lock = threading.Lock()

    def record(new_state: ReaderState) -> None:
        with lock:
            events.append(new_state)

    reader.subscribe(record)

    def toggle() -> None:
        for _ in range(200):
            reader.insert_card()
            reader.remove_card()

    threads = [threading.Thread(target=toggle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reader.readers() == [state(True, False)]
    # Every reported event is a real change: inserts and removes balance.
    inserts = sum(1 for e in events if e.card_present)
    assert inserts == len(events) - inserts
    assert inserts > 0
