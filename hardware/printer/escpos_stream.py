"""What a printer's receive side does with the raw byte stream: it spots real-time
status queries (DLE EOT n) as they arrive, and takes complete jobs (up to and
including a cut) off its buffer.

Used by the printer emulator; pure functions, no I/O.
"""

from __future__ import annotations

import re

from hardware.printer.escpos_parser import Cut, EscposParseError, parse_escpos

DLE, EOT = 0x10, 0x04
STATUS_FUNCTIONS = range(1, 5)  # DLE EOT 1..4: printer, offline cause, error cause, paper sensor

# Every byte sequence the parser reads as a cut: GS V m, GS V m n (m with feed), ESC i, ESC m.
# In a lookahead so overlapping candidates are all found (cut-like bytes inside QR data).
_CUT_CANDIDATE = re.compile(rb"(?=(\x1dV[\x41\x42\x61\x62\x67\x68][\x00-\xff]|\x1dV[\x00-\xff]|\x1b[im]))")
_LEADING_QUERIES = re.compile(rb"(?:\x10\x04[\x01-\x04])+")


class StatusQueryScanner:
    """Finds DLE EOT n in the raw stream, also when a sequence is split across reads.

    It looks at bytes, not at commands: a real Epson printer's receive handler does
    the same, so a DLE EOT n that happens to sit inside image or QR data is answered
    too, and the reply the driver did not ask for lands in its input buffer.
    """

    def __init__(self) -> None:
        self._matched = 0  # bytes of DLE EOT already seen at the end of the last chunk

    def feed(self, chunk: bytes) -> list[int]:
        """The n of every status query completed by this chunk, in order."""
        found: list[int] = []
        for byte in chunk:
            if self._matched == 2 and byte in STATUS_FUNCTIONS:
                found.append(byte)
                self._matched = 0
            elif self._matched == 1 and byte == EOT:
                self._matched = 2
            else:
                self._matched = 1 if byte == DLE else 0
        return found

    def reset(self) -> None:
        self._matched = 0


def split_jobs(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete jobs at the start of `buffer` (each up to and including its cut)
    and what is left after the last cut.

    Status queries between jobs are not part of either job and are dropped; those
    inside a job stay, as the printer received them.
    """
    jobs: list[bytes] = []
    while (end := _first_cut_end(buffer)) is not None:
        jobs.append(_strip_leading_queries(buffer[:end]))
        buffer = buffer[end:]
    return jobs, _strip_leading_queries(buffer)


def _first_cut_end(buffer: bytes) -> int | None:
    """Where the first complete cut command ends, as the parser reads the bytes.

    Parsing a prefix that ends exactly after a candidate gives the same elements as
    parsing the whole stream, unless the candidate sits inside a longer command
    (QR data, an image): then the prefix ends mid-command and the parser refuses it.
    Parsing only up to candidates also means a job followed by half of the next
    one is found at once, not when the next one is complete.
    """
    for match in _CUT_CANDIDATE.finditer(buffer):
        try:
            elements = parse_escpos(buffer[: match.start() + len(match.group(1))])
        except EscposParseError:
            continue
        cut = next((element for element in elements if isinstance(element, Cut)), None)
        if cut is not None:
            return cut.end
    return None


def _strip_leading_queries(data: bytes) -> bytes:
    match = _LEADING_QUERIES.match(data)
    return data[match.end():] if match else data
