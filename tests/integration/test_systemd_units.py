"""The unit files under systemd/, checked by the real systemd-analyze.

Needs the Debian package `systemd` (for `systemd-analyze` and the stock units in
/usr/lib/systemd/system). A missing systemd-analyze is a test failure, not a skip: CI installs it.

`systemd-analyze verify` checks that every Exec*= binary exists, and a developer's machine or CI
has neither cage nor the terminal's /opt/kiosk install. So each unit is verified inside a
throw-away root (`--root=`): the stock units copied from the host, the unit under test in
etc/systemd/system, and an executable stub for each binary it may start. Stubs exist only for the
paths in KNOWN_EXECUTABLES and under PROJECT_PREFIXES, so a misspelled ExecStart path still fails.

Note that `verify` exits 0 for an unknown directive or an unparsable value and only warns on
stderr, so the check looks at stderr too; test_verify_catches_broken_unit proves it does.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
UNIT_DIR = REPO / "systemd"
UNITS = sorted(UNIT_DIR.glob("*.service"))

# System binaries our units start, and the Debian package that installs each one on a terminal.
KNOWN_EXECUTABLES = {
    "/usr/bin/cage": "cage",
}
# Where our own software is installed on a terminal or server (not present on a dev machine).
PROJECT_PREFIXES = ("/opt/kiosk/",)

# Highest accepted `systemd-analyze security --offline=yes` exposure (0 best ... 10 worst) per unit.
# Measured with systemd 252 (Debian 12):
#   kiosk.service  2.1 OK (the same ExecStart with no hardening: 9.6 UNSAFE). What stays open is
#                  what a Wayland compositor on a seat with a GPU, a receipt printer, a camera and
#                  speech output needs: devices (PrivateDevices, DeviceAllow, ProtectClock), the
#                  network (PrivateNetwork, IPAddressDeny, AF_INET/AF_UNIX/AF_NETLINK),
#                  PrivateUsers, MemoryDenyWriteExecute (llvmpipe JIT), NotifyAccess=all,
#                  ProcSubset, SupplementaryGroups, @resources.
# The limit leaves 0.2 for other systemd versions' scoring. Dropping one small setting moves the
# score by 0.1, so test_kiosk_hardening_settings names each setting; the score catches the
# bigger losses (no CapabilityBoundingSet= alone: 4.3).
#   kiosk-backoffice.service  1.1 OK. What stays open: the network (PrivateNetwork, IPAddressDeny,
#                  AF_INET/AF_UNIX) that terminals and clerks reach it over, the host's root
#                  directory, and ProtectClock's char-rtc entry.
SECURITY_THRESHOLDS = {
    "kiosk.service": 2.3,
    "kiosk-backoffice.service": 1.3,
}

UNIT_IDS = [unit.name for unit in UNITS]


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.fail(
            "systemd-analyze not found on PATH: install the Debian package `systemd` "
            "(apt-get install -y systemd). These tests must not be skipped."
        )
    return path


@pytest.fixture(scope="session")
def host_unit_dir() -> Path:
    for candidate in ("/usr/lib/systemd/system", "/lib/systemd/system"):
        path = Path(candidate)
        if (path / "sysinit.target").exists():
            return path
    pytest.fail(
        "no stock systemd units found (sysinit.target in /usr/lib/systemd/system): "
        "install the Debian package `systemd`"
    )


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(LC_ALL="C", SYSTEMD_PAGER="", SYSTEMD_COLORS="0", SYSTEMD_LOG_COLOR="0")
    return env


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> every value assigned (systemd allows repeats), continuations joined."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"assignment outside a section: {line!r}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def exec_binaries(text: str) -> list[str]:
    """The binary of each Exec*= line, without systemd's prefixes (-, @, :, +, !)."""
    binaries = []
    for key, assigned in parse_unit(text).get("Service", {}).items():
        if not key.startswith("Exec") or key == "ExecSearchPath":
            continue
        for value in assigned:
            if value:
                binaries.append(shlex.split(value)[0].lstrip("-@:+!"))
    return binaries


def make_root(tmp_path: Path, host_units: Path, name: str, text: str) -> Path:
    root = tmp_path / "root"
    shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "etc/systemd/system" / name).write_text(text, encoding="utf-8")
    stubs = set(KNOWN_EXECUTABLES)
    stubs.update(b for b in exec_binaries(text) if b.startswith(PROJECT_PREFIXES))
    for binary in stubs:
        stub = root / binary.lstrip("/")
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text("#!/bin/sh\nexit 0\n")
        stub.chmod(0o755)
    return root


def verify_problems(
    analyze: str, host_units: Path, tmp_path: Path, name: str, text: str
) -> list[str]:
    """Everything `systemd-analyze verify` has to say about the unit; empty means clean."""
    root = make_root(tmp_path, host_units, name, text)
    proc = subprocess.run(
        [analyze, "verify", f"--root={root}", "--man=no", "--generators=no", name],
        capture_output=True, text=True, env=_env(), timeout=60,
    )
    problems = [line for line in proc.stderr.splitlines() if name in line]
    if proc.returncode != 0:
        problems.append(f"exit status {proc.returncode}; stderr:\n{proc.stderr}")
    return problems


def exposure(analyze: str, path: Path) -> float:
    proc = subprocess.run(
        [analyze, "security", "--offline=yes", "--no-pager", str(path)],
        capture_output=True, text=True, env=_env(), timeout=60,
    )
    assert proc.returncode == 0, f"systemd-analyze security failed:\n{proc.stderr}"
    match = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", proc.stdout)
    assert match, f"no exposure score in output:\n{proc.stdout}\n{proc.stderr}"
    return float(match.group(1))


def replace_line_start(text: str, old: str, new: str) -> str:
    """Replace `old` at the start of exactly one line (comments don't count)."""
    pattern = re.compile("^" + re.escape(old), re.MULTILINE)
    assert len(pattern.findall(text)) == 1, f"{old!r} must start exactly one line of the unit"
    return pattern.sub(lambda _match: new, text)


# --- every unit -----------------------------------------------------------------------------------


def test_there_are_units():
    assert UNITS, f"no *.service files in {UNIT_DIR}"


@pytest.mark.parametrize("unit", UNITS, ids=UNIT_IDS)
def test_unit_verifies_clean(unit, systemd_analyze, host_unit_dir, tmp_path):
    problems = verify_problems(
        systemd_analyze, host_unit_dir, tmp_path, unit.name, unit.read_text(encoding="utf-8")
    )
    assert problems == [], "systemd-analyze verify complains:\n" + "\n".join(problems)


@pytest.mark.parametrize("unit", UNITS, ids=UNIT_IDS)
def test_unit_starts_only_known_binaries(unit):
    for binary in exec_binaries(unit.read_text(encoding="utf-8")):
        assert binary in KNOWN_EXECUTABLES or binary.startswith(PROJECT_PREFIXES), (
            f"{unit.name} starts {binary}: add it to KNOWN_EXECUTABLES with the Debian package "
            "that installs it"
        )


@pytest.mark.parametrize("unit", UNITS, ids=UNIT_IDS)
def test_unit_security_exposure(unit, systemd_analyze):
    if unit.name not in SECURITY_THRESHOLDS:
        pytest.fail(
            f"no exposure threshold for {unit.name}: run `systemd-analyze security --offline=yes "
            f"{unit}` and record the score in SECURITY_THRESHOLDS"
        )
    score = exposure(systemd_analyze, unit)
    assert score <= SECURITY_THRESHOLDS[unit.name], (
        f"{unit.name} exposure {score} is above {SECURITY_THRESHOLDS[unit.name]}: "
        "a hardening setting was dropped or weakened"
    )


# --- the check has teeth --------------------------------------------------------------------------

KIOSK = UNIT_DIR / "kiosk.service"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Restart=always", "Restrat=always", "Unknown key 'Restrat'"),
        ("WatchdogSec=30", "WatchdogSec=banana", "banana"),
        ("ExecStart=/usr/bin/cage ", "ExecStart=/usr/bin/cgae ", "/usr/bin/cgae"),
        ("Type=notify", "Type=notfiy", "notfiy"),
    ],
    ids=["unknown-directive", "bad-value", "missing-binary", "bad-type"],
)
def test_verify_catches_broken_unit(old, new, expected, systemd_analyze, host_unit_dir, tmp_path):
    broken = replace_line_start(KIOSK.read_text(encoding="utf-8"), old, new)
    problems = verify_problems(systemd_analyze, host_unit_dir, tmp_path, KIOSK.name, broken)
    assert problems, f"verify accepted a unit with {new!r}"
    assert expected in "\n".join(problems)


def test_security_score_tells_bare_unit_apart(systemd_analyze, tmp_path):
    """The score parsed is a real one: the same service without its hardening scores far worse."""
    sections = parse_unit(KIOSK.read_text(encoding="utf-8"))
    bare = tmp_path / KIOSK.name
    bare.write_text(
        "[Service]\nType=notify\nExecStart=" + sections["Service"]["ExecStart"][0] + "\n",
        encoding="utf-8",
    )
    assert exposure(systemd_analyze, bare) > 8.0
    assert exposure(systemd_analyze, KIOSK) <= SECURITY_THRESHOLDS[KIOSK.name]


# --- what the kiosk unit must say -----------------------------------------------------------------


@pytest.fixture(scope="module")
def kiosk() -> dict[str, dict[str, list[str]]]:
    return parse_unit(KIOSK.read_text(encoding="utf-8"))


def single(section: dict[str, list[str]], key: str) -> str:
    values = section.get(key)
    assert values, f"{key}= missing"
    return values[-1]


def test_kiosk_is_a_watched_notify_service(kiosk):
    service = kiosk["Service"]
    assert single(service, "Type") == "notify"
    # The app sending READY=1/WATCHDOG=1 is cage's child, not the main process.
    assert single(service, "NotifyAccess") == "all"
    assert 0 < int(single(service, "WatchdogSec")) <= 60
    assert single(service, "Restart") == "always"


def test_kiosk_runs_unprivileged_with_persistent_state(kiosk):
    service = kiosk["Service"]
    assert single(service, "User") == "kiosk"
    assert "DynamicUser" not in service
    assert single(service, "StateDirectory") == "kiosk"
    # No MemoryDenyWriteExecute: Mesa llvmpipe's JIT needs W+X memory.
    assert service.get("MemoryDenyWriteExecute", ["no"])[-1] in ("no", "false", "0")


KIOSK_HARDENING = {
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateMounts": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectHostname": "yes",
    "ProtectProc": "invisible",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "RestrictRealtime": "yes",
    "LockPersonality": "yes",
    "RemoveIPC": "yes",
    "SystemCallArchitectures": "native",
    "UMask": "0077",
}


@pytest.mark.parametrize(("key", "value"), KIOSK_HARDENING.items(), ids=list(KIOSK_HARDENING))
def test_kiosk_hardening_settings(kiosk, key, value):
    assert key in kiosk["Service"], f"{key}= missing"
    assert kiosk["Service"][key][-1] == value


def test_kiosk_runs_the_app_under_cage_on_tty1(kiosk):
    service = kiosk["Service"]
    argv = shlex.split(single(service, "ExecStart"))
    assert argv[0] == "/usr/bin/cage"
    assert "--" in argv, "cage needs -- before the app's own options"
    cage_options, app = argv[1 : argv.index("--")], argv[argv.index("--") + 1 :]
    assert "-s" not in cage_options, "VT switching would let a citizen reach a console"
    assert Path(app[0]).name == "kiosk" and app[1] == "run"
    assert app[app.index("--config") + 1] == "/etc/kiosk/kiosk.toml"
    assert single(service, "TTYPath") == "/dev/tty1"
    assert single(service, "PAMName")
    environment = " ".join(service.get("Environment", []))
    assert "SDL_VIDEODRIVER=wayland" in environment
    assert "KIVY_WINDOW=sdl2" in environment
    assert "KIVY_NO_ARGS=1" in environment
    assert "getty@tty1.service" in " ".join(kiosk["Unit"].get("Conflicts", []))
    assert "graphical.target" in " ".join(kiosk["Install"].get("WantedBy", []))


# --- what the back office unit must say ---------------------------------------------------------

BACKOFFICE = UNIT_DIR / "kiosk-backoffice.service"


@pytest.fixture(scope="module")
def backoffice() -> dict[str, dict[str, list[str]]]:
    return parse_unit(BACKOFFICE.read_text(encoding="utf-8"))


def test_backoffice_serves_the_installed_config(backoffice):
    service = backoffice["Service"]
    argv = shlex.split(single(service, "ExecStart"))
    assert argv[0] == "/opt/kiosk/.venv/bin/kiosk-backoffice" and argv[1] == "serve"
    assert argv[argv.index("--config") + 1] == "/etc/kiosk/backoffice.toml"
    assert single(service, "Restart") == "on-failure"
    # exit status 2 is a bad config file: restarting cannot fix it
    assert "2" in single(service, "RestartPreventExitStatus").split()
    assert "multi-user.target" in " ".join(backoffice["Install"].get("WantedBy", []))


def test_backoffice_runs_unprivileged_with_persistent_state(backoffice):
    service = backoffice["Service"]
    # a static user: admins run add-user/add-terminal as it on the same SQLite file
    assert single(service, "User") == "kiosk-backoffice"
    assert "DynamicUser" not in service
    # the CLI's default data folder is where systemd puts the state directory
    from backoffice.config import ServerConfig

    assert Path("/var/lib") / single(service, "StateDirectory") == ServerConfig().data_dir
    assert single(service, "StateDirectoryMode") == "0700"


BACKOFFICE_HARDENING = {
    **KIOSK_HARDENING,
    "PrivateDevices": "yes",
    "PrivateUsers": "yes",
    "ProtectClock": "yes",
    "ProcSubset": "pid",
    "MemoryDenyWriteExecute": "yes",
    "DevicePolicy": "closed",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
}


@pytest.mark.parametrize(("key", "value"), BACKOFFICE_HARDENING.items(), ids=list(BACKOFFICE_HARDENING))
def test_backoffice_hardening_settings(backoffice, key, value):
    assert key in backoffice["Service"], f"{key}= missing"
    assert backoffice["Service"][key][-1] == value


def test_backoffice_bare_unit_scores_far_worse(systemd_analyze, tmp_path):
    sections = parse_unit(BACKOFFICE.read_text(encoding="utf-8"))
    bare = tmp_path / BACKOFFICE.name
    bare.write_text("[Service]\nExecStart=" + sections["Service"]["ExecStart"][0] + "\n", encoding="utf-8")
    assert exposure(systemd_analyze, bare) > 8.0
