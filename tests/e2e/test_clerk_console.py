"""The clerk's console in headless Debian Chromium against the real back office (a subprocess,
`tests/backoffice_process.py`), with a scripted aiortc terminal (`tests/terminal_peer.py`) in
its own asyncio loop thread: login, queue, accept, video and sound both ways, co-view,
proposals, pointing, hanging up on either side, a closing page, an expired session, logout."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.backoffice_process import BackofficeProcess
from tests.browser import INBOUND_STATS, browser, login, loop_thread, page  # noqa: F401  (fixtures)
from tests.terminal_peer import LoopThread, TerminalPeer

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery staple"
STEP = {"id": "person", "title": "Angaben zur Person",
        "fields": [{"field": "family_name", "label": "Familienname"}, {"field": "given_names", "label": "Vornamen"}]}
ANSWERS = [{"field": "family_name", "label": "Familienname", "value": "Yılmaz"}]
class Office:
    def __init__(self, process: BackofficeProcess, url: str, token: str) -> None:
        self.process, self.url, self.token = process, url, token

    @property
    def db(self) -> Path:
        return next(self.process.data_dir.glob("*.sqlite"))


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    with BackofficeProcess(tmp_path_factory.mktemp("office") / "data") as bo:
        bo.add_user("anna", password=PASSWORD, display_name="Anna Schmidt")
        token = bo.add_terminal("t-rathaus-1", location="Rathaus, Foyer")
        yield Office(bo, bo.start(), token)


@pytest.fixture
def terminal(office: Office, loop_thread: LoopThread) -> Iterator[TerminalPeer]:
    peer = TerminalPeer(office.url, office.token)
    loop_thread.run(peer.connect())
    yield peer
    try:
        loop_thread.run(peer.hangup("citizen"))  # leaves the queue or ends the call
    except Exception:
        pass
    loop_thread.run(peer.close())


def wait_until(condition, timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.05)


def accept_call(page: Page, peer: TerminalPeer, loop: LoopThread) -> float:
    """Log in, let the terminal call, accept it; returns seconds from the click to framesDecoded > 0."""
    login(page, peer.base_url, "anna", PASSWORD)
    loop.run(peer.call())
    item = page.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Angaben zur Person")
    clicked = time.monotonic()
    item.get_by_test_id("accept-call").click()
    loop.run(peer.wait_for("accepted"))
    deadline = clicked + 15
    while page.evaluate(INBOUND_STATS)["video"] == 0:
        assert time.monotonic() < deadline, "no decoded frame from the terminal within 15 s"
        time.sleep(0.05)
    return time.monotonic() - clicked


def test_wrong_password_shows_the_error(page: Page, office: Office) -> None:
    login(page, office.url, "anna", "not the password", expect_ok=False)
    expect(page.get_by_test_id("login-error")).to_have_text("Benutzername oder Passwort falsch.")
    expect(page.locator("#work-view")).to_be_hidden()
    expect(page.get_by_test_id("login-password")).to_be_focused()


def test_a_whole_call(page: Page, office: Office, terminal: TerminalPeer, loop_thread: LoopThread,
                      capsys: pytest.CaptureFixture[str]) -> None:
    login(page, office.url, "anna", PASSWORD)
    expect(page.locator("#queue-note")).to_have_text("Zurzeit wartet niemand.")
    loop_thread.run(terminal.call())
    item = page.get_by_test_id("queue-item")
    expect(item).to_have_count(1)
    for text in ("t-rathaus-1", "Rathaus, Foyer", "Meldebescheinigung", "Angaben zur Person", "Türkisch",
                 "Große Schrift"):
        expect(item).to_contain_text(text)
    expect(page.locator("#announcer")).to_contain_text("Neuer Anruf")
    waited = item.locator(".waited").inner_text()
    expect(item.locator(".waited")).not_to_have_text(waited, timeout=3000)  # ticks up

    clicked = time.monotonic()
    item.get_by_test_id("accept-call").click()
    assert loop_thread.run(terminal.wait_for("accepted"))["clerk"] in ("Anna Schmidt", "anna")
    while page.evaluate(INBOUND_STATS)["video"] == 0:
        assert time.monotonic() < clicked + 15, "no decoded frame from the terminal within 15 s"
        time.sleep(0.05)
    first_frame_s = time.monotonic() - clicked
    with capsys.disabled():
        print(f"\naccept click -> first framesDecoded > 0: {first_frame_s:.2f} s")
    wait_until(lambda: page.evaluate(INBOUND_STATS)["audio"] > 0, what="audio samples in the browser")
    loop_thread.run(terminal.wait_media(video_frames=5, audio_samples=4800))  # the browser's fake camera and mic
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    expect(page.get_by_test_id("call-status")).to_contain_text("Im Gespräch mit Terminal t-rathaus-1")

    # co-view: nothing until the citizen shares
    expect(page.get_by_test_id("coview-step")).to_have_text("Nicht freigegeben")
    loop_thread.run(terminal.send("coview", shared=True, step=STEP, answers=ANSWERS))
    expect(page.get_by_test_id("coview-step")).to_contain_text("Angaben zur Person")
    expect(page.get_by_test_id("coview-answers")).to_contain_text("Yılmaz")

    page.get_by_test_id("propose-field").select_option("family_name")
    page.get_by_test_id("propose-value").fill("Yilmaz")
    page.get_by_test_id("propose-submit").click()
    proposal = loop_thread.run(terminal.wait_for("propose"))
    assert (proposal["field"], proposal["value"]) == ("family_name", "Yilmaz")
    expect(page.get_by_test_id("proposal-status")).to_contain_text("wartet auf Antwort")
    loop_thread.run(terminal.send("proposal_reply", proposal_id=proposal["proposal_id"], accepted=True))
    expect(page.get_by_test_id("proposal-status")).to_have_text("Vorschlag für „Familienname“ angenommen.")

    page.get_by_test_id("point-control").filter(has_text="Vornamen").click()
    assert loop_thread.run(terminal.wait_for("point"))["control"] == "given_names"
    expect(page.get_by_test_id("point-status")).to_have_text("Auf „Vornamen“ gezeigt.")
    expect(page.get_by_test_id("call-status")).to_contain_text("Im Gespräch mit Terminal t-rathaus-1")

    page.get_by_test_id("mute").click()
    expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("mute").click()
    expect(page.get_by_test_id("mute")).to_have_attribute("aria-pressed", "false")
    page.wait_for_timeout(500)  # a few more frames for the picture
    page.screenshot(path="/tmp/console-call.png", full_page=True)

    # the citizen withdraws the co-view
    loop_thread.run(terminal.send("coview", shared=False))
    expect(page.get_by_test_id("coview-step")).to_have_text("Nicht freigegeben")
    expect(page.get_by_test_id("coview-answers")).to_be_hidden()

    page.get_by_test_id("hangup").click()
    assert loop_thread.run(terminal.wait_for("hangup"))["reason"] == "clerk"
    expect(page.locator("#call-view")).to_be_hidden()
    expect(page.locator("#queue-note")).to_have_text("Sie haben aufgelegt.")
    assert page.evaluate("window.consoleState.pc === null && window.consoleState.callId === null")


def test_the_citizen_hangs_up(page: Page, office: Office, terminal: TerminalPeer, loop_thread: LoopThread) -> None:
    accept_call(page, terminal, loop_thread)
    loop_thread.run(terminal.send("coview", shared=True, step=STEP, answers=ANSWERS))
    expect(page.get_by_test_id("coview-step")).to_contain_text("Angaben zur Person")
    loop_thread.run(terminal.hangup("citizen"))
    expect(page.locator("#queue-note")).to_have_text("Die Bürgerin / der Bürger hat aufgelegt.")
    expect(page.locator("#call-view")).to_be_hidden()
    expect(page.get_by_test_id("coview-step")).to_have_text("Nicht freigegeben")  # cleared with the call
    expect(page.locator("#announcer")).to_have_text("Die Bürgerin / der Bürger hat aufgelegt.")
    assert page.evaluate("window.consoleState.callId") is None


def test_a_closing_page_puts_the_call_back_in_the_queue(browser, office: Office,  # noqa: F811
                                                        terminal: TerminalPeer, loop_thread: LoopThread) -> None:
    from tests.browser import new_page
    ctx, p = new_page(browser)
    try:
        accept_call(p, terminal, loop_thread)
        p.close()
        requeued = loop_thread.run(terminal.wait_for("queued", requeued=True))
        assert requeued["position"] == 1
    finally:
        ctx.close()


def test_an_expired_session_shows_the_login_again(page: Page, office: Office) -> None:
    login(page, office.url, "anna", PASSWORD, path="/console/?session_check_s=0.5")
    with sqlite3.connect(office.db) as db:  # the session went idle long ago
        db.execute("UPDATE sessions SET last_seen = last_seen - 86400 * 30, created = created - 86400 * 30")
    expect(page.get_by_test_id("login-error")).to_have_text("Sitzung abgelaufen – bitte melden Sie sich erneut an.")
    expect(page.locator("#work-view")).to_be_hidden()
    assert page.evaluate("window.consoleState.loggedIn") is False
    # and logging in again works
    page.get_by_test_id("login-username").fill("anna")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.locator("#work-view")).to_be_visible()


def test_logout(page: Page, office: Office) -> None:
    login(page, office.url, "anna", PASSWORD)
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("login-username")).to_be_visible()
    expect(page.get_by_test_id("login-error")).to_be_hidden()
    assert page.evaluate("window.consoleState.ws") is None
    page.reload()
    expect(page.get_by_test_id("login-username")).to_be_visible()
    assert page.request.get(office.url + "/api/session").status == 401


def test_the_console_reconnects_after_a_back_office_restart(page: Page, office: Office,
                                                            loop_thread: LoopThread) -> None:
    login(page, office.url, "anna", PASSWORD)
    expect(page.get_by_test_id("connection")).to_have_text("Verbunden")
    office.process.restart()  # same port, same data: the session survives, the queue starts empty
    page.wait_for_function("() => window.consoleState.ws && window.consoleState.ws.readyState === 1",
                           timeout=20_000)
    expect(page.get_by_test_id("connection")).to_have_text("Verbunden")
    peer = TerminalPeer(office.url, office.token)
    loop_thread.run(peer.connect())
    try:
        loop_thread.run(peer.call())
        expect(page.get_by_test_id("queue-item")).to_have_count(1)
    finally:
        loop_thread.run(peer.hangup("citizen"))
        loop_thread.run(peer.close())
