"""The receipt printer as the config describes it (shared by the terminal and `kiosk printer`)."""

from __future__ import annotations

from hardware.printer import ReceiptFormat
from hardware.printer.serial_printer import SerialPrinter
from kiosk.config import PrinterConfig


def receipt_format(settings: PrinterConfig) -> ReceiptFormat:
    return ReceiptFormat(paper_mm=settings.paper_mm, native_qr=settings.qr == "native", codepages=settings.codepages)


def serial_printer(settings: PrinterConfig, port: str | None = None) -> SerialPrinter:
    """The serial driver with the config's settings, on `port` (default: the config's)."""
    return SerialPrinter(port or settings.port, baudrate=settings.baudrate, timeout_s=settings.status_timeout_s,
                         profile=settings.profile, receipt_format=receipt_format(settings))
