"""The session: the one place where a citizen's data lives while they use the terminal."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.forms.service import Answer, Service
from kiosk.photo.captured import CapturedPhoto


@dataclass
class Session:
    language: str
    temp_root: Path
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    service: Service | None = None
    answers: dict[str, Answer] = field(default_factory=dict)  # as entered, by field path
    photo: CapturedPhoto | None = None  # the last photo taken, or the one kept
    photo_code: str | None = None  # its retrieval code once the citizen kept it
    photos_taken: int = 0
    _temp_dir: Path | None = None

    @property
    def temp_dir(self) -> Path:
        """A private folder for this session's files (photos later), created on first use."""
        if self._temp_dir is None:
            self.temp_root.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._temp_dir = Path(tempfile.mkdtemp(prefix="session-", dir=self.temp_root))
        return self._temp_dir

    def wipe(self) -> None:
        """Forget everything the citizen entered. Python cannot overwrite immutable strings, so
        we drop every reference; files are overwritten before they are removed."""
        self.answers.clear()
        self.forget_photo()
        self.photos_taken = 0
        self.service = None
        if self._temp_dir is not None:
            _shred_tree(self._temp_dir)
            self._temp_dir = None

    def forget_photo(self) -> None:
        if self.photo is not None:
            self.photo.wipe()
        self.photo = None
        self.photo_code = None


def _shred_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            try:
                size = path.stat().st_size
                with path.open("r+b") as handle:
                    handle.write(b"\0" * size)
            except OSError:
                pass  # e.g. a read-only file: still removed below; a wipe must never stop half-way
    shutil.rmtree(folder, ignore_errors=True)
