"""The local outbox: an SQLite file whose rows are encrypted with AES-256-GCM.

The key lives in its own file (mode 0600) beside the database, so a copied database alone
reveals nothing. Delivery to the back office (and FIT-Connect style JWE for the recipient)
comes with the back-office issue; until then applications wait here.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.outbox.application import Application, new_reference

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    reference   TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    delivered   INTEGER NOT NULL DEFAULT 0
)
"""


class OutboxError(Exception):
    """The outbox cannot store or read; the message names the file."""


class EncryptedOutbox:
    def __init__(self, database: Path, key_file: Path) -> None:
        self._database = database
        self._aead = AESGCM(_load_or_create_key(key_file))
        self._lock = threading.Lock()  # one writer at a time; calls come from worker threads
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")  # an application is never lost on power cut
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise OutboxError(f"{database}: cannot open outbox: {exc}") from None

    def put(self, application: Application, reference_prefix: str) -> str:
        reference = new_reference(reference_prefix)
        nonce = os.urandom(12)
        # The reference is authenticated data: a row cannot be swapped under another reference.
        ciphertext = self._aead.encrypt(nonce, application.to_json(), reference.encode())
        with self._lock:
            try:
                self._db.execute("INSERT INTO outbox (reference, nonce, ciphertext) VALUES (?, ?, ?)",
                                 (reference, nonce, ciphertext))
            except sqlite3.Error as exc:
                raise OutboxError(f"{self._database}: cannot store application: {exc}") from None
        return reference

    def read(self, reference: str) -> Application:
        with self._lock:
            row = self._db.execute("SELECT nonce, ciphertext FROM outbox WHERE reference = ?",
                                   (reference,)).fetchone()
        if row is None:
            raise OutboxError(f"{self._database}: no application {reference}")
        try:
            plaintext = self._aead.decrypt(row[0], row[1], reference.encode())
        except InvalidTag:
            raise OutboxError(f"{self._database}: application {reference} cannot be decrypted "
                              "(altered, or encrypted with another key)") from None
        return Application.from_json(plaintext)

    def references(self) -> list[str]:
        """The references of the applications waiting for delivery, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT reference FROM outbox WHERE delivered = 0 ORDER BY rowid").fetchall()
        return [row[0] for row in rows]

    def pending(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox WHERE delivered = 0").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _load_or_create_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = AESGCM.generate_key(bit_length=256)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
    if len(key) != 32:
        raise OutboxError(f"{path}: outbox key must be 32 bytes, found {len(key)}")
    return key
