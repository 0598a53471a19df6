"""Look and size of everything: calm colours, large type, touch targets sized in millimetres."""

from __future__ import annotations

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty

MM_PER_INCH = 25.4
# The text sizes a citizen can choose: 100, 150 and 200 % (WCAG 1.4.4: up to 200 % without
# loss of content; every screen wraps, grows and scrolls instead of cutting text off).
TEXT_SIZES = (1.0, 1.5, 2.0)


def hex_colour(code: str) -> list[float]:
    return [int(code[i:i + 2], 16) / 255 for i in (1, 3, 5)] + [1.0]


# Calm by default; high contrast is light on black with yellow for what can be tapped.
PALETTES: dict[bool, dict[str, str]] = {
    False: {"background": "#F7F5F0", "surface": "#FFFFFF", "text": "#1A1A1A", "muted": "#3D3D3D",
            "primary": "#1F4E79", "primary_text": "#FFFFFF", "error": "#9E1B1B", "error_surface": "#FDECEC"},
    True: {"background": "#000000", "surface": "#000000", "text": "#FFFFFF", "muted": "#E6E6E6",
           "primary": "#FFD500", "primary_text": "#000000", "error": "#FF9C8F", "error_surface": "#3A0000"},
}


def contrast_ratio(foreground: list[float], background: list[float]) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    def luminance(colour: list[float]) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class Theme(EventDispatcher):
    """Sizes follow the screen and the citizen's text size. Colours meet WCAG AAA contrast
    (7:1) for text in both palettes, because many users are elderly (see PALETTES)."""

    scale = NumericProperty(1.0)  # the panel offers TEXT_SIZES; `kiosk ui audit --sizes` may try others
    high_contrast = BooleanProperty(False)
    low_layout = BooleanProperty(False)  # every control in the lower part (wheelchair users)
    touch = NumericProperty(48)
    body = NumericProperty(28)
    title = NumericProperty(44)
    small = NumericProperty(22)
    button_height = NumericProperty(96)
    gap = NumericProperty(16)
    margin = NumericProperty(32)  # around a screen's content: less where every line counts

    background = ColorProperty(hex_colour("#F7F5F0"))
    surface = ColorProperty(hex_colour("#FFFFFF"))
    text = ColorProperty(hex_colour("#1A1A1A"))
    muted = ColorProperty(hex_colour("#3D3D3D"))
    primary = ColorProperty(hex_colour("#1F4E79"))
    primary_text = ColorProperty(hex_colour("#FFFFFF"))
    error = ColorProperty(hex_colour("#9E1B1B"))
    error_surface = ColorProperty(hex_colour("#FDECEC"))

    def __init__(self, dpi: int, touch_target_mm: float, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._dpi = dpi
        self._touch_px = touch_target_mm * dpi / MM_PER_INCH
        self._unit = 1.0
        self.bind(scale=lambda *_: self._resize(), high_contrast=lambda *_: self._recolour(),
                  low_layout=lambda *_: self._resize())

    def fit(self, width: int, height: int) -> None:
        # Type is sized physically (28 px at 96 dpi is a 7.4 mm em), but shrinks on a narrow
        # screen so a line still holds about 45 characters.
        self._unit = min(self._dpi / 96, width / 900, height / 560)
        self._resize()

    def _recolour(self) -> None:
        for name, code in PALETTES[self.high_contrast].items():
            setattr(self, name, hex_colour(code))

    def reset(self) -> None:
        """The next citizen starts with the default size, colours and layout."""
        self.scale = 1.0
        self.high_contrast = False
        self.low_layout = False

    def _resize(self) -> None:
        unit = self._unit * self.scale
        self.body = round(28 * unit)
        self.title = round(42 * unit)
        self.small = round(23 * unit)
        self.gap = round(16 * self._unit)
        # Large text or the low layout leave little room: the margins give it back.
        self.margin = self.gap * (2 if self.scale == 1 and not self.low_layout else 1)
        # A button is never smaller than the configured touch target, and grows with its text;
        # its padding does not grow with the text, so 200 % text still leaves room for content.
        self.touch = max(48, round(self._touch_px))
        self.button_height = max(self.touch, round(self.body * 1.65 + 2 * self.gap))
