"""Checks of what a screen or overlay really shows: nothing cut off, nothing on top of other text,
every control where it can be reached. Shared by the screen and accessibility tests.

A widget inside a scrolling page counts where it is visible now (clipped by its ScrollViews): a
text scrolled out of view is not cut off, it is there to scroll to.
"""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import Kiosk, _ancestors, _shown, plain

Rect = tuple[float, float, float, float]  # left, bottom, right, top in window coordinates
SLACK = 1.0  # px: rounding of layouts


def window_rect(widget: Any) -> Rect:
    left, bottom = widget.to_window(widget.x, widget.y)
    return left, bottom, left + widget.width, bottom + widget.height


def visible_rect(widget: Any) -> Rect | None:
    """The part of `widget` not scrolled out of its ScrollViews' views; None when none is."""
    from kivy.uix.scrollview import ScrollView

    left, bottom, right, top = window_rect(widget)
    for scroller in (w for w in _ancestors(widget) if isinstance(w, ScrollView)):
        x0, y0, x1, y1 = window_rect(scroller)
        left, bottom, right, top = max(left, x0), max(bottom, y0), min(right, x1), min(top, y1)
    if right - left <= SLACK or top - bottom <= SLACK:
        return None
    return left, bottom, right, top


def roots(kiosk: Kiosk) -> list[tuple[str, Any]]:
    """What the citizen sees: the open overlay, or else the current screen."""
    overlay = kiosk.overlay()
    return [("overlay", overlay)] if overlay is not None else [("screen", kiosk.screen)]


def texts_of(root: Any) -> list[Any]:
    """Visible labels and buttons with text under `root`."""
    from kivy.uix.label import Label

    return [w for w in root.walk(restrict=True)
            if isinstance(w, Label) and plain(w.text).strip() and _shown(w) and visible_rect(w) is not None]


def controls_of(root: Any) -> list[Any]:
    """Visible buttons and input fields under `root`."""
    from kivy.uix.button import Button
    from kivy.uix.textinput import TextInput

    return [w for w in root.walk(restrict=True)
            if isinstance(w, (Button, TextInput)) and _shown(w) and visible_rect(w) is not None]


def assert_nothing_cut_off(kiosk: Kiosk, where: str) -> int:
    """No text is larger than the widget that shows it (Kivy would cut it off), and no two
    texts overlap. Returns how many texts were looked at."""
    checked = 0
    for name, root in roots(kiosk):
        labels = texts_of(root)
        for label in labels:
            width, height = label.texture_size
            assert width <= label.width + SLACK and height <= label.height + SLACK, \
                (f"{where} ({name}): {plain(label.text)!r} is cut off: text {width}x{height}, "
                 f"widget {label.width:.0f}x{label.height:.0f}")
        rects = [(plain(label.text), visible_rect(label)) for label in labels]
        for index, (text, rect) in enumerate(rects):
            for other, other_rect in rects[index + 1:]:
                assert not _overlap(rect, other_rect), f"{where} ({name}): {text!r} overlaps {other!r}"
        checked += len(labels)
    return checked


def assert_controls_low(kiosk: Kiosk, share: float, where: str) -> int:
    """Every button and input field lies in the lower `share` of the window (low layout); one
    partly scrolled out of view counts by its visible part (scrolling stays in the lower part)."""
    limit = kiosk.window.height * share + SLACK
    controls = [c for _name, root in roots(kiosk) for c in controls_of(root)]
    tops = [(c, visible_rect(c)[3]) for c in controls]  # type: ignore[index]
    high = [(plain(getattr(c, "text", "")), round(top)) for c, top in tops if top > limit]
    assert not high, f"{where}: controls above {limit:.0f} px: {high}"
    return len(controls)


def assert_overlay_in_window(kiosk: Kiosk, where: str) -> None:
    """The open overlay lies inside the part of the window that holds the controls, and
    everything in it lies inside its box (or in its scrolling page)."""
    overlay = kiosk.overlay()
    assert overlay is not None, f"{where}: no overlay open"
    assert overlay.y >= -SLACK and overlay.top <= kiosk.app.usable_height + SLACK, \
        f"{where}: the box ({overlay.y:.0f}-{overlay.top:.0f}) is not inside the usable window"
    for part in texts_of(overlay) + controls_of(overlay):
        left, bottom, right, top = visible_rect(part)  # type: ignore[misc]
        assert overlay.x - SLACK <= left and right <= overlay.right + SLACK \
            and overlay.y - SLACK <= bottom and top <= overlay.top + SLACK, \
            f"{where}: {plain(getattr(part, 'text', ''))!r} sticks out of the box"


def _overlap(a: Rect | None, b: Rect | None) -> bool:
    if a is None or b is None:
        return False
    return min(a[2], b[2]) - max(a[0], b[0]) > SLACK and min(a[3], b[3]) - max(a[1], b[1]) > SLACK
