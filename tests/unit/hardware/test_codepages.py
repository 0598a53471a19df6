"""Which table a receipt is printed in, decided from its letters and the printer's profile."""

import pytest
from escpos.capabilities import get_profile

from hardware.printer.codepages import choose_codepage, paper_text, printable, receipt_fits

T20II = get_profile("TM-T20II")


class Tables:
    """A printer profile that has only the given tables."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def get_code_pages(self) -> dict[str, str]:
        return {name: str(number) for number, name in enumerate(self.names)}


@pytest.mark.parametrize(
    ("texts", "table"),
    [
        (["Gebühr", "37,00 €", "Straße"], "CP858"),
        (["Receipt", "Please keep this receipt."], "CP858"),
        (["Potwierdzenie", "Proszę zachować"], "CP852"),
        (["Opłata", "37,00 €"], "CP1250"),  # CP852 has no €
        (["İşlem numarası", "Lütfen bu fişi saklayın."], "CP857"),
        (["İşlem ücreti", "37,00 €"], "CP1254"),  # CP857 has no €
        (["Квитанция", "заберёт", "№ 5", "37,00 €"], "CP1251"),
        (["Квитанція", "Ґудзик", "Їжак", "збережіть"], "CP1251"),
        (["إيصال", "يرجى الاحتفاظ بهذا الإيصال."], "CP864"),
    ],
)
def test_each_script_gets_the_first_table_that_has_every_letter(texts, table):
    assert choose_codepage(texts, T20II) == table
    assert receipt_fits(texts, T20II)


def test_ukrainian_needs_cp1125_where_cp1251_is_missing_because_cp866_lacks_i_and_ghe():
    ukrainian, russian = ["Квитанція", "Ґанок"], ["Квитанция", "заберёт"]
    assert choose_codepage(ukrainian, Tables("CP437", "CP866", "CP1125")) == "CP1125"
    assert choose_codepage(russian, Tables("CP437", "CP866", "CP1125")) == "CP1125"
    assert choose_codepage(russian, Tables("CP437", "CP866")) == "CP866"
    for letter in "іІґҐ":
        with pytest.raises(UnicodeEncodeError):
            letter.encode("cp866")
    assert not receipt_fits(ukrainian, Tables("CP437", "CP866"))


def test_only_tables_the_profile_has_are_chosen():
    assert choose_codepage(["Müller"], Tables("CP437")) == "CP437"
    assert choose_codepage(["Müller"], Tables("CP852", "CP437")) == "CP852"
    assert not receipt_fits(["إيصال"], Tables("CP437", "CP858", "CP1251"))


@pytest.mark.parametrize("text", ["收据", "فاکتور پرداخت", "ⓘ Info", "Příjem ✓"])
def test_text_no_table_holds_does_not_fit(text):
    # Chinese, Persian letters (پ is not in PC864), symbols: the receipt cannot be printed in this language.
    assert choose_codepage(["Beleg", text], T20II) is None
    assert not receipt_fits(["Beleg", text], T20II)


def test_german_words_in_cyrillic_and_arabic_receipts_are_transliterated_only_as_a_last_resort():
    russian = ["Справка о несудимости (Führungszeugnis)", "Пошлина 13,00 €"]
    assert choose_codepage(russian, T20II) == "CP1251"
    assert paper_text(russian[0], "CP1251") == "Справка о несудимости (Fuehrungszeugnis)"
    assert paper_text(russian[1], "CP1251") == "Пошлина 13,00 €"  # CP1251 has the euro sign
    arabic = ["شهادة حسن السيرة (Führungszeugnis)", "37,00 €"]
    assert choose_codepage(arabic, T20II) == "CP864"
    assert paper_text(arabic[1], "CP864") == "37,00 EUR"
    # A German text keeps its umlauts: a table with them comes first.
    assert paper_text("Führungszeugnis", "CP858") == "Führungszeugnis"


def test_control_characters_become_spaces_and_typography_plain_characters():
    assert printable("Ann\x1dV\x00a\x1bt\x02\x85\u2028x") == "Ann V a t   x"
    assert printable("„Bürgerbüro“ – Mo…Fr") == '"Bürgerbüro" - Mo...Fr'
    assert printable("Код вище — це код") == "Код вище - це код"
    assert printable("\t Name \n") == "Name"


def test_bidi_marks_are_kept_for_reordering_but_need_no_table():
    text = "مثلا: \u200e0221 12345678"
    assert "\u200e" in printable(text)
    assert choose_codepage([text], T20II) == "CP864"
