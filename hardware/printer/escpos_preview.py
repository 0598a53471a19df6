"""Draws ESC/POS bytes as the receipt a thermal printer would produce.

The preview is made from the bytes, never from the Receipt object, so what an
operator or developer sees is what the printer was actually told.
"""

from __future__ import annotations

import functools
import itertools

import qrcode
import qrcode.exceptions
from PIL import Image, ImageDraw, ImageFont, ImageOps

from hardware.printer.escpos_parser import (
    LINE_DOTS,
    Align,
    Cut,
    Element,
    EscposParseError,
    Feed,
    QrCode,
    RasterImage,
    SkippedCommand,
    TextLine,
    TextRun,
    TextStyle,
    parse_escpos,
)

__all__ = ["EscposParseError", "PreviewTooLargeError", "parse_escpos", "render_preview"]

FONT_DIR = "/usr/share/fonts/truetype/dejavu"  # Debian package fonts-dejavu-core
FONT_FILES = {False: "DejaVuSansMono.ttf", True: "DejaVuSansMono-Bold.ttf"}

# Character cells of the printer fonts in dots: font A 12x24, font B 9x17.
CELLS = {0: (12, 24), 1: (9, 17)}
LINE_GAP = LINE_DOTS - CELLS[0][1]
MARGIN_DOTS = 16  # white paper above the first and below the last line
PAPER, INK, CUT_MARK = 255, 0, 160  # grey levels

# About 3.7 m of paper at 203 dpi: longer is a runaway job, not a receipt,
# and would need gigabytes to draw.
MAX_HEIGHT_DOTS = 30_000

_QR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


class PreviewTooLargeError(ValueError):
    """The bytes would feed more paper than any receipt needs."""


def render_preview(data: bytes, width_px: int = 576) -> Image.Image:
    """A greyscale picture of the printed paper, `width_px` dots wide.

    576 dots is the print width of an 80 mm printer at 203 dpi, 384 that of a
    58 mm one (`receipt_layout.paper(fmt).dots`). Text is drawn in the table
    the bytes select, one character per cell, so Arabic shows as the printer's
    presentation forms in the order they were sent. Raises
    EscposParseError for a cut-off job and PreviewTooLargeError for a runaway
    one (both ValueError).
    """
    if not 64 <= width_px <= 4096:
        raise ValueError(f"width_px must be between 64 and 4096, got {width_px}")
    strips = _render_strips(parse_escpos(data), width_px)
    height = 2 * MARGIN_DOTS + sum(strip.height for strip in strips)
    paper = Image.new("L", (width_px, height), PAPER)
    y = MARGIN_DOTS
    for strip in strips:
        paper.paste(strip, (0, y))
        y += strip.height
    return paper


def _render_strips(elements: list[Element], width_px: int) -> list[Image.Image]:
    strips: list[Image.Image] = []
    height = 0
    for element in elements:
        for strip in _render_element(element, width_px):
            height += strip.height
            if height > MAX_HEIGHT_DOTS:
                raise PreviewTooLargeError(
                    f"preview longer than {MAX_HEIGHT_DOTS} dots of paper"
                )
            strips.append(strip)
    return strips


def _render_element(element: Element, width_px: int) -> list[Image.Image]:
    if isinstance(element, TextLine):
        rows = _wrap(element, width_px)
        return [_render_row(row, element.align, width_px) for row in rows]
    if isinstance(element, QrCode):
        return [_render_qr(element, width_px)]
    if isinstance(element, RasterImage):
        return [_render_raster(element, width_px)]
    if isinstance(element, Feed):
        return [Image.new("L", (width_px, element.dots), PAPER)]
    if isinstance(element, Cut):
        return [_render_cut(width_px)]
    assert isinstance(element, SkippedCommand)
    return []


# -- text --------------------------------------------------------------------


def _cell(style: TextStyle) -> tuple[int, int]:
    """Size of one character in dots, after GS ! / ESC ! scaling."""
    width, height = CELLS[style.font]
    return width * style.width, height * style.height


def _wrap(line: TextLine, width_px: int) -> list[list[TextRun]]:
    """Split a line into printed rows: the printer wraps when its buffer is full."""
    rows: list[list[tuple[str, TextStyle]]] = [[]]
    used = 0
    for run in line.runs:
        char_width = _cell(run.style)[0]
        for char in run.text:
            if rows[-1] and used + char_width > width_px:
                rows.append([])
                used = 0
            rows[-1].append((char, run.style))
            used += char_width
    return [_regroup(row) for row in rows]


def _regroup(chars: list[tuple[str, TextStyle]]) -> list[TextRun]:
    return [
        TextRun("".join(char for char, _ in group), style)
        for style, group in itertools.groupby(chars, key=lambda item: item[1])
    ]


def _render_row(runs: list[TextRun], align: Align, width_px: int) -> Image.Image:
    images = [_render_run(run) for run in runs]
    tallest = max((image.height for image in images), default=0)
    row = Image.new("L", (width_px, max(LINE_DOTS, tallest + LINE_GAP)), PAPER)
    x = _start_x(sum(image.width for image in images), align, width_px)
    for image in images:
        # Printers line up mixed sizes on the baseline, i.e. at the bottom.
        row.paste(image, (x, tallest - image.height))
        x += image.width
    return row


def _start_x(content_width: int, align: Align, width_px: int) -> int:
    free = max(0, width_px - content_width)
    return {Align.LEFT: 0, Align.CENTER: free // 2, Align.RIGHT: free}[align]


def _render_run(run: TextRun) -> Image.Image:
    """Draw the run at its height, then stretch it to its width: a printer
    scales font cells independently in both directions."""
    style = run.style
    base_width, base_height = CELLS[style.font]
    cell_width = base_width * style.height  # square scaling first
    cell_height = base_height * style.height
    ink, paper = (PAPER, INK) if style.invert else (INK, PAPER)
    image = Image.new("L", (cell_width * len(run.text), cell_height), paper)
    draw = ImageDraw.Draw(image)
    font = _font(style.bold, round(cell_height * 20 / 24))
    for index, char in enumerate(run.text):
        draw.text((index * cell_width, 0), char, font=font, fill=ink)
    if style.underline:
        thickness = style.underline * style.height
        draw.rectangle((0, cell_height - thickness, image.width, cell_height), fill=ink)
    target_width = base_width * style.width * len(run.text)
    if target_width != image.width:
        image = image.resize((target_width, cell_height), Image.Resampling.LANCZOS)
    return image


@functools.lru_cache(maxsize=64)
def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(f"{FONT_DIR}/{FONT_FILES[bold]}", size)
    except OSError:
        # Without fonts-dejavu-core: Pillow's own font, still readable.
        try:
            return ImageFont.load_default(size=size)
        except TypeError:  # Pillow < 10.1 has only the fixed bitmap font
            return ImageFont.load_default()


# -- QR code and cut ---------------------------------------------------------


def _render_qr(code: QrCode, width_px: int) -> Image.Image:
    """Re-encode the stored data, as the printer's own QR encoder does."""
    symbol = qrcode.QRCode(
        error_correction=_QR_LEVELS[code.error_correction],
        box_size=code.module_dots,
        border=0,  # GS ( k prints no quiet zone
    )
    symbol.add_data(code.data)
    try:
        symbol.make(fit=True)
    except (qrcode.exceptions.DataOverflowError, ValueError):
        # The printer prints nothing; say so instead of leaving a silent gap.
        note = TextRun(f"[QR code: {len(code.data)} bytes, too long]", TextStyle())
        return _render_row([note], code.align, width_px)
    image = symbol.make_image().get_image().convert("L")
    strip = Image.new("L", (width_px, image.height), PAPER)
    strip.paste(image, (_start_x(image.width, code.align, width_px), 0))
    return strip


def _render_raster(image: RasterImage, width_px: int) -> Image.Image:
    """The bits as printed: each scaled to its dots, cut at the paper's edge."""
    width, height = image.printed_size
    if height > MAX_HEIGHT_DOTS:
        raise PreviewTooLargeError(f"raster image of {height} dots is longer than {MAX_HEIGHT_DOTS} dots of paper")
    # Only the columns that land on paper are drawn: a printer drops the rest.
    shown_bits = min(image.width_dots, -(-width_px // image.scale_x))
    bits = Image.frombytes("1", (image.width_dots, image.height_dots), image.bits)
    bits = bits.crop((0, 0, shown_bits, image.height_dots))
    inked = ImageOps.invert(bits.convert("L"))  # bit 1 is a black dot; PIL's "1" has it white
    inked = inked.resize((shown_bits * image.scale_x, height), Image.Resampling.NEAREST)
    strip = Image.new("L", (width_px, height), PAPER)
    strip.paste(inked, (_start_x(min(width, width_px), image.align, width_px), 0))
    return strip


def _render_cut(width_px: int) -> Image.Image:
    """A dashed grey line: where the blade cuts, not printed ink."""
    strip = Image.new("L", (width_px, LINE_DOTS), PAPER)
    draw = ImageDraw.Draw(strip)
    middle = LINE_DOTS // 2
    for x in range(0, width_px, 12):
        draw.line((x, middle, x + 6, middle), fill=CUT_MARK, width=2)
    return strip
