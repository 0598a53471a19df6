"""The waiting calls: order, positions, expected wait, taking a call, putting it back.

Pure logic, no network: the signalling server (`signalling.py`) owns one `CallQueue`, calls it
whenever a message or a closed connection changes something, and tells the parties what changed.
The clock is injectable so tests can move time.

Rules:
- A call enters at the tail. The same call_id from the same terminal again (a reconnect) keeps
  its place and is not duplicated; a different call from a terminal that already waits replaces
  the older one (the older leaves the queue).
- A waiting terminal whose connection drops keeps its place for `reconnect_grace_s`; during that
  time the call is not offered to clerks (nobody could answer the offer), and `expire()` removes
  it once the grace is over.
- `take()` gives a call to exactly one clerk; a second take of the same call raises `Taken`.
- `requeue()` puts a call that was taken back at the HEAD (the clerk's console went away): the
  citizen has waited already and should be next.
- Expected wait: None while no call has been accepted yet (no history). Otherwise the median of
  the last `history` waits (enqueue to accept) of accepted calls, times the position:
  `round(median × position)` seconds. Simple, stable against one very long wait, and honest
  about its basis; it does not subtract the time already waited.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable


class QueueError(Exception):
    """A request the queue cannot fulfil; `code` is the signalling error code for it."""

    code = "unexpected"


class UnknownCall(QueueError):
    code = "unknown_call"


class Taken(QueueError):
    code = "taken"


class NotYours(QueueError):
    """The call_id belongs to another terminal."""

    code = "forbidden"


class Unavailable(QueueError):
    """The call waits, but its terminal is reconnecting: no clerk can take it right now."""

    code = "unexpected"


@dataclass
class WaitingCall:
    call_id: str
    terminal: str
    location: str
    context: dict[str, Any]
    since: float  # when the citizen first asked (waiting time shown to clerks)
    queued_at: float  # when it last entered the queue (for the wait history)
    disconnected_at: float | None = None
    requeued: bool = False

    @property
    def connected(self) -> bool:
        return self.disconnected_at is None

    def waited_s(self, now: float) -> int:
        return max(0, int(now - self.since))


@dataclass(frozen=True)
class Added:
    """What `add` did: `rejoined` is a reconnect to the same place; `replaced` the call it pushed out."""

    call: WaitingCall
    rejoined: bool = False
    replaced: WaitingCall | None = None


@dataclass
class CallQueue:
    reconnect_grace_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    history: int = 20
    _calls: list[WaitingCall] = field(default_factory=list)
    _waits: deque[float] = field(init=False)

    def __post_init__(self) -> None:
        self._waits = deque(maxlen=self.history)

    # --- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._calls)

    def __contains__(self, call_id: object) -> bool:
        return any(c.call_id == call_id for c in self._calls)

    def get(self, call_id: str) -> WaitingCall | None:
        return next((c for c in self._calls if c.call_id == call_id), None)

    def calls(self) -> list[WaitingCall]:
        """All waiting calls, head first (including those whose terminal is reconnecting)."""
        return list(self._calls)

    def offered(self) -> list[WaitingCall]:
        """The calls a clerk can take now, head first."""
        return [c for c in self._calls if c.connected]

    def position(self, call_id: str) -> int | None:
        """1 at the head; None when the call does not wait."""
        for i, c in enumerate(self._calls, 1):
            if c.call_id == call_id:
                return i
        return None

    def positions(self) -> dict[str, int]:
        return {c.call_id: i for i, c in enumerate(self._calls, 1)}

    def expected_wait_s(self, position: int) -> int | None:
        if not self._waits:
            return None
        return max(0, round(statistics.median(self._waits) * position))

    def snapshot(self) -> list[dict[str, Any]]:
        """The offered calls as the `queue` message lists them."""
        now = self.clock()
        return [{"call_id": c.call_id, "terminal": c.terminal, "location": c.location, "context": c.context,
                 "waited_s": c.waited_s(now)} for c in self.offered()]

    # --- changing ----------------------------------------------------------------------------

    def add(self, call_id: str, terminal: str, location: str, context: dict[str, Any]) -> Added:
        now = self.clock()
        same = self.get(call_id)
        if same is not None:
            if same.terminal != terminal:
                raise NotYours(f"call {call_id} belongs to another terminal")
            same.disconnected_at = None
            same.context = context
            same.location = location
            return Added(same, rejoined=True)
        older = next((c for c in self._calls if c.terminal == terminal), None)
        if older is not None:
            self._calls.remove(older)
        call = WaitingCall(call_id, terminal, location, context, since=now, queued_at=now)
        self._calls.append(call)
        return Added(call, replaced=older)

    def update_context(self, call_id: str, context: dict[str, Any]) -> WaitingCall:
        call = self._require(call_id)
        call.context = context
        return call

    def take(self, call_id: str) -> WaitingCall:
        """The call leaves the queue for one clerk; Taken if it is not (or no longer) waiting."""
        call = self.get(call_id)
        if call is None:
            raise Taken(f"call {call_id} is not waiting (taken or gone)")
        if not call.connected:
            raise Unavailable(f"the terminal of call {call_id} is reconnecting")
        self._calls.remove(call)
        self._waits.append(self.clock() - call.queued_at)
        return call

    def requeue(self, call: WaitingCall) -> WaitingCall:
        """Back at the head (its clerk went away); keeps `since` so clerks see the whole wait."""
        if call in self._calls:
            self._calls.remove(call)
        call.queued_at = self.clock()
        call.requeued = True
        call.disconnected_at = None
        self._calls.insert(0, call)
        return call

    def remove(self, call_id: str) -> WaitingCall:
        call = self._require(call_id)
        self._calls.remove(call)
        return call

    def disconnect(self, call_id: str) -> WaitingCall | None:
        """The terminal's connection dropped: keep the place for the grace period."""
        call = self.get(call_id)
        if call is not None and call.connected:
            call.disconnected_at = self.clock()
        return call

    def expire(self) -> list[WaitingCall]:
        """Remove and return the calls whose terminal did not come back within the grace."""
        now = self.clock()
        gone = [c for c in self._calls
                if c.disconnected_at is not None and now - c.disconnected_at >= self.reconnect_grace_s]
        for c in gone:
            self._calls.remove(c)
        return gone

    def _require(self, call_id: str) -> WaitingCall:
        call = self.get(call_id)
        if call is None:
            raise UnknownCall(f"no waiting call {call_id}")
        return call
