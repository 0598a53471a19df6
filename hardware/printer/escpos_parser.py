"""Reads ESC/POS bytes back into what a printer would put on paper.

An independent check of the receipt layout: it knows the commands from the
Epson ESC/POS reference, not from python-escpos, so a layout bug shows up as
a difference between the Receipt and what this parser finds in the bytes.

It understands what `receipt_layout` emits (ESC @, ESC t, ESC a, ESC E,
ESC ! / GS !, LF, ESC d, GS ( k for QR codes, GS v 0 raster images, GS V)
and steps over every other command whose length the reference defines (other
images, barcodes, status queries). A command it does not know is skipped as two bytes and reported as
a `SkippedCommand`. Input that ends in the middle of a command raises
`EscposParseError`, a ValueError; nothing else is raised for any input.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import Callable

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, HT, FF = 0x0A, 0x09, 0x0C

# Paper advance of one text line in dots (24-dot font A plus the default gap).
LINE_DOTS = 30
TAB_COLUMNS = 8

# ESC t n: the table numbers of Epson's ESC/POS reference (the TM-T20II has all
# of them); Python codecs for them. Tables without a Python codec (Katakana,
# PC851, PC853, Thai, TCVN-3, PC1098) are left out: ESC t with them keeps the
# previous table, as a printer without the table does.
CODEPAGES = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    32: "cp720",
    33: "cp775",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    37: "cp864",  # 0x25 decodes as the Arabic percent sign, as PC864 prints it
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    44: "cp1125",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
    53: "kz1048",
}


class EscposParseError(ValueError):
    """The bytes end inside a command: the job was cut off."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextStyle:
    bold: bool = False
    underline: int = 0  # dots: 0, 1 or 2
    width: int = 1  # character size multipliers, 1..8
    height: int = 1
    font: int = 0  # 0 = font A (12x24 dots), 1 = font B (9x17 dots)
    invert: bool = False


@dataclass(frozen=True)
class TextRun:
    text: str
    style: TextStyle


@dataclass(frozen=True)
class TextLine:
    """One line as sent (ended by LF); the printer may wrap it when too wide."""

    runs: tuple[TextRun, ...]
    align: Align

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class QrCode:
    data: bytes
    module_dots: int
    error_correction: str  # "L", "M", "Q" or "H"
    align: Align

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class RasterImage:
    """A GS v 0 raster bit image as sent: `width_dots` x `height_dots` bits,
    rows of width_dots / 8 bytes, most significant bit leftmost, 1 = black.
    The printer prints each bit as `scale_x` x `scale_y` dots."""

    width_dots: int
    height_dots: int
    bits: bytes
    align: Align
    scale_x: int = 1
    scale_y: int = 1

    @property
    def printed_size(self) -> tuple[int, int]:
        """Width and height on paper in dots."""
        return self.width_dots * self.scale_x, self.height_dots * self.scale_y

    def rows(self) -> list[bytes]:
        width_bytes = self.width_dots // 8
        return [self.bits[y * width_bytes : (y + 1) * width_bytes] for y in range(self.height_dots)]


@dataclass(frozen=True)
class Feed:
    dots: int


@dataclass(frozen=True)
class Cut:
    partial: bool
    # Byte offset just past the cut command, so a stream can be split into jobs
    # exactly. Where it sits in the bytes, not what is on paper: left out of ==.
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class SkippedCommand:
    """A command this parser does not know; its parameters, if any, are
    read as text, as far as can be known without the printer's manual."""

    offset: int
    command: bytes


Element = TextLine | QrCode | RasterImage | Feed | Cut | SkippedCommand


def parse_escpos(data: bytes) -> list[Element]:
    """What the bytes put on paper, in order. Raises EscposParseError."""
    return _Parser(data).run()


# Commands that only take a fixed number of parameter bytes and change nothing
# on paper that the preview shows (line spacing, drawer kick, rotation, ...).
_ESC_SKIP = {
    FF: 0, 0x20: 1, ord("$"): 2, ord("%"): 1, ord("2"): 0, ord("3"): 1,
    ord("<"): 0, ord("="): 1, ord("?"): 1, ord("K"): 1, ord("L"): 0,
    ord("R"): 1, ord("S"): 0, ord("T"): 1, ord("U"): 1, ord("V"): 1,
    ord("W"): 8, ord("\\"): 2, ord("c"): 2, ord("e"): 1, ord("p"): 3,
    ord("r"): 1, ord("u"): 1, ord("v"): 0, ord("{"): 1,
}  # fmt: skip
_GS_SKIP = {
    ord("$"): 2, ord("/"): 1, ord(":"): 0, ord("E"): 1, ord("H"): 1,
    ord("I"): 1, ord("L"): 2, ord("P"): 2, ord("T"): 1, ord("W"): 2,
    ord("\\"): 2, ord("^"): 3, ord("a"): 1, ord("b"): 1, ord("c"): 0,
    ord("f"): 1, ord("h"): 1, ord("r"): 1, ord("w"): 1, ord("|"): 1,
}  # fmt: skip
_FS_SKIP = {
    ord("!"): 1, ord("&"): 0, ord("-"): 1, ord("."): 0, ord("2"): 74,
    ord("C"): 1, ord("S"): 2, ord("W"): 1, ord("p"): 2,
}  # fmt: skip

_ALIGNS = {0: Align.LEFT, 1: Align.CENTER, 2: Align.RIGHT}
_QR_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_PARTIAL_CUTS = {1, 49, 66, 98, 104}
_CUTS_WITH_FEED = {65, 66, 97, 98, 103, 104}


def _command_name(prefix: str, command: int) -> str:
    """Name for error messages, e.g. GS V, or GS 0x0c for a control byte."""
    shown = chr(command) if 0x21 <= command <= 0x7E else f"0x{command:02x}"
    return f"{prefix} {shown}"


def _raster_scale(mode: int) -> tuple[int, int] | None:
    """GS v 0 m: 0 normal, 1 double width, 2 double height, 3 both ("0".."3" too)."""
    mode = mode - 48 if 48 <= mode <= 51 else mode
    if not 0 <= mode <= 3:
        return None
    return 1 + (mode & 1), 1 + (mode >> 1 & 1)


def _select(n: int) -> int | None:
    """Epson accepts most switches both as 0/1/2 and as ASCII "0"/"1"/"2"."""
    if n in (0, 1, 2):
        return n
    if n in (48, 49, 50):
        return n - 48
    return None


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.pos = 0
        self.elements: list[Element] = []
        self._esc_table = self._esc_handlers()
        self._gs_table = self._gs_handlers()
        self._reset()

    def _reset(self) -> None:
        """Power-on state, also what ESC @ restores."""
        self.style = TextStyle()
        self.align = Align.LEFT
        self.codec = CODEPAGES[0]
        self.runs: list[TextRun] = []
        self.line_align: Align | None = None
        self.qr_module_dots = 3
        self.qr_level = "L"
        self.qr_data = b""

    def run(self) -> list[Element]:
        handlers: dict[int, Callable[[], None]] = {
            ESC: self._esc, GS: self._gs, FS: self._fs, DLE: self._dle,
            LF: self._line_feed, FF: self._line_feed, HT: self._tab,
        }  # fmt: skip
        while self.pos < len(self.data):
            byte = self.data[self.pos]
            if byte in handlers:
                handlers[byte]()
            elif byte < 0x20:
                self.pos += 1  # CR, NUL, BEL...: nothing on paper
            else:
                self._text()
        # Text never ended by LF stays in the printer's buffer and comes out
        # with the next job; show it rather than hide a layout bug.
        if self.runs:
            self._flush_line()
        return self.elements

    # -- reading -------------------------------------------------------------

    def _take(self, count: int, what: str) -> bytes:
        if self.pos + count > len(self.data):
            left = len(self.data) - self.pos
            raise EscposParseError(
                f"truncated {what}: needs {count} more bytes, {left} left", self.pos
            )
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def _byte(self, what: str) -> int:
        return self._take(1, what)[0]

    def _length_prefixed(self, what: str) -> bytes:
        """The `( fn pL pH data` form shared by ESC (, GS ( and FS (."""
        low, high = self._take(2, what)
        return self._take(low + high * 256, what)

    # -- text ----------------------------------------------------------------

    def _text(self) -> None:
        end = self.pos
        while end < len(self.data) and self.data[end] >= 0x20:
            end += 1
        chunk = self.data[self.pos : end]
        self.pos = end
        self._add_text(chunk.decode(self.codec, errors="replace"))

    def _add_text(self, text: str) -> None:
        if not self.runs:
            # ESC a only takes effect at the start of a line.
            self.line_align = self.align
        if self.runs and self.runs[-1].style == self.style:
            text = self.runs[-1].text + text
            self.runs.pop()
        self.runs.append(TextRun(text, self.style))

    def _tab(self) -> None:
        self.pos += 1
        column = sum(len(run.text) for run in self.runs)
        self._add_text(" " * (TAB_COLUMNS - column % TAB_COLUMNS))

    def _flush_line(self) -> None:
        align = self.line_align if self.runs else self.align
        self.elements.append(TextLine(tuple(self.runs), align or Align.LEFT))
        self.runs = []
        self.line_align = None

    def _line_feed(self) -> None:
        self.pos += 1
        self._flush_line()

    def _print_and_feed(self, dots: int) -> None:
        """ESC d / ESC J: print what is buffered, then advance the paper."""
        if self.runs:
            self._flush_line()
            dots -= LINE_DOTS
        if dots > 0:
            self.elements.append(Feed(dots))

    def _skip_unknown(self, start: int) -> None:
        self.elements.append(SkippedCommand(start, self.data[start : self.pos]))

    # -- ESC -----------------------------------------------------------------

    def _esc(self) -> None:
        self._command("ESC", self._esc_table, _ESC_SKIP)

    def _command(self, prefix: str, handlers: dict[int, Callable[[], None]], skip: dict[int, int]) -> None:
        """One ESC or GS command: a known one is interpreted, a known-length one skipped."""
        start = self.pos
        self.pos += 1
        command = self._byte(f"{prefix} command")
        handler = handlers.get(command)
        if handler is not None:
            handler()
        elif command in skip:
            self._take(skip[command], _command_name(prefix, command))
        else:
            self._skip_unknown(start)

    def _esc_handlers(self) -> dict[int, Callable[[], None]]:
        return {
            ord("@"): self._reset,
            ord("!"): self._esc_print_mode,
            ord("E"): self._esc_bold,
            ord("G"): self._esc_bold,  # double-strike looks like bold
            ord("-"): self._esc_underline,
            ord("M"): self._esc_font,
            ord("a"): self._esc_align,
            ord("t"): self._esc_codepage,
            ord("d"): lambda: self._print_and_feed(self._byte("ESC d") * LINE_DOTS),
            ord("J"): lambda: self._print_and_feed(self._byte("ESC J")),
            ord("i"): lambda: self._cut(partial=True),
            ord("m"): lambda: self._cut(partial=True),
            ord("*"): self._esc_bit_image,
            ord("D"): self._esc_tab_stops,
            ord("&"): self._esc_user_characters,
            ord("("): lambda: self._length_prefixed("ESC ( command"),
        }

    def _esc_print_mode(self) -> None:
        mode = self._byte("ESC !")
        self.style = replace(
            self.style,
            font=mode & 0x01,
            bold=bool(mode & 0x08),
            height=2 if mode & 0x10 else 1,
            width=2 if mode & 0x20 else 1,
            underline=1 if mode & 0x80 else 0,
        )

    def _esc_bold(self) -> None:
        self.style = replace(self.style, bold=bool(self._byte("ESC E") & 1))

    def _esc_underline(self) -> None:
        dots = _select(self._byte("ESC -"))
        if dots is not None:
            self.style = replace(self.style, underline=dots)

    def _esc_font(self) -> None:
        font = _select(self._byte("ESC M"))
        if font in (0, 1):
            self.style = replace(self.style, font=font)

    def _esc_align(self) -> None:
        align = _select(self._byte("ESC a"))
        if align is not None:
            self.align = _ALIGNS[align]

    def _esc_codepage(self) -> None:
        # An unknown table is ignored, as Epson printers do.
        self.codec = CODEPAGES.get(self._byte("ESC t"), self.codec)

    def _esc_bit_image(self) -> None:
        mode, low, high = self._take(3, "ESC * header")
        bytes_per_column = 3 if mode in (32, 33) else 1
        self._take((low + high * 256) * bytes_per_column, "ESC * image")

    def _esc_tab_stops(self) -> None:
        # Up to 32 stops, ended by NUL.
        for _ in range(33):
            if self._byte("ESC D") == 0:
                return

    def _esc_user_characters(self) -> None:
        rows, first, last = self._take(3, "ESC & header")
        for _ in range(max(0, last - first + 1)):
            columns = self._byte("ESC & character width")
            self._take(rows * columns, "ESC & character")

    # -- GS ------------------------------------------------------------------

    def _gs(self) -> None:
        self._command("GS", self._gs_table, _GS_SKIP)

    def _gs_handlers(self) -> dict[int, Callable[[], None]]:
        return {
            ord("!"): self._gs_size,
            ord("B"): self._gs_invert,
            ord("V"): self._gs_cut,
            ord("("): self._gs_function,
            ord("k"): self._gs_barcode,
            ord("v"): self._gs_raster_image,
            ord("*"): self._gs_downloaded_image,
            ord("8"): self._gs_large_function,
        }

    def _gs_size(self) -> None:
        size = self._byte("GS !")
        width, height = (size >> 4) + 1, (size & 0x0F) + 1
        if width <= 8 and height <= 8:  # out of range: ignored by the printer
            self.style = replace(self.style, width=width, height=height)

    def _gs_invert(self) -> None:
        self.style = replace(self.style, invert=bool(self._byte("GS B") & 1))

    def _gs_cut(self) -> None:
        mode = self._byte("GS V")
        if mode in _CUTS_WITH_FEED:
            self._print_and_feed(self._byte("GS V feed"))
        self._cut(partial=mode in _PARTIAL_CUTS)

    def _cut(self, partial: bool) -> None:
        if self.runs:
            self._flush_line()
        self.elements.append(Cut(partial, end=self.pos))

    def _gs_function(self) -> None:
        function = self._byte("GS ( function")
        body = self._length_prefixed(_command_name("GS (", function))
        if function == ord("k") and len(body) >= 2 and body[0] == ord("1"):
            self._qr(body[1], body[2:])

    def _qr(self, function: int, args: bytes) -> None:
        """GS ( k with cn = "1": the QR code functions."""
        if function == 67 and args and 1 <= args[0] <= 16:
            self.qr_module_dots = args[0]
        elif function == 69 and args and args[0] in _QR_LEVELS:
            self.qr_level = _QR_LEVELS[args[0]]
        elif function == 80 and args:
            self.qr_data = args[1:]  # args[0] is m = "0"
        elif function == 81 and self.qr_data:
            if self.runs:
                self._flush_line()
            self.elements.append(
                QrCode(self.qr_data, self.qr_module_dots, self.qr_level, self.align)
            )

    def _gs_barcode(self) -> None:
        kind = self._byte("GS k")
        if kind <= 6:  # old form: data ended by NUL
            while self._byte("GS k data") != 0:
                pass
        else:
            self._take(self._byte("GS k length"), "GS k data")

    def _gs_raster_image(self) -> None:
        start = self.pos - 2
        function, mode = self._take(2, "GS v header")
        low_x, high_x, low_y, high_y = self._take(4, "GS v 0 size")
        width_bytes, height = low_x + high_x * 256, low_y + high_y * 256
        bits = self._take(width_bytes * height, "GS v 0 image")
        scale = _raster_scale(mode)
        if function != ord("0") or scale is None:
            self._skip_unknown(start)
            return
        if bits:
            if self.runs:
                self._flush_line()
            self.elements.append(RasterImage(width_bytes * 8, height, bits, self.align, *scale))

    def _gs_downloaded_image(self) -> None:
        columns, rows = self._take(2, "GS * size")
        self._take(columns * rows * 8, "GS * image")

    def _gs_large_function(self) -> None:
        self._take(1, "GS 8 function")
        size = self._take(4, "GS 8 length")
        self._take(int.from_bytes(size, "little"), "GS 8 data")

    # -- FS and DLE ----------------------------------------------------------

    def _fs(self) -> None:
        start = self.pos
        self.pos += 1
        command = self._byte("FS command")
        if command == ord("("):
            self._byte("FS ( function")
            self._length_prefixed("FS ( command")
        elif command in _FS_SKIP:
            self._take(_FS_SKIP[command], _command_name("FS", command))
        else:
            self._skip_unknown(start)

    def _dle(self) -> None:
        """Real-time commands (status queries, recovery): nothing on paper."""
        self.pos += 1
        if self.pos >= len(self.data):
            return
        command = self.data[self.pos]
        if command in (0x04, 0x05):  # DLE EOT n, DLE ENQ n
            self.pos += 1
            self._take(1, "DLE EOT/ENQ")
        elif command == 0x14:  # DLE DC4 fn ...
            self.pos += 1
            function = self._byte("DLE DC4")
            self._take(7 if function == 8 else 2, "DLE DC4")
        # A lone DLE is just a control byte.
