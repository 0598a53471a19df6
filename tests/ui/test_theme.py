"""Colours and the high-contrast switch (BITV/EN 301 549: contrast, no information by colour alone)."""

from __future__ import annotations

import pytest

from tests.ui.conftest import Kiosk
from tests.ui.test_screens import start

# Every pair of colours the screens draw text or controls with.
PAIRS = [("text", "background"), ("text", "surface"), ("muted", "background"), ("muted", "surface"),
         ("primary", "background"), ("primary", "surface"), ("primary_text", "primary"),
         ("error", "background"), ("error", "surface")]


@pytest.mark.parametrize("high_contrast", [False, True])
def test_every_text_colour_meets_aaa_contrast(high_contrast: bool) -> None:
    from kiosk.ui.theme import PALETTES, contrast_ratio, hex_colour

    palette = PALETTES[high_contrast]
    low = {f"{fg} on {bg}": round(contrast_ratio(hex_colour(palette[fg]), hex_colour(palette[bg])), 2)
           for fg, bg in PAIRS}
    assert min(low.values()) >= 7.0, low


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    from kiosk.ui.theme import contrast_ratio, hex_colour

    assert contrast_ratio(hex_colour("#000000"), hex_colour("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(hex_colour("#777777"), hex_colour("#FFFFFF")) == pytest.approx(4.48, abs=0.01)


def test_high_contrast_from_the_panel_recolours_and_resets_for_the_next_citizen(kiosk: Kiosk) -> None:
    start(kiosk)
    theme = kiosk.app.theme
    kiosk.tap_text("Bedienhilfen")
    kiosk.tap_text("Hoher Kontrast")
    assert theme.high_contrast
    assert list(theme.background) == [0, 0, 0, 1]
    kiosk.expect("✓  Hoher Kontrast")  # the choice is marked by a tick, not by colour alone
    assert "✓  Normal" not in kiosk.texts_on_screen()
    kiosk.screenshot("high-contrast-panel")
    kiosk.tap_text("Zurück zu meiner Seite")
    weiter = kiosk.button("Weiter")
    assert list(weiter.background_color) == list(theme.primary)  # the screen below followed
    kiosk.tap_text("Abbrechen")
    kiosk.tap_text("Ja, abbrechen und löschen")
    kiosk.expect("Beginnen  ·  Start")
    assert not theme.high_contrast and list(theme.background) != [0, 0, 0, 1]
