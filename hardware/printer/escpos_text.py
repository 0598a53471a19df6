"""ESC/POS bytes as plain text: what a printed receipt says, readable in a terminal or a diff.

Lines keep their alignment (padded within the paper's columns), bold text is
marked **like this**, a QR code shows its payload as [QR: payload], a cut is a
dashed line. Like the preview it is made from the bytes, never from a Receipt.
"""

from __future__ import annotations

from hardware.printer.escpos_parser import (
    LINE_DOTS,
    Align,
    Cut,
    Feed,
    QrCode,
    TextLine,
    parse_escpos,
)

COLUMNS = 48  # font A on 80 mm paper


def render_text(data: bytes, columns: int = COLUMNS) -> str:
    """The receipt as text, one printed line per line. Raises EscposParseError
    (a ValueError) for bytes that end in the middle of a command."""
    lines: list[str] = []
    for element in parse_escpos(data):
        if isinstance(element, TextLine):
            lines.append(_aligned(_marked(element), element.align, columns))
        elif isinstance(element, QrCode):
            lines.append(_aligned(f"[QR: {element.text}]", element.align, columns))
        elif isinstance(element, Feed):
            lines.extend([""] * (element.dots // LINE_DOTS))
        elif isinstance(element, Cut):
            lines.append(f" {'partial cut' if element.partial else 'cut'} ".center(columns, "-"))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _marked(line: TextLine) -> str:
    return "".join(f"**{run.text}**" if run.style.bold and run.text.strip() else run.text for run in line.runs)


def _aligned(text: str, align: Align, columns: int) -> str:
    if align is Align.CENTER:
        return text.center(columns)
    if align is Align.RIGHT:
        return text.rjust(columns)
    return text
