"""The `kiosk` command: run, demo (with an optional scripted citizen), check-config."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from kiosk import config as cfg
from kiosk import printer_commands, service_commands

DEMO_DATA = cfg.REPO_ROOT / "var" / "demo"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Bürgerterminal: self-service citizen terminal")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the terminal (production)")
    run.add_argument("--config", type=Path, default=cfg.DEFAULT_PATH, help=f"config file (default {cfg.DEFAULT_PATH})")
    run.set_defaults(handler=_run)

    demo = commands.add_parser("demo", help="run with simulated devices and local data in var/demo")
    demo.add_argument("--config", type=Path, help="config file to start from (default: built-in defaults)")
    demo.add_argument("--autopilot", metavar="SERVICE_ID", help="a scripted citizen walks this service")
    demo.add_argument("--lang", default="de", help="language(s) the scripted citizen chooses: a code, codes "
                                                   "separated by commas, or 'all' (default de)")
    demo.add_argument("--screenshots", type=Path, metavar="DIR", help="write one PNG per screen to DIR")
    demo.add_argument("--data", type=Path, default=DEMO_DATA, help=f"where the demo keeps its data (default {DEMO_DATA})")
    demo.add_argument("--sessions", type=int, help="how many sessions the autopilot walks (default: one per language)")
    demo.set_defaults(handler=_demo)

    check = commands.add_parser("check-config", help="check a config file; exit 0 when it is good")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=_check_config)

    usage = commands.add_parser("usage", help="usage statistics per service (counts, never people)")
    _data_folder_option(usage)
    usage.add_argument("--json", action="store_true", help="print JSON")
    usage.set_defaults(handler=_usage)

    health = commands.add_parser("health", help="the running terminal's device states; exit 1 when one is not ok")
    _data_folder_option(health)
    health.add_argument("--json", action="store_true", help="print JSON")
    health.set_defaults(handler=_health)

    _services_parser(commands)
    _photo_parser(commands)
    _printer_parser(commands)
    _assist_parser(commands)  # video assist: `kiosk assist call` (kiosk/assist_commands.py)

    ui = commands.add_parser("ui", help="check the screens")
    ui_verbs = ui.add_subparsers(required=True, metavar="VERB")
    audit = ui_verbs.add_parser("audit", help="walk every screen of every service in every language and text size; "
                                              "exit 0 when nothing was found")
    audit.add_argument("--json", action="store_true", help="print JSON")
    audit.add_argument("--lang", action="append", help="only this language (repeatable; default all offered)")
    audit.add_argument("--sizes", default="100,150,200", help="text sizes in percent (default 100,150,200)")
    audit.add_argument("--config", type=Path, help="config file to start from (default: built-in defaults)")
    audit.add_argument("--screenshots", type=Path, metavar="DIR", help="write one PNG per measured screen to DIR")
    audit.set_defaults(handler=_ui_audit)

    texts = commands.add_parser("translations", help="update the gettext catalogues, or list missing translations")
    texts.add_argument("verb", choices=("update", "check"))
    texts.set_defaults(handler=_translations)

    template = commands.add_parser("config-template", help="print the commented default config")
    template.set_defaults(handler=lambda _args: sys.stdout.write(cfg.template()) and 0)
    return parser


def _services_parser(commands: argparse._SubParsersAction) -> None:
    services = commands.add_parser("services", help="the service definitions: list, example, validate, import")
    services.add_argument("--config", type=Path, help="the terminal's config file (default: built-in defaults)")
    verbs = services.add_subparsers(required=True, metavar="VERB")
    listing = verbs.add_parser("list", help="the offered services, and the broken ones left out")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=lambda a: service_commands.list_services(_services_config(a), a.json))
    example = verbs.add_parser("example", help="print a service's example answers as JSON data")
    example.add_argument("service_id")
    example.set_defaults(handler=lambda a: service_commands.example(_services_config(a), a.service_id))
    validate = verbs.add_parser("validate", help="check JSON data for a service; exit 0 when valid")
    validate.add_argument("service_id")
    validate.add_argument("data", type=Path, metavar="DATA.json")
    validate.add_argument("--lang", default="de", help="language of the messages (default de)")
    validate.add_argument("--json", action="store_true", help="print JSON")
    validate.set_defaults(handler=lambda a: service_commands.validate(_services_config(a), a.service_id, a.data,
                                                                      a.lang, a.json))
    xdf = verbs.add_parser("import-xdf", help="turn a FIM XDatenfelder 2.0 Stammdatenschema into a service")
    xdf.add_argument("file", type=Path, metavar="FILE.xml")
    xdf.add_argument("--id", dest="service_id", help="the service id (default: from the schema's name)")
    xdf.add_argument("--prefix", help="the reference prefix, 2–3 capitals (default: from the id)")
    xdf.add_argument("--codelist", type=Path, action="append", default=[], metavar="FILE",
                     help="a Genericode code list file (files next to FILE.xml are found by themselves)")
    xdf.add_argument("-o", "--output", type=Path, help="write the YAML here (default: print it)")
    xdf.set_defaults(handler=service_commands.import_xdf)


def _data_folder_option(parser: argparse.ArgumentParser) -> None:
    """--config (the terminal's data folder from its config) or --data (a folder, e.g. var/demo)."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--config", type=Path, default=cfg.DEFAULT_PATH, help="the terminal's config file")
    where.add_argument("--data", type=Path, help="a data folder instead, e.g. var/demo")


def _data_folder(args: argparse.Namespace) -> Path | None:
    """The folder --data or --config names; None (the reason printed) when the config is bad."""
    if args.data is not None:
        return args.data
    config = _load(args.config)
    return None if config is None else config.paths.data_dir


def _photo_parser(commands: argparse._SubParsersAction) -> None:
    photo = commands.add_parser("photo", help="the biometric photo check: assess photos, cut a photo from a frame")
    verbs = photo.add_subparsers(required=True, metavar="VERB")
    assess = verbs.add_parser("assess", help="check finished photos; exit 0 when every file could be read")
    assess.add_argument("images", type=Path, nargs="+", metavar="IMAGE")
    assess.add_argument("--json", action="store_true", help="print one JSON object per image and line")
    assess.add_argument("--lang", default="en", help="language of the guidance (default en)")
    assess.set_defaults(handler=lambda a: _photo_commands().assess(a.images, a.json, a.lang))
    crop = verbs.add_parser("crop", help="treat IMAGE as a camera frame and write the compliant photo; exit 1 "
                                         "when the frame does not give one")
    crop.add_argument("image", type=Path, metavar="IMAGE")
    crop.add_argument("out", type=Path, metavar="OUT.jpg")
    crop.add_argument("--lang", default="en", help="language of the guidance (default en)")
    crop.set_defaults(handler=lambda a: _photo_commands().crop(a.image, a.out, a.lang))
    cases = verbs.add_parser("cases", help="write the test cases derived from the portraits, with cases.json")
    cases.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    cases.set_defaults(handler=lambda a: _photo_commands().write_cases(a.out_dir))


def _printer_parser(commands: argparse._SubParsersAction) -> None:
    printer = commands.add_parser("printer", help="the receipt printer: status, a test receipt, an emulator")
    verbs = printer.add_subparsers(required=True, metavar="VERB")
    status = verbs.add_parser("status", help="ask the printer (DLE EOT 1-4); exit 0 when it can print, 1 when not")
    _serial_options(status)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=lambda a: printer_commands.status(_serial(a), a.json))
    test = verbs.add_parser("test-receipt", help="print a sample receipt; exit 0 when it came out, 1 with the "
                                                 "reason when not")
    _serial_options(test)
    test.add_argument("--lang", default="de", choices=cfg.LanguageConfig().offered, help="language (default de)")
    test.add_argument("--code", default="MB-7K3Q-9XZ2", help="the code printed large and as QR code")
    test.add_argument("--paper", type=int, choices=(58, 80), help="paper width in mm (default: the config's)")
    test.add_argument("--qr", choices=("native", "raster"), help="QR code kind (default: the config's)")
    test.set_defaults(handler=lambda a: printer_commands.test_receipt(_serial(a), a.lang, a.code))
    emulate = verbs.add_parser("emulate", help="be a receipt printer on a serial line (pty); write each receipt as "
                                               ".bin, .txt and .png; read mode changes from stdin, one per line")
    emulate.add_argument("--link", type=Path, required=True, metavar="PATH",
                         help="the printer's end of the line (with --pair: where to create it)")
    emulate.add_argument("--out", type=Path, default=Path("out/printer"), metavar="DIR",
                         help="where receipts are written (default out/printer)")
    emulate.add_argument("--mode", default="ready", help=f"state at start: {printer_commands.MODES} (default ready)")
    emulate.add_argument("--pair", type=Path, metavar="PATH",
                         help="start a socat pty pair: the emulator on --link, the terminal connects to PATH")
    emulate.set_defaults(handler=lambda a: printer_commands.emulate(a.link, a.out, a.mode, a.pair))


def _assist_parser(commands: argparse._SubParsersAction) -> None:
    """`kiosk assist …`: video assist from the command line (logic in kiosk/assist_commands.py)."""
    assist = commands.add_parser("assist", help="video assist: place a call to a clerk from the command line")
    verbs = assist.add_subparsers(required=True, metavar="VERB")
    call = verbs.add_parser("call", help="call a clerk through the back office; exit 0 after a normal hang-up, "
                                         "1 when the back office cannot be reached or the call failed, 2 for a "
                                         "rejected token")
    call.add_argument("--server", metavar="URL", help="the back office, e.g. http://127.0.0.1:8080 (default: the "
                                                      "config's [assist] server)")
    token = call.add_mutually_exclusive_group()
    token.add_argument("--token", help="this terminal's token (from `kiosk-backoffice add-terminal`)")
    token.add_argument("--token-file", type=Path, metavar="FILE", help="read the token from FILE (default: the "
                                                                       "config's [assist] token_file)")
    call.add_argument("--config", type=Path, help="take the [assist] settings from this config (default: built-in "
                                                  "defaults)")
    call.add_argument("--synthetic", action="store_true", help="a moving test picture and a test tone instead of "
                                                               "camera and microphone; the clerk's voice is dropped")
    call.add_argument("--service", help="the service id the citizen is in (shown to the clerk)")
    call.add_argument("--step", help="the step id the citizen is on (shown to the clerk)")
    call.add_argument("--lang", default="de", help="the citizen's language (default de)")
    call.add_argument("--timeout", type=float, metavar="S", help="seconds to wait for a clerk (default: the "
                                                                "config's wait_max_s)")
    call.add_argument("--json", action="store_true", help="print one JSON object per event and line")
    call.set_defaults(handler=lambda a: _assist_commands().call(a))


def _assist_commands():  # type: ignore[no-untyped-def]
    from kiosk import assist_commands  # aiortc and av load only for assist commands

    return assist_commands


def _serial_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", required=True, metavar="DEVICE", help="the printer's serial port")
    parser.add_argument("--config", type=Path, help="take baud rate, profile, paper and timeouts from this config "
                                                    "(default: built-in defaults)")
    parser.add_argument("--baudrate", type=int, help="baud rate (default: the config's)")


def _serial(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The printer settings of the config file (or the defaults) with the command line's on top;
    None after saying why when the config cannot be read."""
    base = _load(args.config) if args.config else cfg.KioskConfig()
    if base is None:
        return None
    given = {"port": args.port, "baudrate": args.baudrate, "paper_mm": getattr(args, "paper", None),
             "qr": getattr(args, "qr", None)}
    return base.printer.model_copy(update={k: v for k, v in given.items() if v is not None})


def _photo_commands():  # type: ignore[no-untyped-def]
    from kiosk.photo import commands  # OpenCV and MediaPipe load only for photo commands

    return commands


def _ui_audit(args: argparse.Namespace) -> int:
    import tempfile

    base = _load(args.config) if args.config else cfg.KioskConfig()
    if base is None:
        return 2
    languages = tuple(args.lang or base.language.offered)
    sizes = tuple(int(s) / 100 for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="kiosk-audit-") as data:
        config = demo_config(base, Path(data))
        from kiosk.app import ensure_display, prepare, run

        prepare(config)
        from kiosk.ui.audit import Audit

        audit = Audit(languages, sizes, args.json, args.screenshots)
        display = ensure_display(config.display.width, config.display.height)
        try:
            return run(config, audit)  # type: ignore[arg-type]
        finally:
            if display is not None:
                display.terminate()


def _translations(args: argparse.Namespace) -> int:
    from kiosk import translations
    from kiosk.app import load_services

    services = load_services(cfg.KioskConfig())
    if args.verb == "update":
        for path in translations.update(services):
            print(path.relative_to(cfg.REPO_ROOT))
    gaps = translations.missing(services)
    for lang, domain, context, text in gaps:
        print(f"missing {lang} {domain}{f' [{context}]' if context else ''}: {text}", file=sys.stderr)
    print(f"{len(gaps)} text(s) without a translation")
    return 1 if gaps and args.verb == "check" else 0


def _services_config(args: argparse.Namespace) -> cfg.KioskConfig:
    config = _load(args.config) if args.config else cfg.KioskConfig()
    if config is None:
        raise SystemExit(2)
    return config


def _load(path: Path) -> cfg.KioskConfig | None:
    try:
        return cfg.load(path)
    except cfg.ConfigError as exc:
        print(f"kiosk: bad configuration, not starting:\n{exc}", file=sys.stderr)
        return None


def _check_config(args: argparse.Namespace) -> int:
    try:
        cfg.load(args.file)
    except cfg.ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.file}: OK")
    return 0


def _usage(args: argparse.Namespace) -> int:
    from kiosk.usage.store import DURATION_BUCKETS_S, UsageStore

    data = _data_folder(args)
    if data is None:
        return 2
    database = data / "usage.sqlite3"
    if not database.exists():
        print(f"{database}: no usage recorded yet", file=sys.stderr)
        return 1
    store = UsageStore(database)
    report = {service: usage.as_dict() for service, usage in store.report().items()}
    store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for service, usage in report.items():
        abandoned = ", ".join(f"{place} {n}" for place, n in usage["abandoned"].items()) or "none"
        median = {None: "—", -1: f"> {DURATION_BUCKETS_S[-1]} s"}.get(usage["median_duration_s"],
                                                                     f"≤ {usage['median_duration_s']} s")
        print(f"{service}: started {usage['started']}, completed {usage['completed']}, help {usage['help']}, "
              f"median duration {median}, abandoned: {abandoned}")
    return 0


def _health(args: argparse.Namespace) -> int:
    from kiosk.health.board import read

    data = _data_folder(args)
    if data is None:
        return 2
    path = data / "health.json"
    try:
        report = read(path)
    except FileNotFoundError:
        print(f"kiosk: {path}: no health recorded; the terminal has not run with this data folder", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"kiosk: {path}: cannot read: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for name, part in report["components"].items():  # type: ignore[union-attr]
            since = dt.datetime.fromtimestamp(part["since"]).strftime("%d.%m.%Y %H:%M:%S")
            print(f"{name}: {'ok' if part['ok'] else 'NOT OK'} ({part['state']} since {since}) {part['message']}")
    return 0 if report.get("ok") else 1


def _run(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 2
    from kiosk.app import run

    return run(config)


def demo_config(base: cfg.KioskConfig, data: Path = DEMO_DATA, own_camera: bool = False) -> cfg.KioskConfig:
    """The demo keeps its data in one local folder (var/demo) and runs in a window. Its camera
    plays a video of a citizen and its printer is the emulator, unless `own_camera` (a config file
    given) keeps the configured devices."""
    data = data.resolve()
    # The demo camera stands on its side (portrait), as photo terminals mount theirs: then the
    # head fills a 35 x 45 photo of the full 827 x 1063 pixels.
    camera = base.camera if own_camera else base.camera.model_copy(
        update={"driver": "video", "video": "", "width": 960, "height": 1280})
    # The demo prints for real: the serial driver talks to the printer emulator over a pty pair.
    printer = base.printer if own_camera else base.printer.model_copy(update={"driver": "emulator"})
    return base.model_copy(update={
        "camera": camera,
        "printer": printer,
        "display": base.display.model_copy(update={"fullscreen": False}),
        "paths": cfg.PathsConfig(data_dir=data, temp_dir=data / "tmp"),
    })


def _demo(args: argparse.Namespace) -> int:
    base = _load(args.config) if args.config else cfg.KioskConfig()
    if base is None:
        return 2
    config = demo_config(base, args.data, own_camera=args.config is not None)
    from kiosk.app import ensure_display, prepare, run

    prepare(config)  # before the autopilot imports Kivy
    autopilot = None
    if args.autopilot:
        from kiosk.ui.autopilot import Autopilot

        languages = config.language.offered if args.lang == "all" else tuple(args.lang.split(","))
        autopilot = Autopilot(args.autopilot, languages, args.screenshots, sessions=args.sessions)
        if not autopilot.valid_for(config):
            return 2
    from kiosk import demo_backoffice

    office = demo_backoffice.start(config, args.data.resolve())
    if office is not None:
        config = office[1]
    display = ensure_display(config.display.width, config.display.height)
    try:
        return run(config, autopilot)
    finally:
        if display is not None:
            display.terminate()
        if office is not None:
            office[0].stop()


if __name__ == "__main__":
    sys.exit(main())
