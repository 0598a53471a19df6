"""Camera: frame-source interface and a synthetic source (OpenCV sources come later)."""

from hardware.camera.interface import CameraError, FrameSource

__all__ = ["CameraError", "FrameSource"]
