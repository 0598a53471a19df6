"""A receipt printer without hardware that still speaks ESC/POS.

It runs the same layout code as the serial driver into python-escpos'
`Dummy` backend, keeps the bytes a real printer would have received and can
render them to a PNG. Its status is set by hand (`set_status`, `set_paper`) and
decides each job's outcome by the same rules as the serial driver, so unit and
UI tests can walk every printer failure without a serial line.
"""

from __future__ import annotations

import logging
import pathlib
import threading
import time
from dataclasses import replace
from typing import Iterable

from escpos.printer import Dummy

from hardware.printer.escpos_preview import render_preview
from hardware.printer.interface import (
    READY,
    JobOutcome,
    PaperStatus,
    Printer,
    PrinterFault,
    PrinterStatus,
    PrintResult,
    Receipt,
    ReceiptFormat,
    describe,
)
from hardware.printer.codepages import receipt_fits
from hardware.printer.receipt_layout import paper, receipt_bytes

log = logging.getLogger(__name__)

# An 80 mm printer at 203 dpi (576 dots, 48 columns); its profile has every codepage we use.
DEFAULT_PROFILE = "TM-T20II"


class SimulatedPrinter(Printer):
    """Records the ESC/POS bytes of each receipt instead of printing them.

    Thread-safe: the kiosk prints from a worker while an operator (or a test)
    changes the printer's state.
    """

    def __init__(self, name: str = "simulated printer", profile: str = DEFAULT_PROFILE,
                 baudrate: int | None = None, receipt_format: ReceiptFormat = ReceiptFormat()) -> None:
        """`baudrate`, when given, makes printing take as long as the bytes
        need on a serial line (8N1: 10 bits per byte), so the demo shows the
        "printing" state as long as a real terminal would."""
        self._name, self._baudrate, self._format = name, baudrate, receipt_format
        self._device = Dummy(profile=profile)
        self._lock = threading.Lock()
        self._status = READY
        self._closed = False
        self._last_bytes = b""
        self._receipts_printed = 0

    @property
    def name(self) -> str:
        return self._name

    @property
    def last_bytes(self) -> bytes:
        """The ESC/POS bytes of the last receipt printed (b"" before the first)."""
        with self._lock:
            return self._last_bytes

    @property
    def receipts_printed(self) -> int:
        with self._lock:
            return self._receipts_printed

    def set_status(self, status: PrinterStatus) -> None:
        """What the simulated printer answers from now on."""
        with self._lock:
            self._status = status
        log.info("%s", describe(self._name, status))

    def set_paper(self, paper: PaperStatus) -> None:
        """Only the paper sensor changes (OUT also takes the printer offline, as real ones do)."""
        with self._lock:
            status = self._status
        self.set_status(replace(status, paper=paper, online=paper is not PaperStatus.OUT))

    def status(self) -> PrinterStatus:
        with self._lock:
            return PrinterStatus.unknown("not connected: closed") if self._closed else self._status

    def can_print(self, texts: Iterable[str]) -> bool:
        return receipt_fits(texts, self._device.profile, self._format.codepages)

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        with self._lock:
            data = receipt_bytes(self._device, receipt, self._format)
            refused = self._refusal()
            if refused is not None:
                return refused
            self._last_bytes = data
            self._receipts_printed += 1
            silent = self._status.fault is PrinterFault.NO_REPLY
        self._wait_for_wire(len(data))
        # Byte count only: the receipt itself carries citizen data.
        log.info("%s: receipt sent (%d bytes)", self._name, len(data))
        if silent:
            return PrintResult(JobOutcome.UNKNOWN, PrinterFault.NO_REPLY, describe(self._name, self._status),
                               len(data))
        return PrintResult(JobOutcome.PRINTED, bytes_sent=len(data))

    def _refusal(self) -> PrintResult | None:
        """The serial driver's rule: a printer that says it cannot print gets no byte."""
        if self._closed:
            return PrintResult(JobOutcome.FAILED, PrinterFault.NOT_CONNECTED, f"{self._name}: closed")
        if self._status.refuses:
            return PrintResult(JobOutcome.FAILED, self._status.fault, describe(self._name, self._status))
        return None

    def _wait_for_wire(self, byte_count: int) -> None:
        if self._baudrate:
            time.sleep(byte_count * 10 / self._baudrate)

    def preview_png(self, path: pathlib.Path) -> None:
        """Render the last receipt's bytes to a PNG, as it would come out.

        Raises RuntimeError when nothing has been printed (or it was forgotten).
        """
        data = self.last_bytes
        if not data:
            raise RuntimeError(f"{self._name}: no receipt to preview")
        render_preview(data, width_px=paper(self._format).dots).save(path, format="PNG")

    def forget(self) -> None:
        """Drop the recorded receipt, e.g. when the citizen's session ends."""
        with self._lock:
            self._last_bytes = b""

    def close(self) -> None:
        """Disconnect; the recorded receipt is dropped with it."""
        with self._lock:
            self._closed = True
            self._last_bytes = b""
            self._device.close()
