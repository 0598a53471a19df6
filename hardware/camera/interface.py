"""Where camera frames come from: a device, a video file or a generator.

The camera has one owner that reads frames in a loop and fans the latest one
out to preview, photo pipeline and video call; everything else depends only
on this interface.
"""

from __future__ import annotations

import abc

import numpy as np


class CameraError(Exception):
    """The frame source cannot be opened or has failed; the message says which."""


class FrameSource(abc.ABC):
    """A source of BGR uint8 frames of shape (height, width, 3), OpenCV's layout.

    Each read() hands over a new array: the owner marks it read-only and
    shares it with every consumer, so a source must not write into it later.
    """

    @property
    def name(self) -> str:
        """What an operator calls this source in a message: a device, a file."""
        return type(self).__name__

    @property
    @abc.abstractmethod
    def resolution(self) -> tuple[int, int]:
        """(width, height) in pixels of the frames read()."""

    @abc.abstractmethod
    def open(self) -> None:
        """Start delivering frames. Raises CameraError."""

    @abc.abstractmethod
    def read(self) -> np.ndarray | None:
        """The next frame, or None when there is none.

        None also before open() and after close(): the owner's read loop may
        race with close() from another thread and must end quietly, not crash.
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Stop and release the source; safe to call more than once."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
