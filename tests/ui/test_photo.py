"""The photo step on the real screens, with the demo camera (a video of a citizen sitting down,
played by the real video-file camera through the frame owner) and the real analysis."""

from __future__ import annotations

import re

import pytest

from kiosk.i18n import tr, ts
from kiosk.journey import events as ev
from kiosk.journey.state import PhotoPhase, Stage
from kiosk.photo.captured import CapturedPhoto
from kiosk.photo.guidance import COME_CLOSER, EVEN_LIGHT, HEAD_STRAIGHT, NO_FACE, label
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui

START = "Beginnen  ·  Start"
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
PHOTO_WAIT_S = 60  # the demo camera makes its video first (a few seconds), then the citizen sits down


def to_photo_step(kiosk: Kiosk) -> None:
    service = kiosk.journey.services["passfoto"]
    kiosk.tap_text(START)
    kiosk.tap_text("Deutsch")
    kiosk.tap_text(service.title)
    kiosk.tap_text("Personalausweis")
    kiosk.tap_text("Weiter")
    kiosk.tap_text("10 Jahre oder älter")
    kiosk.tap_text("Weiter")
    kiosk.wait_until(lambda: kiosk.state.stage is Stage.FORM and kiosk.state.step.id == "foto", what="the photo step")


def de(text: str, **values: object) -> str:
    return tr("de", text, **values)


def test_the_citizen_is_guided_photographed_and_leaves_with_a_code(kiosk: Kiosk) -> None:
    to_photo_step(kiosk)
    seen: set[str] = set()

    def note_instruction() -> bool:
        seen.add(kiosk.screen.ids.instruction.text)
        return kiosk.state.photo is PhotoPhase.REVIEW

    kiosk.wait_until(note_instruction, PHOTO_WAIT_S, "the photo to be taken")
    # The video's script: an empty seat, a citizen too far away, then a tilted head.
    assert {de(NO_FACE), de(COME_CLOSER), de(HEAD_STRAIGHT)} <= seen, seen
    spoken = [u.text for u in kiosk.devices.speaker.spoken]
    assert ["3", "2", "1"] == [t for t in spoken if t in ("3", "2", "1")][-3:]  # the countdown, aloud
    assert de(COME_CLOSER) in spoken  # and the instructions (someone looking at the camera cannot read)
    photo, _code = kiosk.journey.photo()
    assert photo.compliant and (photo.width, photo.height) == (827, 1063)
    kiosk.expect(de("Your photo meets the rules."), "✓  " + label("HeadSize", "de"), "✓  " + label("EyesOpen", "de"))
    kiosk.screenshot("photo-review")
    kiosk.tap_text(de("Keep this photo"))
    kiosk.expect(de("Your photo is saved."))
    code = kiosk.journey.photo()[1]
    assert code and code in kiosk.screen_text()
    kiosk.tap_text(de("Next"))
    kiosk.expect("Bitte prüfen Sie Ihre Angaben", code)
    kiosk.tap_text("Antrag absenden")
    kiosk.expect("Vielen Dank! Ihr Antrag ist eingegangen.", code)
    reference = re.search(r"\bPF-[0-9A-Z]{4}-[0-9A-Z]{4}\b", kiosk.screen_text()).group()  # type: ignore[union-attr]
    stored = kiosk.outbox.read(reference)
    assert stored.photo["retrieval_code"] == code and stored.photo["width"] == 827
    kiosk.expect("Bitte nehmen Sie Ihren Beleg")  # printed: Done can be tapped
    kiosk.tap_text(de("Done"))
    kiosk.wait_until(lambda: kiosk.journey.session is None, what="the session to end")
    assert photo.jpeg == bytearray()  # the photo left the terminal's memory with the session
    assert kiosk.capture.preview() is None  # and no camera frame is kept


@pytest.mark.kiosk_config(camera={"video": "/nonexistent/camera.mp4"}, photo={"stall_s": 1.0})
def test_a_camera_that_does_not_work_is_no_dead_end(kiosk: Kiosk) -> None:
    to_photo_step(kiosk)
    kiosk.expect(de("The camera is not working right now."), timeout_s=15)
    step = kiosk.journey.services["passfoto"].steps[2]
    kiosk.expect(ts("de", "passfoto", step.instead))  # what to do instead
    kiosk.screenshot("camera-failed")
    kiosk.tap_text(de("Try again"))
    kiosk.wait_until(lambda: kiosk.state.photo is PhotoPhase.CAPTURE, what="the camera again")
    kiosk.expect(de("The camera is not working right now."), timeout_s=15)
    kiosk.tap_text(de("Go on without a photo"))
    kiosk.expect("Bitte prüfen Sie Ihre Angaben", de("No photo taken here."))
    assert kiosk.journey.session.photo is None
    health = kiosk.capture.frames.health()
    assert health.state in ("stopped", "unavailable") and "/nonexistent/camera.mp4" in health.message


def failed_photo() -> CapturedPhoto:
    from kiosk.ui.audit import audit_photo  # (Kivy only once the window is open)

    return audit_photo(compliant=False)  # uneven light among its failed checks


def test_a_photo_that_fails_a_check_is_explained_and_retakes_are_limited(kiosk: Kiosk) -> None:
    to_photo_step(kiosk)
    retakes = kiosk.config.photo.retakes
    for attempt in range(retakes + 1):
        kiosk.app.send(ev.PhotoTaken(failed_photo()))  # what the camera would deliver
        kiosk.expect(de("Your photo does not meet every rule yet."), "✗  " + label("IlluminationUniformity", "de"))
        assert de("Keep this photo") not in kiosk.screen_text()
        if attempt < retakes:
            kiosk.expect(de("Please take the photo again. You can take {count} more.", count=retakes - attempt),
                         de(EVEN_LIGHT))  # and what to change
            kiosk.tap_text(de("Take again"))
            kiosk.wait_until(lambda: kiosk.state.photo is PhotoPhase.CAPTURE, what="the camera again")
    assert de("Take again") not in kiosk.screen_text()
    kiosk.screenshot("no-retakes-left")
    kiosk.tap_text(de("Go on without a photo"))
    kiosk.wait_until(lambda: kiosk.state.stage is Stage.REVIEW, what="the review")


@pytest.mark.kiosk_config(photo={"enabled": False})
def test_a_terminal_without_photos_says_so_and_points_to_the_alternatives(kiosk: Kiosk) -> None:
    to_photo_step(kiosk)
    service = kiosk.journey.services["passfoto"]
    kiosk.expect(de("This terminal does not take photos."), ts("de", "passfoto", service.steps[2].instead))
    assert kiosk.state.photo is PhotoPhase.NONE and kiosk.capture is None
    kiosk.tap(kiosk.screen.ids.next)
    kiosk.expect("Bitte prüfen Sie Ihre Angaben", de("No photo taken here."))
