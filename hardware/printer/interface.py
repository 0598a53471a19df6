"""What the kiosk needs from a receipt printer, independent of the transport.

The receipt handed to the citizen carries the reference code and a QR code for
the next step; the kiosk only ever talks to a `Printer`, so the serial driver
and the simulator are interchangeable.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass


class PaperStatus(enum.Enum):
    """What the paper sensor says.

    UNKNOWN is a real answer, not a failure to answer: a printer that stays
    silent must never read as "paper ok" (python-escpos' own `paper_status()`
    does exactly that).
    """

    OK = "ok"
    NEAR_END = "near end"
    OUT = "out"
    UNKNOWN = "unknown"


class PrinterFault(enum.Enum):
    """Why a receipt could not be printed; the operator's to-do follows from it."""

    PAPER_OUT = "paper out"
    OFFLINE = "offline (cover open or printer error)"
    NOT_CONNECTED = "not connected"
    UNKNOWN = "unknown fault"


class PrinterError(Exception):
    """A receipt was not printed.

    The message names the printer and the fault, e.g.
    "printer on /dev/ttyUSB0: paper out", because operators read it in the
    fleet view without access to the terminal.
    """

    def __init__(self, reason: PrinterFault, printer: str, detail: str = "") -> None:
        message = f"{printer}: {reason.value}"
        if detail:
            message = f"{message} ({detail})"
        super().__init__(message)
        self.reason = reason
        self.printer = printer
        self.detail = detail


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


class Printer(abc.ABC):
    """A receipt printer. Calls block (serial I/O): run them in a worker."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """Human-readable identity for operators, e.g. "printer on /dev/ttyUSB0"."""

    @abc.abstractmethod
    def paper_status(self) -> PaperStatus:
        """Ask the paper sensor; UNKNOWN when the printer does not answer."""

    @abc.abstractmethod
    def print_receipt(self, receipt: Receipt) -> None:
        """Print one receipt and cut it.

        Raises PrinterError. When the printer knows the paper is out it raises
        PrinterError(PAPER_OUT) before sending a single byte, so no half
        receipt is left in the printer's buffer to come out with the next roll.
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
