"""The encrypted outbox, against a real SQLite file."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.outbox.application import Application, new_reference
from kiosk.outbox.store import EncryptedOutbox, OutboxError

CANARY = "Kanarienvogel-4711"
REFERENCE = re.compile(r"^MB-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def application(familienname: str = "Müller-Öztürk", ort: str = "Köln") -> Application:
    """An application with data as the service's schema describes it (nested, ISO date, booleans)."""
    return Application(service_id="meldebescheinigung", language="de", terminal_id="demo-01",
                       submitted_at="2025-06-15T10:00:00+00:00",
                       data={"vorname": "Erika", "familienname": familienname, "geburtsdatum": "1964-08-12",
                             "anschrift": {"strasse": "Heidestraße", "hausnummer": "17a", "plz": "51147",
                                           "ort": ort},
                             "zweck": "arbeitgeber", "zustellung": "post", "express": False,
                             "tiere": ["hund", "katze"], "anzahl": 2})


@pytest.fixture
def paths(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "data" / "outbox.sqlite", tmp_path / "data" / "outbox.key"


@pytest.fixture
def outbox(paths: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    box = EncryptedOutbox(*paths)
    yield box
    box.close()


def test_put_then_read_round_trips(outbox: EncryptedOutbox) -> None:
    sent = application()
    reference = outbox.put(sent, "MB")
    assert outbox.read(reference) == sent


def test_reference_format_uses_the_unambiguous_alphabet(outbox: EncryptedOutbox) -> None:
    references = {outbox.put(application(), "MB") for _ in range(50)}
    assert len(references) == 50
    for reference in references:
        assert REFERENCE.match(reference), reference
        assert not set(reference[3:]) & set("ILOU")


def test_new_reference_never_uses_ambiguous_letters() -> None:
    seen = set("".join(new_reference("MB")[3:].replace("-", "") for _ in range(2000)))
    assert not seen & set("ILOU")
    assert len(seen) == 32  # the whole alphabet is used, so references are not predictable


def test_no_plain_text_answers_on_disk(paths: tuple[Path, Path]) -> None:
    database, key_file = paths
    box = EncryptedOutbox(database, key_file)
    references = [box.put(application(familienname=CANARY, ort="Köln-Porz"), "MB") for _ in range(3)]
    assert box.read(references[0]).data["familienname"] == CANARY
    assert box.read(references[0]).data["anschrift"]["ort"] == "Köln-Porz"
    needles = [CANARY.encode(enc) for enc in ("utf-8", "utf-16-le", "utf-16-be")] + ["Köln-Porz".encode("utf-8")]

    def check_files() -> list[str]:
        files = [p for p in database.parent.iterdir() if p.name.startswith(database.name)]
        for path in files:
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} in {path.name}"
        return sorted(p.name for p in files)

    # While open the recent rows sit in the WAL file; after close they are in the database file.
    assert "outbox.sqlite-wal" in check_files()
    box.close()
    assert "outbox.sqlite" in check_files()


def test_rows_hold_only_reference_nonce_and_ciphertext(outbox: EncryptedOutbox, paths: tuple[Path, Path]) -> None:
    reference = outbox.put(application(familienname=CANARY), "MB")
    with sqlite3.connect(paths[0]) as db:
        rows = db.execute("SELECT reference, nonce, ciphertext FROM outbox").fetchall()
    assert [r[0] for r in rows] == [reference]
    assert len(rows[0][1]) == 12
    assert CANARY.encode() not in rows[0][2]


def test_key_file_is_private_and_reused_on_reopen(paths: tuple[Path, Path]) -> None:
    database, key_file = paths
    first = EncryptedOutbox(database, key_file)
    sent = application(familienname=CANARY)
    reference = first.put(sent, "MB")
    first.close()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes()
    assert len(key) == 32

    again = EncryptedOutbox(database, key_file)
    try:
        assert key_file.read_bytes() == key
        assert again.read(reference) == sent
        assert again.pending() == 1
    finally:
        again.close()


@pytest.mark.parametrize("length", [0, 16, 31, 33])
def test_wrong_length_key_file_is_refused(paths: tuple[Path, Path], length: int) -> None:
    database, key_file = paths
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(b"k" * length)
    with pytest.raises(OutboxError) as info:
        EncryptedOutbox(database, key_file)
    assert str(key_file) in str(info.value)
    assert "32 bytes" in str(info.value)
    assert key_file.read_bytes() == b"k" * length  # never overwritten


def test_another_key_cannot_read(paths: tuple[Path, Path], tmp_path: Path) -> None:
    database, key_file = paths
    box = EncryptedOutbox(database, key_file)
    reference = box.put(application(), "MB")
    box.close()
    stranger = EncryptedOutbox(database, tmp_path / "other.key")
    try:
        with pytest.raises(OutboxError) as info:
            stranger.read(reference)
        assert str(database) in str(info.value)
    finally:
        stranger.close()


def test_tampered_ciphertext_fails_to_decrypt(outbox: EncryptedOutbox, paths: tuple[Path, Path]) -> None:
    reference = outbox.put(application(), "MB")
    with sqlite3.connect(paths[0]) as db:
        (ciphertext,) = db.execute("SELECT ciphertext FROM outbox WHERE reference = ?", (reference,)).fetchone()
        flipped = bytes([ciphertext[0] ^ 0x01]) + ciphertext[1:]
        db.execute("UPDATE outbox SET ciphertext = ? WHERE reference = ?", (flipped, reference))
    with pytest.raises(OutboxError) as info:
        outbox.read(reference)
    assert reference in str(info.value)


def test_row_moved_to_another_reference_fails_to_decrypt(outbox: EncryptedOutbox, paths: tuple[Path, Path]) -> None:
    first = outbox.put(application(familienname="Erste"), "MB")
    second = outbox.put(application(familienname="Zweite"), "MB")
    with sqlite3.connect(paths[0]) as db:
        row = db.execute("SELECT nonce, ciphertext FROM outbox WHERE reference = ?", (first,)).fetchone()
        db.execute("UPDATE outbox SET nonce = ?, ciphertext = ? WHERE reference = ?", (*row, second))
    assert outbox.read(first).data["familienname"] == "Erste"
    with pytest.raises(OutboxError):
        outbox.read(second)


def test_unknown_reference(outbox: EncryptedOutbox, paths: tuple[Path, Path]) -> None:
    with pytest.raises(OutboxError) as info:
        outbox.read("MB-0000-0000")
    assert "MB-0000-0000" in str(info.value)
    assert str(paths[0]) in str(info.value)


def test_pending_counts_undelivered(outbox: EncryptedOutbox, paths: tuple[Path, Path]) -> None:
    assert outbox.pending() == 0
    references = [outbox.put(application(), "MB") for _ in range(3)]
    assert outbox.pending() == 3
    with sqlite3.connect(paths[0]) as db:
        db.execute("UPDATE outbox SET delivered = 1 WHERE reference = ?", (references[0],))
    assert outbox.pending() == 2


def test_unopenable_database_names_the_file(tmp_path: Path) -> None:
    database = tmp_path / "outbox.sqlite"
    database.mkdir()  # a folder where the file should be
    with pytest.raises(OutboxError) as info:
        EncryptedOutbox(database, tmp_path / "outbox.key")
    assert str(database) in str(info.value)


def test_application_json_round_trip_keeps_umlauts_and_types() -> None:
    sent = application(familienname="Weiß", ort="Köln")
    data = sent.to_json()
    assert "Weiß".encode() in data
    received = Application.from_json(data)
    assert received == sent
    assert received.data["express"] is False and received.data["anzahl"] == 2
    assert received.data["tiere"] == ["hund", "katze"] and received.data["anschrift"]["ort"] == "Köln"
