"""Lays a Receipt out as ESC/POS commands with python-escpos.

Shared by the simulator (escpos.printer.Dummy) and the serial driver, so what
the preview shows is byte for byte what goes down the wire.
"""

from __future__ import annotations

import textwrap

import qrcode
import qrcode.exceptions
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos

from hardware.printer.interface import Receipt

# cp858 is cp850 with "€": it covers ä ö ü Ä Ö Ü ß and € and sits in slot 19
# of the escpos-printer-db profiles. Forcing it keeps python-escpos' magic
# encoder from hopping between codepages mid-word (it picks cp437 for "ü" and
# another table for "€", sending an ESC t switch each time).
CODEPAGE = "CP858"

# Print width assumed when the printer profile does not say: 72 mm at 180 dpi,
# the narrowest common 80 mm printer, so the QR code fits on all of them.
FALLBACK_PRINT_WIDTH_DOTS = 512

# A module below 3 dots is too small for phone cameras on thermal paper;
# above 8 the code only wastes paper.
QR_MIN_MODULE_DOTS = 3
QR_MAX_MODULE_DOTS = 8


def write_receipt(printer: Escpos, receipt: Receipt) -> None:
    """Send one complete receipt, from printer reset to paper cut.

    Raises ValueError when the printer profile lacks cp858 or the QR payload
    is too long to print scannably; nothing is sent in that case.
    """
    columns = printer.profile.get_columns("a")
    module_dots = _qr_module_dots(receipt.qr_payload, _print_width_dots(printer))
    _check_codepage(printer)

    _reset(printer)
    _write_title(printer, receipt.title, receipt.issued_at, columns)
    _write_lines(printer, receipt.lines, columns)
    _write_reference(printer, receipt.reference, columns)
    _write_qr(printer, receipt.qr_payload, module_dots)
    _write_footer(printer, receipt.footer, columns)
    printer.cut()  # feeds 6 lines first so the last line clears the blade


# Typography common in German texts that cp858 lacks; without this table the
# encoder prints "?" for „Anführungszeichen“ and dashes.
_CP858_SUBSTITUTES = str.maketrans(
    {
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u201e": '"',  # „
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201a": "'",  # ‚
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u2026": "...",  # …
    }
)


def printable(text: str) -> str:
    """Text safe to put on paper: control characters become spaces.

    Receipt values may come from citizens; an ESC or GS inside one would be
    executed by the printer (a cut, a codepage switch, a status query).
    """
    text = text.translate(_CP858_SUBSTITUTES)
    return "".join(ch if ch.isprintable() else " " for ch in text).strip()


def fits_paper(text: str) -> bool:
    """Whether the receipt's codepage (cp858) has every character of the text. Polish,
    Turkish, Cyrillic and Arabic letters are not in it: those receipts are printed in German."""
    try:
        printable(text).encode(CODEPAGE.lower())
    except UnicodeEncodeError:
        return False
    return True


def _check_codepage(printer: Escpos) -> None:
    if CODEPAGE not in printer.profile.get_code_pages():
        profile_name = printer.profile.profile_data.get("name", "?")
        raise ValueError(
            f"printer profile {profile_name!r} has no {CODEPAGE}; "
            "umlauts and ß would print as wrong characters"
        )


def _print_width_dots(printer: Escpos) -> int:
    media = printer.profile.profile_data.get("media", {})
    pixels = media.get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else FALLBACK_PRINT_WIDTH_DOTS


def _qr_module_dots(payload: str, print_width_dots: int) -> int:
    """Largest module size (in dots) at which the QR code fits the paper."""
    if not payload:
        return QR_MAX_MODULE_DOTS
    too_long = ValueError(
        f"QR payload of {len(payload)} characters is too long to print scannably"
    )
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload.encode("utf-8"))  # bytes: what GS ( k sends
    try:
        code.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):
        # qrcode 8 says "Invalid version" (a ValueError) past version 40.
        raise too_long from None
    module_dots = min(QR_MAX_MODULE_DOTS, print_width_dots // code.modules_count)
    if module_dots < QR_MIN_MODULE_DOTS:
        raise too_long
    return module_dots


def _reset(printer: Escpos) -> None:
    printer.hw("INIT")  # ESC @: clears styles left over from an aborted job
    # ESC @ also resets the printer to codepage 0, but python-escpos still
    # remembers the codepage of the previous receipt and would not resend
    # ESC t. Forgetting it makes charcode() emit ESC t 19 on every receipt.
    printer.magic.encoding = None
    printer.charcode(CODEPAGE)


def _write_title(printer: Escpos, title: str, issued_at: str, columns: int) -> None:
    printer.set(align="center", bold=True, double_height=True)
    for row in textwrap.wrap(printable(title), columns):
        printer.textln(row)
    printer.set(normal_textsize=True, bold=False)
    if printable(issued_at):
        printer.textln(printable(issued_at))
    printer.set(align="left")
    printer.textln("-" * columns)


def _write_lines(
    printer: Escpos, lines: tuple[tuple[str, str], ...], columns: int
) -> None:
    for label, value in lines:
        for row in label_value_rows(printable(label), printable(value), columns):
            printer.textln(row)


def label_value_rows(label: str, value: str, columns: int) -> list[str]:
    """"Label      value" on one row when it fits, else label then indented value."""
    gap = columns - len(label) - len(value)
    if gap >= 1:
        return [label + " " * gap + value]
    rows = textwrap.wrap(label, columns)
    rows += textwrap.wrap(value, columns, initial_indent="  ", subsequent_indent="  ")
    return rows


def _write_reference(printer: Escpos, reference: str, columns: int) -> None:
    reference = printable(reference)
    printer.textln("-" * columns)
    printer.set(align="center", bold=True)
    # Double width halves the characters per row; a long reference stays
    # double height only rather than being split across rows.
    if len(reference) <= columns // 2:
        printer.set(custom_size=True, width=2, height=2)
    else:
        printer.set(double_height=True)
    printer.textln(reference)
    # GS ! 0 as well as ESC ! 0: printers differ in which of the two size
    # commands a later ESC ! overrides, so undo GS ! with GS ! itself.
    printer.set(custom_size=True, width=1, height=1)
    printer.set(normal_textsize=True, bold=False)


def _write_qr(printer: Escpos, payload: str, module_dots: int) -> None:
    if not payload:
        return
    printer.set(align="center")  # GS ( k honours ESC a on the printer
    printer.ln()  # quiet zone: the printer adds none around the symbol
    printer.qr(payload, ec=QR_ECLEVEL_M, size=module_dots, native=True)
    printer.ln()


def _write_footer(printer: Escpos, footer: tuple[str, ...], columns: int) -> None:
    printer.set(align="center")
    for text in footer:
        for row in textwrap.wrap(printable(text), columns) or [""]:
            printer.textln(row)
    printer.set(align="left")
