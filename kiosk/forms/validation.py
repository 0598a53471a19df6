"""Checking the data against the service's JSON Schema, with German formats and date rules.

jsonschema does the checking; our formats (kiosk/forms/formats.py) and a few keywords for dates
are added to it. Every error becomes a FieldProblem that names the field (its dotted path) and
the rule; `message` turns it into a sentence in the citizen's language that says what to enter.
"""

from __future__ import annotations

import datetime as dt
import json
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from kiosk.forms.answers import Answers, example_answers, shown_fields, to_data
from kiosk.forms.formats import FORMATS
from kiosk.forms.service import FormField, FormStep, Service, required_leaves
from kiosk.i18n import N_, tr, ts


@dataclass(frozen=True)
class FieldProblem:
    field: str  # dotted path of the field
    code: str  # the rule: 'required', a format name, 'maxLength', 'x-min-age' …
    limit: Any = None  # the rule's number, or the other field of a cross-field rule


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        # JSON Schema applies formats to strings only; a wrong type is the 'type' rule's error.
        checker.checks(name)(lambda value, check=check: not isinstance(value, str) or check(value))
    return checker


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None  # the format rule reports it


def _years_between(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _date_rule(broken: Callable[[dt.date, Any, dt.date], bool]) -> Callable[..., Iterator[ValidationError]]:
    """A keyword on a date field; `broken(date, limit, today)` says when it is not kept."""
    def keyword(validator: Any, limit: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
        day = _date(instance)
        if day is not None and broken(day, limit, _TODAY.get()):
            yield ValidationError(f"date rule broken (limit {limit})")
    return keyword


def _date_order(validator: Any, pairs: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    """Cross-field rule: each [earlier, later] pair of dates must be in that order."""
    for earlier, later in pairs:
        first, second = _date(_lookup(instance, earlier)), _date(_lookup(instance, later))
        if first and second and second < first:
            yield ValidationError("dates in the wrong order", path=later.split("."), validator_value=earlier)


def _lookup(data: Any, path: str) -> Any:
    for name in path.split("."):
        data = data.get(name) if isinstance(data, dict) else None
    return data


_KEYWORDS = {
    "x-not-future": _date_rule(lambda day, on, today: bool(on) and day > today),
    "x-not-past": _date_rule(lambda day, on, today: bool(on) and day < today),
    "x-min-age": _date_rule(lambda day, years, today: _years_between(day, today) < years),
    "x-max-age": _date_rule(lambda day, years, today: _years_between(day, today) > years),
    "x-max-days-ahead": _date_rule(lambda day, days, today: (day - today).days > days),
    "x-date-order": _date_order,
}
_Validator = validators.extend(Draft202012Validator, _KEYWORDS)
_FORMATS = _format_checker()


_TODAY: ContextVar[dt.date] = ContextVar("today")  # the day the date keywords compare with


@lru_cache(maxsize=64)
def _compiled(schema_json: str) -> Any:
    return _Validator(json.loads(schema_json), format_checker=_FORMATS)


def _validator(service: Service) -> Any:
    # Keyed by the schema's text: a service object may be rebuilt, its schema compiles once.
    return _compiled(json.dumps(service.data_schema, sort_keys=True))


def validate(service: Service, data: dict[str, Any], today: dt.date) -> list[FieldProblem]:
    """All problems of the data, at most one per field (the most basic first)."""
    problems: dict[str, FieldProblem] = {}
    token = _TODAY.set(today)
    try:
        errors = sorted(_validator(service).iter_errors(data), key=_basic_first)
    finally:
        _TODAY.reset(token)
    for error in errors:
        for problem in _problems(error):
            problems.setdefault(problem.field, problem)
    order = {f.path: i for i, f in enumerate(service.fields())}
    return sorted(problems.values(), key=lambda p: order.get(p.field, len(order)))


def _basic_first(error: ValidationError) -> int:
    return 0 if error.validator == "required" else 1 if error.validator == "format" else 2


def _problems(error: ValidationError) -> list[FieldProblem]:
    path = ".".join(str(p) for p in error.absolute_path if not isinstance(p, int))  # list items → the list
    prefix = f"{path}." if path else ""
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        # A missing group (an object) is missing each of its required fields: those are what
        # the pages ask for, and where the citizen must be told.
        properties = error.schema.get("properties", {})
        return [FieldProblem(path, "required") for name in missing
                for path in _required_leaves(properties.get(name, {}), prefix + name)]
    if error.validator == "format":
        return [FieldProblem(path, str(error.validator_value))]
    if error.validator in ("oneOf", "enum"):
        return [FieldProblem(path, "choice")]
    if error.validator == "x-date-order":
        return [FieldProblem(path, "x-date-order", error.validator_value)]
    limit = error.validator_value if isinstance(error.validator_value, (int, float, str)) else None
    return [FieldProblem(path or "(data)", str(error.validator), limit)]


def _required_leaves(schema: dict[str, Any], path: str) -> list[str]:
    return required_leaves(schema, path + ".") if schema.get("type") == "object" else [path]


def page_problems(service: Service, step: FormStep, answers: Answers, today: dt.date) -> dict[str, FieldProblem]:
    """Problems of the fields shown on this page (later pages are not filled in yet)."""
    on_page = {f.path for f in shown_fields(service, step, answers)}
    problems = validate(service, to_data(service, answers), today)
    return {p.field: p for p in problems if p.field in on_page}


def example_problems(service: Service) -> str:
    """Why the service's example answers are not valid data ('' when they are)."""
    today = dt.date.today()
    problems = validate(service, to_data(service, example_answers(service, today)), today)
    return "; ".join(f"{p.field}: {p.code}" for p in problems)


# What to enter, per rule. "{field}" is the field's label; the label is quoted, so the sentence
# works in every language without declining the label.
MESSAGES = {
    "required": N_("Please fill in “{field}”."),
    "required-choice": N_("Please choose an answer for “{field}”."),
    "choice": N_("Please choose one of the answers for “{field}”."),
    "const": N_("“{field}”: please confirm this to continue."),
    "minItems": N_("“{field}”: please choose at least one answer."),
    "maxLength": N_("“{field}” is too long. Please use at most {limit} characters."),
    "minLength": N_("“{field}”: please write a little more, at least {limit} characters."),
    "name": N_("“{field}”: please use letters only (hyphens and spaces are fine)."),
    "street": N_("“{field}”: please use letters and numbers only (hyphens, dots and spaces are fine)."),
    "house-number-de": N_("“{field}”: please enter a house number such as 17 or 17a."),
    "postal-code-de": N_("“{field}”: a postcode has five digits, for example 51147."),
    "date": N_("“{field}”: please enter a real date as day.month.year, for example 12.08.1964."),
    "iban": N_("“{field}”: this IBAN is not correct. A German IBAN starts with DE and has 22 characters. "
               "Please compare it with your bank card."),
    "phone": N_("“{field}”: please enter a phone number with its area code, for example 0221 12345678."),
    "email": N_("“{field}”: please enter an e-mail address such as name@example.de."),
    "chip-number": N_("“{field}”: a chip number has 15 digits. You find it in the pet passport."),
    "x-not-future": N_("“{field}”: this date is in the future. Please check the year."),
    "x-not-past": N_("“{field}”: this date has passed. Please choose a date from today on."),
    "x-min-age": N_("“{field}”: the person must be at least {limit} years old."),
    "x-max-age": N_("“{field}”: this is more than {limit} years ago. Please check the year."),
    "x-max-days-ahead": N_("“{field}”: please choose a date within the next {limit} days."),
    "x-date-order": N_("“{field}” cannot be before “{other}”. Please check both dates."),
    "type": N_("“{field}”: please enter a number, for example 12."),
    "minimum": N_("“{field}”: please enter at least {limit}."),
    "maximum": N_("“{field}”: please enter at most {limit}."),
}
FALLBACK = N_("“{field}”: this answer is not accepted. Please check it.")


def message(lang: str, service: Service, problem: FieldProblem) -> str:
    """The problem as a sentence in the citizen's language that says what to enter."""
    label = _label(lang, service, problem.field)
    code = problem.code
    if code == "required" and _is_choice(service, problem.field):
        code = "required-choice"
    template = MESSAGES.get(code, FALLBACK)
    other = _label(lang, service, problem.limit) if code == "x-date-order" else ""
    return tr(lang, template, field=label, limit=problem.limit, other=other)


def _label(lang: str, service: Service, path: str) -> str:
    try:
        return ts(lang, service.id, service.field(path).label)
    except KeyError:
        return path


def _is_choice(service: Service, path: str) -> bool:
    try:
        form_field: FormField = service.field(path)
    except KeyError:
        return False
    return form_field.kind in ("choice", "multichoice", "yesno")
