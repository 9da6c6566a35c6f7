from __future__ import annotations

import re

import numpy as np
import pandas as pd

from benchmarks.frames import make_mixed_frame
from jupyter_dci.core.profile import profile
from jupyter_dci.core.profile._html import render_html

XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('x')</script>"


def _xss_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            XSS: [XSS, SCRIPT, "ok", "ok"] * 25,
            SCRIPT: np.arange(100.0),
            "when": pd.date_range("2024-01-01", periods=100, freq="D"),
        }
    )


def test_values_and_column_names_are_escaped(tmp_path):
    out = tmp_path / "r.html"
    profile(_xss_frame()).to_html(out, title=SCRIPT)
    page = out.read_text(encoding="utf-8")
    assert "<img" not in page
    assert "<script" not in page.lower()
    assert "onerror=alert(1)&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_report_is_self_contained_and_offline():
    page = render_html(profile(make_mixed_frame(2_000)))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    # Nothing is fetched: no external URL in any src/href, no @import, no url().
    assert not re.search(r"(src|href)\s*=", page)
    for needle in ("http://", "https://", "@import", "url("):
        assert needle not in page
    assert "default-src 'none'" in page  # a CSP so that nothing could load or run anyway
    assert page.count("<svg") >= 20


def test_report_shows_overview_alerts_and_every_column():
    df = make_mixed_frame(3_000)
    prof = profile(df)
    page = render_html(prof)
    for name in df.columns:
        assert f"<h3>{name}</h3>" in page
    assert "Duplicate rows" in page
    assert f"Alerts ({len(prof.alerts)})" in page


def test_sampling_is_said_in_the_report():
    df = pd.DataFrame({"x": np.arange(5_000.0)})
    assert "Sampled: every count was measured on 500" in render_html(profile(df, sample=500))
    assert "Sampled" not in render_html(profile(df))


def test_report_of_a_million_rows_stays_small(tmp_path):
    # The report holds aggregates only: its size does not grow with rows. 1M rows would take
    # seconds to build, so check that 10x the rows changes the size by a few bytes at most.
    small = len(render_html(profile(make_mixed_frame(2_000))).encode())
    large = len(render_html(profile(make_mixed_frame(20_000))).encode())
    assert large < 200_000
    assert abs(large - small) < 5_000
