"""Cold start: from starting `kiosk demo` to the welcome screen being drawn.

One Xvfb is started once for all runs (its start-up is not counted). Each run starts
`kiosk demo --autopilot meldebescheinigung` in a fresh process and takes two times, both
measured in this process from just before the child is spawned:

  ready    the app's own readiness signal: KioskApp calls on_ready on its first frame, which
           `kiosk.app.run` sends as systemd's READY=1. This benchmark plays systemd: it sets
           NOTIFY_SOCKET to a datagram socket it listens on. No code change in the app.
           (on_ready runs in the first Clock tick; that frame is drawn right after, in the
           same loop iteration.)
  welcome  the autopilot's first line "01 ... WELCOME", printed after the welcome screen has
           settled (SETTLE_TICKS frames at 1/30 s steps), so it is later than "ready" by
           about 0.1 s: an upper bound for "welcome screen visible".

The child is then stopped (SIGTERM), so no session is walked. All runs share one data
directory (`kiosk demo --data DIR`, a temporary one, not var/demo): the warm-up run creates
the outbox, its key and Kivy's settings there, as a terminal's first boot would.
With --plain the child is plain `kiosk demo` (no autopilot, as in production) and only
"ready" is measured.

    .venv/bin/python benchmarks/cold_start.py [--runs 7] [--warmup 1] [--plain] [--use-display]

Prints every run and the median/min/max. Target: ready <= 3 s.
"""

from __future__ import annotations

import argparse
import os
import selectors
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, Display, kiosk_command, machine, summary

TIMEOUT_S = 60.0


def one_run(display: Display, plain: bool, data: Path) -> tuple[float | None, float | None]:
    """Start the kiosk once; return seconds to READY=1 and to the autopilot's welcome line."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        notify_path = str(Path(tmp) / "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.setblocking(False)
        env = display.env()
        env["NOTIFY_SOCKET"] = notify_path
        args = ["demo", "--data", str(data)]
        if not plain:
            args += ["--autopilot", "meldebescheinigung", "--lang", "de"]
        stderr_path = Path(tmp) / "stderr.txt"
        with open(stderr_path, "wb") as stderr:
            started = time.monotonic()
            child = subprocess.Popen(kiosk_command(*args), cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=stderr, stdin=subprocess.DEVNULL)
            ready = welcome = None
            selector = selectors.DefaultSelector()
            selector.register(notify, selectors.EVENT_READ, "notify")
            selector.register(child.stdout, selectors.EVENT_READ, "stdout")  # type: ignore[arg-type]
            buffered = b""
            try:
                while (ready is None or (welcome is None and not plain)) and child.poll() is None:
                    if time.monotonic() - started > TIMEOUT_S:
                        break
                    for key, _mask in selector.select(timeout=0.5):
                        now = time.monotonic()
                        if key.data == "notify":
                            message = notify.recv(4096).decode(errors="replace")
                            if "READY=1" in message.split("\n") and ready is None:
                                ready = now - started
                        else:
                            chunk = os.read(child.stdout.fileno(), 65536)  # type: ignore[union-attr]
                            buffered += chunk
                            for line in buffered.decode(errors="replace").splitlines():
                                parts = line.split()
                                if len(parts) >= 3 and parts[0] == "01" and parts[2] == "WELCOME" and welcome is None:
                                    welcome = now - started
            finally:
                selector.close()
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
                    try:
                        child.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        child.kill()
                        child.wait()
                child.stdout.close()  # type: ignore[union-attr]
                notify.close()
        if ready is None or (welcome is None and not plain):
            tail = stderr_path.read_text(errors="replace").splitlines()[-15:]
            print("  run failed (exit status %s); end of its stderr:\n    %s" % (child.returncode, "\n    ".join(tail)))
    return ready, welcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1, help="runs first and not counted (page cache, .pyc)")
    parser.add_argument("--plain", action="store_true", help="plain `kiosk demo`, no autopilot")
    parser.add_argument("--use-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    args = parser.parse_args()

    print(f"cold start of `kiosk demo{'' if args.plain else ' --autopilot meldebescheinigung'}` "
          f"({machine()})")
    readies: list[float] = []
    welcomes: list[float] = []
    with Display(use_existing=args.use_display) as display, \
            tempfile.TemporaryDirectory(prefix="kiosk-bench-data-") as data:
        print(f"display {display.name}{' (private Xvfb, started once)' if display.process else ''}")
        for number in range(-args.warmup + 1, args.runs + 1):
            ready, welcome = one_run(display, args.plain, Path(data))
            label = "warm-up" if number <= 0 else f"run {number}"
            fmt = lambda v: "   -   " if v is None else f"{v:6.3f} s"  # noqa: E731
            print(f"  {label:<8} ready {fmt(ready)}" + ("" if args.plain else f"   welcome line {fmt(welcome)}"),
                  flush=True)
            if number > 0:
                if ready is not None:
                    readies.append(ready)
                if welcome is not None:
                    welcomes.append(welcome)
    print(f"ready (on_ready / READY=1):  {summary(readies, 's', 3)}")
    if not args.plain:
        print(f"welcome line (settled):      {summary(welcomes, 's', 3)}")
    print("target: ready <= 3 s")


if __name__ == "__main__":
    main()
