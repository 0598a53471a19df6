"""What the kiosk needs from a receipt printer, independent of the transport.

The receipt handed to the citizen carries the reference code and a QR code for
the next step; the kiosk only ever talks to a `Printer`, so the serial driver
and the simulator are interchangeable.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass
from typing import Iterable


class PaperStatus(enum.Enum):
    """What the paper sensor says.

    UNKNOWN is a real answer, not a failure to answer: a printer that stays
    silent must never read as "paper ok" (python-escpos' own `paper_status()`
    does exactly that).
    """

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"
    UNKNOWN = "unknown"


class PrinterFault(enum.Enum):
    """Why a receipt cannot be (or was not) printed; the operator's to-do follows from it."""

    PAPER_OUT = "paper out"
    COVER_OPEN = "cover open"
    OFFLINE = "offline"
    ERROR = "printer error"
    NO_REPLY = "no reply to status queries"
    NOT_CONNECTED = "not connected"


# What an operator does about each fault; printed after the fault in health messages.
OPERATOR_HINTS = {
    PrinterFault.PAPER_OUT: "load a new paper roll",
    PrinterFault.COVER_OPEN: "close the printer cover",
    PrinterFault.OFFLINE: "check the printer's error light and cable",
    PrinterFault.ERROR: "open and close the cover; if the error stays, switch the printer off and on",
    PrinterFault.NO_REPLY: "check that the printer is on and the cable and baud rate are right",
    PrinterFault.NOT_CONNECTED: "check the serial cable and the port in the config",
}


@dataclass(frozen=True)
class PrinterStatus:
    """The printer's answer to the four status queries (DLE EOT 1..4).

    None and UNKNOWN mean "the printer did not say" (no reply, or a malformed
    one) and never count as fine.
    """

    online: bool | None
    paper: PaperStatus
    cover_open: bool | None
    error: str | None  # what the printer reported, or why there is no status: "no reply" …

    @classmethod
    def unknown(cls, why: str) -> PrinterStatus:
        return cls(online=None, paper=PaperStatus.UNKNOWN, cover_open=None, error=why)

    @property
    def fault(self) -> PrinterFault | None:
        """What keeps this printer from printing a whole receipt now; None when it can."""
        if self.paper is PaperStatus.OUT:
            return PrinterFault.PAPER_OUT
        if self.cover_open:
            return PrinterFault.COVER_OPEN
        if self.online is None or self.paper is PaperStatus.UNKNOWN:
            return PrinterFault.NOT_CONNECTED if (self.error or "").startswith(NOT_CONNECTED) else PrinterFault.NO_REPLY
        if self.error is not None:
            return PrinterFault.ERROR
        if not self.online:
            return PrinterFault.OFFLINE
        return None

    @property
    def refuses(self) -> bool:
        """The printer said it cannot print, so it gets no byte. Silence is not refusal: some
        printers answer no status at all and print all the same."""
        return self.fault not in (None, PrinterFault.NO_REPLY)

    def as_json(self) -> dict[str, object]:
        """The shape `kiosk printer status --json` prints."""
        return {"online": self.online, "paper": self.paper.value, "cover_open": self.cover_open,
                "error": self.error}


# `PrinterStatus.error` when the serial port itself cannot be opened or written.
NOT_CONNECTED = "not connected"

def describe(name: str, status: PrinterStatus) -> str:
    """One line for operators: "printer on /dev/ttyUSB0: paper out (load a new paper roll)"."""
    fault = status.fault
    if fault is None:
        near_end = status.paper is PaperStatus.NEAR_END
        return f"{name}: ready" + (", paper near end (change the roll soon)" if near_end else "")
    error = (status.error or "").removeprefix(fault.value).removeprefix(": ")
    detail = f" ({error})" if error and error not in fault.value else ""
    return f"{name}: {fault.value}{detail}: {OPERATOR_HINTS[fault]}"


READY = PrinterStatus(online=True, paper=PaperStatus.OK, cover_open=False, error=None)


class JobOutcome(enum.Enum):
    PRINTED = "printed"  # sent, and the printer said afterwards that it is fine
    FAILED = "failed"  # known not to have printed (whole): the reason says why
    UNKNOWN = "unknown"  # sent, but the printer did not confirm: a receipt may or may not be out


@dataclass(frozen=True)
class PrintResult:
    outcome: JobOutcome
    fault: PrinterFault | None = None
    detail: str = ""  # for operators, e.g. "write failed: [Errno 5] Input/output error"
    bytes_sent: int = 0

    @property
    def printed(self) -> bool:
        return self.outcome is JobOutcome.PRINTED


@dataclass(frozen=True)
class Receipt:
    """Everything printed on one receipt, already in the citizen's language.

    Texts are plain Unicode; the layout takes care of the printer's codepage
    and strips control characters, so a value typed by a citizen can never
    smuggle printer commands onto the wire.
    """

    title: str
    lines: tuple[tuple[str, str], ...]  # (label, value) pairs
    reference: str  # e.g. "MB-7K3Q-9XZ2"
    qr_payload: str
    footer: tuple[str, ...] = ()
    issued_at: str = ""  # already formatted for the citizen's locale
    right_to_left: bool = False  # Arabic: lines are shaped and aligned to the right

    def texts(self) -> list[str]:
        """Every text printed as letters (for the codepage choice)."""
        return [self.title, self.issued_at, self.reference, *self.footer,
                *(part for line in self.lines for part in line)]


@dataclass(frozen=True)
class ReceiptFormat:
    """How receipts are laid out on this terminal's printer (from the config)."""

    paper_mm: int = 80  # 80 (48 columns, 576 dots) or 58 (32 columns, 384 dots)
    native_qr: bool = True  # GS ( k; False sends the QR code as a raster image (GS v 0)
    codepages: tuple[str, ...] = ()  # tables to print in, in order; empty: codepages.PREFERENCE


class Printer(abc.ABC):
    """A receipt printer. Calls block (serial I/O): run them in a worker."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Human-readable identity for operators, e.g. "printer on /dev/ttyUSB0"."""

    @abc.abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer; never raises, never guesses "ok" for a silent printer."""

    @abc.abstractmethod
    def can_print(self, texts: Iterable[str]) -> bool:
        """Whether the printer has a codepage with every letter of these texts."""

    @abc.abstractmethod
    def print_receipt(self, receipt: Receipt) -> PrintResult:
        """Print one receipt and cut it; the result says whether it came out.

        Asks the status first: a printer that cannot print gets no byte, so no
        half receipt waits in its buffer to come out with the next roll.
        Raises only ValueError, for a receipt that cannot be laid out.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release the device; safe to call more than once."""

    def forget(self) -> None:
        """Drop anything kept of the last receipt (called when a session ends)."""

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
