"""terminal_auth and clerk_auth, the two functions the signalling asks who is on a WebSocket.

They are called through probe routes on the real app (real requests, headers and cookies)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from backoffice import auth
from backoffice.app import make_app
from backoffice.config import BackofficeConfig, SecurityConfig
from tests.unit.backoffice.helpers import ManualClock, add_terminal, add_user, async_test, login, origin, wall_clock


async def _probe_terminal(request: web.Request) -> web.Response:
    terminal = await auth.terminal_auth(request)
    return web.json_response(None if terminal is None else {"id": terminal.id, "location": terminal.location})


async def _probe_clerk(request: web.Request) -> web.Response:
    clerk = await auth.clerk_auth(request)
    return web.json_response(None if clerk is None else {"name": clerk.name, "role": clerk.role,
                                                         "display_name": clerk.display_name,
                                                         "takes_calls": clerk.takes_calls})


def probed_app(data: Path, clock: ManualClock | None = None) -> TestClient:
    config = BackofficeConfig(security=SecurityConfig(session_idle_min=5))
    app = make_app(config, data, clock=clock)
    app.router.add_get("/probe/terminal", _probe_terminal)
    app.router.add_get("/probe/clerk", _probe_clerk)
    return TestClient(TestServer(app, host="127.0.0.1"))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    add_user(tmp_path, "anna", "clerk")
    add_user(tmp_path, "otto", "operator")
    return tmp_path


@async_test
async def test_terminal_with_its_token(data: Path) -> None:
    token = add_terminal(data, "demo-01", "Rathaus, Foyer")
    async with probed_app(data) as client:
        response = await client.get("/probe/terminal", headers={"Authorization": f"Bearer {token}"})
        assert await response.json() == {"id": "demo-01", "location": "Rathaus, Foyer"}


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not-a-token"])
def test_terminal_without_a_good_token(data: Path, header: str | None) -> None:
    add_terminal(data, "demo-01")

    @async_test
    async def check() -> None:
        async with probed_app(data) as client:
            headers = {"Authorization": header} if header is not None else {}
            assert await (await client.get("/probe/terminal", headers=headers)).json() is None
    check()


@async_test
async def test_a_renewed_token_replaces_the_old_one(data: Path) -> None:
    from backoffice.accounts import Terminals
    from backoffice.store import open_store

    old = add_terminal(data, "demo-01")
    new = Terminals(open_store(data)).add("demo-01", renew=True)
    async with probed_app(data) as client:
        assert await (await client.get("/probe/terminal", headers={"Authorization": f"Bearer {old}"})).json() is None
        known = await (await client.get("/probe/terminal", headers={"Authorization": f"Bearer {new}"})).json()
        assert known == {"id": "demo-01", "location": "Rathaus, Foyer"}  # the location is kept


@async_test
async def test_clerk_of_a_live_session(data: Path) -> None:
    async with probed_app(data) as client:
        assert await (await client.get("/probe/clerk")).json() is None, "no cookie, no clerk"
        await login(client, "anna")
        clerk = await (await client.get("/probe/clerk", headers={"Origin": origin(client)})).json()
        assert clerk == {"name": "anna", "role": "clerk", "display_name": "Anna Amt", "takes_calls": True}
        assert await (await client.get("/probe/clerk")).json() == clerk, "no Origin: not a browser's cross-site call"
        await login(client, "otto")
        assert (await (await client.get("/probe/clerk")).json())["takes_calls"] is False


@async_test
async def test_no_clerk_from_a_foreign_origin(data: Path) -> None:
    async with probed_app(data) as client:
        await login(client, "anna")
        for foreign in ("https://evil.example", "null", f"https://127.0.0.1:{client.port}"):
            assert await (await client.get("/probe/clerk", headers={"Origin": foreign})).json() is None


@async_test
async def test_no_clerk_once_the_session_expired(data: Path) -> None:
    clock = wall_clock()
    async with probed_app(data, clock) as client:
        await login(client, "anna")
        clock.advance(5 * 60 + 1)
        assert await (await client.get("/probe/clerk")).json() is None


@async_test
async def test_no_clerk_with_a_forged_cookie(data: Path) -> None:
    async with probed_app(data) as client:
        await login(client, "anna")
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({"bo_session": "A" * 43})
        assert (await client.get("/api/session")).status == 401
        assert await (await client.get("/probe/clerk")).json() is None
