"""The workbench (dci.inspect) clicked through in real JupyterLab 4 and Notebook 7."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.harness import (
    LabServer,
    kernel_eval,
    open_notebook,
    poll_kernel,
    run_all_cells,
    run_cell,
    write_notebook,
)

XSS = "<img src=x onerror=window.__dci_xss=1>"

# Labels follow x with 8% flipped; the model's probabilities are wrong in one planted slice.
PLANTED = f"""
import tempfile
import numpy as np, pandas as pd
import jupyter_dci as dci
rng = np.random.default_rng(0)
n = 4000
df = pd.DataFrame({{"country": rng.choice(["IN", "FR", "BR"], n),
                    "age": rng.integers(18, 70, n), "x": rng.normal(size=n)}})
truth = (df["x"] > 0).astype(int).to_numpy()
df["y"] = np.where(rng.random(n) < 0.08, 1 - truth, truth)
df["{XSS}"] = np.where(rng.random(n) < 0.2, np.nan, 1.0)
p1 = 1 / (1 + np.exp(-4 * df["x"].to_numpy()))
bad = ((df["country"] == "IN") & (df["age"] < 25)).to_numpy() & (rng.random(n) < 0.6)
p1 = np.where(bad, 1 - p1, p1)
probs = np.column_stack([1 - p1, p1])
ds = dci.track(df, name="planted", label="y", root=tempfile.mkdtemp())
# Profile in the background as for a large frame: the panel shows pending, then fills in.
import jupyter_dci.widgets.inspect._profiler as _inspect
_inspect.BACKGROUND_PROFILE_ROWS = 1000
wb = dci.inspect(ds, pred_probs=probs)
wb
"""

DIGITS = """
import jupyter_dci as dci
from jupyter_dci import datasets
digits = datasets.load_digits()
df = digits[["image"]].assign(
    ink=digits["image"].map(lambda a: float(a.sum())),
    label=datasets.inject_label_noise(digits["label"], rate=0.1, seed=0).labels,
)
wb = dci.inspect(df, label="label")
wb
"""

# Errors Notebook 7's own plugins throw on any notebook page, with or without jupyter_dci's
# views (checked on an empty notebook; both come from notebook_core's bundle).
NOTEBOOK7_KNOWN_ERRORS = (
    "Cannot read properties of undefined (reading 'schema')",
    "Command 'filebrowser:open-path' not registered.",
)


def click_tab(page: Any, title: str) -> None:
    page.locator(".dci-inspect-tabs .lm-TabBar-tab", has_text=title).first.click()


def kernel_json(page: Any, expr: str) -> Any:
    return json.loads(kernel_eval(page, f"import json; print(json.dumps({expr}, default=str))"))


def accept_first_suspect(page: Any, column: str, *, header_says: str) -> None:
    """Press Enter on the review's first suspect; wait for the frame and the header."""
    row_key, suggested = kernel_json(
        page,
        "[int(wb.review_panel.session.suspect(0).row), "
        "int(wb.review_panel.session.suspect(0).suggested)]",
    )
    page.locator(".dci-review").click(position={"x": 5, "y": 5})
    page.keyboard.press("Enter")
    poll_kernel(
        page, f"print(int(df.loc[{row_key}, {column!r}]))", lambda out: out == str(suggested)
    )
    page.wait_for_function(
        "(text) => document.querySelector('.dci-inspect-header').textContent.includes(text)",
        arg=header_says,
        timeout=10_000,
    )


def test_workbench_in_jupyterlab_shares_one_state(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "inspect_planted.ipynb", [PLANTED])
    open_notebook(page, lab, "inspect_planted.ipynb")
    run_all_cells(page)
    # First view: the header's counts and the profile with its alerts.
    page.wait_for_selector(".dci-inspect .dci-cards .dci-card", timeout=60_000)
    assert page.locator(".dci-profile-pending").count() == 0
    assert page.locator(".dci-inspect-profiling").count() == 0  # the progress bar went
    header = page.locator(".dci-inspect-header")
    assert "4,000 rows × 5 columns" in header.inner_text()
    assert "'planted' version 1 · 0 uncommitted edits" in header.inner_text()
    alert = page.locator(".dci-profile", has_text=XSS).first
    assert alert.count() == 1  # the XSS column name shows as text
    assert page.evaluate("() => window.__dci_xss") is None
    # The filled panel answers clicks: an alert's rows go to the table under it.
    page.locator(".dci-inspect .dci-alert", has_text="missing").first.click()
    page.wait_for_function(
        "() => document.querySelector('.dci-inspect .dci-profile-status')"
        ".textContent.includes('rows shown in the table below')",
        timeout=10_000,
    )
    # Lazy: nothing of the other tabs exists before they are opened.
    assert page.locator(".dci-review").count() == 0
    assert kernel_json(page, "[wb.review_panel is None, wb.slices_panel is None]") == [True, True]

    # Slices: the planted slice is found; a click on it scopes the review to its rows.
    click_tab(page, "Slices")
    row = page.locator(".dci-slice-row", has_text="country == 'IN'").first
    row.wait_for(timeout=60_000)
    expression = row.locator(".dci-expr").inner_text()
    row.click()
    poll_kernel(
        page,
        "print(wb.tabs.titles[1])",
        lambda out: out == "Label issues · in slice",
    )
    click_tab(page, "Label issues")
    page.wait_for_selector(".dci-review[data-index='0']", timeout=60_000)
    assert page.inner_text(".dci-review-scope") == f"in: {expression}"
    n_shown, n_suspects = kernel_json(page, "[wb.review_panel.n_shown, wb.review_panel.n_suspects]")
    assert 0 < n_shown < n_suspects
    # A relabel by keyboard: the frame, the pending edits and the header follow at once.
    accept_first_suspect(page, "y", header_says="1 uncommitted edits")
    assert "1 reviewed · 1 relabelled" in header.inner_text()
    # History: the pending edit is listed; commit it from the panel.
    click_tab(page, "History")
    page.wait_for_selector(".dci-history-version", timeout=60_000)
    page.fill(".dci-history-message", "accept a suggestion in the slice")
    page.click(".dci-history-commit")
    page.wait_for_function(
        "() => document.querySelector('.dci-inspect-header').textContent"
        ".includes('version 2 · 0 uncommitted edits')",
        timeout=15_000,
    )
    # Back to the slices: recomputed against the new labels once opened.
    click_tab(page, "Slices")
    poll_kernel(
        page,
        "print(wb.state.tab_generation['slices'] == wb.generation)",
        lambda out: out == "True",
        timeout=30,
    )
    assert page.page_errors == []


def test_workbench_in_notebook_7_computes_probabilities(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "inspect_digits.ipynb", [DIGITS])
    open_notebook(page, lab, "inspect_digits.ipynb", app="notebook")
    run_all_cells(page)
    page.wait_for_selector(".dci-inspect .dci-profile", timeout=60_000)
    click_tab(page, "Label issues")
    page.locator(".dci-inspect-compute").click()
    # The kernel answers while the folds are fitted (the work runs in a thread).
    assert kernel_eval(page, "print(1 + 1)").strip() == "2"
    page.wait_for_selector(".dci-review[data-index='0']", timeout=120_000)
    accept_first_suspect(page, "label", header_says="1 reviewed · 1 relabelled")
    ours = [e for e in page.page_errors if e not in NOTEBOOK7_KNOWN_ERRORS]
    assert ours == [], ours


def test_saved_output_reads_as_a_summary_without_its_kernel(page: Any, lab: LabServer) -> None:
    import nbformat
    from nbclient import NotebookClient

    # Run and save the notebook elsewhere (nbclient): reopened here, its kernel is a new one
    # that never held the workbench, as after a restart or on another machine.
    path = write_notebook(
        lab.root / "inspect_saved.ipynb",
        [
            "import pandas as pd, jupyter_dci as dci\n"
            f"df = pd.DataFrame({{'x': [1, None, 3, 4], '{XSS}': ['a', 'b', 'a', 'b']}})\n"
            f"dci.inspect(df, label='{XSS}')"
        ],
    )
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=120).execute()
    nbformat.write(nb, path)
    open_notebook(page, lab, "inspect_saved.ipynb")
    summary = page.locator(".jp-OutputArea-output .dci-inspect-static")
    summary.wait_for(timeout=30_000)
    text = summary.inner_text()
    assert "jupyter_dci workbench (the interactive panel needs a running kernel)" in text
    assert "4 rows × 2 columns" in text and "alerts" in text
    assert XSS in text  # the label column's name in an alert, as text
    assert page.evaluate("() => window.__dci_xss") is None


def test_workshop_notebook_3_clicked_through_as_a_participant(page: Any, lab: LabServer) -> None:
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "examples" / "03_fix_the_labels.ipynb"
    shutil.copy(source, lab.root / "03_fix_the_labels.ipynb")
    open_notebook(page, lab, "03_fix_the_labels.ipynb")
    assert "126 labels wrong on purpose" in run_cell(page, 1)
    assert "test accuracy" in run_cell(page, 3)
    run_cell(page, 5)  # the workbench
    click_tab(page, "Label issues")
    page.locator(".dci-inspect-compute").click()
    page.wait_for_selector(".dci-review[data-index='0']", timeout=120_000)
    # Three suspects by keyboard, as a participant would: accept, accept, keep.
    page.locator(".dci-review").click(position={"x": 5, "y": 5})
    for key in ("Enter", "Enter", "k"):
        page.keyboard.press(key)
    poll_kernel(
        page,
        "print(wb.review_panel.n_reviewed, noise.score(df['label'])['changed'])",
        lambda out: out == "3 2",
        timeout=15,
    )
    # The scoring cell counts exactly what the keyboard did.
    fixed, changed = kernel_json(
        page, "[noise.score(df['label'])['fixed'], noise.score(df['label'])['changed']]"
    )
    assert changed == 2
    score = run_cell(page, 9)
    assert score.startswith(f"fixed {fixed} of 126 planted errors")
    assert page.page_errors == []


def test_load_ext_puts_an_inspect_button_under_dataframes(page: Any, lab: LabServer) -> None:
    write_notebook(
        lab.root / "inspect_ext.ipynb",
        [
            "import pandas as pd\n"
            "df = pd.DataFrame({'x': [1.0, 2.0, None], 'label': ['a', 'b', 'a']})\n"
            "df",
            "%load_ext jupyter_dci\ndf",
        ],
    )
    open_notebook(page, lab, "inspect_ext.ipynb")
    run_all_cells(page)
    # Off by default: the first cell shows the frame as pandas does, and nothing more.
    cells = page.locator(".jp-Notebook .jp-Cell")
    assert cells.nth(0).locator("table.dataframe").count() == 1
    assert cells.nth(0).locator(".dci-inspect-open").count() == 0
    # Loaded: the same table, and a button that opens the workbench in place.
    assert cells.nth(1).locator("table.dataframe").count() == 1
    cells.nth(1).locator(".dci-inspect-open").click()
    cells.nth(1).locator(".dci-inspect .dci-cards .dci-card").first.wait_for(timeout=30_000)
    assert "label issues" in cells.nth(1).locator(".dci-inspect-header").inner_text()
    assert page.page_errors == []
