"""Receipt printer: interface, ESC/POS receipt layout, simulator and preview."""

from hardware.printer.interface import (
    PaperStatus,
    Printer,
    PrinterError,
    PrinterFault,
    Receipt,
)

__all__ = ["PaperStatus", "Printer", "PrinterError", "PrinterFault", "Receipt"]
