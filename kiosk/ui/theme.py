"""Look and size of everything: calm colours, large type, touch targets sized in millimetres."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import ColorProperty, NumericProperty

MM_PER_INCH = 25.4
LARGER_TEXT = 1.35


def hex_colour(code: str) -> list[float]:
    return [int(code[i:i + 2], 16) / 255 for i in (1, 3, 5)] + [1.0]


class Theme(EventDispatcher):
    """Sizes follow the window height and the citizen's text size; colours meet WCAG AAA
    contrast (7:1) for body text, because many users are elderly."""

    scale = NumericProperty(1.0)
    touch = NumericProperty(48)
    body = NumericProperty(28)
    title = NumericProperty(44)
    small = NumericProperty(22)
    button_height = NumericProperty(96)
    gap = NumericProperty(16)

    background = ColorProperty(hex_colour("#F7F5F0"))
    surface = ColorProperty(hex_colour("#FFFFFF"))
    text = ColorProperty(hex_colour("#1A1A1A"))
    muted = ColorProperty(hex_colour("#3D3D3D"))
    primary = ColorProperty(hex_colour("#1F4E79"))
    on_primary = ColorProperty(hex_colour("#FFFFFF"))
    error = ColorProperty(hex_colour("#9E1B1B"))
    error_surface = ColorProperty(hex_colour("#FDECEC"))

    def __init__(self, dpi: int, touch_target_mm: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._dpi = dpi
        self._touch_px = touch_target_mm * dpi / MM_PER_INCH
        self._unit = 1.0
        self.bind(scale=lambda *_: self._resize())

    def fit(self, width: int, height: int) -> None:
        # Type is sized physically (28 px at 96 dpi is a 7.4 mm em), but shrinks on a narrow
        # screen so a line still holds about 45 characters.
        self._unit = min(self._dpi / 96, width / 900, height / 560)
        self._resize()

    def _resize(self) -> None:
        unit = self._unit * self.scale
        self.body = round(28 * unit)
        self.title = round(42 * unit)
        self.small = round(23 * unit)
        self.gap = round(16 * self._unit)
        # A button is never smaller than the configured touch target, and grows with its text.
        self.touch = max(48, round(self._touch_px))
        self.button_height = max(self.touch, round(self.body * 2.8))
