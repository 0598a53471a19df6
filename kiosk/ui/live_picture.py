"""The camera picture on the photo screen: mirrored like a mirror, the area outside the photo
dimmed, and an outline where the head belongs (green while the photo is being counted down)."""

from __future__ import annotations

import cv2
import numpy as np
from kivy.graphics import Color, Line, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty
from kivy.uix.widget import Widget

# Where the head sits in the photo box (shares of its height): the crown a little below the top
# edge and the chin at about 80 %, as the crop places them (kiosk/photo/crop.py).
HEAD_TOP, HEAD_BOTTOM = 0.08, 0.82
HEAD_ASPECT = 0.68  # a head (chin to crown) is about two thirds as wide as it is tall
DIM = (0, 0, 0, 0.55)
OUTLINE, READY = (1, 1, 1, 0.95), (0.1, 0.75, 0.3, 1)


class LivePicture(Widget):
    texture = ObjectProperty(None, allownone=True)
    box = ListProperty([])  # the photo's crop box, shares of the camera frame (x, y, w, h)
    ready = BooleanProperty(False)  # every live check passes: the photo is being counted down
    mirror = BooleanProperty(True)  # one's own picture, as in a mirror; someone else's as they are

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        for name in ("texture", "box", "ready", "pos", "size"):
            self.fbind(name, self._draw)

    def show_frame(self, image: np.ndarray, colorfmt: str = "bgr") -> None:
        """Show a camera frame (BGR, or `colorfmt`), scaled to the widget (at most 640 wide: enough
        to see oneself)."""
        height, width = image.shape[:2]
        scale = min(1.0, 640 / width, max(self.width, 1) / width, max(self.height, 1) / height)
        if scale < 1.0:
            image = cv2.resize(image, (max(1, round(width * scale)), max(1, round(height * scale))),
                               interpolation=cv2.INTER_AREA)
        height, width = image.shape[:2]
        texture = self.texture
        if texture is None or texture.size != (width, height) or texture.colorfmt != colorfmt:
            texture = Texture.create(size=(width, height), colorfmt=colorfmt)
            texture.flip_vertical()  # image rows start at the top, OpenGL's at the bottom
            if self.mirror:
                texture.flip_horizontal()  # a mirror: moving left moves the picture left
        texture.blit_buffer(np.ascontiguousarray(image).tobytes(), colorfmt=colorfmt, bufferfmt="ubyte")
        if texture is self.texture:
            self.canvas.ask_update()
        else:
            self.texture = texture

    def clear(self) -> None:
        self.texture = None
        self.box = []
        self.ready = False

    def _picture_rect(self) -> tuple[float, float, float, float]:
        """Where the picture is drawn: as large as fits, its proportions kept, centred."""
        width, height = self.texture.size
        scale = min(self.width / width, self.height / height)
        w, h = width * scale, height * scale
        return self.x + (self.width - w) / 2, self.y + (self.height - h) / 2, w, h

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        if self.texture is None:
            return
        x, y, w, h = self._picture_rect()
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=self.texture, pos=(x, y), size=(w, h))
            if len(self.box) == 4:
                self._draw_box(x, y, w, h)

    def _draw_box(self, x: float, y: float, w: float, h: float) -> None:
        bx, by, bw, bh = self.box
        left = x + (1 - bx - bw) * w  # mirrored, like the picture
        top = y + (1 - by) * h  # frame rows count down from the top
        width, height = bw * w, bh * h
        bottom = top - height
        Color(*DIM)
        for rect in ((x, y, left - x, h), (left + width, y, x + w - left - width, h),
                     (left, top, width, y + h - top), (left, y, width, bottom - y)):
            if rect[2] > 0 and rect[3] > 0:
                Rectangle(pos=rect[:2], size=rect[2:])
        Color(*(READY if self.ready else OUTLINE))
        head_h = (HEAD_BOTTOM - HEAD_TOP) * height
        head_w = HEAD_ASPECT * head_h
        Line(ellipse=(left + (width - head_w) / 2, top - HEAD_BOTTOM * height, head_w, head_h), width=3)
