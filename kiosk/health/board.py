"""The terminal's health board: one line per component (camera, later printer, card reader,
outbox …), kept in memory and written to a small JSON file on every change, so an operator
(`kiosk health`) and monitoring can read it while the terminal runs. Never citizen data: only
device states and the operator messages the drivers give."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class ComponentHealth:
    component: str
    ok: bool
    state: str  # the component's own word: "ok", "stalled", "unavailable", "paper_out" …
    message: str
    since: float  # wall-clock seconds (time.time) when this state began


class HealthBoard:
    def __init__(self, path: Path | None, clock=time.time) -> None:  # type: ignore[no-untyped-def]
        self._path, self._clock = path, clock
        self._lock = threading.Lock()
        self._components: dict[str, ComponentHealth] = {}

    def report(self, component: str, ok: bool, state: str, message: str) -> None:
        """Record a component's state (from any thread); the file follows at once."""
        with self._lock:
            old = self._components.get(component)
            if old is not None and (old.ok, old.state, old.message) == (ok, state, message):
                return
            self._components[component] = ComponentHealth(component, ok, state, message, self._clock())
            snapshot = self._snapshot()
        self._write(snapshot)

    def components(self) -> dict[str, ComponentHealth]:
        with self._lock:
            return dict(self._components)

    def _snapshot(self) -> dict[str, object]:
        return {"ok": all(c.ok for c in self._components.values()),
                "components": {name: asdict(c) for name, c in sorted(self._components.items())}}

    def _write(self, snapshot: dict[str, object]) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        partial = self._path.with_suffix(".partial")
        partial.write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, self._path)  # readers never see half a file


def read(path: Path) -> dict[str, object]:
    """The last health written by a running terminal; raises OSError/ValueError when unreadable."""
    return json.loads(path.read_text(encoding="utf-8"))
