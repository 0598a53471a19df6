"""A receipt printer on the far end of a serial line, for testing the real serial driver.

It opens one end of a pty pair (see `serial_link`) and behaves like an Epson TM
printer there: real-time status queries (DLE EOT 1..4) are answered at once, in
every state but `offline`, and everything else goes into a receive buffer from
which complete jobs (up to and including a cut) come out as receipts, written as
NNN.bin (the bytes), NNN.txt (a text rendering) and NNN.png (the preview).

Two threads, as in the printer: the receive side answers queries and fills the
buffer; the print side takes complete jobs off it. So a query that arrives in the
middle of a job, or while a receipt is being drawn, is answered without delay.

In paper_out, cover_open and error mode jobs wait in the buffer and come out as
soon as the mode returns to ready or near_end, like a real printer that finishes
its buffer after a new roll is loaded. In offline mode received bytes are lost.
Logs hold byte counts and modes only: receipts carry citizen data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import serial

from hardware.printer.emulator_mode import EmulatorMode, status_reply
from hardware.printer.escpos_preview import render_preview
from hardware.printer.escpos_stream import StatusQueryScanner, split_jobs
from hardware.printer.escpos_text import render_text

log = logging.getLogger(__name__)

# A status reply is one byte; a terminal that stops reading cannot block the emulator long.
WRITE_TIMEOUT_S = 1.0

# Called on the print thread with the receipt's number (from 1), its bytes and its PNG
# (None without out_dir or when it could not be drawn).
ReceiptHandler = Callable[[int, bytes, Path | None], None]


class PrinterEmulator:
    """An emulated receipt printer listening on `link`; a context manager.

    Raises serial.SerialException when `link` cannot be opened as a serial port.
    """

    def __init__(self, link: Path, out_dir: Path | None = None, mode: EmulatorMode = EmulatorMode.READY,
                 on_receipt: ReceiptHandler | None = None, paper_dots: int = 576) -> None:
        """`paper_dots`: the print width the PNGs are drawn at (576: 80 mm paper, 384: 58 mm)."""
        self.link = Path(link)
        self._out_dir, self._paper_dots = out_dir, paper_dots
        self._on_receipt = on_receipt
        self._changed = threading.Condition()  # guards the state below; notified on every change
        self._mode = EmulatorMode(mode)
        self._buffer = b""
        self._unexamined = False  # bytes arrived (or the mode changed) since the print side looked
        self._receipts: list[bytes] = []
        self._status_queries = 0
        self._garbage_replies = 0
        self._connected = True
        self._closing = False
        self._scanner = StatusQueryScanner()
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        # No read timeout: close() wakes the reader with cancel_read() instead of polling.
        self._port = serial.Serial(str(self.link), timeout=None, write_timeout=WRITE_TIMEOUT_S)
        self._receiver = threading.Thread(target=self._receive_loop, name="printer-emulator-receive", daemon=True)
        self._printer = threading.Thread(target=self._print_loop, name="printer-emulator-print", daemon=True)
        self._receiver.start()
        self._printer.start()
        log.info("printer emulator on %s, mode %s", self.link, self._mode)

    # -- what tests and operators look at ----------------------------------------

    @property
    def mode(self) -> EmulatorMode:
        with self._changed:
            return self._mode

    def set_mode(self, mode: EmulatorMode | str) -> None:
        """Switch state, from any thread; held jobs print when it becomes ready or near_end."""
        mode = EmulatorMode(mode)
        with self._changed:
            previous, self._mode = self._mode, mode
            self._unexamined = True
            self._changed.notify_all()
            buffered = len(self._buffer)
        log.info("printer emulator: mode %s -> %s, %d bytes in the buffer", previous, mode, buffered)

    @property
    def receipts(self) -> list[bytes]:
        """Every printed job's bytes, in order (status queries between jobs left out)."""
        with self._changed:
            return list(self._receipts)

    @property
    def status_queries(self) -> int:
        """How many status queries were answered (malformed answers count, silence does not)."""
        with self._changed:
            return self._status_queries

    @property
    def connected(self) -> bool:
        """False once the link is gone (socat stopped) or the emulator closed."""
        with self._changed:
            return self._connected

    @property
    def partial(self) -> bytes:
        """The job cut off when the link went away: bytes after the last cut, never printed.
        b"" while connected."""
        with self._changed:
            if self._connected:
                return b""
            buffer = self._buffer
        return split_jobs(buffer)[1]

    def receipt_png(self, number: int) -> Path | None:
        """Where receipt `number` (from 1) was drawn, once it has been; None without out_dir."""
        return None if self._out_dir is None else self._out_dir / f"{number:03d}.png"

    def wait_for_receipts(self, count: int, timeout: float) -> bool:
        """Whether at least `count` receipts are out (files written) within `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._receipts) >= count, timeout)

    def wait_for_disconnect(self, timeout: float) -> bool:
        """Whether the emulator has noticed within `timeout` seconds that its link is gone."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._connected, timeout)

    def close(self) -> None:
        """Close the emulator's end of the line, also in the middle of a job (unplugging
        at the printer). Jobs still in the buffer are dropped. Safe to call twice."""
        with self._changed:
            if self._closing:
                return
            self._closing = True
            self._changed.notify_all()
        self._port.cancel_read()
        self._receiver.join()
        self._printer.join()
        self._port.close()

    def __enter__(self) -> PrinterEmulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- receive side ----------------------------------------------------------

    def _receive_loop(self) -> None:
        try:
            while not self._closing:
                chunk = self._port.read(max(1, self._port.in_waiting))
                if chunk:
                    self._receive(chunk)
        except (serial.SerialException, OSError) as exc:
            # socat gone: the pty reads EIO (pyserial: "returned no data"), writes fail.
            log.warning("printer emulator: link %s lost (%s)", self.link, exc)
        finally:
            with self._changed:
                self._connected = False
                self._changed.notify_all()
                left = len(self._buffer)
        log.info("printer emulator: stopped listening on %s, %d bytes left in the buffer", self.link, left)

    def _receive(self, chunk: bytes) -> None:
        with self._changed:
            if not self._mode.receives:
                self._scanner.reset()  # a dead printer does not remember half a query
                log.debug("printer emulator: %d bytes lost (mode %s)", len(chunk), self._mode)
                return
            replies = b"".join(self._reply(function) for function in self._scanner.feed(chunk))
            self._buffer += chunk
            self._unexamined = True
            self._changed.notify_all()
        if replies:
            self._port.write(replies)
        log.debug("printer emulator: received %d bytes, replied %d", len(chunk), len(replies))

    def _reply(self, function: int) -> bytes:
        reply = status_reply(self._mode, function, self._garbage_replies)
        if self._mode is EmulatorMode.GARBAGE:
            self._garbage_replies += 1
        self._status_queries += 1
        return reply

    # -- print side ----------------------------------------------------------------

    def _print_loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._closing or (self._unexamined and self._mode.prints))
                if self._closing:
                    return
                self._unexamined = False
                taken = self._buffer
            # Split outside the lock, so status replies never wait for the parser.
            jobs, rest = split_jobs(taken)
            with self._changed:
                self._buffer = rest + self._buffer[len(taken):]
            for job in jobs:
                self._print(job)

    def _print(self, job: bytes) -> None:
        with self._changed:
            number = len(self._receipts) + 1  # only this thread adds receipts
        png = self._write_files(number, job) if self._out_dir is not None else None
        with self._changed:
            self._receipts.append(job)
            self._changed.notify_all()
        log.info("printer emulator: receipt %d, %d bytes", number, len(job))
        if self._on_receipt is not None:
            self._on_receipt(number, job, png)

    def _write_files(self, number: int, job: bytes) -> Path | None:
        """NNN.bin, NNN.txt and NNN.png; the PNG's path, or None when it could not be made."""
        assert self._out_dir is not None
        stem = self._out_dir / f"{number:03d}"
        try:
            stem.with_suffix(".bin").write_bytes(job)
            stem.with_suffix(".txt").write_text(render_text(job, columns=self._paper_dots // 12), encoding="utf-8")
            png = stem.with_suffix(".png")
            render_preview(job, width_px=self._paper_dots).save(png, format="PNG")
        except (OSError, ValueError) as exc:  # disk full; a runaway job too long to draw
            log.warning("printer emulator: receipt %d: files incomplete (%s)", number, exc)
            return None
        return png
