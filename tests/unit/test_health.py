"""The health board: device states for operators, in memory and in a file, never citizen data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kiosk.health.board import HealthBoard, read


def test_states_are_written_on_change_and_summed_up(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    times = iter([100.0, 200.0, 300.0])
    board = HealthBoard(path, clock=lambda: next(times))
    board.report("camera", True, "ok", "camera /dev/video0: frames flowing")
    assert read(path)["ok"] is True
    board.report("camera", True, "ok", "camera /dev/video0: frames flowing")  # no change: not rewritten
    board.report("camera", False, "stalled", "camera /dev/video0: no frame for 3 s")
    report = read(path)
    assert report["ok"] is False
    assert report["components"]["camera"] == {"component": "camera", "ok": False, "state": "stalled",
                                              "message": "camera /dev/video0: no frame for 3 s", "since": 200.0}
    assert not list(tmp_path.glob("*.partial"))


def test_kiosk_health_prints_the_states_and_exits_1_when_one_is_not_ok(tmp_path: Path) -> None:
    board = HealthBoard(tmp_path / "health.json")
    board.report("camera", False, "unavailable", "camera /dev/video0: cannot open")
    run = subprocess.run([sys.executable, "-m", "kiosk.cli", "health", "--data", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "camera: NOT OK (unavailable since" in run.stdout and "cannot open" in run.stdout
    as_json = subprocess.run([sys.executable, "-m", "kiosk.cli", "health", "--data", str(tmp_path), "--json"],
                             capture_output=True, text=True, timeout=60)
    assert json.loads(as_json.stdout)["components"]["camera"]["state"] == "unavailable"


def test_kiosk_health_without_a_record_says_so(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "kiosk.cli", "health", "--data", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "no health recorded" in run.stderr
