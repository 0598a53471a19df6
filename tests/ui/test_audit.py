"""The UI audit finds what it promises to find: it is shown broken screens, not only good ones."""

from __future__ import annotations

from kivy.uix.button import Button
from kivy.uix.label import Label

from kiosk.ui.audit import Audit

from tests.ui.conftest import Kiosk


def audit_of(kiosk: Kiosk) -> Audit:
    audit = Audit(("de",), (1.0,), as_json=True)
    audit._app = kiosk.app
    return audit


def kinds(audit: Audit) -> set[str]:
    return {finding.kind for finding in audit.measures.findings}


def test_a_good_screen_has_no_findings(kiosk: Kiosk) -> None:
    audit = audit_of(kiosk)
    audit._measure("welcome")
    assert audit.measures.findings == []
    assert audit.measures.min_touch_target_mm >= kiosk.app.config_model.display.touch_target_mm
    assert audit.measures.min_contrast >= 7.0


def test_clipped_overlapping_faint_text_and_a_tiny_button_are_found(kiosk: Kiosk) -> None:
    screen = kiosk.screen
    clipped = Label(text="Ein sehr langer Text, der in dieses kleine Feld nicht hineinpasst",
                    size_hint=(None, None), size=(80, 20), pos=(300, 300), color=(0, 0, 0, 1))
    covering = Label(text="Darüber", size_hint=(None, None), size=(200, 40), pos=(290, 290),
                     color=(0.8, 0.8, 0.8, 1))  # light grey on the light background: faint
    tiny = Button(text="x", size_hint=(None, None), size=(20, 20), pos=(700, 300))
    for widget in (clipped, covering, tiny):
        screen.add_widget(widget)
    kiosk.advance_frames(3)
    audit = audit_of(kiosk)
    audit._measure("broken")
    assert {"clipped", "overlap", "contrast", "touch_target"} <= kinds(audit)
    assert audit.measures.min_touch_target_mm < 6
    assert audit.measures.min_contrast < 2


def test_text_pushed_out_of_the_window_is_found(kiosk: Kiosk) -> None:
    kiosk.screen.add_widget(Label(text="Oben hinaus", size_hint=(None, None), size=(200, 40),
                                  pos=(100, kiosk.app.root.height - 10), color=(0, 0, 0, 1)))
    kiosk.advance_frames(3)
    audit = audit_of(kiosk)
    audit._measure("pushed")
    assert "outside" in kinds(audit)


def test_in_the_low_layout_a_control_out_of_reach_is_found(kiosk: Kiosk) -> None:
    kiosk.app.theme.low_layout = True
    kiosk.advance_frames(3)
    audit = audit_of(kiosk)
    audit._pass = ("de", 1.0, False, True)
    audit._measure("welcome")
    assert audit.measures.findings == []  # every control of the low welcome screen is in reach
    kiosk.screen.add_widget(Button(text="oben", size_hint=(None, None), size=(200, 80),
                                   pos=(100, kiosk.window.height - 100)))
    kiosk.advance_frames(3)
    audit._measure("raised")
    assert "too_high" in kinds(audit)
    assert all(f.low_layout for f in audit.measures.findings if f.kind == "too_high")
