"""A QR code on screen, for a citizen to photograph when the receipt did not print.

Drawn from the code's modules as a tiny texture scaled up without smoothing, so it stays sharp
at any size and costs nothing to make.
"""

from __future__ import annotations

import qrcode
from kivy.graphics.texture import Texture
from kivy.properties import StringProperty
from kivy.uix.image import Image

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


def modules(data: str) -> tuple[int, bytes]:
    """The QR code of `data` (error correction M, as on the receipt): side and one byte per module,
    rows from the top, 0 black and 255 white."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(data.encode("utf-8"))
    code.make(fit=True)
    matrix = code.get_matrix()
    return len(matrix), bytes(0 if dark else 255 for row in matrix for dark in row)


class QrPicture(Image):
    data = StringProperty("")

    def on_data(self, _picture: QrPicture, data: str) -> None:
        if not data:
            self.texture = None
            return
        side, pixels = modules(data)
        texture = Texture.create(size=(side, side), colorfmt="luminance")
        texture.mag_filter = "nearest"  # sharp module edges, not a blur
        texture.blit_buffer(pixels, colorfmt="luminance", bufferfmt="ubyte")
        texture.flip_vertical()  # rows start at the top, OpenGL's at the bottom
        self.texture = texture
