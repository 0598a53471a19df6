"""Composition root: reads config, builds devices and services, starts the UI.

Devices are built here and only here, from config; everything else receives them.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from hardware.camera import CameraHealth, DeviceCamera, FrameOwner, FrameSource, SyntheticCamera, VideoFileCamera
from hardware.cardreader import CardReader
from hardware.cardreader.simulator import SimulatedCardReader
from hardware.printer import PaperStatus, Printer, PrinterStatus
from hardware.printer.emulated_line import EmulatedLine
from hardware.printer.interface import describe
from hardware.printer.monitor import PrinterMonitor
from hardware.printer.receipt_layout import paper
from hardware.printer.simulator import SimulatedPrinter
from hardware.speech import EspeakSpeaker, MemorySpeaker, Speaker
from kiosk.config import KioskConfig, installed
from kiosk.forms.service import Service, ServiceError, load_catalogue
from kiosk.health.board import HealthBoard
from kiosk.journey.machine import Journey, Place, Timing, Worker
from kiosk.outbox.store import EncryptedOutbox
from kiosk.photo.capture import CaptureLoop, CaptureSettings
from kiosk.printing import receipt_format, serial_printer
from kiosk.usage.recorder import UsageRecorder
from kiosk.usage.store import UsageStore
from video_assist.network import NetworkLoop

if TYPE_CHECKING:
    from kiosk.journey.events import Event
    from kiosk.video_call import VideoCall
    from kiosk.journey.state import JourneyState
    from kiosk.ui.autopilot import Autopilot
    from kiosk.ui.kiosk_app import KioskApp

log = logging.getLogger(__name__)
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian package fonts-dejavu-core
UI_FONT, UI_FONT_BOLD = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"


@dataclass
class Devices:
    printer: Printer
    cardreader: CardReader
    camera: FrameOwner  # the camera's one owner: preview, photo and (later) video call take frames from it
    speaker: Speaker
    printer_monitor: PrinterMonitor
    printer_line: EmulatedLine | None = None  # the demo's printer: an emulator at the far end of a pty pair

    def close(self) -> None:
        self.speaker.stop()
        self.camera.stop()
        self.printer_monitor.stop()
        for device in (self.printer, self.cardreader):
            device.close()
        if self.printer_line is not None:
            self.printer_line.close()


def build_devices(config: KioskConfig) -> Devices:
    # The card reader has only its simulator until its own issue adds the real one.
    speaker: Speaker = (EspeakSpeaker(config.speech.rate_wpm) if config.speech.engine == "espeak-ng"
                        else MemorySpeaker(config.speech.rate_wpm))
    camera = FrameOwner(build_camera(config), stall_s=config.photo.stall_s)
    printer, line = build_printer(config)
    return Devices(printer=printer, cardreader=SimulatedCardReader(), camera=camera, speaker=speaker,
                   printer_monitor=PrinterMonitor(printer, config.printer.status_interval_s), printer_line=line)


def build_printer(config: KioskConfig) -> tuple[Printer, EmulatedLine | None]:
    """The configured printer; for the emulator also the line it sits on (closed with it)."""
    settings = config.printer
    if settings.driver == "simulator":
        return SimulatedPrinter(profile=settings.profile, receipt_format=receipt_format(settings)), None
    if settings.driver == "emulator":
        line = EmulatedLine(config.paths.temp_dir / "printer", config.paths.data_dir / "printer",
                            paper(receipt_format(settings)).dots)
        return serial_printer(settings, str(line.terminal_end)), line
    return serial_printer(settings), None


def watch_health(devices: Devices, board: HealthBoard) -> None:
    """Every device's changes go to the health board and, when not ok, to the log (the journal)."""
    def camera_changed(health: CameraHealth) -> None:
        ok = health.state in ("ok", "stopped", "starting")  # stopped between photos is the camera resting
        board.report("camera", ok, health.state, health.message)
        log.log(logging.INFO if ok else logging.WARNING, "camera %s: %s", health.state, health.message)

    def printer_changed(status: PrinterStatus) -> None:
        fault = status.fault
        state = fault.name.lower() if fault else "paper_near_end" if status.paper is PaperStatus.NEAR_END else "ok"
        message = describe(devices.printer.name, status)
        board.report("printer", fault is None, state, message)  # near end: still ok, but said
        log.log(logging.INFO if state == "ok" else logging.WARNING, "printer %s: %s", state, message)

    devices.camera.on_health(camera_changed)
    camera_changed(devices.camera.health())
    devices.printer_monitor.on_change(printer_changed)


def build_camera(config: KioskConfig) -> FrameSource:
    camera = config.camera
    if camera.driver == "device":
        return DeviceCamera(int(camera.device) if camera.device.isdigit() else camera.device,
                            camera.width, camera.height, camera.fps)
    if camera.driver == "video" and camera.video:
        return VideoFileCamera(camera.video)
    if camera.driver == "video":
        from kiosk.photo.demo_video import DemoVideoCamera

        return DemoVideoCamera(config.paths.data_dir / "camera", camera.width, camera.height)
    return SyntheticCamera(camera.width, camera.height, fps=camera.fps)


def build_capture(config: KioskConfig, devices: Devices) -> CaptureLoop | None:
    """The photo step's capture loop on the camera's owner, or None when photos are off."""
    if not config.photo.enabled:
        return None
    from kiosk.photo.analyzer import PhotoAnalyzer  # MediaPipe loads only on terminals that take photos
    from kiosk.photo.crop import cut, encode_jpeg

    photo = config.photo
    settings = CaptureSettings(steady_s=photo.steady_s, countdown=photo.countdown,
                               countdown_step_s=photo.countdown_step_s, stall_s=photo.stall_s)
    return CaptureLoop(devices.camera, lambda live: PhotoAnalyzer(photo, live=live), cut, encode_jpeg, settings)


def build_journey(config: KioskConfig, devices: Devices, outbox: EncryptedOutbox, worker: Worker | None,
                  clock: Callable[[], float] = time.monotonic,
                  services: tuple[Service, ...] | None = None) -> Journey:
    services = services or load_services(config)
    session = config.session
    journey = Journey(services, outbox, devices.printer,
                      timing=Timing(session.inactivity_s, session.prompt_s, session.goodbye_s),
                      place=Place(config.terminal.id, config.terminal.location, config.terminal.opening_hours,
                                  config.terminal.phone),
                      temp_root=config.paths.temp_dir, default_language=config.language.default,
                      clock=clock, worker=worker,
                      photo_retakes=config.photo.retakes if config.photo.enabled else None)
    journey.on_wipe(devices.printer.forget)
    journey.on_wipe(devices.camera.forget)
    journey.on_wipe(devices.speaker.stop)
    return journey


def load_services(config: KioskConfig) -> tuple[Service, ...]:
    """The offered services that load; each broken one is left out and named in the log."""
    catalogue = load_catalogue(installed(config.services.directory), config.services.offered)
    for problem in catalogue.broken:
        log.error("service left out: %s", problem)
    if not catalogue.services:
        raise ServiceError("no service could be loaded:\n" + "\n".join(catalogue.broken))
    return catalogue.services


def open_usage(config: KioskConfig) -> UsageStore:
    return UsageStore(config.paths.data_dir / "usage.sqlite3")


def open_outbox(config: KioskConfig) -> EncryptedOutbox:
    data = config.paths.data_dir
    return EncryptedOutbox(data / "outbox.sqlite3", data / "outbox.key")


def configure_logging(data_dir: Path) -> Path:
    """One log for the kiosk and Kivy, in data_dir/logs, and warnings on stderr (the journal).
    It never contains citizen data, only kinds of events. Replaces handlers that libraries
    installed at import (python-escpos calls logging.basicConfig)."""
    log_file = data_dir / "logs" / "kiosk.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    form = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    to_file = RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    to_stderr = logging.StreamHandler()
    to_stderr.setLevel(logging.WARNING)
    for handler in (to_file, to_stderr):
        handler.setFormatter(form)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.setLevel(logging.INFO)
    root.addHandler(to_file)
    root.addHandler(to_stderr)
    return log_file


def prepare(config: KioskConfig) -> None:
    """Everything that must happen before Kivy is imported: logging, then Kivy's settings."""
    if "kivy" not in sys.modules:
        configure_logging(config.paths.data_dir)
    prepare_kivy(config)


def prepare_kivy(config: KioskConfig) -> None:
    """Kivy reads its environment and config at import time, so this runs before any Kivy import."""
    if "kivy" in sys.modules:
        return  # already prepared (or too late to change anything)
    kivy_home = config.paths.data_dir / "kivy"
    kivy_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ["KIVY_HOME"] = str(kivy_home)  # not ~/.kivy: the kiosk user has no home to write
    # MediaPipe imports matplotlib, which keeps a font cache in its config folder: ours, too.
    os.environ.setdefault("MPLCONFIGDIR", str(config.paths.data_dir / "matplotlib"))
    os.environ["KIVY_NO_FILELOG"] = "1"  # one log file, ours
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kivy.config import Config

    display = config.display
    width, height = display.width, display.height
    if (display.orientation == "portrait") != (height > width):
        width, height = height, width
    Config.set("graphics", "fullscreen", "auto" if display.fullscreen else "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen must not close the terminal
    Config.set("kivy", "keyboard_mode", "systemanddock")  # on-screen keyboard, hardware one works too
    Config.set("kivy", "keyboard_layout", "qwertz")  # only before our keyboard (ui/widgets.py) loads
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots on right-click
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        # No screen: ensure_display will start Xvfb, which draws in software (llvmpipe), where
        # Kivy's default 2x multisampling makes every frame 2-3 times slower for smoother edges
        # nobody sees. A real terminal keeps them.
        Config.set("graphics", "multisamples", "0")
    _use_legible_font()


def _use_legible_font() -> None:
    """One font for every label, button and text field, in every language offered: DejaVu Sans
    (regular and bold) has Latin with the Turkish, Polish and German letters and quotes,
    Cyrillic with the Ukrainian letters, Arabic with the joined letter forms kiosk.ui.bidi draws
    (Presentation Forms-B), and the tick mark. Kivy's bundled Roboto has neither Arabic nor ✓.
    tests/ui/test_rtl.py checks every letter of a sentence per language against the font."""
    if UI_FONT.exists() and UI_FONT_BOLD.exists():
        from kivy.core.text import DEFAULT_FONT, LabelBase

        LabelBase.register(DEFAULT_FONT, str(UI_FONT), fn_bold=str(UI_FONT_BOLD))
    else:
        log.warning("fonts-dejavu-core not installed; using Kivy's default font (no Arabic)")


def ensure_display(width: int, height: int) -> subprocess.Popen[bytes] | None:
    """Start Xvfb when there is no display, and say so; return the process to stop later."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RuntimeError("no display and Xvfb is not installed (apt-get install xvfb)")
    # -displayfd lets Xvfb pick a free display and tell us its number once it accepts clients.
    read_end, write_end = os.pipe()
    process = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24",
                                "-nolisten", "tcp"], pass_fds=(write_end,),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()
    if not number:
        raise RuntimeError("Xvfb did not start")
    os.environ["DISPLAY"] = f":{number}"
    print(f"No display found: started a virtual one (Xvfb :{number}). Nothing is visible on a screen; "
          "use --screenshots DIR to see it.", file=sys.stderr, flush=True)
    return process


def run(config: KioskConfig, autopilot: Autopilot | None = None) -> int:
    """Build everything and run the terminal until it is stopped; returns the exit status."""
    prepare(config)
    from kivy.clock import Clock  # Kivy is configured now

    from kiosk.ui.bridge import KivyWorker
    from kiosk.ui.kiosk_app import KioskApp

    try:
        services = load_services(config)  # before any device or file is opened
    except ServiceError as exc:
        print(f"kiosk: not starting: {exc}", file=sys.stderr)
        return 2
    devices = build_devices(config)
    outbox = open_outbox(config)
    worker = KivyWorker()
    network = NetworkLoop()
    journey = build_journey(config, devices, outbox, worker, services=services)
    journey.assist = build_assist(config, devices, network, lambda: app)
    usage = open_usage(config)
    UsageRecorder(usage, journey, time.monotonic)
    watch_health(devices, HealthBoard(config.paths.data_dir / "health.json"))
    capture = build_capture(config, devices)
    notifier = _systemd_notifier()
    app = KioskApp(config, journey, devices.speaker, on_ready=lambda: notifier("READY=1\nWATCHDOG=1"),
                   capture=capture, video_call=journey.assist)
    watch_printer(app, journey, devices.printer_monitor)
    Clock.schedule_interval(lambda _dt: notifier("WATCHDOG=1"), 5)  # proves the UI loop is alive
    if autopilot is not None:
        autopilot.attach(app, devices)
    try:
        app.run()
    finally:
        if capture is not None:
            capture.close()
        if journey.assist is not None:
            journey.assist.close()
        network.stop()
        worker.shutdown()
        outbox.close()
        usage.close()
        devices.close()
    return autopilot.exit_status if autopilot is not None else 0


def build_assist(config: KioskConfig, devices: Devices, network: NetworkLoop,
                 app: Callable[[], KioskApp]) -> VideoCall | None:
    """The line to the clerks, when one is configured and its token can be read; its events reach
    the journey on the UI thread (the one bridge: Clock.schedule_once)."""
    from kivy.app import App
    from kivy.clock import Clock

    from kiosk.video_call import AssistUnavailable, VideoCall, read_token

    if not config.assist.server:
        return None
    try:
        token = read_token(config.assist.token_file)
    except AssistUnavailable as exc:
        log.error("%s", exc)
        return None

    def deliver(event: Event) -> None:  # the network loop's thread
        Clock.schedule_once(lambda _dt: App.get_running_app() is app() and app().send(event))

    return VideoCall(config.assist, token, network, devices.camera, deliver, needs=lambda: app().needs())


def watch_printer(app: KioskApp, journey: Journey, monitor: PrinterMonitor) -> None:
    """The journey learns when the printer can or cannot print (the review page says so before
    the citizen sends), and the monitor asks again as soon as a receipt has been tried."""
    from kivy.app import App
    from kivy.clock import Clock

    from kiosk.journey.events import PrinterChanged
    from kiosk.journey.state import Printout

    def changed(status: PrinterStatus) -> None:  # the monitor's thread
        ready = status.fault is None
        Clock.schedule_once(lambda _dt: send(PrinterChanged(ready)))

    def send(event: PrinterChanged) -> None:
        if App.get_running_app() is app:  # not to an app that stopped meanwhile
            app.send(event)

    last = Printout.NONE

    def printout(state: JourneyState) -> None:
        nonlocal last
        done = state.printout in (Printout.PRINTED, Printout.FAILED, Printout.UNKNOWN)
        if done and state.printout is not last:
            monitor.wake()
        last = state.printout

    monitor.on_change(changed)
    journey.subscribe(printout)
    monitor.start()


def _systemd_notifier():  # type: ignore[no-untyped-def]
    if not os.environ.get("NOTIFY_SOCKET"):
        return lambda _message: None
    import sdnotify

    return sdnotify.SystemdNotifier().notify
