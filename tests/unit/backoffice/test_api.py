"""The HTTP API the clerk's console uses: login, logout, session, CSRF, Origin, rate limits,
session expiry, cookie flags and security headers. A real app on a real port and SQLite file."""

from __future__ import annotations

import logging
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from backoffice.config import BackofficeConfig, SecurityConfig, ServerConfig
from tests.unit.backoffice.helpers import (PASSWORD, add_user, async_test, database, login, origin, serving,
                                           wall_clock)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    add_user(tmp_path)
    return tmp_path


def set_cookie(response) -> SimpleCookie:  # type: ignore[no-untyped-def]
    cookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        cookie.load(header)
    return cookie


# --- login ---------------------------------------------------------------------------------------


@async_test
async def test_login_answers_the_user_and_sets_a_strict_http_only_cookie(data: Path) -> None:
    async with serving(data) as client:
        response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
        assert response.status == 200
        body = await response.json()
        assert body["name"] == "anna" and body["display_name"] == "Anna Amt" and body["role"] == "clerk"
        assert len(body["csrf"]) >= 40
        morsel = set_cookie(response)["bo_session"]
        assert len(morsel.value) >= 43  # 256 random bits, base64url
        assert morsel["httponly"] and morsel["samesite"] == "Strict" and morsel["path"] == "/"
        assert not morsel["secure"]  # plain http, secure_cookies = auto
        session = await client.get("/api/session")
        assert session.status == 200 and await session.json() == body


@async_test
async def test_only_the_cookies_hash_is_stored(data: Path) -> None:
    async with serving(data) as client:
        response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
        value = set_cookie(response)["bo_session"].value
    # The write-ahead log may have been folded into the file already: read whatever is there.
    raw = b"".join(path.read_bytes() for path in data.glob("backoffice.sqlite*"))
    assert value.encode() not in raw
    rows = database(data).execute("SELECT id_sha256 FROM sessions").fetchall()
    assert len(rows) == 1 and len(rows[0][0]) == 64


@pytest.mark.parametrize(("proto", "mode", "secure"), [
    ("https", "auto", True), ("http", "auto", False), (None, "always", True), ("https", "never", False)])
def test_secure_flag_follows_the_config_and_the_proxys_scheme(data: Path, proto, mode, secure) -> None:
    @async_test
    async def check() -> None:
        config = BackofficeConfig(security=SecurityConfig(secure_cookies=mode))
        async with serving(data, config) as client:
            headers = {"X-Forwarded-Proto": proto} if proto else {}
            response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD},
                                         headers=headers)
            assert response.status == 200
            assert bool(set_cookie(response)["bo_session"]["secure"]) is secure
    check()


@async_test
async def test_wrong_password_and_unknown_user_get_the_same_401(data: Path) -> None:
    async with serving(data) as client:
        assert await login(client, password="not the password") == (401, {"error": "wrong user name or password"})
        assert await login(client, name="nobody") == (401, {"error": "wrong user name or password"})
        assert (await client.get("/api/session")).status == 401


@async_test
async def test_login_wants_json(data: Path) -> None:
    async with serving(data) as client:
        form = await client.post("/api/login", data={"username": "anna", "password": PASSWORD})
        assert form.status == 415
        broken = await client.post("/api/login", data=b"{not json", headers={"Content-Type": "application/json"})
        assert broken.status == 400
        assert (await client.post("/api/login", json={"username": "anna"})).status == 400
        assert (await client.post("/api/login", json={"username": 1, "password": 2})).status == 400


@async_test
async def test_login_from_a_foreign_origin_is_refused(data: Path) -> None:
    async with serving(data) as client:
        status, body = await login(client, Origin="https://evil.example")
        assert status == 403 and "foreign" in body["error"]
        assert (await login(client, Origin=origin(client)))[0] == 200


@async_test
async def test_public_url_pins_the_origin(data: Path) -> None:
    config = BackofficeConfig(server=ServerConfig(public_url="https://bo.example.org"))
    async with serving(data, config) as client:
        assert (await login(client, Origin=origin(client)))[0] == 403
        assert (await login(client, Origin="https://bo.example.org"))[0] == 200


@async_test
async def test_a_new_login_replaces_the_old_session(data: Path) -> None:
    async with serving(data) as client:
        first = (await login(client))[1]["csrf"]
        second = (await login(client))[1]["csrf"]
        assert first != second
        assert database(data).execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


# --- rate limits ---------------------------------------------------------------------------------


@async_test
async def test_failures_per_user_name_lead_to_429_until_the_window_passes(data: Path) -> None:
    clock = wall_clock()
    config = BackofficeConfig(security=SecurityConfig(login_attempts=3, login_window_s=60))
    async with serving(data, config, login_clock=clock) as client:
        for _ in range(3):
            assert (await login(client, password="wrong password!"))[0] == 401
            clock.advance(1)
        response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
        assert response.status == 429, "even the right password waits"
        assert response.headers["Retry-After"] == "57"  # the first failure (t=0) leaves the window at t=60
        assert "try again" in (await response.json())["error"]
        clock.advance(56)
        assert (await login(client))[0] == 429
        clock.advance(1)
        assert (await login(client))[0] == 200


@async_test
async def test_user_names_are_limited_apart_from_addresses(data: Path) -> None:
    """Spraying one password over many names from one address is stopped by the address count;
    a name under attack is stopped by the name count (asserted above)."""
    clock = wall_clock()
    config = BackofficeConfig(security=SecurityConfig(login_attempts=2, login_window_s=60))
    async with serving(data, config, login_clock=clock) as client:
        assert (await login(client, name="bert"))[0] == 401
        assert (await login(client, name="carl"))[0] == 401
        status, body = await login(client)  # a third name, the right password: the address is blocked
        assert status == 429


@async_test
async def test_name_limit_holds_for_every_address(data: Path) -> None:
    from backoffice.auth import LIMITER

    clock = wall_clock()
    config = BackofficeConfig(security=SecurityConfig(login_attempts=2, login_window_s=60))
    async with serving(data, config, login_clock=clock) as client:
        limiter = client.app[LIMITER]
        limiter.failed(["name:anna", "addr:192.0.2.1"])
        limiter.failed(["name:anna", "addr:192.0.2.2"])
        assert (await login(client))[0] == 429  # from 127.0.0.1, which has no failures
        assert (await login(client, name="ANNA"))[0] == 429  # names are compared case-insensitively


@async_test
async def test_a_failed_login_does_not_log_the_password(data: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Sup3r-secret-guess"
    async with serving(data) as client:
        assert (await login(client, password=secret))[0] == 401
        response = await client.post("/api/login", json={"username": "anna", "password": PASSWORD})
        cookie = set_cookie(response)["bo_session"].value
        csrf = (await response.json())["csrf"]
    assert "failed login for 'anna'" in caplog.text
    assert "anna (clerk) logged in" in caplog.text
    for secret_text in (secret, PASSWORD, cookie, csrf):
        assert secret_text not in caplog.text


# --- logout and CSRF -----------------------------------------------------------------------------


@async_test
async def test_logout_needs_the_csrf_token_and_ends_the_session(data: Path) -> None:
    async with serving(data) as client:
        csrf = (await login(client))[1]["csrf"]
        assert (await client.post("/api/logout")).status == 403
        assert (await client.post("/api/logout", headers={"X-CSRF-Token": "wrong"})).status == 403
        assert (await client.get("/api/session")).status == 200, "a refused logout leaves the session"
        response = await client.post("/api/logout", headers={"X-CSRF-Token": csrf})
        assert response.status == 204
        morsel = set_cookie(response)["bo_session"]
        assert morsel.value == "" and morsel["max-age"] == "0"
        assert database(data).execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
        assert await (await client.get("/api/session")).json() == {"error": "not logged in"}


@async_test
async def test_every_state_changing_request_needs_session_and_token(data: Path) -> None:
    async with serving(data) as client:
        client.app.router  # routes are frozen: probe an unknown path, which the guard sees first
        assert (await client.delete("/api/anything")).status == 403
        csrf = (await login(client))[1]["csrf"]
        assert (await client.put("/api/anything")).status == 403
        assert (await client.put("/api/anything", headers={"X-CSRF-Token": csrf})).status == 404


@async_test
async def test_logout_without_a_session_is_refused(data: Path) -> None:
    async with serving(data) as client:
        response = await client.post("/api/logout", headers={"X-CSRF-Token": "anything"})
        assert response.status == 403 and await response.json() == {"error": "not logged in"}


# --- expiry --------------------------------------------------------------------------------------


@async_test
async def test_session_ends_after_idle_time_and_activity_keeps_it(data: Path) -> None:
    clock = wall_clock()
    config = BackofficeConfig(security=SecurityConfig(session_idle_min=10, session_max_h=12))
    async with serving(data, config, clock=clock) as client:
        await login(client)
        for _ in range(3):  # 27 minutes in all, never 10 idle
            clock.advance(9 * 60)
            assert (await client.get("/api/session")).status == 200
        clock.advance(10 * 60 + 1)
        response = await client.get("/api/session")
        assert response.status == 401 and await response.json() == {"error": "session expired"}
        assert await (await client.get("/api/session")).json() == {"error": "not logged in"}


@async_test
async def test_session_ends_after_its_maximum_however_active(data: Path) -> None:
    clock = wall_clock()
    config = BackofficeConfig(security=SecurityConfig(session_idle_min=60, session_max_h=1))
    async with serving(data, config, clock=clock) as client:
        csrf = (await login(client))[1]["csrf"]
        for _ in range(3):
            clock.advance(20 * 60)
            assert (await client.get("/api/session")).status == 200
        clock.advance(1)
        assert (await client.post("/api/logout", headers={"X-CSRF-Token": csrf})).status == 403
        assert await (await client.get("/api/session")).json() == {"error": "not logged in"}


@async_test
async def test_idle_expiry_read_from_the_sqlite_file(data: Path) -> None:
    """The real clock; the session's last_seen is moved back in the file itself."""
    async with serving(data) as client:
        await login(client)
        database(data).execute("UPDATE sessions SET last_seen = last_seen - 61 * 60")
        assert await (await client.get("/api/session")).json() == {"error": "session expired"}


# --- the rest ------------------------------------------------------------------------------------


@async_test
async def test_security_headers_on_every_response(data: Path) -> None:
    async with serving(data) as client:
        for method, path in (("GET", "/healthz"), ("GET", "/api/session"), ("GET", "/nowhere"),
                             ("POST", "/api/logout")):
            response = await client.request(method, path, allow_redirects=False)
            csp = response.headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert "media-src 'self' blob: mediastream:" in csp
            assert f"connect-src 'self' ws://127.0.0.1:{client.port}" in csp
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "no-referrer"


@async_test
async def test_csp_names_wss_behind_https(data: Path) -> None:
    async with serving(data) as client:
        response = await client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert f"connect-src 'self' wss://127.0.0.1:{client.port};" in response.headers["Content-Security-Policy"]


@async_test
async def test_healthz_and_the_root_redirect(data: Path) -> None:
    async with serving(data) as client:
        health = await client.get("/healthz")
        assert health.status == 200 and await health.json() == {"ok": True}
        root = await client.get("/", allow_redirects=False)
        assert root.status == 302 and root.headers["Location"] == "/console/"


@async_test
async def test_behind_a_proxy_each_forwarded_client_is_counted_apart(data: Path) -> None:
    clock = wall_clock()
    security = SecurityConfig(login_attempts=2, login_window_s=60)

    async def fail_twice_then_login(client, via: str, other: str) -> int:  # type: ignore[no-untyped-def]
        for name in ("bert", "carl"):  # two names: only the address count reaches its limit
            assert (await login(client, name=name, **{"X-Forwarded-For": via}))[0] == 401
        return (await login(client, **{"X-Forwarded-For": other}))[0]

    trusting = BackofficeConfig(server=ServerConfig(forwarded_for=True), security=security)
    async with serving(data, trusting, login_clock=clock) as client:
        # the proxy appends the real client; what a client put in front of it is ignored
        assert await fail_twice_then_login(client, "198.51.100.7, 203.0.113.5", "203.0.113.6") == 200
        assert (await login(client, **{"X-Forwarded-For": "198.51.100.7, 203.0.113.5"}))[0] == 429
    async with serving(data, BackofficeConfig(security=security), login_clock=clock) as client:
        # not trusted: the header is the client's own word, every request is the peer's address
        assert await fail_twice_then_login(client, "203.0.113.5", "203.0.113.6") == 429
