"""The receipt's template: what a citizen takes home, in their language.

Only what the citizen chose to submit goes on paper, and of that only the service: never an
answer. The code (the photo's retrieval code, else the reference) is printed large and as a QR
code; then what happens next, the office's opening hours and how to get help.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hardware.printer import Receipt
from kiosk.i18n import N_, RTL_LANGUAGES, tr


@dataclass(frozen=True)
class Office:
    """The town's contact for every receipt (from the config)."""

    location: str  # where the terminal stands
    opening_hours: str
    phone: str


@dataclass(frozen=True)
class Submitted:
    """What was submitted, already in the citizen's language."""

    service_title: str
    office: str  # the office that handles it
    reference: str
    photo_code: str | None = None


NEXT_STEPS = N_("What happens next: {office} handles your application and contacts you if anything is missing.")
PHOTO_NEXT_STEPS = N_("Show this code at the office when you apply for your passport or ID card. The office "
                      "fetches your photo with it; the photo is deleted after 96 hours.")


def receipt(lang: str, submitted: Submitted, office: Office, now: dt.datetime) -> Receipt:
    lines = ((tr(lang, "Service"), submitted.service_title),
             (tr(lang, "Terminal"), office.location))
    code = submitted.reference
    if submitted.photo_code:
        # The photo's code is what the citizen takes to the office: it is the big code and the
        # QR code; the reference becomes a line.
        code = submitted.photo_code
        lines += ((tr(lang, "Reference"), submitted.reference),)
    next_steps = tr(lang, PHOTO_NEXT_STEPS) if submitted.photo_code else tr(lang, NEXT_STEPS,
                                                                            office=submitted.office)
    footer = (next_steps,
              *([tr(lang, "Opening hours: {hours}", hours=office.opening_hours)] if office.opening_hours else []),
              *([tr(lang, "Questions? Call {phone} and quote the code above.", phone=office.phone)]
                if office.phone else []),
              tr(lang, "Please keep this receipt."))
    return Receipt(title=tr(lang, "Receipt"), lines=lines, reference=code, qr_payload=code, footer=footer,
                   issued_at=now.strftime("%d.%m.%Y %H:%M"), right_to_left=lang in RTL_LANGUAGES)
