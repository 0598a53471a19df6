"""Usage statistics: counts per service from real journeys, kept in a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.journey import events as ev
from kiosk.journey.state import Stage
from kiosk.usage.recorder import UsageRecorder
from kiosk.usage.store import UsageStore
from tests.unit.test_journey import FREE_TEXT_CANARIES, TIMING, Env, fill_page, make_env, to_form, to_receipt


@pytest.fixture
def recorded(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = make_env(tmp_path)
    store = UsageStore(tmp_path / "data" / "usage.sqlite3")
    UsageRecorder(store, env.journey, env.clock)
    yield env, store
    store.close()
    env.outbox.close()


def test_completed_session_counts_start_completion_and_duration(recorded: tuple[Env, UsageStore]) -> None:
    env, store = recorded
    to_form(env)
    env.clock.advance(200)  # the citizen takes a little over three minutes
    to_receipt(env)
    env.send(ev.Finish())
    usage = store.report()["meldebescheinigung"]
    assert (usage.started, usage.completed, usage.abandoned) == (1, 1, {})
    assert usage.median_duration_s == 300  # in the 180-300 s bucket


def test_abandoned_sessions_say_where(recorded: tuple[Env, UsageStore]) -> None:
    env, store = recorded
    to_form(env)
    env.send(ev.Cancel())
    env.send(ev.ConfirmCancel())  # left on the first page
    to_form(env)
    fill_page(env)
    env.send(ev.Next())
    env.tick(TIMING.inactivity_s + TIMING.prompt_s + 1)  # walked away on the address page
    assert env.state.stage is Stage.WELCOME
    env.send(ev.Start())
    env.send(ev.Back())  # left at the language choice, no service chosen
    report = store.report()
    assert report["meldebescheinigung"].abandoned == {"form:person": 1, "form:anschrift": 1}
    assert report["meldebescheinigung"].started == 2 and report["meldebescheinigung"].completed == 0
    assert report["-"].abandoned == {"language": 1}


def test_help_is_counted_per_service_and_place(recorded: tuple[Env, UsageStore]) -> None:
    env, store = recorded
    env.send(ev.OpenHelp())
    env.send(ev.CloseHelp())
    to_form(env)
    env.send(ev.OpenHelp())
    env.tick(1)  # the overlay staying open is not another press
    env.send(ev.CloseHelp())
    report = store.report()
    assert report["-"].help == 1 and report["meldebescheinigung"].help == 1


def test_statistics_hold_no_answers_and_no_times(recorded: tuple[Env, UsageStore], tmp_path: Path) -> None:
    env, store = recorded
    to_receipt(env)
    env.send(ev.Finish())
    to_form(env)
    env.send(ev.Cancel())
    env.send(ev.ConfirmCancel())
    store.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("usage.sqlite3*"))
    assert not [c for c in FREE_TEXT_CANARIES if c.encode() in raw]
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "usage.sqlite3") as db:
        columns = {row[1] for table in ("counts", "durations")
                   for row in db.execute(f"PRAGMA table_info({table})")}
    assert columns == {"service_id", "event", "place", "n", "le_s"}  # no time stamp, no session id
