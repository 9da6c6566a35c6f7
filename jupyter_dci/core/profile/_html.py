"""Render a :class:`~jupyter_dci.core.profile.DataFrameProfile` as one self-contained HTML page.

The page holds inline CSS and inline SVG only: no script at all, no font, no stylesheet or image
from anywhere, so it renders with the network unplugged and cannot run code from the data. Every
string from the data (values, column names, messages) is escaped through :func:`esc`. Its size
grows with the number of columns, not rows: the profile holds only aggregates.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_dci.core.profile._display import shown_alerts, shown_columns
from jupyter_dci.core.profile._svg import bars_svg, esc, histogram_svg

if TYPE_CHECKING:
    from jupyter_dci.core.profile import ColumnProfile, DataFrameProfile

__all__ = ["render_html", "write_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;
background:#f6f7f9}
header{background:#1f2937;color:#fff;padding:16px 24px}
header h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px}
section{margin-bottom:24px}
h2{font-size:16px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px}
td,th{padding:3px 8px;text-align:left;border-bottom:1px solid #eee;vertical-align:top}
.overview td:first-child{color:#555}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 12px;width:400px;
overflow:hidden}
.card h3{margin:0 0 4px;font-size:14px;word-break:break-all}
.kind{display:inline-block;font-size:11px;padding:1px 6px;border-radius:8px;background:#e5e7eb;
margin-right:4px}
.sev{font-size:11px;font-weight:600;padding:1px 6px;border-radius:8px;color:#fff}
.sev-critical{background:#b91c1c}.sev-warning{background:#d97706}.sev-info{background:#2563eb}
.muted{color:#666;font-size:12px}
.alerts td{font-size:13px}
.chart{display:block;margin:6px 0}
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,.1f} {unit}" if unit != "B" else f"{int(size)} B"
        size /= 1024
    return f"{n} B"  # pragma: no cover


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><td>{esc(k)}</td><td>{esc(_fmt(v))}</td></tr>" for k, v in pairs)


def _overview(prof: DataFrameProfile) -> str:
    sev = Counter(a.severity for a in prof.alerts)
    pairs: list[tuple[str, Any]] = [
        ("Rows", prof.n_rows),
        ("Columns", prof.n_columns),
        ("Duplicate rows", prof.n_duplicate_rows),
        ("Memory", _bytes(prof.memory)),
        ("Alerts", f"{sev['critical']} critical, {sev['warning']} warnings, {sev['info']} info"),
        ("Profiled in", f"{prof.seconds:.2f} s"),
    ]
    if prof.label is not None:
        pairs.append(("Label", prof.label))
    note = ""
    if prof.sampled:
        note = (
            f'<p class="muted">Sampled: every count was measured on {prof.n_rows_profiled:,} '
            f"randomly drawn rows out of {prof.n_rows:,}.</p>"
        )
    if prof.association_rows and prof.association_rows < prof.n_rows_profiled:
        note += (
            f'<p class="muted">Associations were measured on {prof.association_rows:,} randomly '
            "drawn rows.</p>"
        )
    return (
        f'<section><h2>Overview</h2><table class="overview">{_rows(pairs)}</table>{note}</section>'
    )


def _alerts(prof: DataFrameProfile) -> str:
    if not prof.alerts:
        return "<section><h2>Alerts</h2><p>No alerts.</p></section>"
    listed, note = shown_alerts(prof)
    rows = "".join(
        f'<tr><td><span class="sev sev-{esc(a.severity)}">{esc(a.severity)}</span></td>'
        f"<td>{esc(a.kind)}</td><td>{esc(a.column if a.column is not None else '')}</td>"
        f"<td>{esc(f'{a.n_rows:,}' if a.n_rows else '')}</td><td>{esc(a.message)}</td></tr>"
        for a in listed
    )
    head = "<tr><th>Severity</th><th>Kind</th><th>Column</th><th>Rows</th><th>Message</th></tr>"
    more = f'<p class="muted">{esc(note)}</p>' if note else ""
    return (
        f'<section><h2>Alerts ({len(prof.alerts)})</h2>{more}<table class="alerts">{head}{rows}'
        "</table></section>"
    )


def _column_card(col: ColumnProfile) -> str:
    pairs: list[tuple[str, Any]] = [
        ("Missing", f"{col.n_missing:,} ({100 * col.missing_fraction:.1f}%)"),
        ("Distinct", col.n_distinct),
        ("Memory", _bytes(col.memory)),
    ]
    chart = ""
    if col.numeric is not None:
        num = col.numeric
        unit = f" {num.unit}" if num.unit else ""
        pairs += [
            ("Min / max", f"{_fmt(num.min)} / {_fmt(num.max)}{unit}"),
            ("Mean ± std", f"{_fmt(num.mean)} ± {_fmt(num.std)}"),
            ("Quartiles", " / ".join(_fmt(num.quantiles.get(q)) for q in ("0.25", "0.5", "0.75"))),
            ("Zeros / negatives / inf", f"{num.n_zeros:,} / {num.n_negative:,} / {num.n_inf:,}"),
        ]
        if num.histogram is not None:
            h = num.histogram
            chart = histogram_svg(
                h.edges, h.counts, n_below=h.n_below, n_above=h.n_above, scale=h.scale
            )
    if col.datetime is not None:
        dt = col.datetime
        pairs += [("From", dt.min), ("To", dt.max)]
        if dt.timezone:
            pairs.append(("Time zone", dt.timezone))
        if dt.histogram is not None:
            chart = histogram_svg(dt.histogram.edges, dt.histogram.counts)
    if col.text is not None:
        t = col.text
        pairs.append(
            ("Length min / median / max", f"{t.min_length} / {t.median_length:g} / {t.max_length}")
        )
    if col.types:
        pairs.append(("Types", ", ".join(f"{k}: {v:,}" for k, v in col.types.items())))
    if col.top is not None and not chart:
        top = col.top
        chart = bars_svg(top.values, top.counts, n_other=top.n_other_rows)
    return (
        f'<div class="card"><h3>{esc(col.name)}</h3>'
        f'<span class="kind">{esc(col.kind)}</span><span class="muted">{esc(col.dtype)}</span>'
        f"{chart}<table>{_rows(pairs)}</table></div>"
    )


def _associations(prof: DataFrameProfile) -> str:
    strongest = sorted(prof.associations, key=lambda a: -a.value)[:20]
    if not strongest:
        return ""
    rows = "".join(
        f"<tr><td>{esc(a.columns[0])}</td><td>{esc(a.columns[1])}</td><td>{esc(a.method)}</td>"
        f"<td>{a.value:.2f}</td></tr>"
        for a in strongest
    )
    head = "<tr><th>Column</th><th>Column</th><th>Measure</th><th>Value</th></tr>"
    return f"<section><h2>Strongest associations</h2><table>{head}{rows}</table></section>"


def render_html(prof: DataFrameProfile, *, title: str | None = None) -> str:
    """Render the profile as one self-contained HTML document (a string).

    Parameters
    ----------
    prof : DataFrameProfile
        The profile to render.
    title : str, optional
        The page title; "Data profile" by default.

    Returns
    -------
    str
        The HTML document: inline CSS and SVG, no JavaScript.

    Examples
    --------
    >>> import pandas as pd
    >>> from jupyter_dci.core.profile import profile
    >>> page = render_html(profile(pd.DataFrame({"<b>": ["<script>"]})))
    >>> "<script>" in page, "&lt;script&gt;" in page
    (False, True)
    """
    title = title or "Data profile"
    shown, note = shown_columns(prof)
    cards = "".join(_column_card(c) for c in shown)
    more = f'<p class="muted">{esc(note)}</p>' if note else ""
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # No script may run and nothing may load from the network, whatever the data holds.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{esc(title)}</h1><div class="muted" style="color:#cbd5e1">'
        f"jupyter_dci profile · {esc(stamp)}</div></header><main>"
        f"{_overview(prof)}{_alerts(prof)}"
        f'<section><h2>Columns</h2>{more}<div class="cards">{cards}</div></section>'
        f"{_associations(prof)}</main></body></html>\n"
    )


def write_html(
    prof: DataFrameProfile, path: str | os.PathLike[str], *, title: str | None = None
) -> None:
    """Write :func:`render_html` of the profile to ``path`` (UTF-8, overwritten).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> from jupyter_dci.core.profile import profile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = pathlib.Path(tmp) / "p.html"
    ...     write_html(profile(pd.DataFrame({"a": [1]})), out)
    ...     out.stat().st_size > 0
    True
    """
    Path(path).write_text(render_html(prof, title=title), encoding="utf-8")
