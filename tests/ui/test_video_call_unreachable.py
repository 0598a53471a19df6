"""The help call when the back office cannot be reached: never a dead end."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import AssistConfig
from kiosk.i18n import tr
from tests.backoffice_process import free_port
from tests.ui.conftest import Kiosk
from tests.ui.test_screens import start
from tests.ui.test_video_call import CALL_WAIT_S, call_from_help

# usefixtures: the kiosk fixture sees assist_settings and gives the terminal its line to the clerks
pytestmark = [pytest.mark.ui, pytest.mark.integration, pytest.mark.usefixtures("assist_settings")]


@pytest.fixture
def assist_settings(tmp_path: Path) -> AssistConfig:
    token_file = tmp_path / "assist-token"
    token_file.write_text("no-server-listens-here\n", encoding="utf-8")
    return AssistConfig(server=f"http://127.0.0.1:{free_port()}", token_file=token_file, microphone="tone",
                        speaker="none", connect_timeout_s=1.0)


def test_an_unreachable_back_office_offers_try_again_call_back_and_carry_on(kiosk: Kiosk) -> None:
    start(kiosk)
    call_from_help(kiosk)
    kiosk.expect(tr("de", "The service centre cannot be reached right now"), timeout_s=CALL_WAIT_S)
    for text in ("Try again", "Call me back", "Carry on alone"):
        kiosk.button(tr("de", text))
    kiosk.screenshot("call-unreachable")
    kiosk.tap(kiosk.button(tr("de", "Try again")))
    kiosk.expect(tr("de", "The service centre cannot be reached right now"), timeout_s=CALL_WAIT_S)
    kiosk.tap(kiosk.button(tr("de", "Call me back")))
    kiosk.wait_until(lambda: kiosk.state.service is not None and kiosk.state.service.id == "rueckruf",
                     what="the call-back service")
    assert kiosk.state.call is None and kiosk.overlay() is None


def test_carry_on_alone_returns_to_the_page(kiosk: Kiosk) -> None:
    start(kiosk)
    step = kiosk.state.step.id
    call_from_help(kiosk)
    kiosk.expect(tr("de", "Carry on alone"), timeout_s=CALL_WAIT_S)
    kiosk.tap(kiosk.button(tr("de", "Carry on alone")))
    kiosk.wait_until(lambda: kiosk.overlay() is None, what="the page")
    assert kiosk.state.step.id == step and kiosk.state.call is None
