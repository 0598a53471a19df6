"""DeviceCamera's logic around OpenCV: what it asks for, what it reports, how it fails.

There is no camera on the test machines, so a fake cv2.VideoCapture plays the
device here; tests/integration/test_camera_sources.py opens real device paths
that do not exist or are no camera.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from hardware.camera import CameraError, DeviceCamera
from hardware.camera import device_camera


class FakeCapture:
    """A V4L2 capture that delivers `frames` (then fails, like an unplugged camera)."""

    def __init__(self, frames: list[np.ndarray | None], *, opened: bool = True, fps: float = 15.0):
        self.frames = list(frames)
        self.opened = opened
        self.fps = fps
        self.settings: list[tuple[int, float]] = []
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return self.opened

    def set(self, prop: int, value: float) -> bool:
        self.settings.append((prop, value))
        return True

    def get(self, prop: int) -> float:
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.released or not self.frames:
            return False, None
        frame = self.frames.pop(0)
        return frame is not None, frame

    def release(self) -> None:
        self.released = True


@pytest.fixture
def plug(monkeypatch):
    """Put a fake capture behind the next DeviceCamera.open(); returns it."""

    def install(capture: FakeCapture) -> FakeCapture:
        monkeypatch.setattr(device_camera, "_video_capture", lambda device: capture)
        return capture

    return install


def vga(value: int = 0) -> np.ndarray:
    return np.full((480, 640, 3), value, dtype=np.uint8)


def test_reports_what_the_device_delivers_not_what_was_asked(plug):
    plug(FakeCapture([vga(1), vga(2)], fps=15.0))
    camera = DeviceCamera("/dev/video0", 1280, 720, 30)
    assert camera.resolution == (1280, 720)  # before open: the request
    camera.open()
    assert camera.resolution == (640, 480)
    assert camera.fps == 15.0
    camera.close()


def test_asks_for_format_size_rate_and_a_one_frame_buffer_in_that_order(plug):
    capture = plug(FakeCapture([vga()]))
    with DeviceCamera(0, 1280, 720, 30):
        pass
    assert capture.settings == [
        (cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG")),
        (cv2.CAP_PROP_FRAME_WIDTH, 1280),
        (cv2.CAP_PROP_FRAME_HEIGHT, 720),
        (cv2.CAP_PROP_FPS, 30),
        (cv2.CAP_PROP_BUFFERSIZE, 1),
    ]


def test_fourcc_none_leaves_the_format_to_the_driver(plug):
    capture = plug(FakeCapture([vga()]))
    with DeviceCamera(0, 640, 480, 30, fourcc=None):
        pass
    assert cv2.CAP_PROP_FOURCC not in [prop for prop, _ in capture.settings]


def test_index_is_named_by_its_device_path():
    assert DeviceCamera(2, 640, 480, 30).name == "/dev/video2"
    assert DeviceCamera("/dev/v4l/by-id/usb-cam", 640, 480, 30).name == "/dev/v4l/by-id/usb-cam"


def test_a_device_that_opens_but_sends_nothing_fails_after_the_timeout(plug):
    capture = plug(FakeCapture([None] * 1000))
    camera = DeviceCamera("/dev/video0", 640, 480, 30, first_frame_timeout_s=0.2)
    with pytest.raises(CameraError) as caught:
        camera.open()
    assert str(caught.value) == "camera /dev/video0: cannot open: opened, but no frame within 0.2 s"
    assert capture.released
    assert camera.read() is None


def test_first_frames_may_take_a_moment(plug):
    plug(FakeCapture([None, None, vga(5), vga(6)]))
    with DeviceCamera("/dev/video0", 640, 480, 30, first_frame_timeout_s=2) as camera:
        frame = camera.read()
    assert frame is not None and (frame == 6).all()  # the warm-up frame is dropped


def test_unplugged_device_reads_none_instead_of_raising(plug):
    capture = plug(FakeCapture([vga(1), vga(2)]))
    with DeviceCamera("/dev/video0", 640, 480, 30) as camera:
        assert camera.read() is not None
        capture.frames = []  # unplugged
        assert camera.read() is None
        assert camera.read() is None


def test_grey_device_frames_become_bgr(plug):
    plug(FakeCapture([np.full((480, 640), 9, np.uint8)] * 2))
    with DeviceCamera("/dev/video0", 640, 480, 30) as camera:
        frame = camera.read()
    assert frame.shape == (480, 640, 3) and (frame == 9).all()


def test_close_releases_and_read_after_close_is_none(plug):
    capture = plug(FakeCapture([vga()] * 5))
    camera = DeviceCamera("/dev/video0", 640, 480, 30)
    camera.open()
    camera.close()
    camera.close()
    assert capture.released
    assert camera.read() is None


def test_a_refused_device_is_released_and_named(plug, tmp_path):
    not_a_camera = tmp_path / "video7"
    not_a_camera.write_bytes(b"")
    capture = plug(FakeCapture([], opened=False))
    with pytest.raises(CameraError, match=f"camera {not_a_camera}: cannot open: not a V4L2 camera"):
        DeviceCamera(str(not_a_camera), 640, 480, 30).open()
    assert capture.released


@pytest.mark.parametrize(
    "args, kwargs",
    [((0, 0, 480, 30), {}), ((0, 640, 480, 0), {}), ((0, 640, 480, 30), {"fourcc": "MJPEG"})],
)
def test_bad_settings_are_refused(args, kwargs):
    with pytest.raises(ValueError):
        DeviceCamera(*args, **kwargs)


def test_a_device_without_permission_says_which_group(plug, monkeypatch, tmp_path):
    device = tmp_path / "video3"
    device.write_bytes(b"")
    real_access = device_camera.os.access
    # The tests may run as root, who may open anything: fake the refusal for this path only.
    monkeypatch.setattr(device_camera.os, "access",
                        lambda path, mode: False if str(path) == str(device) else real_access(path, mode))
    plug(FakeCapture([], opened=False))
    with pytest.raises(CameraError, match=f"camera {device}: cannot open: no permission .*group 'video'"):
        DeviceCamera(str(device), 640, 480, 30).open()
