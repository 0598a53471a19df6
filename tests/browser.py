"""Headless Debian Chromium for tests, driven by Playwright (never downloads a browser).

Choice: Playwright's SYNC API in the test's own thread. The sync API cannot run inside a running
asyncio loop, so everything asyncio (an aiortc terminal, an in-process aiohttp server) runs in
its own loop in its own thread: `tests.terminal_peer.LoopThread` (`loop.run(coro)`), also
offered here as the `loop_thread` fixture.

Plain functions:
    with chromium() as browser:              # playwright + browser, closed on exit
        context, page = new_page(browser)    # fresh context: own cookies, fake camera granted
        login(page, base_url, "erika", "pw") # opens /console/ and logs in

Under the back office's CSP, pass `page.wait_for_function` a function ("() => ..."), not an
expression: Playwright polls expressions with eval(), which the CSP refuses.

Fixtures (import them into a test module: `from tests.browser import browser, page, loop_thread  # noqa: F401`):
    browser       one Chromium per module (startup costs about 1 s)
    page          a fresh context and page per test, closed afterwards
    loop_thread   one LoopThread per module
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.terminal_peer import LoopThread

# What the console's peer connection has received: decoded video frames and audio samples
# (headless audioLevel is always 0, DOMAIN.md 5). `page.evaluate(INBOUND_STATS)`.
INBOUND_STATS = """async () => {
  const pc = window.consoleState.pc;
  let video = 0, audio = 0;
  if (pc) (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") video = r.framesDecoded || 0;
    if (r.type === "inbound-rtp" && r.kind === "audio") audio = r.totalSamplesReceived || 0;
  });
  return {video, audio};
}"""

CHROMIUM = os.environ.get("KIOSK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    # loopback WebRTC (DOMAIN.md 5): host candidates on 127.0.0.1, no mDNS names
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]


@contextlib.contextmanager
def chromium(**launch: Any) -> Iterator[Browser]:
    """Playwright with Debian's Chromium, headless; everything is closed on exit."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **launch)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, **context: Any) -> tuple[BrowserContext, Page]:
    """A fresh context (cookies of its own) with camera and microphone allowed, and one page."""
    options: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "locale": "de-DE", **context}
    ctx = browser.new_context(**options)
    ctx.grant_permissions(["camera", "microphone"])
    ctx.set_default_timeout(10_000)
    return ctx, ctx.new_page()


def login(page: Page, base_url: str, user: str, password: str, *, expect_ok: bool = True,
          path: str = "/console/") -> None:
    """Open the console (`path`, e.g. "/console/?session_check_s=1") and log in; with expect_ok,
    wait until the queue is shown and the console's WebSocket is open."""
    page.goto(base_url.rstrip("/") + path)
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    if expect_ok:
        expect(page.locator("#work-view")).to_be_visible()
        # a function, not an expression: Playwright polls expressions with eval(), which the
        # back office's Content-Security-Policy (no 'unsafe-eval') refuses
        page.wait_for_function("() => window.consoleState && window.consoleState.ws && "
                               "window.consoleState.ws.readyState === 1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    ctx, p = new_page(browser)
    try:
        yield p
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    with LoopThread() as loop:
        yield loop
