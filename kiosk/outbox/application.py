"""An application as handed to the outbox: what was asked for, by which terminal, with which answers."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Any, Protocol

# Crockford-style alphabet: no I, L, O, U, so a reference read aloud or typed is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class Application:
    service_id: str
    language: str
    terminal_id: str
    submitted_at: str
    data: dict[str, Any]  # as the service's JSON Schema describes it
    # A photo taken at the terminal: {"retrieval_code", "jpeg_base64", "width", "height"}.
    photo: dict[str, Any] | None = None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Application:
        return cls(**json.loads(data))


def new_reference(prefix: str) -> str:
    """A reference code like MB-7K3Q-9XZ2: random, so it says nothing about the citizen."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{prefix}-{chars[:4]}-{chars[4:]}"


def new_retrieval_code() -> str:
    """A photo's retrieval code like 7K3Q-9XZ2-MB4T: 60 random bits in the same unambiguous
    letters, longer than a reference because it is all the office needs to fetch the photo."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i:i + 4] for i in range(0, 12, 4))


class Outbox(Protocol):
    """Where submitted applications wait, durably and encrypted, for the back office."""

    def put(self, application: Application, reference_prefix: str) -> str:
        """Store the application; return its reference code once it is safely on disk."""
        ...

    def pending(self) -> int:
        ...
