"""Screen transition after a tap: from touch-down to the end of the first frame showing the new screen.

One process, one private Xvfb (or $DISPLAY with --use-display). The app is built as `kiosk demo`
builds it (simulated devices, a temporary data directory) and driven without App.run(): after
`app._run_prepare()` this script pumps `kivy.base.EventLoop.idle()` itself, one frame per call
(Clock tick at the normal 60 fps pacing, input, layout, draw, flip).

Each transition is a real touch (kivy.tests.common.UnitTestTouch, as the autopilot taps) in the
middle of a button. The clock starts just before touch-down and stops when EventLoop.idle()
returns after drawing the first frame in which the new screen is the only screen in the
ScreenManager (the NoTransition finished) and, for form pages, the journey is on the new page.
The check is made in an on_draw handler, i.e. for the frame actually being drawn.

One round walks the whole way there and back (8 transitions):
  welcome -Beginnen-> language -Deutsch-> catalogue -service-> form p1 -Weiter-> form p2
  form p2 -Zurück-> form p1 -Zurück-> catalogue -Zurück-> language -Zurück-> welcome
The example answers on page 1 are entered (TextInput.text) before "Weiter", outside the clock.
The first round is a warm-up (first display of each screen) and is reported on its own.

    .venv/bin/python benchmarks/transition.py [--rounds 8] [--service meldebescheinigung] [--use-display]

Prints per-kind and overall median/p90/max in ms; also how long the tap itself took (the
synchronous part: touch handlers, journey, screen.show) and how many frames were drawn.
Target: median <= 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import REPO_ROOT, Display, machine, percentile

sys.path.insert(0, str(REPO_ROOT))

FRAME_LIMIT = 300  # frames to wait for a transition before giving up (5 s at 60 fps)


@dataclass
class Kind:
    name: str
    total_ms: list[float] = field(default_factory=list)
    tap_ms: list[float] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    draw_ms: list[float] = field(default_factory=list)
    first: tuple[float, float, int] | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8, help="measured rounds of 8 transitions (plus 1 warm-up)")
    parser.add_argument("--service", default="meldebescheinigung")
    parser.add_argument("--use-display", action="store_true", help="use $DISPLAY instead of a private Xvfb")
    args = parser.parse_args()

    with Display(use_existing=args.use_display) as display, \
            tempfile.TemporaryDirectory(prefix="kiosk-bench-") as data:
        os.environ["DISPLAY"] = display.name
        os.environ.pop("WAYLAND_DISPLAY", None)
        print(f"screen transitions, {args.rounds} rounds of 8 + 1 warm-up round ({machine()}); "
              f"display {display.name}")
        Bench(Path(data), args.service).run(args.rounds)


class Bench:
    def __init__(self, data_dir: Path, service_id: str) -> None:
        from kiosk import config as cfg
        from kiosk.app import prepare
        from kiosk.cli import demo_config

        self.config = demo_config(cfg.KioskConfig(), data_dir)  # `kiosk demo --data DIR`
        prepare(self.config)  # logging (file in DIR/logs, warnings on stderr) and Kivy's settings
        self.service_id = service_id
        self.kinds: dict[str, Kind] = {}

    def run(self, rounds: int) -> None:
        from kivy.base import EventLoop
        from kivy.core.window import Window

        from kiosk.app import build_devices, build_journey, open_outbox
        from kiosk.config import installed
        from kiosk.forms.answers import example_answers
        from kiosk.forms.service import load_service, service_file
        from kiosk.ui.bridge import KivyWorker
        from kiosk.ui.kiosk_app import KioskApp

        devices = build_devices(self.config)
        outbox = open_outbox(self.config)
        worker = KivyWorker()
        journey = build_journey(self.config, devices, outbox, worker)
        service = load_service(service_file(installed(self.config.services.directory), self.service_id))
        self.answers = example_answers(service, datetime.date.today())
        self.app = app = KioskApp(self.config, journey, devices.speaker)
        self.EventLoop, self.Window = EventLoop, Window
        self._drawn = 0
        self._draw_started = 0.0
        self._shown_when_drawn = False
        self._predicate = lambda: False
        Window.bind(on_draw=self._on_draw)
        app._run_prepare()
        EventLoop.start()
        try:
            for _ in range(30):  # the welcome screen's first frames
                EventLoop.idle()
            if not app.ready or app.manager.current != "WELCOME":
                raise SystemExit("the app did not come up on the welcome screen")
            for number in range(rounds + 1):
                self._round(warmup=number == 0)
        finally:
            app.stop()
            worker.shutdown()
            outbox.close()
            devices.printer.close()
            devices.speaker.stop()
        self._print()

    # -- one round -----------------------------------------------------------------------------

    def _round(self, warmup: bool) -> None:
        app = self.app
        screens = {s.name: s for s in app.manager.screens}
        self._transition("welcome -> language", screens["WELCOME"].ids.start, "LANGUAGE", warmup)
        language = next(b for b in screens["LANGUAGE"].ids.languages.children if b.language_code == "de")
        self._transition("language -> catalogue", language, "CATALOGUE", warmup)
        tile = next(t for t in screens["CATALOGUE"].ids.services.children if t.service_id == self.service_id)
        self._transition("catalogue -> form", tile, "FORM", warmup, step=0)
        self._fill_page()
        self._transition("form -> next page", screens["FORM"].ids.next, "FORM", warmup, step=1)
        self._transition("form -> previous page", screens["FORM"].ids.back, "FORM", warmup, step=0)
        self._transition("form -> catalogue", screens["FORM"].ids.back, "CATALOGUE", warmup)
        self._transition("catalogue -> language", screens["CATALOGUE"].ids.back, "LANGUAGE", warmup)
        self._transition("language -> welcome", screens["LANGUAGE"].ids.back, "WELCOME", warmup)

    def _fill_page(self) -> None:
        """Enter the example answers on this page (not timed), then let the frames settle."""
        from kivy.uix.textinput import TextInput

        from kiosk.journey import events as ev

        screen = self.app.manager.get_screen("FORM")
        for path, widgets in screen.inputs().items():
            value = self.answers[path]
            if any(isinstance(w, TextInput) for w in widgets):
                for widget in widgets:
                    widget.text = str(value)
            else:
                self.app.send(ev.Answer(path, value))
        for _ in range(3):
            self.EventLoop.idle()

    def _transition(self, name: str, button, target: str, warmup: bool, step: int | None = None) -> None:  # type: ignore[no-untyped-def]
        from kivy.tests.common import UnitTestTouch

        app, manager = self.app, self.app.manager

        def shown() -> bool:
            screen = manager.get_screen(target)
            if manager.current != target or manager.transition.is_active or screen.parent is not manager:
                return False
            if len(manager.children) != 1:
                return False
            return step is None or app.journey.state.step_index == step

        x, y = button.to_window(*button.center)
        if button.disabled or not button.collide_point(*button.to_widget(x, y)):
            raise SystemExit(f"{name}: cannot tap {type(button).__name__} {getattr(button, 'text', '')!r}")
        self._predicate = shown
        drawn_before = self._drawn
        started = time.perf_counter()
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()
        tapped = time.perf_counter()
        for _ in range(FRAME_LIMIT):
            self._shown_when_drawn = False
            self.EventLoop.idle()
            if self._shown_when_drawn:
                break
        else:
            raise SystemExit(f"{name}: {target} was not drawn within {FRAME_LIMIT} frames "
                             f"(now {manager.current}, step {app.journey.state.step_index})")
        ended = time.perf_counter()
        draw_ms = (ended - self._draw_started) * 1000
        self._predicate = lambda: False
        total_ms, tap_ms, frames = (ended - started) * 1000, (tapped - started) * 1000, self._drawn - drawn_before
        kind = self.kinds.setdefault(name, Kind(name))
        if warmup:
            kind.first = (total_ms, tap_ms, frames)
        else:
            kind.total_ms.append(total_ms)
            kind.tap_ms.append(tap_ms)
            kind.frames.append(frames)
            kind.draw_ms.append(draw_ms)
        for _ in range(2):  # let the button's pressed look (min_state_time) and other leftovers pass
            self.EventLoop.idle()

    def _on_draw(self, *_args: object) -> None:
        self._draw_started = time.perf_counter()  # bound handlers run before the window draws
        self._drawn += 1
        if self._predicate():
            self._shown_when_drawn = True

    # -- report --------------------------------------------------------------------------------

    def _print(self) -> None:
        print(f"\n{'transition':<24}{'first (warm-up)':>16}  {'median':>7} {'p90':>7} {'max':>7}  "
              f"{'tap':>6} {'draw':>6}  frames   (ms; tap and draw: medians)")
        everything: list[float] = []
        taps: list[float] = []
        draws: list[float] = []
        for kind in self.kinds.values():
            first = f"{kind.first[0]:7.1f}" if kind.first else "-"
            values = kind.total_ms
            everything += values
            taps += kind.tap_ms
            draws += kind.draw_ms
            print(f"{kind.name:<24}{first:>16}  {statistics.median(values):7.1f} {percentile(values, 0.9):7.1f} "
                  f"{max(values):7.1f}  {statistics.median(kind.tap_ms):6.1f} {statistics.median(kind.draw_ms):6.1f}"
                  f"  {min(kind.frames)}-{max(kind.frames)}")
        print(f"\nall {len(everything)} measured transitions: median {statistics.median(everything):.1f} ms  "
              f"p90 {percentile(everything, 0.9):.1f} ms  max {max(everything):.1f} ms  (min {min(everything):.1f} ms)")
        print(f"  of which the tap (touch handlers, journey, screen.show) median {statistics.median(taps):.1f} ms, "
              f"drawing + flip of the frame median {statistics.median(draws):.1f} ms; the rest is the frame's "
              "clock tick (60 fps pacing), Clock callbacks and layout")
        print("target: median <= 100 ms")

if __name__ == "__main__":
    main()
