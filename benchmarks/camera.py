"""Frames through the camera's FrameOwner: throughput, latency to consumers, CPU of decoding.

The camera is a video file (no camera on our machines, DOMAIN.md 2), written once into a
temporary directory: a portrait (matplotlib's public-domain grace_hopper.jpg) drifting slowly
with light sensor noise, 90 frames at 30 fps, at 640x480 and 1280x720, in mp4v .mp4 and in
MJPG .avi (what USB cameras send, so its decode cost is close to a real camera's).

For each file, each run starts a fresh FrameOwner(VideoFileCamera(...)):
- throughput: the file unpaced (fps=0), one eager consumer; frames the owner read per second
  and frames the consumer got per second (the owner drops what a consumer misses).
- latency: the file at its 30 fps, three consumers (as preview, photo pipeline and video call)
  each in a wait_for() loop; latency = the consumer's clock when wait_for() returned minus
  Frame.time (the owner's clock when source.read() returned).
- CPU: the file at 30 fps, one consumer; CPU time of the owner thread (/proc/self/task/TID/stat)
  and of the whole process, per wall second (100 % = one core). OpenCV's FFmpeg decodes with
  its own worker threads too, which is why both are shown.

    .venv/bin/python benchmarks/camera.py [--runs 5] [--seconds 2]

Prints medians (min/max) over the runs; no assertions. Other work on the machine moves the
numbers (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import REPO_ROOT, machine, percentile

sys.path.insert(0, str(REPO_ROOT))

import cv2  # noqa: E402  (after the path: the repository's hardware package)
import matplotlib.cbook  # noqa: E402
import numpy as np  # noqa: E402

from hardware.camera import FrameOwner, VideoFileCamera  # noqa: E402

SIZES = [(640, 480), (1280, 720)]
CODECS = [(".mp4", "mp4v"), (".avi", "MJPG")]
FILE_FRAMES, FILE_FPS = 90, 30.0
CONSUMERS = ("preview", "photo", "call")
TICKS = os.sysconf("SC_CLK_TCK")


def portrait_video(path: Path, fourcc: str, size: tuple[int, int]) -> Path:
    portrait = cv2.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    width, height = size
    # A bit larger than the frame, so a moving crop makes the drift.
    scaled = cv2.resize(portrait, (width + 40, height + 40), interpolation=cv2.INTER_AREA)
    rng = np.random.default_rng(7)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), FILE_FPS, size)
    for number in range(FILE_FRAMES):
        dx = int(20 + 15 * np.sin(2 * np.pi * number / FILE_FRAMES))
        dy = int(20 + 10 * np.sin(2 * np.pi * number / 45))
        frame = scaled[dy : dy + height, dx : dx + width].astype(np.int16)
        frame += rng.normal(0, 3, frame.shape).astype(np.int16)  # sensor noise
        writer.write(np.clip(frame, 0, 255).astype(np.uint8))
    writer.release()
    return path


def owner_for(path: Path, fps: float | None) -> FrameOwner:
    return FrameOwner(VideoFileCamera(path, fps=fps), stall_s=2.0, backoff_s=(0.5, 8.0))


def throughput(path: Path, seconds: float) -> tuple[float, float]:
    """(frames read per second, frames a consumer got per second), unpaced."""
    with owner_for(path, fps=0) as owner:
        first = owner.wait_for(after=0, timeout=10)
        started, got, last = time.monotonic(), 0, first
        while time.monotonic() - started < seconds:
            frame = owner.wait_for(after=last.number, timeout=5)
            if frame is not None:
                got, last = got + 1, frame
        elapsed = time.monotonic() - started
        read = owner.latest().number - first.number
    return read / elapsed, got / elapsed


def latency(path: Path, seconds: float) -> list[float]:
    """Milliseconds from read to each of three consumers' wait_for() return, file paced at 30 fps."""
    samples: list[float] = []
    lock = threading.Lock()
    with owner_for(path, fps=None) as owner:
        owner.wait_for(after=0, timeout=10)  # the file is open and playing
        deadline = time.monotonic() + seconds

        def consume() -> None:
            number, mine = 0, []
            while time.monotonic() < deadline:
                frame = owner.wait_for(after=number, timeout=1)
                if frame is not None:
                    mine.append((time.monotonic() - frame.time) * 1000)
                    number = frame.number
            with lock:
                samples.extend(mine[1:])  # the first may be a frame from before the loop

        threads = [threading.Thread(target=consume, name=name) for name in CONSUMERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return samples


def thread_cpu_s(native_id: int) -> float:
    fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def cpu_share(path: Path, seconds: float) -> tuple[float, float]:
    """(% of a core for the owner thread, % for the whole process) playing at 30 fps."""
    with owner_for(path, fps=None) as owner:
        frame = owner.wait_for(after=0, timeout=10)
        owner_thread = next(t for t in threading.enumerate() if t.name == "camera-owner")
        thread_before, process_before = thread_cpu_s(owner_thread.native_id), time.process_time()
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            frame = owner.wait_for(after=frame.number, timeout=5) or frame
        wall = time.monotonic() - started
        thread_cpu = thread_cpu_s(owner_thread.native_id) - thread_before
        process_cpu = time.process_time() - process_before
    return 100 * thread_cpu / wall, 100 * process_cpu / wall


def median_range(values: list[float], unit: str, digits: int = 1) -> str:
    return (f"{statistics.median(values):.{digits}f} {unit} "
            f"({min(values):.{digits}f}–{max(values):.{digits}f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each run (default 2)")
    args = parser.parse_args()
    print(f"camera FrameOwner on video files, {args.runs} runs x {args.seconds:g} s "
          f"(OpenCV {cv2.__version__}, cv2 threads {cv2.getNumThreads()}; {machine()})")
    with tempfile.TemporaryDirectory(prefix="camera-bench-") as folder:
        for width, height in SIZES:
            for suffix, fourcc in CODECS:
                path = portrait_video(Path(folder) / f"portrait_{width}x{height}{suffix}", fourcc,
                                      (width, height))
                measure(path, f"{width}x{height} {fourcc}", args.runs, args.seconds)
    print(f"done ({machine()})")


def measure(path: Path, label: str, runs: int, seconds: float) -> None:
    read_fps, got_fps, lat, thread_pct, process_pct = [], [], [], [], []
    for _ in range(runs):
        read, got = throughput(path, seconds)
        read_fps.append(read)
        got_fps.append(got)
    for _ in range(runs):
        lat.extend(latency(path, seconds))
    for _ in range(runs):
        thread, process = cpu_share(path, seconds)
        thread_pct.append(thread)
        process_pct.append(process)
    print(f"\n{label} ({path.stat().st_size / 1e6:.1f} MB for {FILE_FRAMES} frames)")
    print(f"  unpaced: owner reads {median_range(read_fps, 'fps', 0)}, "
          f"an eager consumer gets {median_range(got_fps, 'fps', 0)}")
    print(f"  at 30 fps, read -> wait_for() return, 3 consumers: median {statistics.median(lat):.2f} ms, "
          f"p90 {percentile(lat, 0.9):.2f} ms, p99 {percentile(lat, 0.99):.2f} ms, max {max(lat):.2f} ms "
          f"(n={len(lat)})")
    print(f"  at 30 fps, CPU: owner thread {median_range(thread_pct, '%')} of a core, "
          f"whole process {median_range(process_pct, '%')}")


if __name__ == "__main__":
    main()
