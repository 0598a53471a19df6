"""Where a journey stands: a frozen snapshot the UI renders (it holds no citizen answers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from kiosk.forms.service import Service, Step
from kiosk.forms.validation import FieldProblem


class Stage(enum.Enum):
    WELCOME = enum.auto()
    LANGUAGE = enum.auto()
    CATALOGUE = enum.auto()
    FORM = enum.auto()
    REVIEW = enum.auto()
    SUBMITTING = enum.auto()
    RECEIPT = enum.auto()
    GOODBYE = enum.auto()
    FAILSAFE = enum.auto()


class Overlay(enum.Enum):
    """Something shown above the current stage, which stays underneath unchanged."""

    NONE = enum.auto()
    HELP = enum.auto()
    CONFIRM_CANCEL = enum.auto()
    MORE_TIME = enum.auto()
    ACCESSIBILITY = enum.auto()  # text size, contrast, speech, volume, low layout
    CALL = enum.auto()  # the video call with a clerk: waiting, talking, ended, or no clerk available
    PROPOSAL = enum.auto()  # the clerk proposes a value for a field: the citizen takes it or not


class PhotoPhase(enum.Enum):
    """Where the citizen is on a photo step; NONE off a photo step or without a camera (the
    step then says what to do instead)."""

    NONE = enum.auto()
    CAPTURE = enum.auto()  # live picture, guidance, auto-capture
    REVIEW = enum.auto()  # the photo just taken, with every measure's result
    ACCEPTED = enum.auto()  # kept, with its retrieval code
    UNAVAILABLE = enum.auto()  # the camera failed: try again, get help, or go on without a photo


class Printout(enum.Enum):
    NONE = enum.auto()
    PRINTING = enum.auto()
    PRINTED = enum.auto()
    FAILED = enum.auto()  # known not to have come out (whole): the code is shown to photograph
    UNKNOWN = enum.auto()  # sent, but the printer did not confirm it


class CallPhase(enum.Enum):
    WAITING = enum.auto()  # reaching the back office, or in the queue for a clerk
    TALKING = enum.auto()
    ENDED = enum.auto()  # hung up by either side: back to where the citizen was
    UNAVAILABLE = enum.auto()  # no clerk in time, back office unreachable: wait on, call back, or go on alone


@dataclass(frozen=True)
class Proposal:
    """A value the clerk proposes for a field on the citizen's page (citizen data: shown, never logged)."""

    id: str
    field: str
    label: str  # the field's label, German original; translated where shown
    value: str
    shown: str  # the value as the citizen reads it (a choice's label, not its code)


@dataclass(frozen=True)
class CallState:
    """The help call, above whatever stage the citizen is on; None when there is no call."""

    phase: CallPhase = CallPhase.WAITING
    position: int | None = None  # in the queue; None while the back office is being reached
    wait_s: int | None = None  # expected wait; None when the back office cannot tell yet
    requeued: bool = False  # the clerk's connection broke: the citizen is first in line again
    reconnecting: bool = False  # the connection to the back office broke; it is being restored
    clerk: str = ""  # the clerk's name as the back office gives it
    reason: str = ""  # why it ended or is unavailable (messages.HANGUP_REASONS, unreachable, rejected)
    muted: bool = False
    shared: bool = False  # the citizen agreed: the clerk sees the page and the answers so far
    pointing: str | None = None  # the field the clerk points at (highlighted on the page)
    proposal: Proposal | None = None

    @property
    def active(self) -> bool:
        return self.phase in (CallPhase.WAITING, CallPhase.TALKING)


@dataclass(frozen=True)
class JourneyState:
    stage: Stage = Stage.WELCOME
    overlay: Overlay = Overlay.NONE
    language: str = "de"
    service: Service | None = None
    step_index: int = 0
    editing: bool = False  # a form page opened from the review returns to the review
    problems: Mapping[str, FieldProblem] = field(default_factory=lambda: MappingProxyType({}))
    reference: str | None = None
    photo_code: str | None = None  # on the receipt: the kept photo's retrieval code
    printout: Printout = Printout.NONE
    printer_ready: bool = True  # the printer's last status let it print; kept across sessions
    countdown_s: int | None = None  # seconds left on the 'more time?' prompt
    resume: JourneyState | None = None  # where Retry returns to from the failsafe
    photo: PhotoPhase = PhotoPhase.NONE
    retakes_left: int = 0  # on a photo step: how many more photos may be taken after this one
    call: CallState | None = None  # a help call with a clerk

    @property
    def step(self) -> Step:
        """The page shown: a form page, or a declared step (identification, photo, fee)."""
        assert self.service is not None and self.stage is Stage.FORM
        return self.service.steps[self.step_index]

    @property
    def in_session(self) -> bool:
        return self.stage is not Stage.WELCOME
