"""What the terminal says aloud, and when (BFSG / EN 301 549: speech output of what is on screen).

The rule, for every screen and overlay alike:

- Entering a screen or an overlay (the journey's stage or overlay changed; closing an overlay
  re-enters the screen below): the top bar's title if it differs from the last one said, then the
  widget with the id ``title``, then the one with the id ``instruction`` (a label, or a layout whose
  labels are read top to bottom).
- A field getting the focus: its label, then its hint. Never what is typed in it.
- Problems appearing after a check: each field's label and its problem, in page order.
- A change in the accessibility panel: the new setting, at the new volume.

All of this only while speech is on. Two things are said whatever the setting, because the
citizen asked for them: "Read the screen aloud" in help, and the hint on the welcome screen
(a long press, or a touch without starting), which is how someone who cannot see the screen
learns that speech output exists.

Everything queued during one frame is said as one request (screen, then problems, then focus),
so a later part does not cut off an earlier one. Nothing said is logged.
"""

from __future__ import annotations

import enum
import re
from typing import Callable, Iterable, Sequence

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from hardware.speech import Speaker
from kiosk.i18n import N_

# espeak-ng amplitude of each volume step (1 = very quiet ... 5 = very loud); 3 is espeak's default.
VOLUME_STEPS = (40, 70, 100, 140, 180)
DEFAULT_VOLUME_STEP = 3
VOLUME_WORDS = (N_("very quiet"), N_("quiet"), N_("medium"), N_("loud"), N_("very loud"))
_MARKUP = re.compile(r"\[/?[a-z_]+(?:=[^\]]*)?\]")
_SYMBOLS = re.compile(r"[✓?!]\s{2,}|\s*·\s*")  # "✓  ", "?  Help", "!  problem", "Willkommen · Welcome"


class Part(enum.IntEnum):
    """What a queued text is; parts of one frame are said in this order."""

    SCREEN = 0
    PROBLEM = 1
    FOCUS = 2
    SETTING = 3


def speakable(text: str) -> str:
    """A label's text as it should sound: no markup, no tick or warning signs."""
    text = _MARKUP.sub("", text).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")
    return _SYMBOLS.sub(lambda m: ". " if "·" in m.group() else "", text).strip()


def visible_texts(root: Widget) -> list[str]:
    """Texts a sighted citizen sees, in reading order: the order the layouts place them (top to
    bottom, then left to right). Not sorted by window position: a scrolled form would then be
    read from its scrolled-away first question, before the page's heading."""
    found = []
    for widget in root.walk(restrict=True):
        if isinstance(widget, Label) and widget.text.strip() and widget.opacity > 0:
            found.append(_MARKUP.sub("", widget.text).strip() if widget.markup else widget.text.strip())
    return found


class Announcer(EventDispatcher):
    """Speech on/off and volume for this citizen, and the one way the UI speaks."""

    speech = BooleanProperty(False)
    volume_step = NumericProperty(DEFAULT_VOLUME_STEP)

    def __init__(self, speaker: Speaker, language: Callable[[], str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.speaker = speaker
        self._language = language
        self._queued: list[tuple[Part, str]] = []
        self._said_bar_title = ""
        self._flush = Clock.create_trigger(self._say_queued, 0)
        self.fbind("volume_step", self._apply_volume)
        self._apply_volume()

    # -- settings --------------------------------------------------------------------------

    def _apply_volume(self, *_args: object) -> None:
        self.volume_step = max(1, min(len(VOLUME_STEPS), int(self.volume_step)))
        self.speaker.set_volume(VOLUME_STEPS[int(self.volume_step) - 1])

    @property
    def volume_word(self) -> str:
        """The volume in words (an English message id)."""
        return VOLUME_WORDS[int(self.volume_step) - 1]

    def reset(self) -> None:
        """The next citizen starts with speech off at the middle volume."""
        self._queued.clear()
        self._said_bar_title = ""
        self.speech = False
        self.volume_step = DEFAULT_VOLUME_STEP

    # -- speaking --------------------------------------------------------------------------

    def queue(self, part: Part, texts: Iterable[str]) -> None:
        """Say `texts` at the end of this frame, if speech is on."""
        if not self.speech:
            return
        self._queued.extend((part, t) for t in (speakable(t) for t in texts) if t)
        self._flush()

    def screen(self, root: Widget) -> None:
        """`root` (a screen or an overlay) was entered: say its title and instruction."""
        if not self.speech:
            return
        self.queue(Part.SCREEN, self._bar_title(root) + self.title_and_instruction(root))

    def _bar_title(self, root: Widget) -> list[str]:
        from kiosk.ui.widgets import TopBar  # widgets loads kv rules that use the app

        bar = next((w for w in root.walk(restrict=True) if isinstance(w, TopBar)), None)
        if bar is None or not bar.title or bar.title == self._said_bar_title:
            return []
        self._said_bar_title = bar.title
        return [bar.title]

    @staticmethod
    def title_and_instruction(root: Widget) -> list[str]:
        texts = []
        for name in ("title", "instruction"):
            widget = root.ids.get(name)
            if widget is not None and widget.opacity > 0:
                texts += visible_texts(widget)
        return texts

    def say_now(self, parts: Sequence[tuple[str, str]]) -> None:
        """Say (text, language) parts at once, whether speech is on or not: the citizen asked."""
        self._queued.clear()
        self.speaker.say_all(parts)

    def _say_queued(self, _dt: float = 0) -> None:
        texts = [text for _part, text in sorted(self._queued, key=lambda queued: queued[0])]
        self._queued.clear()
        if texts and self.speech:
            self.speaker.say(sentences(texts), self._language())


def sentences(texts: Iterable[str]) -> str:
    """One text to say, each part its own sentence (a heading has no full stop of its own)."""
    return " ".join(t if t[-1] in ".:!?…" else t + "." for t in texts if t)
