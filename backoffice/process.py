"""The real back office as a subprocess, for `kiosk demo` and the tests.

    with BackofficeProcess(tmp_path / "bo") as bo:
        bo.add_user("anna", password="correct horse battery")
        token = bo.add_terminal("demo-01")
        url = bo.start()          # http://127.0.0.1:PORT, /healthz answered
        ...
        bo.restart()              # same port, same data folder: users and terminals are kept

add_user and add_terminal run the real CLI (they may be called before or after start). The
server's stderr goes to `log_path` (data_dir/../<name>.log), which `log()` returns.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parent.parent  # the installation folder
DEFAULT_PASSWORD = "correct horse battery staple"
START_TIMEOUT_S = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class BackofficeError(RuntimeError):
    """The back office did not start, or a CLI command failed; the message carries its output."""


class BackofficeProcess:
    def __init__(self, data_dir: Path, port: int = 0, config: Path | None = None,
                 stop_with_parent: bool = False) -> None:
        """`stop_with_parent`: the server gets SIGTERM when the thread that started it ends (for
        `kiosk demo`, started from its main thread)."""
        self.stop_with_parent = stop_with_parent
        self.data_dir = Path(data_dir)
        self.port = port or free_port()  # chosen once, so restart() comes back on the same port
        self.config = config
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-backoffice.log"
        self._process: subprocess.Popen[bytes] | None = None

    # --- the CLI --------------------------------------------------------------------------------

    def command(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`kiosk-backoffice ARGS --data DIR [--config FILE]`, checked; its output in the error."""
        argv = [sys.executable, "-m", "backoffice.cli", *args, "--data", str(self.data_dir), *self._config_args()]
        proc = subprocess.run(argv, capture_output=True, text=True, input=stdin, cwd=REPO, env=_env(), timeout=60)
        if proc.returncode != 0:
            raise BackofficeError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
        return proc

    def add_user(self, name: str, role: str = "clerk", password: str = DEFAULT_PASSWORD,
                 display_name: str | None = None) -> None:
        password_file = self.data_dir.parent / f".{self.data_dir.name}-{name}.password"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n", encoding="utf-8")
        password_file.chmod(0o600)
        try:
            extra = ["--display-name", display_name] if display_name else []
            self.command("add-user", name, "--role", role, "--password-file", str(password_file), *extra)
        finally:
            password_file.unlink()

    def add_terminal(self, terminal_id: str, location: str = "Rathaus, Foyer") -> str:
        """The new terminal's token (the last line the CLI prints)."""
        return self.command("add-terminal", terminal_id, "--location", location).stdout.strip().splitlines()[-1]

    # --- the server -----------------------------------------------------------------------------

    def start(self) -> str:
        self.launch()
        return self.wait()

    def launch(self) -> None:
        """Start the server without waiting for it (wait() does)."""
        if self.running:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "backoffice.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--data", str(self.data_dir), *self._config_args()]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=_env(),
                                             preexec_fn=_stop_with_parent if self.stop_with_parent else None)

    def wait(self) -> str:
        """The base URL once /healthz answers."""
        self._wait_healthy()
        return self.url

    def stop(self) -> int | None:
        """SIGTERM and wait; the exit status (None if it was not running)."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                return process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise BackofficeError(f"did not stop within 10 s of SIGTERM; log:\n{self.log()}") from None
        return process.returncode

    def restart(self) -> str:
        self.stop()
        return self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> BackofficeProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    # --- helpers --------------------------------------------------------------------------------

    def _config_args(self) -> list[str]:
        return ["--config", str(self.config)] if self.config else []

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self._process = None
                raise BackofficeError(f"kiosk-backoffice serve exited at start; log:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        self.stop()
        raise BackofficeError(f"no answer on {self.url}/healthz within {START_TIMEOUT_S} s; log:\n{self.log()}")


def _stop_with_parent() -> None:
    """In the child: SIGTERM when the process that started it dies (a demo killed by its test's
    timeout must not leave its back office holding the port)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)  # the back office must not speak for its parent to systemd
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"  # the log file shows lines as they are written
    return env
