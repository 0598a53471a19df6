"""`kiosk demo`'s back office: the real one (`kiosk-backoffice serve`) on this machine, with a demo
clerk and this terminal's token, so a help call can be answered from a browser at once."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from backoffice.process import BackofficeError, BackofficeProcess
from kiosk.config import AssistConfig, KioskConfig

PORT = 8470  # the back office's default port
CLERK = "demo"


def start(config: KioskConfig, data: Path) -> tuple[BackofficeProcess, KioskConfig] | None:
    """Start it (data in DATA/backoffice), add the demo clerk and this terminal, say where to log in;
    the config with [assist] pointing at it. None (and why, on stderr) when it cannot start."""
    office = BackofficeProcess(data / "backoffice", port=PORT)
    password_file = data / "backoffice-demo-password"
    try:
        password = _password(password_file)
        office.command("add-user", CLERK, "--role", "clerk", "--update", "--password-file", str(password_file),
                       "--display-name", "Demo-Sachbearbeitung")
        token = office.command("add-terminal", config.terminal.id, "--location", config.terminal.location,
                               "--renew").stdout.strip().splitlines()[-1]
        token_file = data / "assist-token"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        url = office.start()
    except (BackofficeError, OSError) as exc:
        print(f"kiosk demo: the back office did not start, so help offers no video call: {exc}", file=sys.stderr)
        office.stop()
        return None
    print(f"Clerk console: {url}/console/  (user {CLERK!r}, password {password!r})", flush=True)
    assist = AssistConfig(server=url, token_file=token_file, microphone="tone", speaker="none")
    return office, config.model_copy(update={"assist": assist})


def _password(path: Path) -> str:
    """The demo clerk's password: made once, kept in the demo's data folder (a demo, not a secret)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"demo-{secrets.token_hex(4)}\n")
        path.chmod(0o600)
    return path.read_text().strip()
