"""The citizen's side of every printer failure, with the real serial driver talking to the printer
emulator over a pty pair (the demo's printer): told before sending, then the code large on screen
with its QR code to photograph, said aloud character by character, and help at hand."""

from __future__ import annotations

import cv2
import pytest

from hardware.printer.emulator_mode import EmulatorMode
from kiosk.i18n import tr
from kiosk.journey.state import Printout
from kiosk.ui.screens.receipt import PRINTOUT_MESSAGES, spelled
from kiosk.ui.screens.review import PRINTER_NOTICE
from tests.ui.conftest import Kiosk
from tests.ui.test_screens import fill_all_pages, reference_on_screen, sample_answers, start

THANKS = "Vielen Dank! Ihr Antrag ist eingegangen."


def german(text: str) -> str:
    translated = tr("de", text)
    assert translated != text, f"no German for {text!r}"
    return translated


def set_printer(kiosk: Kiosk, mode: EmulatorMode) -> None:
    """Put the emulator in `mode` and let the terminal's status monitor find out, as it does
    when it polls."""
    kiosk.devices.printer_line.emulator.set_mode(mode)  # type: ignore[union-attr]
    kiosk.devices.printer_monitor.refresh()
    kiosk.advance_frames(2)  # the change reaches the journey on the UI thread


def to_receipt(kiosk: Kiosk) -> str:
    kiosk.app.set_speech(True)
    start(kiosk)
    fill_all_pages(kiosk, sample_answers(kiosk))
    kiosk.tap_text("Antrag absenden")
    kiosk.expect(THANKS)
    kiosk.wait_until(lambda: kiosk.state.printout is not Printout.PRINTING, what="the printout's outcome")
    kiosk.advance_frames(2)
    return reference_on_screen(kiosk)


def qr_on_screen(kiosk: Kiosk, name: str) -> str:
    picture = cv2.imread(str(kiosk.screenshot(name)))
    return cv2.QRCodeDetector().detectAndDecode(picture)[0]


@pytest.mark.parametrize("mode", [EmulatorMode.PAPER_OUT, EmulatorMode.COVER_OPEN, EmulatorMode.ERROR], ids=str)
def test_a_printer_that_cannot_print_is_announced_before_sending_and_the_code_is_shown(
        kiosk: Kiosk, mode: EmulatorMode) -> None:
    set_printer(kiosk, mode)
    kiosk.app.set_speech(True)
    start(kiosk)
    fill_all_pages(kiosk, sample_answers(kiosk))
    kiosk.expect(german(PRINTER_NOTICE))  # on the review page: before the citizen sends
    kiosk.screenshot(f"review-{mode}")
    kiosk.tap_text("Antrag absenden")
    kiosk.expect(THANKS, german(PRINTOUT_MESSAGES[Printout.FAILED]))
    reference = reference_on_screen(kiosk)
    assert qr_on_screen(kiosk, f"receipt-{mode}") == reference
    assert kiosk.devices.printer_line.emulator.receipts == []  # type: ignore[union-attr]
    kiosk.wait_until(lambda: spelled(reference) in kiosk.devices.speaker.last_text, what="the code said aloud")
    kiosk.tap_text(german("Ask for help"))
    kiosk.expect("Das können Sie tun:")


@pytest.mark.parametrize("mode", [EmulatorMode.OFFLINE, EmulatorMode.GARBAGE], ids=str)
def test_a_printer_that_does_not_confirm_leaves_the_code_on_screen(kiosk: Kiosk, mode: EmulatorMode) -> None:
    set_printer(kiosk, mode)
    reference = to_receipt(kiosk)
    kiosk.expect(german(PRINTOUT_MESSAGES[Printout.UNKNOWN]))
    assert qr_on_screen(kiosk, f"receipt-{mode}") == reference
    assert "Fertig" in kiosk.screen_text()


def test_a_printer_unplugged_after_the_review_page_still_leaves_the_code(kiosk: Kiosk) -> None:
    kiosk.app.set_speech(True)
    start(kiosk)
    fill_all_pages(kiosk, sample_answers(kiosk))
    assert german(PRINTER_NOTICE) not in kiosk.screen_text()
    kiosk.devices.printer_line.unplug()  # type: ignore[union-attr]
    kiosk.tap_text("Antrag absenden")
    kiosk.expect(THANKS, german(PRINTOUT_MESSAGES[Printout.FAILED]))
    reference = reference_on_screen(kiosk)
    assert kiosk.outbox.read(reference) is not None  # the application is safe all the same
    assert qr_on_screen(kiosk, "receipt-unplugged") == reference
    kiosk.tap_text("Fertig")
    kiosk.expect("Auf Wiedersehen!")


def test_near_end_prints_as_usual_and_a_printer_back_in_order_clears_the_notice(kiosk: Kiosk) -> None:
    set_printer(kiosk, EmulatorMode.PAPER_OUT)
    start(kiosk)
    fill_all_pages(kiosk, sample_answers(kiosk))
    kiosk.expect(german(PRINTER_NOTICE))
    set_printer(kiosk, EmulatorMode.NEAR_END)  # a new roll, not yet full: the page says so at once
    kiosk.wait_until(lambda: german(PRINTER_NOTICE) not in kiosk.screen_text(), what="the notice to go")
    kiosk.tap_text("Antrag absenden")
    kiosk.expect(THANKS, german(PRINTOUT_MESSAGES[Printout.PRINTED]))
    assert german("Ask for help") not in kiosk.screen_text()
    assert kiosk.devices.printer_line.emulator.wait_for_receipts(1, 10)  # type: ignore[union-attr]
    kiosk.screenshot("receipt-near-end")
