"""Every frame reaches the kiosk as BGR uint8 (h, w, 3), whatever the source gave."""

import numpy as np
import pytest

from hardware.camera.bgr import to_bgr


def test_bgr_passes_through_untouched():
    image = np.zeros((4, 5, 3), dtype=np.uint8)
    assert to_bgr(image) is image


@pytest.mark.parametrize("shape", [(4, 5), (4, 5, 1)])
def test_grey_becomes_three_equal_channels(shape):
    image = np.full(shape, 77, dtype=np.uint8)
    result = to_bgr(image)
    assert result.shape == (4, 5, 3) and result.dtype == np.uint8
    assert (result == 77).all()


def test_bgra_loses_its_alpha():
    image = np.zeros((4, 5, 4), dtype=np.uint8)
    image[...] = (10, 20, 30, 0)
    result = to_bgr(image)
    assert result.shape == (4, 5, 3)
    assert tuple(result[0, 0]) == (10, 20, 30)


def test_sixteen_bit_keeps_the_high_byte():
    image = np.full((4, 5), 0xAB12, dtype=np.uint16)
    result = to_bgr(image)
    assert result.dtype == np.uint8 and (result == 0xAB).all()


@pytest.mark.parametrize(
    "image",
    [np.zeros((4, 5, 2), np.uint8), np.zeros((4,), np.uint8), np.zeros((4, 5, 3), np.float32)],
)
def test_other_layouts_are_refused_with_the_reason(image):
    with pytest.raises(ValueError, match="unsupported frame"):
        to_bgr(image)
