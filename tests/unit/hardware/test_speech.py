"""Speech output: volume, order of parts, interruption, and that the caller never waits.

The synthesis tests run the real espeak-ng (Debian package espeak-ng). The process tests put a
small shell script in espeak-ng's place that records its arguments and input, or that keeps
"speaking" until the test lets it end, to see what the speaker does with the process.
"""

from __future__ import annotations

import array
import io
import logging
import shutil
import wave
from pathlib import Path

import pytest

from hardware.speech import EspeakSpeaker, MemorySpeaker
from hardware.speech.espeak import DEFAULT_VOLUME, Utterance

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
SENTENCE = "Bitte wählen Sie Ihre Sprache."


def peak(wav: bytes) -> int:
    with wave.open(io.BytesIO(wav)) as audio:
        assert audio.getsampwidth() == 2
        samples = array.array("h", audio.readframes(audio.getnframes()))
    return max(abs(s) for s in samples)


def fake_espeak(tmp_path: Path, body: str) -> str:
    script = tmp_path / "espeak-ng"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@needs_espeak
def test_volume_reaches_the_synthesiser() -> None:
    speaker = MemorySpeaker(150)
    loudness = {}
    for amplitude in (40, 180):
        speaker.set_volume(amplitude)
        speaker.say(SENTENCE, "de")
        assert speaker.wait(10)
        assert speaker.last_audio[:4] == b"RIFF"
        loudness[amplitude] = peak(speaker.last_audio)
    assert loudness[180] > 2 * loudness[40], loudness
    assert [u.volume for u in speaker.spoken] == [40, 180]


@needs_espeak
@pytest.mark.parametrize("language", ["de", "en", "tr", "ar", "ru", "uk", "pl"])
def test_every_offered_language_has_a_voice(language: str) -> None:
    speaker = MemorySpeaker(150)
    speaker.say("1 2 3", language)
    assert speaker.wait(10)
    assert speaker.last_audio[:4] == b"RIFF" and len(speaker.last_audio) > 1000, language


def test_volume_is_clamped_to_espeaks_range() -> None:
    speaker = MemorySpeaker(150)
    assert speaker.volume == DEFAULT_VOLUME
    speaker.set_volume(500)
    assert speaker.volume == 200
    speaker.set_volume(-3)
    assert speaker.volume == 0


def test_text_goes_on_stdin_and_parts_are_spoken_in_order(tmp_path: Path) -> None:
    log = tmp_path / "said"
    speaker = EspeakSpeaker(130)
    speaker.binary = fake_espeak(tmp_path, f'echo "$@" >> {log}; cat >> {log}; echo >> {log}')
    speaker.set_volume(150)
    speaker.say_all([("Hallo Frau Kanarienvogel", "de"), ("Hello", "en")])
    assert speaker.wait(10)
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines == ["-v de -s 130 -a 150 --stdin", "Hallo Frau Kanarienvogel",
                     "-v en-gb -s 130 -a 150 --stdin", "Hello"]


def test_saying_returns_at_once_and_a_new_request_interrupts_the_old(tmp_path: Path) -> None:
    log, release = tmp_path / "said", tmp_path / "release"
    speaker = EspeakSpeaker(150)
    # "Speaks" until the test creates the release file; records what it was given.
    speaker.binary = fake_espeak(tmp_path, f'cat >> {log}; echo >> {log}; '
                                           f'while [ ! -e {release} ]; do sleep 0.02; done')
    speaker.say_all([("first", "de"), ("never said", "en")])
    assert not speaker.wait(0.3)  # still speaking: the caller did not wait for it
    speaker.say("second", "de")
    release.touch()
    assert speaker.wait(10)
    assert log.read_text(encoding="utf-8").split() == ["first", "second"]


def test_stop_ends_speaking_and_forgets_what_was_queued(tmp_path: Path) -> None:
    log = tmp_path / "said"
    speaker = EspeakSpeaker(150)
    speaker.binary = fake_espeak(tmp_path, f"cat >> {log}; echo >> {log}; sleep 30")
    speaker.say_all([("one", "de"), ("two", "de")])
    assert not speaker.wait(0.3)
    speaker.stop()
    assert speaker.wait(5)  # the 30 s "speech" was ended
    assert log.read_text(encoding="utf-8").split() == ["one"]


def test_memory_speaker_records_language_and_volume_and_forgets_on_stop() -> None:
    speaker = MemorySpeaker(150)
    speaker.binary = None  # recording does not need the synthesiser
    speaker.set_volume(70)
    speaker.say_all([("Bedienhilfen", "de"), ("Accessibility", "en")])
    assert speaker.spoken == [Utterance("Bedienhilfen", "de", 70), Utterance("Accessibility", "en", 70)]
    assert speaker.last_text == "Bedienhilfen Accessibility" and speaker.utterances == 1
    speaker.stop()
    assert speaker.spoken == [] and speaker.last_text == ""


def test_what_is_said_never_reaches_the_log(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    speaker = EspeakSpeaker(150)
    speaker.binary = fake_espeak(tmp_path, "cat > /dev/null; exit 3")  # e.g. no sound device
    with caplog.at_level(logging.DEBUG):
        speaker.say("Zwitscherling-Piepmatz", "de")
        assert speaker.wait(10)
    assert "status 3" in caplog.text
    assert "Zwitscherling" not in caplog.text
