"""The ESC/POS interpreter and the preview drawn from its result."""

import random

import numpy as np
import pytest
import qrcode
from escpos.printer import Dummy

from hardware.printer import escpos_preview
from hardware.printer.escpos_parser import (
    Align,
    Cut,
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
from hardware.printer.escpos_preview import (
    MARGIN_DOTS,
    PreviewTooLargeError,
    render_preview,
)
from hardware.printer.receipt_layout import write_receipt

ESC, GS = b"\x1b", b"\x1d"


def receipt_bytes(receipt) -> bytes:
    printer = Dummy(profile="TM-T20II")
    write_receipt(printer, receipt)
    return printer.output


def only_line(data: bytes) -> TextLine:
    (line,) = [e for e in parse_escpos(data) if isinstance(e, TextLine)]
    return line


# -- interpreter --------------------------------------------------------------


def test_print_mode_bits_set_bold_and_size():
    line = only_line(ESC + b"!\x38" + b"Hi\n")
    assert line.runs[0].style == TextStyle(bold=True, width=2, height=2)


def test_gs_size_sets_width_and_height_independently():
    line = only_line(GS + b"!\x12" + b"Hi\n")
    assert (line.runs[0].style.width, line.runs[0].style.height) == (2, 3)


def test_style_changes_inside_a_line_make_separate_runs():
    line = only_line(b"Name: " + ESC + b"E\x01" + b"Anna\n")
    assert [(run.text, run.style.bold) for run in line.runs] == [
        ("Name: ", False),
        ("Anna", True),
    ]


def test_alignment_takes_effect_at_the_start_of_a_line():
    elements = parse_escpos(b"left" + ESC + b"a\x01" + b" still left\nnext\n")
    assert [(e.text, e.align) for e in elements] == [
        ("left still left", Align.LEFT),
        ("next", Align.CENTER),
    ]


@pytest.mark.parametrize(
    ("table", "expected"), [(b"\x13", "€"), (b"\x02", "ı"), (b"\x00", "╒")]
)
def test_codepage_selects_the_decoding(table, expected):
    # 0xD5 is € in cp858, ı in cp850 and ╒ in cp437.
    assert only_line(ESC + b"t" + table + b"\xd5\n").text == expected


@pytest.mark.parametrize(
    ("table", "data", "expected"),
    [
        (13, b"\x98\x9f\xa7", "İşğ"),  # PC857 Turkish
        (18, b"\x88\x9d\xa5", "łŁą"),  # PC852 Central European
        (17, b"\x8a\xa2\xf1", "Квё"),  # PC866 Cyrillic
        (46, b"\xb3\xb4\xba\xbf\x88", "іґєї€"),  # WPC1251 with Ukrainian letters
        (44, b"\xf7\xf3", "іґ"),  # PC1125 (Ukrainian cp866)
        (37, b"\xfb\xa8\xd5\xea\xc7%", "ﻝﺎﺻﻳﺍ٪"),  # PC864 presentation forms; 0x25 is ٪
        (45, b"\xb3\x80", "ł€"),  # WPC1250
        (48, b"\xf0\xdd\x80", "ğİ€"),  # WPC1254
    ],
)
def test_epson_table_numbers_select_the_codecs_the_layout_uses(table, data, expected):
    assert only_line(ESC + b"t" + bytes([table]) + data + b"\n").text == expected


def test_unknown_table_keeps_the_previous_one():
    assert only_line(ESC + b"t\x13" + ESC + b"t\x07" + b"\xd5\n").text == "€"


def test_init_discards_buffered_text_and_resets_style():
    data = ESC + b"E\x01" + ESC + b"t\x13" + b"lost" + ESC + b"@" + b"\x81\n"
    line = only_line(data)
    assert line.text == "ü"  # cp437 again, "lost" discarded
    assert not line.runs[0].style.bold


def test_qr_store_and_print_make_one_qr_element():
    payload = "https://example.de/ä".encode()
    store_len = len(payload) + 3
    data = (
        GS + b"(k\x03\x001C\x05"  # module size 5
        + GS + b"(k\x03\x001E3"  # error correction H
        + GS + b"(k" + bytes([store_len, 0]) + b"1P0" + payload
        + GS + b"(k\x03\x001Q0"
    )  # fmt: skip
    (qr,) = parse_escpos(data)
    assert qr == QrCode(payload, module_dots=5, error_correction="H", align=Align.LEFT)
    assert qr.text == "https://example.de/ä"


@pytest.mark.parametrize(("mode", "scale"), [(0, (1, 1)), (1, (2, 1)), (50, (1, 2)), (3, (2, 2))])
def test_raster_image_keeps_its_bits_scale_and_alignment(mode, scale):
    bits = bytes([0b10000001, 0xFF, 0x00, 0x0F])
    data = b"x\n" + ESC + b"a\x02" + GS + b"v0" + bytes([mode]) + b"\x02\x00\x02\x00" + bits
    (line, image) = parse_escpos(data)
    assert image == RasterImage(16, 2, bits, Align.RIGHT, *scale)
    assert image.printed_size == (16 * scale[0], 2 * scale[1])
    assert image.rows() == [bits[:2], bits[2:]]


def test_raster_image_flushes_pending_text_and_an_unknown_mode_is_reported():
    elements = parse_escpos(b"half" + GS + b"v0\x00\x01\x00\x01\x00\xff" + GS + b"v0\x07\x01\x00\x01\x00\xff")
    assert [type(e) for e in elements] == [TextLine, RasterImage, SkippedCommand]
    assert elements[2].command == GS + b"v0\x07\x01\x00\x01\x00\xff"


def test_feeds_and_cuts():
    elements = parse_escpos(b"end" + ESC + b"d\x03" + GS + b"V\x42\x10")
    assert elements == [
        TextLine(elements[0].runs, Align.LEFT),
        Feed(60),  # 3 lines, one of them taken by "end"
        Feed(16),
        Cut(partial=True),
    ]


def test_known_commands_are_stepped_over_with_their_parameters():
    raster = GS + b"v0\x00\x02\x00\x03\x00" + bytes(range(6))  # 2x3 bytes image
    barcode = GS + b"k\x04" + b"12345\x00"
    status = b"\x10\x04\x04"  # DLE EOT 4
    drawer = ESC + b"p\x00\x19\xfa"
    elements = parse_escpos(raster + barcode + status + drawer + b"ok\n")
    assert elements[0] == RasterImage(16, 3, bytes(range(6)), Align.LEFT)
    assert [e.text for e in elements[1:]] == ["ok"]


def test_unknown_command_is_skipped_and_reported():
    elements = parse_escpos(b"a" + ESC + b"\x01" + b"b\n")
    assert elements == [
        SkippedCommand(offset=1, command=b"\x1b\x01"),
        TextLine(elements[1].runs, Align.LEFT),
    ]
    assert elements[1].text == "ab"


def test_text_without_line_feed_is_still_shown():
    assert only_line(b"no newline").text == "no newline"


@pytest.mark.parametrize(
    "data",
    [
        ESC,
        ESC + b"a",
        GS + b"!",
        GS + b"(k\x64\x00" + b"1P0abc",  # announces 100 bytes, has 6
        GS + b"v0\x00\xff\x00\xff\x00",
        GS + b"k\x04" + b"123",  # barcode data without its NUL
    ],
)
def test_truncated_commands_raise_a_parse_error_with_the_offset(data):
    with pytest.raises(EscposParseError, match="truncated") as error:
        parse_escpos(b"ok\n" + data)
    assert error.value.offset >= 3
    assert isinstance(error.value, ValueError)


def test_every_prefix_of_a_real_receipt_parses_or_fails_cleanly(receipt):
    data = receipt_bytes(receipt)
    for end in range(len(data) + 1):
        try:
            parse_escpos(data[:end])
        except EscposParseError:
            pass


def _random_jobs(count: int):
    """Random bytes, half of them rich in command bytes to reach the handlers."""
    rng = random.Random(20250312)
    specials = [0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x09, 0x0C, 0x00, ord("("), ord("k")]
    for index in range(count):
        length = rng.randrange(0, 400)
        if index % 2:
            yield bytes(rng.randrange(256) for _ in range(length))
        else:
            yield bytes(
                rng.choice(specials) if rng.random() < 0.4 else rng.randrange(256)
                for _ in range(length)
            )


def _random_commands(count: int):
    """Well-formed command headers with random parameters and payloads: these
    reach the QR, size, feed and cut handlers that random bytes rarely hit."""
    rng = random.Random(4711)

    def any_bytes(length: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(length))

    def qr_store() -> bytes:
        payload = any_bytes(rng.choice([0, 1, 20, 300, 3500]))
        size = len(payload) + 3
        return GS + b"(k" + bytes([size % 256, size // 256]) + b"1P0" + payload

    pieces = [
        lambda: ESC + b"!" + any_bytes(1),
        lambda: GS + b"!" + any_bytes(1),
        lambda: ESC + b"a" + any_bytes(1),
        lambda: ESC + b"t" + any_bytes(1),
        lambda: ESC + b"d" + any_bytes(1),
        lambda: GS + b"V" + any_bytes(2),
        lambda: GS + b"(k\x03\x001" + any_bytes(2),  # QR size / level / print
        lambda: GS + b"(k\x03\x001Q0",
        qr_store,
        lambda: GS + b"v0" + any_bytes(1) + bytes([rng.randrange(0, 90), 0, rng.randrange(0, 40), 0])
        + any_bytes(rng.randrange(0, 3600)),
        lambda: any_bytes(rng.randrange(30)) + b"\n",
    ]
    for _ in range(count):
        yield b"".join(rng.choice(pieces)() for _ in range(rng.randrange(1, 12)))


def test_random_bytes_never_raise_anything_but_value_errors():
    parsed = 0
    for data in _random_jobs(300):
        try:
            image = render_preview(data)
        except ValueError:
            continue
        assert image.width == 576
        parsed += 1
    assert parsed > 50  # most garbage still prints something


def test_random_commands_never_raise_anything_but_value_errors():
    kinds: set[type] = set()
    for data in _random_commands(300):
        try:
            render_preview(data)
            kinds.update(type(element) for element in parse_escpos(data))
        except ValueError:
            continue
    assert {TextLine, QrCode, RasterImage, Feed, Cut} <= kinds  # the handlers were reached


def test_mutated_receipts_never_raise_anything_but_value_errors(receipt):
    rng = random.Random(7)
    original = receipt_bytes(receipt)
    for _ in range(100):
        data = bytearray(original)
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            render_preview(bytes(data))
        except ValueError:
            pass


# -- preview ------------------------------------------------------------------


def ink_columns(image, top: int, bottom: int) -> np.ndarray:
    pixels = np.asarray(image)[top:bottom]
    return np.flatnonzero((pixels < 128).any(axis=0))


def test_preview_is_white_paper_576_dots_wide(receipt):
    image = render_preview(receipt_bytes(receipt))
    pixels = np.asarray(image)
    assert image.width == 576
    assert image.mode == "L"
    assert pixels[0].min() == 255 and pixels[-1].min() == 255  # margins
    assert (pixels > 250).mean() > 0.7  # mostly paper


def test_preview_carries_the_exact_qr_symbol_of_the_payload(receipt):
    """Sample the drawn QR module by module and compare with a symbol encoded
    here from the Receipt, so a wrong payload, level or size shows up."""
    data = receipt_bytes(receipt)
    (qr,) = [e for e in parse_escpos(data) if isinstance(e, QrCode)]
    level_m = qrcode.constants.ERROR_CORRECT_M
    expected = qrcode.QRCode(error_correction=level_m, border=0)
    expected.add_data(receipt.qr_payload.encode())
    matrix = np.array(expected.get_matrix())
    module = qr.module_dots
    size = len(matrix) * module

    pixels = np.asarray(render_preview(data))
    left = (576 - size) // 2  # centred
    finder_edge = (pixels[:, left : left + 7 * module] < 128).all(axis=1)
    top = int(np.flatnonzero(finder_edge)[0])  # top edge of the finder pattern
    centres = module // 2 + module * np.arange(len(matrix))
    drawn = pixels[top + centres][:, left + centres] < 128
    assert drawn.shape == matrix.shape
    assert (drawn == matrix).all()


def test_centred_and_right_aligned_lines_are_drawn_where_they_belong():
    image = render_preview(ESC + b"a\x01" + b"Mitte\n" + ESC + b"a\x02" + b"rechts\n")
    top = MARGIN_DOTS
    centre = ink_columns(image, top, top + 30)
    right = ink_columns(image, top + 30, top + 60)
    assert abs((centre[0] + centre[-1]) / 2 - 288) < 12
    assert right[-1] > 576 - 12 and right[0] > 576 - 6 * 12 - 12


def test_double_width_text_is_twice_as_wide():
    normal = ink_columns(render_preview(b"MMMM\n"), 0, 60)
    wide = ink_columns(render_preview(GS + b"!\x10" + b"MMMM\n"), 0, 60)
    assert abs((wide[-1] - wide[0]) - 2 * (normal[-1] - normal[0])) < 12


def test_long_lines_wrap_like_the_printer():
    one_row = render_preview(b"x" * 48 + b"\n")
    two_rows = render_preview(b"x" * 49 + b"\n")
    assert one_row.height == 2 * MARGIN_DOTS + 30
    assert two_rows.height == 2 * MARGIN_DOTS + 60


def test_feed_advances_the_paper():
    assert render_preview(ESC + b"d\x03").height == 2 * MARGIN_DOTS + 90


def test_runaway_job_is_refused_with_a_value_error():
    with pytest.raises(PreviewTooLargeError, match="longer than"):
        render_preview(b"\n" * 2000)


def test_width_must_be_sensible():
    with pytest.raises(ValueError, match="width_px"):
        render_preview(b"x\n", width_px=10)


def test_renders_with_pillows_font_when_dejavu_is_missing(monkeypatch, receipt):
    monkeypatch.setattr(escpos_preview, "FONT_DIR", "/nonexistent")
    escpos_preview._font.cache_clear()
    try:
        image = render_preview(receipt_bytes(receipt))
    finally:
        escpos_preview._font.cache_clear()
    assert image.width == 576
    assert (np.asarray(image) < 128).any()


def test_58_mm_paper_is_384_dots_and_32_columns():
    assert render_preview(b"x" * 32 + b"\n", width_px=384).height == 2 * MARGIN_DOTS + 30
    assert render_preview(b"x" * 33 + b"\n", width_px=384).height == 2 * MARGIN_DOTS + 60
    image = render_preview(ESC + b"a\x02" + b"abc\n", width_px=384)
    assert image.width == 384
    assert ink_columns(image, MARGIN_DOTS, MARGIN_DOTS + 30)[-1] > 384 - 12


@pytest.mark.parametrize(("mode", "scale"), [(0, 1), (3, 2)])
def test_raster_image_is_drawn_dot_for_dot_at_its_scale(mode, scale):
    # A 16 x 2 image: first row left half black, second row right half black; centred.
    data = ESC + b"a\x01" + GS + b"v0" + bytes([mode]) + b"\x02\x00\x02\x00" + b"\xff\x00\x00\xff"
    pixels = np.asarray(render_preview(data, width_px=384)) < 128
    top, left = MARGIN_DOTS, (384 - 16 * scale) // 2
    first = pixels[top : top + scale, left : left + 16 * scale]
    second = pixels[top + scale : top + 2 * scale, left : left + 16 * scale]
    half = 8 * scale
    assert first[:, :half].all() and not first[:, half:].any()
    assert not second[:, :half].any() and second[:, half:].all()
    assert pixels.sum() == 2 * half * scale  # nothing else inked


def test_raster_image_wider_than_the_paper_is_cut_at_its_edge():
    data = GS + b"v0\x00\x50\x00\x01\x00" + b"\xff" * 80  # 640 dots on 576
    pixels = np.asarray(render_preview(data)) < 128
    assert pixels[MARGIN_DOTS].all()
    with pytest.raises(PreviewTooLargeError):
        render_preview(GS + b"v0\x02\x01\x00\x50\x46" + b"\x80" * 18000)  # 18000 rows at double height


def _drawn(char: str) -> bytes:
    return escpos_preview._render_run(TextRun(char, TextStyle())).tobytes()


@pytest.mark.parametrize("table", [19, 18, 13, 46, 37])  # cp858, cp852, cp857, cp1251, cp864
def test_font_has_a_glyph_for_every_letter_of_the_receipt_tables(table):
    line = only_line(ESC + b"t" + bytes([table]) + bytes(range(0x80, 0x100)) + b"\n")
    letters = [char for char in line.text if char.isalpha()]
    no_glyph = _drawn("\ue000")  # a private-use character: the font's "missing" box
    assert len(letters) > 40
    assert [char for char in letters if _drawn(char) == no_glyph] == []


def test_arabic_receipt_row_is_drawn_right_aligned_in_presentation_forms():
    row = "ﺓﻟﻣﺎﻌﻣﻟﺍ ﻡﻗﺭ".encode("cp864")
    image = render_preview(ESC + b"t\x25" + ESC + b"a\x02" + row + b"\n", width_px=384)
    columns = ink_columns(image, MARGIN_DOTS, MARGIN_DOTS + 30)
    assert columns[-1] > 384 - 12 and columns[0] >= 384 - 12 * len(row) - 2
