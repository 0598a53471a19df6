"""`kiosk printer …`: ask the receipt printer, print a test receipt, or be a printer (the emulator)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.printer.emulator_mode import EmulatorMode
from hardware.printer.interface import JobOutcome, describe

if TYPE_CHECKING:
    from hardware.printer.emulator import PrinterEmulator
    from hardware.printer.serial_printer import SerialPrinter
    from kiosk.config import PrinterConfig

MODES = ", ".join(mode.value for mode in EmulatorMode)


def status(settings: PrinterConfig | None, as_json: bool) -> int:
    """Print the printer's status; 0 when it can print (paper near end included), 1 when not."""
    if settings is None:
        return 2
    with _printer(settings) as printer:
        started = time.perf_counter()
        answer = printer.status()
        took_ms = (time.perf_counter() - started) * 1000
    if as_json:
        print(json.dumps(answer.as_json()))
    else:
        print(f"{describe(printer.name, answer)}  [{took_ms:.0f} ms]")
    return 0 if answer.fault is None else 1


def test_receipt(settings: PrinterConfig | None, lang: str, code: str) -> int:
    """Print a sample receipt in `lang` with `code`; 0 when it came out, 1 with the reason when not."""
    if settings is None:
        return 2
    from kiosk.i18n import ts
    from kiosk.receipt import Office, Submitted, receipt

    submitted = Submitted(ts(lang, "meldebescheinigung", "Meldebescheinigung beantragen"),
                          ts(lang, "meldebescheinigung", "Bürgerbüro (Meldebehörde)"), code)
    sample = receipt(lang, submitted, Office("Rathaus, Foyer", "Mo-Fr 8:00-12:00", "0761 201-0"), dt.datetime.now())
    with _printer(settings) as printer:
        if not printer.can_print(sample.texts()):
            print(f"kiosk: {printer.name}: the printer profile {settings.profile!r} has no code page for "
                  f"{lang!r}", file=sys.stderr)
            return 1
        started = time.perf_counter()
        result = printer.print_receipt(sample)
        took = time.perf_counter() - started
    if result.outcome is JobOutcome.PRINTED:
        print(f"{printer.name}: test receipt printed ({result.bytes_sent} bytes in {took:.2f} s)")
        return 0
    what = "not printed" if result.outcome is JobOutcome.FAILED else "sent, but the printer did not confirm it"
    print(f"kiosk: test receipt {what}: {result.detail}", file=sys.stderr)
    return 1


def _printer(settings: PrinterConfig) -> SerialPrinter:
    from kiosk.printing import serial_printer  # pyserial and python-escpos load only for these commands

    return serial_printer(settings)


def emulate(link: Path, out: Path, mode: str, pair: Path | None) -> int:
    """Run the printer emulator on `link` until stdin ends or Ctrl-C; mode changes come
    from stdin, one per line. With `pair`, start the socat pty pair first (the terminal
    connects to `pair`); without it, `link` must be an existing pty end."""
    start_mode = _mode(mode)
    if start_mode is None:
        return 2
    if pair is None and not link.exists():
        print(f"kiosk: {link} does not exist; start socat first, or give --pair PATH to have it started",
              file=sys.stderr)
        return 2
    # The serial modules load only for this command.
    from hardware.printer.emulator import PrinterEmulator
    from hardware.printer.serial_link import SerialLink, SerialLinkError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        with contextlib.ExitStack() as stack:  # closes the emulator, then stops socat
            try:
                if pair is not None:
                    stack.enter_context(SerialLink(link, pair))
                emulator = stack.enter_context(PrinterEmulator(link, out, start_mode, on_receipt=_announce))
            except (SerialLinkError, OSError) as exc:  # serial.SerialException is an OSError
                print(f"kiosk: cannot start the printer emulator: {exc}", file=sys.stderr)
                return 1
            terminal = f"; the terminal connects to {pair}" if pair is not None else ""
            print(f"printer emulator on {link}, mode {start_mode}{terminal}", flush=True)
            print(f"type a mode and Enter to switch ({MODES}); Ctrl-D or Ctrl-C ends", flush=True)
            _follow_stdin(emulator)
    except KeyboardInterrupt:
        pass  # Ctrl-C ends the emulator as the end of input does; the line is closed by now
    return 0


def _follow_stdin(emulator: PrinterEmulator) -> None:
    """Switch the emulator's mode for each line on stdin until it ends."""
    for line in sys.stdin:
        word = line.strip()
        if not word:
            continue
        mode = _mode(word)
        if mode is not None:
            emulator.set_mode(mode)
            print(f"mode {mode}", flush=True)


def _mode(word: str) -> EmulatorMode | None:
    try:
        return EmulatorMode(word)
    except ValueError:
        print(f"unknown mode {word!r}; modes: {MODES}", file=sys.stderr, flush=True)
        return None


def _announce(number: int, data: bytes, png: Path | None) -> None:
    where = f" -> {png}" if png is not None else ""
    print(f"receipt {number}: {len(data)} bytes{where}", flush=True)
