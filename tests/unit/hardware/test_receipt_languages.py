"""The typical receipt in every UI language on both paper widths, with the QR
code native and as a raster image: parsed back by the independent interpreter,
drawn by the preview and its QR code read by OpenCV (a decoder we do not use to
encode)."""

import re
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
import yaml
from babel.messages.pofile import read_po
from escpos.printer import Dummy

from hardware.printer import Receipt, ReceiptFormat
from hardware.printer.codepages import choose_codepage, printable
from hardware.printer.escpos_parser import (
    Align,
    Cut,
    QrCode,
    RasterImage,
    SkippedCommand,
    TextLine,
    parse_escpos,
)
from hardware.printer.escpos_preview import render_preview
from hardware.printer.receipt_layout import paper, write_receipt
from hardware.printer.samples import CODE, LANGUAGES, typical_receipt

REPO = Path(__file__).resolve().parents[3]
FORMATS = [ReceiptFormat(paper_mm, native_qr) for paper_mm in (80, 58) for native_qr in (True, False)]
FORMAT_IDS = [f"{f.paper_mm}mm-{'native' if f.native_qr else 'raster'}" for f in FORMATS]

# ESC t numbers in the TM-T20II profile (Epson's standard numbering).
TABLES = {"de": ("CP858", 19), "en": ("CP858", 19), "pl": ("CP852", 18), "tr": ("CP857", 13),
          "ru": ("CP1251", 46), "uk": ("CP1251", 46), "ar": ("CP864", 37)}  # fmt: skip

# The budget: a standard receipt in 2 KB, 2.2 s at 9600 baud.
BYTE_BUDGET = 2048


def receipt_bytes(receipt: Receipt, fmt: ReceiptFormat) -> bytes:
    printer = Dummy(profile="TM-T20II")
    write_receipt(printer, receipt, fmt)
    return printer.output


@pytest.fixture(scope="module", params=[(lang, fmt) for lang in LANGUAGES for fmt in FORMATS],
                ids=[f"{lang}-{fid}" for lang in LANGUAGES for fid in FORMAT_IDS])
def printed(request):
    lang, fmt = request.param
    receipt = typical_receipt(lang)
    return lang, receipt, fmt, receipt_bytes(receipt, fmt)


# -- reading the paper back -----------------------------------------------------

ARABIC = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_LETTER = re.compile("[A-Za-z]")


def read_row(row: str, right_to_left: bool) -> list[str]:
    """The words of a printed row in reading order.

    Right to left, the words are read from the right edge; an Arabic word was
    printed back to front, as presentation forms (NFKC gives the letters
    back); a run of Latin words was printed left to right and keeps its order.
    """
    if not right_to_left:
        return row.split()
    words: list[str] = []
    latin_run: list[str] = []
    for token in reversed(row.split()):
        if LATIN_LETTER.search(token) and not ARABIC.search(token):
            latin_run.insert(0, token)
            continue
        words += latin_run
        latin_run = []
        words.append(unicodedata.normalize("NFKC", token[::-1]) if ARABIC.search(token) else token)
    return words + latin_run


def expected_words(text: str, lang: str) -> list[str]:
    """The words the receipt should show: control characters and typography
    made printable, and for Arabic the letters PC864 has no glyph for replaced
    as arabic_text documents (only alef with hamza below occurs here)."""
    text = printable(text)
    if lang == "ar":
        text = text.replace("إ", "ا")
    return text.split()


def sections(elements) -> dict[str, list[TextLine]]:
    """Title (tall bold rows), date, label/value rows (between the rules), code and footer."""
    lines = [e for e in elements if isinstance(e, TextLine)]
    rules = [i for i, line in enumerate(lines) if line.text and set(line.text) == {"-"}]
    assert len(rules) == 2
    title = [line for line in lines[: rules[0]] if line.runs[0].style.height == 2]
    after = [line for line in lines[rules[1] + 1 :] if line.text]
    return {"title": title, "date": lines[len(title) : rules[0]], "rows": lines[rules[0] + 1 : rules[1]],
            "code": after[:1], "footer": after[1:]}  # fmt: skip


def words_of(lines: list[TextLine], right_to_left: bool) -> list[str]:
    return [word for line in lines for word in read_row(line.text, right_to_left)]


# -- tests --------------------------------------------------------------------


def test_text_reads_back_as_the_receipt(printed):
    lang, receipt, fmt, data = printed
    part = sections(parse_escpos(data))
    rtl = receipt.right_to_left
    assert words_of(part["title"], rtl) == expected_words(receipt.title, lang)
    assert words_of(part["date"], rtl) == expected_words(receipt.issued_at, lang)
    # Label then value, in reading order: mirrored rows read right to left.
    assert words_of(part["rows"], rtl) == [w for line in receipt.lines for t in line for w in expected_words(t, lang)]
    assert [line.text for line in part["code"]] == [CODE]
    assert words_of(part["footer"], rtl) == [w for t in receipt.footer for w in expected_words(t, lang)]


def test_rows_fit_the_paper_and_start_at_the_reading_side(printed):
    _lang, receipt, fmt, data = printed
    columns = paper(fmt).columns
    lines = [e for e in parse_escpos(data) if isinstance(e, TextLine)]
    for line in lines:
        assert sum(len(run.text) * run.style.width for run in line.runs) <= columns, line.text
    rows = sections(parse_escpos(data))["rows"]
    assert {line.align for line in rows} == {Align.RIGHT if receipt.right_to_left else Align.LEFT}
    label, value = receipt.lines[1]  # "Terminal", "Rathaus, Foyer": one row, label at the reading side
    (row,) = [line.text for line in rows if "Rathaus" in line.text]
    assert len(row) == columns
    if receipt.right_to_left:
        assert row.startswith(value) and unicodedata.normalize("NFKC", row[::-1]).startswith(label)
    else:
        assert row.startswith(label) and row.endswith(value)


def test_one_table_per_receipt_the_languages_own(printed):
    lang, receipt, _fmt, data = printed
    name, number = TABLES[lang]
    assert choose_codepage(receipt.texts(), Dummy(profile="TM-T20II").profile) == name
    assert data.startswith(b"\x1b@\x1bt" + bytes([number]))
    assert data.count(b"\x1bt") == 1
    assert not [e for e in parse_escpos(data) if isinstance(e, SkippedCommand)]
    assert "\ufffd" not in "".join(e.text for e in parse_escpos(data) if isinstance(e, TextLine))


def test_qr_code_is_the_code_natively_or_as_a_raster_of_the_same_size(printed):
    _lang, receipt, fmt, data = printed
    elements = parse_escpos(data)
    if fmt.native_qr:
        (qr,) = [e for e in elements if isinstance(e, QrCode)]
        assert qr.data == CODE.encode() and qr.align is Align.CENTER and qr.module_dots == 8
        assert not any(isinstance(e, RasterImage) for e in elements)
    else:
        (image,) = [e for e in elements if isinstance(e, RasterImage)]
        assert not any(isinstance(e, QrCode) for e in elements)
        assert b"\x1d(k" not in data
        # 21 modules of 8 dots, sent as 4 bits a module printed at double width and height.
        assert (image.scale_x, image.scale_y, image.height_dots) == (2, 2, 84)
        assert image.align is Align.CENTER
    assert isinstance(elements[-1], Cut)


def test_preview_qr_code_decodes_to_the_code_with_opencv(printed):
    _lang, _receipt, fmt, data = printed
    image = render_preview(data, width_px=paper(fmt).dots)
    assert image.width == paper(fmt).dots
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(np.asarray(image))
    assert text == CODE


def test_receipt_stays_within_the_byte_budget(printed):
    _lang, _receipt, _fmt, data = printed
    assert len(data) <= BYTE_BUDGET


def test_raster_qr_bits_are_the_symbol_of_the_code():
    data = receipt_bytes(typical_receipt("de"), ReceiptFormat(native_qr=False))
    (image,) = [e for e in parse_escpos(data) if isinstance(e, RasterImage)]
    symbol = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    symbol.add_data(CODE.encode())
    matrix = np.array(symbol.get_matrix())
    bits = np.unpackbits(np.frombuffer(image.bits, np.uint8)).reshape(image.height_dots, image.width_dots)
    assert (bits[2::4, 2::4][:, : len(matrix)] == matrix).all()  # module centres, 4 bits a module
    assert not bits[:, 84:].any()  # padding to whole bytes stays white


# -- the samples are the real translations ---------------------------------------

RECEIPT_MESSAGES = ("Receipt", "Service", "Terminal", "Reference",
                    "The code above is your photo retrieval code. The office fetches your photo with it.",
                    "Please keep this receipt.", "Quote the reference code if you ask about your application.")  # fmt: skip


def catalogue(lang: str, domain: str) -> dict[tuple[str | None, str], str]:
    path = REPO / "config" / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {(m.context, str(m.id)): str(m.string) for m in read_po(handle) if m.id and m.string}


def service_titles() -> dict[str, str]:
    services = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (REPO / "config" / "services").glob("*.yaml"))
    return {service["id"]: service["title"] for service in services}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_samples_carry_the_translations_of_config_locale(lang):
    kiosk = catalogue(lang, "kiosk")
    texts = [kiosk.get((None, message), message) for message in RECEIPT_MESSAGES]
    receipt = typical_receipt(lang)
    (title, service, terminal, reference, photo, keep, quote) = texts
    assert (receipt.title, receipt.footer) == (title, (photo, keep, quote))
    assert [label for label, _value in receipt.lines] == [service, terminal, reference]
    german_title = service_titles()["passfoto"]
    expected = catalogue(lang, "services").get(("passfoto", german_title), german_title)
    assert receipt.lines[0][1] == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_service_title_prints_in_the_languages_own_table(lang):
    """No service sends a citizen a German receipt because of a letter in its title."""
    services = catalogue(lang, "services")
    profile = Dummy(profile="TM-T20II").profile
    receipt_texts = typical_receipt(lang).texts()
    for service_id, german in service_titles().items():
        title = services.get((service_id, german), german) if lang != "de" else german
        assert choose_codepage([title, *receipt_texts], profile) == TABLES[lang][0], title
