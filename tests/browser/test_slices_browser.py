"""The slices panel in a real JupyterLab: a click on a slice shows its rows."""

from __future__ import annotations

from typing import Any

from tests.browser.harness import (
    LabServer,
    kernel_eval,
    open_notebook,
    run_all_cells,
    write_notebook,
)

SETUP = """
import numpy as np, pandas as pd
import jupyter_dci as dci
rng = np.random.default_rng(0)
n = 6000
df = pd.DataFrame({"country": rng.choice(["IN", "FR", "BR"], n), "age": rng.integers(18, 70, n)})
wrong = (((df.country == "IN") & (df.age < 25)) & (rng.random(n) < 0.5)) | (rng.random(n) < 0.05)
df["label"] = np.where(rng.random(n) < 0.5, "yes", "no")
import tempfile
ds = dci.track(df, name="people", label="label", root=tempfile.mkdtemp())
panel = dci.slices(df, wrong.to_numpy(), by="country", dataset=ds)
panel
"""


def test_slices_panel_shows_a_slice_and_a_value(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "slices.ipynb", [SETUP])
    open_notebook(page, lab, "slices.ipynb")
    run_all_cells(page)
    row = page.wait_for_selector(".dci-slice-row", timeout=30_000)
    expression = page.inner_text(".dci-slice-row .dci-expr")
    assert expression.startswith("country == 'IN' and age <")
    row.click()
    page.wait_for_function(
        "(e) => document.querySelector('.dci-table .dci-caption-text').textContent === e",
        arg=expression,
        timeout=15_000,
    )
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent.endsWith('of 6,000 rows')",
        timeout=15_000,
    )
    # Pick one of the slice's rows in the table and relabel it: it lands in df, as a pending edit.
    first = page.locator(".dci-table tbody tr.dci-row[data-pos]").first
    pos = int(first.get_attribute("data-pos"))
    first.locator("td").nth(2).click()
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent.endsWith('1 selected')",
        timeout=10_000,
    )
    out = kernel_eval(
        page,
        "rows = panel.table.selected_rows\n"
        "old = df.loc[rows[0], 'label']\n"
        "ds.relabel(rows, 'no' if old == 'yes' else 'yes', reason='slice review')\n"
        "print(rows[0], old, df.loc[rows[0], 'label'], len(ds.pending()))",
    )
    row, old, new, pending = out.split()
    assert int(row) == pos
    assert old != new
    assert pending == "1"
    # A bar of the per-value chart shows that value's rows.
    page.wait_for_selector(
        ".dci-slices-chart[data-key='by:country'] .mark-rect path", timeout=30_000
    )
    page.locator(".dci-slices-chart[data-key='by:country'] .mark-rect path").first.click()
    page.wait_for_function(
        "(p) => { const t = document.querySelector('.dci-table .dci-caption-text').textContent;"
        " return t.startsWith(p) && !t.includes('age'); }",
        arg="country == '",
        timeout=15_000,
    )
    assert page.page_errors == []
