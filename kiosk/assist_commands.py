"""`kiosk assist call`: place a video-assist call from the command line (an operator's check that
the back office, the token and the media path work; the tests' and benchmarks' kiosk).

One line per event on stdout, timed from the start:

    0.00 s  waiting: position 1, expected wait unknown
    3.21 s  clerk answered: Frau Schmidt
    3.80 s  first picture from the clerk
    12.0 s  call ended: clerk hung up

Exit 0 after a normal hang-up (the clerk's, or Ctrl-C/SIGTERM: the citizen's, which sends
`hangup`), 1 when the back office cannot be reached or the call failed, 2 for a refused token or
a bad setting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from kiosk import config as cfg

NORMAL_ENDS = ("clerk", "citizen", "session_ended")
ENDED_TEXT = {
    "clerk": "clerk hung up",
    "citizen": "hung up here",
    "session_ended": "the session ended",
    "no_clerk": "no clerk answered in time",
    "terminal_gone": "the back office lost this terminal",
    "clerk_gone": "the clerk's connection was lost",
    "error": "the call failed",
    "unreachable": "the back office cannot be reached",
    "rejected": "the back office refused this terminal's token",
}


def call(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="kiosk: %(name)s: %(message)s", stream=sys.stderr)
    settings = _settings(args)
    if settings is None:
        return 2
    server, token, wait_max_s, assist = settings

    from hardware.camera import FrameOwner
    from video_assist.call import AssistCall, CallContext
    from video_assist.media import SyntheticVideoTrack, ToneTrack
    from video_assist.messages import ProtocolError

    owner = None
    if args.synthetic:
        camera, microphone, speaker = SyntheticVideoTrack, ToneTrack, "none"
    else:
        from hardware.camera.device_camera import DeviceCamera
        from video_assist import media

        owner = FrameOwner(DeviceCamera(0, 640, 480, 30))
        owner.start()

        def camera():  # type: ignore[no-untyped-def]
            return media.CameraTrack(owner)

        def microphone():  # type: ignore[no-untyped-def]
            return media.microphone(assist.microphone, assist.audio_device)

        speaker = assist.speaker
    printer = _Printer(args.json)
    try:
        assist_call = AssistCall(server, token, CallContext(service=args.service, step=args.step, language=args.lang),
                                 camera=camera, microphone=microphone, speaker=speaker,
                                 audio_device=assist.audio_device, on_event=printer.event,
                                 connect_timeout_s=assist.connect_timeout_s, wait_max_s=wait_max_s)
    except (ProtocolError, ValueError) as exc:
        print(f"kiosk: cannot place the call: {getattr(exc, 'detail', exc)}", file=sys.stderr)
        return 2
    try:
        ended = asyncio.run(_run(assist_call))
    finally:
        if owner is not None:
            owner.stop()
    if ended.reason == "rejected":
        print(f"kiosk: {ended.detail}; check --token / [assist] token_file (kiosk-backoffice add-terminal "
              "gives a terminal its token)", file=sys.stderr)
        return 2
    if ended.reason == "unreachable":
        print(f"kiosk: cannot reach the back office: {ended.detail}", file=sys.stderr)
        return 1
    if ended.reason not in NORMAL_ENDS:
        print(f"kiosk: the call ended: {ENDED_TEXT.get(ended.reason, ended.reason)}"
              f"{f' ({ended.detail})' if ended.detail else ''}", file=sys.stderr)
        return 1
    return 0


async def _run(assist_call: Any) -> Any:
    loop = asyncio.get_running_loop()
    hangups: list[asyncio.Future[None]] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, lambda: hangups.append(asyncio.ensure_future(assist_call.hang_up("citizen"))))
    try:
        return await assist_call.run()
    finally:
        await asyncio.gather(*hangups, return_exceptions=True)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def _settings(args: argparse.Namespace) -> tuple[str, str, float | None, cfg.AssistConfig] | None:
    """(server, token, waiting limit, [assist]) from the command line over the config; None after
    saying what is wrong."""
    if args.config:
        try:
            assist = cfg.load(args.config).assist
        except cfg.ConfigError as exc:
            print(f"kiosk: bad configuration:\n{exc}", file=sys.stderr)
            return None
    else:
        assist = cfg.AssistConfig()
    server = args.server or assist.server
    if not server:
        print("kiosk: no back office: give --server URL or set [assist] server", file=sys.stderr)
        return None
    from video_assist.client import terminal_url

    try:
        terminal_url(server)
    except ValueError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return None
    token = args.token
    if token is None:
        path: Path = args.token_file or assist.token_file
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            print(f"kiosk: cannot read the terminal's token from {path}: {exc.strerror or exc}", file=sys.stderr)
            return None
        if not token:
            print(f"kiosk: {path} is empty; it should hold the token from kiosk-backoffice add-terminal",
                  file=sys.stderr)
            return None
    if args.timeout is not None and args.timeout <= 0:
        print("kiosk: --timeout must be positive seconds", file=sys.stderr)
        return None
    wait = args.timeout if args.timeout is not None else float(assist.wait_max_s)
    return server, token, wait, assist


def _seconds(t: float) -> str:
    return f"{t:.2f}" if t < 10 else f"{t:.1f}" if t < 100 else f"{t:.0f}"


class _Printer:
    """One line per event: text for people, or a JSON object per line."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.started = time.monotonic()

    def event(self, event: Any) -> None:
        t = time.monotonic() - self.started
        kind = type(event).__name__.lower()
        if self.as_json:
            fields = {k: v for k, v in vars(event).items()} if hasattr(event, "__dict__") else {}
            print(json.dumps({"t": round(t, 3), "event": kind, **fields}, ensure_ascii=False), flush=True)
        else:
            print(f"{_seconds(t)} s  {self.text(event)}", flush=True)

    @staticmethod
    def text(event: Any) -> str:
        kind = type(event).__name__
        if kind == "Queued":
            wait = "unknown" if event.expected_wait_s is None else f"{event.expected_wait_s} s"
            again = "the clerk's connection was lost; waiting again" if event.requeued else "waiting"
            return f"{again}: position {event.position}, expected wait {wait}"
        if kind == "Answered":
            return f"clerk answered: {event.clerk}"
        if kind == "Connected":
            return "first picture from the clerk"
        if kind == "Proposed":
            return f"clerk proposes a value for {event.field} (not answered from the command line)"
        if kind == "Pointed":
            return f"clerk points at {event.control}"
        if kind == "Reconnecting":
            return "connection to the back office lost, reconnecting"
        if kind == "Ended":
            return f"call ended: {ENDED_TEXT.get(event.reason, event.reason)}"
        return kind
