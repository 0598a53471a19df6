"""messages.py: every message type valid and invalid per direction, version, size, non-objects,
and the error replies fit the TO_* tables themselves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from video_assist import messages
from video_assist.messages import FROM_CLERK, FROM_TERMINAL, TO_CLERK, TO_TERMINAL, ProtocolError

CALL = "3f2a9c1e-1111-4222-8333-444455556666"
CONTEXT = {"service": "meldebescheinigung", "service_title": "Meldebescheinigung", "step": "person",
           "step_title": "Angaben zur Person", "language": "de", "needs": ["speech", "large_text"]}
SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
STEP = {"id": "person", "title": "Angaben zur Person", "fields": [{"field": "family_name", "label": "Familienname"}]}
ICE = [{"urls": ["stun:stun.example.org"]}, {"urls": ["turn:turn.example.org:3478"], "username": "u",
                                             "credential": "c"}]

# one valid example and several invalid variants per (table, type)
VALID: dict[str, dict[str, dict[str, Any]]] = {
    "FROM_TERMINAL": {
        "call": {"call_id": CALL, "context": CONTEXT},
        "offer": {"call_id": CALL, "sdp": SDP},
        "context": {"call_id": CALL, "context": {"language": "tr"}},
        "coview": {"call_id": CALL, "shared": True, "step": STEP,
                   "answers": [{"field": "family_name", "label": "Familienname", "value": "Yılmaz"}]},
        "proposal_reply": {"call_id": CALL, "proposal_id": "prop-0001", "accepted": False},
        "hangup": {"call_id": CALL, "reason": "citizen"},
    },
    "FROM_CLERK": {
        "accept": {"call_id": CALL},
        "answer": {"call_id": CALL, "sdp": SDP},
        "propose": {"call_id": CALL, "proposal_id": "prop-0001", "field": "family_name", "value": "Yilmaz"},
        "point": {"call_id": CALL, "control": "family_name"},
        "hangup": {"call_id": CALL, "reason": "clerk"},
    },
    "TO_TERMINAL": {
        "queued": {"call_id": CALL, "position": 2, "expected_wait_s": None, "ice_servers": ICE, "requeued": True},
        "accepted": {"call_id": CALL, "clerk": "Anna Schmidt"},
        "answer": {"call_id": CALL, "sdp": SDP},
        "propose": {"call_id": CALL, "proposal_id": "prop-0001", "field": "f", "value": ""},
        "point": {"call_id": CALL, "control": "f"},
        "hangup": {"call_id": CALL, "reason": "clerk_gone"},
        "error": {"code": "taken", "detail": "taken by another clerk", "call_id": CALL},
    },
    "TO_CLERK": {
        "queue": {"calls": [{"call_id": CALL, "terminal": "t-1", "location": "Rathaus", "context": CONTEXT,
                             "waited_s": 12}]},
        "accepted": {"call_id": CALL, "terminal": "t-1", "location": "Rathaus", "context": CONTEXT,
                     "ice_servers": []},
        "offer": {"call_id": CALL, "sdp": SDP},
        "context": {"call_id": CALL, "context": CONTEXT},
        "coview": {"call_id": CALL, "shared": False},
        "proposal_reply": {"call_id": CALL, "proposal_id": "prop-0001", "accepted": True},
        "hangup": {"call_id": CALL, "reason": "terminal_gone"},
        "error": {"code": "malformed", "detail": "not JSON"},
    },
}
TABLES = {"FROM_TERMINAL": FROM_TERMINAL, "FROM_CLERK": FROM_CLERK, "TO_TERMINAL": TO_TERMINAL, "TO_CLERK": TO_CLERK}

INVALID: list[tuple[str, str, dict[str, Any]]] = [
    ("FROM_TERMINAL", "call", {"call_id": CALL}),  # no context
    ("FROM_TERMINAL", "call", {"call_id": "short", "context": CONTEXT}),
    ("FROM_TERMINAL", "call", {"call_id": CALL, "context": {**CONTEXT, "language": "Deutsch"}}),
    ("FROM_TERMINAL", "call", {"call_id": CALL, "context": {**CONTEXT, "needs": ["telepathy"]}}),
    ("FROM_TERMINAL", "call", {"call_id": CALL, "context": {**CONTEXT, "extra": 1}}),
    ("FROM_TERMINAL", "offer", {"call_id": CALL, "sdp": "v=0"}),
    ("FROM_TERMINAL", "offer", {"call_id": CALL, "sdp": "x" * 60001}),
    ("FROM_TERMINAL", "context", {"call_id": CALL}),
    ("FROM_TERMINAL", "coview", {"call_id": CALL}),
    ("FROM_TERMINAL", "coview", {"call_id": CALL, "shared": "yes"}),
    ("FROM_TERMINAL", "coview", {"call_id": CALL, "shared": True, "step": {"id": "x", "title": "t"}}),
    ("FROM_TERMINAL", "proposal_reply", {"call_id": CALL, "proposal_id": "prop-0001", "accepted": "no"}),
    ("FROM_TERMINAL", "hangup", {"call_id": CALL, "reason": "bored"}),
    ("FROM_TERMINAL", "hangup", {"call_id": 42, "reason": "citizen"}),
    ("FROM_CLERK", "accept", {}),
    ("FROM_CLERK", "accept", {"call_id": CALL, "also": 1}),
    ("FROM_CLERK", "answer", {"call_id": CALL}),
    ("FROM_CLERK", "propose", {"call_id": CALL, "proposal_id": "p", "field": "f", "value": "v"}),
    ("FROM_CLERK", "propose", {"call_id": CALL, "proposal_id": "prop-0001", "field": "f", "value": "v" * 2001}),
    ("FROM_CLERK", "point", {"call_id": CALL}),
    ("FROM_CLERK", "hangup", {"call_id": CALL}),
    ("TO_TERMINAL", "queued", {"call_id": CALL, "position": 0, "expected_wait_s": 5, "ice_servers": []}),
    ("TO_TERMINAL", "queued", {"call_id": CALL, "position": 1, "ice_servers": []}),  # expected_wait_s required
    ("TO_TERMINAL", "queued", {"call_id": CALL, "position": 1, "expected_wait_s": None,
                               "ice_servers": [{"urls": ["http://x"]}]}),
    ("TO_TERMINAL", "accepted", {"call_id": CALL, "clerk": "x" * 81}),
    ("TO_TERMINAL", "error", {"code": "oops", "detail": "x"}),
    ("TO_CLERK", "queue", {"calls": [{"call_id": CALL}]}),
    ("TO_CLERK", "queue", {"calls": [{**VALID["TO_CLERK"]["queue"]["calls"][0], "waited_s": -1}]}),
]


def raw(kind: str, fields: dict[str, Any], v: Any = 1) -> str:
    return json.dumps({"v": v, "type": kind, **fields})


@pytest.mark.parametrize("table,kind", [(t, k) for t, kinds in VALID.items() for k in kinds])
def test_valid_messages_pass(table: str, kind: str) -> None:
    assert set(VALID[table]) == set(TABLES[table]), "an example for every type of the table"
    msg = messages.parse(raw(kind, VALID[table][kind]), TABLES[table])
    assert msg["type"] == kind


@pytest.mark.parametrize("table,kind,fields", INVALID)
def test_invalid_messages_are_malformed_and_the_reply_fits_the_protocol(table: str, kind: str,
                                                                       fields: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError) as raised:
        messages.parse(raw(kind, fields), TABLES[table])
    assert raised.value.code == "malformed"
    assert raised.value.detail.startswith(f"{kind}: ")
    for to in (TO_TERMINAL, TO_CLERK):
        messages.check(raised.value.reply(), to)


def test_a_type_of_the_other_direction_is_unexpected() -> None:
    with pytest.raises(ProtocolError) as raised:
        messages.parse(raw("accept", {"call_id": CALL}), FROM_TERMINAL)
    assert raised.value.code == "unexpected" and raised.value.call_id == CALL
    assert "accept" in raised.value.detail and "call" in raised.value.detail
    with pytest.raises(ProtocolError) as raised:
        messages.parse(raw("offer", {"call_id": CALL, "sdp": SDP}), FROM_CLERK)
    assert raised.value.code == "unexpected"


@pytest.mark.parametrize("text,code", [
    ("{not json", "malformed"),
    (b"\xff\xfe", "malformed"),
    ("[]", "malformed"),
    ('"call"', "malformed"),
    ("null", "malformed"),
    ("42", "malformed"),
    (raw("call", {"call_id": CALL, "context": CONTEXT}, v=2), "version"),
    (raw("call", {"call_id": CALL, "context": CONTEXT}, v="1"), "version"),
    (json.dumps({"type": "call", "call_id": CALL, "context": CONTEXT}), "version"),
    (raw("dance", {}), "unexpected"),
    (json.dumps({"v": 1, "call_id": CALL}), "unexpected"),
    (json.dumps({"v": 1, "type": ["call"]}), "unexpected"),
])
def test_frames_that_are_not_messages(text: str | bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        messages.parse(text, FROM_TERMINAL)
    assert raised.value.code == code
    messages.check(raised.value.reply(), TO_TERMINAL)
    messages.check(raised.value.reply(), TO_CLERK)


def test_oversized_frames_are_refused_before_parsing() -> None:
    big = raw("offer", {"call_id": CALL, "sdp": "a" * messages.MAX_MESSAGE_BYTES})
    with pytest.raises(ProtocolError) as raised:
        messages.parse(big, FROM_TERMINAL)
    assert raised.value.code == "malformed" and "bytes" in raised.value.detail


def test_error_reply_carries_the_call_id_only_when_it_is_a_valid_one() -> None:
    with pytest.raises(ProtocolError) as raised:
        messages.parse(raw("hangup", {"call_id": CALL, "reason": "?"}), FROM_CLERK)
    assert raised.value.reply()["call_id"] == CALL
    with pytest.raises(ProtocolError) as raised:
        messages.parse(raw("hangup", {"call_id": "no good!", "reason": "clerk"}), FROM_CLERK)
    assert "call_id" not in raised.value.reply()
    messages.check(raised.value.reply(), TO_CLERK)


def test_message_and_error_helpers() -> None:
    assert messages.message("accept", call_id=CALL, extra=None) == {"v": 1, "type": "accept", "call_id": CALL}
    reply = messages.error("unknown_call", "no call", CALL)
    assert messages.check(reply, TO_TERMINAL) is reply
    assert messages.error("malformed", "x") == {"v": 1, "type": "error", "code": "malformed", "detail": "x"}
    for code in messages.ERROR_CODES:
        messages.check(messages.error(code, "detail"), TO_CLERK)
