"""`kiosk assist call --synthetic` as a real subprocess against the real back office (a subprocess
too), the clerk in headless Debian Chromium on the real console (tests/browser.py): waiting,
accepted, frames both ways, the clerk hangs up -> exit 0 and the printed lines; SIGTERM is the
citizen's hang-up; a bad token -> exit 2; no back office -> exit 1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.backoffice_process import BackofficeProcess, free_port
from tests.browser import INBOUND_STATS, browser, login, page  # noqa: F401  (fixtures)
from tests.e2e.test_clerk_console import Office

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with BackofficeProcess(tmp_path_factory.mktemp("assist-cli") / "data") as bo:
        bo.add_user("anna", password=PASSWORD, display_name="Anna Schmidt")
        token = bo.add_terminal("rathaus-02", location="Rathaus, 1. Stock")
        yield Office(bo, bo.start(), token)


class Kiosk:
    """`kiosk assist call ...` running, its stdout lines collected as they come."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "assist", "call", *args], cwd=REPO,
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if text in line:
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r} within {timeout} s: {self.lines}")

    def finish(self, timeout: float = 20) -> tuple[int, str]:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        self._reader.join(5)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()


def _accept(page: Page, office: Office) -> None:
    item = page.get_by_test_id("queue-item")
    expect(item).to_have_count(1, timeout=15_000)
    item.get_by_test_id("accept-call").click()


def _frames(page: Page, at_least: int, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        stats = page.evaluate(INBOUND_STATS)
        if stats["video"] >= at_least:
            return stats
        assert time.monotonic() < deadline, f"the clerk decoded {stats['video']} frames within {timeout} s"
        time.sleep(0.1)


def test_a_call_the_clerk_ends(page: Page, office: Office) -> None:
    login(page, office.url, "anna", PASSWORD)
    kiosk = Kiosk("--server", office.url, "--token", office.token, "--synthetic", "--service", "meldebescheinigung",
                  "--step", "person", "--lang", "tr")
    kiosk.wait_line("waiting: position 1, expected wait")
    expect(page.get_by_test_id("queue-item")).to_contain_text("Rathaus, 1. Stock")
    _accept(page, office)
    kiosk.wait_line("clerk answered:")
    stats = _frames(page, 30)
    kiosk.wait_line("first picture from the clerk")
    page.get_by_test_id("hangup").click()
    code, stderr = kiosk.finish()
    assert code == 0, stderr
    assert stats["audio"] > 0  # the tone reached the clerk's browser
    said = [line.split(" s  ", 1)[1] for line in kiosk.lines]
    assert re.fullmatch(r"waiting: position 1, expected wait (unknown|\d+ s)", said[0]), said
    assert re.fullmatch(r"clerk answered: (Anna Schmidt|anna)", said[1]), said
    assert said[2:] == ["first picture from the clerk", "call ended: clerk hung up"]
    times = [float(line.split(" s  ")[0]) for line in kiosk.lines]
    assert times == sorted(times) and times[0] < 5


def test_sigterm_is_the_citizens_hang_up_and_json_lines(page: Page, office: Office) -> None:
    login(page, office.url, "anna", PASSWORD)
    kiosk = Kiosk("--server", office.url, "--token", office.token, "--synthetic", "--json")
    kiosk.wait_line('"event": "queued"')
    _accept(page, office)
    kiosk.wait_line('"event": "connected"')
    kiosk.process.send_signal(signal.SIGTERM)
    code, stderr = kiosk.finish()
    assert code == 0, stderr
    events = [json.loads(line) for line in kiosk.lines]
    assert [e["event"] for e in events] == ["queued", "answered", "connected", "ended"]
    assert events[0]["position"] == 1 and events[-1]["reason"] == "citizen"
    expect(page.get_by_test_id("queue-item")).to_have_count(0)


def test_waiting_limit_ends_with_exit_1(office: Office) -> None:
    kiosk = Kiosk("--server", office.url, "--token", office.token, "--synthetic", "--timeout", "1")
    code, stderr = kiosk.finish()
    assert code == 1
    assert kiosk.lines[-1].endswith("call ended: no clerk answered in time")
    assert "no clerk accepted within 1 s" in stderr


def test_a_bad_token_exits_2_with_a_precise_message(office: Office) -> None:
    kiosk = Kiosk("--server", office.url, "--token", "not-the-token", "--synthetic")
    code, stderr = kiosk.finish()
    assert code == 2
    assert "refused this terminal's token (HTTP 401)" in stderr and "kiosk-backoffice add-terminal" in stderr
    assert kiosk.lines == [kiosk.lines[0]] and kiosk.lines[0].endswith("call ended: the back office refused "
                                                                       "this terminal's token")


def test_no_back_office_exits_1(tmp_path: Path) -> None:
    token_file = tmp_path / "assist-token"
    token_file.write_text("some-token\n")
    started = time.monotonic()
    kiosk = Kiosk("--server", f"http://127.0.0.1:{free_port()}", "--token-file", str(token_file), "--synthetic")
    code, stderr = kiosk.finish()
    assert code == 1 and time.monotonic() - started < 15
    assert "cannot reach the back office" in stderr
    assert kiosk.lines[-1].endswith("call ended: the back office cannot be reached")


def test_bad_settings_exit_2(tmp_path: Path) -> None:
    missing = Kiosk("--server", "http://127.0.0.1:9", "--token-file", str(tmp_path / "nope"), "--synthetic")
    code, stderr = missing.finish()
    assert code == 2 and "cannot read the terminal's token" in stderr and str(tmp_path / "nope") in stderr
    language = Kiosk("--server", "http://127.0.0.1:9", "--token", "t", "--synthetic", "--lang", "Deutsch")
    code, stderr = language.finish()
    assert code == 2 and "language" in stderr
    server = Kiosk("--server", "backoffice:8080", "--token", "t", "--synthetic")
    code, stderr = server.finish()
    assert code == 2 and "http(s)://" in stderr
