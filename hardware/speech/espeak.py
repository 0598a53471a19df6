"""Speech output with espeak-ng (Debian package espeak-ng).

Text goes to espeak-ng on standard input, never on the command line, because what is read
aloud can be a citizen's answers and command lines are visible to every process.
"""

from __future__ import annotations

import abc
import logging
import shutil
import subprocess
import threading

log = logging.getLogger(__name__)
VOICES = {"de": "de", "en": "en-gb"}


class Speaker(abc.ABC):
    @abc.abstractmethod
    def say(self, text: str, language: str) -> None:
        """Start speaking `text`, interrupting anything still being said; returns at once."""

    def stop(self) -> None:
        """Stop speaking (the session ended)."""


class EspeakSpeaker(Speaker):
    """Plays through the sound card (the headset jack on a terminal)."""

    def __init__(self, rate_wpm: int, extra_args: tuple[str, ...] = ()) -> None:
        self._rate = rate_wpm
        self._extra = extra_args
        self._current: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self.binary = shutil.which("espeak-ng")
        if self.binary is None:
            log.error("speech output unavailable: espeak-ng is not installed")

    def say(self, text: str, language: str) -> None:
        if self.binary is None:
            return
        self.stop()
        command = [self.binary, "-v", VOICES.get(language, language), "-s", str(self._rate), "--stdin", *self._extra]
        with self._lock:
            try:
                self._current = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
            except OSError as exc:
                log.error("speech output failed to start: %s", exc)
                return
            process = self._current
        threading.Thread(target=self._feed, args=(process, text), daemon=True).start()

    def _feed(self, process: subprocess.Popen[bytes], text: str) -> None:
        try:
            process.communicate(text.encode("utf-8"), timeout=120)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            process.kill()
        if process.returncode not in (0, None, -9, -15):
            log.warning("espeak-ng exited with status %s (no sound device?)", process.returncode)

    def stop(self) -> None:
        with self._lock:
            if self._current is not None and self._current.poll() is None:
                self._current.terminate()
            self._current = None


class MemorySpeaker(EspeakSpeaker):
    """The simulator: really synthesises with espeak-ng, but keeps the audio in memory
    instead of playing it (demos and tests on machines without a sound card)."""

    def __init__(self, rate_wpm: int) -> None:
        super().__init__(rate_wpm)
        self.utterances = 0
        self.last_text = ""
        self.last_audio = b""
        self._done = threading.Event()
        self._done.set()  # nothing is being synthesised yet

    def say(self, text: str, language: str) -> None:
        self._done.clear()
        self.utterances += 1
        self.last_text = text
        if self.binary is None:
            self._done.set()
            return
        command = [self.binary, "-v", VOICES.get(language, language), "-s", str(self._rate), "--stdin", "--stdout"]
        threading.Thread(target=self._synthesise, args=(command, text), daemon=True).start()

    def _synthesise(self, command: list[str], text: str) -> None:
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, timeout=60)
            self.last_audio = done.stdout
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.error("speech synthesis failed: %s", exc)
        self._done.set()

    def wait(self, timeout: float = 10) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> None:
        self.last_text = ""
        self.last_audio = b""
