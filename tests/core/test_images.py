from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest

from jupyter_dci.core.table._images import (
    THUMBNAIL_SIDE,
    encode_png,
    image_kind,
    thumbnail_data_url,
)


def decode_png(data: bytes) -> tuple[int, int, int, bytes]:
    """A minimal reader of our own PNGs: width, height, colour type, raw scanlines."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(tag + body) & 0xFFFFFFFF
        if tag == b"IHDR":
            header = body
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, _depth, color = struct.unpack(">IIBB", header[:10])
    return w, h, color, zlib.decompress(idat)


@pytest.mark.parametrize(("shape", "color"), [((5, 7), 0), ((5, 7, 3), 2), ((5, 7, 4), 6)])
def test_encode_png_round_trip(shape: tuple[int, ...], color: int) -> None:
    pixels = np.random.default_rng(1).integers(0, 256, size=shape, dtype=np.uint8)
    w, h, got_color, raw = decode_png(encode_png(pixels))
    assert (w, h, got_color) == (7, 5, color)
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(5, -1)
    assert (rows[:, 0] == 0).all()
    assert np.array_equal(rows[:, 1:].reshape(shape), pixels)


def test_encode_png_rejects_other_arrays() -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((2, 2)))


def test_image_kinds() -> None:
    assert image_kind(np.zeros((8, 8))) == "array"
    assert image_kind(np.zeros((8, 8, 2))) is None
    assert image_kind(np.zeros(8)) is None
    assert image_kind(np.array([["a"]])) is None
    assert image_kind(np.zeros((100_000, 1))) is None
    assert image_kind(b"\x89PNG\r\n\x1a\nrest") == "png"
    assert image_kind(b"\xff\xd8\xff\xe0") == "jpeg"
    assert image_kind(b"plain") is None


def test_large_arrays_shrink_to_a_thumbnail() -> None:
    url, alt = thumbnail_data_url(np.zeros((640, 320)), "array")
    assert url is not None
    w, h, _, _ = decode_png(base64.b64decode(url.split(",", 1)[1]))
    assert max(w, h) <= THUMBNAIL_SIDE
    assert alt == "640x320 array (float64)"


def test_float_images_scale_and_nan_is_safe() -> None:
    arr = np.array([[0.0, 0.5], [1.0, np.nan]])
    url, _ = thumbnail_data_url(arr, "array")
    _, _, _, raw = decode_png(base64.b64decode(url.split(",", 1)[1]))
    pixels = np.frombuffer(raw, dtype=np.uint8).reshape(2, 3)[:, 1:]
    assert pixels.tolist() == [[0, 128], [255, 0]]


def test_pil_images_and_large_encoded_bytes() -> None:
    from PIL import Image as pil  # noqa: N813 - lower-case, like a module

    image = pil.new("RGB", (300, 200), (200, 10, 10))
    url, alt = thumbnail_data_url(image, "pil")
    assert url.startswith("data:image/png;base64,") and alt == "300x200 RGB image"
    buf = io.BytesIO()
    pil.effect_noise((600, 600), 90).save(buf, format="PNG")
    big = buf.getvalue()
    assert len(big) > 64 * 1024
    url, alt = thumbnail_data_url(big, "png")
    assert url is not None and len(url) < 40_000
    assert alt.startswith("PNG image,")
