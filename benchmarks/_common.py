"""Shared helpers for the benchmarks: one Xvfb for all runs, and plain statistics.

The benchmarks print numbers; they never assert timings (they are not tests).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable  # run the benchmarks with the project's interpreter: .venv/bin/python


def kiosk_command(*args: str) -> list[str]:
    """The `kiosk` command: the venv's console script, or `python -m kiosk.cli` (same code path)."""
    script = Path(PYTHON).parent / "kiosk"
    if script.exists():
        return [str(script), *args]
    return [PYTHON, "-m", "kiosk.cli", *args]


class Display:
    """A display for Kivy: a private Xvfb (started once, not counted) or the existing $DISPLAY."""

    def __init__(self, width: int = 1280, height: int = 800, use_existing: bool = False) -> None:
        self.width, self.height = width, height
        self.use_existing = use_existing
        self.process: subprocess.Popen[bytes] | None = None
        self.name = ""

    def __enter__(self) -> "Display":
        if self.use_existing:
            self.name = os.environ.get("DISPLAY", "")
            if not self.name:
                raise SystemExit("--use-display given but DISPLAY is not set")
            return self
        xvfb = shutil.which("Xvfb")
        if xvfb is None:
            raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
        read_end, write_end = os.pipe()
        self.process = subprocess.Popen(
            [xvfb, "-displayfd", str(write_end), "-screen", "0", f"{self.width}x{self.height}x24",
             "-nolisten", "tcp"], pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise SystemExit("Xvfb did not start")
        self.name = f":{number}"
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DISPLAY"] = self.name
        env.pop("WAYLAND_DISPLAY", None)
        return env


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction 0.9 = p90)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: list[float], unit: str, digits: int = 2) -> str:
    if not values:
        return "no values"
    return (f"median {statistics.median(values):.{digits}f} {unit}  min {min(values):.{digits}f}  "
            f"max {max(values):.{digits}f}  (n={len(values)})")


def machine() -> str:
    """One line about where the numbers were taken (they depend on the CPU: Xvfb draws with llvmpipe)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "load %.2f %.2f %.2f" % os.getloadavg()  # other work on the machine moves these numbers
    return f"{os.cpu_count()} CPUs {model}, {load}".replace("  ", " ")
