"""Service definitions: a service is data (steps, fields, labels, sample answers), not code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kiosk.config import read_toml

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = ("de", "en")
LocalText = dict[Language, str]


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _complete(text: LocalText, where: str) -> None:
    missing = [lang for lang in LANGUAGES if not text.get(lang)]
    if missing:
        raise ValueError(f"{where}: missing text for {', '.join(missing)}")


class Choice(Definition):
    value: str
    label: LocalText

    @model_validator(mode="after")
    def _translated(self) -> Choice:
        _complete(self.label, f"choice {self.value} label")
        return self


FieldType = Literal["name", "street", "house_number", "postcode", "date_of_birth", "choice"]


class FormField(Definition):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType
    label: LocalText
    hint: LocalText = {}
    required: bool = True
    max_length: int = Field(80, ge=1, le=500)
    choices: tuple[Choice, ...] = ()
    sample: str

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        _complete(self.label, f"field {self.id} label")
        if self.hint:
            _complete(self.hint, f"field {self.id} hint")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"field {self.id}: choices belong to type 'choice' and only there")
        return self


class FormStep(Definition):
    kind: Literal["form"]
    id: str
    title: LocalText
    fields: tuple[FormField, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _translated(self) -> FormStep:
        _complete(self.title, f"step {self.id} title")
        return self


class DeclaredStep(Definition):
    """Step kinds the journey knows by name; their screens arrive with later issues."""

    kind: Literal["photo", "eid", "payment"]
    id: str
    title: LocalText


Step = Annotated[Union[FormStep, DeclaredStep], Field(discriminator="kind")]
SUPPORTED_KINDS = frozenset({"form"})


class Service(Definition):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    reference_prefix: str = Field(pattern=r"^[A-Z]{2,3}$")
    title: LocalText
    summary: LocalText
    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _usable(self) -> Service:
        _complete(self.title, "title")
        _complete(self.summary, "summary")
        for step in self.steps:
            if step.kind not in SUPPORTED_KINDS:
                raise ValueError(f"step {step.id}: kind '{step.kind}' is not available yet")
        # Answers are kept by field id: a repeated id would silently overwrite another answer.
        ids = [f.id for f in self.fields()]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"field id used more than once: {', '.join(repeated)}")
        return self

    def fields(self) -> tuple[FormField, ...]:
        return tuple(f for step in self.steps if isinstance(step, FormStep) for f in step.fields)

    def sample_answers(self) -> dict[str, str]:
        return {f.id: f.sample for f in self.fields()}


class ServiceError(Exception):
    """A service definition is missing or broken; the message names the file."""


def load_service(path: Path) -> Service:
    raw = read_toml(path, ServiceError, missing="service definition not found")
    try:
        return Service.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ServiceError(f"{path}: {problems}") from None


def load_catalogue(directory: Path, offered: tuple[str, ...]) -> tuple[Service, ...]:
    """The offered services in catalogue order; each file is named after its service id."""
    services = tuple(load_service(directory / f"{service_id}.toml") for service_id in offered)
    for service_id, service in zip(offered, services):
        if service.id != service_id:
            raise ServiceError(f"{directory / (service_id + '.toml')}: declares id '{service.id}'")
    return services
