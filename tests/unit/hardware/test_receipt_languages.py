"""The typical receipt in every UI language on both paper widths, with the QR
code native and as a raster image: parsed back by the independent interpreter,
drawn by the preview and its QR code read by OpenCV (a decoder we do not use to
encode)."""

import datetime as dt
import re
import tomllib
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
    back). Between Arabic words, a run of words without Arabic letters that
    holds a Latin letter ("Mo-Fr 8:00-12:00, Do 14:00-18:00") was printed left
    to right and keeps its order; a run of numbers alone is read number by
    number from the right (see `reading` for what that leaves open). A
    punctuation mark at the row's left edge, in front of such a run, ends the
    row: it is where a row broken after "8:00-12:00," puts the comma.
    """
    if not right_to_left:
        return row.split()
    tokens = row.split()
    row_end = ""
    if tokens and not ARABIC.search(tokens[0]):
        row_end = re.match(r"[^\w(\[]*", tokens[0]).group()
        tokens[0] = tokens[0][len(row_end) :]
    words: list[str] = []
    run: list[str] = []  # reading order
    for token in [*reversed(tokens), ""]:
        if token and not ARABIC.search(token):
            run.append(token)
            continue
        words += run[::-1] if any(LATIN_LETTER.search(word) for word in run) else run
        run = []
        if token:
            words.append(unicodedata.normalize("NFKC", token[::-1]))
    if row_end and words:
        words[-1] += row_end
    return [word for word in words if word]


def reading(words: list[str], right_to_left: bool) -> list[str | tuple[str, ...]]:
    """Words to compare, in reading order. Right to left, numbers that follow
    each other ("0761 201-0") print left to right after a bidi mark and right
    to left without one; neither the paper nor a reader tells them apart, so
    such a run of numbers is compared as a set, its digits still exact."""
    if not right_to_left:
        return list(words)
    out: list[str | tuple[str, ...]] = []
    numbers: list[str] = []
    for word in [*words, "a"]:
        if not ARABIC.search(word) and not LATIN_LETTER.search(word):
            numbers.append(word)
            continue
        if numbers:
            out.append(tuple(sorted(numbers)) if len(numbers) > 1 else numbers[0])
            numbers = []
        out.append(word)
    return out[:-1]


def expected_words(text: str, lang: str) -> list[str]:
    """The words the receipt should show: control characters and typography
    made printable, bidi marks left out (they steer the order and are never
    printed), and for Arabic the letters PC864 has no glyph for replaced as
    arabic_text documents (only alef with hamza below occurs here)."""
    text = "".join(ch for ch in printable(text) if unicodedata.category(ch) != "Cf")
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

    def read(lines: list[TextLine]) -> list[str | tuple[str, ...]]:
        return reading(words_of(lines, rtl), rtl)

    def expected(*texts: str) -> list[str | tuple[str, ...]]:
        return reading([w for t in texts for w in expected_words(t, lang)], rtl)

    assert read(part["title"]) == expected(receipt.title)
    assert words_of(part["date"], rtl) == expected_words(receipt.issued_at, lang)  # date first, then time
    # Label then value, in reading order: mirrored rows read right to left.
    assert read(part["rows"]) == expected(*(t for line in receipt.lines for t in line))
    assert [line.text for line in part["code"]] == [CODE]
    assert read(part["footer"]) == expected(*receipt.footer)


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

# kiosk/receipt.py's texts for the photo service's receipt: title, labels, footer.
RECEIPT_MESSAGES = ("Receipt", "Service", "Terminal", "Reference",
                    "Show this code at the office when you apply for your passport or ID card. The office "
                    "fetches your photo with it; the photo is deleted after 96 hours.",
                    "Opening hours: {hours}", "Questions? Call {phone} and quote the code above.",
                    "Please keep this receipt.")  # fmt: skip


def catalogue(lang: str, domain: str) -> dict[tuple[str | None, str], str]:
    path = REPO / "config" / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {(m.context, str(m.id)): str(m.string) for m in read_po(handle) if m.id and m.string}


def service_titles() -> dict[str, str]:
    services = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (REPO / "config" / "services").glob("*.yaml"))
    return {service["id"]: service["title"] for service in services}


def terminal_config() -> dict[str, str]:
    return tomllib.loads((REPO / "config" / "kiosk.toml").read_text(encoding="utf-8"))["terminal"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_samples_carry_the_translations_of_config_locale(lang):
    kiosk = catalogue(lang, "kiosk")
    texts = [kiosk.get((None, message), message) for message in RECEIPT_MESSAGES]
    terminal = terminal_config()
    receipt = typical_receipt(lang)
    (title, service, terminal_label, reference, photo, hours, phone, keep) = texts
    footer = (photo, hours.format(hours=terminal["opening_hours"]),
              phone.format(phone=terminal["phone"]), keep)
    assert (receipt.title, receipt.footer) == (title, footer)
    assert [label for label, _value in receipt.lines] == [service, terminal_label, reference]
    assert receipt.lines[1][1] == terminal["location"]
    german_title = service_titles()["passfoto"]
    expected = catalogue(lang, "services").get(("passfoto", german_title), german_title)
    assert receipt.lines[0][1] == expected


@pytest.mark.parametrize("lang", LANGUAGES)
def test_samples_are_the_receipt_the_kiosk_builds(lang):
    """The sample is kiosk/receipt.py's receipt of the photo service (hardware itself never imports kiosk)."""
    from kiosk.receipt import Office, Submitted, receipt

    sample = typical_receipt(lang)
    (_, service_title), (_, location), (_, reference) = sample.lines
    terminal = terminal_config()
    built = receipt(lang, Submitted(service_title, "Bürgerbüro", reference, photo_code=CODE),
                    Office(location, terminal["opening_hours"], terminal["phone"]),
                    dt.datetime.strptime(sample.issued_at, "%d.%m.%Y %H:%M"))
    assert built == sample


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_service_title_prints_in_the_languages_own_table(lang):
    """No service sends a citizen a German receipt because of a letter in its title."""
    services = catalogue(lang, "services")
    profile = Dummy(profile="TM-T20II").profile
    receipt_texts = typical_receipt(lang).texts()
    for service_id, german in service_titles().items():
        title = services.get((service_id, german), german) if lang != "de" else german
        assert choose_codepage([title, *receipt_texts], profile) == TABLES[lang][0], title
