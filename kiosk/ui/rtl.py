"""What changes on screen while the citizen's language is written right to left (Arabic).

Two pieces, both following `app.rtl` (widgets.kv binds them):
- BidiBehavior, mixed into every Label-based widget of ours (Text, Heading, the buttons, the top
  bar's title): text drawn shaped and in visual order, wrapped on the logical text, aligned to
  the mirrored side. kiosk.ui.bidi does the text work.
- Row, a BoxLayout for horizontal rows whose order means something (the top bar, Back ... Next):
  children placed from right to left.
Left to right, both behave exactly as Kivy's Label and BoxLayout: nothing is shaped, reordered
or even looked at.
"""

from __future__ import annotations

from typing import Any, Iterator

from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel as CoreMarkupLabel
from kivy.properties import BooleanProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ui.bidi import has_rtl, shape, visual_line, visual_spans

MIRRORED_HALIGN = {"left": "right", "right": "left"}  # centred and justified text stay as they are


class _VisualOrder:
    """For Kivy's core label classes: lay out the shaped logical text as Kivy always does, so
    lines wrap on the logical text in the label's own font and width, then put each line of a
    right-to-left paragraph in drawing order, aligned to the other side."""

    text: str
    options: dict[str, Any]
    _cached_lines: list[Any]

    def render(self, real: bool = False) -> Any:
        if real:  # the second pass draws the lines the first pass laid out (and we reordered)
            return super().render(real)  # type: ignore[misc]
        logical, start = self.text, self.options["halign"]
        self.text = shape(logical)  # the joined letters' widths are the ones to wrap by
        self.options["halign"] = MIRRORED_HALIGN.get(start, start)  # copied into every line
        try:
            size = super().render()  # type: ignore[misc]
        finally:
            self.text = logical
            self.options["halign"] = start
        for paragraph in _paragraphs(self._cached_lines):
            _reorder(paragraph)
        return size


class RightToLeftLabel(_VisualOrder, CoreLabel):
    pass


class RightToLeftMarkupLabel(_VisualOrder, CoreMarkupLabel):
    pass


def _paragraphs(lines: list[Any]) -> Iterator[list[Any]]:
    """Kivy's laid-out lines (kivy.core.text.text_layout.LayoutLine), grouped by paragraph."""
    paragraph: list[Any] = []
    for line in lines:
        paragraph.append(line)
        if line.is_last_line:
            yield paragraph
            paragraph = []
    if paragraph:
        yield paragraph


def _reorder(paragraph: list[Any]) -> None:
    """Each line's words (one per line; with markup, one per styled span) in drawing order.
    A paragraph without right-to-left letters (a name, a number) is drawn as written."""
    if not any(has_rtl(word.text) for line in paragraph for word in line.words):
        return
    for line in paragraph:
        if len(line.words) == 1:
            line.words[0].text = visual_line(line.words[0].text)
            continue
        order = visual_spans([word.text for word in line.words])
        for index, text in order:
            line.words[index].text = text
        line.words = [line.words[index] for index, _text in order]


class BidiBehavior:
    """Mixin for our Label-based widgets. While `rtl`, the text is drawn shaped, in visual order
    and wrapped on the logical text, and aligned to the mirrored side: a kv `halign: "left"`
    means the start of a line, so it draws on the right; centred text stays centred.

    `text` stays logical (as translated): it is what is read aloud and what tests compare.
    Markup works, with styled spans ordered as units (kiosk.ui.bidi.visual_spans), as long as
    tags sit between words (a tag inside a word breaks its letters' joining). Refs and anchors
    are not computed: Kivy's Label collects them only from its own markup class (no screen
    uses them)."""

    rtl = BooleanProperty(False)  # widgets.kv: app.rtl or written_rtl
    written_rtl = BooleanProperty(False)  # right to left whatever the app's language: a language's own name

    def on_rtl(self, *_args: object) -> None:
        if getattr(self, "_label", None) is not None:  # not while Label.__init__ applies kv rules
            self._create_label()
            self._trigger_texture()  # type: ignore[attr-defined]

    def _create_label(self) -> None:
        if not self.rtl:
            super()._create_label()  # type: ignore[misc]
            return
        wanted = RightToLeftMarkupLabel if self.markup else RightToLeftLabel  # type: ignore[attr-defined]
        if type(self._label) is not wanted:  # type: ignore[has-type]
            self._label = wanted(**self._core_options())

    def _core_options(self) -> dict[str, Any]:
        """What kivy.uix.label.Label._create_label hands a new core label."""
        options = {name: getattr(self, name) for name in self._font_properties}  # type: ignore[attr-defined]
        options["usersize"] = self.text_size  # type: ignore[attr-defined]
        if self.disabled:  # type: ignore[attr-defined]
            options["color"] = self.disabled_color  # type: ignore[attr-defined]
            options["outline_color"] = self.disabled_outline_color  # type: ignore[attr-defined]
        return options


class Row(BoxLayout):
    """A horizontal row that places its children from right to left while `rtl`: the first
    child (a title, the Back button) is where a right-to-left reader starts. The children's
    order, and so the order they are read aloud in, stays the same."""

    rtl = BooleanProperty(False)

    def on_rtl(self, *_args: object) -> None:
        self._trigger_layout()

    def do_layout(self, *args: object) -> None:
        super().do_layout(*args)
        if self.rtl:
            for child in self.children:  # mirrored about the row's middle, padding included
                child.x = 2 * self.x + self.width - child.right
