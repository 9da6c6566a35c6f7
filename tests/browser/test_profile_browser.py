"""The profile panel in a real JupyterLab: alerts and chart bars show their rows."""

from __future__ import annotations

from typing import Any

from tests.browser.harness import LabServer, open_notebook, run_all_cells, write_notebook

SETUP = """
import numpy as np, pandas as pd
import jupyter_dci as dci
rng = np.random.default_rng(0)
n = 3000
price = rng.lognormal(3, 0.5, size=n)
price[:5] *= 1e4
df = pd.DataFrame({
    "price": price,
    "city": rng.choice(["NY", "LA", "<img src=x onerror=window.__dci_xss=1>"], size=n),
    "when": pd.date_range("2024-01-01", periods=n, freq="h"),
})
prof = dci.profile(df)
prof
"""


def test_profile_panel_alerts_and_bars_show_rows(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "profile.ipynb", [SETUP])
    open_notebook(page, lab, "profile.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-profile .dci-tile", timeout=30_000)
    tiles = page.locator(".dci-tile-value").all_inner_texts()
    assert tiles[:2] == ["3,000", "3"]
    cards = page.locator(".dci-card .dci-card-name").all_inner_texts()
    assert cards == ["price", "city", "when"]
    # Charts draw offline as their cards come into view.
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-card-chart svg .mark-rect path').length > 10",
        timeout=30_000,
    )
    # A category that looks like HTML is text in the chart, and its handler never ran.
    labels = page.locator(".dci-card[data-column='city'] .role-axis-label text").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    # (an axis label is cut at its width limit, so only its start is compared)
    assert any(str(label).startswith("<img src=x") for label in labels), labels
    assert page.evaluate("() => window.__dci_xss") is None
    # Click the outliers alert: the table below shows those rows.
    page.locator(".dci-alert", has_text="price").filter(has_text="outliers").first.click()
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent === '5 of 3,000 rows'",
        timeout=15_000,
    )
    assert "outliers" in page.inner_text(".dci-table .dci-caption-text")
    assert "5 rows shown" in page.inner_text(".dci-profile-status")
    # Click a bar of the city chart: the table shows that city's rows.
    page.locator(".dci-card[data-column='city'] .mark-rect path").first.click()
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-caption-text').textContent.startsWith('city = ')",
        timeout=15_000,
    )
    # Poll for the city's count: the outliers' "5 of 3,000 rows" (still shown while the new
    # rows load) must not pass for it.
    page.wait_for_function(
        """() => {
            const m = document.querySelector('.dci-table .dci-status').textContent
                .match(/^([\\d,]+) of 3,000 rows$/);
            return m !== null && Number(m[1].replace(/,/g, '')) > 100;
        }""",
        timeout=15_000,
    )
    status = page.inner_text(".dci-table .dci-status")
    assert 800 < int(status.split(" ")[0].replace(",", "")) < 1200
    assert page.page_errors == []


PARQUET = """
import numpy as np, pandas as pd, tempfile, pathlib
import jupyter_dci as dci
rng = np.random.default_rng(0)
n = 3000
price = rng.lognormal(3, 0.5, size=n)
price[:5] *= 1e4
path = pathlib.Path(tempfile.mkdtemp()) / "sales.parquet"
pd.DataFrame({"price": price, "city": rng.choice(["NY", "LA"], size=n)}).to_parquet(path)
prof = dci.profile(str(path))
prof
"""


def test_a_parquet_file_profiled_in_duckdb_shows_its_panel(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "parquet.ipynb", [PARQUET])
    open_notebook(page, lab, "parquet.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-profile .dci-tile", timeout=30_000)
    tiles = page.locator(".dci-tile-value").all_inner_texts()
    assert tiles[:2] == ["3,000", "2"] and "kept in duckdb" in tiles
    assert page.locator(".dci-card .dci-card-name").all_inner_texts() == ["price", "city"]
    # The table below pages the file in DuckDB.
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status')?.textContent"
        " === '3,000 rows × 2 columns'",
        timeout=15_000,
    )
    # A click on the outliers alert filters it there: the filter box shows the alert as a
    # predicate, which the user may edit.
    page.locator(".dci-alert", has_text="price").filter(has_text="outliers").first.click()
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent"
        " === '5 of 3,000 rows match'",
        timeout=15_000,
    )
    assert "outliers" in page.inner_text(".dci-table .dci-caption-text")
    assert page.locator(".dci-table .dci-filter").input_value().startswith("(price < ")
    assert "5 rows shown" in page.inner_text(".dci-profile-status")
    # A chart's bar says, inline, what to do instead.
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-card-chart svg .mark-rect path').length > 5",
        timeout=30_000,
    )
    page.locator(".dci-card[data-column='city'] .mark-rect path").first.click()
    page.wait_for_function(
        "() => (document.querySelector('.dci-profile-error') || {}).textContent"
        "?.includes('Type a filter')",
        timeout=15_000,
    )
    assert page.page_errors == []


WIDE = """
import numpy as np, pandas as pd
import jupyter_dci as dci
rng = np.random.default_rng(0)
wide = pd.DataFrame(rng.normal(size=(50, 150)), columns=[f"c{i}" for i in range(150)])
wide["c149"] = 0.0
dci.profile(wide)
"""


def test_a_wide_frame_shows_its_strongest_cards_and_says_so(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "wide.ipynb", [WIDE])
    open_notebook(page, lab, "wide.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-profile .dci-tile", timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.dci-profile-note')].some(n => n.textContent"
        ".startsWith('Cards for 100 of 150 columns'))",
        timeout=15_000,
    )
    names = page.locator(".dci-card .dci-card-name").all_inner_texts()
    assert len(names) == 100 and "c149" in names  # the constant column, far right
    assert page.page_errors == []
