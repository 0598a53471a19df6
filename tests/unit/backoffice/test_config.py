"""The back office config: defaults, the checked-in default file, and messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice import config
from backoffice.config import BackofficeConfig, ConfigError, ice_servers, load, template
from kiosk.config import allowed_values
from video_assist import messages


def load_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "backoffice.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    return str(info.value)


def test_checked_in_default_file_is_the_generated_template() -> None:
    # If this fails, regenerate: kiosk-backoffice config-template > config/backoffice.toml
    assert config.DEFAULT_TEMPLATE.read_text(encoding="utf-8") == template()


def test_template_loads_to_the_defaults_and_documents_every_key(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text(template(), encoding="utf-8")
    assert load(path) == BackofficeConfig()
    for section_name, section in BackofficeConfig.model_fields.items():
        assert f"[{section_name}]" in template()
        for key, info in section.annotation.model_fields.items():  # type: ignore[union-attr]
            assert f"# {info.description}. Allowed: {allowed_values(info)}.\n{key} = " in template()


def test_defaults() -> None:
    defaults = BackofficeConfig()
    assert (defaults.server.host, defaults.server.port) == ("127.0.0.1", 8470)
    assert defaults.server.data_dir == Path("/var/lib/kiosk-backoffice")
    assert (defaults.security.session_idle_min, defaults.security.session_max_h) == (60, 12)
    assert (defaults.security.login_attempts, defaults.security.login_window_s) == (5, 300)
    assert defaults.assist.ice_servers == () and defaults.assist.reconnect_grace_s == 20


def test_a_bad_value_names_file_key_and_allowed_values(tmp_path: Path) -> None:
    message = load_error(tmp_path, '[security]\nsecure_cookies = "sometimes"\n')
    assert str(tmp_path / "backoffice.toml") in message
    assert "security.secure_cookies" in message and "'auto', 'always', 'never'" in message


def test_an_out_of_range_number(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[server]\nport = 70000\n")
    assert "server.port" in message and "from 0 to 65535" in message


def test_an_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[assist]\nice_server = []\n")
    assert "unknown key 'assist.ice_server'" in message and "ice_servers, reconnect_grace_s" in message


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    message = load_error(tmp_path, "[server\nport = 1\n")
    assert str(tmp_path / "backoffice.toml") in message and "not valid TOML" in message


def test_a_bad_ice_server(tmp_path: Path) -> None:
    message = load_error(tmp_path, '[assist]\nice_servers = [{url = "stun:x"}]\n')
    assert "assist.ice_servers" in message and "urls" in message


def test_ice_servers_become_protocol_dicts(tmp_path: Path) -> None:
    path = tmp_path / "b.toml"
    path.write_text('[assist]\nice_servers = [{urls = ["stun:stun.example.org:3478"]}, '
                    '{urls = ["turn:turn.example.org:3478", "turns:turn.example.org:5349"], '
                    'username = "kiosk", credential = "s3cret"}]\n', encoding="utf-8")
    servers = ice_servers(load(path))
    assert servers == [{"urls": ["stun:stun.example.org:3478"]},
                       {"urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"],
                        "username": "kiosk", "credential": "s3cret"}]
    queued = messages.message("queued", call_id="abcdefgh", position=1, expected_wait_s=0, ice_servers=servers)
    assert messages.check(queued, messages.TO_TERMINAL) == queued


def test_coturn_example_names_what_goes_into_ice_servers(tmp_path: Path) -> None:
    """The [assist] block quoted in config/coturn.conf is valid back office config and uses the
    TURN ports and the user that file sets up."""
    text = (config.DEFAULT_TEMPLATE.parent / "coturn.conf").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = lines.index("#   [[assist.ice_servers]]")
    block = []
    for line in lines[start:]:
        if not line.startswith("#  "):
            break
        block.append(line.removeprefix("#  "))
    path = tmp_path / "b.toml"
    path.write_text("\n".join(block) + "\n", encoding="utf-8")
    servers = ice_servers(load(path))
    settings = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    turn = servers[-1]
    assert turn["username"] == settings["user"].split(":")[0]
    assert any(url.endswith(f":{settings['listening-port']}?transport=udp") for url in turn["urls"])
    assert any(url.startswith("turns:") and f":{settings['tls-listening-port']}" in url for url in turn["urls"])
    assert "no-multicast-peers" in lines and "denied-peer-ip=10.0.0.0-10.255.255.255" in lines
