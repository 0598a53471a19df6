"""The network's own thread: one asyncio loop that owns aiortc and the WebSocket clients.

The UI thread never waits on it: `submit(coro)` returns a concurrent.futures.Future at once, and
whatever the loop has to tell the UI goes through the UI's own bridge (Kivy's
Clock.schedule_once), not through this module.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

STOP_TIMEOUT_S = 5.0


class NetworkLoop:
    """An asyncio event loop running in a daemon thread, from construction until stop()."""

    def __init__(self, name: str = "network") -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(self._exception)
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name=name, daemon=True)
        self._thread.start()
        started.wait()
        self._stopped = False

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(started.set)
        try:
            self.loop.run_forever()
        finally:
            try:
                self.loop.run_until_complete(self.loop.shutdown_asyncgens())
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
            finally:
                self.loop.close()

    @staticmethod
    def _exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        log.error("network loop: %s", context.get("message"), exc_info=context.get("exception"))

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def in_loop(self) -> bool:
        """Whether the caller runs on the loop's thread."""
        return threading.current_thread() is self._thread

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run `coro` on the loop; returns at once. Cancelling the future cancels the task."""
        if self._stopped:
            coro.close()
            raise RuntimeError("the network loop is stopped")
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Call `callback(*args)` on the loop's thread (e.g. AssistCall.mute)."""
        if self._stopped:
            raise RuntimeError("the network loop is stopped")
        self.loop.call_soon_threadsafe(callback, *args)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Cancel every task (an AssistCall hangs up and closes), let them finish up to
        `timeout` s, stop the loop and end the thread. Safe to call twice, not from the loop."""
        if self._stopped:
            return
        if self.in_loop():
            raise RuntimeError("NetworkLoop.stop() from its own thread would wait for itself")
        self._stopped = True
        if self.loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(self._cancel_all(timeout), self.loop).result(timeout + 1.0)
            except Exception as exc:  # a task that will not end must not keep the kiosk from closing
                log.warning("network loop: tasks did not end within %.0f s: %s", timeout, exc)
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)

    async def _cancel_all(self, timeout: float) -> None:
        tasks = [t for t in asyncio.all_tasks(self.loop) if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    def __enter__(self) -> NetworkLoop:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
