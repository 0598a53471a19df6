"""`kiosk demo`'s back office: the real one (`kiosk-backoffice serve`) on this machine, with a demo
clerk and this terminal's token, so a help call can be answered from a browser at once."""

from __future__ import annotations

import secrets
import socket
import sys
from pathlib import Path

from backoffice.accounts import AccountError, Terminals, Users
from backoffice.process import BackofficeError, BackofficeProcess
from backoffice.store import StoreError, open_store
from kiosk.config import AssistConfig, KioskConfig

PORT = 8470  # the back office's default port
CLERK = "demo"


def start(config: KioskConfig, data: Path) -> tuple[BackofficeProcess, KioskConfig] | None:
    """Start it (data in DATA/backoffice), add the demo clerk and this terminal, say where to log in;
    the config with [assist] pointing at it. None (and why, on stderr) when it cannot start."""
    office = BackofficeProcess(data / "backoffice", port=PORT if _free(PORT) else 0,  # 0: any free port
                               stop_with_parent=True)
    try:
        office.launch()  # starts while the accounts are written; the first call waits for nothing
        password = _password(data / "backoffice-demo-password")
        token_file = _accounts(office.data_dir, config, password)
        url = office.wait()
    except (BackofficeError, AccountError, StoreError, OSError) as exc:
        print(f"kiosk demo: the back office did not start, so help offers no video call: {exc}", file=sys.stderr)
        office.stop()
        return None
    print(f"Clerk console: {url}/console/  (user {CLERK!r}, password {password!r})", flush=True)
    assist = AssistConfig(server=url, token_file=token_file, microphone="tone", speaker="none")
    return office, config.model_copy(update={"assist": assist})


def _accounts(data_dir: Path, config: KioskConfig, password: str) -> Path:
    """The demo clerk and this terminal's new token (in this process: quicker than the CLI)."""
    store = open_store(data_dir)
    try:
        Users(store).add(CLERK, "clerk", password, "Demo-Sachbearbeitung", update=True)
        token = Terminals(store).add(config.terminal.id, config.terminal.location, renew=True)
    finally:
        store.close()
    token_file = data_dir.parent / "assist-token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    return token_file


def _password(path: Path) -> str:
    """The demo clerk's password: made once, kept in the demo's data folder (a demo, not a secret)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"demo-{secrets.token_hex(4)}\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
