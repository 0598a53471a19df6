"""Receipt printer: interface, ESC/POS receipt layout, simulator and preview."""

from hardware.printer.interface import (
    PaperStatus,
    Printer,
    PrinterError,
    PrinterFault,
    Receipt,
)
from hardware.printer.receipt_layout import fits_paper

__all__ = ["PaperStatus", "Printer", "PrinterError", "PrinterFault", "Receipt", "fits_paper"]
