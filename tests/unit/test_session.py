"""The session: where citizen data lives, and how it is wiped."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.journey.session import Session
from kiosk.photo.captured import CapturedPhoto, Verdict

CANARY = b"Kanarienvogel-4711"


def test_temp_dir_is_private_and_created_on_first_use(tmp_path: Path) -> None:
    session = Session(language="de", temp_root=tmp_path / "run")
    assert not (tmp_path / "run").exists()
    folder = session.temp_dir
    assert folder.is_dir() and folder.parent == tmp_path / "run"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert session.temp_dir == folder  # the same folder for the whole session


def test_two_sessions_get_different_folders_and_ids(tmp_path: Path) -> None:
    first, second = Session("de", tmp_path), Session("de", tmp_path)
    assert first.temp_dir != second.temp_dir
    assert first.id != second.id


def test_wipe_forgets_answers_and_removes_files(tmp_path: Path) -> None:
    session = Session(language="en", temp_root=tmp_path)
    session.answers["family_name"] = CANARY.decode()
    photo = CapturedPhoto(bytearray(CANARY * 100), 827, 1063, (Verdict("Sharpness", 90, True),))
    session.photo, session.photo_code, session.photos_taken = photo, "7K3Q-9XZ2-MB4T", 2
    (session.temp_dir / "sub").mkdir()
    (session.temp_dir / "sub" / "photo.jpg").write_bytes(CANARY * 10)
    folder = session.temp_dir
    session.wipe()
    assert session.answers == {} and session.service is None
    assert session.photo is None and session.photo_code is None and session.photos_taken == 0
    assert photo.jpeg == bytearray()  # the bytes were overwritten, not only let go
    assert not folder.exists()
    assert CANARY.decode() not in repr(vars(session))


def test_wipe_overwrites_file_contents_before_removing(tmp_path: Path) -> None:
    session = Session(language="en", temp_root=tmp_path)
    photo = session.temp_dir / "photo.jpg"
    photo.write_bytes(CANARY * 10)
    fd = os.open(photo, os.O_RDONLY)  # still sees the same inode after the name is gone
    try:
        session.wipe()
        assert not photo.exists()
        assert os.pread(fd, 1000, 0) == b"\0" * len(CANARY * 10)
    finally:
        os.close(fd)


def test_wipe_does_not_follow_symlinks_out_of_the_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"not the session's")
    session = Session(language="en", temp_root=tmp_path / "run")
    (session.temp_dir / "link").symlink_to(outside)
    session.wipe()
    assert outside.read_bytes() == b"not the session's"


def test_wipe_completes_when_a_file_cannot_be_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(language="en", temp_root=tmp_path)
    session.answers["city"] = "Köln"
    photo = session.temp_dir / "photo.jpg"
    photo.write_bytes(CANARY)
    real_open = Path.open

    def read_only(self: Path, mode: str = "r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if mode == "r+b":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only)
    session.wipe()
    assert not photo.parent.exists()
    assert session.answers == {}
