"""Usage statistics as counts, never people: no time stamps, no session ids, no answers.

Per service: how many sessions started and completed, where the others were abandoned, how
often help was opened, and durations of completed sessions as a histogram (so the median can be
estimated without keeping any single session's duration).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

DURATION_BUCKETS_S = (60, 120, 180, 300, 600, 900, 1800)  # upper bounds; longer counts as "more"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counts (
    service_id TEXT NOT NULL,
    event      TEXT NOT NULL,   -- started, completed, abandoned, help
    place      TEXT NOT NULL,   -- where it happened, e.g. form:address (abandoned, help)
    n          INTEGER NOT NULL,
    PRIMARY KEY (service_id, event, place)
);
CREATE TABLE IF NOT EXISTS durations (
    service_id TEXT NOT NULL,
    le_s       INTEGER NOT NULL,  -- bucket upper bound in seconds, -1 for longer
    n          INTEGER NOT NULL,
    PRIMARY KEY (service_id, le_s)
);
"""


@dataclass
class ServiceUsage:
    started: int = 0
    completed: int = 0
    help: int = 0
    abandoned: dict[str, int] = field(default_factory=dict)
    durations: dict[int, int] = field(default_factory=dict)

    @property
    def median_duration_s(self) -> int | None:
        """The upper bound of the bucket holding the median completed session: None when none
        was completed, -1 when it is longer than the last bucket."""
        total = sum(self.durations.values())
        seen = 0
        for bound in sorted(self.durations, key=lambda b: b if b >= 0 else float("inf")):
            seen += self.durations[bound]
            if seen * 2 >= total and total:
                return bound
        return None

    def as_dict(self) -> dict[str, object]:
        return {"started": self.started, "completed": self.completed, "help": self.help,
                "abandoned": dict(sorted(self.abandoned.items())), "median_duration_s": self.median_duration_s}


class UsageStore:
    def __init__(self, database: Path) -> None:
        database.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def count(self, service_id: str, event: str, place: str = "") -> None:
        with self._lock:
            self._db.execute("INSERT INTO counts VALUES (?, ?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1",
                             (service_id, event, place))

    def duration(self, service_id: str, seconds: float) -> None:
        bound = next((b for b in DURATION_BUCKETS_S if seconds <= b), -1)
        with self._lock:
            self._db.execute("INSERT INTO durations VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1",
                             (service_id, bound))

    def report(self) -> dict[str, ServiceUsage]:
        usage: dict[str, ServiceUsage] = {}
        with self._lock:
            counts = self._db.execute("SELECT service_id, event, place, n FROM counts").fetchall()
            durations = self._db.execute("SELECT service_id, le_s, n FROM durations").fetchall()
        for service_id, event, place, n in counts:
            entry = usage.setdefault(service_id, ServiceUsage())
            if event == "abandoned":
                entry.abandoned[place] = n
            else:
                setattr(entry, event, getattr(entry, event) + n)
        for service_id, bound, n in durations:
            usage.setdefault(service_id, ServiceUsage()).durations[bound] = n
        return dict(sorted(usage.items()))

    def close(self) -> None:
        with self._lock:
            self._db.close()
