"""Asks the printer for its status at an interval, in a worker, and says when it changes.

The kiosk learns of an empty roll before a citizen gets to the receipt, and operators see
"paper near end" while there is still paper to change.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from hardware.printer.interface import Printer, PrinterStatus

log = logging.getLogger(__name__)

Listener = Callable[[PrinterStatus], None]


class PrinterMonitor:
    def __init__(self, printer: Printer, interval_s: float) -> None:
        self._printer, self._interval = printer, interval_s
        self._lock = threading.Lock()
        self._latest: PrinterStatus | None = None
        self._listeners: list[Listener] = []
        self._wake, self._stopping = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def latest(self) -> PrinterStatus | None:
        """The last status asked (None before the first answer)."""
        with self._lock:
            return self._latest

    def on_change(self, listener: Listener) -> None:
        """Called from the monitor's thread (or the caller's, for `refresh`) with each new status."""
        self._listeners.append(listener)

    def start(self) -> None:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="printer-monitor", daemon=True)
            self._thread.start()

    def refresh(self) -> PrinterStatus:
        """Ask now (e.g. before printing, or for an operator); listeners hear of a change."""
        return self._record(self._printer.status())

    def _record(self, status: PrinterStatus) -> PrinterStatus:
        with self._lock:
            changed, self._latest = status != self._latest, status
        if changed:
            for listener in self._listeners:
                listener(status)
        return status

    def wake(self) -> None:
        """Ask again now, in the monitor's thread (e.g. right after a print job)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.refresh()
            except Exception:  # a listener's bug must not end the polling for the day
                log.exception("printer status listener failed")
            self._wake.wait(self._interval)
            self._wake.clear()
