"""The back office's SQLite file: users, terminals and login sessions in `backoffice.sqlite`.

The schema grows by appending to MIGRATIONS, never by editing an applied step: `PRAGMA
user_version` counts the steps a file has, so an old file is brought up to date at open. WAL
mode lets the CLI (`add-user`, `add-terminal`) write while the server runs.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_NAME = "backoffice.sqlite"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('clerk', 'operator', 'admin')),
        password_hash TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        location TEXT NOT NULL,
        token_sha256 TEXT NOT NULL UNIQUE,
        created REAL NOT NULL
    );
    CREATE TABLE sessions (
        id_sha256 TEXT PRIMARY KEY,
        user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        csrf TEXT NOT NULL,
        created REAL NOT NULL,
        last_seen REAL NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions(user_name);
    """,
)


class StoreError(Exception):
    """The data folder or its SQLite file cannot be used; the message names the path."""


def open_store(data_dir: Path) -> sqlite3.Connection:
    """The data folder's database, created (mode 0700 folder, 0600 file) and migrated as needed."""
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = data_dir / FILE_NAME
        if not path.exists():  # the file holds password hashes: nobody else may read it
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            if os.geteuid() == 0:  # root ran the CLI first: the file belongs to the folder's (service) user
                folder = data_dir.stat()
                os.chown(path, folder.st_uid, folder.st_gid)
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        migrate(db)
        return db
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{data_dir / FILE_NAME}: {exc}") from None


def migrate(db: sqlite3.Connection) -> None:
    """Apply the MIGRATIONS steps this file does not have yet, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise StoreError(f"schema version {version} is newer than this software knows ({len(MIGRATIONS)})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            if db.execute("PRAGMA user_version").fetchone()[0] >= number:
                continue  # another process (the CLI, the server) applied it meanwhile
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All statements inside commit together or not at all (the connection autocommits otherwise)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
