"""The serial driver against the printer emulator over a real socat pty pair: every status,
every failure (unplugging mid-job, garbage replies, a silent printer), receipts read back.

Needs the Debian package `socat`; without it every test here fails (CI installs it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from hardware.printer import JobOutcome, PaperStatus, PrinterFault, PrinterStatus, ReceiptFormat
from hardware.printer.emulated_line import EmulatedLine
from hardware.printer.emulator_mode import EmulatorMode
from hardware.printer.escpos_parser import QrCode, TextLine, parse_escpos
from hardware.printer.interface import READY
from hardware.printer.monitor import PrinterMonitor
from hardware.printer.samples import typical_receipt
from hardware.printer.serial_printer import SerialPrinter

pytestmark = pytest.mark.integration

RECEIPT_TIMEOUT_S = 10.0

STATUS_OF_MODE = {
    EmulatorMode.READY: READY,
    EmulatorMode.NEAR_END: PrinterStatus(True, PaperStatus.NEAR_END, False, None),
    EmulatorMode.PAPER_OUT: PrinterStatus(False, PaperStatus.OUT, False, None),
    EmulatorMode.COVER_OPEN: PrinterStatus(False, PaperStatus.OK, True, None),
    EmulatorMode.ERROR: PrinterStatus(False, PaperStatus.OK, False, "autocutter error"),
    EmulatorMode.OFFLINE: PrinterStatus.unknown("no reply"),
}


@pytest.fixture
def line(tmp_path: Path) -> Iterator[EmulatedLine]:
    line = EmulatedLine(tmp_path / "line", tmp_path / "out")
    yield line
    line.close()


@pytest.fixture
def printer(line: EmulatedLine) -> Iterator[SerialPrinter]:
    printer = SerialPrinter(str(line.terminal_end), baudrate=115200, timeout_s=0.1)
    yield printer
    printer.close()


@pytest.mark.parametrize("mode", list(STATUS_OF_MODE), ids=str)
def test_every_state_of_the_printer_is_read(line: EmulatedLine, printer: SerialPrinter, mode: EmulatorMode) -> None:
    line.emulator.set_mode(mode)
    assert printer.status() == STATUS_OF_MODE[mode]


def test_garbage_replies_are_unknown_never_ok(line: EmulatedLine, printer: SerialPrinter) -> None:
    line.emulator.set_mode(EmulatorMode.GARBAGE)
    seen = {printer.status() for _ in range(5)}  # the emulator cycles through five kinds of garbage
    assert all(s.paper is PaperStatus.UNKNOWN and s.online is None for s in seen)
    assert all(s.error is not None and s.error.startswith("malformed reply") for s in seen)
    line.emulator.set_mode(EmulatorMode.READY)
    assert printer.status() == READY  # a stray byte of the garbage is not taken for the next reply


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_a_receipt_comes_out_whole_and_reads_back(line: EmulatedLine, printer: SerialPrinter, lang: str,
                                                  tmp_path: Path) -> None:
    receipt = typical_receipt(lang)
    result = printer.print_receipt(receipt)
    assert (result.outcome, result.fault) == (JobOutcome.PRINTED, None)
    assert line.emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
    [received] = line.emulator.receipts
    assert len(received) == result.bytes_sent
    elements = parse_escpos(received)
    assert [e.text for e in elements if isinstance(e, QrCode)] == [receipt.qr_payload]
    if lang == "de":
        printed = "\n".join(e.text for e in elements if isinstance(e, TextLine))
        assert "Biometrisches Passfoto für Ausweis oder Pass" in printed
    # The emulator's picture of the paper: its QR code read by a decoder we do not print with.
    picture = cv2.imread(str(tmp_path / "out" / "001.png"))
    assert cv2.QRCodeDetector().detectAndDecode(picture)[0] == receipt.qr_payload


def test_58_mm_paper_with_a_raster_qr_code(line: EmulatedLine) -> None:
    printer = SerialPrinter(str(line.terminal_end), receipt_format=ReceiptFormat(paper_mm=58, native_qr=False))
    try:
        assert printer.print_receipt(typical_receipt("tr")).printed
    finally:
        printer.close()
    assert line.emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)
    lines = [e.text for e in parse_escpos(line.emulator.receipts[0]) if isinstance(e, TextLine)]
    assert max(len(text) for text in lines) <= 32
    assert "Fiş" in lines[0]


@pytest.mark.parametrize("mode, fault", [(EmulatorMode.PAPER_OUT, PrinterFault.PAPER_OUT),
                                         (EmulatorMode.COVER_OPEN, PrinterFault.COVER_OPEN),
                                         (EmulatorMode.ERROR, PrinterFault.ERROR)], ids=str)
def test_a_printer_that_says_it_cannot_print_gets_no_byte(line: EmulatedLine, printer: SerialPrinter,
                                                          mode: EmulatorMode, fault: PrinterFault) -> None:
    line.emulator.set_mode(mode)
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault, result.bytes_sent) == (JobOutcome.FAILED, fault, 0)
    assert result.detail.startswith(f"printer on {line.terminal_end}: {fault.value}")
    line.emulator.set_mode(EmulatorMode.READY)  # nothing was waiting in its buffer to come out now
    assert not line.emulator.wait_for_receipts(1, 0.3)
    assert line.emulator.partial == b""


def test_near_end_prints_and_says_so(line: EmulatedLine, printer: SerialPrinter) -> None:
    line.emulator.set_mode(EmulatorMode.NEAR_END)
    assert printer.print_receipt(typical_receipt("en")).printed
    assert line.emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)


@pytest.mark.parametrize("mode", [EmulatorMode.OFFLINE, EmulatorMode.GARBAGE], ids=str)
def test_a_printer_without_a_status_is_sent_the_receipt_but_never_called_printed(
        line: EmulatedLine, printer: SerialPrinter, mode: EmulatorMode) -> None:
    line.emulator.set_mode(mode)
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault) == (JobOutcome.UNKNOWN, PrinterFault.NO_REPLY)
    assert result.bytes_sent > 0


def test_paper_running_out_during_the_job_fails_it(line: EmulatedLine, printer: SerialPrinter,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    send = printer._send

    def send_then_run_out(data: bytes) -> None:
        send(data)
        line.emulator.set_mode(EmulatorMode.PAPER_OUT)

    monkeypatch.setattr(printer, "_send", send_then_run_out)
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault) == (JobOutcome.FAILED, PrinterFault.PAPER_OUT)
    assert result.bytes_sent > 0


def test_unplugged_before_the_job_fails_it_and_plugging_in_recovers(line: EmulatedLine,
                                                                   printer: SerialPrinter) -> None:
    assert printer.status() == READY  # the port is open
    line.unplug()
    status = printer.status()
    assert status.fault is PrinterFault.NOT_CONNECTED and status.paper is PaperStatus.UNKNOWN
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault) == (JobOutcome.FAILED, PrinterFault.NOT_CONNECTED)
    line.plug_in()
    assert printer.status() == READY  # the driver opened the port again by itself
    assert printer.print_receipt(typical_receipt("de")).printed
    assert line.emulator.wait_for_receipts(1, RECEIPT_TIMEOUT_S)


def test_unplugged_while_sending_fails_the_job(line: EmulatedLine, printer: SerialPrinter,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    send = printer._send

    def unplug_then_send(data: bytes) -> None:
        line.unplug()
        send(data)

    monkeypatch.setattr(printer, "_send", unplug_then_send)
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault) == (JobOutcome.FAILED, PrinterFault.NOT_CONNECTED)
    assert "write failed" in result.detail


def test_unplugged_after_sending_is_not_called_printed(line: EmulatedLine, printer: SerialPrinter,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    send = printer._send

    def send_then_unplug(data: bytes) -> None:
        send(data)
        line.unplug()

    monkeypatch.setattr(printer, "_send", send_then_unplug)
    result = printer.print_receipt(typical_receipt("de"))
    assert (result.outcome, result.fault) == (JobOutcome.UNKNOWN, PrinterFault.NOT_CONNECTED)


def test_a_port_that_does_not_exist_is_not_connected(tmp_path: Path) -> None:
    printer = SerialPrinter(str(tmp_path / "ttyUSB9"))
    status = printer.status()
    assert status.fault is PrinterFault.NOT_CONNECTED
    assert "ttyUSB9" in (status.error or "")
    assert printer.print_receipt(typical_receipt("de")).fault is PrinterFault.NOT_CONNECTED


def test_the_monitor_reports_each_change_once(line: EmulatedLine, printer: SerialPrinter) -> None:
    monitor = PrinterMonitor(printer, interval_s=0.05)
    seen: list[PrinterStatus] = []
    changed = threading.Event()
    monitor.on_change(lambda status: (seen.append(status), changed.set()))
    monitor.start()
    try:
        for mode in (EmulatorMode.NEAR_END, EmulatorMode.PAPER_OUT, EmulatorMode.READY):
            assert changed.wait(RECEIPT_TIMEOUT_S)
            changed.clear()
            line.emulator.set_mode(mode)
        assert changed.wait(RECEIPT_TIMEOUT_S)
    finally:
        monitor.stop()
    assert [s.paper for s in seen] == [PaperStatus.OK, PaperStatus.NEAR_END, PaperStatus.OUT, PaperStatus.OK]
    assert monitor.latest == READY


def test_status_queries_and_a_job_from_two_threads_take_turns(line: EmulatedLine, printer: SerialPrinter) -> None:
    statuses: list[PrinterStatus] = []

    def poll() -> None:
        for _ in range(20):
            statuses.append(printer.status())

    poller = threading.Thread(target=poll)
    poller.start()
    results = [printer.print_receipt(typical_receipt("de")) for _ in range(3)]
    poller.join()
    assert all(r.printed for r in results)
    assert statuses == [READY] * 20  # no reply was read by the wrong query, no query broke a job
    assert line.emulator.wait_for_receipts(3, RECEIPT_TIMEOUT_S)
    assert len(set(line.emulator.receipts)) == 1
