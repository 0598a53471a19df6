"""Format checkers and the helpers for typed text: properties over generated data, and examples
from real life (the README's own table among them)."""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import REPO_ROOT
from kiosk.forms.formats import (
    FORMATS,
    IBAN_LENGTHS,
    iban_check_digits,
    is_chip_number,
    is_date,
    is_email,
    is_house_number_de,
    is_iban,
    is_name,
    is_phone,
    is_postal_code_de,
    is_street,
    normalise_iban,
    normalise_phone,
    normalise_postcode,
    normalise_text,
    parse_date_de,
)

README = REPO_ROOT / "config" / "services" / "README.md"
DIGITS = "0123456789"


def insert(text: str, char: str, data: st.DataObject) -> str:
    """`text` with `char` put in at a drawn position."""
    at = data.draw(st.integers(0, len(text)), label="at")
    return text[:at] + char + text[at:]


# -- the README's table is the spec ------------------------------------------------------------

def readme_table() -> dict[str, tuple[list[str], list[str]]]:
    """format name → (backticked values under "data looks like", under "citizen types")."""
    rows: dict[str, tuple[list[str], list[str]]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and (name := re.fullmatch(r"`([a-z-]+)`", cells[0])):
            rows[name.group(1)] = (re.findall(r"`([^`]+)`", cells[1]),
                                   re.findall(r"`([^`]+)`", cells[2]))
    return rows


def test_every_format_in_the_readme_has_a_checker_and_no_other() -> None:
    assert set(readme_table()) == set(FORMATS)


def test_the_readme_data_examples_are_valid() -> None:
    for name, (data, _) in readme_table().items():
        assert data, name
        for value in data:
            assert FORMATS[name](value), (name, value)


def test_what_the_readme_says_citizens_type_becomes_the_data() -> None:
    table = readme_table()
    assert [parse_date_de(typed) for typed in table["date"][1]] == [dt.date(1964, 8, 12)] * 2
    assert normalise_phone(table["phone"][1][0]) == "0221 12345678"
    assert is_phone(normalise_phone(table["phone"][1][0]))
    assert normalise_postcode(table["postal-code-de"][1][0]) == table["postal-code-de"][0][0]


# -- every checker, whatever it is given ----------------------------------------------------------

CHECKERS = sorted(FORMATS.items())


@given(value=st.none() | st.integers() | st.floats() | st.binary() | st.lists(st.text(max_size=3)))
def test_anything_but_text_is_refused_without_raising(value: object) -> None:
    for name, check in CHECKERS:
        assert check(value) is False, name  # type: ignore[arg-type]


@given(text=st.text())
def test_any_text_gets_a_plain_yes_or_no(text: str) -> None:
    for name, check in CHECKERS:
        assert isinstance(check(text), bool), name


@given(text=st.text() | st.text("0 123456789+-/()\t.abc"))
def test_helpers_take_any_text(text: str) -> None:
    assert parse_date_de(text) is None or isinstance(parse_date_de(text), dt.date)
    for normalise in (normalise_iban, normalise_phone, normalise_postcode, normalise_text):
        assert normalise(normalise(text)) == normalise(text)


@pytest.mark.parametrize(("name", "check"), CHECKERS)
def test_empty_text_is_never_valid(name: str, check: Callable[[str], bool]) -> None:
    assert not check("")


# -- name, street --------------------------------------------------------------------------------

words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
joiners = st.sampled_from([" ", "-", "'", "’", ". ", "."])


@st.composite
def names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(words, min_size=1, max_size=4))
    return "".join(part + draw(joiners) for part in parts[:-1]) + parts[-1]


@given(name=names())
def test_letters_of_any_script_joined_by_spaces_hyphens_apostrophes_and_dots_are_a_name(name: str) -> None:
    assert is_name(name)
    assert is_street(name)


@given(name=names())
def test_a_name_keeps_its_validity_with_combining_accents(name: str) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    assert is_name(decomposed)
    assert normalise_text(decomposed) == unicodedata.normalize("NFC", name)


@given(name=names(), digit=st.characters(categories=["N"]), data=st.data())
def test_a_name_with_any_digit_or_number_sign_is_not_a_name(name: str, digit: str,
                                                           data: st.DataObject) -> None:
    assert not is_name(insert(name, digit, data))


@given(name=names(), data=st.data(),
       sign=st.characters(categories=["P", "S", "Z", "C"], exclude_characters=" '’.-/"))
def test_other_punctuation_symbols_and_control_characters_spoil_names_and_streets(
        name: str, sign: str, data: st.DataObject) -> None:
    spoiled = insert(name, sign, data)
    assert not is_name(spoiled)
    assert not is_street(spoiled)


@given(name=names(), left=st.sampled_from(["", " ", "  ", "\t", "\n"]),
       right=st.sampled_from(["", " ", "\u00a0", "\n"]))
def test_typed_names_become_valid_data_once_whitespace_is_tidied(name: str, left: str, right: str) -> None:
    typed = left + name.replace(" ", "  ") + right
    assert normalise_text(typed) == unicodedata.normalize("NFC", name)
    assert is_name(normalise_text(typed))
    if typed != name:
        assert not is_name(typed)  # the data form has no stray whitespace


@given(street=names(), number=st.integers(1, 999), joiner=st.sampled_from([" ", "/", "-", ". "]))
def test_streets_may_hold_numbers(street: str, number: int, joiner: str) -> None:
    assert is_street(f"{street}{joiner}{number}")
    assert is_street(f"{number}. {street}")
    assert not is_name(f"{street}{joiner}{number}")


@pytest.mark.parametrize("name", ["Anna-Lena O'Brien", "Dr. h.c. Müller", "O’Neill", "Ørsted",
                                  "Nguyễn Thị Minh Khai", "सुनील", "李小龙", "Ахмедова", "محمد",
                                  "Марʼяна", "Jean-Luc d'Alembert", "Ludwig v. Beethoven"])
def test_real_names(name: str) -> None:
    assert is_name(name)


@pytest.mark.parametrize("name", [" Anna", "Anna ", "Anna  Lena", "-Anna", "'Anna", "Anna2", "A²",
                                  "Ⅻ", "Anna\nLena", "\u0301Anna", "Anna_Lena", "Anna/Lena", "Anna@"])
def test_not_names(name: str) -> None:
    assert not is_name(name)


@pytest.mark.parametrize("street", ["Heidestraße", "Straße des 17. Juni", "Q 7", "St.-Anna-Platz",
                                    "Am Weiher 3/4", "An der B 9", "Ku’damm", "2. Querweg"])
def test_real_streets(street: str) -> None:
    assert is_street(street)


@pytest.mark.parametrize("street", ["Hauptstr. #5", "Weg_1", " Heidestraße", "Heide  straße",
                                    "/Heide", "Straße ٣"])
def test_not_streets(street: str) -> None:
    assert not is_street(street)


# -- house number --------------------------------------------------------------------------------

numbers = st.integers(1, 9999).map(str)
suffixes = st.sampled_from(["", "a", "b", "C", " a", " d"])
between = st.sampled_from(["-", "/", " - ", " / "])


@given(first=numbers, first_suffix=suffixes, second=st.none() | st.tuples(between, numbers, suffixes))
def test_house_numbers_with_letters_ranges_and_sub_numbers(first: str, first_suffix: str,
                                                          second: tuple[str, str, str] | None) -> None:
    house = first + first_suffix + ("".join(second) if second else "")
    assert is_house_number_de(house)


@given(number=st.integers(0, 9999))
def test_no_house_number_is_zero_or_has_a_leading_zero(number: int) -> None:
    assert not is_house_number_de(f"0{number}")
    assert not is_house_number_de(f"17-0{number}")


@given(number=st.integers(10_000, 10**8), letters=st.text(string.ascii_letters, min_size=2, max_size=3))
def test_house_numbers_have_at_most_four_digits_and_one_letter(number: int, letters: str) -> None:
    assert not is_house_number_de(str(number))
    assert not is_house_number_de(f"17-{number}")
    assert not is_house_number_de(f"17{letters}")
    assert not is_house_number_de(f"{letters}17")


@pytest.mark.parametrize("house", ["17", "17a", "17 a", "17-19", "17/1", "17a-17c", "1", "9999"])
def test_real_house_numbers(house: str) -> None:
    assert is_house_number_de(house)


@pytest.mark.parametrize("house", ["0", "017", "12345", "17ab", "a17", "17-", "17--19", "17\n",
                                   "17  a", "17 1/2", "١٧", "½"])
def test_not_house_numbers(house: str) -> None:
    assert not is_house_number_de(house)


# -- postal code ---------------------------------------------------------------------------------

@given(code=st.integers(1001, 99998).map("{:05d}".format), data=st.data())
def test_every_five_digit_postcode_in_range_is_valid_also_when_typed_with_spaces(
        code: str, data: st.DataObject) -> None:
    assert is_postal_code_de(code)
    typed = insert(code, " ", data)
    assert normalise_postcode(f" {typed} ") == code


@given(code=st.integers(0, 1000).map("{:05d}".format) | st.just("99999"))
def test_postcodes_below_01001_or_at_99999_do_not_exist(code: str) -> None:
    assert not is_postal_code_de(code)


@given(code=st.text(DIGITS, min_size=4, max_size=4) | st.text(DIGITS, min_size=6, max_size=8))
def test_postcodes_have_exactly_five_digits(code: str) -> None:
    assert not is_postal_code_de(code)


@given(code=st.integers(1001, 99998).map("{:05d}".format), at=st.integers(0, 4),
       letter=st.characters(categories=["L"]))
def test_a_letter_in_a_postcode_spoils_it(code: str, at: int, letter: str) -> None:
    assert not is_postal_code_de(code[:at] + letter + code[at + 1:])


@pytest.mark.parametrize(("code", "valid"), [("51147", True), ("01067", True), ("99998", True),
                                             ("00123", False), ("5114", False), ("511 47", False),
                                             ("٥١١٤٧", False), ("51147\n", False)])
def test_real_postcodes(code: str, valid: bool) -> None:
    assert is_postal_code_de(code) is valid


# -- dates ---------------------------------------------------------------------------------------

dates = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
GERMAN_WAYS: list[Callable[[dt.date], str]] = [
    lambda d: f"{d:%d.%m.%Y}",
    lambda d: f"{d.day}.{d.month}.{d.year}",
    lambda d: f"{d:%d-%m-%Y}",
    lambda d: f"{d:%d/%m/%Y}",
    lambda d: f"{d:%d %m %Y}",
    lambda d: f"{d.day} {d.month} {d.year}",
    lambda d: f"{d:%d%m%Y}",
    lambda d: f"{d:%d. %m. %Y}",
]


@given(date=dates, way=st.sampled_from(GERMAN_WAYS), left=st.sampled_from(["", " ", "  "]),
       right=st.sampled_from(["", " ", "\t"]))
def test_a_date_typed_any_german_way_parses_back_to_itself(date: dt.date, way: Callable[[dt.date], str],
                                                            left: str, right: str) -> None:
    assert parse_date_de(left + way(date) + right) == date


@given(date=dates)
def test_the_iso_form_of_a_date_is_valid_data_and_nothing_else_is(date: dt.date) -> None:
    assert is_date(date.isoformat())
    assert not is_date(f"{date:%d.%m.%Y}")
    assert not is_date(f"{date:%Y%m%d}")
    if date.month < 10 or date.day < 10:
        assert not is_date(f"{date.year}-{date.month}-{date.day}")


@given(date=dates)
def test_two_digit_years_are_refused_because_a_birthday_could_be_in_either_century(date: dt.date) -> None:
    assert parse_date_de(f"{date:%d.%m.%y}") is None
    assert parse_date_de(f"{date:%d%m%y}") is None


@st.composite
def impossible_days(draw: st.DrawFn) -> tuple[int, int, int]:
    """(year, month, day) with a month of 13–99 or a day past the month's end, or day 0."""
    year = draw(st.integers(1900, 2100))
    if draw(st.booleans()):
        return year, draw(st.integers(13, 99)), draw(st.integers(1, 28))
    month = draw(st.integers(1, 12))
    last = ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)).day
    return year, month, draw(st.sampled_from([0]) | st.integers(last + 1, 99))


@given(ymd=impossible_days())
def test_days_that_do_not_exist_are_refused(ymd: tuple[int, int, int]) -> None:
    year, month, day = ymd
    assert parse_date_de(f"{day:02d}.{month:02d}.{year}") is None
    assert parse_date_de(f"{day}.{month}.{year}") is None
    assert not is_date(f"{year:04d}-{month:02d}-{day:02d}")


@pytest.mark.parametrize(("typed", "date"), [
    ("12.08.1964", dt.date(1964, 8, 12)), ("12.8.1964", dt.date(1964, 8, 12)),
    ("1.2.2001", dt.date(2001, 2, 1)), ("12-08-1964", dt.date(1964, 8, 12)),
    ("12/08/1964", dt.date(1964, 8, 12)), ("12 08 1964", dt.date(1964, 8, 12)),
    ("12081964", dt.date(1964, 8, 12)), (" 29.02.2024 ", dt.date(2024, 2, 29)),
    ("29.02.2023", None), ("29.02.1900", None), ("12.08.64", None), ("120864", None),
    ("1964-08-12", None), ("12.08.1964.", None), ("12..08.1964", None), ("1208 1964", None),
    ("12.o8.1964", None), ("١٢.٠٨.١٩٦٤", None), ("12.08.01964", None), ("", None),
])
def test_real_typed_dates(typed: str, date: dt.date | None) -> None:
    assert parse_date_de(typed) == date


@pytest.mark.parametrize(("value", "valid"), [("1964-08-12", True), ("2024-02-29", True),
                                              ("2023-02-29", False), ("1964-8-12", False),
                                              ("19640812", False), ("2023-W01-1", False),
                                              ("0000-01-01", False), ("1964-08-12\n", False)])
def test_real_iso_dates(value: str, valid: bool) -> None:
    assert is_date(value) is valid


# -- IBAN ----------------------------------------------------------------------------------------

@st.composite
def ibans(draw: st.DrawFn) -> str:
    """A valid IBAN for a country of the table: a drawn BBAN of the country's length (all digits,
    as most are, or with capitals) and its computed check digits."""
    country = draw(st.sampled_from(sorted(IBAN_LENGTHS)))
    alphabet = draw(st.sampled_from([DIGITS, DIGITS + string.ascii_uppercase]))
    size = IBAN_LENGTHS[country] - 4
    bban = draw(st.text(alphabet, min_size=size, max_size=size))
    return country + iban_check_digits(country, bban) + bban


@given(iban=ibans())
def test_a_bban_with_computed_check_digits_is_a_valid_iban(iban: str) -> None:
    assert is_iban(iban)


@given(iban=ibans(), data=st.data())
def test_changing_any_one_digit_is_caught(iban: str, data: st.DataObject) -> None:
    at = data.draw(st.sampled_from([i for i, char in enumerate(iban) if char.isdigit()]))
    other = data.draw(st.sampled_from(DIGITS.replace(iban[at], "")))
    assert not is_iban(iban[:at] + other + iban[at + 1:])


@given(iban=ibans(), data=st.data())
def test_swapping_two_adjacent_different_digits_is_caught(iban: str, data: st.DataObject) -> None:
    pairs = [i for i in range(2, len(iban) - 1)
             if iban[i].isdigit() and iban[i + 1].isdigit() and iban[i] != iban[i + 1]]
    if not pairs:  # a BBAN of letters and repeated digits; rare, and nothing to swap
        return
    at = data.draw(st.sampled_from(pairs))
    assert not is_iban(iban[:at] + iban[at + 1] + iban[at] + iban[at + 2:])


@given(iban=ibans(), longer=st.booleans())
def test_a_correct_checksum_does_not_excuse_a_wrong_length_for_the_country(iban: str, longer: bool) -> None:
    country, bban = iban[:2], iban[4:]
    bban = bban + "0" if longer else bban[:-1]
    assert not is_iban(country + iban_check_digits(country, bban) + bban)


@given(country=st.text(string.ascii_uppercase, min_size=2, max_size=2).filter(
    lambda c: c not in IBAN_LENGTHS), bban=st.text(DIGITS, min_size=11, max_size=30))
def test_countries_outside_the_table_are_refused(country: str, bban: str) -> None:
    assert not is_iban(country + iban_check_digits(country, bban) + bban)


@given(iban=ibans(), lower=st.booleans(), extra=st.sampled_from(["", " ", "  "]))
def test_an_iban_typed_in_groups_of_four_or_lower_case_normalises_to_the_data(
        iban: str, lower: bool, extra: str) -> None:
    typed = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    typed = extra + (typed.lower() if lower else typed) + extra
    assert not is_iban(typed)
    assert normalise_iban(typed) == iban


@pytest.mark.parametrize(("check", "alias"), [("97", "00"), ("98", "01"), ("02", "99")])
def test_check_digits_00_01_99_are_refused_though_the_remainder_fits(check: str, alias: str) -> None:
    # 00 ≡ 97, 01 ≡ 98 and 99 ≡ 02 (mod 97): find a German account with `check` and swap in `alias`.
    accounts = (f"37040044{n:010d}" for n in range(10_000))
    bban = next(bban for bban in accounts if iban_check_digits("DE", bban) == check)
    assert is_iban(f"DE{check}{bban}")
    assert not is_iban(f"DE{alias}{bban}")


# Examples of the SWIFT IBAN registry, as printed (in groups of four).
@pytest.mark.parametrize("typed", [
    "DE89 3704 0044 0532 0130 00", "AT61 1904 3002 3457 3201", "CH93 0076 2011 6238 5295 7",
    "NL91 ABNA 0417 1643 00", "BE68 5390 0754 7034", "FR14 2004 1010 0505 0001 3M02 606",
    "GB29 NWBK 6016 1331 9268 19", "NO93 8601 1117 947", "PL61 1090 1014 0000 0712 1981 2874",
    "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "TR33 0006 1005 1978 6457 8413 26",
    "it60 x054 2811 1010 0000 0123 456",
])
def test_registry_examples_are_valid_after_normalising(typed: str) -> None:
    assert is_iban(normalise_iban(typed))


@pytest.mark.parametrize("value", ["DE89370400440532013001", "DE8937040044053201300",
                                   "DE89 3704 0044 0532 0130 00", "de89370400440532013000",
                                   "DE89370400440532013000\n", "DE", "89370400440532013000DE"])
def test_not_ibans(value: str) -> None:
    assert not is_iban(value)


def test_check_digits_are_computed_for_the_well_known_example_and_bad_input_is_an_error() -> None:
    assert iban_check_digits("DE", "370400440532013000") == "89"
    for country, bban in [("de", "370400440532013000"), ("DE", "3704 0044"), ("D", "1"), ("DE", "")]:
        with pytest.raises(ValueError):
            iban_check_digits(country, bban)


# -- phone ---------------------------------------------------------------------------------------

separators = st.sampled_from(["", " ", "/", " / ", "-", " - ", "  ", "\t"])


@st.composite
def german_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(area code without its 0: 2–5 digits, subscriber: 3–8 digits, maybe grouped by ' ' or '-')."""
    area = draw(st.integers(1, 9).map(str)) + draw(st.text(DIGITS, min_size=1, max_size=4))
    subscriber = draw(st.text(DIGITS, min_size=3, max_size=8))
    cuts = sorted(draw(st.sets(st.integers(1, len(subscriber) - 1), max_size=2)))
    groups = [subscriber[i:j] for i, j in zip([0, *cuts], [*cuts, len(subscriber)])]
    return area, draw(st.sampled_from([" ", "-"])).join(groups)


@given(number=german_numbers(), sep=separators, brackets=st.booleans())
def test_german_numbers_typed_with_any_separators_normalise_to_valid_data(
        number: tuple[str, str], sep: str, brackets: bool) -> None:
    area, subscriber = number
    typed = f"(0{area}) {subscriber}" if brackets else f"0{area}{sep}{subscriber}"
    data = normalise_phone(f" {typed} ")
    assert is_phone(data)
    assert data.replace(" ", "") == "0" + area + subscriber.replace(" ", "").replace("-", "")


@given(number=german_numbers(), prefix=st.sampled_from(["+49 ", "+49", "0049 ", "+49 (0)", "0049 (0) ",
                                                        "+49(0)", "+ 49 "]))
def test_international_german_numbers_normalise_to_plus_49(number: tuple[str, str], prefix: str) -> None:
    area, subscriber = number
    data = normalise_phone(f"{prefix}{area} {subscriber}")
    assert is_phone(data)
    assert data.replace(" ", "") == "+49" + area + subscriber.replace(" ", "").replace("-", "")


@given(digits=st.text(DIGITS, min_size=0, max_size=4) | st.text(DIGITS, min_size=15, max_size=25))
def test_fewer_than_six_or_more_than_fifteen_digits_are_not_a_phone_number(digits: str) -> None:
    assert not is_phone("0" + digits)
    assert not is_phone("+4" + digits)


@given(number=german_numbers(), letter=st.characters(categories=["L"]), data=st.data())
def test_letters_spoil_a_phone_number(number: tuple[str, str], letter: str, data: st.DataObject) -> None:
    valid = normalise_phone(f"0{number[0]} {number[1]}")
    assert not is_phone(insert(valid, letter, data))
    assert not is_phone(normalise_phone(insert(valid, letter, data)))


@pytest.mark.parametrize(("typed", "data"), [
    ("0221 12345678", "0221 12345678"), ("0221/12345678", "0221 12345678"),
    ("(0221) 123 456-78", "0221 123 456 78"), ("0171-1234567", "0171 1234567"),
    ("+49 221 12345678", "+49 221 12345678"), ("0049 221 12345678", "+49 221 12345678"),
    ("+49 (0)221 12345678", "+49 221 12345678"), ("+43 1 5880", "+43 1 5880"),
    ("+39 06 6982", "+39 06 6982"),  # Italy keeps its 0 after the country code
    ("(0049) 221 12345", "+49 221 12345"), (" 0221 / 12 34 - 56 ", "0221 12 34 56"),
])
def test_real_phone_numbers(typed: str, data: str) -> None:
    assert normalise_phone(typed) == data
    assert is_phone(data)


@pytest.mark.parametrize("data", ["+0221 12345", "0049 221 12345", "221 12345678", "+49 0221 12345",
                                  "0221  12345", " 0221 12345", "0221 12345 ", "0221-12345", "+",
                                  "+ 49 221 12345", "0221 12345\n", "٠٢٢١ ١٢٣٤٥"])
def test_not_phone_data(data: str) -> None:
    assert not is_phone(data)


# -- e-mail --------------------------------------------------------------------------------------

ATEXT = string.ascii_letters + DIGITS + "!#$%&'*+/=?^_`{|}~-"
locals_ = st.lists(st.text(ATEXT, min_size=1, max_size=10), min_size=1, max_size=3).map(".".join)
labels = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
tlds = st.text(string.ascii_letters, min_size=2, max_size=6)


@st.composite
def emails(draw: st.DrawFn) -> str:
    domain = ".".join(draw(st.lists(labels, min_size=1, max_size=3)) + [draw(tlds)])
    return f"{draw(locals_)}@{domain}"


@given(email=emails())
def test_generated_addresses_are_valid(email: str) -> None:
    assert is_email(email)


@given(email=emails(), data=st.data())
def test_addresses_without_or_with_two_at_signs_with_spaces_or_double_dots_are_refused(
        email: str, data: st.DataObject) -> None:
    assert not is_email(email.replace("@", ""))
    assert not is_email(insert(email, "@", data))
    assert not is_email(insert(email, " ", data))
    dots = [i for i, char in enumerate(email) if char == "."]
    at = data.draw(st.sampled_from(dots))
    assert not is_email(email[:at] + ".." + email[at + 1:])


@given(email=emails())
def test_dots_at_the_ends_of_the_local_part_or_domain_are_refused(email: str) -> None:
    local, domain = email.split("@")
    for spoiled in (f".{local}@{domain}", f"{local}.@{domain}", f"{local}@.{domain}", f"{email}."):
        assert not is_email(spoiled)


def test_addresses_longer_than_smtp_carries_are_refused() -> None:
    domain = ".".join(["a" * 63] * 3) + ".de"  # 194 characters
    assert is_email(f"{'e' * 59}@{domain}")  # 254
    assert not is_email(f"{'e' * 60}@{domain}")  # 255
    assert not is_email(f"{'e' * 65}@example.de")  # local part longer than 64


@pytest.mark.parametrize("email", ["erika@example.de", "erika.mustermann@web.de",
                                   "o'brien+steuer@mail.co.uk", "erika@müller.de", "x_y@sub-1.example.org"])
def test_real_addresses(email: str) -> None:
    assert is_email(email)


@pytest.mark.parametrize("email", ["erika@localhost", "erika@example.d", "erika@@example.de",
                                   "erika @example.de", "erika@example..de", "erika@-example.de",
                                   "erika@example-.de", "erika@example.de1", "jörg@example.de",
                                   "\"erika\"@example.de", "erika@[192.0.2.1]", "erika@example.de\n",
                                   "@example.de", "erika@"])
def test_not_addresses(email: str) -> None:
    assert not is_email(email)


# -- chip number ---------------------------------------------------------------------------------

@given(chip=st.text(DIGITS, min_size=15, max_size=15))
def test_any_fifteen_digits_are_a_chip_number(chip: str) -> None:
    assert is_chip_number(chip)


@given(chip=st.text(DIGITS, min_size=15, max_size=15), at=st.integers(0, 14),
       other=st.characters(categories=["L", "P", "Z"])
       | st.characters(categories=["Nd"], exclude_characters=DIGITS))
def test_anything_but_an_ascii_digit_spoils_a_chip_number(chip: str, at: int, other: str) -> None:
    assert not is_chip_number(chip[:at] + other + chip[at + 1:])


@given(chip=st.text(DIGITS, min_size=0, max_size=14) | st.text(DIGITS, min_size=16, max_size=30))
def test_chip_numbers_have_exactly_fifteen_digits(chip: str) -> None:
    assert not is_chip_number(chip)


@pytest.mark.parametrize(("chip", "valid"), [("276098106543210", True), ("900123456789012", True),
                                             ("276 098 106 543 210", False), ("27609810654321", False)])
def test_real_chip_numbers(chip: str, valid: bool) -> None:
    assert is_chip_number(chip) is valid
