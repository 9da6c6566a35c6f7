"""Tiny inline SVG charts built from pre-aggregated counts (no JavaScript, no network).

Every text that reaches the markup goes through :func:`esc`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

__all__ = ["bars_svg", "esc", "histogram_svg"]

_WIDTH = 320
_HEIGHT = 90
_COLOR = "#4c78a8"
_OUT_COLOR = "#e45756"


def esc(value: Any) -> str:
    """Escape any value for HTML text or an attribute (quotes included).

    Examples
    --------
    >>> esc("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    """
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def histogram_svg(
    edges: Sequence[Any],
    counts: Sequence[int],
    *,
    n_below: int = 0,
    n_above: int = 0,
    scale: str = "linear",
) -> str:
    """Draw a histogram as an inline SVG; outliers beyond the edges are drawn as red end bars.

    Examples
    --------
    >>> histogram_svg([0.0, 1.0, 2.0], [3, 1]).startswith("<svg")
    True
    """
    bars = list(counts)
    labels = [f"[{_num(edges[i])}, {_num(edges[i + 1])}): {c:,}" for i, c in enumerate(bars)]
    colors = [_COLOR] * len(bars)
    if n_below:
        bars.insert(0, n_below)
        labels.insert(0, f"below {_num(edges[0])}: {n_below:,}")
        colors.insert(0, _OUT_COLOR)
    if n_above:
        bars.append(n_above)
        labels.append(f"above {_num(edges[-1])}: {n_above:,}")
        colors.append(_OUT_COLOR)
    top = max(bars, default=0) or 1
    width = _WIDTH / max(len(bars), 1)
    rects = []
    for i, (count, label, color) in enumerate(zip(bars, labels, colors, strict=True)):
        h = 0 if count == 0 else max(1.0, (_HEIGHT - 14) * count / top)
        rects.append(
            f'<rect x="{i * width:.1f}" y="{_HEIGHT - 14 - h:.1f}" width="{max(width - 1, 1):.1f}"'
            f' height="{h:.1f}" fill="{color}"><title>{esc(label)}</title></rect>'
        )
    left, right = esc(_num(edges[0])), esc(_num(edges[-1]))
    note = (
        f'<text x="{_WIDTH / 2}" y="{_HEIGHT - 2}" font-size="10" text-anchor="middle">'
        "log scale</text>"
        if scale == "log"
        else ""
    )
    return (
        f'<svg class="chart" width="{_WIDTH}" height="{_HEIGHT}" viewBox="0 0 {_WIDTH} {_HEIGHT}"'
        f' role="img">{"".join(rects)}'
        f'<text x="0" y="{_HEIGHT - 2}" font-size="10">{left}</text>'
        f'<text x="{_WIDTH}" y="{_HEIGHT - 2}" font-size="10" text-anchor="end">{right}</text>'
        f"{note}</svg>"
    )


def bars_svg(values: Sequence[Any], counts: Sequence[int], *, n_other: int = 0) -> str:
    """Horizontal bars of the top values (and "other"), labels escaped and shortened.

    Examples
    --------
    >>> "&lt;b&gt;" in bars_svg(["<b>"], [2])
    True
    """
    items = [(str(v), int(c)) for v, c in zip(values, counts, strict=True)]
    if n_other:
        items.append(("(other values)", n_other))
    top = max((c for _, c in items), default=0) or 1
    row = 16
    height = row * len(items) + 2
    parts = []
    for i, (label, count) in enumerate(items):
        short = label if len(label) <= 28 else label[:27] + "…"
        w = max(1.0, 150 * count / top)
        y = i * row
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="11">{esc(short)}</text>'
            f'<rect x="170" y="{y + 2}" width="{w:.1f}" height="{row - 4}" fill="{_COLOR}">'
            f"<title>{esc(label)}: {count:,}</title></rect>"
            f'<text x="{174 + w:.1f}" y="{y + 12}" font-size="10">{count:,}</text>'
        )
    return (
        f'<svg class="chart" width="{_WIDTH + 60}" height="{height}" role="img"'
        f">{''.join(parts)}</svg>"
    )
