"""A real serial line without hardware: two pseudo-terminals joined by socat.

The printer emulator opens one end, the terminal's serial driver the other;
bytes pass through the kernel's tty layer exactly as on a cable (same
blocking, same errors). Killing socat is how a test pulls the cable.

Needs the Debian package `socat`.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

# socat creates its links within milliseconds; a loaded CI machine gets ample slack.
START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 2.0


class SerialLinkError(RuntimeError):
    """socat is missing or could not make the pair of pseudo-terminals."""


class SerialLink:
    """A socat pty pair with a symlink at each end; a context manager.

    `close()` unplugs the cable (socat exits, both ends see EIO and the links
    disappear); `restart()` plugs it back in at the same paths, but on new
    pseudo-terminals, so whoever had an end open must open it again.
    """

    def __init__(self, printer_end: Path, terminal_end: Path) -> None:
        self.printer_end = Path(printer_end)
        self.terminal_end = Path(terminal_end)
        self._socat: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start socat and wait for both links; raises SerialLinkError."""
        if self._socat is not None:
            return
        for end in (self.printer_end, self.terminal_end):
            _remove_stale_link(end)
        command = ["socat", "-d", "-d",
                   f"pty,raw,echo=0,link={self.printer_end}", f"pty,raw,echo=0,link={self.terminal_end}"]
        try:
            # stderr to a pipe: socat writes a few notices only, read back when it fails.
            self._socat = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise SerialLinkError("socat not found: install the Debian package socat") from None
        self._wait_for_links()

    def _wait_for_links(self) -> None:
        assert self._socat is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (self.printer_end.exists() and self.terminal_end.exists()):
            code = self._socat.poll()
            if code is not None:
                _, stderr = self._socat.communicate()
                self._socat = None
                raise SerialLinkError(f"socat exited with code {code}: {_errors(stderr)}")
            if time.monotonic() > deadline:
                self.close()
                raise SerialLinkError(f"socat made no {self.printer_end} and {self.terminal_end} "
                                      f"within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.005)

    @property
    def running(self) -> bool:
        return self._socat is not None and self._socat.poll() is None

    def close(self) -> None:
        """Stop socat (SIGTERM, so it removes its links) and wait for it; safe to call twice."""
        socat, self._socat = self._socat, None
        if socat is None:
            return
        socat.terminate()
        try:
            socat.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            socat.kill()
            socat.wait()
        if socat.stderr:
            socat.stderr.close()

    def restart(self) -> None:
        """Plug the cable back in: a new socat, the same link paths."""
        self.close()
        self.start()

    def __enter__(self) -> SerialLink:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _remove_stale_link(end: Path) -> None:
    """A socat killed with SIGKILL leaves its symlinks behind, pointing at a pty number
    that may already belong to someone else; waiting for them would find the old ones."""
    if end.is_symlink():
        end.unlink()
    elif end.exists():
        raise SerialLinkError(f"{end} exists and is not a symlink; not replacing it")


def _errors(stderr: bytes) -> str:
    """socat's error lines (level E) without the notices around them that -d -d adds."""
    lines = stderr.decode(errors="replace").strip().splitlines()
    return "; ".join([line for line in lines if " E " in line] or lines) or "no message"
