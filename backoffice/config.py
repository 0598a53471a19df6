"""The back office's configuration: one typed model, as the kiosk's (kiosk/config.py).

The commented default file (`config/backoffice.toml`) is `kiosk-backoffice config-template`'s
output, and bad files fail with the kiosk's messages (file, key, allowed values).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from kiosk import config as kiosk_config
from kiosk.section import Section

DEFAULT_PATH = Path("/etc/kiosk/backoffice.toml")
DEFAULT_TEMPLATE = kiosk_config.REPO_ROOT / "config" / "backoffice.toml"
TERMINAL_ID = r"^[a-z0-9][a-z0-9-]{1,31}$"  # the kiosk's [terminal] id


class ServerConfig(Section):
    """Where the back office listens and keeps its data."""

    host: str = Field("127.0.0.1", description="Address to listen on (a reverse proxy with TLS in front; 0.0.0.0: "
                                               "every interface)", min_length=1, max_length=200)
    port: int = Field(8470, description="TCP port to listen on (0: any free port, logged at start)", ge=0, le=65535)
    data_dir: Path = Field(Path("/var/lib/kiosk-backoffice"), description="Users, terminals and sessions "
                                                                          "(backoffice.sqlite); must be writable")
    public_url: str = Field("", description="The address clerks' browsers use, e.g. https://backoffice.example.org, "
                                            "for the Origin check (empty: taken from each request's Host and "
                                            "X-Forwarded-Proto)", pattern=r"^(https?://[^\s/]+)?$", max_length=200)
    forwarded_for: bool = Field(False, description="Take the client's address (failed-login limit, logs) from the "
                                                   "last X-Forwarded-For entry; only behind your own reverse proxy, "
                                                   "which must set that header (otherwise every client shares the "
                                                   "proxy's address and its failed-login count)")


class SecurityConfig(Section):
    """Logins and sessions of clerks, operators and admins."""

    session_idle_min: int = Field(60, description="Minutes without activity before a login session ends",
                                  ge=1, le=1440)
    session_max_h: int = Field(12, description="Hours a login session lasts at most, active or not", ge=1, le=168)
    login_attempts: int = Field(5, description="Failed logins allowed per window, per user name and per client "
                                               "address; then 429 until the window has passed", ge=1, le=100)
    login_window_s: int = Field(300, description="Seconds of the failed-login window", ge=10, le=86400)
    secure_cookies: Literal["auto", "always", "never"] = Field(
        "auto", description="Secure flag of the session cookie; auto: set when the request came over https (or a "
                            "proxy said X-Forwarded-Proto: https)")


class IceServer(Section):
    """One STUN or TURN server, as in the browser's RTCIceServer."""

    urls: tuple[str, ...] = Field(..., min_length=1)
    username: str | None = None
    credential: str | None = None


class AssistConfig(Section):
    """Video assist: the call queue and the signalling between terminals and clerks' consoles."""

    ice_servers: tuple[IceServer, ...] = Field(
        (), description="STUN/TURN servers handed to both peers, e.g. [{urls = [\"turn:turn.example.org:3478\"], "
                        "username = \"kiosk\", credential = \"...\"}] (see config/coturn.conf); empty: host "
                        "candidates only, enough on one LAN")
    reconnect_grace_s: int = Field(20, description="Seconds a waiting call whose terminal dropped keeps its place "
                                                   "in the queue", ge=0, le=600)


class BackofficeConfig(Section):
    server: ServerConfig = ServerConfig()
    security: SecurityConfig = SecurityConfig()
    assist: AssistConfig = AssistConfig()


class ConfigError(Exception):
    """Bad configuration; the message names the file, the key and what is allowed."""


HEADER = ("# Bürgerterminal back office configuration. Generated from backoffice/config.py by\n"
          "# `kiosk-backoffice config-template`; every key is optional and shows its default.")


def load(path: Path) -> BackofficeConfig:
    return kiosk_config.load(path, BackofficeConfig, ConfigError)


def template() -> str:
    return kiosk_config.template(BackofficeConfig, HEADER)


def ice_servers(config: BackofficeConfig) -> list[dict[str, object]]:
    """The ICE servers as messages.ICE_SERVER dicts (no None fields, urls as a list)."""
    return [{"urls": list(s.urls), **({"username": s.username} if s.username is not None else {}),
             **({"credential": s.credential} if s.credential is not None else {})}
            for s in config.assist.ice_servers]
