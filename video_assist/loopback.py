"""Calls on one machine: let aioice offer 127.0.0.1 as a host candidate (DOMAIN.md §5).

aioice leaves 127.0.0.1 out of the host addresses it gathers, so two peers on one machine (the
tests, the demo, the benchmarks, a kiosk with the back office on the same box) find no pair
unless the machine has another address both can reach. `use_loopback()` makes aioice gather
127.0.0.1 only, which is what such a call needs and nothing more; `restore()` undoes it.
It changes a module of aioice for the whole process, so it is applied only when the back office
is on loopback (`apply_for`) or when asked.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from urllib.parse import urlsplit

import aioice.ice

log = logging.getLogger(__name__)

LOOPBACK_ADDRESS = "127.0.0.1"

_original = aioice.ice.get_host_addresses
_lock = threading.Lock()


def _loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return [LOOPBACK_ADDRESS] if use_ipv4 else []


def is_loopback(server_url: str) -> bool:
    """Whether `server_url` (http://host:port/..., ws://..., or a bare host) names this machine."""
    host = urlsplit(server_url if "//" in server_url else f"//{server_url}").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def use_loopback() -> None:
    """From now on aioice gathers 127.0.0.1 as this process's only host address."""
    with _lock:
        if aioice.ice.get_host_addresses is not _loopback_addresses:
            aioice.ice.get_host_addresses = _loopback_addresses
            log.info("video assist: ICE gathers 127.0.0.1 only (back office on this machine)")


def restore() -> None:
    """aioice gathers the machine's own addresses again (without 127.0.0.1)."""
    with _lock:
        aioice.ice.get_host_addresses = _original


def active() -> bool:
    return aioice.ice.get_host_addresses is _loopback_addresses


def apply_for(server_url: str, force: bool = False) -> bool:
    """use_loopback() when `server_url` is on this machine or `force`; whether it is now in use."""
    if force or is_loopback(server_url):
        use_loopback()
    return active()
