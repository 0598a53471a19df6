"""Login sessions: a random 256-bit cookie value per login, kept in SQLite only as its SHA-256.

A session ends after `idle_s` without activity or `max_s` after login, whichever comes first;
every request that finds it valid counts as activity. Times are wall-clock seconds (they are
stored and outlive a restart); `clock` is injectable for tests.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from backoffice.accounts import User, sha256
from backoffice.store import transaction

Clock = Callable[[], float]


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    key: str  # SHA-256 of the cookie value: the row's id, safe to keep in memory and logs


@dataclass(frozen=True)
class Lookup:
    """What a cookie value turned out to be: a live session, an expired one, or nothing."""

    session: Session | None
    expired: bool = False


class Sessions:
    def __init__(self, db: sqlite3.Connection, idle_s: float, max_s: float, clock: Clock = time.time) -> None:
        self._db, self._idle_s, self._max_s, self._clock = db, idle_s, max_s, clock

    def create(self, user: User) -> tuple[str, Session]:
        """A new session for `user`: (the cookie value, which only the browser keeps; the session)."""
        cookie, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock()
        with transaction(self._db):
            self._db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (sha256(cookie), user.name, csrf, now, now))
            self._sweep(now)
        return cookie, Session(user, csrf, sha256(cookie))

    def find(self, cookie: str | None) -> Lookup:
        """The session of this cookie value, refreshed; an expired one is deleted and reported."""
        if not cookie:
            return Lookup(None)
        key, now = sha256(cookie), self._clock()
        row = self._db.execute(
            "SELECT s.csrf, s.created, s.last_seen, u.name, u.display_name, u.role FROM sessions s "
            "JOIN users u ON u.name = s.user_name WHERE s.id_sha256=?", (key,)).fetchone()
        if row is None:
            return Lookup(None)
        if now - row["last_seen"] > self._idle_s or now - row["created"] > self._max_s:
            self.delete(key)
            return Lookup(None, expired=True)
        self._db.execute("UPDATE sessions SET last_seen=? WHERE id_sha256=?", (now, key))
        return Lookup(Session(User(row["name"], row["display_name"], row["role"]), row["csrf"], key))

    def delete(self, key: str) -> None:
        self._db.execute("DELETE FROM sessions WHERE id_sha256=?", (key,))

    def _sweep(self, now: float) -> None:
        """Forget sessions nobody can use any more (run at each login, so the table stays small)."""
        self._db.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                         (now - self._idle_s, now - self._max_s))
