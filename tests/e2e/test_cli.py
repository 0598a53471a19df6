"""The `kiosk` command as an operator and a developer use it, in real subprocesses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import REPO_ROOT, KioskConfig

pytestmark = pytest.mark.integration


def kiosk(*args: str, timeout: float = 240, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT, env=env)


def test_check_config_accepts_the_shipped_default_file() -> None:
    done = kiosk("check-config", str(REPO_ROOT / "config" / "kiosk.toml"))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_check_config_names_file_key_and_allowed_values(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text('[display]\norientation = "diagonal"\n[session]\ninactivity_s = 5\n', encoding="utf-8")
    done = kiosk("check-config", str(bad))
    assert done.returncode == 1
    assert f"{bad}: key 'display.orientation'" in done.stderr
    assert "'landscape', 'portrait'" in done.stderr
    assert "key 'session.inactivity_s'" in done.stderr and "from 30 to 900" in done.stderr


def test_run_refuses_to_start_on_bad_config_with_the_same_message(tmp_path: Path) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[session]\ntimeout = 3\n", encoding="utf-8")
    done = kiosk("run", "--config", str(bad), timeout=30)
    assert done.returncode == 2
    assert "not starting" in done.stderr
    assert f"{bad}: unknown key 'session.timeout'; allowed here: inactivity_s, prompt_s, goodbye_s" in done.stderr


def test_config_template_reproduces_the_checked_in_file() -> None:
    done = kiosk("config-template")
    assert done.stdout == (REPO_ROOT / "config" / "kiosk.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("language", ["de", "en"])
def test_autopilot_walks_the_service_and_comes_back_wiped(tmp_path: Path, language: str) -> None:
    shots, data = tmp_path / "shots", tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}  # starts its own Xvfb
    done = kiosk("demo", "--autopilot", "meldebescheinigung", "--lang", language, "--screenshots", str(shots),
                 "--data", str(data), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line[:2].isdigit()]
    stages = [line.split()[2] for line in lines]
    assert stages == ["WELCOME", "LANGUAGE", "CATALOGUE", "FORM", "FORM", "FORM", "REVIEW", "RECEIPT",
                      "GOODBYE", "WELCOME"]
    assert all(line.split()[3] == language for line in lines[2:-1])
    assert lines[-1].split()[3] == "de"  # the next citizen starts in the default language
    pngs = sorted(p.name for p in shots.glob("*.png"))
    assert len(pngs) == 11 and any("receipt-paper" in name for name in pngs)
    assert all((shots / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for name in pngs)
    # The application waits in the encrypted outbox: one row, and no answer in plain text.
    with sqlite3.connect(data / "outbox.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 1
    raw = b"".join(p.read_bytes() for p in data.glob("outbox.sqlite3*"))
    assert "Mustermann-Öztürk".encode() not in raw
    # Nothing of the citizen's answers in the log, and no leftover session files.
    log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "Mustermann" not in log and "Heidestraße" not in log
    assert not any((data / "tmp").glob("session-*")) if (data / "tmp").exists() else True


def test_autopilot_rejects_an_unknown_service() -> None:
    done = kiosk("demo", "--autopilot", "hundesteuer", timeout=30)
    assert done.returncode == 2
    offered = ", ".join(KioskConfig().services.offered)
    assert f"service 'hundesteuer' is not offered; offered: {offered}" in done.stderr


def services_config(tmp_path: Path, directory: Path, offered: list[str]) -> Path:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\ntemp_dir = "{tmp_path / "tmp"}"\n'
                      f'[services]\ndirectory = "{directory}"\noffered = {offered!r}\n'.replace("'", '"'),
                      encoding="utf-8")
    return config


def test_run_refuses_to_start_when_no_service_loads(tmp_path: Path) -> None:
    services = tmp_path / "services"
    services.mkdir()
    (services / "ummeldung.yaml").write_text("id: ummeldung\ntitle: [\n", encoding="utf-8")
    done = kiosk("run", "--config", str(services_config(tmp_path, services, ["meldebescheinigung", "ummeldung"])),
                 timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "kiosk: not starting: no service could be loaded" in done.stderr
    assert f"{services / 'meldebescheinigung.yaml'}: service definition not found" in done.stderr
    assert f"{services / 'ummeldung.yaml'}: not valid YAML" in done.stderr


def test_a_broken_service_is_left_out_and_the_others_work(tmp_path: Path) -> None:
    services = tmp_path / "services"
    services.mkdir()
    (services / "meldebescheinigung.yaml").write_bytes((REPO_ROOT / "config" / "services" /
                                                        "meldebescheinigung.yaml").read_bytes())
    (services / "ummeldung.yaml").write_text("id: ummeldung\ntitle: [\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    config = services_config(tmp_path, services, ["ummeldung", "meldebescheinigung"])
    done = kiosk("demo", "--config", str(config), "--autopilot", "meldebescheinigung", "--data",
                 str(tmp_path / "data"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RECEIPT" in done.stdout
    log = (tmp_path / "data" / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert f"service left out: {services / 'ummeldung.yaml'}: not valid YAML" in log


def test_terminal_tells_systemd_it_is_ready_and_alive(tmp_path: Path) -> None:
    """READY=1 once the welcome screen is drawn and WATCHDOG=1 from the UI loop, on a real
    notification socket as systemd would give it (Type=notify, WatchdogSec in the unit)."""
    import socket

    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(address)
        sock.settimeout(0.2)
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env["NOTIFY_SOCKET"] = address
        # One session of the scripted citizen, who types every answer key by key on the on-screen
        # keyboard, outlasts the 5 s watchdog interval several times: the loop's own WATCHDOG=1 is seen.
        started = time.monotonic()
        done = kiosk("demo", "--autopilot", "meldebescheinigung", "--data", str(tmp_path / "data"), env=env)
        assert time.monotonic() - started > 10, "too short a run to see the watchdog"
        assert done.returncode == 0, done.stderr
        messages = []
        while True:
            try:
                messages.append(sock.recv(4096).decode())
            except TimeoutError:
                break
    assert "READY=1" in messages[0].splitlines()
    assert any(m.splitlines() == ["WATCHDOG=1"] for m in messages[1:]), messages  # from the UI loop


def test_usage_statistics_after_two_walked_sessions(tmp_path: Path) -> None:
    import json

    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = kiosk("demo", "--autopilot", "meldebescheinigung", "--sessions", "2", "--data", str(data), env=env)
    assert done.returncode == 0, done.stderr
    report = kiosk("usage", "--data", str(data), "--json")
    assert report.returncode == 0, report.stderr
    usage = json.loads(report.stdout)["meldebescheinigung"]
    assert (usage["started"], usage["completed"], usage["abandoned"]) == (2, 2, {})
    assert usage["median_duration_s"] == 60  # the scripted citizen needs seconds
    text = kiosk("usage", "--data", str(data))
    assert "meldebescheinigung: started 2, completed 2, help 0, median duration ≤ 60 s, abandoned: none" \
        in text.stdout


def test_usage_without_data_says_so(tmp_path: Path) -> None:
    done = kiosk("usage", "--data", str(tmp_path))
    assert done.returncode == 1
    assert f"{tmp_path / 'usage.sqlite3'}: no usage recorded yet" in done.stderr
