"""Building blocks every screen uses: large buttons, wrapping text, the top bar, form fields."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.input.motionevent import MotionEvent
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.textinput import TextInput
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.vkeyboard import VKeyboard
from kivy.uix.widget import Widget

from kiosk.config import REPO_ROOT
from kiosk.ui.announcer import Part
from kiosk.ui.rtl import BidiBehavior, Row


KEYBOARDS = REPO_ROOT / "config" / "keyboards"


class ButtonBase(BidiBehavior, Button):
    """`primary` buttons are filled, others outlined (shape, not only colour). A button is at
    least `min_height` tall (0: the theme's button height) and grows when its text wraps."""

    primary = BooleanProperty(False)
    min_height = NumericProperty(0)


class BigButton(ButtonBase):
    """A full-width button whose text wraps."""


class BarButton(ButtonBase):
    """A button in the top bar, as wide as its text."""


class AccessSymbol(Widget):
    """The accessibility symbol (after the United Nations' one, 2015): a figure with outstretched
    arms in a circle, drawn with canvas instructions so it is crisp at every size and needs no
    image file or font glyph. Known without reading."""

    fill = ColorProperty([0, 0, 0, 1])  # the disc
    figure = ColorProperty([1, 1, 1, 1])  # the figure and its ring
    radius = NumericProperty(0)


class AccessButton(ButtonBase):
    """A button with the accessibility symbol before its word(s); it opens the panel."""

    symbol_size = NumericProperty(32)


class ButtonRow(Row):
    """Buttons side by side (from the right in Arabic), as tall as the tallest one. When a
    button's text would not fit its share of the row (large text, a long translation), the
    buttons are stacked one above the other instead of squeezed: rows stack rather than cut."""

    stacked = BooleanProperty(False)
    max_lines = NumericProperty(2)  # a button's text may wrap onto this many lines side by side

    def __init__(self, **kwargs: object) -> None:
        self._arrange_soon = Clock.create_trigger(self._arrange, -1)
        super().__init__(**kwargs)
        self.fbind("width", self._arrange_soon)
        self.fbind("minimum_height", self._arrange_soon)
        self.fbind("max_lines", self._arrange_soon)

    def on_children(self, _row: BoxLayout, children: list[Widget]) -> None:
        for child in children:
            for name in ("height", "text", "font_size"):
                if name in child.properties():
                    child.funbind(name, self._arrange_soon)
                    child.fbind(name, self._arrange_soon)
        self._arrange_soon()

    def _arrange(self, *_args: object) -> None:
        self.stacked = not self._fits_side_by_side()
        self.orientation = "vertical" if self.stacked else "horizontal"
        if self.stacked:
            self.height = self.minimum_height
        else:
            self.height = max((c.height for c in self.children if c.size_hint_y is None), default=0)

    def _fits_side_by_side(self) -> bool:
        spacing = self.spacing[0] if isinstance(self.spacing, list) else self.spacing
        fixed = sum(c.width for c in self.children if c.size_hint_x is None)
        hints = sum(c.size_hint_x for c in self.children if c.size_hint_x is not None) or 1
        flexible = self.width - fixed - spacing * max(0, len(self.children) - 1)
        # Wrapped text needs a little more than its one-line width: words do not break evenly.
        return all(_one_line_width(c) <= (flexible * c.size_hint_x / hints + 1) * (1 + (self.max_lines - 1) * 0.8)
                   for c in self.children if isinstance(c, Button) and c.size_hint_x is not None)


def _one_line_width(button: Button) -> float:
    """How wide `button` must be to show its text on one line."""
    core = (MarkupLabel if button.markup else CoreLabel)(text=button.text, font_size=button.font_size,
                                                          font_name=button.font_name, bold=button.bold)
    text_width = core.render()[0]
    padding = button.padding[0] + button.padding[2] if len(button.padding) == 4 else 2 * button.padding[0]
    frame = button.width - button.text_size[0] if button.text_size[0] else 0
    return text_width + padding + frame


class Page(BoxLayout):
    """The scrolling part of a screen or overlay: at least as tall as the view, so spacers can
    centre short content, and taller when the text is large, so it scrolls instead of being cut."""


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


class ScreenFrame(PageScroll):
    """The frame of a screen or overlay: one vertical box of top bar, a scrolling page
    (PageScroll) and buttons. Normally only the page scrolls and the bar and buttons stay put.
    When the text is so large (or the low layout so low) that bar and buttons leave the page
    less than a few lines, the page stops scrolling by itself and the whole frame scrolls
    instead: nothing is cut off and every button can be reached."""

    cramped = BooleanProperty(False)
    natural_height = NumericProperty(0)  # everything shown at once, without scrolling
    page_lines = NumericProperty(2)  # heading lines the page keeps before the whole frame scrolls

    def __init__(self, **kwargs: object) -> None:
        self._fit_soon = Clock.create_trigger(self._fit, -1)
        super().__init__(**kwargs)
        self.fbind("height", self._fit_soon)
        self.fbind("width", self._fit_soon)

    def add_widget(self, widget: Widget, *args: object, **kwargs: object) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.size_hint = None, None
        widget.fbind("children", self._watch)
        self._watch()

    def _watch(self, *_args: object) -> None:
        for child in self._frame_children():
            child.funbind("height", self._fit_soon)
            child.fbind("height", self._fit_soon)
        page = self._page()
        if page is not None and page.children:
            page.children[0].funbind("minimum_height", self._fit_soon)
            page.children[0].fbind("minimum_height", self._fit_soon)
        self._fit_soon()

    def _frame_children(self) -> list[Widget]:
        return list(self.children[0].children) if self.children else []

    def _page(self) -> ScrollView | None:
        return next((c for c in self._frame_children() if isinstance(c, PageScroll)), None)

    def _fit(self, *_args: object) -> None:
        page = self._page()
        if not self.children or page is None or not page.children:
            return
        frame = self.children[0]
        others = [c for c in self._frame_children() if c is not page]
        spacing = frame.spacing[1] if isinstance(frame.spacing, list) else frame.spacing
        fixed = sum(c.height for c in others) + spacing * len(others) + frame.padding[1] + frame.padding[3]
        wanted = page.children[0].minimum_height
        self.natural_height = fixed + wanted
        enough = min(wanted, App.get_running_app().theme.title * 1.2 * self.page_lines)
        was_cramped, self.cramped = self.cramped, self.height - fixed < enough - 1
        if self.cramped:  # the page shows all it has; the frame scrolls, from its top
            if not was_cramped:
                self.scroll_y = 1
            page.size_hint_y, page.height, page.do_scroll_y = None, wanted, False
            frame.size = self.width - self.bar_width, fixed + wanted  # the scroll bar beside, not on top
        else:  # the frame fits; the page takes what is left and scrolls
            page.size_hint_y, page.do_scroll_y = 1, True
            frame.size = self.size
            self.scroll_y = 1


class ChoiceButton(BidiBehavior, ToggleButton):
    """One answer to tap; the chosen one is ticked (shape, not colour alone)."""

    value = ObjectProperty("")  # a choice's value, or True/False for yes/no


def show_only(row: Widget, buttons: list[Widget]) -> None:
    """Put exactly these buttons in the row, in this order (a hidden button must not be
    found by touch, speech or the audit, so it leaves the row instead of turning invisible)."""
    if list(reversed(row.children)) == buttons:
        return
    row.clear_widgets()
    for button in buttons:
        row.add_widget(button)


def held(ids: dict[str, Widget], *names: str) -> dict[str, Widget]:
    """The widgets behind these kv ids, strongly referenced: ids are weak, and a widget that
    show_only took out of its row would otherwise be collected."""
    return {name: ids[name].__self__ for name in names}


def ancestors(widget: Widget) -> list[Widget]:
    """The widget's parents up to the window, nearest first."""
    found: list[Widget] = []
    parent = widget.parent
    while isinstance(parent, Widget) and parent not in found:
        found.append(parent)
        parent = parent.parent
    return found


class FieldInput(TextInput):
    """A text field with a clear frame that thickens while it has the focus.

    It never talks to a system clipboard or X selection: what a citizen types must not outlive
    the session anywhere outside it."""

    field_id = StringProperty("")
    problem = BooleanProperty(False)  # framed in the error colour; the message says what is wrong
    keyboard_layout = StringProperty("text")  # a layout in config/keyboards/, e.g. numeric, iban
    capitalise = BooleanProperty(False)  # names: a letter starting a word is written capital

    def on_focus(self, _input: TextInput, focused: bool) -> None:
        # With speech on, the question is said when its field gets the focus (never the value).
        box = next((w for w in ancestors(self) if isinstance(w, FieldBox)), None)
        announcer = _announcer()
        if focused and box is not None and announcer is not None:
            announcer.queue(Part.FOCUS, box.spoken_label())

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

    def refresh_active_keys_layer(self) -> None:
        # A key still held down from the previous layout (the finger that closed the keyboard)
        # is not on this one: Kivy would look it up anyway and fail with an IndexError.
        geometry = self.layout_geometry
        self.active_keys = {uid: (line, index) for uid, (line, index) in self.active_keys.items()
                            if index < len(geometry.get(f"LINE_{line}", ()))}
        super().refresh_active_keys_layer()

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
    """The top bar's title: on its own line above the buttons when they do not fit beside it."""


class TopBar(BoxLayout):
    """Title, and on every screen the accessibility and help buttons; cancel whenever a session
    is open. When title and buttons do not fit on one line (large text, a long service name),
    the title gets a line of its own above the buttons, and the buttons wrap onto further lines:
    nothing is shortened or cut off. Its row of title and buttons mirrors in Arabic."""

    title = StringProperty("")
    can_cancel = BooleanProperty(True)
    stacked = BooleanProperty(False)  # the title is on its own line above the buttons
    buttons_width = NumericProperty(0)  # the buttons side by side

    def __init__(self, **kwargs: object) -> None:
        self._arrange_soon = Clock.create_trigger(self._arrange, -1)
        super().__init__(**kwargs)

    def on_kv_post(self, _base_widget: Widget) -> None:
        for button in self.ids.buttons.children:
            button.fbind("width", self._arrange_soon)
        self.fbind("width", self._arrange_soon)
        self.fbind("title", self._arrange_soon)
        self.on_can_cancel(self, self.can_cancel)

    def on_can_cancel(self, _bar: TopBar, can_cancel: bool) -> None:
        # Out of the row, not only invisible: an empty slot would still take its spacing.
        buttons, cancel = self.ids.get("buttons"), self.ids.get("cancel")
        if buttons is None or cancel is None:
            return  # the rule is still being applied; on_kv_post comes back here
        if can_cancel and cancel.parent is None:
            buttons.add_widget(cancel, index=len(buttons.children))  # first from the left
        elif not can_cancel and cancel.parent is not None:
            buttons.remove_widget(cancel)
        self._arrange_soon()

    def _arrange(self, *_args: object) -> None:
        buttons = self.ids.buttons
        spacing = buttons.spacing[0] if isinstance(buttons.spacing, list) else buttons.spacing
        self.buttons_width = sum(b.width for b in buttons.children) + spacing * max(0, len(buttons.children) - 1)
        inline = self.ids.inline
        title_width = CoreLabel(font_size=inline.font_size).get_extents(self.title)[0] if self.title else 0
        self.stacked = title_width + spacing > self.width - self.buttons_width


class FieldBox(BoxLayout):
    """One question: label, hint, input, and the problem in words (never colour alone). With
    speech on, a problem is said when it appears (see kiosk/ui/announcer.py)."""

    field = ObjectProperty(None, allownone=True)  # kiosk.forms.service.FormField
    label = StringProperty("")  # in the citizen's language
    help = StringProperty("")
    problem = StringProperty("")
    pointed = BooleanProperty(False)  # the clerk in a call points here: framed, and said in words

    def spoken_label(self) -> list[str]:
        """What is said when the field gets the focus: its label and hint, never its value."""
        return [self.label, self.help]

    def on_problem(self, _box: FieldBox, problem: str) -> None:
        announcer = _announcer()
        if problem and announcer is not None:
            # The messages name their field already (validation.message); say the label only
            # when one does not.
            announcer.queue(Part.PROBLEM, [problem if self.label in problem else f"{self.label}: {problem}"])


def _announcer():  # type: ignore[no-untyped-def]
    return getattr(App.get_running_app(), "announcer", None)


def let_go(touch: MotionEvent) -> None:
    """The finger held down was exploring, not choosing: the buttons it pressed must not fire
    when it lifts."""
    for ref in list(touch.grab_list):
        widget = ref()
        if isinstance(widget, ButtonBehavior):
            touch.ungrab(widget)
            widget.state = "normal"


def what_is_at(root: Widget, x: float, y: float) -> list[str]:
    """What a finger at window position (x, y) rests on, in words: a button's or a text's
    words, a field's question (never what was typed). Empty when it rests on nothing."""
    found: Widget | None = None
    for widget in root.walk(restrict=True):
        if isinstance(widget, (Label, FieldInput)) and widget.opacity > 0 \
                and widget.collide_point(*widget.to_widget(x, y)):
            found = widget  # the last one walked is the deepest
    if isinstance(found, FieldInput):
        box = next((w for w in ancestors(found) if isinstance(w, FieldBox)), None)
        return box.spoken_label() if box is not None else []
    return [found.text] if found is not None and found.text.strip() else []


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
