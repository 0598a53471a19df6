"""`kiosk printer status` and `kiosk printer test-receipt` as an operator runs them, in real
subprocesses, against the printer emulator on a socat pty pair."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.printer.emulated_line import EmulatedLine
from hardware.printer.emulator_mode import EmulatorMode
from hardware.printer.escpos_parser import QrCode, TextLine, parse_escpos
from tests.e2e.test_cli import kiosk

pytestmark = pytest.mark.integration


@pytest.fixture
def line(tmp_path: Path) -> Iterator[EmulatedLine]:
    line = EmulatedLine(tmp_path / "line", tmp_path / "paper")
    yield line
    line.close()


@pytest.mark.parametrize("mode, expected, code", [
    (EmulatorMode.READY, {"online": True, "paper": "ok", "cover_open": False, "error": None}, 0),
    (EmulatorMode.NEAR_END, {"online": True, "paper": "near_end", "cover_open": False, "error": None}, 0),
    (EmulatorMode.PAPER_OUT, {"online": False, "paper": "out", "cover_open": False, "error": None}, 1),
    (EmulatorMode.COVER_OPEN, {"online": False, "paper": "ok", "cover_open": True, "error": None}, 1),
    (EmulatorMode.ERROR, {"online": False, "paper": "ok", "cover_open": False, "error": "autocutter error"}, 1),
    (EmulatorMode.OFFLINE, {"online": None, "paper": "unknown", "cover_open": None, "error": "no reply"}, 1),
], ids=str)
def test_status_as_json(line: EmulatedLine, mode: EmulatorMode, expected: dict[str, object], code: int) -> None:
    line.emulator.set_mode(mode)
    done = kiosk("printer", "status", "--port", str(line.terminal_end), "--json")
    assert done.returncode == code, done.stderr
    assert json.loads(done.stdout) == expected


def test_garbage_is_unknown_and_the_plain_status_says_what_to_do(line: EmulatedLine) -> None:
    line.emulator.set_mode(EmulatorMode.GARBAGE)
    done = kiosk("printer", "status", "--port", str(line.terminal_end), "--json")
    assert done.returncode == 1
    answer = json.loads(done.stdout)
    assert (answer["online"], answer["paper"]) == (None, "unknown")
    assert answer["error"].startswith("malformed reply 0x")
    line.emulator.set_mode(EmulatorMode.PAPER_OUT)
    done = kiosk("printer", "status", "--port", str(line.terminal_end))
    assert done.stdout.startswith(f"printer on {line.terminal_end}: paper out: load a new paper roll")


def test_a_port_without_a_printer(tmp_path: Path) -> None:
    done = kiosk("printer", "status", "--port", str(tmp_path / "ttyUSB7"), "--json")
    assert done.returncode == 1
    answer = json.loads(done.stdout)
    assert answer["paper"] == "unknown" and answer["error"].startswith("not connected")


@pytest.mark.parametrize("lang", ["de", "uk"])
def test_test_receipt_prints_in_the_language_with_the_code(line: EmulatedLine, lang: str) -> None:
    done = kiosk("printer", "test-receipt", "--port", str(line.terminal_end), "--lang", lang, "--code", "TEST-1234")
    assert done.returncode == 0, done.stderr
    assert "test receipt printed" in done.stdout
    assert line.emulator.wait_for_receipts(1, 10)
    elements = parse_escpos(line.emulator.receipts[0])
    assert [e.text for e in elements if isinstance(e, QrCode)] == ["TEST-1234"]
    printed = " ".join(e.text for e in elements if isinstance(e, TextLine))
    assert ("Beleg" if lang == "de" else "Квитанція") in printed


def test_test_receipt_on_58_mm_with_a_raster_qr_code(line: EmulatedLine) -> None:
    done = kiosk("printer", "test-receipt", "--port", str(line.terminal_end), "--paper", "58", "--qr", "raster")
    assert done.returncode == 0, done.stderr
    assert line.emulator.wait_for_receipts(1, 10)
    lines = [e.text for e in parse_escpos(line.emulator.receipts[0]) if isinstance(e, TextLine)]
    assert max(len(text) for text in lines) <= 32


@pytest.mark.parametrize("mode, reason", [(EmulatorMode.PAPER_OUT, "not printed: printer on {port}: paper out"),
                                          (EmulatorMode.COVER_OPEN, "not printed: printer on {port}: cover open"),
                                          (EmulatorMode.OFFLINE, "sent, but the printer did not confirm it")], ids=str)
def test_test_receipt_says_why_it_did_not_print(line: EmulatedLine, mode: EmulatorMode, reason: str) -> None:
    line.emulator.set_mode(mode)
    done = kiosk("printer", "test-receipt", "--port", str(line.terminal_end))
    assert done.returncode == 1
    assert reason.format(port=line.terminal_end) in done.stderr
