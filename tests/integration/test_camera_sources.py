"""Frame sources and the frame owner on real OpenCV: real video files, real V4L2 opens.

No virtual video device can be loaded on our machines (DOMAIN.md 2), so the
camera is played by files written here with cv2.VideoWriter (mp4v .mp4 and
MJPG .avi, the formats the terminal's OpenCV reads) and image sequences. Each
frame carries its number as eight black/white blocks in its top half and a
pure blue bottom half, so a test can read back which frame it got and that
the channels are in BGR order.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from hardware.camera import (
    CameraError,
    CameraHealth,
    DeviceCamera,
    FrameOwner,
    VideoFileCamera,
)
from tests.fakes import HealthLog

pytestmark = pytest.mark.integration

WIDTH, HEIGHT = 160, 128
BITS = 8
BLUE = (255, 0, 0)  # BGR
FORMATS = [(".mp4", "mp4v"), (".avi", "MJPG")]


def draw(number: int) -> np.ndarray:
    """Frame `number`: its bits as blocks (white = 1) over a blue half."""
    image = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
    block = WIDTH // BITS
    for bit in range(BITS):
        if number >> bit & 1:
            image[: HEIGHT // 2, bit * block : (bit + 1) * block] = 255
    image[HEIGHT // 2 :] = BLUE
    return image


def number_in(image: np.ndarray) -> int:
    """The number draw() put into `image`, read back through lossy compression."""
    block = image.shape[1] // BITS
    top = image[: image.shape[0] // 2]
    number = 0
    for bit in range(BITS):
        # The middle of the block: codecs smear the edges.
        centre = top[4:-4, bit * block + 4 : (bit + 1) * block - 4]
        if centre.mean() > 128:
            number |= 1 << bit
    return number


def play_through(camera: VideoFileCamera) -> list[np.ndarray]:
    """Every frame until the (not looping) camera gives None."""
    images = []
    while (image := camera.read()) is not None:
        images.append(image)
    return images


def is_blue_below(image: np.ndarray) -> bool:
    blue, green, red = image[image.shape[0] * 3 // 4].mean(axis=0)
    return blue > 200 and green < 60 and red < 60


def write_video(path: Path, fourcc: str, frames: int, fps: float = 30.0,
                size: tuple[int, int] = (WIDTH, HEIGHT)) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert writer.isOpened(), f"this OpenCV cannot write {fourcc}"
    for number in range(frames):
        image = draw(number)
        writer.write(image if size == (WIDTH, HEIGHT) else cv2.resize(image, size))
    writer.release()
    return path


@pytest.fixture(params=FORMATS, ids=[suffix for suffix, _ in FORMATS])
def video(request, tmp_path) -> Path:
    """A 12-frame 30 fps video in each format the terminal reads."""
    suffix, fourcc = request.param
    return write_video(tmp_path / f"camera{suffix}", fourcc, frames=12)


# -- video files ----------------------------------------------------------------


def test_a_video_file_plays_every_frame_in_order(video):
    with VideoFileCamera(video, fps=0, loop=False) as camera:
        images = play_through(camera)
        assert camera.resolution == (WIDTH, HEIGHT)
    assert [number_in(image) for image in images] == list(range(12))
    assert all(image.shape == (HEIGHT, WIDTH, 3) and image.dtype == np.uint8 for image in images)
    assert all(is_blue_below(image) for image in images)


def test_a_video_file_loops_by_seeking_to_the_start(video):
    with VideoFileCamera(video, fps=0) as camera:
        numbers = [number_in(camera.read()) for _ in range(30)]
    assert numbers == list(range(12)) + list(range(12)) + list(range(6))


def test_a_video_file_plays_at_its_own_frame_rate(tmp_path):
    path = write_video(tmp_path / "slow.avi", "MJPG", frames=4, fps=12.5)
    camera = VideoFileCamera(path)
    with camera:
        assert camera.fps == pytest.approx(12.5)
        started = time.monotonic()
        for _ in range(6):
            camera.read()
        elapsed = time.monotonic() - started
    assert elapsed > 5 / 12.5 * 0.9  # 6 frames span 5 intervals of 80 ms


def test_an_image_sequence_plays_too_even_in_grey(tmp_path):
    for number in range(5):
        grey = cv2.cvtColor(draw(number), cv2.COLOR_BGR2GRAY)
        cv2.imwrite(str(tmp_path / f"frame_{number:03d}.png"), grey)
    with VideoFileCamera(tmp_path / "frame_%03d.png", fps=0, loop=False) as camera:
        images = play_through(camera)
    assert [number_in(image) for image in images] == list(range(5))
    assert all(image.shape == (HEIGHT, WIDTH, 3) for image in images)


def write_garbage(path: Path) -> None:
    path.write_bytes(b"this is not a video " * 50)


def truncate_mp4(path: Path) -> None:
    write_video(path, "mp4v", frames=12)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # mp4v keeps its index (moov) at the end


def truncate_avi(path: Path) -> None:
    write_video(path, "MJPG", frames=12)
    path.write_bytes(path.read_bytes()[:300])  # the header, not a single frame


def delete_after_writing(path: Path) -> None:
    write_video(path, "MJPG", frames=12)
    path.unlink()


@pytest.mark.parametrize(
    "spoil, name, reason",
    [
        (delete_after_writing, "deleted.avi", "no such file"),
        (lambda path: path.write_bytes(b""), "empty.mp4", "the file is empty"),
        (write_garbage, "garbage.mp4", "not a video OpenCV can read"),
        (truncate_mp4, "truncated.mp4", "not a video OpenCV can read"),
        (truncate_avi, "truncated.avi", "not a video OpenCV can read"),
        (lambda path: path.mkdir(), "folder.mp4", "not a file"),
    ],
    ids=["deleted", "empty", "garbage", "truncated-mp4", "truncated-avi", "folder"],
)
def test_a_bad_file_is_refused_naming_the_file(tmp_path, spoil, name, reason):
    path = tmp_path / name
    spoil(path)
    camera = VideoFileCamera(path)
    with pytest.raises(CameraError) as caught:
        camera.open()
    assert str(caught.value).startswith(f"camera {path}: cannot open: {reason}")
    assert camera.read() is None


def test_a_sequence_pattern_without_images_is_refused_naming_it(tmp_path):
    pattern = tmp_path / "missing_%03d.png"
    with pytest.raises(CameraError, match=f"camera {pattern}: cannot open"):
        VideoFileCamera(pattern).open()


def test_close_from_another_thread_while_playing(video):
    camera = VideoFileCamera(video, fps=60)
    camera.open()
    results: list[np.ndarray | None] = []

    def play() -> None:
        while (image := camera.read()) is not None:
            results.append(image)

    player = threading.Thread(target=play)
    player.start()
    time.sleep(0.1)
    camera.close()
    player.join(5)
    assert not player.is_alive()
    assert len(results) >= 3


# -- devices ---------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/video9", 9])
def test_a_missing_camera_device_is_named(device):
    camera = DeviceCamera(device, 640, 480, 30, first_frame_timeout_s=0.5)
    with pytest.raises(CameraError) as caught:
        camera.open()
    assert str(caught.value).startswith("camera /dev/video9: cannot open: no such device")
    assert camera.read() is None


def test_a_device_that_is_no_camera_is_named():
    with pytest.raises(CameraError, match="camera /dev/null: cannot open: not a V4L2 camera"):
        DeviceCamera("/dev/null", 640, 480, 30, first_frame_timeout_s=0.5).open()


def test_the_owner_reports_a_missing_camera_and_keeps_trying():
    camera = DeviceCamera("/dev/video9", 640, 480, 30, first_frame_timeout_s=0.5)
    attempts: list[CameraHealth] = []
    owner = FrameOwner(camera, stall_s=0.2, backoff_s=(0.02, 0.05))
    owner.on_health(attempts.append)
    with owner:
        deadline = time.monotonic() + 5
        while owner.health().state != "unavailable" and time.monotonic() < deadline:
            time.sleep(0.01)
        health = owner.health()
        assert owner.wait_for(after=0, timeout=0.2) is None
    assert health.state == "unavailable"
    assert health.message.startswith("camera /dev/video9: cannot open: no such device")


# -- through the frame owner ----------------------------------------------------------


def test_the_owner_plays_a_file_at_its_pace_and_loops(tmp_path):
    path = write_video(tmp_path / "loop.mp4", "mp4v", frames=15)  # 30 fps
    with FrameOwner(VideoFileCamera(path), stall_s=1.0, backoff_s=(0.05, 0.2)) as owner:
        first = owner.wait_for(after=0, timeout=5)
        started = time.monotonic()
        frames = [first]
        while len(frames) < 31:
            frames.append(owner.wait_for(after=frames[-1].number, timeout=5))
        elapsed = time.monotonic() - started
        assert owner.health().message == f"camera {path}: ok, {WIDTH}x{HEIGHT}"
    numbers = [number_in(frame.image) for frame in frames]
    assert elapsed > 0.5  # 30 frames at 30 fps: about 1 s, never a burst
    assert all(b.number > a.number for a, b in zip(frames, frames[1:]))
    # The file's frames in order, starting over after frame 14 (a loaded machine may
    # make the consumer miss one, never reorder them).
    assert set(numbers) <= set(range(15))
    wraps = [i for i in range(1, len(numbers)) if numbers[i] < numbers[i - 1]]
    assert len(wraps) in (1, 2)
    assert all(numbers[i - 1] >= 12 and numbers[i] <= 2 for i in wraps), numbers


@pytest.mark.parametrize("size", [(320, 240), (640, 480)])
def test_owner_frames_keep_their_content_through_the_codec(tmp_path, size):
    path = write_video(tmp_path / "sized.avi", "MJPG", frames=6, size=size)
    with FrameOwner(VideoFileCamera(path, fps=0), stall_s=1.0) as owner:
        frame = owner.wait_for(after=0, timeout=5)
    assert frame.image.shape == (size[1], size[0], 3)
    assert number_in(frame.image) in range(6)
    assert is_blue_below(frame.image)
    assert not frame.image.flags.writeable


def test_camera_dies_mid_capture_and_comes_back(tmp_path):
    """ok → stalled (the stream ends) → unavailable (the file is gone) → ok (it is back)."""
    path = write_video(tmp_path / "camera.avi", "MJPG", frames=10)
    hidden = tmp_path / "unplugged.avi"
    log = HealthLog()

    def unplug_when_stalled(health: CameraHealth) -> None:
        # Runs in the owner thread before it backs off and reopens: no race.
        if health.state == "stalled" and path.exists():
            os.rename(path, hidden)

    camera = VideoFileCamera(path, fps=200, loop=False)  # plays once, then delivers nothing
    owner = FrameOwner(camera, stall_s=0.3, backoff_s=(0.05, 0.2))
    owner.on_health(log)
    owner.on_health(unplug_when_stalled)
    with owner:
        log.wait_for_state("unavailable")
        assert owner.latest() is None  # frame 10, the last one, is older than stall_s
        os.rename(hidden, path)  # plugged in again
        log.wait_for_state("ok", count=2)
        resumed = owner.wait_for(after=10, timeout=5)
        later = owner.wait_for(after=resumed.number, timeout=5)
    assert log.states == ["ok", "stalled", "unavailable", "ok", "stopped"]
    assert log.changes[1].message == f"camera {path}: no frame for 0.3 s"
    assert log.changes[2].message == f"camera {path}: cannot open: no such file"
    assert resumed.number > 10 and later.number > resumed.number
    assert number_in(resumed.image) in range(10)
