"""What can happen to a journey: taps by the citizen, the passing of time, finished work."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.photo.captured import CapturedPhoto


class Event:
    """Base of all journey events. Citizen events count as activity for the inactivity timer."""

    citizen = True


@dataclass(frozen=True)
class Start(Event):
    pass


@dataclass(frozen=True)
class ChooseLanguage(Event):
    language: str


@dataclass(frozen=True)
class ChooseService(Event):
    service_id: str


@dataclass(frozen=True)
class Answer(Event):
    field_id: str  # the field's dotted path
    value: str | bool | list[str]  # typed text, a tapped choice, yes/no, ticked choices


@dataclass(frozen=True)
class Next(Event):
    pass


@dataclass(frozen=True)
class Back(Event):
    pass


@dataclass(frozen=True)
class Edit(Event):
    step_index: int


@dataclass(frozen=True)
class Submit(Event):
    pass


@dataclass(frozen=True)
class Finish(Event):
    pass


@dataclass(frozen=True)
class PhotoTaken(Event):
    """The camera took a photo (it came from the citizen holding still, not a tap)."""

    photo: CapturedPhoto
    citizen = False


@dataclass(frozen=True)
class RetakePhoto(Event):
    pass


@dataclass(frozen=True)
class AcceptPhoto(Event):
    pass


@dataclass(frozen=True)
class CameraFailed(Event):
    """The camera delivers no picture; `reason` is for the log (no citizen data)."""

    reason: str
    citizen = False


@dataclass(frozen=True)
class PrinterChanged(Event):
    """The receipt printer became able, or unable, to print (paper, cover, line, errors)."""

    ready: bool
    citizen = False


@dataclass(frozen=True)
class RetryCamera(Event):
    pass


@dataclass(frozen=True)
class OpenHelp(Event):
    pass


@dataclass(frozen=True)
class CloseHelp(Event):
    pass


@dataclass(frozen=True)
class OpenAccessibility(Event):
    """Open the accessibility panel: from every stage, the welcome screen included."""


@dataclass(frozen=True)
class CloseAccessibility(Event):
    pass


@dataclass(frozen=True)
class Cancel(Event):
    pass


@dataclass(frozen=True)
class ConfirmCancel(Event):
    pass


@dataclass(frozen=True)
class KeepGoing(Event):
    """Dismiss the cancel question or the 'more time?' prompt and carry on."""


@dataclass(frozen=True)
class Retry(Event):
    pass


@dataclass(frozen=True)
class StartOver(Event):
    pass


@dataclass(frozen=True)
class Touch(Event):
    """Any touch on the screen; keeps the session alive."""


@dataclass(frozen=True)
class Tick(Event):
    """The clock moved; sent by the UI about once a second."""

    citizen = False
