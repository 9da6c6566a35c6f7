"""jupyter_dci's settings in JupyterLab's Settings Editor, changed there, followed by the views.

On a server of this module's own: the settings are saved as the user's, and the other tests
must see the defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import (
    LabServer,
    lab_server,
    open_notebook,
    poll_kernel,
    run_all_cells,
    run_cell,
    write_notebook,
)

CELLS = [
    "import numpy as np, pandas as pd\nimport jupyter_dci as dci\n"
    "from jupyter_dci.charts import bar_chart\n"
    "df = pd.DataFrame({'a': np.arange(200), 'b': np.arange(200) % 3})",
    "dci.table(df)",
    "dci.table(df, height=300)",
    "dci.chart(bar_chart(['x', 'y'], [3, 1]))",
    "df",
]
FIELD = "[id='jp-SettingsEditor-jupyter-dci:plugin_{}']"
LOADED = "print('jupyter_dci' in get_ipython().extension_manager.loaded)"


@pytest.fixture(scope="module")
def own_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with lab_server(tmp_path_factory.mktemp("settings_lab")) as server:
        yield server


def published(page: Any, key: str, value: Any) -> None:
    """Wait until the extension has published ``key`` = ``value`` to the views."""
    page.wait_for_function(
        "([k, v]) => (window.__jupyterDciSettings || {})[k] === v", arg=[key, value], timeout=15_000
    )


def scroller_heights(page: Any) -> list[int]:
    return page.eval_on_selector_all(
        ".dci-table .dci-scroll", "els => els.map(e => e.offsetHeight)"
    )


def chart_is_dark(page: Any, dark: bool) -> None:
    page.wait_for_function(
        """(dark) => { const s = document.querySelector('.dci-chart-view svg.marks');
          const m = s && getComputedStyle(s).backgroundColor.match(/\\d+/g);
          if (!m) return false;
          const l = (Number(m[0]) + Number(m[1]) + Number(m[2])) / 765;
          return dark ? l < 0.2 : l > 0.8; }""",
        arg=dark,
        timeout=15_000,
    )


def show_notebook(page: Any) -> None:
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="settings.ipynb").click()
    page.wait_for_selector(".dci-chart-view svg.marks", state="visible", timeout=10_000)


def test_settings_show_in_the_editor_and_take_effect(page: Any, own_lab: LabServer) -> None:
    write_notebook(own_lab.root / "settings.ipynb", CELLS)
    open_notebook(page, own_lab, "settings.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-chart-view svg.marks", timeout=30_000)
    published(page, "chartTheme", "jupyterlab")
    # The defaults: the heights the code says, the chart in the (light) theme, no button.
    assert scroller_heights(page) == [420, 300]
    chart_is_dark(page, False)
    assert page.locator(".dci-inspect-open").count() == 0

    # The Settings Editor lists jupyter_dci with its three settings, titled and described.
    page.evaluate(
        "() => window.jupyterapp.commands.execute('settingeditor:open', {query: 'jupyter_dci'})"
    )
    page.locator(".jp-PluginList-entry", has_text="jupyter_dci").click()
    form = page.locator(".jp-SettingsPanel")
    for title in ("Rows per page", "Inspect button under DataFrames", "Chart theme"):
        form.get_by_text(title, exact=True).wait_for(timeout=15_000)
    assert page.locator(FIELD.format("rowsPerPage")).input_value() == "0"

    # Changed there: saved, published to the views, followed at once.
    page.locator(FIELD.format("rowsPerPage")).fill("5")
    published(page, "rowsPerPage", 5)
    page.locator(FIELD.format("chartTheme")).select_option("dark")
    published(page, "chartTheme", "dark")
    page.locator(FIELD.format("inspectButton")).check()

    show_notebook(page)
    # Five rows (28 px each) under the 40 px header; a table given a height keeps it.
    assert scroller_heights(page) == [40 + 5 * 28, 300]
    assert page.locator(".dci-table").first.locator("tbody tr").count() == 6  # 5 + the next
    chart_is_dark(page, True)  # a dark chart in the light theme, as set
    # The Inspect button under a DataFrame shown, without %load_ext.
    poll_kernel(page, LOADED, lambda out: out == "True", timeout=15)
    run_cell(page, 4)
    page.wait_for_selector(".dci-inspect-open", timeout=15_000)

    # Back to the defaults: the views follow, the extension is unloaded from the kernel.
    page.evaluate(
        "() => window.jupyterapp.commands.execute('settingeditor:open', {query: 'jupyter_dci'})"
    )
    page.locator(FIELD.format("inspectButton")).uncheck()
    page.locator(FIELD.format("chartTheme")).select_option("jupyterlab")
    page.locator(FIELD.format("rowsPerPage")).fill("0")
    published(page, "rowsPerPage", None)
    published(page, "chartTheme", "jupyterlab")
    show_notebook(page)
    poll_kernel(page, LOADED, lambda out: out == "False", timeout=15)
    chart_is_dark(page, False)
    assert scroller_heights(page) == [420, 300]
    assert page.page_errors == []
