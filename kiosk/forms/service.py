"""Service definitions: a service is data (schema, pages, texts, examples), never code.

The file format is described in config/services/README.md. Loading checks a definition
completely (structure, JSON Schema, every page field against the schema, every example against
the rules), so a broken file is found at start and left out, never half-way through a citizen's
session.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError

Answer = Union[str, bool, list[str]]
SUFFIXES = (".yaml", ".yml", ".json")


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(Definition):
    """`show_when`: a field or page is shown only when an earlier answer has this value."""

    field: str
    equals: Union[bool, str, int]


class FieldRef(Definition):
    """A field on a page: which schema property, and how to ask for it."""

    field: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
    help: str = ""
    example: Union[bool, str, int, list[str]]
    show_when: Condition | None = None
    widget: Literal["textarea"] | None = None


class FormStep(Definition):
    kind: Literal["form"] = "form"
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    instruction: str = ""
    show_when: Condition | None = None
    fields: tuple[FieldRef, ...] = Field(min_length=1)


class DeclaredStep(Definition):
    """Identification, photo and fee: part of the service, but done elsewhere until the
    terminal can do them; the page says plainly what the citizen must do instead."""

    kind: Literal["eid", "photo", "payment"]
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    instruction: str = ""
    instead: str = Field(min_length=1)
    show_when: Condition | None = None


def _step_kind(raw: Any) -> str:
    return raw.get("kind", "form") if isinstance(raw, dict) else getattr(raw, "kind", "form")


Step = Annotated[Union[Annotated[FormStep, Tag("form")], Annotated[DeclaredStep, Tag("eid")],
                       Annotated[DeclaredStep, Tag("photo")], Annotated[DeclaredStep, Tag("payment")]],
                 Discriminator(_step_kind)]


class Fee(Definition):
    amount_eur: float = Field(ge=0)
    note: str = ""


class Needs(Definition):
    identification: bool = False
    photo: bool = False
    fee: Fee | None = None


@dataclass(frozen=True)
class Choice:
    value: str
    label: str  # German original; translated where shown


@dataclass(frozen=True)
class FormField:
    """A field as the form engine uses it: the page's hints joined with the schema's rules."""

    path: str
    label: str
    kind: Literal["text", "textarea", "choice", "multichoice", "yesno", "date", "number"]
    keyboard: str  # a layout in config/keyboards
    format: str | None
    required: bool  # always required (conditional rules are checked by the schema)
    max_length: int | None
    min_items: int  # several choices: how many must be ticked
    choices: tuple[Choice, ...]
    help: str
    example: Answer | int
    show_when: Condition | None

    @property
    def capitalise(self) -> bool:
        return self.format in ("name", "street")


KEYBOARD_BY_FORMAT = {"date": "numeric", "postal-code-de": "numeric", "chip-number": "numeric",
                      "iban": "iban", "phone": "phone", "email": "email"}


class Service(Definition):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    reference_prefix: str = Field(pattern=r"^[A-Z]{2,3}$")
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    office: str = Field(min_length=1)
    fim: dict[str, str] = {}
    needs: Needs = Needs()
    data_schema: dict[str, Any] = Field(alias="schema")
    steps: tuple[Step, ...] = Field(min_length=1)
    _fields: dict[str, FormField] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context: Any) -> None:
        try:
            Draft202012Validator.check_schema(self.data_schema)
        except SchemaError as exc:
            raise ValueError(f"schema: {exc.message}") from None
        step_ids = [s.id for s in self.steps]
        if len(set(step_ids)) != len(step_ids):
            raise ValueError("step ids must be unique")
        seen: list[str] = []
        for step in self.steps:
            _check_condition(step.show_when, seen, f"step {step.id}")
            for ref in step.fields if isinstance(step, FormStep) else ():
                if ref.field in self._fields:
                    raise ValueError(f"field {ref.field} is on more than one page")
                _check_condition(ref.show_when, seen, f"field {ref.field}")
                self._fields[ref.field] = _resolve(self.data_schema, ref)
            seen += [ref.field for ref in step.fields] if isinstance(step, FormStep) else []
        unasked = sorted(set(required_leaves(self.data_schema)) - set(self._fields))
        if unasked:
            raise ValueError(f"required in the schema but on no page: {', '.join(unasked)}")

    def field(self, path: str) -> FormField:
        return self._fields[path]

    def fields(self) -> tuple[FormField, ...]:
        return tuple(self._fields.values())

    def page_fields(self, step: FormStep) -> tuple[FormField, ...]:
        return tuple(self._fields[ref.field] for ref in step.fields)

    def texts(self) -> list[str]:
        """Every text a citizen may see, for the translators (in a stable order)."""
        found = [self.title, self.summary, self.office] + ([self.needs.fee.note] if self.needs.fee else [])
        for step in self.steps:
            found += [step.title, step.instruction] + ([step.instead] if isinstance(step, DeclaredStep) else [])
            for form_field in self.page_fields(step) if isinstance(step, FormStep) else ():
                found += [form_field.label, form_field.help] + [c.label for c in form_field.choices]
        return [t for t in dict.fromkeys(found) if t]


def _check_condition(condition: Condition | None, earlier: list[str], where: str) -> None:
    # Only answers from earlier pages may decide: a page never rearranges itself while the
    # citizen is filling it in.
    if condition is not None and condition.field not in earlier:
        raise ValueError(f"{where}: show_when refers to '{condition.field}', which is not on an earlier page")


def _property(schema: dict[str, Any], path: str) -> tuple[dict[str, Any], bool]:
    """The schema of a dotted path, and whether every level of it is required."""
    node, required = schema, True
    for name in path.split("."):
        properties = node.get("properties", {})
        if name not in properties:
            raise ValueError(f"field {path}: no property '{name}' in the schema")
        required = required and name in node.get("required", ())
        node = properties[name]
    return node, required


def _choices(options: list[Any], path: str) -> tuple[Choice, ...]:
    if not all(isinstance(o, dict) and "const" in o and "title" in o for o in options):
        raise ValueError(f"field {path}: every oneOf entry needs 'const' and 'title'")
    return tuple(Choice(str(o["const"]), o["title"]) for o in options)


def _resolve(schema: dict[str, Any], ref: FieldRef) -> FormField:
    node, required = _property(schema, ref.field)
    if "title" not in node:
        raise ValueError(f"field {ref.field}: the schema property needs a 'title' (its label)")
    kind, choices = _kind(node, ref)
    fmt = node.get("format")
    keyboard = KEYBOARD_BY_FORMAT.get(fmt, "numeric" if kind == "number" else "text")
    return FormField(path=ref.field, label=node["title"], kind=kind, keyboard=keyboard, format=fmt,
                     required=required, max_length=node.get("maxLength"), min_items=node.get("minItems", 0),
                     choices=choices,
                     help=ref.help, example=ref.example, show_when=ref.show_when)


def _kind(node: dict[str, Any], ref: FieldRef) -> tuple[Any, tuple[Choice, ...]]:
    kind = node.get("type")
    if kind == "boolean":
        return "yesno", ()
    if kind == "array":
        return "multichoice", _choices(node.get("items", {}).get("oneOf", []), ref.field)
    if "oneOf" in node:
        return "choice", _choices(node["oneOf"], ref.field)
    if kind in ("integer", "number"):
        return "number", ()
    if node.get("format") == "date":
        return "date", ()
    if kind != "string":
        raise ValueError(f"field {ref.field}: type '{kind}' cannot be asked for on a page")
    return ref.widget or "text", ()


def required_leaves(node: dict[str, Any], prefix: str = "") -> list[str]:
    leaves = []
    for name in node.get("required", ()):
        child = node.get("properties", {}).get(name, {})
        path = f"{prefix}{name}"
        leaves += required_leaves(child, path + ".") if child.get("type") == "object" else [path]
    return leaves


class ServiceError(Exception):
    """A service definition is missing or broken; the message names the file and the problem."""


def read_definition(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ServiceError(f"{path}: service definition not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(f"{path}: cannot be read ({exc})") from None
    try:
        # libyaml's loader when present: the pure-Python one needs ~0.3 s per service file.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)
    except (ValueError, yaml.YAMLError) as exc:
        raise ServiceError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None


def parse_service(raw: Any, source: str) -> Service:
    """A service from its parsed file content; `source` names it in messages."""
    if not isinstance(raw, dict):
        raise ServiceError(f"{source}: expected a mapping of keys (id, title, schema, steps …)")
    try:
        service = Service.model_validate(raw)
    except ValidationError as exc:
        raise ServiceError(f"{source}: {_problems(exc)}") from None
    except ValueError as exc:  # from the whole-service checks in model_post_init
        raise ServiceError(f"{source}: {exc}") from None
    from kiosk.forms.validation import example_problems  # the rules need the parsed service
    if problems := example_problems(service):
        raise ServiceError(f"{source}: example answers are not valid: {problems}")
    return service


def _problems(exc: ValidationError) -> str:
    def where(loc: tuple[Any, ...]) -> str:
        # Tags of the step union ('form', 'eid' …) are pydantic's, not the author's keys.
        return ".".join(str(p) for p in loc if p not in ("form", "eid", "photo", "payment"))
    return "; ".join(f"{where(e['loc']) + ': ' if e['loc'] else ''}{re.sub(r'^Value error, ', '', e['msg'])}"
                     for e in exc.errors())


def load_service(path: Path) -> Service:
    service = parse_service(read_definition(path), str(path))
    if service.id != path.stem:
        raise ServiceError(f"{path}: declares id '{service.id}', but the file is named '{path.name}'")
    return service


def service_file(directory: Path, service_id: str) -> Path:
    for suffix in SUFFIXES:
        if (directory / f"{service_id}{suffix}").exists():
            return directory / f"{service_id}{suffix}"
    return directory / f"{service_id}.yaml"


@dataclass(frozen=True)
class Catalogue:
    services: tuple[Service, ...]
    broken: tuple[str, ...]  # one message per service left out


def load_catalogue(directory: Path, offered: tuple[str, ...]) -> Catalogue:
    """The offered services in catalogue order; a broken one is left out with its message."""
    services, broken = [], []
    for service_id in offered:
        try:
            service = load_service(service_file(directory, service_id))
        except ServiceError as exc:
            broken.append(str(exc))
            continue
        clash = next((s for s in services if s.reference_prefix == service.reference_prefix), None)
        if clash:
            broken.append(f"{service_file(directory, service_id)}: reference_prefix "
                          f"'{service.reference_prefix}' is already used by '{clash.id}'")
            continue
        services.append(service)
    return Catalogue(tuple(services), tuple(broken))
