"""Image thumbnails for table cells: numpy arrays, PIL images and PNG/JPEG bytes.

Arrays are encoded with a small PNG writer of our own (zlib + CRC chunks, as the PNG
specification lays out), so showing image data needs neither Pillow nor matplotlib.
Pillow is used only when it is installed and a PIL image or a large encoded image has
to be shrunk.
"""

from __future__ import annotations

import base64
import io
import math
import struct
import zlib
from typing import Any

import numpy as np

__all__ = ["THUMBNAIL_SIDE", "encode_png", "image_kind", "thumbnail_data_url"]

#: Longest side, in pixels, of a thumbnail made from an array or a PIL image.
THUMBNAIL_SIDE = 64
#: Encoded images up to this size are shown as they are; larger ones are shrunk or named.
MAX_EMBED_BYTES = 64 * 1024
#: Arrays larger than this on a side are not treated as images (a cell holding a big matrix).
MAX_ARRAY_SIDE = 8192

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


def image_kind(value: Any) -> str | None:
    """Say whether a cell value can be shown as an image, and of what sort.

    Parameters
    ----------
    value : object
        A cell value.

    Returns
    -------
    str or None
        ``"array"`` (a 2-D array, or 3-D with 1, 3 or 4 channels), ``"png"``, ``"jpeg"``
        (encoded bytes), ``"pil"`` (a PIL image), or ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> image_kind(np.zeros((8, 8))), image_kind(b"text"), image_kind("x")
    ('array', None, None)
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.ndim not in (2, 3):
            return None
        h, w = value.shape[:2]
        if not (1 <= h <= MAX_ARRAY_SIDE and 1 <= w <= MAX_ARRAY_SIDE):
            return None
        if value.ndim == 3 and value.shape[2] not in (1, 3, 4):
            return None
        return "array"
    if isinstance(value, bytes | bytearray | memoryview):
        head = bytes(value[:8])
        if head.startswith(_PNG_MAGIC):
            return "png"
        if head.startswith(_JPEG_MAGIC):
            return "jpeg"
        return None
    # Checked by module name so that Pillow is never imported just to look at a cell.
    if type(value).__module__.startswith("PIL.") and hasattr(value, "thumbnail"):
        return "pil"
    return None


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale an array to 0-255: bools to black/white, floats in [0, 1] by 255, else min-max."""
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8) * 255
    data = arr.astype(np.float64)
    finite = np.isfinite(data)
    if not finite.any():
        return np.zeros(arr.shape, dtype=np.uint8)
    lo = float(data[finite].min())
    hi = float(data[finite].max())
    data = np.where(finite, data, lo)
    if arr.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
        scaled = data * 255.0
    elif hi > lo:
        scaled = (data - lo) * (255.0 / (hi - lo))
    else:
        scaled = np.zeros_like(data)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _chunk(tag: bytes, data: bytes) -> bytes:
    body = tag + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def encode_png(pixels: np.ndarray) -> bytes:
    r"""Encode an 8-bit grey, RGB or RGBA array as PNG bytes.

    Parameters
    ----------
    pixels : numpy.ndarray
        ``uint8`` of shape (height, width), (height, width, 1), (height, width, 3) or
        (height, width, 4).

    Returns
    -------
    bytes
        A complete PNG file.

    Examples
    --------
    >>> import numpy as np
    >>> encode_png(np.zeros((2, 3), dtype=np.uint8))[:8]
    b'\x89PNG\r\n\x1a\n'
    """
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
        raise ValueError(
            f"encode_png needs a 2-D or 3-D uint8 array; got {pixels.dtype} {pixels.shape}"
        )
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    h, w = pixels.shape[:2]
    # Each scanline starts with filter byte 0 ("none"); zlib does the compressing.
    rows = np.zeros((h, 1 + w * channels), dtype=np.uint8)
    rows[:, 1:] = np.ascontiguousarray(pixels).reshape(h, w * channels)
    header = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    return (
        _PNG_MAGIC
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6))
        + _chunk(b"IEND", b"")
    )


def _array_png(arr: np.ndarray) -> bytes:
    h, w = arr.shape[:2]
    step = max(1, math.ceil(max(h, w) / THUMBNAIL_SIDE))
    small = arr[::step, ::step]
    if small.ndim == 3 and small.shape[2] == 1:
        small = small[:, :, 0]
    return encode_png(_to_uint8(small))


def _pil_png(image: Any) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if small.mode not in ("L", "RGB", "RGBA"):
        small = small.convert("RGBA")
    buf = io.BytesIO()
    small.save(buf, format="PNG")
    return buf.getvalue()


def _shrink_encoded(data: bytes) -> bytes | None:
    """Shrink large encoded bytes with Pillow when it is installed; None when it is not."""
    try:
        from PIL import Image
    except ImportError:
        return None
    with Image.open(io.BytesIO(data)) as image:
        return _pil_png(image)


def thumbnail_data_url(value: Any, kind: str) -> tuple[str | None, str]:
    """Make a ``data:`` URL thumbnail of an image cell, and a text describing it.

    Parameters
    ----------
    value : object
        A value for which :func:`image_kind` returned ``kind``.
    kind : str
        What :func:`image_kind` said.

    Returns
    -------
    tuple of (str or None, str)
        The data URL (None when no preview can be made) and an alternative text such as
        ``"8x8 array (float64)"``.

    Examples
    --------
    >>> import numpy as np
    >>> url, alt = thumbnail_data_url(np.eye(4), "array")
    >>> url.startswith("data:image/png;base64,"), alt
    (True, '4x4 array (float64)')
    """
    if kind == "array":
        shape = "x".join(str(s) for s in value.shape)
        return _as_url(_array_png(value), "png"), f"{shape} array ({value.dtype})"
    if kind == "pil":
        alt = f"{value.width}x{value.height} {value.mode} image"
        return _as_url(_pil_png(value), "png"), alt
    data = bytes(value)
    alt = f"{kind.upper()} image, {_size(len(data))}"
    if len(data) <= MAX_EMBED_BYTES:
        return _as_url(data, kind), alt
    try:
        small = _shrink_encoded(data)
    except Exception:
        return None, alt + " (unreadable)"
    if small is None:
        return None, alt + " (install Pillow to preview large images)"
    return _as_url(small, "png"), alt


def _as_url(data: bytes, kind: str) -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"
