"""Speech output with espeak-ng (Debian package espeak-ng).

Text goes to espeak-ng on standard input, never on the command line, because what is read
aloud can be a citizen's answers and command lines are visible to every process. Nothing said
is ever logged, for the same reason.

`say` returns at once: one speech thread per speaker starts espeak-ng and feeds it, so the UI
thread never waits for a process to start or to finish speaking.
"""

from __future__ import annotations

import abc
import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Sequence

log = logging.getLogger(__name__)
# espeak-ng's voices for the languages the terminal can offer (`espeak-ng --voices`).
VOICES = {"de": "de", "en": "en-gb", "tr": "tr", "ar": "ar", "ru": "ru", "uk": "uk", "pl": "pl"}
DEFAULT_VOLUME = 100  # espeak-ng's own default amplitude
MAX_VOLUME = 200  # espeak-ng's amplitude range is 0-200


@dataclass(frozen=True)
class Utterance:
    text: str
    language: str
    volume: int  # espeak-ng amplitude, 0-200


class Speaker(abc.ABC):
    def __init__(self) -> None:
        self._volume = DEFAULT_VOLUME

    @property
    def volume(self) -> int:
        """Loudness of what is said from now on: espeak-ng amplitude, 0 (silent) to 200."""
        return self._volume

    def set_volume(self, amplitude: int) -> None:
        self._volume = max(0, min(MAX_VOLUME, int(amplitude)))

    def say(self, text: str, language: str) -> None:
        """Start speaking `text`, interrupting anything still being said; returns at once."""
        self.say_all([(text, language)])

    @abc.abstractmethod
    def say_all(self, parts: Sequence[tuple[str, str]]) -> None:
        """Speak (text, language) parts one after another (e.g. German, then English),
        interrupting anything still being said; returns at once."""

    def stop(self) -> None:
        """Stop speaking and forget what was still to be said (the session ended)."""


class EspeakSpeaker(Speaker):
    """Plays through the sound card (the headset jack on a terminal)."""

    _stdout: int = subprocess.DEVNULL

    def __init__(self, rate_wpm: int, extra_args: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._rate = rate_wpm
        self._extra = extra_args
        self._wake = threading.Condition()
        self._queue: list[Utterance] = []  # still to be said, in order
        self._generation = 0  # counts say/stop calls: a process started for an older one is dropped
        self._current: subprocess.Popen[bytes] | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self.binary = shutil.which("espeak-ng")
        if self.binary is None:
            log.error("speech output unavailable: espeak-ng is not installed")

    def say_all(self, parts: Sequence[tuple[str, str]]) -> None:
        utterances = [Utterance(text, language, self.volume) for text, language in parts if text.strip()]
        if self.binary is None:
            return
        with self._wake:
            self._interrupt()
            self._queue = utterances
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="speech", daemon=True)
                self._thread.start()
            self._wake.notify_all()

    def stop(self) -> None:
        with self._wake:
            self._interrupt()

    def wait(self, timeout: float = 10) -> bool:
        """Wait until everything asked for was said (or synthesised); False on timeout."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._queue and not self._busy, timeout)

    def _interrupt(self) -> None:
        # Called with the lock held.
        self._generation += 1
        self._queue = []
        if self._current is not None and self._current.poll() is None:
            self._current.terminate()
        self._current = None

    def _command(self, utterance: Utterance) -> list[str]:
        assert self.binary is not None
        return [self.binary, "-v", VOICES.get(utterance.language, utterance.language), "-s", str(self._rate),
                "-a", str(utterance.volume), "--stdin", *self._extra]

    def _run(self) -> None:
        while True:
            with self._wake:
                self._busy = False
                self._wake.notify_all()
                self._wake.wait_for(lambda: bool(self._queue))
                utterance, generation = self._queue.pop(0), self._generation
                self._busy = True
            self._speak(utterance, generation)

    def _speak(self, utterance: Utterance, generation: int) -> None:
        try:
            process = subprocess.Popen(self._command(utterance), stdin=subprocess.PIPE, stdout=self._stdout,
                                       stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.error("speech output failed to start: %s", type(exc).__name__)
            return
        with self._wake:
            if generation != self._generation:  # interrupted while starting
                process.kill()
                process.wait()
                return
            self._current = process
        try:
            out, _err = process.communicate(utterance.text.encode("utf-8"), timeout=120)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            process.kill()
            process.wait()
            out = b""
        if process.returncode not in (0, -9, -15):
            log.warning("espeak-ng exited with status %s (no sound device?)", process.returncode)
        self._spoken(out or b"", generation)

    def _spoken(self, audio: bytes, generation: int) -> None:
        """One utterance ended (`audio` is what espeak-ng wrote to standard output)."""


class MemorySpeaker(EspeakSpeaker):
    """The simulator: really synthesises with espeak-ng, but keeps the audio in memory
    instead of playing it (demos and tests on machines without a sound card). It records what
    it was asked to say, with language and volume, until `stop` (the session's end) forgets it."""

    _stdout = subprocess.PIPE

    def __init__(self, rate_wpm: int) -> None:
        super().__init__(rate_wpm)
        self.utterances = 0  # requests (say / say_all calls)
        self.spoken: list[Utterance] = []
        self.last_text = ""
        self.last_audio = b""

    def say_all(self, parts: Sequence[tuple[str, str]]) -> None:
        said = [Utterance(text, language, self.volume) for text, language in parts if text.strip()]
        self.utterances += 1
        self.spoken.extend(said)
        self.last_text = " ".join(u.text for u in said)
        super().say_all(parts)

    def _command(self, utterance: Utterance) -> list[str]:
        return [*super()._command(utterance), "--stdout"]

    def _spoken(self, audio: bytes, generation: int) -> None:
        with self._wake:
            if generation == self._generation:
                self.last_audio = audio

    def stop(self) -> None:
        super().stop()
        self.spoken = []
        self.last_text = ""
        self.last_audio = b""
