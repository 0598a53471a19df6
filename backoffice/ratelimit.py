"""Failed-login limits: at most `attempts` failures per `window_s`, per user name and per client
address (a sliding window). The counts live in memory: a restart forgets them, which costs an
attacker a restart they cannot cause."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable

MAX_KEYS = 10_000  # beyond this, keys without a recent failure are dropped first


class LoginLimiter:
    def __init__(self, attempts: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._attempts, self._window, self._clock = attempts, window_s, clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, keys: Iterable[str]) -> int:
        """Whole seconds until every key may try again; 0 when none is blocked."""
        now = self._clock()
        wait = 0.0
        for key in keys:
            failures = self._recent(key, now)
            if len(failures) >= self._attempts:
                # the window slides: the oldest counted failure leaving it frees one attempt
                wait = max(wait, failures[-self._attempts] + self._window - now)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            self._recent(key, now).append(now)
        if len(self._failures) > MAX_KEYS:
            self._forget_old(now)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque(maxlen=self._attempts))
        while failures and failures[0] <= now - self._window:
            failures.popleft()
        return failures

    def _forget_old(self, now: float) -> None:
        for key in [k for k, f in self._failures.items() if not f or f[-1] <= now - self._window]:
            del self._failures[key]
