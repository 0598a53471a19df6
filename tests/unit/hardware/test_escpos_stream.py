"""The printer's receive side without a serial line: status queries found in any chunking,
jobs split exactly at their cut, also when cut-like bytes hide inside QR data."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from hardware.printer.escpos_parser import Cut, parse_escpos
from hardware.printer.escpos_stream import StatusQueryScanner, split_jobs
from hardware.printer.escpos_text import render_text

ESC, GS = b"\x1b", b"\x1d"
FULL_CUT = GS + b"V\x00"
FEED_CUT = GS + b"VB\x03"  # partial cut after feeding 3 dots


def qr(payload: bytes) -> bytes:
    store = GS + b"(k" + bytes([len(payload) + 3, 0]) + b"1P0" + payload
    return store + GS + b"(k\x03\x001Q0"


def test_cut_end_is_the_offset_just_past_the_cut_command():
    data = b"one\n" + FEED_CUT + b"two\n" + ESC + b"i"
    cuts = [element for element in parse_escpos(data) if isinstance(element, Cut)]
    assert [cut.end for cut in cuts] == [len(b"one\n" + FEED_CUT), len(data)]


def test_jobs_are_split_at_each_cut_and_the_unfinished_rest_kept():
    first, second = b"first\n" + FULL_CUT, b"second\n" + FEED_CUT
    unfinished = b"third\n" + GS + b"(k\x10\x00"  # ends inside a QR command
    assert split_jobs(first + second + unfinished) == ([first, second], unfinished)


def test_cut_bytes_inside_qr_data_do_not_end_the_job():
    job = b"before\n" + qr(b"x" + FULL_CUT + ESC + b"i" + b"y") + b"after\n" + FULL_CUT
    assert split_jobs(job + b"next") == ([job], b"next")


def test_status_queries_between_jobs_belong_to_no_job_but_those_inside_stay():
    job = b"a\n\x10\x04\x04b\n" + FULL_CUT
    assert split_jobs(b"\x10\x04\x01\x10\x04\x04" + job + b"\x10\x04\x02") == ([job], b"")


def test_no_cut_no_job():
    assert split_jobs(b"text without cut\n") == ([], b"text without cut\n")


STREAM_BYTES = st.lists(st.sampled_from([b"\x10", b"\x04", b"\x01", b"\x04", b"\x05", b"a", b"\x00"]), max_size=60)


@given(parts=STREAM_BYTES, cuts=st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_status_queries_are_found_however_the_stream_is_chunked(parts: list[bytes], cuts: list[int]):
    stream = b"".join(parts)
    scanner = StatusQueryScanner()
    found: list[int] = []
    bounds = [0, *sorted(min(cut, len(stream)) for cut in cuts), len(stream)]
    for start, end in itertools.pairwise(bounds):
        found += scanner.feed(stream[start:end])
    expected = [match.group(1)[0] for match in re.finditer(rb"\x10\x04([\x01-\x04])", stream)]
    assert found == expected


def test_text_rendering_shows_alignment_bold_qr_and_cut():
    data = (ESC + b"a\x02" + b"right\n" + ESC + b"a\x01" + ESC + b"E\x01" + b"Title" + ESC + b"E\x00"
            + b" plain\n" + qr(b"https://example.de/r") + FULL_CUT)
    lines = render_text(data, columns=20).splitlines()
    assert lines[0] == " " * 15 + "right"
    assert lines[1].strip() == "**Title** plain" and lines[1].startswith("  ")
    assert lines[2].strip() == "[QR: https://example.de/r]"
    assert lines[3] == "------- cut --------"
