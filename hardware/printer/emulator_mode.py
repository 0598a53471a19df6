"""The states the printer emulator can be put in, and the status bytes each one answers.

The bits are those of an Epson TM printer's real-time status (DLE EOT n, ESC/POS
reference); the serial driver decodes them on its own, so a driver bug does not
hide behind a shared table. Kept free of heavy imports: the `kiosk` command line
lists the modes without loading the emulator.
"""

from __future__ import annotations

import enum

# Bits 1 and 4 are set in every status byte and bits 0 and 7 never are: that is how a
# driver tells a status byte from line noise.
FIXED_BITS = 0x12

OFFLINE_BIT = 0x08  # n=1
COVER_OPEN_BIT, PAPER_END_STOP_BIT, ERROR_OCCURRED_BIT = 0x04, 0x20, 0x40  # n=2
AUTOCUTTER_ERROR_BIT = 0x08  # n=3 (also: 0x04 mechanical, 0x20 unrecoverable, 0x40 auto-recoverable)
NEAR_END_BITS, PAPER_OUT_BITS = 0x0C, 0x60  # n=4; an empty roll also reads "near end"

# What a printer with a broken status line answers, one after the other: two bytes for
# one query, fixed bits cleared, bit 7 set, bit 0 set, bit 4 cleared.
MALFORMED_REPLIES = (b"\xff\x00", b"\x00", b"\x92", b"\x13", b"\x02")


class EmulatorMode(enum.StrEnum):
    READY = "ready"
    NEAR_END = "near_end"  # prints; the paper sensor says the roll is nearly used up
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    ERROR = "error"  # autocutter error
    OFFLINE = "offline"  # a dead printer: answers nothing, prints nothing
    GARBAGE = "garbage"  # prints, but every status reply is malformed

    @property
    def prints(self) -> bool:
        """Whether received jobs come out now. In paper_out, cover_open and error they
        wait in the buffer, as in a real printer, and come out when the cause is gone."""
        return self in (EmulatorMode.READY, EmulatorMode.NEAR_END, EmulatorMode.GARBAGE)

    @property
    def receives(self) -> bool:
        """False for a dead printer: bytes sent to it are lost."""
        return self is not EmulatorMode.OFFLINE


def status_reply(mode: EmulatorMode, function: int, garbage_count: int = 0) -> bytes:
    """The bytes answered to DLE EOT `function` (1..4); b"" when the printer stays silent.
    `garbage_count` picks the malformed reply in garbage mode, so replies vary but repeat."""
    if function not in (1, 2, 3, 4):
        raise ValueError(f"DLE EOT {function} is not a status query this printer answers")
    if mode is EmulatorMode.OFFLINE:
        return b""
    if mode is EmulatorMode.GARBAGE:
        return MALFORMED_REPLIES[garbage_count % len(MALFORMED_REPLIES)]
    return bytes([FIXED_BITS | _status_bits(mode, function)])


def _status_bits(mode: EmulatorMode, function: int) -> int:
    cover_open = mode is EmulatorMode.COVER_OPEN
    paper_out = mode is EmulatorMode.PAPER_OUT
    cutter_error = mode is EmulatorMode.ERROR
    if function == 1:
        return OFFLINE_BIT if cover_open or paper_out or cutter_error else 0
    if function == 2:
        return ((COVER_OPEN_BIT if cover_open else 0) | (PAPER_END_STOP_BIT if paper_out else 0)
                | (ERROR_OCCURRED_BIT if cutter_error else 0))
    if function == 3:
        return AUTOCUTTER_ERROR_BIT if cutter_error else 0
    return {EmulatorMode.NEAR_END: NEAR_END_BITS, EmulatorMode.PAPER_OUT: NEAR_END_BITS | PAPER_OUT_BITS}.get(mode, 0)
