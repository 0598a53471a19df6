"""The config model: defaults, the generated default file, and messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import config
from kiosk.config import ConfigError, KioskConfig, load, template


def write(tmp_path: Path, text: str | bytes, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load(path)
    return str(info.value)


def test_empty_file_loads_the_defaults(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, ""))
    assert cfg == KioskConfig()
    assert cfg.session.inactivity_s == 120
    assert cfg.session.prompt_s == 30
    assert cfg.display.orientation == "landscape"
    assert cfg.language.offered == ("de", "en", "tr", "ar", "ru", "uk", "pl")
    assert cfg.language.default == "de"
    assert cfg.services.offered == ("meldebescheinigung", "ummeldung", "hundeanmeldung", "fuehrungszeugnis",
                                    "passfoto", "termin", "anliegen", "rueckruf")


def test_checked_in_default_file_is_the_generated_template() -> None:
    # If this fails, regenerate: python -c "from kiosk.config import template; print(template(), end='')" > config/kiosk.toml
    assert config.DEFAULT_TEMPLATE.read_text(encoding="utf-8") == template()


def test_template_loads_to_the_defaults(tmp_path: Path) -> None:
    assert load(write(tmp_path, template())) == KioskConfig()


def test_template_documents_every_key_with_allowed_values() -> None:
    text = template()
    for section_name, section in KioskConfig.model_fields.items():
        assert f"[{section_name}]" in text
        for key, info in section.annotation.model_fields.items():  # type: ignore[union-attr]
            assert f"\n{key} = " in text
            assert f"# {info.description}. Allowed: {config.allowed_values(info)}." in text


def test_a_changed_value_is_read(tmp_path: Path) -> None:
    cfg = load(write(tmp_path, '[session]\ninactivity_s = 300\n[display]\norientation = "portrait"\n'))
    assert cfg.session.inactivity_s == 300
    assert cfg.display.orientation == "portrait"
    assert cfg.display.dpi == 96  # untouched keys keep their defaults


@pytest.mark.parametrize(("text", "key", "allowed"), [
    ("[session]\ninactivity_s = 5\n", "session.inactivity_s", "a whole number from 30 to 900"),
    ("[session]\ninactivity_s = 901\n", "session.inactivity_s", "a whole number from 30 to 900"),
    ('[display]\norientation = "diagonal"\n', "display.orientation", "one of 'landscape', 'portrait'"),
    ('[display]\ndpi = "high"\n', "display.dpi", "a whole number from 60 to 600"),
    ('[language]\noffered = ["fr"]\n', "language.offered", "a list of 'de', 'en', 'tr', 'ar', 'ru', 'uk', 'pl'"),
    ('[terminal]\nid = "Demo 01"\n', "terminal.id", "text matching ^[a-z0-9][a-z0-9-]{1,31}$"),
    ('[terminal]\nlocation = ""\n', "terminal.location", "text of 1 to 80 characters"),
    ("session = 3\n", "session", "a table with the keys inactivity_s, prompt_s, goodbye_s"),
    ("[printer]\nbaudrate = 9601\n", "printer.baudrate", "one of 9600, 19200, 38400, 57600, 115200"),
    ("[printer]\npaper_mm = 76\n", "printer.paper_mm", "one of 58, 80"),
    ('[printer]\ncodepages = ["CP999"]\n', "printer.codepages", "a list of 'CP858', 'CP852'"),
])
def test_bad_value_names_file_key_and_allowed_values(tmp_path: Path, text: str, key: str, allowed: str) -> None:
    path = write(tmp_path, text)
    message = load_error(path)
    assert str(path) in message
    assert f"'{key}" in message
    assert allowed in message


def test_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "[session]\ntimeout = 3\n")
    message = load_error(path)
    assert str(path) in message
    assert "unknown key 'session.timeout'" in message
    assert "inactivity_s, prompt_s, goodbye_s" in message


def test_unknown_section_lists_the_allowed_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "[sessions]\ninactivity_s = 60\n")
    message = load_error(path)
    assert str(path) in message
    assert "unknown key 'sessions'" in message
    assert ", ".join(KioskConfig.model_fields) in message


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, '[session]\ninactivity_s = 5\n[display]\norientation = "diagonal"\n'))
    assert "session.inactivity_s" in message
    assert "display.orientation" in message


def test_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[display\ndpi = 96\n")
    message = load_error(path)
    assert str(path) in message
    assert "not valid TOML" in message
    assert "line 1" in message


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "kiosk.toml"
    message = load_error(path)
    assert str(path) in message
    assert "not found" in message


def test_non_utf8_file_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[terminal]\nlocation = "Rathaus Gr\xfcnstadt"\n'.encode("latin-1"))
    message = load_error(path)
    assert str(path) in message
    assert "utf-8" in message


def test_relative_paths_start_at_the_installation_folder() -> None:
    assert config.installed(Path("config/services")) == config.REPO_ROOT / "config" / "services"
    assert config.installed(Path("/srv/services")) == Path("/srv/services")


def test_default_language_must_be_offered(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[language]\ndefault = "en"\noffered = ["de"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(caught.value) == f"{path}: [language] default language 'en' must be one of language.offered"


@pytest.mark.parametrize(("text", "expected"), [
    ('[printer]\nprofile = "TM-X999"\n', "unknown printer profile 'TM-X999'"),
    ('[printer]\nprofile = "POS-5890"\ncodepages = ["CP1125"]\n', "printer profile 'POS-5890' has no code page CP1125"),
])
def test_the_printer_profile_must_exist_and_have_the_code_pages(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in load_error(write(tmp_path, text))
