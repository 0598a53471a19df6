"""The receipt printer on a serial line: python-escpos makes the bytes, pyserial carries them.

The receipt is laid out into python-escpos' `Dummy` (the same bytes the simulator and the
preview see) and written in one go, so the driver knows the byte count before it sends and a
broken line fails one write, not a command in the middle of python-escpos. Status comes from
our own DLE EOT queries: python-escpos' `Serial` reads 16 bytes and waits the whole timeout for
every query, and reads a silent printer as "paper ok" (DOMAIN.md §4).
"""

from __future__ import annotations

import logging
import termios
import threading
from typing import Iterable

import serial
from escpos.printer import Dummy

from hardware.printer.interface import (
    NOT_CONNECTED,
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
from hardware.printer.receipt_layout import receipt_bytes

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
# Bits 1 and 4 are set and bits 0 and 7 clear in every DLE EOT reply; anything else is not one.
FIXED_MASK, FIXED_BITS = 0x93, 0x12

ERROR_CAUSES = ((0x04, "mechanical error"), (0x08, "autocutter error"),
                (0x20, "unrecoverable error"), (0x40, "auto-recoverable error (e.g. head too hot)"))


# What a failing line raises: pyserial's own error, the OS's, or termios' (tcflush on a pty whose
# other end has gone), which is neither.
LINE_ERRORS = (serial.SerialException, OSError, termios.error)


class NoReply(Exception):
    """A status query got no reply, or one that is not a status byte."""


def decode_status(printer: int, offline: int, error: int, paper: int) -> PrinterStatus:
    """The four replies of DLE EOT 1, 2, 3 and 4 as one status."""
    if paper & 0x60 or offline & 0x20:
        paper_status = PaperStatus.OUT
    elif paper & 0x0C:
        paper_status = PaperStatus.NEAR_END
    else:
        paper_status = PaperStatus.OK
    causes = [name for bit, name in ERROR_CAUSES if error & bit]
    if offline & 0x40 and not causes:
        causes = ["error"]
    return PrinterStatus(online=not printer & 0x08, paper=paper_status, cover_open=bool(offline & 0x04),
                         error=", ".join(causes) or None)


class SerialPrinter(Printer):
    """An ESC/POS printer on a serial port. Thread-safe: the status poller and a print job
    take turns on the line. A port that fails is closed and opened again on the next call, so
    a printer plugged back in (or a restarted pty pair) works without restarting the kiosk."""

    def __init__(self, port: str, *, baudrate: int = 9600, timeout_s: float = 0.2,
                 profile: str = "TM-T20II", receipt_format: ReceiptFormat = ReceiptFormat()) -> None:
        """`timeout_s` is how long one status query waits for its reply byte; a printer that
        answers does so in a few milliseconds."""
        self._port, self._baudrate, self._timeout = port, baudrate, timeout_s
        self._format = receipt_format
        self._layout = Dummy(profile=profile)
        self._device: serial.Serial | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"printer on {self._port}"

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._status()

    def can_print(self, texts: Iterable[str]) -> bool:
        return receipt_fits(texts, self._layout.profile, self._format.codepages)

    def print_receipt(self, receipt: Receipt) -> PrintResult:
        with self._lock:
            data = receipt_bytes(self._layout, receipt, self._format)  # ValueError before any I/O
            before = self._status()
            if before.refuses:  # a silent printer gets the receipt; its outcome stays "unknown"
                return PrintResult(JobOutcome.FAILED, before.fault, describe(self.name, before))
            try:
                self._send(data)
            except LINE_ERRORS as exc:
                self._drop(exc)
                return PrintResult(JobOutcome.FAILED, PrinterFault.NOT_CONNECTED, f"{self.name}: write failed: {exc}")
            return self._outcome(before, self._status(), len(data))

    def _outcome(self, before: PrinterStatus, after: PrinterStatus, sent: int) -> PrintResult:
        """Whether the receipt came out, from the status once every byte is on the line."""
        if after.fault is None and before.fault is None:
            log.info("%s: receipt printed (%d bytes)", self.name, sent)  # counts only: it has citizen data
            return PrintResult(JobOutcome.PRINTED, bytes_sent=sent)
        if after.fault is None or after.paper is PaperStatus.UNKNOWN:
            # Sent to a printer that did not answer before or does not answer now.
            silent = after if after.fault else before
            log.warning("receipt sent (%d bytes), not confirmed: %s", sent, describe(self.name, silent))
            return PrintResult(JobOutcome.UNKNOWN, silent.fault, describe(self.name, silent), sent)
        log.warning("receipt cut short: %s", describe(self.name, after))
        return PrintResult(JobOutcome.FAILED, after.fault, describe(self.name, after), sent)

    def close(self) -> None:
        with self._lock:
            if self._device is not None:
                self._device.close()
                self._device = None

    # -- the line --------------------------------------------------------------------------

    def _status(self) -> PrinterStatus:
        try:
            replies = [self._query(n) for n in (1, 2, 3, 4)]
        except NoReply as why:
            return PrinterStatus.unknown(str(why))
        except LINE_ERRORS as exc:
            self._drop(exc)
            return PrinterStatus.unknown(f"{NOT_CONNECTED}: {exc}")
        return decode_status(*replies)

    def _query(self, n: int) -> int:
        device = self._open()
        device.reset_input_buffer()  # a late or stray byte must not pass for this reply
        device.write(DLE_EOT + bytes([n]))
        reply = device.read(1)
        if not reply:
            raise NoReply("no reply")
        if reply[0] & FIXED_MASK != FIXED_BITS or device.in_waiting:
            raise NoReply(f"malformed reply 0x{reply.hex()}")
        return reply[0]

    def _send(self, data: bytes) -> None:
        device = self._open()
        # A real line needs 10 bits per byte (8N1); allow twice that before calling it stuck.
        device.write_timeout = 2 + 2 * len(data) * 10 / self._baudrate
        device.write(data)
        device.flush()  # tcdrain: every byte has left the port

    def _open(self) -> serial.Serial:
        if self._device is None:
            self._device = serial.Serial(self._port, self._baudrate, timeout=self._timeout)
            log.info("%s: opened at %d baud", self.name, self._baudrate)
        return self._device

    def _drop(self, exc: BaseException) -> None:
        """Forget a port that failed; the next call opens it again."""
        log.debug("%s: %s", self.name, exc)  # the status poller reports changes, once
        if self._device is not None:
            try:
                self._device.close()
            except LINE_ERRORS:
                pass
            self._device = None
