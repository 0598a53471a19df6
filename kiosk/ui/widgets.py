"""Building blocks every screen uses: large buttons, wrapping text, the top bar, form fields."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.vkeyboard import VKeyboard

from kiosk.config import REPO_ROOT
from kiosk.ui.rtl import BidiBehavior, Row


KEYBOARDS = REPO_ROOT / "config" / "keyboards"


class ButtonBase(BidiBehavior, Button):
    """`primary` buttons are filled, others outlined (shape, not only colour)."""

    primary = BooleanProperty(False)


class BigButton(ButtonBase):
    """A full-width button whose text wraps."""


class BarButton(ButtonBase):
    """A button in the top bar, as wide as its text."""


class PageScroll(ScrollView):
    """A page longer than the screen (see widgets.kv for its look)."""

    def update_from_scroll(self, *largs: object) -> None:
        super().update_from_scroll(*largs)
        # Kivy 2.3 binds bar_color on every scroll update but unbinds it once per pause, so
        # bindings pile up over the sessions (measured: +20,000 in 60 sessions). Undo the
        # extra one; the bar has one steady colour here anyway.
        self.funbind("bar_color", self._change_bar_color)

    def on_bar_inactive_color(self, _scroll: ScrollView, colour: list[float]) -> None:
        self._bar_color = colour  # follow a change of colours (high contrast) at once


class ChoiceButton(BidiBehavior, ToggleButton):
    """One answer to tap; the chosen one is ticked (shape, not colour alone)."""

    value = ObjectProperty("")  # a choice's value, or True/False for yes/no


class FieldInput(TextInput):
    """A text field with a clear frame that thickens while it has the focus.

    It never talks to a system clipboard or X selection: what a citizen types must not outlive
    the session anywhere outside it."""

    field_id = StringProperty("")
    problem = BooleanProperty(False)  # framed in the error colour; the message says what is wrong
    keyboard_layout = StringProperty("text")  # a layout in config/keyboards/, e.g. numeric, iban
    capitalise = BooleanProperty(False)  # names: a letter starting a word is written capital

    def insert_text(self, substring: str, from_undo: bool = False) -> None:
        if self.capitalises_next() and substring.isalpha():
            substring = substring[0].upper() + substring[1:]
        super().insert_text(substring, from_undo=from_undo)

    def capitalises_next(self) -> bool:
        """Whether the next letter typed is written capital by itself (a word starts)."""
        before = self.text[:self.cursor_index()]
        return self.capitalise and (not before or before[-1] in " -'’")

    def _ensure_clipboard(self) -> None:
        pass

    def _update_cutbuffer(self, *args: object) -> None:
        pass

    def copy(self, data: str = "") -> None:
        pass

    def cut(self) -> None:
        pass

    def paste(self) -> None:
        pass


class KioskKeyboard(VKeyboard):
    """The on-screen keyboard, docked at the bottom, with our own layouts (config/keyboards):
    German letters without the tab, caps-lock and layout-menu keys that confuse, and a number
    pad for fields that take digits. Kivy scales a docked keyboard to the window width, so its
    base size sets its height: about a third of a landscape screen, keys above touch size."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("layout_path", str(KEYBOARDS))
        kwargs.setdefault("layout", "text")
        kwargs.setdefault("width", 1100)
        kwargs.setdefault("height", 250)
        kwargs.setdefault("font_size", 30)
        kwargs.setdefault("scale_max", 4)
        super().__init__(**kwargs)

    def on_target(self, _keyboard: VKeyboard, target: object) -> None:
        # One keyboard serves every field: each field says which layout it wants.
        self.have_shift = False
        self.layout = getattr(target, "keyboard_layout", "text")
        # Kivy loads the layout on the next frame; a finger (or the scripted citizen) that types
        # at once would hit keys of the old layout, or none (a KeyError inside Kivy).
        self._load_layout()

    def process_key_on(self, touch: object) -> None:
        shifted = self.have_shift
        super().process_key_on(touch)
        if self._special(touch) == "shift":
            # Kivy's shift works only while held, which needs two fingers: a tap switches it.
            self.have_shift = not shifted

    def process_key_up(self, touch: object) -> None:
        shifted, special = self.have_shift, self._special(touch)
        super().process_key_up(touch)  # releasing shift would switch it off again
        # One capital letter, then small ones again, as on a phone; the IBAN letters stay
        # until switched back, because IBAN letters come in runs (NL91 ABNA …).
        self.have_shift = shifted and (special == "shift" or self.layout == "iban")
        # Show the layer now, not on the next frame: a quick finger would otherwise hit a key of
        # the old layer's geometry (an IndexError in Kivy when the layers differ in size).
        self._update_layout_mode()

    def _special(self, touch: object) -> str | None:
        key = getattr(touch, "ud", {}).get(self.uid, {}).get("key")
        return key[0][2] if key else None

    def key_position(self, text: str) -> tuple[str, tuple[float, float]] | None:
        """Which layer ('normal' or 'shift') has a key typing `text` (or a special key such as
        'shift'), and its centre in window coordinates when that layer is shown (for the
        scripted citizen, who taps keys like anyone else)."""
        layout = self.available_layouts[self.layout]
        for mode in ("normal", "shift"):
            for line in range(1, layout["rows"] + 1):
                keys = layout.get(f"{mode}_{line}", ())
                for index, key in enumerate(keys):
                    if (key[1] or key[2]) == text:
                        return mode, self._centre(layout, line, keys, index)
        return None

    def shortcut(self, rest: str) -> str | None:
        """A key typing several characters at once that `rest` starts with (DE, .de)."""
        layout = self.available_layouts[self.layout]
        texts = {k[1] for name, keys in layout.items() if name.startswith("normal_") for k in keys}
        return next((t for t in texts if t and len(t) > 1 and rest.startswith(t)), None)

    def _centre(self, layout: dict, line: int, keys: list, index: int) -> tuple[float, float]:
        # Computed from the layout as Kivy places keys (refresh_keys_hint), not read from
        # layout_geometry, which Kivy updates a frame after the layer changed.
        top, right, bottom, left = self.margin_hint
        unit_w = (1 - left - right) / layout["cols"]
        unit_h = (1 - top - bottom) / layout["rows"]
        x = left + sum(k[3] for k in keys[:index]) * unit_w + keys[index][3] * unit_w / 2
        y = bottom + (layout["rows"] - line) * unit_h + unit_h / 2
        # The docked keyboard is a scaled Scatter on the window: local → parent is the window.
        return self.to_parent(x * self.width, y * self.height)


class Text(BidiBehavior, Label):
    """Wrapping text whose height follows its content."""


class Heading(Text):
    pass


class BarTitle(BidiBehavior, Label):
    """The top bar's title: one line, shortened rather than wrapped."""


class TopBar(Row):
    """Title, and on every screen the help button; cancel whenever a session is open."""

    title = StringProperty("")
    can_cancel = BooleanProperty(True)


class FieldBox(BoxLayout):
    """One question: label, hint, input, and the problem in words (never colour alone)."""

    field = ObjectProperty(None, allownone=True)  # kiosk.forms.service.FormField
    label = StringProperty("")  # in the citizen's language
    help = StringProperty("")
    problem = StringProperty("")


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
