"""The terminal's configuration: one typed model, the single source of truth.

Every option has a default, a description and its allowed values or range. The commented
default file (`config/kiosk.toml`) and `kiosk check-config` are both derived from this model,
so documentation and validation cannot drift apart (the pibooth lesson).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo

from hardware.printer.codepages import PREFERENCE
from kiosk.photo.rules import PhotoRules
from kiosk.section import Section

M = TypeVar("M", bound=BaseModel)

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = REPO_ROOT / "config" / "kiosk.toml"


class TerminalConfig(Section):
    """Who this terminal is."""

    id: str = Field("demo-01", description="Terminal id shown to operators and on receipts",
                    pattern=r"^[a-z0-9][a-z0-9-]{1,31}$")
    location: str = Field("Rathaus, Foyer", description="Where the terminal stands (shown to operators)",
                          min_length=1, max_length=80)
    opening_hours: str = Field("Mo-Fr 8:00-12:00, Do 14:00-18:00", description="Opening hours of the office "
                               "citizens turn to, printed on every receipt (empty: left out)", max_length=80)
    phone: str = Field("0761 201-0", description="Phone number for questions, printed on every receipt (empty: "
                                                 "left out)", max_length=40)


class DisplayConfig(Section):
    """The screen."""

    fullscreen: bool = Field(True, description="Fill the whole screen (turn off only for development)")
    orientation: Literal["landscape", "portrait"] = Field("landscape", description="How the screen is mounted")
    width: int = Field(1280, description="Window width in pixels when not full screen", ge=640, le=7680)
    height: int = Field(800, description="Window height in pixels when not full screen", ge=480, le=7680)
    dpi: int = Field(96, description="Physical pixel density of the screen, used to size touch targets",
                     ge=60, le=600)
    touch_target_mm: float = Field(12.0, description="Smallest touch target edge in millimetres (BITV: at least 9)",
                                   ge=9.0, le=30.0)
    low_layout_share: float = Field(0.6, description="With the low layout on (for wheelchair users), every control "
                                                     "lies in this lower share of the screen's height; set it so "
                                                     "its top edge is at most 1220 mm above the floor",
                                    ge=0.4, le=1.0)


LanguageCode = Literal["de", "en", "tr", "ar", "ru", "uk", "pl"]  # the catalogues in config/locale


class LanguageConfig(Section):
    """Languages offered to citizens."""

    @model_validator(mode="after")
    def _default_is_offered(self) -> LanguageConfig:
        if self.default not in self.offered:
            raise ValueError(f"default language '{self.default}' must be one of language.offered")
        return self

    default: LanguageCode = Field("de", description="Language of the welcome screen")
    offered: tuple[LanguageCode, ...] = Field(("de", "en", "tr", "ar", "ru", "uk", "pl"),
                                              description="Languages a citizen can choose, in this order",
                                              min_length=1)


class SessionConfig(Section):
    """Time limits of a citizen's session (BITV: announced and extendable)."""

    inactivity_s: int = Field(120, description="Seconds without a touch before asking 'Do you need more time?'",
                              ge=30, le=900)
    prompt_s: int = Field(30, description="Seconds the 'more time?' prompt counts down before the session ends",
                          ge=10, le=120)
    goodbye_s: int = Field(8, description="Seconds the goodbye screen stays before the welcome screen returns",
                           ge=3, le=60)


class PathsConfig(Section):
    """Where the terminal keeps its files."""

    data_dir: Path = Field(Path("/var/lib/kiosk"), description="Outbox, keys and logs (must be writable)")
    temp_dir: Path = Field(Path("/run/kiosk"), description="Per-session temporary files, wiped with the session")


CodePage = Literal[PREFERENCE]  # the tables the receipt layout can fill


class PrinterConfig(Section):
    """Receipt printer (ESC/POS on a serial line)."""

    @model_validator(mode="after")
    def _profile_has_the_codepages(self) -> PrinterConfig:
        from escpos.capabilities import get_profile

        missing = [name for name in self.codepages if name not in get_profile(self.profile).get_code_pages()]
        if missing:
            raise ValueError(f"printer profile '{self.profile}' has no code page {', '.join(missing)}")
        return self

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, name: str) -> str:
        from escpos.capabilities import get_profile

        try:
            get_profile(name)
        except Exception:  # python-escpos raises its own NotSupported, or KeyError
            raise ValueError(f"unknown printer profile '{name}' (see python-escpos' printer profiles, e.g. "
                             "TM-T20II, TM-T88V, POS-5890)") from None
        return name

    driver: Literal["serial", "emulator", "simulator"] = Field(
        "serial", description="serial: a printer on `port`; emulator: the built-in printer emulator on a pty pair "
                              "(demos: receipts go to the data folder's printer/); simulator: in memory (tests)")
    port: str = Field("/dev/ttyUSB0", description="The printer's serial port (a stable /dev/serial/by-id/ path "
                                                  "survives replugging)", min_length=1, max_length=300)
    baudrate: Literal[9600, 19200, 38400, 57600, 115200] = Field(
        9600, description="Baud rate set on the printer (8N1); a receipt of 2 KB takes 2.1 s at 9600")
    profile: str = Field("TM-T20II", description="python-escpos printer profile: its code page table is used")
    paper_mm: Literal[58, 80] = Field(80, description="Paper roll width in millimetres (58: 32 columns, 80: 48)")
    codepages: tuple[CodePage, ...] = Field(
        (), description="Code pages to print in, in this order, e.g. [\"CP858\"] for a printer whose other tables "
                        "print wrong letters; empty: chosen per receipt from the profile's tables (CP858 for German "
                        "and English, CP852 Polish, CP857 Turkish, CP1251 Russian and Ukrainian, CP864 Arabic); a "
                        "receipt no listed table can print comes out in German")
    qr: Literal["native", "raster"] = Field("native", description="native: the printer draws the QR code (GS ( k, "
                                                                  "few bytes); raster: sent as an image, for "
                                                                  "printers without QR support")
    status_timeout_s: float = Field(0.2, description="Seconds a status query waits for the printer's reply",
                                    ge=0.05, le=2.0)
    status_interval_s: float = Field(10.0, description="Seconds between status queries while idle (paper, cover, "
                                                       "errors go to the health state)", ge=1.0, le=300.0)


class CardReaderConfig(Section):
    """Smart-card reader."""

    driver: Literal["simulator"] = Field("simulator", description="Card reader driver (pcsc arrives with the eID issue)")


class CameraConfig(Section):
    """Camera for ID photos and video calls."""

    driver: Literal["device", "video", "synthetic"] = Field(
        "device", description="device: a camera (V4L2); video: a video file played in a loop (demos, tests); "
                              "synthetic: a drawn test pattern without a face")
    device: str = Field("/dev/video0", description="The camera: a device path or an index such as 0",
                        min_length=1, max_length=200)
    video: str = Field("", description="Video file for driver 'video'; empty: the demo video of a citizen, "
                                       "made once in the data folder", max_length=500)
    width: int = Field(1920, description="Frame width in pixels asked of the camera (a camera on its side: "
                                         "give the width of the picture as it arrives)", ge=160, le=3840)
    height: int = Field(1080, description="Frame height in pixels asked of the camera (the photo is at most "
                                          "0.97 of it tall; 827 x 1063 needs 1100 or more)", ge=120, le=3840)
    fps: int = Field(30, description="Frames per second asked of the camera", ge=1, le=60)


class PhotoConfig(PhotoRules):
    """Biometric photo capture, and the limit of each quality measure (ISO/IEC 29794-5 names)."""

    enabled: bool = Field(True, description="Take photos at the terminal; off: the photo step says what to do "
                                            "instead")
    retakes: int = Field(3, description="Photos a citizen may take after the first one", ge=0, le=10)
    steady_s: float = Field(0.5, description="Seconds every live check must pass before the countdown starts",
                            ge=0.1, le=3.0)
    countdown: int = Field(3, description="Numbers counted down aloud before the photo is taken", ge=0, le=5)
    countdown_step_s: float = Field(0.35, description="Seconds per number of the countdown", ge=0.2, le=1.5)
    stall_s: float = Field(3.0, description="Seconds without a camera frame before the citizen is told the "
                                            "camera does not work", ge=1.0, le=30.0)


class SpeechConfig(Section):
    """Speech output (read aloud)."""

    engine: Literal["espeak-ng", "memory"] = Field(
        "espeak-ng", description="espeak-ng plays through the headset jack; memory synthesises and keeps the audio "
                                 "(for demos and tests without a sound card)")
    rate_wpm: int = Field(150, description="Speaking rate in words per minute (slower helps many listeners)",
                          ge=80, le=300)


class ServicesConfig(Section):
    """Administrative services offered."""

    directory: Path = Field(Path("config/services"), description="Folder with one service definition per file "
                                                                 "(relative paths start at the installation folder)")
    offered: tuple[str, ...] = Field(("meldebescheinigung", "ummeldung", "hundeanmeldung", "fuehrungszeugnis",
                                      "passfoto", "termin", "anliegen", "rueckruf"),
                                     description="Service ids shown in the catalogue, in order (a broken or "
                                                 "missing definition is left out and named in the log)",
                                     min_length=1)


class AssistConfig(Section):
    """Video assist: the help button's live call to a remote clerk (WebRTC via the back office)."""

    server: str = Field("", description="Address of the back office, e.g. https://backoffice.example.org (empty: "
                                        "no video call; help offers the rest)", pattern=r"^(https?://[^\s]+)?$",
                        max_length=200)
    token_file: Path = Field(Path("/etc/kiosk/assist-token"), description="File holding this terminal's token from "
                                                                          "`kiosk-backoffice add-terminal` (mode 0600)")
    wait_max_s: int = Field(120, description="Seconds to wait for a clerk before offering a call back or going on "
                                             "alone (the citizen may keep waiting)", ge=15, le=1800)
    connect_timeout_s: float = Field(5.0, description="Seconds to reach the back office before saying it cannot "
                                                      "be reached", ge=1.0, le=60.0)
    microphone: Literal["alsa", "tone"] = Field("alsa", description="The citizen's voice: the ALSA microphone, or "
                                                                    "a test tone (simulator)")
    speaker: Literal["alsa", "none"] = Field("alsa", description="The clerk's voice: played on ALSA, or received and "
                                                                 "dropped (simulator)")
    audio_device: str = Field("default", description="ALSA device for microphone and speaker", min_length=1,
                              max_length=80)


class KioskConfig(Section):
    terminal: TerminalConfig = TerminalConfig()
    display: DisplayConfig = DisplayConfig()
    language: LanguageConfig = LanguageConfig()
    session: SessionConfig = SessionConfig()
    paths: PathsConfig = PathsConfig()
    printer: PrinterConfig = PrinterConfig()
    cardreader: CardReaderConfig = CardReaderConfig()
    camera: CameraConfig = CameraConfig()
    photo: PhotoConfig = PhotoConfig()
    speech: SpeechConfig = SpeechConfig()
    services: ServicesConfig = ServicesConfig()
    assist: AssistConfig = AssistConfig()


def installed(path: Path) -> Path:
    """Relative paths in the config start at the installation folder, not the working directory."""
    return path if path.is_absolute() else REPO_ROOT / path


class ConfigError(Exception):
    """Bad configuration; the message names the file, the key and what is allowed."""


def read_toml(path: Path, error: type[Exception], missing: str = "file not found") -> dict[str, Any]:
    """A TOML file's content; any problem becomes `error` with a message naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: {missing}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None


def load(path: Path, model: type[M] = KioskConfig, error: type[Exception] = ConfigError) -> M:  # type: ignore
    """Read and validate a config file of `model` (the kiosk's by default; the back office reuses
    this); raise `error` with an operator-readable message."""
    raw = read_toml(path, error)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error("\n".join(_describe(path, err, model) for err in exc.errors())) from None


def _describe(path: Path, err: dict[str, Any], model: type[BaseModel] = KioskConfig) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"{path}: unknown key '{key}'; allowed here: {', '.join(_siblings(err['loc'], model))}"
    if err["type"] == "value_error":  # a rule across keys, whose message says what is allowed
        return f"{path}: [{key}] {err['msg'].removeprefix('Value error, ')}"
    info = _field_info(err["loc"], model)
    allowed = f"; allowed: {allowed_values(info)}" if info is not None else ""
    return f"{path}: key '{key}': {err['msg']} (got {err.get('input')!r}){allowed}"


def _field_info(loc: tuple[Any, ...], model: type[BaseModel] = KioskConfig) -> FieldInfo | None:
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) and info is not None and _inner_model(info.annotation):
            continue  # an item of a list of tables: its keys follow
        if not isinstance(part, str) or part not in model.model_fields:
            return info
        info = model.model_fields[part]
        model = _inner_model(info.annotation) or model
    return info


def _siblings(loc: tuple[Any, ...], model: type[BaseModel] = KioskConfig) -> list[str]:
    for part in loc[:-1]:
        if isinstance(part, str):
            model = _inner_model(model.model_fields[part].annotation) or model
    return list(model.model_fields)


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The table model of a field that is a table or a list of tables, else None."""
    if get_origin(annotation) is tuple:
        annotation = get_args(annotation)[0]
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def allowed_values(info: FieldInfo) -> str:
    """Describe what an option accepts, from its type and constraints."""
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a table with the keys " + ", ".join(annotation.model_fields)
    item = get_args(annotation)[0] if get_origin(annotation) is tuple else None
    if isinstance(item, type) and issubclass(item, BaseModel):
        return "a list of tables with the keys " + ", ".join(item.model_fields)
    literal = _literal_choices(annotation)
    if literal:
        prefix = "a list of " if get_origin(annotation) is tuple else "one of "
        return prefix + ", ".join(repr(c) for c in literal)
    bounds = {type(m).__name__: m for m in info.metadata}
    low = getattr(bounds.get("Ge"), "ge", None)
    high = getattr(bounds.get("Le"), "le", None)
    kind = {bool: "true or false", int: "a whole number", float: "a number", Path: "a path"}.get(annotation, "text")
    if low is not None and high is not None:
        return f"{kind} from {low} to {high}"
    min_len = getattr(bounds.get("MinLen"), "min_length", None)
    max_len = getattr(bounds.get("MaxLen"), "max_length", None)
    if max_len is not None:
        return f"{kind} of {min_len or 0} to {max_len} characters"
    pattern = next((getattr(m, "pattern", None) for m in info.metadata if getattr(m, "pattern", None)), None)
    if pattern:
        return f"{kind} matching {pattern}"
    return kind


def _literal_choices(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    if get_origin(annotation) is tuple:
        return _literal_choices(get_args(annotation)[0])
    return ()


KIOSK_HEADER = ("# Bürgerterminal configuration. Generated from kiosk/config.py by `kiosk config-template`;\n"
                "# every key is optional and shows its default. Check a file with `kiosk check-config FILE`.")


def template(model: type[BaseModel] = KioskConfig, header: str = KIOSK_HEADER) -> str:
    """The commented default config file, generated from `model` (sections of Section models)."""
    out = [*header.splitlines(), ""]
    for name, section in model.model_fields.items():
        model = section.annotation
        out.append(f"[{name}]")
        out.append(f"# {model.__doc__.strip()}")  # type: ignore[union-attr]
        for key, info in model.model_fields.items():  # type: ignore[union-attr]
            out.append(f"# {info.description}. Allowed: {allowed_values(info)}.")
            out.append(f"{key} = {_toml_value(info.default)}")
        out.append("")
    return "\n".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
