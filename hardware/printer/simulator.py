"""A receipt printer without hardware that still speaks ESC/POS.

It runs the same layout code as the serial driver into python-escpos'
`Dummy` backend, keeps the bytes a real printer would have received and can
render them to a PNG, so `kiosk demo` and tests exercise the real protocol.
"""

from __future__ import annotations

import logging
import pathlib
import threading
import time

from escpos.printer import Dummy

from hardware.printer.escpos_preview import render_preview
from hardware.printer.interface import (
    PaperStatus,
    Printer,
    PrinterError,
    PrinterFault,
    Receipt,
)
from hardware.printer.receipt_layout import write_receipt

log = logging.getLogger(__name__)

# An 80 mm printer at 203 dpi (576 dots, 48 columns), the size the preview
# paper has; its profile includes cp858.
DEFAULT_PROFILE = "TM-T20II"


class SimulatedPrinter(Printer):
    """Records the ESC/POS bytes of each receipt instead of printing them.

    Thread-safe: the kiosk prints from a worker while an operator (or a test)
    changes the paper state.
    """

    def __init__(
        self,
        name: str = "simulated printer",
        profile: str = DEFAULT_PROFILE,
        baudrate: int | None = None,
    ) -> None:
        """`baudrate`, when given, makes printing take as long as the bytes
        need on a serial line (8N1: 10 bits per byte), so the demo shows the
        "printing" state as long as a real terminal would."""
        self._name = name
        self._baudrate = baudrate
        self._device = Dummy(profile=profile)
        self._lock = threading.Lock()
        self._paper = PaperStatus.OK
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

    def set_paper(self, status: PaperStatus) -> None:
        """What the simulated paper sensor reports from now on."""
        with self._lock:
            self._paper = status
        log.info("%s: paper set to %s", self._name, status.value)

    def paper_status(self) -> PaperStatus:
        with self._lock:
            # A closed device cannot be asked; never guess "ok".
            return PaperStatus.UNKNOWN if self._closed else self._paper

    def print_receipt(self, receipt: Receipt) -> None:
        with self._lock:
            self._check_ready()
            self._device.clear()
            write_receipt(self._device, receipt)
            data = self._device.output
            self._device.clear()  # keep one copy of citizen data, not two
            self._last_bytes = data
            self._receipts_printed += 1
        self._wait_for_wire(len(data))
        # Byte count only: the receipt itself carries citizen data.
        log.info("%s: receipt printed (%d bytes)", self._name, len(data))

    def _check_ready(self) -> None:
        if self._closed:
            raise PrinterError(PrinterFault.NOT_CONNECTED, self._name, "closed")
        if self._paper is PaperStatus.OUT:
            raise PrinterError(PrinterFault.PAPER_OUT, self._name)

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
        render_preview(data).save(path, format="PNG")

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
