"""Receipt printer: interface, ESC/POS receipt layout, serial driver, simulator, emulator and preview."""

from hardware.printer.interface import (
    JobOutcome,
    PaperStatus,
    Printer,
    PrinterFault,
    PrinterStatus,
    PrintResult,
    Receipt,
    ReceiptFormat,
)

__all__ = ["JobOutcome", "PaperStatus", "Printer", "PrinterFault", "PrinterStatus", "PrintResult", "Receipt",
           "ReceiptFormat"]
