"""Who may use the back office: users (clerks, operators, admins) and terminals.

Passwords are kept only as argon2id hashes. A terminal's token is 256 random bits, so its
SHA-256 is enough (nobody can guess their way back from the hash); only the hash is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backoffice.config import TERMINAL_ID
from backoffice.store import transaction
from video_assist.parties import Terminal

ROLES = ("clerk", "operator", "admin")
MIN_PASSWORD = 12
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


class AccountError(ValueError):
    """A refused change; the message says why in words an admin understands."""


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    role: str


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Users:
    def __init__(self, db: sqlite3.Connection, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._hasher = hasher or PasswordHasher()  # argon2id, RFC 9106 low-memory profile
        # Verified when the name is unknown, so an unknown name takes as long as a wrong password.
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    def add(self, name: str, role: str, password: str, display_name: str = "", update: bool = False) -> None:
        """Create `name`, or with `update` replace its password, role and display name."""
        _check_user(name, role, password)
        now = time.time()
        exists = self.get(name) is not None
        if exists and not update:
            raise AccountError(f"user '{name}' exists already; use --update to replace its password and role")
        hashed = self._hasher.hash(password)
        with transaction(self._db):
            if exists:
                self._db.execute("UPDATE users SET display_name=?, role=?, password_hash=?, updated=? WHERE name=?",
                                 (display_name or name, role, hashed, now, name))
                # a new password ends every session that was opened with the old one
                self._db.execute("DELETE FROM sessions WHERE user_name=?", (name,))
            else:
                self._db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                                 (name, display_name or name, role, hashed, now, now))

    def get(self, name: str) -> User | None:
        row = self._db.execute("SELECT name, display_name, role FROM users WHERE name=?", (name,)).fetchone()
        return User(row["name"], row["display_name"], row["role"]) if row else None

    def verify(self, name: str, password: str) -> User | None:
        """The user when `password` is theirs; None for a wrong password or an unknown name alike.
        Slow on purpose (argon2): call it off the event loop."""
        row = self._db.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
        try:
            self._hasher.verify(row["password_hash"] if row else self._dummy, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self._hasher.check_needs_rehash(row["password_hash"]):  # parameters raised since it was set
            with transaction(self._db):
                self._db.execute("UPDATE users SET password_hash=? WHERE name=?", (self._hasher.hash(password), name))
        return self.get(name)


def _check_user(name: str, role: str, password: str) -> None:
    if not USER_NAME.match(name):
        raise AccountError(f"user name '{name}' not allowed: 1 to 64 letters, digits or . _ @ -, starting with a "
                           "letter or digit")
    if role not in ROLES:
        raise AccountError(f"role '{role}' unknown; one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")


class Terminals:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def add(self, terminal_id: str, location: str = "", renew: bool = False) -> str:
        """A new token for the terminal (created, or with `renew` replacing its old token)."""
        if not re.match(TERMINAL_ID, terminal_id):
            raise AccountError(f"terminal id '{terminal_id}' not allowed: 2 to 32 lower-case letters, digits or -, "
                               "starting with a letter or digit (the kiosk's [terminal] id)")
        token = secrets.token_urlsafe(32)
        exists = self._db.execute("SELECT location FROM terminals WHERE id=?", (terminal_id,)).fetchone()
        if exists and not renew:
            raise AccountError(f"terminal '{terminal_id}' exists already; use --renew to give it a new token "
                               "(the old one stops working)")
        with transaction(self._db):
            if exists:
                self._db.execute("UPDATE terminals SET token_sha256=?, location=? WHERE id=?",
                                 (sha256(token), location or exists["location"], terminal_id))
            else:
                self._db.execute("INSERT INTO terminals VALUES (?, ?, ?, ?)",
                                 (terminal_id, location, sha256(token), time.time()))
        return token

    def by_token(self, token: str) -> Terminal | None:
        row = self._db.execute("SELECT id, location FROM terminals WHERE token_sha256=?", (sha256(token),)).fetchone()
        return Terminal(row["id"], row["location"]) if row else None
