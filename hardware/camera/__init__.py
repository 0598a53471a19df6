"""Camera: frame sources (V4L2 device, video file, synthetic) and the one frame owner."""

from hardware.camera.device_camera import DeviceCamera
from hardware.camera.health import STATES, CameraHealth, HealthState
from hardware.camera.interface import CameraError, FrameSource
from hardware.camera.owner import Frame, FrameOwner
from hardware.camera.synthetic import SyntheticCamera
from hardware.camera.video_file_camera import VideoFileCamera

__all__ = [
    "STATES",
    "CameraError",
    "CameraHealth",
    "DeviceCamera",
    "Frame",
    "FrameOwner",
    "FrameSource",
    "HealthState",
    "SyntheticCamera",
    "VideoFileCamera",
]
