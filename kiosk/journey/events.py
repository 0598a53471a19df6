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


# -- the help call ------------------------------------------------------------------------
# Tapped by the citizen:


@dataclass(frozen=True)
class CallClerk(Event):
    """Ask for a clerk on video (from the help panel)."""


@dataclass(frozen=True)
class HangUp(Event):
    pass


@dataclass(frozen=True)
class ToggleMute(Event):
    pass


@dataclass(frozen=True)
class ShareForm(Event):
    """The citizen agrees (or no longer agrees) that the clerk sees the page and the answers."""

    shared: bool


@dataclass(frozen=True)
class ShowForm(Event):
    """Go back to the page during the call (the clerk small in a corner)."""


@dataclass(frozen=True)
class ShowCall(Event):
    pass


@dataclass(frozen=True)
class AcceptProposal(Event):
    pass


@dataclass(frozen=True)
class DeclineProposal(Event):
    pass


@dataclass(frozen=True)
class KeepWaiting(Event):
    """No clerk came in time, or the back office was unreachable: try (wait) once more."""


@dataclass(frozen=True)
class RequestCallback(Event):
    """No clerk now: ask to be called back by phone (the Rückruf service)."""


@dataclass(frozen=True)
class CloseCall(Event):
    """The call ended or could not be made: back to where the citizen was."""


# Arriving from the back office (not the citizen's doing):


@dataclass(frozen=True)
class CallQueued(Event):
    position: int
    wait_s: int | None
    requeued: bool = False
    citizen = False


@dataclass(frozen=True)
class CallReconnecting(Event):
    citizen = False


@dataclass(frozen=True)
class CallAnswered(Event):
    clerk: str
    citizen = False


@dataclass(frozen=True)
class CallEnded(Event):
    reason: str  # messages.HANGUP_REASONS, or unreachable / rejected
    citizen = False


@dataclass(frozen=True)
class ValueProposed(Event):
    proposal_id: str
    field: str
    value: str
    citizen = False


@dataclass(frozen=True)
class PointedAt(Event):
    control: str
    citizen = False
