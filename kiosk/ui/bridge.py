"""The one bridge from worker threads back to the UI thread (Clock.schedule_once)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, TypeVar

from kivy.clock import Clock

T = TypeVar("T")


class KivyWorker:
    """Runs blocking device and storage calls in a worker; results return on the UI thread."""

    def __init__(self, threads: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="kiosk-worker")

    def run(self, job: Callable[[], T], done: Callable[[T | BaseException], None]) -> None:
        future = self._pool.submit(job)
        future.add_done_callback(lambda f: Clock.schedule_once(lambda _dt: done(_outcome(f)), 0))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _outcome(future: Future) -> object:
    error = future.exception()
    return error if error is not None else future.result()
