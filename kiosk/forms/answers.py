"""From what a citizen typed or tapped to the data the office receives, and back for showing.

Answers are kept as entered (text as typed, the value of a tapped choice, True/False, a list of
ticked values), so going back to a page shows exactly what the citizen wrote. The data is what
the service's JSON Schema describes: ISO dates, compact IBANs, numbers as numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from kiosk.forms.formats import normalise_iban, normalise_phone, normalise_postcode, normalise_text, parse_date_de
from kiosk.forms.service import Answer, Condition, FormField, FormStep, Service, Step

# A date example relative to the day the example is used ("today+14"), so examples never expire.
_RELATIVE_DAY = re.compile(r"^today([+-]\d+)?$")
Answers = Mapping[str, Answer]


def holds(condition: Condition | None, answers: Answers) -> bool:
    return condition is None or answers.get(condition.field) == condition.equals


def step_shown(step: Step, answers: Answers) -> bool:
    """A page is shown when its own condition holds and (a form page) it has a field to show."""
    if not holds(step.show_when, answers):
        return False
    return not isinstance(step, FormStep) or any(holds(ref.show_when, answers) for ref in step.fields)


def shown_fields(service: Service, step: FormStep, answers: Answers) -> tuple[FormField, ...]:
    if not step_shown(step, answers):
        return ()
    return tuple(f for f in service.page_fields(step) if holds(f.show_when, answers))


def asked(service: Service, answers: Answers) -> tuple[FormField, ...]:
    """The fields on the pages this citizen sees, in page order."""
    return tuple(f for step in service.steps if isinstance(step, FormStep)
                 for f in shown_fields(service, step, answers))


def to_data(service: Service, answers: Answers) -> dict[str, Any]:
    """The data for the office: only fields the citizen was asked, converted to the schema's
    types; an empty answer is left out, so 'required' says what is missing."""
    data: dict[str, Any] = {}
    for form_field in asked(service, answers):
        answer = answers.get(form_field.path)
        if form_field.kind == "multichoice" and not answer:
            # Nothing ticked: an empty list where `minItems` asks for some (so it can say so).
            answer = [] if form_field.min_items else None
        value = convert(form_field, answer)
        if value is not None:
            *parents, name = form_field.path.split(".")
            node = data
            for parent in parents:
                node = node.setdefault(parent, {})
            node[name] = value
    return data


def convert(form_field: FormField, answer: Answer | None) -> Any:
    if answer is None or answer == "":
        return None
    # Nothing ticked is kept as an empty list, so a `minItems: 1` rule can say so.
    if isinstance(answer, (bool, list)):
        return answer
    text = normalise_text(str(answer))
    if not text:
        return None  # only spaces: not answered
    if form_field.kind == "date":
        day = parse_date_de(text)
        return day.isoformat() if day else text  # kept as typed, so the format rule says why
    if form_field.kind == "number":
        return _number(text)
    return _NORMALISE.get(form_field.format or "", lambda t: t)(text)


def _number(text: str) -> int | float | str:
    """12 or 12,5 (the German decimal comma) or 12.5; anything else stays text for the rules."""
    if text.isdecimal():
        return int(text)
    try:
        return float(text.replace(",", ".")) if text.count(",") + text.count(".") == 1 else text
    except ValueError:
        return text


_NORMALISE = {"iban": normalise_iban, "phone": normalise_phone, "postal-code-de": normalise_postcode,
              "chip-number": lambda t: t.replace(" ", "")}


def shown_value(form_field: FormField, answer: Answer | None) -> str:
    """An answer as the review page shows it (choices are translated by the screen)."""
    if answer is None or answer == "" or answer == []:
        return ""
    if form_field.kind == "date" and isinstance(answer, str) and (day := parse_date_de(answer)):
        return day.strftime("%d.%m.%Y")
    value = convert(form_field, answer)
    return str(value)


def example_answers(service: Service, today: dt.date) -> dict[str, Answer]:
    """The example answers of the fields on the example path, as a citizen would enter them."""
    answers: dict[str, Answer] = {}
    for step in service.steps:
        if isinstance(step, FormStep) and step_shown(step, answers):
            for form_field in shown_fields(service, step, answers):
                answers[form_field.path] = _example(form_field, today)
    return answers


def _example(form_field: FormField, today: dt.date) -> Answer:
    example = form_field.example
    if isinstance(example, int) and not isinstance(example, bool):
        return str(example)
    if isinstance(example, str) and (relative := _RELATIVE_DAY.match(example)):
        return (today + dt.timedelta(days=int(relative.group(1) or 0))).strftime("%d.%m.%Y")
    return example
