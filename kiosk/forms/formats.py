"""The `format` names of service schemas (config/services/README.md) and the helpers that turn what
a citizen types into the data form.

Checkers take the *data* form (`DE89370400440532013000`, `1964-08-12`, `+49 221 12345678`) and
answer True or False; they never raise, whatever they are given. Turning typed text into the data
form is the job of the `normalise_*` and `parse_date_de` helpers, so a submission that passes the
schema is always in one canonical shape for the back office.

Pure Python, no I/O: the form engine registers `FORMATS` with its JSON Schema validator.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "FORMATS",
    "IBAN_LENGTHS",
    "iban_check_digits",
    "is_chip_number",
    "is_date",
    "is_email",
    "is_house_number_de",
    "is_iban",
    "is_name",
    "is_phone",
    "is_postal_code_de",
    "is_street",
    "normalise_iban",
    "normalise_phone",
    "normalise_postcode",
    "normalise_text",
    "parse_date_de",
]

# `[0-9]` rather than `\d` throughout: `\d` also matches Arabic-Indic and other digits, which
# `int()` happily reads but the back office does not expect. `fullmatch` rather than `^…$`:
# `$` also matches before a trailing newline.
_ASCII_DIGITS = frozenset("0123456789")


# -- name, street ------------------------------------------------------------------------------

# Apostrophes both straight and typographic: keyboards and copied text give either ("O’Brien").
_NAME_SEPARATORS = frozenset(" '’.-")
_STREET_SEPARATORS = _NAME_SEPARATORS | {"/"}


def _words(value: object, separators: frozenset[str], digits: bool) -> bool:
    """Letters of any script (plus ASCII digits if `digits`) in words joined by `separators`.

    By Unicode category, not `\\w`: `\\w` takes "²" or "Ⅻ" for letters and refuses the combining
    vowel signs that Devanagari, Bengali or Thai names are written with ("सुनील"). A mark must sit on
    a letter. Separators may follow each other ("Dr. h.c.", "St.-Anna-Platz"), but the data form
    has no space at either end and no double space (see `normalise_text`).
    """
    if not isinstance(value, str) or not value or value[-1] == " " or "  " in value:
        return False
    previous = None  # "letter", "digit" or "separator"; None at the start
    for char in value:
        kind = unicodedata.category(char)[0]
        if kind == "L":
            previous = "letter"
        elif kind == "M" and previous == "letter":
            continue
        elif digits and char in _ASCII_DIGITS:
            previous = "digit"
        elif char in separators and previous is not None:
            previous = "separator"
        else:
            return False
    return True


def is_name(value: object) -> bool:
    """A person's name: `Anna-Lena O'Brien`, `Dr. h.c. Müller`, `Ørsted`, `李小龙`."""
    return _words(value, _NAME_SEPARATORS, digits=False)


def is_street(value: object) -> bool:
    """A street name, which may hold digits and '/': `Straße des 17. Juni`, `Q 7`."""
    return _words(value, _STREET_SEPARATORS, digits=True)


def normalise_text(text: str) -> str:
    """Typed name or street → data form: NFC, whitespace collapsed to single spaces, trimmed.

    NFC so that "Müller" typed with a combining umlaut and "Müller" typed at once are the same
    string for the back office's register look-ups.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


# -- house number, postal code, chip number ----------------------------------------------------

# A number of 1–4 digits without leading zero, an optional letter, optionally a second such number
# after '-' (a range, "17a-17c") or '/' (a sub-number, "17/1"). One space is tolerated before the
# letter and around the separator, as people write "17 a" or "17 - 19".
_HOUSE_NUMBER = re.compile(r"[1-9][0-9]{0,3}(?: ?[a-zA-Z])?(?: ?[-/] ?[1-9][0-9]{0,3}(?: ?[a-zA-Z])?)?")
_POSTCODE = re.compile(r"[0-9]{5}")
_CHIP_NUMBER = re.compile(r"[0-9]{15}")


def is_house_number_de(value: object) -> bool:
    """`17`, `17a`, `17 a`, `17-19`, `17/1`, `17a-17c`; not `0`, not `017`, at most 4 digits."""
    return isinstance(value, str) and _HOUSE_NUMBER.fullmatch(value) is not None


def is_postal_code_de(value: object) -> bool:
    """Five digits from 01001 to 99998: the lowest and highest codes Deutsche Post gives out;
    no German postcode starts with 00."""
    return (isinstance(value, str) and _POSTCODE.fullmatch(value) is not None
            and 1001 <= int(value) <= 99998)


def normalise_postcode(text: str) -> str:
    """`511 47` → `51147`: people group digits as they read them aloud."""
    return "".join(text.split())


def is_chip_number(value: object) -> bool:
    """15 digits, the ISO 11784/11785 transponder code as printed in the EU pet passport.

    Only the shape is checked: the first three digits are a country (276 Germany) or a
    manufacturer code, and both lists change; the code has no check digit.
    """
    return isinstance(value, str) and _CHIP_NUMBER.fullmatch(value) is not None


# -- dates -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Day and month of one or two digits, a four-digit year, separated by '.', '-' or '/' (spaces
# around them allowed) or by spaces alone; or eight digits in a row (DDMMYYYY).
_SEPARATOR = r"(?:\s*[./-]\s*|\s+)"
_GERMAN_DATE = re.compile(rf"([0-9]{{1,2}}){_SEPARATOR}([0-9]{{1,2}}){_SEPARATOR}([0-9]{{4}})")
_GERMAN_DATE_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")


def is_date(value: object) -> bool:
    """An ISO 8601 calendar date that exists: `1964-08-12` yes, `2023-02-29` no.

    The shape is checked first because `date.fromisoformat` also reads `19640812` and week dates.
    """
    if not isinstance(value, str) or _ISO_DATE.fullmatch(value) is None:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_date_de(text: str) -> dt.date | None:
    """What a German citizen types (`12.08.1964`, `12.8.1964`, `12-08-1964`, `12/08/1964`,
    `12 08 1964`, `12081964`) → the date; None if it is not one of these or does not exist.

    Two-digit years are refused: for a birthday "12.08.64" may be 1964 or 2064 and the terminal
    must not guess.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    match = _GERMAN_DATE.fullmatch(text) or _GERMAN_DATE_COMPACT.fullmatch(text)
    if match is None:
        return None
    day, month, year = (int(group) for group in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- IBAN --------------------------------------------------------------------------------------

# IBAN length per country from the SWIFT IBAN registry (ISO 13616): all SEPA members and the
# other countries long in the registry. A country missing here is refused rather than guessed.
# Territories use their mother country's code (Åland FI; Réunion, Guadeloupe … FR; Jersey,
# Guernsey, Isle of Man GB). Turkey (TR) is not SEPA: whether a service takes a non-SEPA account
# is the service's decision, not the format's.
IBAN_LENGTHS: dict[str, int] = {
    # SEPA: EU, EEA, Switzerland, United Kingdom, Gibraltar, the microstates
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
    "VA": 22,
    # Others in the registry; same checks
    "AE": 23, "AL": 28, "AZ": 28, "BA": 20, "BH": 22, "BR": 29, "BY": 28, "CR": 22, "DO": 28,
    "EG": 29, "FO": 18, "GE": 22, "GL": 18, "GT": 28, "IL": 23, "IQ": 23, "JO": 30, "KW": 30,
    "KZ": 20, "LB": 28, "LC": 32, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MU": 30, "PK": 24,
    "PS": 29, "QA": 29, "RS": 22, "SA": 24, "SC": 31, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
    "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}

_IBAN = re.compile(r"([A-Z]{2})([0-9]{2})([0-9A-Z]+)")
_COUNTRY = re.compile(r"[A-Z]{2}")
_BBAN = re.compile(r"[0-9A-Z]+")


def _mod97(text: str) -> int:
    """ISO 7064 MOD 97-10 of an upper-case alphanumeric string, letters read as A=10 … Z=35.

    Why it catches every single-character slip: changing one digit changes the number by
    d·10^k with 0 < |d| < 97; 97 is prime and divides neither d nor 10^k, so the remainder
    changes. Swapping two different digits changes it by (a−b)·10^j·(10^(k−j) − 1), and
    10^n ≡ 1 (mod 97) only when 96 divides n, beyond the at most 68 digits of an IBAN
    (34 characters, letters counting two).
    """
    return int("".join(str(int(char, 36)) for char in text)) % 97


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits that make `country + digits + bban` a valid IBAN (`"89"` for DE and
    370400440532013000). Raises ValueError unless country is two capitals and bban upper-case
    alphanumeric; the length for the country is not checked here."""
    if _COUNTRY.fullmatch(country) is None or _BBAN.fullmatch(bban) is None:
        raise ValueError(f"not an IBAN country and BBAN: {country!r}, {bban!r}")
    # The check digits go to the end when the IBAN is checked; with them as 00 the remainder r
    # tells what to add: 98 − r makes the whole ≡ 1 (mod 97), always in 02…98.
    return f"{98 - _mod97(bban + country + '00'):02d}"


def is_iban(value: object) -> bool:
    """Compact upper-case IBAN: known country, its length, check digits 02–98, mod 97 == 1."""
    if not isinstance(value, str) or (match := _IBAN.fullmatch(value)) is None:
        return False
    country, check, bban = match.groups()
    # 00, 01 and 99 never come out of the computation (they are 97, 98 and 2 in disguise), so
    # ISO 13616 rules them out even when the remainder fits.
    return (IBAN_LENGTHS.get(country) == len(value) and "02" <= check <= "98"
            and _mod97(bban + country + check) == 1)


def normalise_iban(text: str) -> str:
    """`de89 3704 0044 0532 0130 00` → `DE89370400440532013000`: paper and cards print groups of
    four, and the IBAN pad may be in lower case."""
    return "".join(text.split()).upper()


# -- phone -------------------------------------------------------------------------------------

_PHONE = re.compile(r"\+?[0-9]+(?: [0-9]+)*")
_PHONE_SEPARATORS = re.compile(r"[\s/()\-]+")
# "+49 (0)221 …": the bracketed trunk zero is dialled only from inside the country; left in, the
# number would read +49 0 221, which nobody can call.
_TRUNK_ZERO = re.compile(r"\A(\+|00)\s*([1-9][0-9]{0,2})\s*\(0\)")


def normalise_phone(text: str) -> str:
    """Typed phone number → data form: `0221/123-456` → `0221 123 456`,
    `0049 (0)221 12345` → `+49 221 12345`. Separators ('/', '-', brackets, whitespace) become
    single spaces; anything else stays, for the checker to refuse."""
    text = _TRUNK_ZERO.sub(r"+\2 ", text.strip(), count=1)
    text = _PHONE_SEPARATORS.sub(" ", text).strip()  # before the prefix: "(0049) 221" too
    if text.startswith("+"):
        return "+" + text[1:].strip()
    if text.startswith("00"):  # the international call prefix, written as + in E.164
        return "+" + text[2:].strip()
    return text


def is_phone(value: object) -> bool:
    """`+49 221 12345678` or `0221 12345678`: digits in groups of single spaces, 6–15 digits
    (E.164 allows at most 15). National numbers start with one 0 (00 would be international,
    which the data form writes as +); international ones with + and a country code, which never
    starts with 0. A German number after +49 never starts with 0 either ("+49 0221" is a slip)."""
    if not isinstance(value, str) or _PHONE.fullmatch(value) is None:
        return False
    digits = value.replace(" ", "").lstrip("+")
    if not 6 <= len(digits) <= 15:
        return False
    if value.startswith("+"):
        return not digits.startswith("0") and not digits.startswith("490")
    return digits.startswith("0") and not digits.startswith("00")


# -- e-mail ------------------------------------------------------------------------------------

# RFC 5322 atext: what may stand in the local part without quotes. Quoted local parts and IP
# address literals are legal but nobody at a terminal has one; refusing them catches typos.
_ATEXT = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def _letters(text: str) -> bool:
    return all(unicodedata.category(char)[0] in "LM" for char in text)


def _domain_label(label: str) -> bool:
    """1–63 letters, digits and hyphens, no hyphen at either end. Letters may be non-ASCII
    (`müller.de`): umlaut domains are real, and the mail server converts them to xn--…"""
    if not 1 <= len(label) <= 63 or label[0] == "-" or label[-1] == "-":
        return False
    return all(char in _ASCII_DIGITS or char == "-" or _letters(char) for char in label)


def is_email(value: object) -> bool:
    """Pragmatic: `local@domain.tld`, one @, local part of atext runs joined by single dots
    (at most 64 characters), at least two domain labels, a top-level domain of 2+ letters,
    254 characters at most (the longest address SMTP can carry)."""
    if not isinstance(value, str) or len(value) > 254 or value.count("@") != 1:
        return False
    local, domain = value.split("@")
    labels = domain.split(".")
    return (len(local) <= 64 and all(_ATEXT.fullmatch(part) for part in local.split("."))
            and len(labels) >= 2 and all(_domain_label(label) for label in labels)
            and len(labels[-1]) >= 2 and _letters(labels[-1]))


# -- the table ---------------------------------------------------------------------------------

FORMATS: dict[str, Callable[[str], bool]] = {
    "name": is_name,
    "street": is_street,
    "house-number-de": is_house_number_de,
    "postal-code-de": is_postal_code_de,
    "date": is_date,
    "iban": is_iban,
    "phone": is_phone,
    "email": is_email,
    "chip-number": is_chip_number,
}
