"""Live photo guidance: the time to assess one 640 × 480 camera frame, as the preview does for every frame.

A `PhotoAnalyzer(live=True)` (FaceMesh tracking, the live subset of measures on the face inside
the clamped photo box) assesses 300 frames per portrait after 20 warm-up frames. The frames are
a portrait keeping roughly still: each one moved, turned and sized a little at random
(kiosk.photo.samples.moving_frames), so the tracker works as it does on a real citizen. Making the
frames is not timed. The process is pinned to one core (os.sched_setaffinity(0, {0})) so the
number says what one core of the terminal can do; `--all-cores` lifts that.

    .venv/bin/python benchmarks/photo_live.py [--frames 300] [--all-cores]

Prints median, p90 and max per frame in ms, for the whole assessment and for FaceMesh alone
(a separate run over the same frames). Target: median <= 15 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from _common import REPO_ROOT, machine, percentile

sys.path.insert(0, str(REPO_ROOT))

WARM_UP = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=300, help="measured frames per portrait (default 300)")
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to core 0")
    args = parser.parse_args()
    if not args.all_cores:
        os.sched_setaffinity(0, {0})
    cores = "all cores" if args.all_cores else "pinned to core 0"

    from kiosk.photo.samples import bases, moving_frames

    print(f"live photo check, 640 x 480 frames, {args.frames} per portrait + {WARM_UP} warm-up, {cores} ({machine()})")
    everything: list[float] = []
    for name, (scene, _box) in bases().items():
        frames = moving_frames(scene, args.frames + WARM_UP, (640, 480), seed=1)
        assess_ms, compliant = time_analyzer(frames)
        mesh_ms = time_facemesh(frames)
        everything += assess_ms
        print(f"{name:<14} assess_frame {stats(assess_ms)}   FaceMesh alone {stats(mesh_ms)}   "
              f"compliant {compliant}/{len(assess_ms)}")
    print(f"all {len(everything)} frames: {stats(everything)}")
    print("target: median <= 15 ms")


def time_analyzer(frames: list) -> tuple[list[float], int]:  # type: ignore[type-arg]
    from kiosk.photo.analyzer import PhotoAnalyzer

    times, compliant = [], 0
    with PhotoAnalyzer(live=True) as analyzer:
        for number, frame in enumerate(frames):
            started = time.perf_counter()
            result = analyzer.assess_frame(frame)
            if number >= WARM_UP:
                times.append((time.perf_counter() - started) * 1000)
                compliant += result.compliant
    return times, compliant


def time_facemesh(frames: list) -> list[float]:  # type: ignore[type-arg]
    from kiosk.photo.landmarks import Landmarker

    landmarker, times = Landmarker(live=True), []
    for number, frame in enumerate(frames):
        started = time.perf_counter()
        landmarker.faces(frame)
        if number >= WARM_UP:
            times.append((time.perf_counter() - started) * 1000)
    landmarker.close()
    return times


def stats(values: list[float]) -> str:
    return (f"median {statistics.median(values):5.2f} ms  p90 {percentile(values, 0.9):5.2f}  "
            f"max {max(values):6.2f}")


if __name__ == "__main__":
    main()
