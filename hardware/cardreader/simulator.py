"""A PIN-pad card reader without hardware, driven by method calls.

Used by `kiosk demo` (an operator button inserts the card) and by tests.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from typing import Callable

from hardware.cardreader.interface import CardReader, ReaderState

log = logging.getLogger(__name__)

READER_NAME = "Simulated PIN pad reader"

Callback = Callable[[ReaderState], None]


class SimulatedCardReader(CardReader):
    """One reader with a keypad, attached and empty at start.

    Thread-safe. Subscribers are called on the thread that changed the state
    (the caller of insert_card() etc.), outside the lock, so a callback may
    call readers() without deadlocking. Only real changes are reported:
    inserting a card that is already in reports nothing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = ReaderState(
            READER_NAME, attached=True, card_present=False, has_keypad=True
        )
        self._subscribers: list[Callback] = []

    def readers(self) -> list[ReaderState]:
        with self._lock:
            return [self._state]

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def insert_card(self) -> None:
        """Put a card in; ignored while unplugged, as PC/SC would see nothing."""
        self._change(lambda state: state.attached, card_present=True)

    def remove_card(self) -> None:
        self._change(lambda state: True, card_present=False)

    def unplug(self) -> None:
        """Detach the reader; a card in it is gone with it."""
        self._change(lambda state: True, attached=False, card_present=False)

    def plug_in(self) -> None:
        self._change(lambda state: True, attached=True)

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()

    def _change(self, allowed: Callable[[ReaderState], bool], **fields: bool) -> None:
        with self._lock:
            new_state = dataclasses.replace(self._state, **fields)
            if not allowed(self._state) or new_state == self._state:
                return
            self._state = new_state
            subscribers = list(self._subscribers)
        log.info(
            "%s: attached=%s card_present=%s",
            new_state.name, new_state.attached, new_state.card_present,
        )  # fmt: skip
        for callback in subscribers:
            self._notify(callback, new_state)

    @staticmethod
    def _notify(callback: Callback, state: ReaderState) -> None:
        try:
            callback(state)
        except Exception:  # one broken subscriber must not silence the others
            log.exception("card reader subscriber %r failed", callback)
