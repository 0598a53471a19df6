"""The ESC/POS bytes write_receipt sends, checked byte-wise and by parsing
them back with the independent interpreter."""

import dataclasses

import pytest
from escpos.printer import Dummy

from hardware.printer import Receipt, ReceiptFormat
from hardware.printer.escpos_parser import Align, Cut, Feed, QrCode, RasterImage, TextLine, parse_escpos
from hardware.printer.receipt_layout import label_value_rows, paper, write_receipt


def receipt_bytes(receipt: Receipt, profile: str = "TM-T20II", fmt: ReceiptFormat = ReceiptFormat()) -> bytes:
    printer = Dummy(profile=profile)
    write_receipt(printer, receipt, fmt)
    return printer.output


def text_lines(data: bytes) -> list[TextLine]:
    return [e for e in parse_escpos(data) if isinstance(e, TextLine)]


def test_bytes_start_with_init_and_select_cp858(receipt):
    data = receipt_bytes(receipt)
    assert data.startswith(b"\x1b@\x1bt\x13")  # ESC @, ESC t 19 (cp858)


def test_umlauts_and_sharp_s_are_cp858_bytes(receipt):
    data = receipt_bytes(receipt)
    assert b"M\x81ller Stra\xe1e" in data
    assert "Müller Straße".encode("cp858") == b"M\x81ller Stra\xe1e"
    assert "37,00 €".encode("cp858") in data
    # No other codepage switch: the magic encoder must not hop tables.
    assert data.count(b"\x1bt") == 1


def test_qr_is_stored_natively_with_the_payload_and_printed(receipt):
    data = receipt_bytes(receipt)
    payload = receipt.qr_payload.encode("utf-8")
    length = len(payload) + 3  # cn, fn, m
    store = b"\x1d(k" + bytes([length % 256, length // 256]) + b"1P0" + payload
    assert store in data
    assert b"\x1d(k\x03\x001Q0" in data  # print the stored symbol
    assert data.index(store) < data.index(b"\x1d(k\x03\x001Q0")


def test_ends_with_feed_and_cut(receipt):
    assert receipt_bytes(receipt).endswith(b"\x1bd\x06\x1dV\x00")


def test_every_receipt_reselects_the_codepage(receipt):
    # ESC @ resets the printer to cp437; a second receipt on the same
    # connection must send ESC t again or its umlauts print wrong.
    printer = Dummy(profile="TM-T20II")
    write_receipt(printer, receipt)
    first = printer.output
    printer.clear()
    write_receipt(printer, receipt)
    assert printer.output == first


def test_parsed_bytes_contain_every_field(receipt):
    elements = parse_escpos(receipt_bytes(receipt))
    lines = [e for e in elements if isinstance(e, TextLine)]
    texts = [line.text for line in lines]

    title = lines[0]
    assert title.text == receipt.title
    assert title.align is Align.CENTER
    assert title.runs[0].style.bold and title.runs[0].style.height == 2
    assert receipt.issued_at in texts

    joined = "\n".join(texts)
    for label, value in receipt.lines:
        assert label in joined
        # A long value is wrapped: compare word by word.
        for word in value.split():
            assert word in joined

    reference = next(line for line in lines if line.text == receipt.reference)
    assert reference.align is Align.CENTER
    assert (reference.runs[0].style.width, reference.runs[0].style.height) == (2, 2)

    qr_codes = [e for e in elements if isinstance(e, QrCode)]
    assert [qr.text for qr in qr_codes] == [receipt.qr_payload]
    assert qr_codes[0].align is Align.CENTER
    assert receipt.footer[0] in texts
    assert isinstance(elements[-1], Cut)


def test_short_label_value_fits_on_one_row_of_48_columns(receipt):
    lines = text_lines(receipt_bytes(receipt))
    row = next(line.text for line in lines if line.text.startswith("Name"))
    assert len(row) == 48
    assert row.endswith("Müller Straße")


def test_long_value_wraps_under_its_label():
    assert label_value_rows("Ort", "x" * 30 + " " + "y" * 30, 42) == [
        "Ort",
        "  " + "x" * 30,
        "  " + "y" * 30,
    ]


@pytest.mark.parametrize(("paper_mm", "columns"), [(80, 48), (58, 32)])
@pytest.mark.parametrize("profile", ["TM-T20II", "default"])
def test_columns_follow_the_paper_not_the_profile(receipt, profile, paper_mm, columns):
    lines = text_lines(receipt_bytes(receipt, profile, ReceiptFormat(paper_mm=paper_mm)))
    separators = [line.text for line in lines if set(line.text) == {"-"}]
    assert len(separators) == 2 and all(len(s) == columns for s in separators)
    assert max(len(line.text) * line.runs[0].style.width for line in lines if line.runs) == columns


def test_unknown_paper_width_is_refused(receipt):
    with pytest.raises(ValueError, match="paper_mm"):
        write_receipt(Dummy(profile="TM-T20II"), receipt, ReceiptFormat(paper_mm=76))
    assert paper(ReceiptFormat(paper_mm=58)).dots == 384


def test_control_characters_in_citizen_text_cannot_reach_the_printer(receipt):
    # A cut (GS V 0) and a codepage switch hidden in a value must be printed
    # as harmless spaces, not executed.
    hostile = dataclasses.replace(receipt, lines=(("Name", "Ann\x1dV\x00a\x1bt\x02"),))
    data = receipt_bytes(hostile)
    assert data.count(b"\x1dV") == 1  # only the real cut at the end
    assert data.count(b"\x1bt") == 1
    assert any(line.text.endswith("Ann V a t") for line in text_lines(data))


def test_profile_without_a_table_for_the_letters_is_refused_before_sending(receipt):
    printer = Dummy(profile="TM-U220")  # only cp437: umlauts, no €, no Polish letters
    with pytest.raises(ValueError, match="no code page"):
        write_receipt(printer, dataclasses.replace(receipt, title="Potwierdzenie złożenia"))
    assert printer.output == b""


def test_a_printer_with_only_cp437_prints_umlauts_and_the_euro_as_eur(receipt):
    data = receipt_bytes(receipt, profile="TM-U220")
    assert data.startswith(b"\x1b@\x1bt\x00")
    assert "Müller Straße".encode("cp437") in data
    assert b"37,00 EUR" in data


@pytest.mark.parametrize(
    ("paper_mm", "length"),
    [
        (80, 3000),  # more than any QR code holds
        (58, 1500),  # 149 modules: 576 dots hold 3 a module, 384 dots only 2
    ],
)
@pytest.mark.parametrize("native_qr", [True, False])
def test_qr_payload_too_long_for_the_paper_is_refused(receipt, paper_mm, length, native_qr):
    printer = Dummy(profile="TM-T20II")
    with pytest.raises(ValueError, match="QR payload"):
        write_receipt(printer, dataclasses.replace(receipt, qr_payload="x" * length), ReceiptFormat(paper_mm, native_qr))
    assert printer.output == b""


def test_empty_qr_payload_prints_no_qr(receipt):
    elements = parse_escpos(receipt_bytes(dataclasses.replace(receipt, qr_payload="")))
    assert not any(isinstance(e, QrCode) for e in elements)


def test_style_commands_are_sent_only_when_the_style_changes(receipt):
    data = receipt_bytes(receipt)
    assert data.count(b"\x1b!") == 0  # sizes only by GS !
    # Title tall, date normal, code wide and tall, then normal again.
    assert [data[i + 2] for i in _find_all(data, b"\x1d!")] == [0x01, 0x00, 0x11, 0x00]
    assert [data[i + 2] for i in _find_all(data, b"\x1bE")] == [1, 0, 1, 0]
    # Centred title, left rows, centred code, QR code and footer; ESC @ resets the next receipt.
    assert [data[i + 2] for i in _find_all(data, b"\x1ba")] == [1, 0, 1]


def _find_all(data: bytes, command: bytes) -> list[int]:
    found, start = [], data.find(command)
    while start != -1:
        found.append(start)
        start = data.find(command, start + 1)
    return found


def test_raster_qr_goes_at_quadruple_density_for_an_even_module_size(receipt):
    data = receipt_bytes(receipt, fmt=ReceiptFormat(native_qr=False))
    assert b"\x1d(k" not in data
    (start,) = _find_all(data, b"\x1dv0")
    assert data[start + 3] == 3  # m: double width and double height
    (image,) = [e for e in parse_escpos(data) if isinstance(e, RasterImage)]
    # 29 modules (version 3) of 8 dots, sent as 4 bits each: a quarter of the bits.
    assert image.height_dots == 29 * 4 and image.printed_size[1] == 29 * 8
    assert image.width_dots == 120  # 116 bits padded to whole bytes
    assert image.align is Align.CENTER


def test_raster_qr_with_an_odd_module_size_goes_dot_for_dot(receipt):
    # 53 modules (version 9) on 384 dots: 7 dots a module, which 2x2 printing cannot make.
    long = dataclasses.replace(receipt, qr_payload="https://termine.example.de/r/" + "x" * 140)
    data = receipt_bytes(long, fmt=ReceiptFormat(paper_mm=58, native_qr=False))
    (image,) = [e for e in parse_escpos(data) if isinstance(e, RasterImage)]
    assert (image.scale_x, image.scale_y) == (1, 1)
    assert image.height_dots == 53 * 7
    assert image.width_dots <= 384


def test_control_characters_never_reach_the_wire_in_any_field_or_direction(receipt):
    controls = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))
    for right_to_left, word in [(False, "Müller"), (True, "الجهاز")]:
        hostile = Receipt(
            title=word + controls, lines=((controls + word, word + controls),), reference="MB" + controls,
            qr_payload="MB-7K3Q-9XZ2", footer=(controls + word,), issued_at=controls, right_to_left=right_to_left)
        data = receipt_bytes(hostile)
        elements = parse_escpos(data)
        assert not [e for e in elements if not isinstance(e, (TextLine, QrCode, Feed, Cut))]
        assert data.count(b"\x1bt") == 1 and data.count(b"\x1dV") == 1 and data.count(b"\x1b@") == 1
        assert all(ch.isprintable() for e in elements if isinstance(e, TextLine) for ch in e.text)


def test_consecutive_receipts_in_different_languages_switch_the_table(receipt):
    printer = Dummy(profile="TM-T20II")
    write_receipt(printer, receipt)
    arabic = dataclasses.replace(receipt, title="إيصال", lines=(("الجهاز", "Rathaus"),), footer=(),
                                 right_to_left=True)
    write_receipt(printer, arabic)
    write_receipt(printer, receipt)
    tables = [printer.output[i + 2] for i in _find_all(printer.output, b"\x1bt")]
    assert tables == [19, 37, 19]
