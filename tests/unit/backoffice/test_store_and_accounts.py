"""The SQLite file (schema versions, WAL, file mode), users and terminals, and the login limiter."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from backoffice import store
from backoffice.accounts import AccountError, Terminals, Users, sha256
from backoffice.ratelimit import LoginLimiter
from backoffice.store import FILE_NAME, StoreError, open_store
from tests.unit.backoffice.helpers import PASSWORD, ManualClock

# --- the store -----------------------------------------------------------------------------------


def test_a_new_file_is_private_in_wal_mode_at_the_latest_version(tmp_path: Path) -> None:
    db = open_store(tmp_path / "data")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(store.MIGRATIONS)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE((tmp_path / "data" / FILE_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "terminals", "sessions"} <= tables


def test_opening_again_keeps_the_data(tmp_path: Path) -> None:
    Users(open_store(tmp_path)).add("anna", "clerk", PASSWORD)
    assert Users(open_store(tmp_path)).get("anna") is not None


def test_a_later_step_is_applied_to_an_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Users(open_store(tmp_path)).add("anna", "clerk", PASSWORD)
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, "ALTER TABLE users ADD COLUMN email TEXT"))
    db = open_store(tmp_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(store.MIGRATIONS)
    assert [tuple(row) for row in db.execute("SELECT name, email FROM users")] == [("anna", None)]


def test_a_failed_step_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(tmp_path)
    before = len(store.MIGRATIONS)
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, "CREATE TABLE extra (x); SELECT nonsense FROM"))
    with pytest.raises(StoreError, match=FILE_NAME):
        open_store(tmp_path)
    db = sqlite3.connect(tmp_path / FILE_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name='extra'").fetchone()[0] == 0


def test_a_file_from_newer_software_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path).execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer"):
        open_store(tmp_path)


def test_an_unusable_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match=str(tmp_path / "file")):
        open_store(tmp_path / "file")


# --- users ---------------------------------------------------------------------------------------


def test_password_is_kept_as_argon2id_hash(tmp_path: Path) -> None:
    users = Users(open_store(tmp_path))
    users.add("anna", "clerk", PASSWORD, "Anna Amt")
    stored = open_store(tmp_path).execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.verify("anna", PASSWORD).display_name == "Anna Amt"  # type: ignore[union-attr]
    assert users.verify("anna", PASSWORD + "x") is None
    assert users.verify("nobody", PASSWORD) is None


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("anna", "clerk", "short", "at least 12"),
    ("anna", "boss", PASSWORD, "one of clerk, operator, admin"),
    ("an na", "clerk", PASSWORD, "not allowed"),
    ("", "clerk", PASSWORD, "not allowed"),
])
def test_bad_users_are_refused_with_the_reason(tmp_path: Path, name: str, role: str, password: str,
                                               message: str) -> None:
    with pytest.raises(AccountError, match=message):
        Users(open_store(tmp_path)).add(name, role, password)


def test_existing_user_is_replaced_only_on_request(tmp_path: Path) -> None:
    db = open_store(tmp_path)
    users = Users(db)
    users.add("anna", "clerk", PASSWORD)
    with pytest.raises(AccountError, match="exists already; use --update"):
        users.add("anna", "admin", "another password 1")
    assert users.verify("anna", PASSWORD).role == "clerk"  # type: ignore[union-attr]
    db.execute("INSERT INTO sessions VALUES ('x', 'anna', 'c', 0, 0)")
    users.add("anna", "admin", "another password 1", update=True)
    assert users.verify("anna", PASSWORD) is None
    assert users.verify("anna", "another password 1").role == "admin"  # type: ignore[union-attr]
    assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0, "a new password logs out everywhere"


# --- terminals -----------------------------------------------------------------------------------


def test_terminal_token_is_random_and_only_its_hash_is_stored(tmp_path: Path) -> None:
    terminals = Terminals(open_store(tmp_path))
    token = terminals.add("demo-01", "Foyer")
    assert len(token) == 43 and token != terminals.add("demo-02")
    stored = open_store(tmp_path).execute("SELECT token_sha256 FROM terminals WHERE id='demo-01'").fetchone()[0]
    assert stored == sha256(token)
    assert token.encode() not in (tmp_path / FILE_NAME).read_bytes() + (tmp_path / f"{FILE_NAME}-wal").read_bytes()


@pytest.mark.parametrize("terminal_id", ["a", "Demo-01", "-demo", "demo_01", "x" * 33, "demo 01"])
def test_bad_terminal_ids_are_refused(tmp_path: Path, terminal_id: str) -> None:
    with pytest.raises(AccountError, match="not allowed"):
        Terminals(open_store(tmp_path)).add(terminal_id)


def test_renew_replaces_the_token(tmp_path: Path) -> None:
    terminals = Terminals(open_store(tmp_path))
    old = terminals.add("demo-01", "Foyer")
    with pytest.raises(AccountError, match="--renew"):
        terminals.add("demo-01")
    new = terminals.add("demo-01", renew=True)
    assert terminals.by_token(old) is None
    assert terminals.by_token(new).location == "Foyer"  # type: ignore[union-attr]


# --- failed-login limiter ------------------------------------------------------------------------


def test_limiter_blocks_after_the_allowed_failures_and_slides() -> None:
    clock = ManualClock(0)
    limiter = LoginLimiter(attempts=2, window_s=10, clock=clock)
    assert limiter.retry_after(["a"]) == 0
    limiter.failed(["a"])
    clock.advance(4)
    limiter.failed(["a"])
    assert limiter.retry_after(["a"]) == 6
    assert limiter.retry_after(["b"]) == 0, "keys are counted apart"
    clock.advance(6)
    assert limiter.retry_after(["a"]) == 0, "the first failure left the window"
    limiter.failed(["a"])
    assert limiter.retry_after(["a"]) == 4


def test_limiter_reports_the_longest_wait_of_its_keys_and_success_clears_one() -> None:
    clock = ManualClock(0)
    limiter = LoginLimiter(attempts=1, window_s=10, clock=clock)
    limiter.failed(["name", "addr"])
    clock.advance(3)
    limiter.failed(["addr"])
    assert limiter.retry_after(["name", "addr"]) == 10
    limiter.succeeded("addr")
    assert limiter.retry_after(["name", "addr"]) == 7
