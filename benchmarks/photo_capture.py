"""From a compliant pose in front of the camera to the captured photo, through the real capture
loop: frame owner, live analysis of every frame, the steady time, the countdown, then the full
analysis of the still, the crop and the JPEG.

The camera is a paced source (15 fps, 960 x 1280 portrait, as the demo camera) showing the demo
video's citizen sitting too far away and to the side for 2 s, then in a compliant pose, each frame
moved by up to a pixel (a person holding still is never perfectly still). The time runs from the
first compliant frame the camera delivers to the photo reaching the screen's callback.

    .venv/bin/python benchmarks/photo_capture.py [--runs 5] [--fps 15]

Prints median, min and max, and the part the settings make the citizen wait (steady time and
countdown). Target: median <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import numpy as np

from _common import REPO_ROOT, machine

sys.path.insert(0, str(REPO_ROOT))

SIZE = (960, 1280)
AWAY_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fps", type=float, default=15.0)
    args = parser.parse_args()

    from kiosk.config import KioskConfig
    from kiosk.photo.capture import CaptureSettings

    photo = KioskConfig().photo
    settings = CaptureSettings(steady_s=photo.steady_s, countdown=photo.countdown,
                               countdown_step_s=photo.countdown_step_s, stall_s=photo.stall_s)
    waiting = settings.steady_s + settings.countdown * settings.countdown_step_s
    print(f"compliant pose -> captured photo, {SIZE[0]}x{SIZE[1]} at {args.fps:g} fps, {args.runs} runs ({machine()})")
    frames = scripted_frames()
    times = [one_run(frames, settings, args.fps) for _ in range(args.runs)]
    print("runs: " + ", ".join(f"{t:.2f} s" for t in times))
    print(f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s; "
          f"of which steady time + countdown (config) {waiting:.2f} s")
    print("target: median <= 2 s")


def scripted_frames() -> tuple[np.ndarray, np.ndarray]:
    from kiosk.photo import demo_video

    portrait = demo_video._portrait()
    away = demo_video.frame(portrait, demo_video.Pose(True, scale=0.55, x=0.30, y=0.50), *SIZE)
    here = demo_video.frame(portrait, demo_video.SCRIPT[-1][1], *SIZE)
    return away, here


class ScriptedCamera:
    """Away for AWAY_S, then compliant (jittered by a pixel); notes when the first compliant
    frame left the camera."""

    def __init__(self, frames: tuple[np.ndarray, np.ndarray], fps: float) -> None:
        from hardware.camera.pacing import Pacer

        self._away, self._here = frames
        self._pacer = Pacer(fps)
        self._rng = np.random.default_rng(0)
        self.opened_at = 0.0
        self.compliant_at: float | None = None

    def as_source(self):  # type: ignore[no-untyped-def]
        from hardware.camera.interface import FrameSource

        camera = self

        class Source(FrameSource):
            @property
            def resolution(self) -> tuple[int, int]:
                return SIZE

            def open(self) -> None:
                camera.opened_at = time.monotonic()
                camera._pacer.restart()

            def read(self) -> np.ndarray | None:
                time.sleep(camera._pacer.claim())
                now = time.monotonic()
                if now - camera.opened_at < AWAY_S:
                    return camera._away.copy()
                if camera.compliant_at is None:
                    camera.compliant_at = now
                dx, dy = camera._rng.integers(-1, 2, size=2)
                return np.roll(camera._here, (int(dy), int(dx)), axis=(0, 1))

            def close(self) -> None:
                pass

        return Source()


def one_run(frames: tuple[np.ndarray, np.ndarray], settings, fps: float) -> float:  # type: ignore[no-untyped-def]
    from hardware.camera import FrameOwner
    from kiosk.photo.analyzer import PhotoAnalyzer
    from kiosk.photo.capture import Callbacks, CaptureLoop
    from kiosk.photo.crop import cut, encode_jpeg

    camera = ScriptedCamera(frames, fps)
    loop = CaptureLoop(FrameOwner(camera.as_source(), stall_s=settings.stall_s),
                       lambda live: PhotoAnalyzer(live=live), cut, encode_jpeg, settings)
    taken: list[float] = []
    done = threading.Event()

    def photo(_p: object) -> None:
        taken.append(time.monotonic())
        done.set()

    loop.activate(Callbacks(status=lambda _s: None, photo=photo, failure=lambda r: (print(r), done.set())))
    done.wait(30)
    loop.close()
    if not taken or camera.compliant_at is None:
        raise SystemExit("no photo was taken")
    return taken[0] - camera.compliant_at


if __name__ == "__main__":
    main()
