"""Who is on the two ends of a call, as the back office has authenticated them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Terminal:
    """A terminal that presented a valid token (`kiosk-backoffice add-terminal`)."""

    id: str
    location: str


@dataclass(frozen=True)
class Clerk:
    """A logged-in back office user; `role` is clerk, operator or admin."""

    name: str
    role: str
    display_name: str = ""  # as the citizen sees it ("Frau Schmidt"); the user name when empty

    @property
    def takes_calls(self) -> bool:
        return self.role in ("clerk", "admin")
