"""dci.chart renders offline and a click on a bar reaches Python."""

from __future__ import annotations

import ast
from typing import Any

from tests.browser.harness import (
    LabServer,
    open_notebook,
    poll_kernel,
    run_all_cells,
    write_notebook,
)

SETUP = """
import jupyter_dci as dci
from jupyter_dci.charts import bar_chart, histogram_chart
bars = dci.chart(bar_chart(["IN", "FR", "<b>BR</b>"], [30, 20, 10]))
display(bars)
display(dci.chart(histogram_chart([0, 1, 2, 3], [5, 9, 2])))
"""


def test_charts_render_offline_and_selections_reach_python(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "chart.ipynb", [SETUP])
    open_notebook(page, lab, "chart.ipynb")
    run_all_cells(page)
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-chart svg .mark-rect path').length >= 6",
        timeout=30_000,
    )
    labels = (
        page.locator(".dci-chart")
        .first.locator(".role-axis-label text")
        .evaluate_all("els => els.map(e => e.textContent)")
    )
    assert "<b>BR</b>" in labels  # a category is text, never markup
    # Click the "FR" bar: the selection is synced to the kernel.
    page.locator(".dci-chart").first.locator(".mark-rect path").nth(1).click()
    got = poll_kernel(page, "print(bars.selection)", lambda out: out != "{}")
    selection = ast.literal_eval(got)
    assert selection["name"] == "select"
    assert "FR" in str(selection["value"])
    assert page.locator(".dci-chart-error").first.inner_text() == ""
