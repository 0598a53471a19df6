"""The composition root of the back office: opens the data folder, builds the services and gives
each feature its own place in the app (auth, the video-assist signalling, later the submissions
inbox and the fleet view)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from aiohttp import web

from backoffice import auth
from backoffice.accounts import Terminals, Users
from backoffice.config import BackofficeConfig, ice_servers
from backoffice.ratelimit import LoginLimiter
from backoffice.sessions import Clock, Sessions
from backoffice.store import open_store
from video_assist import signalling

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
}


def make_app(config: BackofficeConfig, data_dir: Path, clock: Clock | None = None,
             login_clock: Clock | None = None) -> web.Application:
    """The whole service. `clock` (wall time, sessions) and `login_clock` (monotonic, failed-login
    window) are for tests."""
    db = open_store(data_dir)
    app = web.Application()
    security = config.security
    sessions = Sessions(db, security.session_idle_min * 60, security.session_max_h * 3600, clock or time.time)
    limiter = LoginLimiter(security.login_attempts, security.login_window_s, login_clock or time.monotonic)
    auth.setup(app, config, Users(db), Terminals(db), sessions, limiter)
    _setup_signalling(app, config)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", to_console)
    app.on_response_prepare.append(security_headers)
    app.on_cleanup.append(lambda _app: _close(db))
    return app


def _setup_signalling(app: web.Application, config: BackofficeConfig) -> None:
    """/ws/terminal, /ws/clerk and the clerk's console at /console/."""
    signalling.setup(app, terminal_auth=auth.terminal_auth, clerk_auth=auth.clerk_auth,
                     ice_servers=ice_servers(config), reconnect_grace_s=config.assist.reconnect_grace_s)


async def _close(db: sqlite3.Connection) -> None:
    db.close()


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def to_console(request: web.Request) -> web.Response:
    raise web.HTTPFound("/console/")


def content_security_policy(request: web.Request) -> str:
    # 'self' covers same-origin ws:/wss: in CSP3 browsers; the explicit WebSocket origin is for
    # older ones (Safari before 15.4), which did not count it as 'self'.
    origin = auth.own_origin(request)
    websocket = "wss://" + origin.removeprefix("https://") if origin.startswith("https://") else \
        "ws://" + origin.removeprefix("http://")
    return ("default-src 'self'; media-src 'self' blob: mediastream:; "
            f"connect-src 'self' {websocket}; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every response, errors and WebSocket handshakes included."""
    response.headers.setdefault("Content-Security-Policy", content_security_policy(request))
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
