"""The help call as the journey sees it: what it tells the call, and what it shares with the clerk.

The journey decides (a pure state machine); an `Assist` carries its decisions to the back office
(kiosk/video_call.py, on the network loop) and sends what arrives back as journey events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Protocol

from kiosk.forms.answers import shown_fields
from kiosk.forms.service import Answer, FormField, FormStep
from kiosk.journey.state import JourneyState, Stage


@dataclass(frozen=True)
class CallWhere:
    """Where the citizen is: what the clerk sees in the queue and during the call (no answers)."""

    language: str
    service: str | None = None
    service_title: str | None = None  # German original: the clerk reads German
    step: str | None = None  # a step's id, or the stage (catalogue, review …) outside a form
    step_title: str | None = None


@dataclass(frozen=True)
class SharedField:
    field: str
    label: str
    value: str  # "" when not answered yet


@dataclass(frozen=True)
class SharedPage:
    """What the clerk sees once the citizen agreed: the page and every answer so far."""

    step: str
    title: str
    fields: tuple[SharedField, ...]  # on the page: what the clerk may fill in or point at
    answers: tuple[SharedField, ...]  # every answer of the session, in the service's order


class Assist(Protocol):
    """The line to the clerks. Every call returns at once; results arrive as journey events."""

    def start(self, where: CallWhere) -> None: ...

    def update(self, where: CallWhere) -> None: ...

    def share(self, page: SharedPage | None) -> None: ...  # None: the citizen withdrew consent

    def reply(self, proposal_id: str, accepted: bool) -> None: ...

    def mute(self, muted: bool) -> None: ...

    def hang_up(self, reason: str) -> None: ...


def where(s: JourneyState) -> CallWhere:
    service = s.service if s.stage in (Stage.FORM, Stage.REVIEW, Stage.SUBMITTING, Stage.RECEIPT) else None
    if service is None:
        return CallWhere(language=s.language, step=s.stage.name.lower())
    if s.stage is Stage.FORM:
        step, title = s.step.id, s.step.title
    else:
        step, title = s.stage.name.lower(), None
    return CallWhere(s.language, service.id, service.title, step, title)


def page_fields(s: JourneyState, answers: Mapping[str, Answer]) -> tuple[FormField, ...]:
    """The fields on the citizen's page now (none outside a form page)."""
    if s.stage is not Stage.FORM or s.service is None or not isinstance(s.step, FormStep):
        return ()
    return shown_fields(s.service, s.step, answers)


def shared_page(s: JourneyState, answers: Mapping[str, Answer]) -> SharedPage:
    on_page = tuple(SharedField(f.path, f.label, shown(f, answers.get(f.path, ""))) for f in page_fields(s, answers))
    everything = tuple(SharedField(f.path, f.label, shown(f, answers[f.path]))
                       for f in (s.service.fields() if s.service else ()) if answers.get(f.path) not in (None, ""))
    place = where(s)
    return SharedPage(place.step or "", place.step_title or place.service_title or place.step or "", on_page,
                      everything)


def shown(field: FormField, value: Answer) -> str:
    """An answer as a person reads it: choices by their label, yes/no as Ja/Nein (German, for the clerk)."""
    labels = {c.value: c.label for c in field.choices}
    if isinstance(value, bool):
        return "Ja" if value else "Nein"
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    return labels.get(value, value)


def proposed_answer(field: FormField, value: str) -> Answer | None:
    """The answer a clerk's proposed text stands for, or None when it cannot be one for this field."""
    if field.kind == "yesno":
        return {"ja": True, "true": True, "nein": False, "false": False}.get(value.strip().lower())
    if field.kind == "multichoice":
        return None  # several ticks are the citizen's to make
    if field.kind == "choice":
        by_label = {c.label.lower(): c.value for c in field.choices}
        codes = {c.value for c in field.choices}
        return value if value in codes else by_label.get(value.strip().lower())
    if field.max_length is not None and len(value) > field.max_length:
        return None
    return value
