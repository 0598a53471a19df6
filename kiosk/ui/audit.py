"""`kiosk ui audit`: walks every screen of every service in every language and text size and
reports what would stop a citizen: clipped or overlapping text, touch targets below the
configured size, text contrast below WCAG (4.5:1, and 7:1 in high contrast), missing
translations, and (one pass in the low layout) controls out of reach from a wheelchair.

It drives the real app through the journey's own events (what the screens' buttons send), lets
Kivy lay the screen out, and then measures the widgets that are on the window.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import cv2
import numpy as np
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.widget import Widget

from hardware.printer import PaperStatus
from hardware.printer.emulator_mode import EmulatorMode
from kiosk.forms.answers import example_answers, shown_fields
from kiosk.forms.service import FormStep, Service
from kiosk.journey import events as ev
from kiosk.journey.state import PhotoPhase, Printout, Stage
from kiosk.photo.assessment import ALL_MEASURES
from kiosk.photo.captured import CapturedPhoto, Verdict
from kiosk.photo.guidance import EVEN_LIGHT, PLAIN_BACKGROUND
from kiosk.ui.theme import MM_PER_INCH, contrast_ratio
from kiosk.ui.widgets import KioskKeyboard, ancestors

if TYPE_CHECKING:
    from kiosk.app import Devices
    from kiosk.ui.kiosk_app import KioskApp

SETTLE_FRAMES = 3  # Kivy lays out over a few frames (texture sizes, then heights, then positions)
TEXT_SIZES = (1.0, 1.5, 2.0)
MIN_CONTRAST = 4.5  # WCAG AA for text
MIN_CONTRAST_HIGH = 7.0  # WCAG AAA, promised by the high-contrast theme
Rect = tuple[float, float, float, float]  # x, y, right, top in window coordinates


@dataclass(frozen=True)
class Finding:
    kind: str  # clipped | overlap | outside | touch_target | contrast | translation | too_high
    language: str
    text_size: int  # percent
    high_contrast: bool
    screen: str
    detail: str
    low_layout: bool = False


@dataclass
class Measures:
    findings: list[Finding]
    min_touch_target_mm: float = 999.0
    min_contrast: float = 21.0
    min_contrast_high_contrast: float = 21.0
    screens: int = 0


def audit_photo(compliant: bool) -> CapturedPhoto:
    """A plain grey photo with a verdict for every measure (the longest list the review shows)
    and, when not compliant, the failures with the longest advice."""
    ok, jpeg = cv2.imencode(".jpg", np.full((1063, 827, 3), 170, np.uint8))
    assert ok
    failing = () if compliant else ("IlluminationUniformity", "BackgroundUniformity", "HeadPoseRoll")
    verdicts = tuple(Verdict(name, 20 if name in failing else 90, name not in failing) for name in ALL_MEASURES)
    advice = () if compliant else (EVEN_LIGHT, PLAIN_BACKGROUND)
    return CapturedPhoto(bytearray(jpeg.tobytes()), 827, 1063, verdicts, advice)


class Audit:
    """Attached to the app like the autopilot; walks, measures, prints, stops the app."""

    def __init__(self, languages: tuple[str, ...], sizes: tuple[float, ...], as_json: bool,
                 screenshots: Path | None = None) -> None:
        self.languages, self.sizes, self.as_json = languages, sizes, as_json
        self.screenshots = screenshots  # one PNG per measured screen, to look at
        self.exit_status = 1
        self.measures = Measures(findings=[])
        self._app: KioskApp | None = None
        self._devices: Devices | None = None
        self._walk: Iterator[str] | None = None
        self._wait = 0
        self._where = ""
        self._pass = ("de", 1.0, False, False)  # language, text size, high contrast, low layout
        self._english = _english_texts()  # a terminal text on screen in another language: untranslated

    def attach(self, app: KioskApp, devices: Devices) -> None:
        self._app, self._devices = app, devices
        app.bind(on_start=lambda _app: Clock.schedule_interval(self._step, 0))

    # -- the loop: act, let Kivy settle, measure -------------------------------------------

    def _step(self, _dt: float) -> bool | None:
        if self._wait > 0:
            self._wait -= 1
            return None
        try:
            if self._where:
                self._measure(self._where)
            self._walk = self._walk or self._everything()
            self._where = next(self._walk)
            self._wait = SETTLE_FRAMES
            return None
        except StopIteration:
            self._finish()
        except Exception as exc:  # the audit itself failed: say where, never hang
            from kiosk.journey.machine import failure_site
            print(f"ui audit: FAILED at {self._where}: {failure_site(exc)}: {exc}", file=sys.stderr, flush=True)
            self._stop(2)
        return False

    def _everything(self) -> Iterator[str]:
        app = self._app
        assert app is not None
        passes = [(lang, size, False, False) for lang in self.languages for size in self.sizes]
        passes += [(lang, max(self.sizes), True, False) for lang in self.languages[:1]]  # the high-contrast palette
        passes += [(lang, max(self.sizes), False, True) for lang in self.languages[:1]]  # the low layout
        for self._pass in passes:
            yield from self._walk_pass()

    def _walk_pass(self) -> Iterator[str]:
        lang = self._pass[0]
        services = list(self._app.journey.services.values())  # type: ignore[union-attr]
        for index, service in enumerate(services):
            yield from self._begin(lang)
            if index == 0:
                yield from self._overlays()
            # The first service to its receipt, the second to a receipt the printer cannot print.
            yield from self._service(service, receipt=index <= 1, printer_out=index == 1)
            self._send(ev.Cancel())
            self._send(ev.ConfirmCancel())

    def _begin(self, lang: str) -> Iterator[str]:
        app = self._app
        assert app is not None
        self._send(ev.Cancel())
        self._send(ev.ConfirmCancel())
        if app.journey.state.stage is Stage.GOODBYE:
            # Cancel means nothing there: without this the service after the one walked to its
            # receipt was measured on the welcome screen, at the reset text size.
            self._send(ev.Start())
        _, size, high, low = self._pass
        app.theme.scale, app.theme.high_contrast, app.theme.low_layout = size, high, low  # the welcome screen reset them
        yield "welcome"
        self._send(ev.Start())
        yield "language"
        self._send(ev.ChooseLanguage(lang))
        yield "catalogue"

    def _overlays(self) -> Iterator[str]:
        self._send(ev.OpenHelp())
        yield "help"
        self._send(ev.CloseHelp())
        self._send(ev.OpenAccessibility())
        yield "accessibility"
        self._send(ev.CloseAccessibility())
        self._send(ev.Cancel())
        yield "confirm-cancel"
        self._send(ev.KeepGoing())
        self._app.journey.recover()  # type: ignore[union-attr]
        yield "failsafe"
        self._send(ev.Retry())

    def _service(self, service: Service, receipt: bool, printer_out: bool = False) -> Iterator[str]:
        journey = self._app.journey  # type: ignore[union-attr]
        answers = example_answers(service, journey._today())
        self._send(ev.ChooseService(service.id))
        while journey.state.stage is Stage.FORM:
            step = journey.state.step
            name = f"{service.id}/{step.id}"
            if journey.state.photo is not PhotoPhase.NONE:
                yield from self._photo_step(name)
                continue
            if isinstance(step, FormStep) and self._pass[1] == max(self.sizes):
                index = journey.state.step_index
                self._send(ev.Next())  # the page with every problem shown, at the largest text
                if journey.state.problems:
                    yield name + " (problems)"
                elif journey.state.step_index != index or journey.state.stage is not Stage.FORM:
                    self._send(ev.Back())  # nothing required here: it moved on, so come back
            if isinstance(step, FormStep):
                for form_field in shown_fields(service, step, journey.answers()):
                    self._send(ev.Answer(form_field.path, answers[form_field.path]))
            yield name
            self._send(ev.Next())
        if printer_out:
            self._paper_out(True)
        yield f"{service.id}/review" + (" (printer cannot print)" if printer_out else "")
        if receipt:
            self._send(ev.Submit())
            yield from self._until(lambda: journey.state.stage is Stage.RECEIPT
                                   and journey.state.printout is not Printout.PRINTING)
            yield f"{service.id}/receipt" + (" (not printed)" if printer_out else "")
            self._send(ev.Finish())
            yield "goodbye"
        if printer_out:
            self._paper_out(False)

    def _paper_out(self, out: bool) -> None:
        """The printer runs out of paper, or gets a new roll, and the terminal hears of it."""
        line = self._devices.printer_line  # type: ignore[union-attr]
        if line is not None:
            line.emulator.set_mode(EmulatorMode.PAPER_OUT if out else EmulatorMode.READY)
        else:
            self._devices.printer.set_paper(PaperStatus.OUT if out else PaperStatus.OK)  # type: ignore[union-attr]
        self._send(ev.PrinterChanged(ready=not out))

    def _photo_step(self, name: str) -> Iterator[str]:
        """Every screen of the photo step: the camera, the camera failed, a photo with failed
        checks, a good one with every check listed, the kept one with its code."""
        yield name + " (camera)"
        self._send(ev.CameraFailed("audit"))
        yield name + " (camera failed)"
        self._send(ev.RetryCamera())
        self._send(ev.PhotoTaken(audit_photo(compliant=False)))
        yield name + " (photo with failed checks)"
        self._send(ev.RetakePhoto())
        self._send(ev.PhotoTaken(audit_photo(compliant=True)))
        yield name + " (photo review)"
        self._send(ev.AcceptPhoto())
        yield name + " (photo kept)"
        self._send(ev.Next())

    def _until(self, done: Callable[[], bool]) -> Iterator[str]:
        while not done():
            yield ""  # frames pass; nothing new to measure

    def _send(self, event: ev.Event) -> None:
        self._app.send(event)  # type: ignore[union-attr]

    # -- measuring -------------------------------------------------------------------------

    def _measure(self, where: str) -> None:
        app = self._app
        assert app is not None
        self.measures.screens += 1
        if self.screenshots is not None:
            self._screenshot(where)
        roots = [app.manager.current_screen] + [c for c in Window.children if isinstance(c, ModalView)]
        for root in roots[-1:] if len(roots) > 1 else roots:  # an overlay covers the screen
            labels = [w for w in root.walk(restrict=True) if isinstance(w, Label) and _shown(w)]
            for label in labels:
                self._check_label(label, where)
            self._check_overlaps(labels, where)
            for widget in root.walk(restrict=True):
                if _is_control(widget) and _shown(widget):
                    self._touch(min(widget.size), where, getattr(widget, "text", type(widget).__name__))
                    self._reach(widget, where)
        keyboard = next((c for c in Window.children if isinstance(c, KioskKeyboard)), None)
        if keyboard is not None:
            self._touch(_smallest_key(keyboard), where, f"key on the {keyboard.layout} keyboard")

    def _screenshot(self, where: str) -> None:
        lang, size, high, low = self._pass
        name = f"{self.measures.screens:04d}-{lang}-{round(size * 100)}{'-hc' if high else ''}{'-low' if low else ''}" \
               f"-{where.replace('/', '-').replace(' ', '')}.png"
        self.screenshots.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        saved = Window.screenshot(name=str(self.screenshots / "shot.png"))  # type: ignore[operator]
        Path(saved).replace(self.screenshots / name)  # type: ignore[operator]

    def _check_label(self, label: Label, where: str) -> None:
        tw, th = label.texture_size
        if getattr(label, "is_shortened", False) or tw > label.width + 1 or th > label.height + 1:
            self._find("clipped", where, f"{_short(label.text)!r}: text {tw:.0f}×{th:.0f} px in "
                                         f"{label.width:.0f}×{label.height:.0f} px")
        if _scroller(label) is None and not _inside(_rect(label), (0, 0, Window.width, Window.height)):
            self._find("outside", where, f"{_short(label.text)!r} is partly outside the window")
        if self._pass[0] != "en" and label.text.strip() in self._english:
            self._find("translation", where, f"{_short(label.text)!r} is shown in English")
        ratio = contrast_ratio(list(label.color), _background(label, self._app))
        high = self._pass[2]
        if high:
            self.measures.min_contrast_high_contrast = min(self.measures.min_contrast_high_contrast, ratio)
        else:
            self.measures.min_contrast = min(self.measures.min_contrast, ratio)
        if ratio < (MIN_CONTRAST_HIGH if high else MIN_CONTRAST):
            self._find("contrast", where, f"{_short(label.text)!r}: contrast {ratio:.2f}:1")

    def _check_overlaps(self, labels: list[Label], where: str) -> None:
        rects = [(label, _visible_text_rect(label)) for label in labels]
        rects = [(label, r) for label, r in rects if r is not None]
        for i, (first, a) in enumerate(rects):
            for second, b in rects[i + 1:]:
                if _area(_intersection(a, b)) > 4 and not _related(first, second):
                    self._find("overlap", where, f"{_short(first.text)!r} overlaps {_short(second.text)!r}")

    def _touch(self, pixels: float, where: str, what: str) -> None:
        mm = pixels / self._app.config_model.display.dpi * MM_PER_INCH  # type: ignore[union-attr]
        self.measures.min_touch_target_mm = min(self.measures.min_touch_target_mm, mm)
        if mm < self._app.config_model.display.touch_target_mm - 0.05:  # type: ignore[union-attr]
            self._find("touch_target", where, f"{_short(what)!r}: {mm:.1f} mm")

    def _reach(self, control: Widget, where: str) -> None:
        """In the low layout every control lies in the lower part (what a scroll view shows of it)."""
        if not self._pass[3]:
            return
        rect, node = _rect(control), control.parent
        while node is not None and node is not Window:  # cut to what every scroll view shows
            if isinstance(node, ScrollView):
                rect = _intersection(rect, _rect(node))
            node = node.parent
        limit = Window.height * self._app.config_model.display.low_layout_share  # type: ignore[union-attr]
        if _area(rect) > 0 and rect[3] > limit + 1:
            self._find("too_high", where, f"{_short(getattr(control, 'text', ''))!r} reaches {rect[3]:.0f} px, "
                                          f"above {limit:.0f} px")

    def _find(self, kind: str, where: str, detail: str) -> None:
        lang, size, high, low = self._pass
        finding = Finding(kind, lang, round(size * 100), high, where, detail, low)
        if finding not in self.measures.findings:
            self.measures.findings.append(finding)

    # -- the end ---------------------------------------------------------------------------

    def _finish(self) -> None:
        from kiosk import translations

        services = tuple(self._app.journey.services.values())  # type: ignore[union-attr]
        for lang, domain, context, text in translations.missing(services):
            if lang in self.languages:
                self.measures.findings.append(Finding("translation", lang, 100, False, domain,
                                                      f"{context + ': ' if context else ''}{_short(text)}"))
        report(self.measures, self.as_json)
        self._stop(0 if not self.measures.findings else 1)

    def _stop(self, status: int) -> None:
        self.exit_status = status
        Clock.unschedule(self._step)
        self._app.stop()  # type: ignore[union-attr]


def _english_texts() -> frozenset[str]:
    from kiosk.i18n import catalogue
    from kiosk.translations import ui_messages

    # Only texts German translates differently: "Terminal" or "OK" are the same in both.
    german = catalogue("de")
    return frozenset(m for m in ui_messages() if german.get((None, m), m) != m and "{" not in m)


def report(measures: Measures, as_json: bool) -> None:
    import json

    summary = {"findings": [asdict(f) for f in measures.findings],
               "min_touch_target_mm": round(measures.min_touch_target_mm, 1),
               "min_contrast": round(measures.min_contrast, 2),
               "min_contrast_high_contrast": round(measures.min_contrast_high_contrast, 2),
               "screens": measures.screens}
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
        return
    for f in measures.findings:
        print(f"{f.kind:<12} {f.language} {f.text_size}%{' HC' if f.high_contrast else ''}"
              f"{' LOW' if f.low_layout else ''} {f.screen}: {f.detail}")
    print(f"{measures.screens} screens; {len(measures.findings)} finding(s); smallest touch target "
          f"{summary['min_touch_target_mm']} mm; lowest contrast {summary['min_contrast']}:1 "
          f"({summary['min_contrast_high_contrast']}:1 in high contrast)", flush=True)


# -- geometry helpers (window coordinates) ----------------------------------------------------

def _shown(widget: Widget) -> bool:
    """On screen for a citizen: not transparent, not collapsed, text where it is a label."""
    if isinstance(widget, Label) and not widget.text.strip():
        return False
    node: Widget | None = widget
    while node is not None and node is not Window:
        if node.opacity <= 0 or node.width <= 0 or node.height <= 0:
            return False
        node = node.parent
    return True


def _is_control(widget: Widget) -> bool:
    from kivy.uix.button import ButtonBehavior

    return isinstance(widget, (ButtonBehavior, TextInput)) and not widget.disabled


def _rect(widget: Widget) -> Rect:
    x, y = widget.to_window(*widget.pos)
    return x, y, x + widget.width, y + widget.height


def _scroller(widget: Widget) -> ScrollView | None:
    return next((w for w in ancestors(widget) if isinstance(w, ScrollView)), None)


def _visible_text_rect(label: Label) -> Rect | None:
    """Where the label's text is drawn, cut to what its scrolling page shows."""
    x, y, right, top = _rect(label)
    tw, th = min(label.texture_size[0], label.width), min(label.texture_size[1], label.height)
    left = {"left": x, "right": right - tw}.get(label.halign, (x + right - tw) / 2)
    bottom = {"top": top - th, "bottom": y}.get(label.valign, (y + top - th) / 2)
    rect: Rect = (left, bottom, left + tw, bottom + th)
    scroller = _scroller(label)
    if scroller is not None:
        rect = _intersection(rect, _rect(scroller))
    return rect if _area(rect) > 0 else None


def _intersection(a: Rect, b: Rect) -> Rect:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _area(r: Rect) -> float:
    return max(0.0, r[2] - r[0]) * max(0.0, r[3] - r[1])


def _inside(inner: Rect, outer: Rect) -> bool:
    return inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1 and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1


def _related(a: Widget, b: Widget) -> bool:
    return a in ancestors(b) or b in ancestors(a)


def _background(label: Label, app: KioskApp | None) -> list[float]:
    """The colour behind a label's text: its own (buttons, fields), else what it sits on."""
    node: Widget | None = label
    while node is not None and node is not Window:
        colour = getattr(node, "background_color", None)
        if colour is not None and (node is label or isinstance(node, ModalView)):
            return list(colour)
        node = node.parent
    return list(app.theme.background) if app else [1, 1, 1, 1]


def _smallest_key(keyboard: KioskKeyboard) -> float:
    layout = keyboard.available_layouts[keyboard.layout]
    top, right, bottom, left = keyboard.margin_hint
    unit_w = keyboard.width * keyboard.scale * (1 - left - right) / layout["cols"]
    unit_h = keyboard.height * keyboard.scale * (1 - top - bottom) / layout["rows"]
    narrowest = min(k[3] for name, keys in layout.items() if name.startswith(("normal_", "shift_")) for k in keys)
    return min(unit_w * narrowest, unit_h)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 50 else text[:47] + "…"
