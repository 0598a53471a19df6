"""`kiosk printer …`: tools for the receipt printer (for now: the emulator)."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hardware.printer.emulator_mode import EmulatorMode

if TYPE_CHECKING:
    from hardware.printer.emulator import PrinterEmulator

MODES = ", ".join(mode.value for mode in EmulatorMode)


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
