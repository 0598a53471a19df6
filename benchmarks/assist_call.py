"""Video assist on loopback: how soon the clerk sees the citizen, and what the call costs the kiosk.

The real back office (a subprocess), the real clerk's console in headless Debian Chromium
(tests/browser.py, fake camera), the kiosk side as AssistCall on a NetworkLoop.

    .venv/bin/python benchmarks/assist_call.py [--runs 5] [--seconds 20]

(1) Help tap -> first decoded frame in the clerk's browser: from AssistCall.run starting to the
    console's inbound video framesDecoded > 0 (polled every 10 ms through Playwright). The
    console accepts by itself: a MutationObserver in the page clicks "Annehmen" as soon as the
    queue item appears. Also the WebRTC part alone: the kiosk's offer starting (createOffer and
    ICE gathering) -> framesDecoded > 0. Median/min/max of --runs calls.
(2) CPU of the kiosk side during a 640x480@30 call, over --seconds once the clerk sees frames:
    (a) `kiosk assist call --synthetic` as its own process (SyntheticVideoTrack + tone;
    /proc/PID/stat), (b) CameraTrack over a FrameOwner over SyntheticCamera 640x480@30 in this
    process (time.process_time, with the camera owner's thread on its own from
    /proc/self/task/TID/stat, since a real camera's capture costs far less than drawing the
    synthetic face). Percent of one core. Target: <= 40 %.
Prints numbers only; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, machine, summary

sys.path.insert(0, str(REPO_ROOT))

from tests.backoffice_process import BackofficeProcess  # noqa: E402
from tests.browser import INBOUND_STATS, chromium, login, new_page  # noqa: E402

PASSWORD = "correct horse battery staple"
AUTO_ACCEPT = """() => {
  const clicked = new WeakSet();  // each queue item's button once
  const click = () => {
    const button = document.querySelector('[data-testid="accept-call"]');
    if (button && !button.disabled && !clicked.has(button) && !window.consoleState.callId) {
      clicked.add(button);
      button.click();
    }
  };
  new MutationObserver(click).observe(document.body, {childList: true, subtree: true});
  click();
}"""
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(stat_path: str) -> float:
    fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def wait_decoded(page, at_least: int = 1, timeout: float = 20.0) -> float:
    deadline = time.monotonic() + timeout
    while page.evaluate(INBOUND_STATS)["video"] < at_least:
        if time.monotonic() > deadline:
            raise SystemExit(f"the clerk decoded fewer than {at_least} frames within {timeout} s")
        time.sleep(0.01)
    return time.monotonic()


def wait_idle(page, timeout: float = 15.0) -> None:
    """The console has no call any more (the kiosk hung up)."""
    deadline = time.monotonic() + timeout
    while page.evaluate("() => !!window.consoleState.callId"):
        if time.monotonic() > deadline:
            raise SystemExit("the console did not end the call")
        time.sleep(0.05)


def first_frame(page, bo: BackofficeProcess, token: str, runs: int) -> None:
    from video_assist.call import AssistCall, CallContext
    from video_assist.media import SyntheticVideoTrack, ToneTrack
    from video_assist.network import NetworkLoop

    tap, webrtc = [], []
    with NetworkLoop() as net:
        for _ in range(runs + 1):  # the first is a warm-up (codecs, page JIT)
            call = AssistCall(bo.url, token, CallContext(step="catalogue"), camera=SyntheticVideoTrack,
                              microphone=ToneTrack, wait_max_s=60)
            done = net.submit(call.run())
            seen = wait_decoded(page)
            while call.started_at is None or call.offer_started_at is None:
                time.sleep(0.001)
            tap.append(seen - call.started_at)
            webrtc.append(seen - call.offer_started_at)
            net.submit(call.hang_up()).result(10)
            done.result(10)
            wait_idle(page)
    print(f"(1) help tap -> first decoded frame in the clerk's browser: {summary(tap[1:], 's')}")
    print(f"    offer started -> framesDecoded > 0 (WebRTC alone):      {summary(webrtc[1:], 's')}")


def cpu_cli(page, bo: BackofficeProcess, token: str, seconds: float) -> float:
    process = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "assist", "call", "--synthetic", "--server",
                                bo.url, "--token", token], cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    try:
        wait_decoded(page, 30)
        stat = f"/proc/{process.pid}/stat"
        before, started = cpu_seconds(stat), time.monotonic()
        time.sleep(seconds)
        used, wall = cpu_seconds(stat) - before, time.monotonic() - started
        decoded = page.evaluate(INBOUND_STATS)["video"]
    finally:
        process.terminate()  # the citizen's hang-up
        process.wait(15)
    wait_idle(page)
    print(f"(2a) kiosk assist call --synthetic (own process): {100 * used / wall:.1f} % of one core over "
          f"{wall:.0f} s; the clerk decoded {decoded} frames in all")
    return 100 * used / wall


def cpu_camera(page, bo: BackofficeProcess, token: str, seconds: float) -> float:
    from hardware.camera import FrameOwner, SyntheticCamera
    from video_assist.call import AssistCall, CallContext
    from video_assist.media import CameraTrack, ToneTrack
    from video_assist.network import NetworkLoop

    with FrameOwner(SyntheticCamera(640, 480, fps=30)) as owner, NetworkLoop() as net:
        call = AssistCall(bo.url, token, CallContext(step="catalogue"), camera=lambda: CameraTrack(owner),
                          microphone=ToneTrack, wait_max_s=60)
        done = net.submit(call.run())
        wait_decoded(page, 30)
        owner_stat = f"/proc/self/task/{owner._thread.native_id}/stat"
        before, owner_before, started = time.process_time(), cpu_seconds(owner_stat), time.monotonic()
        time.sleep(seconds)
        wall = time.monotonic() - started
        used, owner_used = time.process_time() - before, cpu_seconds(owner_stat) - owner_before
        sent = call.peer.camera.frames if call.peer else 0
        net.submit(call.hang_up()).result(10)
        done.result(10)
    wait_idle(page)
    print(f"(2b) CameraTrack over FrameOwner(SyntheticCamera 640x480@30), this process: {100 * used / wall:.1f} % "
          f"of one core, of which the camera owner drawing the synthetic face {100 * owner_used / wall:.1f} %: "
          f"the call itself {100 * (used - owner_used) / wall:.1f} %; {sent} camera frames sent "
          f"({sent / wall:.1f} fps)")
    return 100 * (used - owner_used) / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-assist-") as tmp, BackofficeProcess(Path(tmp) / "bo") as bo:
        bo.add_user("anna", password=PASSWORD, display_name="Anna Schmidt")
        token = bo.add_terminal("bench-01", "Benchmark")
        bo.start()
        with chromium() as browser:
            context, page = new_page(browser)
            login(page, bo.url, "anna", PASSWORD)
            page.evaluate(AUTO_ACCEPT)
            first_frame(page, bo, token, args.runs)
            cli = [cpu_cli(page, bo, token, args.seconds)]
            camera = [cpu_camera(page, bo, token, args.seconds)]
            context.close()
    print(f"target <= 40 % of one core: (2a) {statistics.median(cli):.1f} %, (2b) call alone "
          f"{statistics.median(camera):.1f} %")


if __name__ == "__main__":
    main()
