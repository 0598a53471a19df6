"""Bytes per receipt, and how long they take on the serial line.

The typical receipt (hardware.printer.samples: title, three label/value rows, the code
MB-7K3Q-9XZ2 big and as a QR code, four footer texts: next steps of about 150 characters,
opening hours, a phone number, "please keep this receipt") in
every UI language, on 80 and 58 mm paper, with the QR code native (GS ( k) and as a raster image
(GS v 0), laid out by `write_receipt` for a TM-T20II profile into python-escpos' Dummy. The
seconds are the bytes on a serial line at 8N1 (10 bits a byte); the printer's own printing
time is not counted. The layout is deterministic, so one run is the measurement.

    .venv/bin/python benchmarks/receipt_bytes.py [--profile TM-T20II] [--code MB-7K3Q-9XZ2]

Prints one row per language, paper and QR kind, then the largest. Target: <= 2048 bytes
(<= 2.2 s at 9600 baud) for every row.
"""

from __future__ import annotations

import argparse
import sys

from _common import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT))

BAUD_RATES = (9600, 115200)
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
TARGET_BYTES = 2048


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos printer profile (default TM-T20II)")
    parser.add_argument("--code", default="MB-7K3Q-9XZ2", help="the code printed big and as the QR code")
    args = parser.parse_args()

    from escpos.printer import Dummy

    from hardware.printer import ReceiptFormat
    from hardware.printer.codepages import choose_codepage
    from hardware.printer.receipt_layout import write_receipt
    from hardware.printer.samples import LANGUAGES, typical_receipt

    print(f"receipt bytes, profile {args.profile}, code {args.code}")
    print(f"{'lang':<5} {'table':<7} {'paper':<6} {'QR':<7} {'bytes':>6} {'s @9600':>8} {'s @115200':>10}")
    largest = 0
    for lang in LANGUAGES:
        receipt = typical_receipt(lang, args.code)
        for paper_mm in (80, 58):
            for native_qr in (True, False):
                printer = Dummy(profile=args.profile)
                table = choose_codepage(receipt.texts(), printer.profile) or "-"
                write_receipt(printer, receipt, ReceiptFormat(paper_mm=paper_mm, native_qr=native_qr))
                size = len(printer.output)
                largest = max(largest, size)
                seconds = [size * BITS_PER_BYTE / baud for baud in BAUD_RATES]
                kind = "native" if native_qr else "raster"
                print(f"{lang:<5} {table:<7} {paper_mm} mm  {kind:<7} {size:>6} {seconds[0]:>8.2f} {seconds[1]:>10.3f}")
    print(f"largest: {largest} bytes, {largest * BITS_PER_BYTE / 9600:.2f} s at 9600 baud")
    print(f"target: <= {TARGET_BYTES} bytes (<= 2.2 s at 9600 baud)")


if __name__ == "__main__":
    main()
