"""The real `kiosk-backoffice` command: the CLI as a subprocess, `serve` as a real server on a real
port with its SQLite file, reached over HTTP and WebSockets (tests/backoffice_process.py)."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from backoffice.accounts import sha256
from backoffice.config import DEFAULT_TEMPLATE
from backoffice.process import REPO
from tests.backoffice_process import DEFAULT_PASSWORD, BackofficeError, BackofficeProcess, free_port

pytestmark = pytest.mark.integration


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backoffice.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=REPO, timeout=60)


def rows(data: Path, query: str) -> list[tuple]:
    db = sqlite3.connect(data / "backoffice.sqlite")
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


async def login(session: aiohttp.ClientSession, url: str, name: str = "anna",
                password: str = DEFAULT_PASSWORD) -> tuple[int, dict]:
    async with session.post(f"{url}/api/login", json={"username": name, "password": password}) as response:
        return response.status, await response.json()


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # cookies for 127.0.0.1


# --- the CLI -------------------------------------------------------------------------------------


def test_add_user_from_a_password_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("correct horse battery\nsecond line ignored\n")
    done = cli("add-user", "anna", "--role", "admin", "--password-file", str(tmp_path / "pw"),
               "--display-name", "Anna Amt", "--data", str(tmp_path / "d"))
    assert done.returncode == 0, done.stderr
    assert "user 'anna' (admin) created" in done.stdout
    [(name, display, role, hashed)] = rows(tmp_path / "d", "SELECT name, display_name, role, password_hash FROM users")
    assert (name, display, role) == ("anna", "Anna Amt", "admin") and hashed.startswith("$argon2id$")


def test_add_user_asks_twice_without_a_file(tmp_path: Path) -> None:
    # getpass reads stdin when there is no terminal
    done = cli("add-user", "anna", "--role", "clerk", "--data", str(tmp_path), stdin="correct horse battery\n" * 2)
    assert done.returncode == 0, done.stderr
    differ = cli("add-user", "bert", "--role", "clerk", "--data", str(tmp_path),
                 stdin="correct horse battery\ncorrect horse battery!\n")
    assert differ.returncode == 1 and "the two passwords differ" in differ.stderr
    assert rows(tmp_path, "SELECT name FROM users") == [("anna",)]


def test_add_user_refusals(tmp_path: Path) -> None:
    (tmp_path / "short").write_text("too short\n")
    (tmp_path / "good").write_text("correct horse battery\n")
    data = ["--data", str(tmp_path / "d")]
    short = cli("add-user", "anna", "--role", "clerk", "--password-file", str(tmp_path / "short"), *data)
    assert short.returncode == 1 and "password too short: at least 12 characters" in short.stderr
    assert cli("add-user", "anna", "--role", "clerk", "--password-file", str(tmp_path / "good"), *data).returncode == 0
    again = cli("add-user", "anna", "--role", "admin", "--password-file", str(tmp_path / "good"), *data)
    assert again.returncode == 1 and "user 'anna' exists already; use --update" in again.stderr
    assert rows(tmp_path / "d", "SELECT role FROM users") == [("clerk",)]
    update = cli("add-user", "anna", "--role", "admin", "--update", "--password-file", str(tmp_path / "good"), *data)
    assert update.returncode == 0 and rows(tmp_path / "d", "SELECT role FROM users") == [("admin",)]
    bad_role = cli("add-user", "anna", "--role", "boss", "--password-file", str(tmp_path / "good"), *data)
    assert bad_role.returncode == 2 and "invalid choice: 'boss'" in bad_role.stderr
    missing = cli("add-user", "bert", "--role", "clerk", "--password-file", str(tmp_path / "nope"), *data)
    assert missing.returncode == 1 and "cannot read the password file" in missing.stderr


def test_add_terminal_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    done = cli("add-terminal", "demo-01", "--location", "Rathaus, Foyer", "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    assert len(token) == 43
    assert rows(tmp_path, "SELECT id, location, token_sha256 FROM terminals") == [
        ("demo-01", "Rathaus, Foyer", sha256(token))]
    files = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert token.encode() not in files


@pytest.mark.parametrize("terminal_id", ["Demo-01", "x", "-demo", "demo_01", "a" * 33])
def test_add_terminal_refuses_a_bad_id(tmp_path: Path, terminal_id: str) -> None:
    done = cli("add-terminal", "--data", str(tmp_path), "--", terminal_id)  # --: "-demo" is no option
    assert done.returncode == 1 and f"terminal id '{terminal_id}' not allowed" in done.stderr


def test_config_template_is_the_checked_in_default_file() -> None:
    done = cli("config-template")
    assert done.returncode == 0 and done.stdout == DEFAULT_TEMPLATE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "expected"), [
    ('[security]\nsecure_cookies = "maybe"\n', ["security.secure_cookies", "'auto', 'always', 'never'"]),
    ("[server]\nprot = 1\n", ["unknown key 'server.prot'", "host, port, data_dir, public_url"]),
    ("[server\n", ["not valid TOML"]),
])
def test_serve_with_a_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: list[str]) -> None:
    config = tmp_path / "backoffice.toml"
    config.write_text(text)
    done = cli("serve", "--config", str(config), "--data", str(tmp_path / "d"), "--port", "0")
    assert done.returncode == 2
    assert f"bad config: {config}" in done.stderr
    for text_part in expected:
        assert text_part in done.stderr


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    done = cli("add-terminal", "demo-01", "--config", str(tmp_path / "none.toml"), "--data", str(tmp_path))
    assert done.returncode == 2 and f"{tmp_path / 'none.toml'}: file not found" in done.stderr


# --- serve ---------------------------------------------------------------------------------------


def test_serve_on_port_0_logs_the_real_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "backoffice.cli", "serve", "--port", "0",
                                "--data", str(tmp_path)], stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        line = process.stderr.readline()  # type: ignore[union-attr]
        assert "listening on http://127.0.0.1:" in line
        port = int(line.rsplit(":", 1)[1])
        assert port not in (0, 8470)
        assert get_json(f"http://127.0.0.1:{port}/healthz") == {"ok": True}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_sigint_stops_too(tmp_path: Path) -> None:
    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.start()
        assert bo._process is not None
        bo._process.send_signal(signal.SIGINT)
        assert bo._process.wait(timeout=10) == 0
        assert "stopping" in bo.log()


def test_restart_keeps_users_and_terminals_on_the_same_port(tmp_path: Path) -> None:
    async def scenario(bo: BackofficeProcess, token: str) -> None:
        async with client() as session:
            assert (await login(session, bo.url))[0] == 200
            bo.restart()  # the session lives in the SQLite file too
            async with session.get(f"{bo.url}/api/session") as response:
                assert response.status == 200 and (await response.json())["name"] == "anna"
            async with session.ws_connect(f"{bo.url}/ws/terminal",
                                          headers={"Authorization": f"Bearer {token}"}) as ws:
                assert not ws.closed

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna")
        token = bo.add_terminal("demo-01")
        url = bo.start()
        asyncio.run(scenario(bo, token))
        assert bo.url == url


def test_a_call_reaches_a_logged_in_clerk_and_serve_stops_with_sockets_open(tmp_path: Path) -> None:
    """The whole chain: terminal token -> /ws/terminal, login cookie + Origin -> /ws/clerk; then
    SIGTERM with both WebSockets open still ends promptly with status 0."""
    async def scenario(bo: BackofficeProcess, token: str) -> None:
        async with client() as session:
            assert (await login(session, bo.url))[0] == 200
            terminal = await session.ws_connect(f"{bo.url}/ws/terminal", headers={"Authorization": f"Bearer {token}"})
            await terminal.send_json({"v": 1, "type": "call", "call_id": "call-0001",
                                      "context": {"language": "de"}})
            assert (await terminal.receive_json(timeout=5))["type"] == "queued"
            clerk = await session.ws_connect(f"{bo.url}/ws/clerk", headers={"Origin": bo.url})
            calls = []
            while not calls:
                message = await clerk.receive_json(timeout=5)
                calls = message.get("calls", [])
            assert calls[0]["terminal"] == "demo-01" and calls[0]["location"] == "Rathaus, Foyer"
            started = time.monotonic()
            assert bo.stop() == 0
            assert time.monotonic() - started < 5
            for ws in (terminal, clerk):
                last = await ws.receive(timeout=5)
                while last.type == aiohttp.WSMsgType.TEXT:  # updates sent while shutting down
                    last = await ws.receive(timeout=5)
                assert last.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna")
        token = bo.add_terminal("demo-01")
        bo.start()
        asyncio.run(scenario(bo, token))


def test_websockets_refuse_strangers(tmp_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with client() as session:
            for headers in ({}, {"Authorization": "Bearer wrong"}):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await session.ws_connect(f"{url}/ws/terminal", headers=headers)
                assert refused.value.status == 401
            assert (await login(session, url))[0] == 200
            with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
                await session.ws_connect(f"{url}/ws/clerk", headers={"Origin": "https://evil.example"})
            assert foreign.value.status == 401

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna")
        asyncio.run(scenario(bo.start()))


def test_a_failed_login_leaves_no_password_in_the_log(tmp_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with client() as session:
            assert (await login(session, url, password="Guess-Number-One"))[0] == 401
            assert (await login(session, url))[0] == 200

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna")
        asyncio.run(scenario(bo.start()))
        bo.stop()
        log = bo.log()
    assert "failed login for 'anna'" in log and "anna (clerk) logged in" in log
    assert "Guess-Number-One" not in log and DEFAULT_PASSWORD not in log


def test_start_reports_a_server_that_cannot_start(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[server]\nport = -1\n")
    with BackofficeProcess(tmp_path / "bo", config=config) as bo, pytest.raises(BackofficeError, match="server.port"):
        bo.start()


def test_the_port_is_chosen_once(tmp_path: Path) -> None:
    port = free_port()
    assert BackofficeProcess(tmp_path, port=port).url == f"http://127.0.0.1:{port}"
    chosen = BackofficeProcess(tmp_path)
    assert chosen.url == f"http://127.0.0.1:{chosen.port}" and chosen.port > 0


# The unit file sets MemoryDenyWriteExecute=yes; PR_SET_MDWE (Linux 6.3+) is the same rule for one
# process tree, so the server and argon2 are proven to live without writable+executable memory.
_UNDER_MDWE = """
import ctypes, mmap, runpy, sys
if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit(78)
except PermissionError:
    pass
sys.argv = ["kiosk-backoffice", *sys.argv[1:]]
runpy.run_module("backoffice.cli", run_name="__main__")
"""


def test_serves_logins_without_writable_executable_memory(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", _UNDER_MDWE, "serve", "--port", str(port), "--data",
                               str(tmp_path)], stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        line = server.stderr.readline()  # type: ignore[union-attr]
        if server.poll() == 77:
            pytest.fail("this kernel has no PR_SET_MDWE (Linux 6.3+); the check needs one")
        assert "listening on" in line, line + server.stderr.read()  # type: ignore[union-attr]
        (tmp_path / "pw").write_text(DEFAULT_PASSWORD)
        assert cli("add-user", "anna", "--role", "clerk", "--password-file", str(tmp_path / "pw"),
                   "--data", str(tmp_path)).returncode == 0

        async def scenario() -> None:
            async with client() as session:
                assert (await login(session, f"http://127.0.0.1:{port}"))[0] == 200

        asyncio.run(scenario())
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
    finally:
        server.kill()
        server.wait()
