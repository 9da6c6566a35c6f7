"""dci.table in a real JupyterLab and Notebook 7, clicked and typed at as a person would."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.browser.harness import (
    LabServer,
    kernel_eval,
    open_notebook,
    run_all_cells,
    write_notebook,
)

N = 5000
XSS = "<img src=x onerror=window.__dci_xss=1>"

SETUP = f"""
import numpy as np, pandas as pd
import jupyter_dci as dci
rng = np.random.default_rng(0)
df = pd.DataFrame({{
    "value": rng.normal(size={N}).round(4),
    "country": rng.choice(["IN", "FR", "BR"], size={N}),
    "note": ["{XSS}" if i == 0 else ("x" * 400 if i == 1 else f"row {{i}}") for i in range({N})],
}}, index=pd.Index([f"r{{i}}" for i in range({N})], name="rid"))
df.loc["r2", "value"] = np.nan
df["{XSS}"] = 1
view = dci.table(df, height=400)
view
"""


def expected_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "value": rng.normal(size=N).round(4),
            "country": rng.choice(["IN", "FR", "BR"], size=N),
        },
        index=pd.Index([f"r{i}" for i in range(N)], name="rid"),
    )
    df.loc["r2", "value"] = np.nan
    return df


@pytest.fixture
def table_page(page: Any, lab: LabServer, request: pytest.FixtureRequest) -> Any:
    name = f"{request.node.name}.ipynb".replace("[", "_").replace("]", "_")
    write_notebook(lab.root / name, [SETUP])
    open_notebook(page, lab, name)
    run_all_cells(page)
    page.wait_for_selector(".dci-table .dci-row[data-pos]", timeout=30_000)
    return page


def first_positions(page: Any, n: int = 3) -> list[int]:
    return page.eval_on_selector_all(
        ".dci-table tbody tr.dci-row[data-pos]",
        f"rows => rows.slice(0, {n}).map(r => Number(r.dataset.pos))",
    )


def status(page: Any) -> str:
    return page.inner_text(".dci-table .dci-status")


def test_renders_header_rows_and_escapes_html(table_page: Any) -> None:
    page = table_page
    heads = page.eval_on_selector_all(
        ".dci-col-head .dci-colname", "els => els.map(e => e.textContent)"
    )
    assert heads[:3] == ["value", "country", "note"]
    assert heads[3] == XSS  # an HTML column name shows as its characters
    dtypes = page.eval_on_selector_all(
        ".dci-col-head .dci-dtype", "els => els.map(e => e.textContent)"
    )
    assert dtypes[0] == "float64"
    assert page.inner_text(".dci-index-head .dci-colname").strip() == "rid"
    assert status(page) == f"{N:,} rows × 4 columns"
    # The XSS value is text: the cell holds no element, and its handler never ran.
    note = page.locator(".dci-table tbody tr[data-pos='0'] td").nth(4)
    assert note.inner_text() == XSS
    assert note.evaluate("td => td.children.length") == 0
    assert page.evaluate("() => window.__dci_xss") is None
    # NaN is shown distinctly; a long string is truncated with the full value on hover.
    nan_cell = page.locator(".dci-table tbody tr[data-pos='2'] td").nth(2)
    assert nan_cell.inner_text() == "NaN"
    assert "dci-na" in nan_cell.get_attribute("class")
    long_cell = page.locator(".dci-table tbody tr[data-pos='1'] td").nth(4)
    assert len(long_cell.get_attribute("title")) == 400
    assert page.page_errors == []


def test_virtual_scroll_reaches_the_last_row(table_page: Any) -> None:
    page = table_page
    rendered = page.eval_on_selector_all(".dci-table tbody tr", "rows => rows.length")
    assert rendered < 40  # only the rows on screen exist in the DOM
    page.eval_on_selector(".dci-scroll", "el => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.dci-table tbody tr[data-pos]')]"
        f".some(r => r.dataset.pos === '{N - 1}')",
        timeout=10_000,
    )
    last = page.locator(f".dci-table tbody tr[data-pos='{N - 1}'] td").first.inner_text()
    assert last == f"{N:,}"


def test_sort_by_clicking_a_header(table_page: Any) -> None:
    page = table_page
    df = expected_frame()
    page.click(".dci-col-head[data-col='0']")
    asc = df.reset_index(drop=True)["value"].sort_values(kind="stable", na_position="last")
    want = asc.index[:3].tolist()
    page.wait_for_function(
        f"() => {{ const r = [...document.querySelectorAll('.dci-table tbody tr[data-pos]')]; "
        f"return r.length > 2 && r.slice(0, 3).map(x => Number(x.dataset.pos)).join() === '{','.join(map(str, want))}'; }}",
        timeout=10_000,
    )
    assert page.inner_text(".dci-col-head[data-col='0'] .dci-sort").strip() == "▲"
    page.click(".dci-col-head[data-col='0']")
    desc = df.reset_index(drop=True)["value"].sort_values(
        ascending=False, kind="stable", na_position="last"
    )
    want = desc.index[:3].tolist()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.dci-table tbody tr[data-pos]')].slice(0, 3)"
        f".map(x => Number(x.dataset.pos)).join() === '{','.join(map(str, want))}'",
        timeout=10_000,
    )
    # The kernel knows the sort the view shows.
    assert kernel_eval(page, "print(view.sort)").strip() == "('value', False)"


def test_filter_on_the_kernel_and_errors_inline(table_page: Any) -> None:
    page = table_page
    df = expected_frame()
    want = int(((df["value"] > 0.5) & (df["country"] == "IN")).sum())
    page.fill(".dci-filter", "value > 0.5 and country == 'IN'")
    page.press(".dci-filter", "Enter")
    page.wait_for_function(
        f"() => document.querySelector('.dci-table .dci-status').textContent.startsWith('{want:,} of')",
        timeout=10_000,
    )
    assert kernel_eval(page, "print(view.filter)").strip() == "value > 0.5 and country == 'IN'"
    page.fill(".dci-filter", "valu > 1")
    page.press(".dci-filter", "Enter")
    error = page.wait_for_selector(".dci-table .dci-error:not([hidden])", timeout=10_000)
    assert "valu" in error.inner_text()
    assert "value" in error.inner_text()  # the message suggests the right column


def test_selection_reaches_python(table_page: Any) -> None:
    page = table_page
    page.click(".dci-table tbody tr[data-pos='1'] td:nth-child(3)")
    page.click(".dci-table tbody tr[data-pos='3'] td:nth-child(3)", modifiers=["Shift"])
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent.endsWith('3 selected')",
        timeout=10_000,
    )
    assert ast.literal_eval(kernel_eval(page, "print(view.selected_rows)").strip()) == [
        "r1",
        "r2",
        "r3",
    ]
    page.click(".dci-table tbody tr[data-pos='5'] td:nth-child(3)", modifiers=["Control"])
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent.endsWith('4 selected')",
        timeout=10_000,
    )
    assert ast.literal_eval(kernel_eval(page, "print(view.selected_rows)").strip()) == [
        "r1",
        "r2",
        "r3",
        "r5",
    ]
    # Python selects: the view follows.
    kernel_eval(page, "view.selected_rows = ['r0']")
    page.wait_for_selector(".dci-table tbody tr[data-pos='0'].dci-selected", timeout=10_000)
    assert page.locator(".dci-table tbody tr.dci-selected").count() == 1


def test_keyboard_drives_the_table_not_the_notebook(table_page: Any) -> None:
    page = table_page
    active_before = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    )
    page.click(".dci-table tbody tr[data-pos='0'] td:nth-child(3)")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent.endsWith('2 selected')",
        timeout=10_000,
    )
    assert ast.literal_eval(kernel_eval(page, "print(view.selected_rows)").strip()) == ["r0", "r3"]
    # The notebook did not move its active cell nor enter edit mode on those keys.
    assert (
        page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex")
        == active_before
    )
    assert page.evaluate("() => window.jupyterapp.shell.currentWidget.content.mode") == "command"
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => !document.querySelector('.dci-table .dci-status').textContent.includes('selected')",
        timeout=10_000,
    )
    # PageDown moves a screen of rows and keeps the cursor in view.
    page.keyboard.press("PageDown")
    page.keyboard.press("PageDown")
    page.wait_for_selector(".dci-table td.dci-cursor", timeout=10_000)
    row = page.eval_on_selector(
        ".dci-table td.dci-cursor", "td => Number(td.parentElement.dataset.row)"
    )
    assert row > 15


def test_command_inserts_and_runs_a_table_cell(table_page: Any) -> None:
    page = table_page
    assert page.locator(".dci-table").count() == 1
    page.evaluate(
        "() => window.jupyterapp.commands.execute('jupyter-dci:show-table', { name: 'df' })"
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-table').length === 2", timeout=30_000
    )
    source = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.getSource()"
    )
    assert source == "import jupyter_dci as dci\ndci.table(df)"
    # Text that is not a variable name never becomes code.
    # Not awaited: the command's promise settles only when the dialog is closed.
    page.evaluate(
        "() => { void window.jupyterapp.commands.execute('jupyter-dci:show-table', { name: 'df); import os' }); }"
    )
    dialog = page.wait_for_selector(".jp-Dialog", timeout=10_000)
    assert "Not a variable name" in dialog.inner_text()
    assert page.locator(".dci-table").count() == 2


def test_notebook7_renders_the_table(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "nb7.ipynb", [SETUP])
    open_notebook(page, lab, "nb7.ipynb", app="notebook")
    run_all_cells(page)
    page.wait_for_selector(".dci-table .dci-row[data-pos]", timeout=30_000)
    assert status(page) == f"{N:,} rows × 4 columns"
    page.click(".dci-col-head[data-col='1']")
    page.wait_for_selector(".dci-col-head[data-col='1'][aria-sort='ascending']", timeout=10_000)
    assert kernel_eval(page, "print(view.sort)").strip() == "('country', True)"


BIG_AND_IMAGES = """
import numpy as np, pandas as pd
import jupyter_dci as dci
big = pd.DataFrame({"x": np.arange(2_000_000)})
big_view = dci.table(big, height=300)
images = pd.DataFrame({
    "gray": [np.arange(64, dtype=float).reshape(8, 8)] * 3,
    "rgb": [np.full((40, 30, 3), 200, dtype=np.uint8)] * 3,
})
display(big_view)
display(dci.table(images, height=300))
"""


def test_millions_of_rows_scroll_and_images_decode(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "big.ipynb", [BIG_AND_IMAGES])
    open_notebook(page, lab, "big.ipynb")
    run_all_cells(page)
    page.wait_for_function("() => document.querySelectorAll('.dci-table').length === 2")
    big = page.locator(".dci-table").nth(0)
    big.locator(".dci-row[data-pos]").first.wait_for()
    # 2M rows x 28 px is past what a browser can lay out: the scrollbar is scaled, and its
    # ends and middle still map onto the first, last and middle rows.
    big.locator(".dci-scroll").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_function(
        "() => !!document.querySelector(\".dci-table tr[data-pos='1999999']\")", timeout=10_000
    )
    cells = big.locator("tr[data-pos='1999999'] td")
    assert cells.nth(0).inner_text() == "2,000,000"
    assert cells.nth(2).inner_text() == "1999999"
    big.locator(".dci-scroll").evaluate(
        "el => { el.scrollTop = (el.scrollHeight - el.clientHeight) / 2; }"
    )
    page.wait_for_function(
        "() => { const r = document.querySelector('.dci-table tbody tr.dci-row[data-pos]');"
        " return r && Math.abs(Number(r.dataset.pos) - 1000000) < 20; }",
        timeout=10_000,
    )
    # Thumbnails made by our own PNG encoder decode in the browser.
    thumbs = page.locator(".dci-table").nth(1).locator("img.dci-thumb")
    thumbs.first.wait_for()
    assert thumbs.count() == 6
    sizes = thumbs.evaluate_all(
        "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.naturalHeight])"
    )
    assert sizes[0] == [True, 8, 8]
    assert sizes[1] == [True, 30, 40]
    assert page.page_errors == []


def test_python_restricts_the_rows_shown_and_the_user_shows_all(table_page: Any) -> None:
    page = table_page
    df = expected_frame()
    n_big = int((df["value"] > 1).sum())
    kernel_eval(page, "view.show_rows(df['value'] > 1, caption='values above 1')")
    page.wait_for_function(
        f"() => document.querySelector('.dci-table .dci-status').textContent === '{n_big:,} of {N:,} rows'",
        timeout=10_000,
    )
    assert page.inner_text(".dci-table .dci-caption-text") == "values above 1"
    values = page.eval_on_selector_all(
        ".dci-table tbody tr.dci-row[data-pos] td:nth-child(3)",
        "tds => tds.map(td => Number(td.textContent))",
    )
    assert values and min(values) > 1
    page.click(".dci-table .dci-show-all")
    page.wait_for_function(
        f"() => document.querySelector('.dci-table .dci-status').textContent === '{N:,} rows × 4 columns'",
        timeout=10_000,
    )
    assert page.locator(".dci-table .dci-caption").is_hidden()
    assert kernel_eval(page, "print(view.n_shown)").strip() == str(N)


PARQUET = """
import numpy as np, pandas as pd, tempfile, pathlib
import jupyter_dci as dci
rng = np.random.default_rng(0)
path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
pd.DataFrame({
    "value": rng.normal(size=200_000).round(4),
    "country": rng.choice(["IN", "FR", "BR"], size=200_000),
}).to_parquet(path, row_group_size=50_000)
view = dci.table(str(path), height=400)
view
"""


def test_a_parquet_file_is_sorted_filtered_and_paged_in_duckdb(page: Any, lab: LabServer) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "value": rng.normal(size=200_000).round(4),
            "country": rng.choice(["IN", "FR", "BR"], size=200_000),
        }
    )
    write_notebook(lab.root / "parquet_table.ipynb", [PARQUET])
    open_notebook(page, lab, "parquet_table.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-table .dci-row[data-pos]", timeout=30_000)
    assert page.inner_text(".dci-table .dci-status") == "200,000 rows × 2 columns"
    # A click on a header sorts in the engine: the largest values first.
    page.click(".dci-col-head[data-col='0']")
    page.click(".dci-col-head[data-col='0']")
    top = f"{df['value'].max():g}"
    page.wait_for_function(
        "() => (document.querySelector(\".dci-table tbody tr[data-pos='0']\") || {})"
        f".textContent?.includes('{top}')",
        timeout=15_000,
    )
    # A filter runs in the engine too; its count is the engine's.
    want = int(((df["value"] > 1) & (df["country"] == "IN")).sum())
    page.fill(".dci-filter", "value > 1 and country == 'IN'")
    page.press(".dci-filter", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.dci-table .dci-status').textContent"
        f".startsWith('{want:,} of 200,000')",
        timeout=15_000,
    )
    # Rows stay in the engine: a click asks to select, and the view says why it cannot.
    page.click(".dci-table tbody tr[data-pos='0'] td:nth-child(3)")
    error = page.wait_for_selector(".dci-table .dci-error:not([hidden])", timeout=10_000)
    assert "cannot be selected here" in error.inner_text()
    assert page.page_errors == []
