"""The simulated printer: real ESC/POS bytes, paper states, preview."""

import logging
import threading

import pytest
from PIL import Image

from hardware.printer import JobOutcome, PaperStatus, Printer, PrinterFault, PrinterStatus, PrintResult
from hardware.printer.interface import READY
from hardware.printer.escpos_parser import QrCode, parse_escpos
from hardware.printer.simulator import SimulatedPrinter


def test_is_a_ready_printer_at_start():
    printer = SimulatedPrinter()
    assert isinstance(printer, Printer)
    assert printer.status() == READY
    assert (printer.last_bytes, printer.receipts_printed) == (b"", 0)


def test_records_the_escpos_bytes_of_each_receipt(receipt):
    printer = SimulatedPrinter()
    first = printer.print_receipt(receipt)
    printer.print_receipt(receipt)
    assert first == PrintResult(JobOutcome.PRINTED, bytes_sent=len(printer.last_bytes))
    assert printer.receipts_printed == 2
    assert printer.last_bytes.startswith(b"\x1b@\x1bt\x13")
    assert b"M\x81ller Stra\xe1e" in printer.last_bytes
    assert printer.last_bytes.endswith(b"\x1dV\x00")
    # Only the last receipt is kept, not both.
    assert printer.last_bytes.count(b"\x1b@") == 1


def test_paper_out_refuses_before_anything_is_sent(receipt):
    printer = SimulatedPrinter(name="printer on /dev/ttyUSB0")
    printer.set_paper(PaperStatus.OUT)
    result = printer.print_receipt(receipt)
    assert (result.outcome, result.fault) == (JobOutcome.FAILED, PrinterFault.PAPER_OUT)
    assert result.detail == "printer on /dev/ttyUSB0: paper out: load a new paper roll"
    assert (printer.last_bytes, printer.receipts_printed) == (b"", 0)


def test_paper_out_keeps_the_previous_receipt_untouched(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    before = printer.last_bytes
    printer.set_paper(PaperStatus.OUT)
    assert not printer.print_receipt(receipt).printed
    assert (printer.last_bytes, printer.receipts_printed) == (before, 1)


def test_near_end_prints(receipt):
    printer = SimulatedPrinter()
    printer.set_paper(PaperStatus.NEAR_END)
    assert printer.print_receipt(receipt).printed
    assert printer.status().paper is PaperStatus.NEAR_END
    assert printer.receipts_printed == 1


def test_a_silent_printer_is_sent_the_receipt_with_an_unknown_outcome(receipt):
    printer = SimulatedPrinter()
    printer.set_status(PrinterStatus.unknown("no reply"))
    result = printer.print_receipt(receipt)
    assert (result.outcome, result.fault) == (JobOutcome.UNKNOWN, PrinterFault.NO_REPLY)
    assert printer.receipts_printed == 1


def test_paper_back_in_prints_again(receipt):
    printer = SimulatedPrinter()
    printer.set_paper(PaperStatus.OUT)
    assert not printer.print_receipt(receipt).printed
    printer.set_paper(PaperStatus.OK)
    assert printer.status() == READY
    assert printer.print_receipt(receipt).printed
    assert printer.receipts_printed == 1


def test_closed_printer_is_not_connected_and_forgets(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    printer.close()
    printer.close()  # twice is fine
    assert printer.status().fault is PrinterFault.NOT_CONNECTED
    assert printer.last_bytes == b""
    result = printer.print_receipt(receipt)
    assert (result.outcome, result.fault) == (JobOutcome.FAILED, PrinterFault.NOT_CONNECTED)
    assert result.detail == "simulated printer: closed"


def test_preview_png_is_rendered_from_the_last_receipt(receipt, tmp_path):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    path = tmp_path / "receipt.png"
    printer.preview_png(path)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width == 576
        assert image.height > 600  # title, 4 lines, reference, QR, footer


def test_preview_without_a_receipt_says_so(tmp_path):
    printer = SimulatedPrinter()
    with pytest.raises(RuntimeError, match="no receipt"):
        printer.preview_png(tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_forget_drops_the_citizens_receipt(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    printer.forget()
    assert printer.last_bytes == b""
    assert printer.receipts_printed == 1


def test_logs_byte_counts_but_never_receipt_contents(receipt, caplog):
    caplog.set_level(logging.DEBUG)
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    assert f"{len(printer.last_bytes)} bytes" in caplog.text
    for secret in ("Müller", receipt.reference, receipt.qr_payload, "Personalausweis"):
        assert secret not in caplog.text


def test_printing_from_several_threads_counts_every_receipt(receipt):
    printer = SimulatedPrinter()
    threads = [
        threading.Thread(target=printer.print_receipt, args=(receipt,))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert printer.receipts_printed == 8
    elements = parse_escpos(printer.last_bytes)
    assert [e.text for e in elements if isinstance(e, QrCode)] == [receipt.qr_payload]


def test_code_pages_from_the_config_limit_what_can_be_printed():
    from hardware.printer import ReceiptFormat
    from hardware.printer.samples import typical_receipt

    printer = SimulatedPrinter(receipt_format=ReceiptFormat(codepages=("CP858",)))
    assert printer.can_print(typical_receipt("de").texts())
    assert not printer.can_print(typical_receipt("ru").texts())
    assert printer.print_receipt(typical_receipt("de")).printed
    assert printer.last_bytes.startswith(b"\x1b@\x1bt\x13")
    assert SimulatedPrinter().can_print(typical_receipt("ru").texts())  # CP1251 when not limited
