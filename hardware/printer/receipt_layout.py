"""Lays a Receipt out as ESC/POS commands with python-escpos.

Shared by the simulator (escpos.printer.Dummy) and the serial driver, so what
the preview shows is byte for byte what goes down the wire. The byte count is
the receipt's speed limit on a 9600 baud line (about 1 ms a byte), so the
layout sends a style command only when the style changes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import qrcode
import qrcode.exceptions
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.printer import Dummy

from hardware.printer.arabic_text import visual_order
from hardware.printer.codepages import choose_codepage, paper_text
from hardware.printer.interface import Receipt, ReceiptFormat

# A module below 3 dots is too small for phone cameras on thermal paper;
# above 8 the code only wastes paper.
QR_MIN_MODULE_DOTS = 3
QR_MAX_MODULE_DOTS = 8

# Gap between a wrapped value's rows and the paper edge its label starts at.
INDENT = "  "


@dataclass(frozen=True)
class Paper:
    columns: int  # characters of font A (12 dots) per row
    dots: int  # print width at 203 dpi


PAPERS = {80: Paper(columns=48, dots=576), 58: Paper(columns=32, dots=384)}


def paper(fmt: ReceiptFormat) -> Paper:
    """Columns and print width of the format's paper; ValueError for a size not in PAPERS."""
    try:
        return PAPERS[fmt.paper_mm]
    except KeyError:
        raise ValueError(f"paper_mm must be one of {sorted(PAPERS)}, got {fmt.paper_mm}") from None


def receipt_bytes(device: Dummy, receipt: Receipt, fmt: ReceiptFormat) -> bytes:
    """The receipt's ESC/POS bytes, laid out into `device` (python-escpos' Dummy, which brings
    the printer profile); the Dummy keeps no copy of the citizen's receipt afterwards."""
    device.clear()
    try:
        write_receipt(device, receipt, fmt)
        return device.output
    finally:
        device.clear()


def write_receipt(printer: Escpos, receipt: Receipt, fmt: ReceiptFormat = ReceiptFormat()) -> None:
    """Send one complete receipt, from printer reset to paper cut.

    Raises ValueError when no code page of the printer's profile holds every
    letter of the receipt, when the QR payload is too long to print scannably,
    or for an unknown paper width; nothing is sent in those cases.
    """
    size = paper(fmt)
    module_dots = _qr_module_dots(receipt.qr_payload, size.dots)
    codepage = choose_codepage(receipt.texts(), printer.profile, fmt.codepages)
    if codepage is None:
        profile_name = printer.profile.profile_data.get("name", "?")
        raise ValueError(f"printer profile {profile_name!r} has no code page with every letter of the receipt")

    layout = _Layout(printer, codepage, size.columns, receipt.right_to_left)
    layout.reset()
    layout.title(receipt.title, receipt.issued_at)
    layout.lines(receipt.lines)
    layout.reference(receipt.reference)
    layout.qr(receipt.qr_payload, module_dots, fmt.native_qr)
    layout.footer(receipt.footer)
    printer.cut()  # feeds 6 lines first so the last line clears the blade


def label_value_rows(label: str, value: str, columns: int, right_to_left: bool = False) -> list[str]:
    """Printed rows (visual order) of one label and value, both in logical order.

    "Label      value" on one row when it fits, else the label, then the value
    indented. Right to left mirrors it: the label at the right edge, the value
    to its left, and wrapped rows indented from the right.
    """
    def visual(row: str) -> str:
        return visual_order(row, right_to_left)

    label_cells, value_cells = visual(label), visual(value)
    gap = columns - len(label_cells) - len(value_cells)
    if gap >= 1:
        first, last = (value_cells, label_cells) if right_to_left else (label_cells, value_cells)
        return [first + " " * gap + last]
    rows = [visual(row) for row in textwrap.wrap(label, columns)]
    for row in textwrap.wrap(value, columns - len(INDENT)):
        rows.append(visual(row) + INDENT if right_to_left else INDENT + visual(row))
    return rows


def _qr_module_dots(payload: str, print_width_dots: int) -> int:
    """Largest module size (in dots) at which the QR code fits the paper."""
    if not payload:
        return QR_MAX_MODULE_DOTS
    module_dots = min(QR_MAX_MODULE_DOTS, print_width_dots // _qr_symbol(payload, 1).modules_count)
    if module_dots < QR_MIN_MODULE_DOTS:
        raise _qr_too_long(payload)
    return module_dots


def _qr_symbol(payload: str, box_size: int) -> qrcode.QRCode:  # type: ignore[type-arg]
    """The symbol the printer's own encoder makes for GS ( k: level M, no quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=0)
    code.add_data(payload.encode("utf-8"))  # bytes: what GS ( k sends
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):
        # qrcode 8 says "Invalid version" (a ValueError) past version 40.
        raise _qr_too_long(payload) from None
    return code


def _qr_too_long(payload: str) -> ValueError:
    return ValueError(f"QR payload of {len(payload)} characters is too long to print scannably")


class _Layout:
    """Writes the parts of one receipt, remembering the printer's style so that
    each command is sent only when it changes something."""

    def __init__(self, printer: Escpos, codepage: str, columns: int, right_to_left: bool) -> None:
        self.printer = printer
        self.codepage = codepage
        self.columns = columns
        self.right_to_left = right_to_left
        # The side text starts at: left, or right for Arabic (centred stays centred).
        self.start = "right" if right_to_left else "left"
        self._align, self._bold, self._size = "left", False, (1, 1)

    def reset(self) -> None:
        self.printer.hw("INIT")  # ESC @: left, regular, 1x1, code page 0
        self._align, self._bold, self._size = "left", False, (1, 1)
        # ESC @ also resets the printer to table 0, but python-escpos still
        # remembers the table of the previous receipt and would not resend ESC t.
        # Forgetting it makes charcode() send ESC t once per receipt, and forcing
        # one table keeps the magic encoder from hopping between tables mid-word.
        self.printer.magic.encoding = None
        self.printer.charcode(self.codepage)

    def style(self, align: str | None = None, bold: bool | None = None, size: tuple[int, int] | None = None) -> None:
        if align is not None and align != self._align:
            self.printer.set(align=align)
            self._align = align
        if bold is not None and bold != self._bold:
            self.printer.set(bold=bold)
            self._bold = bold
        if size is not None and size != self._size:
            # Sizes only ever by GS !, never ESC !: printers differ in which of
            # the two a later command of the other kind overrides.
            self.printer.set(custom_size=True, width=size[0], height=size[1])
            self._size = size

    def text(self, text: str) -> str:
        """Logical text ready to wrap: shaped and transliterated for the code page."""
        return paper_text(text, self.codepage)

    def row(self, row: str) -> None:
        self.printer.textln(visual_order(row, self.right_to_left))

    def paragraph(self, text: str, blank: bool = False) -> None:
        """Wrapped on the logical text, each row then put in visual order; an
        empty text prints nothing, or an empty row when `blank`."""
        rows = textwrap.wrap(self.text(text), self.columns)
        for row in rows or ([""] if blank else []):
            self.row(row)

    def title(self, title: str, issued_at: str) -> None:
        self.style(align="center", bold=True, size=(1, 2))
        self.paragraph(title)
        self.style(bold=False, size=(1, 1))
        self.paragraph(issued_at)
        self.style(align=self.start)
        self.printer.textln("-" * self.columns)

    def lines(self, lines: tuple[tuple[str, str], ...]) -> None:
        for label, value in lines:
            for row in label_value_rows(self.text(label), self.text(value), self.columns, self.right_to_left):
                self.printer.textln(row)
        self.printer.textln("-" * self.columns)

    def reference(self, reference: str) -> None:
        reference = self.text(reference)
        # Double width halves the characters per row; a long reference stays
        # double height only rather than being split across rows.
        wide = len(reference) <= self.columns // 2
        self.style(align="center", bold=True, size=(2, 2) if wide else (1, 2))
        self.row(reference)
        self.style(bold=False, size=(1, 1))

    def qr(self, payload: str, module_dots: int, native: bool) -> None:
        if not payload:
            return
        self.style(align="center")  # GS ( k and GS v 0 honour ESC a
        self.printer.ln()  # quiet zone: the printer adds none around the symbol
        if native:
            self.printer.qr(payload, ec=QR_ECLEVEL_M, size=module_dots, native=True)
        else:
            self._qr_raster(payload, module_dots)
        self.printer.ln()

    def _qr_raster(self, payload: str, module_dots: int) -> None:
        """The symbol as a 1-bit raster image (GS v 0). An even module size goes
        at half resolution in quadruple density (each bit printed as 2x2 dots):
        the same symbol on paper for a quarter of the bytes."""
        scale = 2 if module_dots % 2 == 0 else 1
        image = _qr_symbol(payload, module_dots // scale).make_image().get_image()
        full = scale == 1
        self.printer.image(image, high_density_vertical=full, high_density_horizontal=full, impl="bitImageRaster")

    def footer(self, footer: tuple[str, ...]) -> None:
        self.style(align="center")
        for text in footer:
            self.paragraph(text, blank=True)  # an empty footer text is a deliberate gap
