"""A photo taken at the terminal, as the journey keeps it in the session until it is wiped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """One quality measure's result on the photo (ISO/IEC 29794-5 name, 0-100 score, -1 = cannot assess)."""

    name: str
    score: int
    passed: bool


@dataclass(eq=False)
class CapturedPhoto:
    """The cropped ID photo as JPEG, with the verdict of every measure. The bytes are a
    bytearray so the session wipe can overwrite them, not only drop them."""

    jpeg: bytearray
    width: int
    height: int
    verdicts: tuple[Verdict, ...]
    advice: tuple[str, ...] = ()  # what to change for the next photo, most important first (English)

    @property
    def compliant(self) -> bool:
        return all(v.passed for v in self.verdicts)

    def wipe(self) -> None:
        self.jpeg[:] = bytes(len(self.jpeg))
        self.jpeg.clear()
