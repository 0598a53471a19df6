"""What the kiosk needs to know about card readers: which are there, whether
a card is in, whether the reader has its own PIN pad.

The kiosk only observes; the eID middleware (AusweisApp) owns the card while a
workflow runs, so nothing here talks to the card.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class ReaderState:
    name: str
    attached: bool
    card_present: bool
    # A PIN typed on the reader's own keypad never passes through the kiosk
    # (BSI advice), so the journey prefers such a reader.
    has_keypad: bool


class CardReader(abc.ABC):
    """Observes card readers and tells subscribers when one changes."""

    @abc.abstractmethod
    def readers(self) -> list[ReaderState]:
        """The current state of every known reader (also unplugged ones)."""

    @abc.abstractmethod
    def subscribe(self, callback: Callable[[ReaderState], None]) -> Callable[[], None]:
        """Call `callback` with the new state whenever a reader changes.

        Returns a function that unsubscribes; calling it twice is harmless.
        The callback is NOT called on the UI thread: real drivers call it from
        their monitoring thread, so it must be quick and hand work over (e.g.
        with Clock.schedule_once). An exception in a callback is logged and
        does not stop the other subscribers.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Stop observing and drop all subscribers; safe to call twice."""
