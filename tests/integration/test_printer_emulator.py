"""The printer emulator on a real serial line: a socat pty pair, the terminal's end driven
by plain pyserial (and python-escpos), nothing mocked.

Needs the Debian package `socat`; without it every test here fails (CI installs it).
The expected status bytes are written out from the Epson ESC/POS reference's bit
meanings, not taken from the emulator's own table.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import serial
from escpos.printer import Dummy
from escpos.printer import Serial as EscposSerial
from PIL import Image

from hardware.printer.emulator import PrinterEmulator
from hardware.printer.emulator_mode import EmulatorMode
from hardware.printer.serial_link import SerialLink, SerialLinkError
from kiosk.cli import main

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
REPLY_TIMEOUT_S = 1.0  # how long the terminal waits for an answer that must come
SILENCE_S = 0.2  # how long it listens for an answer that must not come (one comes within ms)
TAIL_S = 0.05  # after a reply's first byte, how long it listens for more
RECEIPT_TIMEOUT_S = 10.0

DLE_EOT = b"\x10\x04"
ESC_T_CP858 = b"\x1bt\x13"

# Status byte bits, Epson ESC/POS reference (DLE EOT n). Bits 1 and 4 are always set,
# bits 0 and 7 never.
FIXED = 0x12
OFFLINE = 0x08  # n=1
COVER_OPEN, PAPER_END_STOP, ERROR_OCCURRED = 0x04, 0x20, 0x40  # n=2
AUTOCUTTER_ERROR = 0x08  # n=3
NEAR_END, PAPER_OUT = 0x0C, 0x60  # n=4

EXPECTED_REPLIES = {  # mode: replies to DLE EOT 1, 2, 3, 4
    "ready": (FIXED, FIXED, FIXED, FIXED),
    "near_end": (FIXED, FIXED, FIXED, FIXED | NEAR_END),
    "paper_out": (FIXED | OFFLINE, FIXED | PAPER_END_STOP, FIXED, FIXED | NEAR_END | PAPER_OUT),
    "cover_open": (FIXED | OFFLINE, FIXED | COVER_OPEN, FIXED, FIXED),
    "error": (FIXED | OFFLINE, FIXED | ERROR_OCCURRED, FIXED | AUTOCUTTER_ERROR, FIXED),
}

QR_PAYLOAD = "https://termine.example.de/r/MB-7K3Q-9XZ2?ort=Köln"


def query(n: int) -> bytes:
    return DLE_EOT + bytes([n])


@pytest.fixture
def link(tmp_path: Path) -> Iterator[SerialLink]:
    with SerialLink(tmp_path / "printer", tmp_path / "terminal") as link:
        yield link


@pytest.fixture
def emulator(link: SerialLink, tmp_path: Path) -> Iterator[PrinterEmulator]:
    with PrinterEmulator(link.printer_end, tmp_path / "out") as emulator:
        yield emulator


@pytest.fixture
def terminal(link: SerialLink, emulator: PrinterEmulator) -> Iterator[serial.Serial]:
    port = serial.Serial(str(link.terminal_end), timeout=REPLY_TIMEOUT_S)
    yield port
    port.close()


@pytest.fixture
def receipt_bytes() -> bytes:
    """A small receipt as python-escpos sends it: cp858 umlauts, bold centred title, native QR, cut."""
    printer = Dummy(profile="TM-T20II")
    printer.charcode("CP858")
    printer.set(align="center", bold=True)
    printer.textln("Grüße aus Köln")
    printer.set(align="left", bold=False)
    printer.textln("Gebühr: 37,00 €")
    printer.set(align="center")
    printer.qr(QR_PAYLOAD, native=True, size=4)
    printer.cut()
    return printer.output


def ask(terminal: serial.Serial, n: int) -> bytes:
    """Send DLE EOT n and read one byte of reply (b"" when none comes)."""
    terminal.write(query(n))
    return terminal.read(1)


def ask_whole(terminal: serial.Serial, n: int) -> bytes:
    """Send DLE EOT n and read the whole reply, however long."""
    reply = ask(terminal, n)
    return reply + listen(terminal, TAIL_S) if reply else reply


def listen(terminal: serial.Serial, seconds: float) -> bytes:
    """Everything that arrives within `seconds` (pyserial's read waits out its timeout)."""
    terminal.timeout, before = seconds, terminal.timeout
    try:
        return terminal.read(4096)
    finally:
        terminal.timeout = before


# -- status ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", sorted(EXPECTED_REPLIES))
def test_each_mode_answers_each_status_query_with_one_byte(
    emulator: PrinterEmulator, terminal: serial.Serial, mode: str
) -> None:
    emulator.set_mode(mode)
    replies = tuple(ask(terminal, n) for n in (1, 2, 3, 4))
    assert replies == tuple(bytes([value]) for value in EXPECTED_REPLIES[mode])
    assert listen(terminal, TAIL_S) == b""  # one byte per query, nothing more
    assert emulator.status_queries == 4


def test_python_escpos_reads_the_paper_and_online_state(emulator: PrinterEmulator, link: SerialLink) -> None:
    """An independent reader of the same bytes: python-escpos' own status methods."""
    # It reads 16 bytes per query, so each one waits out the timeout: keep it short.
    printer = EscposSerial(devfile=str(link.terminal_end), timeout=0.05, dsrdtr=False)
    try:
        seen = {}
        for mode in ("ready", "near_end", "paper_out", "cover_open"):
            emulator.set_mode(mode)
            seen[mode] = (printer.paper_status(), printer.is_online())
    finally:
        printer.close()
    # paper_status(): 2 plenty, 1 near end, 0 none
    assert seen == {"ready": (2, True), "near_end": (1, True), "paper_out": (0, False),
                    "cover_open": (2, False)}


def test_offline_printer_answers_nothing_and_loses_what_it_is_sent(
    emulator: PrinterEmulator, terminal: serial.Serial, receipt_bytes: bytes
) -> None:
    emulator.set_mode("offline")
    terminal.write(receipt_bytes + b"".join(query(n) for n in (1, 2, 3, 4)))
    assert listen(terminal, SILENCE_S) == b""
    emulator.set_mode("ready")
    # The answer to a query sent now shows the emulator has read everything sent before.
    assert ask(terminal, 1) == bytes([FIXED])
    assert emulator.status_queries == 1
    assert not emulator.wait_for_receipts(1, SILENCE_S)


def test_garbage_mode_answers_every_query_malformed(emulator: PrinterEmulator, terminal: serial.Serial) -> None:
    emulator.set_mode(EmulatorMode.GARBAGE)
    replies = [ask_whole(terminal, n) for n in (1, 2, 3, 4, 1, 4)]
    for reply in replies:
        assert reply, "garbage mode still answers"
        assert len(reply) != 1 or reply[0] & 0x93 != FIXED, f"{reply!r} looks like a valid status byte"
    assert len(set(replies)) > 1, "the malformed replies vary"
    assert emulator.status_queries == len(replies)


def test_query_split_across_writes_is_answered_when_complete(
    emulator: PrinterEmulator, terminal: serial.Serial
) -> None:
    emulator.set_mode("near_end")
    for part in (b"\x10", b"\x04"):
        terminal.write(part)
        assert listen(terminal, SILENCE_S) == b""  # also lets the emulator read the part alone
    terminal.write(b"\x04")
    assert terminal.read(1) == bytes([FIXED | NEAR_END])
    assert emulator.status_queries == 1


def test_query_in_the_middle_of_a_job_is_answered_at_once(
    emulator: PrinterEmulator, terminal: serial.Serial, receipt_bytes: bytes
) -> None:
    line_end = receipt_bytes.index(b"\n") + 1  # between two commands, where a driver may ask
    first, rest = receipt_bytes[:line_end], receipt_bytes[line_end:]
    terminal.write(first)
    assert ask(terminal, 4) == bytes([FIXED])
    assert emulator.receipts == []  # answered before the job was complete
    terminal.write(rest)
    assert emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
    # The query stays in the job as received; it puts nothing on paper.
    assert emulator.receipts == [first + query(4) + rest]


# -- printing ----------------------------------------------------------------------


def test_receipt_is_written_as_bytes_text_and_picture(
    emulator: PrinterEmulator, terminal: serial.Serial, receipt_bytes: bytes, tmp_path: Path
) -> None:
    assert ESC_T_CP858 in receipt_bytes  # umlauts go as cp858 (ESC t 19)
    terminal.write(query(4) + receipt_bytes + query(1))  # queries between jobs are no part of one
    assert emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
    out = tmp_path / "out"
    assert emulator.receipts == [receipt_bytes]
    assert (out / "001.bin").read_bytes() == receipt_bytes

    lines = (out / "001.txt").read_text(encoding="utf-8").splitlines()
    title = next(line for line in lines if "Grüße" in line)
    assert title.strip() == "**Grüße aus Köln**" and title.startswith(" ")  # bold, centred
    assert "Gebühr: 37,00 €" in lines  # left-aligned: no padding
    assert any(line.strip() == f"[QR: {QR_PAYLOAD}]" for line in lines)
    assert lines[-1].strip("-").strip() == "cut"

    picture = np.array(Image.open(out / "001.png").convert("L"))
    assert picture.shape[1] == 576  # an 80 mm roll
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(picture)
    assert decoded == QR_PAYLOAD


def test_two_jobs_in_one_write_become_two_receipts(
    emulator: PrinterEmulator, terminal: serial.Serial, receipt_bytes: bytes
) -> None:
    second = receipt_bytes.replace("Köln".encode("cp858"), "Bonn".encode("cp858"))
    terminal.write(receipt_bytes + second)
    assert emulator.wait_for_receipts(2, RECEIPT_TIMEOUT_S)
    assert emulator.receipts == [receipt_bytes, second]


def test_paper_out_holds_the_job_until_the_roll_is_changed(
    emulator: PrinterEmulator, terminal: serial.Serial, receipt_bytes: bytes, tmp_path: Path
) -> None:
    emulator.set_mode("paper_out")
    terminal.write(receipt_bytes)
    assert ask(terminal, 4) == bytes([FIXED | NEAR_END | PAPER_OUT])  # the job is in by now
    assert not emulator.wait_for_receipts(1, SILENCE_S)
    assert not (tmp_path / "out" / "001.png").exists()
    emulator.set_mode("ready")
    assert emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
    assert emulator.receipts == [receipt_bytes]
    assert (tmp_path / "out" / "001.png").exists()


# -- the cable -------------------------------------------------------------------------


def test_unplugging_mid_job_keeps_the_partial_job_and_prints_nothing(
    emulator: PrinterEmulator, terminal: serial.Serial, link: SerialLink, receipt_bytes: bytes,
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread_errors: list[object] = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    half = receipt_bytes[: len(receipt_bytes) // 2]
    terminal.write(half)
    assert ask(terminal, 1) == bytes([FIXED])  # everything sent so far has arrived

    link.close()
    assert emulator.wait_for_disconnect(REPLY_TIMEOUT_S)
    assert emulator.partial == half + query(1)
    assert emulator.receipts == []
    assert not list((tmp_path / "out").iterdir())
    assert _thread_ends("printer-emulator-receive")
    assert thread_errors == []
    assert "lost" in caplog.text and "ERROR" not in caplog.text and "Traceback" not in caplog.text
    with pytest.raises(serial.SerialException):  # the terminal's end is dead too (EIO)
        terminal.write(b"\n")


def test_a_replugged_link_carries_bytes_to_new_ends(link: SerialLink, receipt_bytes: bytes) -> None:
    link.close()
    assert not link.printer_end.exists()  # socat removes its links when stopped
    link.restart()
    with PrinterEmulator(link.printer_end) as emulator, serial.Serial(str(link.terminal_end), timeout=1) as port:
        port.write(receipt_bytes)
        assert emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
        assert emulator.receipts == [receipt_bytes]


def test_missing_socat_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without socat
    with pytest.raises(SerialLinkError, match="install the Debian package socat"):
        SerialLink(tmp_path / "a", tmp_path / "b").start()


def test_socat_failing_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SerialLinkError, match=r"socat exited with code 1: .*No such file or directory"):
        SerialLink(tmp_path / "no such folder" / "printer", tmp_path / "terminal").start()
    assert not (tmp_path / "terminal").exists()


def _thread_ends(name: str) -> bool:
    for thread in threading.enumerate():
        if thread.name == name:
            thread.join(REPLY_TIMEOUT_S)
            if thread.is_alive():
                return False
    return True


# -- the command line -----------------------------------------------------------------


class LineReader:
    """Lines of a subprocess' stdout, waited for with a timeout."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [self._lines.put(line) for line in stream], daemon=True).start()

    def next(self, timeout: float = RECEIPT_TIMEOUT_S) -> str:
        return self._lines.get(timeout=timeout).rstrip("\n")


def start_emulate(tmp_path: Path) -> tuple[subprocess.Popen[str], LineReader]:
    """`kiosk printer emulate --pair`, from this worktree, once it says it is listening."""
    command = [sys.executable, "-m", "kiosk.cli", "printer", "emulate", "--link", str(tmp_path / "printer"),
               "--pair", str(tmp_path / "terminal"), "--out", str(tmp_path / "receipts")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(command, cwd=REPO, env=env, text=True, encoding="utf-8",
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = LineReader(process.stdout)
    try:
        assert stdout.next().startswith(f"printer emulator on {tmp_path / 'printer'}, mode ready")
        assert "ready, near_end, paper_out" in stdout.next()  # how to switch modes
    except BaseException:
        stop(process)
        raise
    return process, stdout


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


def test_emulate_command_prints_receipts_and_switches_mode_from_stdin(tmp_path: Path, receipt_bytes: bytes) -> None:
    process, stdout = start_emulate(tmp_path)
    try:
        with serial.Serial(str(tmp_path / "terminal"), timeout=REPLY_TIMEOUT_S) as port:
            port.write(receipt_bytes)
            png = tmp_path / "receipts" / "001.png"
            assert stdout.next() == f"receipt 1: {len(receipt_bytes)} bytes -> {png}"
            process.stdin.write("paper_out\n")
            process.stdin.flush()
            assert stdout.next() == "mode paper_out"
            port.write(query(4))
            assert port.read(1) == bytes([FIXED | NEAR_END | PAPER_OUT])
        process.stdin.write("jammed\n")
        process.stdin.close()  # end of input: the emulator stops and closes the line
        assert process.wait(RECEIPT_TIMEOUT_S) == 0
    finally:
        stop(process)
    errors = process.stderr.read()
    assert "unknown mode 'jammed'" in errors and all(mode.value in errors for mode in EmulatorMode)
    assert "Traceback" not in errors
    assert png.exists() and (tmp_path / "receipts" / "001.txt").exists()
    assert not (tmp_path / "printer").exists() and not (tmp_path / "terminal").exists()  # socat stopped


def test_emulate_command_ends_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    process, _ = start_emulate(tmp_path)
    try:
        process.send_signal(signal.SIGINT)
        assert process.wait(RECEIPT_TIMEOUT_S) == 0
    finally:
        stop(process)
    assert process.stderr.read() == ""
    assert not (tmp_path / "printer").exists()  # socat stopped


def test_emulate_command_without_pair_needs_an_existing_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["printer", "emulate", "--link", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_emulate_command_rejects_an_unknown_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "emulate", "--link", str(tmp_path / "p"), "--pair", str(tmp_path / "t"),
                 "--mode", "broken"]) == 2
    assert "modes: ready, near_end" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()  # nothing started
