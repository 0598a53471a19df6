"""The photo step of the journey: capture, review, retake, keep, camera failure, never a dead end."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from hardware.printer.escpos_parser import QrCode, TextLine, parse_escpos
from kiosk.config import REPO_ROOT
from kiosk.forms.service import load_service
from kiosk.journey import events as ev
from kiosk.journey.state import PhotoPhase, Stage
from kiosk.photo.captured import CapturedPhoto, Verdict
from tests.unit.test_journey import Env, covers, make_env

PASSFOTO = load_service(REPO_ROOT / "config" / "services" / "passfoto.yaml")
RETAKES = 2
FACE = b"\xff\xd8jpeg-of-a-face\xff\xd9"


def photo(compliant: bool = True) -> CapturedPhoto:
    verdicts = (Verdict("HeadSize", 90, True), Verdict("EyesOpen", 80 if compliant else 10, compliant))
    return CapturedPhoto(bytearray(FACE * 50), 827, 1063, verdicts)


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    environment = make_env(tmp_path, services=(PASSFOTO,), photo_retakes=RETAKES)
    yield environment
    environment.outbox.close()


def to_photo_step(env: Env) -> None:
    env.send(ev.Start())
    env.send(ev.ChooseLanguage("en"))
    env.send(ev.ChooseService("passfoto"))
    env.send(ev.Answer("dokument", "personalausweis"))
    env.send(ev.Next())
    env.send(ev.Answer("altersgruppe", "ab_10"))
    env.send(ev.Next())
    assert env.state.step.id == "foto"


def test_the_photo_step_opens_the_camera(env: Env) -> None:
    to_photo_step(env)
    assert env.state.photo is PhotoPhase.CAPTURE and env.state.retakes_left == RETAKES


def test_other_pages_have_no_photo_phase(env: Env) -> None:
    env.send(ev.Start())
    env.send(ev.ChooseLanguage("en"))
    assert env.send(ev.ChooseService("passfoto")).photo is PhotoPhase.NONE


def test_without_a_camera_the_step_says_what_to_do_instead(tmp_path: Path) -> None:
    environment = make_env(tmp_path, services=(PASSFOTO,), photo_retakes=None)
    to_photo_step(environment)
    assert environment.state.photo is PhotoPhase.NONE
    assert environment.send(ev.Next()).stage is Stage.REVIEW  # the step's text says what to do
    environment.outbox.close()


@covers((Stage.FORM, ev.PhotoTaken), (Stage.FORM, ev.AcceptPhoto))
def test_a_kept_photo_goes_to_the_office_with_a_retrieval_code(env: Env) -> None:
    to_photo_step(env)
    taken = photo()
    assert env.send(ev.PhotoTaken(taken)).photo is PhotoPhase.REVIEW
    assert env.state.retakes_left == RETAKES  # the first photo is not a retake
    assert env.send(ev.AcceptPhoto()).photo is PhotoPhase.ACCEPTED
    code = env.session.photo_code
    assert code is not None and re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", code)
    assert env.send(ev.Next()).stage is Stage.REVIEW
    env.send(ev.Submit())
    assert env.state.stage is Stage.RECEIPT and env.state.photo_code == code
    stored = env.outbox.read(env.state.reference)
    assert stored.photo is not None and stored.photo["retrieval_code"] == code
    assert base64.b64decode(stored.photo["jpeg_base64"]) == FACE * 50
    assert (stored.photo["width"], stored.photo["height"]) == (827, 1063)
    printed = parse_escpos(env.printer.last_bytes)
    assert [e.data.decode() for e in printed if isinstance(e, QrCode)] == [code]  # the office scans it
    assert any(code in e.text for e in printed if isinstance(e, TextLine))
    env.send(ev.Finish())
    assert taken.jpeg == bytearray()  # wiped with the session


def test_codes_differ_between_citizens(env: Env) -> None:
    codes = set()
    for _ in range(3):
        to_photo_step(env)
        env.send(ev.PhotoTaken(photo()))
        env.send(ev.AcceptPhoto())
        codes.add(env.session.photo_code)
        env.send(ev.Cancel())
        env.send(ev.ConfirmCancel())
    assert len(codes) == 3


def test_a_photo_that_fails_a_check_cannot_be_kept(env: Env) -> None:
    to_photo_step(env)
    env.send(ev.PhotoTaken(photo(compliant=False)))
    assert env.send(ev.AcceptPhoto()).photo is PhotoPhase.REVIEW
    assert env.session.photo_code is None


@covers((Stage.FORM, ev.RetakePhoto))
def test_retakes_are_limited_and_then_the_citizen_goes_on_without_a_photo(env: Env) -> None:
    to_photo_step(env)
    first = photo(compliant=False)
    env.send(ev.PhotoTaken(first))
    assert env.send(ev.Next()).photo is PhotoPhase.REVIEW  # no skipping while retakes are left
    assert env.send(ev.RetakePhoto()).photo is PhotoPhase.CAPTURE
    assert first.jpeg == bytearray()  # a discarded photo is wiped at once
    for left in range(RETAKES - 1, -1, -1):
        assert env.send(ev.PhotoTaken(photo(compliant=False))).retakes_left == left
        if left:
            env.send(ev.RetakePhoto())
    assert env.send(ev.RetakePhoto()).photo is PhotoPhase.REVIEW  # the limit holds
    assert env.send(ev.Next()).stage is Stage.REVIEW  # never a dead end
    env.send(ev.Submit())
    assert env.outbox.read(env.state.reference).photo is None
    assert env.state.photo_code is None


def test_next_is_ignored_while_the_camera_is_on(env: Env) -> None:
    to_photo_step(env)
    assert env.send(ev.Next()).photo is PhotoPhase.CAPTURE


@covers((Stage.FORM, ev.CameraFailed), (Stage.FORM, ev.RetryCamera))
def test_a_failed_camera_offers_retry_and_going_on(env: Env) -> None:
    to_photo_step(env)
    assert env.send(ev.CameraFailed("no frame for 2.0 s")).photo is PhotoPhase.UNAVAILABLE
    assert env.send(ev.RetryCamera()).photo is PhotoPhase.CAPTURE
    env.send(ev.CameraFailed("no frame for 2.0 s"))
    assert env.send(ev.Next()).stage is Stage.REVIEW


def test_leaving_the_step_forgets_a_photo_not_kept(env: Env) -> None:
    to_photo_step(env)
    taken = photo()
    env.send(ev.PhotoTaken(taken))
    env.send(ev.Back())
    assert env.session.photo is None and taken.jpeg == bytearray()
    assert env.send(ev.Next()).photo is PhotoPhase.CAPTURE


def test_a_kept_photo_is_shown_again_when_coming_back(env: Env) -> None:
    to_photo_step(env)
    env.send(ev.PhotoTaken(photo()))
    env.send(ev.AcceptPhoto())
    code = env.session.photo_code
    env.send(ev.Back())
    assert env.send(ev.Next()).photo is PhotoPhase.ACCEPTED and env.session.photo_code == code


def test_a_photo_arriving_after_the_citizen_left_is_wiped(env: Env) -> None:
    to_photo_step(env)
    env.send(ev.Cancel())
    env.send(ev.ConfirmCancel())
    late = photo()
    env.send(ev.PhotoTaken(late))
    assert late.jpeg == bytearray()


def test_a_photo_arriving_under_the_help_overlay_is_wiped(env: Env) -> None:
    to_photo_step(env)
    env.send(ev.OpenHelp())
    late = photo()
    env.send(ev.PhotoTaken(late))
    assert late.jpeg == bytearray() and env.session.photo is None
    assert env.send(ev.CloseHelp()).photo is PhotoPhase.CAPTURE
