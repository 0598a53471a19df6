"""Logging in and out, the session cookie, CSRF and Origin checks, and how the signalling learns
who is on a WebSocket (`terminal_auth`, `clerk_auth`).

CSRF defence in depth: the cookie is SameSite=Strict; /api/login takes only application/json
(a cross-site form cannot send it without a CORS preflight we never grant) and refuses a foreign
Origin; every other state-changing request needs the session's X-CSRF-Token header.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiohttp import web

from backoffice.accounts import Terminals, Users
from backoffice.config import BackofficeConfig
from backoffice.ratelimit import LoginLimiter
from backoffice.sessions import Session, Sessions
from video_assist.parties import Clerk, Terminal

log = logging.getLogger(__name__)

COOKIE = "bo_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WRONG_LOGIN = "wrong user name or password"

CONFIG = web.AppKey("backoffice.config", BackofficeConfig)
USERS = web.AppKey("backoffice.users", Users)
TERMINALS = web.AppKey("backoffice.terminals", Terminals)
SESSIONS = web.AppKey("backoffice.sessions", Sessions)
LIMITER = web.AppKey("backoffice.login_limiter", LoginLimiter)
# Paths a state-changing request may reach without a session and CSRF token. A later feature whose
# callers authenticate otherwise (a terminal with its bearer token) adds its path prefix here.
CSRF_EXEMPT = web.AppKey("backoffice.csrf_exempt", set[str])
SESSION = web.RequestKey("backoffice.session", object)  # the Session (or None) a request was made in


def setup(app: web.Application, config: BackofficeConfig, users: Users, terminals: Terminals,
          sessions: Sessions, limiter: LoginLimiter) -> None:
    app[CONFIG], app[USERS], app[TERMINALS], app[SESSIONS], app[LIMITER] = config, users, terminals, sessions, limiter
    app[CSRF_EXEMPT] = {"/api/login"}
    app.middlewares.append(csrf_guard)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/session", current_session)


# --- origins --------------------------------------------------------------------------------------


def own_origin(request: web.Request) -> str:
    """The origin browsers see this service at: [server] public_url, else scheme and Host."""
    public = request.app[CONFIG].server.public_url
    return public.rstrip("/") if public else f"{scheme(request)}://{request.host}"


def scheme(request: web.Request) -> str:
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded if forwarded in ("http", "https") else request.scheme


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or with [server] forwarded_for what our proxy appended."""
    if request.app[CONFIG].server.forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.remote or "unknown"


def origin_ok(request: web.Request) -> bool:
    """No Origin header (not a browser's cross-site request), or exactly our own."""
    origin = request.headers.get("Origin")
    return origin is None or origin == own_origin(request)


# --- the guard and the handlers ---------------------------------------------------------------------


def _error(status: int, text: str, **headers: str) -> web.Response:
    return web.json_response({"error": text}, status=status, headers=headers)


def session_of(request: web.Request) -> Session | None:
    """The request's live session (refreshing it), memoised on the request."""
    if SESSION not in request:
        request[SESSION] = request.app[SESSIONS].find(request.cookies.get(COOKIE)).session
    return cast(Session | None, request[SESSION])


@web.middleware
async def csrf_guard(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
    if request.method not in UNSAFE_METHODS or any(request.path.startswith(p) for p in request.app[CSRF_EXEMPT]):
        return await handler(request)
    session = session_of(request)
    if session is None:
        return _error(403, "not logged in")
    if not hmac.compare_digest(request.headers.get(CSRF_HEADER, "").encode(), session.csrf.encode()):
        return _error(403, f"missing or wrong {CSRF_HEADER} header")
    return await handler(request)


def _body(session: Session) -> dict[str, Any]:
    user = session.user
    return {"name": user.name, "display_name": user.display_name, "role": user.role, "csrf": session.csrf}


async def login(request: web.Request) -> web.Response:
    if request.content_type != "application/json":
        return _error(415, "send the login as application/json")
    if not origin_ok(request):
        return _error(403, "login from a foreign page refused")
    credentials = await _credentials(request)
    if credentials is None:
        return _error(400, "expected {\"username\": ..., \"password\": ...}")
    name, password = credentials
    address = client_address(request)
    limiter, keys = request.app[LIMITER], (f"name:{name.casefold()}", f"addr:{address}")
    wait = limiter.retry_after(keys)
    if wait:
        log.warning("login for %r from %s refused: too many failures", name, address)
        return _error(429, f"too many failed logins; try again in {wait} s", **{"Retry-After": str(wait)})
    # argon2 takes tens of milliseconds of CPU: off the event loop, so calls keep flowing
    user = await asyncio.to_thread(request.app[USERS].verify, name, password)
    if user is None:
        limiter.failed(keys)
        log.warning("failed login for %r from %s", name, address)
        return _error(401, WRONG_LOGIN)
    limiter.succeeded(keys[0])
    sessions = request.app[SESSIONS]
    old = sessions.find(request.cookies.get(COOKIE)).session
    if old is not None:  # a login always gets a fresh cookie value (no session fixation)
        sessions.delete(old.key)
    cookie, session = sessions.create(user)
    log.info("%s (%s) logged in from %s", user.name, user.role, address)
    response = web.json_response(_body(session))
    _set_cookie(request, response, cookie)
    return response


async def _credentials(request: web.Request) -> tuple[str, str] | None:
    try:
        body = await request.json()
        name, password = body["username"], body["password"]
    except (ValueError, KeyError, TypeError):
        return None
    return (name, password) if isinstance(name, str) and isinstance(password, str) else None


def _set_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    mode = request.app[CONFIG].security.secure_cookies
    secure = mode == "always" or (mode == "auto" and scheme(request) == "https")
    response.set_cookie(COOKIE, value, path="/", httponly=True, samesite="Strict", secure=secure)


async def logout(request: web.Request) -> web.Response:
    session = session_of(request)  # csrf_guard has made sure there is one
    assert session is not None
    request.app[SESSIONS].delete(session.key)
    log.info("%s logged out", session.user.name)
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


async def current_session(request: web.Request) -> web.Response:
    lookup = request.app[SESSIONS].find(request.cookies.get(COOKIE))
    if lookup.session is not None:
        return web.json_response(_body(lookup.session))
    response = _error(401, "session expired" if lookup.expired else "not logged in")
    if COOKIE in request.cookies:
        response.del_cookie(COOKIE, path="/")
    return response


# --- for the signalling -----------------------------------------------------------------------------


async def terminal_auth(request: web.Request) -> Terminal | None:
    """The terminal whose token is in `Authorization: Bearer <token>`, else None."""
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return None
    return request.app[TERMINALS].by_token(token.strip())


async def clerk_auth(request: web.Request) -> Clerk | None:
    """The logged-in user of the request's session cookie, if the request comes from our own
    origin (a foreign page must not open a WebSocket with the clerk's cookie); else None."""
    if not origin_ok(request):
        log.warning("WebSocket from foreign origin %r refused", request.headers.get("Origin"))
        return None
    session = session_of(request)
    return Clerk(session.user.name, session.user.role, session.user.display_name) if session else None
