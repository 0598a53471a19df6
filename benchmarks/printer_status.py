"""Status-query latency and print jobs of the serial driver, over a real pty pair with the
printer emulator at the far end (socat; the emulator answers within the same machine).

A pty ignores the baud rate, so the time on the wire of a real line is added from the byte
count (8N1: 10 bits a byte) next to what was measured; a real printer answers a status query
within a few milliseconds after the 3 query bytes and 1 reply byte have crossed the line.

    .venv/bin/python benchmarks/printer_status.py [--runs 50]

Prints median/p90/max of: one status (DLE EOT 1-4, four round trips), a status from a silent
printer (one reply timeout), and a whole print job (status, the receipt, status) of the
typical German receipt, with the bytes and their time on a 9600 and a 115200 baud line.
Target: status <= 100 ms when the printer answers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO_ROOT, machine, summary

sys.path.insert(0, str(REPO_ROOT))

BITS_PER_BYTE = 10


def timed(action, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50, help="measured runs of each (default 50)")
    args = parser.parse_args()

    from hardware.printer.emulated_line import EmulatedLine
    from hardware.printer.emulator_mode import EmulatorMode
    from hardware.printer.samples import typical_receipt
    from hardware.printer.serial_printer import SerialPrinter

    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        line = EmulatedLine(Path(folder) / "line", None)
        printer = SerialPrinter(str(line.terminal_end), baudrate=9600, timeout_s=0.2)
        try:
            printer.status()  # opens the port
            print(f"status, printer answers:   {summary(timed(printer.status, args.runs), 'ms')}")
            receipt = typical_receipt("de")
            sizes = []
            job_times = timed(lambda: sizes.append(printer.print_receipt(receipt).bytes_sent), args.runs)
            size = sizes[-1]
            print(f"print job over the pty:    {summary(job_times, 'ms')} ({size} bytes)")
            for baud in (9600, 115200):
                print(f"  + on a {baud:>6} baud line: {size * BITS_PER_BYTE / baud * 1000:.0f} ms for the bytes")
            line.emulator.set_mode(EmulatorMode.OFFLINE)
            silent = timed(printer.status, max(3, args.runs // 10))
            print(f"status, printer silent:    {summary(silent, 'ms')} (one reply timeout of 200 ms)")
        finally:
            printer.close()
            line.close()


if __name__ == "__main__":
    main()
