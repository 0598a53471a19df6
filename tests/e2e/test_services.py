"""Every service in every language, walked by the scripted citizen through the real UI (typing on
the on-screen keyboard), and the UI audit over every screen; plus the `kiosk services` commands."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import REPO_ROOT, KioskConfig
from kiosk.forms.service import load_service, service_file
from kiosk.forms.validation import validate
from kiosk.i18n import LANGUAGES
from kiosk.outbox.store import EncryptedOutbox

pytestmark = pytest.mark.integration
SERVICES = KioskConfig().services.offered
SERVICE_DIR = REPO_ROOT / "config" / "services"


def kiosk(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}  # its own Xvfb
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO_ROOT, env=env)


def test_eight_services_in_seven_languages_are_offered() -> None:
    assert len(SERVICES) == 8 and len(LANGUAGES) == 7
    assert KioskConfig().language.offered == LANGUAGES


@pytest.mark.timeout(900)  # seven walks through the real UI, typing on the on-screen keyboard
@pytest.mark.parametrize("service_id", SERVICES)
def test_autopilot_walks_the_service_in_every_language(tmp_path: Path, service_id: str) -> None:
    data = tmp_path / "data"
    done = kiosk("demo", "--autopilot", service_id, "--lang", "all", "--data", str(data))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    shown = [line.split() for line in done.stdout.splitlines() if line[:2].isdigit()]
    for language in LANGUAGES:
        stages = [words[2] for words in shown if words[3] == language]
        ending = [stage for stage in stages if stage in ("REVIEW", "RECEIPT", "GOODBYE")]
        assert ending == ["REVIEW", "RECEIPT", "GOODBYE"], (language, stages)
        assert "FORM" in stages and "FAILSAFE" not in stages
    # Seven applications wait in the encrypted outbox, each valid data for the service.
    service = load_service(service_file(SERVICE_DIR, service_id))
    outbox = EncryptedOutbox(data / "outbox.sqlite3", data / "outbox.key")
    try:
        stored = [outbox.read(reference) for reference in outbox.references()]
    finally:
        outbox.close()
    assert sorted(a.language for a in stored) == sorted(LANGUAGES)
    for application in stored:
        assert application.service_id == service_id
        assert validate(service, application.data, dt.date.today()) == []


@pytest.mark.timeout(1800)  # about 1,700 screens
def test_ui_audit_finds_nothing_on_any_screen() -> None:
    done = kiosk("ui", "audit", "--json", timeout=1500)
    report = json.loads(done.stdout)
    assert report["findings"] == [], json.dumps(report["findings"][:20], ensure_ascii=False, indent=1)
    assert done.returncode == 0
    assert report["min_touch_target_mm"] >= KioskConfig().display.touch_target_mm
    assert report["min_contrast"] >= 4.5 and report["min_contrast_high_contrast"] >= 7.0
    # Every service page in every language and text size was measured, not just a few.
    assert report["screens"] >= 7 * 3 * sum(len(load_service(service_file(SERVICE_DIR, s)).steps) for s in SERVICES)


def test_services_list_json_names_every_service() -> None:
    done = kiosk("services", "list", "--json", timeout=60)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["id"] for r in rows] == list(SERVICES)
    assert all(r["title"] and set(r["titles"]) == set(LANGUAGES) for r in rows)


@pytest.mark.parametrize("service_id", SERVICES)
def test_services_example_is_data_that_validate_accepts(tmp_path: Path, service_id: str) -> None:
    example = kiosk("services", "example", service_id, timeout=60)
    assert example.returncode == 0, example.stderr
    data = tmp_path / "data.json"
    data.write_text(example.stdout, encoding="utf-8")
    done = kiosk("services", "validate", service_id, str(data), "--json", timeout=60)
    assert done.returncode == 0, done.stdout
    assert json.loads(done.stdout) == {"valid": True, "errors": []}


@pytest.mark.parametrize("language, expected", [
    ("de", "„Postleitzahl“: Eine Postleitzahl hat fünf Ziffern"),
    ("en", "a postcode has five digits"),
    ("pl", "„Kod pocztowy”"),
])
def test_services_validate_names_the_field_and_says_what_to_enter(tmp_path: Path, language: str,
                                                                   expected: str) -> None:
    data = json.loads(kiosk("services", "example", "meldebescheinigung", timeout=60).stdout)
    data["anschrift"]["plz"] = "5114"
    del data["familienname"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = kiosk("services", "validate", "meldebescheinigung", str(path), "--lang", language, "--json", timeout=60)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["valid"] is False
    fields = {e["field"]: e["message"] for e in report["errors"]}
    assert set(fields) == {"familienname", "anschrift.plz"}
    assert expected in fields["anschrift.plz"]


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not readable JSON"),
])
def test_services_validate_refuses_unreadable_data_with_a_clear_message(tmp_path: Path, content: str,
                                                                        problem: str) -> None:
    path = tmp_path / "data.json"
    path.write_text(content, encoding="utf-8")
    done = kiosk("services", "validate", "meldebescheinigung", str(path), timeout=60)
    assert done.returncode == 2
    assert str(path) in done.stderr and problem in done.stderr


def test_services_validate_an_unknown_service_names_the_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_text("{}", encoding="utf-8")
    done = kiosk("services", "validate", "gibtsnicht", str(path), timeout=60)
    assert done.returncode == 2
    assert "gibtsnicht.yaml: service definition not found" in done.stderr


def test_import_xdf_writes_a_service_the_terminal_loads(tmp_path: Path) -> None:
    source = REPO_ROOT / "tests" / "data" / "xdf" / "meldebescheinigung" / "S00000092V1.2_xdf2.xml"
    target = tmp_path / "meldebescheinigung-fim.yaml"
    done = kiosk("services", "import-xdf", str(source), "--id", "meldebescheinigung-fim", "--prefix", "MF",
                 "-o", str(target), timeout=60)
    assert done.returncode == 0, done.stderr
    service = load_service(target)
    assert service.fim["stammdatenschema"] == "S00000092"
    assert [f.path for f in service.fields()][:2] == ["antragsteller.vorname", "antragsteller.familienname"]


def test_import_xdf_names_the_missing_code_list() -> None:
    source = REPO_ROOT / "tests" / "data" / "xdf" / "kaputt" / "S00000093V1.0_fehlende_codeliste_xdf2.xml"
    done = kiosk("services", "import-xdf", str(source), timeout=60)
    assert done.returncode == 1
    assert "needs code list" in done.stderr and "--codelist" in done.stderr
