"""Memory over many sessions: RSS of one `kiosk demo` process while the autopilot walks N sessions.

Starts `kiosk demo --autopilot meldebescheinigung --sessions N` (default 300) under a private
Xvfb (started once, or $DISPLAY with --use-display) with a temporary data directory
(`--data DIR`, not var/demo), and samples the child's /proc/<pid>/status every 0.5 s
(VmRSS, RssAnon) and at each "session K done" line the autopilot prints when N > 1.

Reports RSS after the warm-up session (default 10: first-use caches, fonts, textures are
loaded by then), at the end (session N), the growth between them, the growth per session
(least-squares slope over the sessions after warm-up), the peak (VmHWM) and how long it took.

    .venv/bin/python benchmarks/memory.py [--sessions 300] [--warm 10] [--csv FILE] [--use-display]

300 sessions take a while (about 2.5-4 s per session, i.e. 12-20 minutes). Target: growth <= 5 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import selectors
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, Display, kiosk_command, machine

SAMPLE_EVERY_S = 0.5
DONE = re.compile(r"^session (\d+) done")


def read_status(pid: int) -> dict[str, int]:
    """kB values of /proc/<pid>/status (VmRSS, RssAnon, VmHWM, ...); empty once the process is gone."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if len(parts) == 2 and parts[1] == "kB":
                values[key] = int(parts[0])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return values


def mb(kb: float) -> str:
    return f"{kb / 1024:7.1f} MB"


def slope(points: list[tuple[int, int]]) -> float:
    """Least-squares kB per session."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--warm", type=int, default=10, help="session after which the process counts as warm")
    parser.add_argument("--service", default="meldebescheinigung")
    parser.add_argument("--csv", type=Path, help="write every sample (seconds, session, VmRSS kB, RssAnon kB)")
    parser.add_argument("--use-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    args = parser.parse_args()
    if args.sessions < 2:
        parser.error("--sessions must be at least 2 (the autopilot reports sessions only then)")
    warm = min(args.warm, max(1, args.sessions // 3))

    print(f"memory of `kiosk demo --autopilot {args.service} --sessions {args.sessions}` ({machine()})")
    samples: list[tuple[float, int, int, int]] = []  # seconds, sessions done, VmRSS, RssAnon
    at_session: dict[int, tuple[float, int, int]] = {}  # session -> seconds, VmRSS, RssAnon
    with Display(use_existing=args.use_display) as display, \
            tempfile.TemporaryDirectory(prefix="kiosk-bench-data-") as data:
        stderr_path = Path(data) / "stderr.txt"
        command = kiosk_command("demo", "--data", str(Path(data) / "demo"), "--autopilot", args.service,
                                "--lang", "de", "--sessions", str(args.sessions))
        with open(stderr_path, "wb") as stderr:
            started = time.monotonic()
            child = subprocess.Popen(command, cwd=REPO_ROOT, env=display.env(), stdout=subprocess.PIPE,
                                     stderr=stderr, stdin=subprocess.DEVNULL)
            selector = selectors.DefaultSelector()
            selector.register(child.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
            pending, done, next_sample, last_print, peak = b"", 0, started, started, 0
            while True:
                now = time.monotonic()
                if now >= next_sample:
                    status = read_status(child.pid)
                    if "VmRSS" in status:
                        samples.append((now - started, done, status["VmRSS"], status.get("RssAnon", 0)))
                        peak = max(peak, status.get("VmHWM", 0))
                    next_sample += SAMPLE_EVERY_S
                events = selector.select(timeout=max(0.0, next_sample - time.monotonic()))
                if not events:
                    if child.poll() is not None:
                        break
                    continue
                chunk = os.read(child.stdout.fileno(), 65536)  # type: ignore[union-attr]
                if not chunk:
                    break
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    match = DONE.match(raw.decode(errors="replace"))
                    if not match:
                        continue
                    done = int(match.group(1))
                    status = read_status(child.pid)
                    if "VmRSS" in status:
                        at_session[done] = (time.monotonic() - started, status["VmRSS"], status.get("RssAnon", 0))
                        samples.append((time.monotonic() - started, done, status["VmRSS"], status.get("RssAnon", 0)))
                    if done in (1, warm) or time.monotonic() - last_print > 60 or done == args.sessions:
                        last_print = time.monotonic()
                        print(f"  session {done:4d}  {time.monotonic() - started:7.1f} s  VmRSS {mb(status.get('VmRSS', 0))}"
                              f"  RssAnon {mb(status.get('RssAnon', 0))}", flush=True)
            child.wait()
            child.stdout.close()  # type: ignore[union-attr]
            elapsed = time.monotonic() - started
        if child.returncode != 0 or done < args.sessions:
            tail = stderr_path.read_text(errors="replace").splitlines()[-15:]
            print(f"  the run ended early: exit status {child.returncode} after {done} session(s); end of its stderr:\n    "
                  + "\n    ".join(tail))

    if args.csv:
        args.csv.write_text("seconds,sessions_done,vmrss_kb,rssanon_kb\n"
                            + "".join(f"{t:.2f},{d},{r},{a}\n" for t, d, r, a in samples))
        print(f"samples written to {args.csv}")
    if warm not in at_session or done not in at_session:
        print("not enough sessions finished to report growth")
        return
    (_, rss_warm, anon_warm), (_, rss_end, anon_end) = at_session[warm], at_session[done]
    per_session = [at_session[k][0] - at_session[k - 1][0] for k in range(2, done + 1)
                   if k in at_session and k - 1 in at_session]
    after_warm = [(k, v[1]) for k, v in sorted(at_session.items()) if k >= warm]
    print(f"\nVmRSS   after session {warm:<4d} (warm) {mb(rss_warm)}   after session {done:<4d} {mb(rss_end)}"
          f"   growth {(rss_end - rss_warm) / 1024:+.1f} MB")
    print(f"RssAnon after session {warm:<4d} (warm) {mb(anon_warm)}   after session {done:<4d} {mb(anon_end)}"
          f"   growth {(anon_end - anon_warm) / 1024:+.1f} MB")
    print(f"VmRSS after session 1 {mb(at_session[1][1]) if 1 in at_session else '-'}; peak (VmHWM) {mb(peak) if peak else '-'}"
          f"; trend after warm-up {slope(after_warm):+.1f} kB/session"
          f" (= {slope(after_warm) * 300 / 1024:+.1f} MB per 300 sessions)")
    if per_session:
        print(f"time: {elapsed:.0f} s for {done} sessions; per session median {statistics.median(per_session):.2f} s"
              f"  min {min(per_session):.2f}  max {max(per_session):.2f}")
    print("target: growth <= 5 MB (warm -> end)")


if __name__ == "__main__":
    main()
