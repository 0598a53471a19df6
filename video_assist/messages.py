"""The signalling protocol between terminals, the back office and clerks' consoles.

Every message is one JSON object on a WebSocket, `{"v": 1, "type": ..., ...}`, checked against
the schema of its type and direction before anything acts on it. A message that is not JSON,
has another version, an unknown type or a wrong field gets an `error` reply and is otherwise
ignored; the connection stays open.

Two WebSockets on the back office:
- `/ws/terminal`: a terminal, authenticated by `Authorization: Bearer <token>` (its token from
  `kiosk-backoffice add-terminal`).
- `/ws/clerk`: a clerk's console, authenticated by the session cookie after login; the Origin
  header must be the back office's own.

The call, from the terminal's side (`T>` terminal to server, `>T` server to terminal, `C>`, `>C`
the same for the clerk's console):

    T> call {call_id, context}            asks for help (call_id made by the terminal, a UUID;
                                          sent again with the same id after a reconnect)
    >T queued {call_id, position, expected_wait_s, ice_servers}   on every change of position
    >C queue {calls: [...]}               every clerk sees the waiting calls, on every change
    C> accept {call_id}                   one clerk takes it; the others see it leave the queue
    >C accepted {call_id, context, terminal, location, ice_servers}
    >T accepted {call_id, clerk}          the terminal makes the offer (aiortc gathers its ICE
    T> offer {call_id, sdp}               candidates first: no trickle in either direction)
    >C offer {call_id, sdp}
    C> answer {call_id, sdp}              the console answers once its ICE gathering is complete
    >T answer {call_id, sdp}
    T> context {call_id, context}         the citizen moved on: the clerk sees the new step
    T> coview {call_id, shared, step, answers}   only after the citizen agreed on screen;
                                          shared=false withdraws (the console clears the panel)
    C> propose {call_id, proposal_id, field, value}   relayed to the terminal unchanged
    T> proposal_reply {call_id, proposal_id, accepted}   relayed to the clerk
    C> point {call_id, control}           relayed: the terminal highlights that control
    T>/C> hangup {call_id, reason}        either side ends; the other side gets hangup too
    >T queued {..., requeued: true}       the clerk's console went away mid-call: the call goes
                                          back to the head of the queue, the terminal closes its
                                          peer connection and waits again

A terminal whose WebSocket drops keeps its place for `reconnect_grace_s`; it reconnects and
sends `call` with the same call_id. After a back office restart the queue is empty and the
`call` re-enters it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jsonschema import Draft202012Validator

VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024  # an SDP is 2-6 KB; anything far larger is not ours

NEEDS = ("speech", "large_text", "high_contrast", "low_layout")
HANGUP_REASONS = ("citizen", "clerk", "no_clerk", "terminal_gone", "clerk_gone", "session_ended", "error")
ERROR_CODES = ("malformed", "version", "unexpected", "unknown_call", "taken", "forbidden")

_CALL_ID = {"type": "string", "pattern": "^[A-Za-z0-9-]{8,64}$"}
_TEXT = {"type": "string", "maxLength": 200}
_SDP = {"type": "string", "minLength": 10, "maxLength": 60000}

CONTEXT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["language"],
    "properties": {
        "service": {"type": ["string", "null"], "maxLength": 64},  # service id, null before one is chosen
        "service_title": {"type": ["string", "null"], "maxLength": 200},  # in German, for the clerk
        "step": {"type": ["string", "null"], "maxLength": 64},  # step id or stage name
        "step_title": {"type": ["string", "null"], "maxLength": 200},
        "language": {"type": "string", "pattern": "^[a-z]{2}$"},
        "needs": {"type": "array", "items": {"enum": list(NEEDS)}, "uniqueItems": True},
    },
}

ICE_SERVER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["urls"],
    "properties": {
        "urls": {"type": "array", "items": {"type": "string", "pattern": "^(stun|turns?):"}, "minItems": 1},
        "username": {"type": "string"},
        "credential": {"type": "string"},
    },
}

_ANSWERS = {
    "type": "array",
    "maxItems": 200,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["field", "label", "value"],
        "properties": {"field": {"type": "string", "maxLength": 128}, "label": _TEXT,
                       "value": {"type": "string", "maxLength": 2000}},
    },
}

_STEP = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "fields"],
    "properties": {
        "id": {"type": "string", "maxLength": 64},
        "title": _TEXT,
        # the fields on the citizen's page: what the clerk may propose a value for or point at
        "fields": {"type": "array", "maxItems": 100, "items": {
            "type": "object", "additionalProperties": False, "required": ["field", "label"],
            "properties": {"field": {"type": "string", "maxLength": 128}, "label": _TEXT}}},
    },
}


def _message(kind: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["v", "type", *required],
        "properties": {"v": {"const": VERSION}, "type": {"const": kind}, **properties},
    }


_CALL = {"call_id": _CALL_ID}
_HANGUP = _message("hangup", {**_CALL, "reason": {"enum": list(HANGUP_REASONS)}}, ["call_id", "reason"])
_PROPOSE = _message("propose", {**_CALL, "proposal_id": _CALL_ID, "field": {"type": "string", "maxLength": 128},
                                "value": {"type": "string", "maxLength": 2000}},
                    ["call_id", "proposal_id", "field", "value"])
_POINT = _message("point", {**_CALL, "control": {"type": "string", "maxLength": 128}}, ["call_id", "control"])
_REPLY = _message("proposal_reply", {**_CALL, "proposal_id": _CALL_ID, "accepted": {"type": "boolean"}},
                  ["call_id", "proposal_id", "accepted"])
_OFFER = _message("offer", {**_CALL, "sdp": _SDP}, ["call_id", "sdp"])
_ANSWER = _message("answer", {**_CALL, "sdp": _SDP}, ["call_id", "sdp"])
_CONTEXT = _message("context", {**_CALL, "context": CONTEXT}, ["call_id", "context"])
_COVIEW = _message("coview", {**_CALL, "shared": {"type": "boolean"}, "step": {"oneOf": [_STEP, {"type": "null"}]},
                              "answers": _ANSWERS}, ["call_id", "shared"])
_ERROR = _message("error", {"code": {"enum": list(ERROR_CODES)}, "detail": {"type": "string"},
                            "call_id": _CALL_ID}, ["code", "detail"])
_ICE = {"type": "array", "items": ICE_SERVER}
_WAIT = {"type": ["integer", "null"], "minimum": 0}

# What each side may send. The server validates what it receives with these, and its own
# replies are checked in tests against the `TO_*` tables.
FROM_TERMINAL: dict[str, dict[str, Any]] = {
    "call": _message("call", {**_CALL, "context": CONTEXT}, ["call_id", "context"]),
    "offer": _OFFER,
    "context": _CONTEXT,
    "coview": _COVIEW,
    "proposal_reply": _REPLY,
    "hangup": _HANGUP,
}
FROM_CLERK: dict[str, dict[str, Any]] = {
    "accept": _message("accept", _CALL, ["call_id"]),
    "answer": _ANSWER,
    "propose": _PROPOSE,
    "point": _POINT,
    "hangup": _HANGUP,
}
TO_TERMINAL: dict[str, dict[str, Any]] = {
    "queued": _message("queued", {**_CALL, "position": {"type": "integer", "minimum": 1},
                                  "expected_wait_s": _WAIT, "ice_servers": _ICE, "requeued": {"type": "boolean"}},
                       ["call_id", "position", "expected_wait_s", "ice_servers"]),
    "accepted": _message("accepted", {**_CALL, "clerk": {"type": "string", "maxLength": 80}}, ["call_id", "clerk"]),
    "answer": _ANSWER,
    "propose": _PROPOSE,
    "point": _POINT,
    "hangup": _HANGUP,
    "error": _ERROR,
}
_WAITING_CALL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["call_id", "terminal", "location", "context", "waited_s"],
    "properties": {**_CALL, "terminal": {"type": "string"}, "location": {"type": "string"}, "context": CONTEXT,
                   "waited_s": {"type": "integer", "minimum": 0}},
}
TO_CLERK: dict[str, dict[str, Any]] = {
    "queue": _message("queue", {"calls": {"type": "array", "items": _WAITING_CALL}}, ["calls"]),
    "accepted": _message("accepted", {**_CALL, "terminal": {"type": "string"}, "location": {"type": "string"},
                                      "context": CONTEXT, "ice_servers": _ICE},
                         ["call_id", "terminal", "location", "context", "ice_servers"]),
    "offer": _OFFER,
    "context": _CONTEXT,
    "coview": _COVIEW,
    "proposal_reply": _REPLY,
    "hangup": _HANGUP,
    "error": _ERROR,
}

_VALIDATORS = {id(table): {kind: Draft202012Validator(schema) for kind, schema in table.items()}
               for table in (FROM_TERMINAL, FROM_CLERK, TO_TERMINAL, TO_CLERK)}


class ProtocolError(ValueError):
    """A message we cannot act on; `code` is one of ERROR_CODES, the text says precisely why."""

    def __init__(self, code: str, detail: str, call_id: str | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.call_id = code, detail, call_id

    def reply(self) -> dict[str, Any]:
        """The `error` message that answers it."""
        return error(self.code, self.detail, self.call_id)


def parse(raw: str | bytes, table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The message in `raw` if it is one `table` allows; ProtocolError otherwise."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise ProtocolError("malformed", f"message of {len(raw)} bytes; at most {MAX_MESSAGE_BYTES}")
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("malformed", f"not JSON: {exc}") from None
    return check(message, table)


def check(message: Any, table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`message` itself when `table` allows it; ProtocolError naming the problem otherwise."""
    if not isinstance(message, dict):
        raise ProtocolError("malformed", "a message is a JSON object")
    # echoed in the error reply only when it is a valid call id (the reply must fit TO_* itself)
    call_id = message.get("call_id") if isinstance(message.get("call_id"), str) else None
    if call_id is not None and not re.fullmatch(_CALL_ID["pattern"], call_id):
        call_id = None
    if message.get("v") != VERSION:
        raise ProtocolError("version", f"protocol version {message.get('v')!r}; this server speaks {VERSION}",
                            call_id)
    kind = message.get("type")
    validator = _VALIDATORS[id(table)].get(kind) if isinstance(kind, str) else None
    if validator is None:
        raise ProtocolError("unexpected", f"unknown message type {kind!r}; expected one of {', '.join(table)}",
                            call_id)
    problem = next(iter(sorted(validator.iter_errors(message), key=lambda e: list(e.path))), None)
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "(message)"
        raise ProtocolError("malformed", f"{kind}: {where}: {problem.message}", call_id)
    return message


def message(kind: str, **fields: Any) -> dict[str, Any]:
    """A message of `kind` with `fields` (None values left out)."""
    return {"v": VERSION, "type": kind, **{k: v for k, v in fields.items() if v is not None}}


def error(code: str, detail: str, call_id: str | None = None) -> dict[str, Any]:
    return message("error", code=code, detail=detail, call_id=call_id)
