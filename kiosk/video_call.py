"""The terminal's line to the clerks: carries the journey's call decisions to the back office on the
network loop, and what arrives back to the journey as events (through `deliver`, the UI bridge).

It implements kiosk.journey.assist.Assist. One call at a time; every method returns at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import numpy as np

from hardware.camera import FrameOwner
from kiosk.config import AssistConfig
from kiosk.journey import events as ev
from kiosk.journey.assist import CallWhere, SharedPage
from video_assist import call as vc
from video_assist.media import CameraTrack, microphone
from video_assist.network import NetworkLoop

log = logging.getLogger(__name__)
Needs = Callable[[], tuple[str, ...]]


class AssistUnavailable(Exception):
    """The [assist] settings cannot work (no token file): the operator message says why."""


def read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AssistUnavailable(f"video assist off: cannot read the terminal token {path}: {exc.strerror}") from None
    if not token:
        raise AssistUnavailable(f"video assist off: the terminal token file {path} is empty")
    return token


class VideoCall:
    def __init__(self, settings: AssistConfig, token: str, network: NetworkLoop, camera: FrameOwner,
                 deliver: Callable[[ev.Event], None], needs: Needs = tuple) -> None:
        self._settings, self._token, self._network = settings, token, network
        self._camera, self._deliver, self._needs = camera, deliver, needs
        self._call: vc.AssistCall | None = None
        self._running: Future | None = None
        self._camera_held = False

    # -- the journey's side (UI thread) -------------------------------------------------------

    def start(self, where: CallWhere) -> None:
        self.hang_up("citizen")  # a call still ending is let go
        context = vc.CallContext(**asdict(where), needs=self._needs())
        call = vc.AssistCall(self._settings.server, self._token, context, camera=self._camera_track,
                             microphone=lambda: microphone(self._settings.microphone, self._settings.audio_device),
                             speaker=self._settings.speaker, audio_device=self._settings.audio_device,
                             on_event=lambda event: self._arrived(call, event),
                             connect_timeout_s=self._settings.connect_timeout_s,
                             wait_max_s=float(self._settings.wait_max_s))
        self._call = call
        self._running = self._network.submit(call.run())
        self._running.add_done_callback(lambda f: self._finished(call, f))

    def update(self, where: CallWhere) -> None:
        self._on_loop(lambda call: call.update(vc.CallContext(**asdict(where), needs=self._needs())))

    def share(self, page: SharedPage | None) -> None:
        if page is None:
            self._on_loop(lambda call: call.share(None, []))
            return
        step = {"id": page.step, "title": page.title,
                "fields": [{"field": f.field, "label": f.label} for f in page.fields]}
        answers = [{"field": f.field, "label": f.label, "value": f.value} for f in page.answers]
        self._on_loop(lambda call: call.share(step, answers))

    def reply(self, proposal_id: str, accepted: bool) -> None:
        self._on_loop(lambda call: call.reply(proposal_id, accepted))

    def mute(self, muted: bool) -> None:
        call = self._call
        if call is not None:
            self._network.call_soon(call.mute, muted)

    def hang_up(self, reason: str) -> None:
        call, self._call = self._call, None
        if call is not None:
            self._network.submit(call.hang_up(reason))

    def pictures(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The clerk's newest picture (RGB) and the citizen's own (BGR), for the call screen."""
        call = self._call
        peer = call.peer if call is not None else None
        latest = peer.video.latest() if peer is not None else None
        own = self._camera.latest() if self._camera_held else None
        return (latest[1] if latest is not None else None), (own.image if own is not None else None)

    def close(self) -> None:
        self.hang_up("session_ended")

    # -- the network's side (loop thread) -----------------------------------------------------

    def _camera_track(self) -> CameraTrack:
        if not self._camera_held:
            self._camera.acquire()
            self._camera_held = True
        return CameraTrack(self._camera)

    def _on_loop(self, step: Callable[[vc.AssistCall], object]) -> None:
        call = self._call
        if call is not None:
            self._network.submit(step(call))  # type: ignore[arg-type]

    def _arrived(self, call: vc.AssistCall, event: object) -> None:
        translated = _journey_event(event)
        if translated is not None and (call is self._call or isinstance(translated, ev.CallEnded)):
            self._deliver(translated)

    def _finished(self, call: vc.AssistCall, running: Future) -> None:
        if self._camera_held and (self._call is None or self._call is call):
            self._camera_held = False
            self._camera.release()  # the camera goes off (unless the photo step uses it)
        error = None if running.cancelled() else running.exception()
        if error is not None:
            log.error("video call failed: %s", type(error).__name__)
            if call is self._call:
                self._call = None
                self._deliver(ev.CallEnded("error"))


def _journey_event(event: object) -> ev.Event | None:
    if isinstance(event, vc.Queued):
        return ev.CallQueued(event.position, event.expected_wait_s, event.requeued)
    if isinstance(event, vc.Answered):
        return ev.CallAnswered(event.clerk)
    if isinstance(event, vc.Reconnecting):
        return ev.CallReconnecting()
    if isinstance(event, vc.Proposed):
        return ev.ValueProposed(event.proposal_id, event.field, event.value)
    if isinstance(event, vc.Pointed):
        return ev.PointedAt(event.control)
    if isinstance(event, vc.Ended):
        return ev.CallEnded(event.reason)
    return None  # Connected: the picture shows itself
