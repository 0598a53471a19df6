"""Field validation: each field type accepts what a citizen would naturally type.

Validators return a normalised value or a Problem; the UI turns a Problem into a sentence in
the citizen's language (see kiosk/i18n.py), so the rules here stay language-free.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass

from kiosk.forms.service import FormField


class Problem(enum.Enum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    NAME_CHARACTERS = "name_characters"
    STREET_CHARACTERS = "street_characters"
    HOUSE_NUMBER = "house_number"
    POSTCODE = "postcode"
    DATE_FORMAT = "date_format"
    DATE_NOT_REAL = "date_not_real"
    DATE_IN_FUTURE = "date_in_future"
    DATE_TOO_OLD = "date_too_old"
    CHOICE = "choice"


@dataclass(frozen=True)
class Checked:
    value: str
    problem: Problem | None = None


# Letters of any script, spaces, hyphens, apostrophes and dots (e.g. "O'Brien", "Dr. h.c.").
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*$")
_STREET = re.compile(r"^[^\W_]+(?:[ '’.\-/][^\W_]*)*$")
_HOUSE_NUMBER = re.compile(r"^\d{1,4}(?: ?[a-zA-Z])?(?: ?[-/] ?\d{1,4}(?: ?[a-zA-Z])?)?$")
_POSTCODE = re.compile(r"^\d{5}$")
_DATE = re.compile(r"^(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})$")
OLDEST_AGE_YEARS = 130


def check(field: FormField, raw: str, today: dt.date) -> Checked:
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value:
        return Checked(value, Problem.REQUIRED if field.required else None)
    if len(value) > field.max_length:
        return Checked(value, Problem.TOO_LONG)
    return _BY_TYPE[field.type](field, value, today)


def _pattern(regex: re.Pattern[str], problem: Problem):  # type: ignore[no-untyped-def]
    def check_pattern(field: FormField, value: str, today: dt.date) -> Checked:
        return Checked(value, None if regex.match(value) else problem)
    return check_pattern


def _postcode(field: FormField, value: str, today: dt.date) -> Checked:
    compact = value.replace(" ", "")
    return Checked(compact, None if _POSTCODE.match(compact) else Problem.POSTCODE)


def _date_of_birth(field: FormField, value: str, today: dt.date) -> Checked:
    match = _DATE.match(value)
    if not match:
        return Checked(value, Problem.DATE_FORMAT)
    day, month, year = (int(g) for g in match.groups())
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return Checked(value, Problem.DATE_NOT_REAL)
    normalised = born.strftime("%d.%m.%Y")
    if born > today:
        return Checked(normalised, Problem.DATE_IN_FUTURE)
    if today.year - born.year > OLDEST_AGE_YEARS:
        return Checked(normalised, Problem.DATE_TOO_OLD)
    return Checked(normalised)


def _choice(field: FormField, value: str, today: dt.date) -> Checked:
    return Checked(value, None if value in {c.value for c in field.choices} else Problem.CHOICE)


_BY_TYPE = {
    "name": _pattern(_NAME, Problem.NAME_CHARACTERS),
    "street": _pattern(_STREET, Problem.STREET_CHARACTERS),
    "house_number": _pattern(_HOUSE_NUMBER, Problem.HOUSE_NUMBER),
    "postcode": _postcode,
    "date_of_birth": _date_of_birth,
    "choice": _choice,
}
