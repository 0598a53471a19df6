"""The four DLE EOT replies read as one status, and what an operator is told about it."""

import pytest

from hardware.printer import PaperStatus, PrinterFault, PrinterStatus
from hardware.printer.interface import READY, describe
from hardware.printer.serial_printer import decode_status

# Replies of a healthy printer: only the fixed bits (1 and 4) set.
FINE = (0x12, 0x12, 0x12, 0x12)


@pytest.mark.parametrize("replies, expected", [
    (FINE, READY),
    ((0x12, 0x12, 0x12, 0x1E), PrinterStatus(True, PaperStatus.NEAR_END, False, None)),
    # Paper out: offline, stopped by paper end, both sensors empty (0x7E as measured on printers).
    ((0x1A, 0x32, 0x12, 0x7E), PrinterStatus(False, PaperStatus.OUT, False, None)),
    ((0x1A, 0x16, 0x12, 0x12), PrinterStatus(False, PaperStatus.OK, True, None)),
    ((0x1A, 0x52, 0x1A, 0x12), PrinterStatus(False, PaperStatus.OK, False, "autocutter error")),
    ((0x1A, 0x52, 0x12, 0x12), PrinterStatus(False, PaperStatus.OK, False, "error")),
    ((0x1A, 0x52, 0x36, 0x12), PrinterStatus(False, PaperStatus.OK, False, "mechanical error, unrecoverable error")),
], ids=["ready", "near end", "paper out", "cover open", "autocutter", "unnamed error", "two errors"])
def test_replies_decode_to_a_status(replies, expected):
    assert decode_status(*replies) == expected


@pytest.mark.parametrize("status, fault", [
    (READY, None),
    (PrinterStatus(True, PaperStatus.NEAR_END, False, None), None),
    (PrinterStatus(False, PaperStatus.OUT, False, None), PrinterFault.PAPER_OUT),
    (PrinterStatus(False, PaperStatus.OK, True, None), PrinterFault.COVER_OPEN),
    (PrinterStatus(False, PaperStatus.OK, False, "autocutter error"), PrinterFault.ERROR),
    (PrinterStatus(False, PaperStatus.OK, False, None), PrinterFault.OFFLINE),
    (PrinterStatus.unknown("no reply"), PrinterFault.NO_REPLY),
    (PrinterStatus.unknown("malformed reply 0xff"), PrinterFault.NO_REPLY),
    (PrinterStatus.unknown("not connected: no such port"), PrinterFault.NOT_CONNECTED),
])
def test_only_a_printer_that_said_it_is_fine_has_no_fault(status, fault):
    assert status.fault is fault


def test_unknown_is_never_ok_in_json():
    assert PrinterStatus.unknown("no reply").as_json() == {
        "online": None, "paper": "unknown", "cover_open": None, "error": "no reply"}
    assert READY.as_json() == {"online": True, "paper": "ok", "cover_open": False, "error": None}


@pytest.mark.parametrize("status, message", [
    (READY, "printer on /dev/ttyS0: ready"),
    (PrinterStatus(True, PaperStatus.NEAR_END, False, None),
     "printer on /dev/ttyS0: ready, paper near end (change the roll soon)"),
    (PrinterStatus(False, PaperStatus.OUT, False, None), "printer on /dev/ttyS0: paper out: load a new paper roll"),
    (PrinterStatus(False, PaperStatus.OK, False, "autocutter error"),
     "printer on /dev/ttyS0: printer error (autocutter error): open and close the cover; if the error stays, "
     "switch the printer off and on"),
    (PrinterStatus.unknown("not connected: [Errno 2] No such file"),
     "printer on /dev/ttyS0: not connected ([Errno 2] No such file): check the serial cable and the port in "
     "the config"),
])
def test_operators_are_told_what_is_wrong_and_what_to_do(status, message):
    assert describe("printer on /dev/ttyS0", status) == message
