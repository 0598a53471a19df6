"""The simulated printer: real ESC/POS bytes, paper states, preview."""

import logging
import threading

import pytest
from PIL import Image

from hardware.printer import PaperStatus, Printer, PrinterError, PrinterFault
from hardware.printer.escpos_parser import QrCode, parse_escpos
from hardware.printer.simulator import SimulatedPrinter


def test_is_a_printer_with_paper_ok_at_start():
    printer = SimulatedPrinter()
    assert isinstance(printer, Printer)
    assert printer.paper_status() is PaperStatus.OK
    assert (printer.last_bytes, printer.receipts_printed) == (b"", 0)


def test_records_the_escpos_bytes_of_each_receipt(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    printer.print_receipt(receipt)
    assert printer.receipts_printed == 2
    assert printer.last_bytes.startswith(b"\x1b@\x1bt\x13")
    assert b"M\x81ller Stra\xe1e" in printer.last_bytes
    assert printer.last_bytes.endswith(b"\x1dV\x00")
    # Only the last receipt is kept, not both.
    assert printer.last_bytes.count(b"\x1b@") == 1


def test_paper_out_refuses_before_anything_is_sent(receipt):
    printer = SimulatedPrinter(name="printer on /dev/ttyUSB0")
    printer.set_paper(PaperStatus.OUT)
    with pytest.raises(PrinterError) as error:
        printer.print_receipt(receipt)
    assert error.value.reason is PrinterFault.PAPER_OUT
    assert str(error.value) == "printer on /dev/ttyUSB0: paper out"
    assert (printer.last_bytes, printer.receipts_printed) == (b"", 0)


def test_paper_out_keeps_the_previous_receipt_untouched(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    before = printer.last_bytes
    printer.set_paper(PaperStatus.OUT)
    with pytest.raises(PrinterError):
        printer.print_receipt(receipt)
    assert (printer.last_bytes, printer.receipts_printed) == (before, 1)


@pytest.mark.parametrize("status", [PaperStatus.NEAR_END, PaperStatus.UNKNOWN])
def test_prints_when_paper_is_not_known_to_be_out(receipt, status):
    printer = SimulatedPrinter()
    printer.set_paper(status)
    printer.print_receipt(receipt)
    assert printer.paper_status() is status
    assert printer.receipts_printed == 1


def test_paper_back_in_prints_again(receipt):
    printer = SimulatedPrinter()
    printer.set_paper(PaperStatus.OUT)
    with pytest.raises(PrinterError):
        printer.print_receipt(receipt)
    printer.set_paper(PaperStatus.OK)
    printer.print_receipt(receipt)
    assert printer.receipts_printed == 1


def test_closed_printer_is_not_connected_and_forgets(receipt):
    printer = SimulatedPrinter()
    printer.print_receipt(receipt)
    printer.close()
    printer.close()  # twice is fine
    assert printer.paper_status() is PaperStatus.UNKNOWN
    assert printer.last_bytes == b""
    with pytest.raises(PrinterError) as error:
        printer.print_receipt(receipt)
    assert error.value.reason is PrinterFault.NOT_CONNECTED
    assert str(error.value) == "simulated printer: not connected (closed)"


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
