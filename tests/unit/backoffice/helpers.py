"""A real back office app on an ephemeral port (aiohttp's TestServer), a real SQLite file, and
clocks the test moves by hand."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from aiohttp.test_utils import TestClient, TestServer

from backoffice.accounts import Terminals, Users
from backoffice.app import make_app
from backoffice.config import BackofficeConfig
from backoffice.store import FILE_NAME, open_store
from tests.fakes import ManualClock

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


def wall_clock() -> ManualClock:
    """A wall clock (sessions keep epoch seconds) the test moves by hand."""
    return ManualClock(start=1_800_000_000.0)


def run(coro: Awaitable[T]) -> T:
    return asyncio.run(coro)  # type: ignore[arg-type]


def add_user(data_dir: Path, name: str = "anna", role: str = "clerk", password: str = PASSWORD,
             display_name: str = "Anna Amt") -> None:
    Users(open_store(data_dir)).add(name, role, password, display_name)


def add_terminal(data_dir: Path, terminal_id: str = "demo-01", location: str = "Rathaus, Foyer") -> str:
    return Terminals(open_store(data_dir)).add(terminal_id, location)


def database(data_dir: Path) -> sqlite3.Connection:
    return sqlite3.connect(data_dir / FILE_NAME, isolation_level=None)


@asynccontextmanager
async def serving(data_dir: Path, config: BackofficeConfig | None = None, clock: ManualClock | None = None,
                  login_clock: ManualClock | None = None) -> AsyncIterator[TestClient]:
    app = make_app(config or BackofficeConfig(), data_dir, clock=clock, login_clock=login_clock)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def origin(client: TestClient) -> str:
    return f"http://127.0.0.1:{client.port}"


async def login(client: TestClient, name: str = "anna", password: str = PASSWORD,
                **headers: str) -> tuple[int, dict[str, Any]]:
    response = await client.post("/api/login", json={"username": name, "password": password}, headers=headers)
    return response.status, await response.json()


def async_test(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test body with asyncio.run (no pytest plugin); fixtures pass through."""
    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        run(test(*args, **kwargs))
    return wrapper
