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


def test_the_printer_reaches_the_board_with_its_cause_and_near_end_as_a_warning(tmp_path: Path) -> None:
    from hardware.camera import FrameOwner, SyntheticCamera
    from hardware.printer import PaperStatus
    from hardware.printer.monitor import PrinterMonitor
    from hardware.printer.simulator import SimulatedPrinter
    from hardware.speech import MemorySpeaker
    from kiosk.app import Devices, watch_health

    printer = SimulatedPrinter(name="printer on /dev/ttyS0")
    devices = Devices(printer=printer, cardreader=None, camera=FrameOwner(SyntheticCamera(64, 64)),  # type: ignore[arg-type]
                      speaker=MemorySpeaker(150), printer_monitor=PrinterMonitor(printer, 60))
    board = HealthBoard(tmp_path / "health.json")
    watch_health(devices, board)
    monitor = devices.printer_monitor
    expected = [
        (PaperStatus.OK, True, "ok", "printer on /dev/ttyS0: ready"),
        (PaperStatus.NEAR_END, True, "paper_near_end", "printer on /dev/ttyS0: ready, paper near end (change the "
                                                       "roll soon)"),
        (PaperStatus.OUT, False, "paper_out", "printer on /dev/ttyS0: paper out: load a new paper roll"),
    ]
    for paper, ok, state, message in expected:
        printer.set_paper(paper)
        monitor.refresh()
        part = read(tmp_path / "health.json")["components"]["printer"]  # type: ignore[index]
        assert (part["ok"], part["state"], part["message"]) == (ok, state, message)
