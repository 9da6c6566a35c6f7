"""ds.history() and the Datasets sidebar in a real JupyterLab, clicked as a person would."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.harness import (
    LabServer,
    kernel_eval,
    open_notebook,
    run_all_cells,
    write_notebook,
)

XSS = "<img src=x onerror=window.__dci_xss=1>"

SETUP = f"""
import tempfile
import pandas as pd
import jupyter_dci as dci
df = pd.DataFrame(
    {{"label": ["cat", "dog", "cat", "bird"], "note": ["a", "b", "{XSS}", "d"]}},
    index=pd.Index([10, 11, 12, 13], name="id"),
)
ds = dci.track(df, name="pets", label="label", root=tempfile.mkdtemp())
"""

HISTORY = """
ds.relabel(11, "cat", reason="looked again")
ds.commit("fix 11")
ds.relabel([10, 12], "dog", reason="ears")
ds.commit("fix 10 and 12 {XSS}")
panel = ds.history()
panel
""".replace("{XSS}", XSS)

CONFIRM_DIALOG = ".jp-Dialog:has-text('Uncommitted jupyter_dci edits')"


def open_and_run(page: Any, lab: LabServer, name: str, cells: list[str]) -> None:
    write_notebook(lab.root / name, cells)
    open_notebook(page, lab, name)
    run_all_cells(page)


def n_versions(page: Any) -> int:
    return int(page.eval_on_selector_all(".dci-history-version", "rows => rows.length"))


def diff_cells(page: Any) -> list[list[str]]:
    return page.eval_on_selector_all(
        ".dci-history-diff .dci-table tbody tr[data-pos]",
        "rows => rows.map(r => [...r.cells].slice(1, 6).map(c => c.textContent))",
    )


def test_history_panel_diff_blame_commit_and_revert(page: Any, lab: LabServer) -> None:
    open_and_run(page, lab, "history_panel.ipynb", [SETUP + HISTORY])
    page.wait_for_function("() => document.querySelectorAll('.dci-history-version').length === 3")
    # The timeline: newest first, the message shown as text.
    first = page.locator(".dci-history-version").first
    assert first.get_attribute("data-version") == "3"
    assert first.locator(".dci-history-msg").inner_text().startswith("fix 10 and 12 <img")
    assert page.evaluate("() => window.__dci_xss") is None
    # The default diff is HEAD~1..HEAD: old -> new with who and why.
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-history-diff tbody tr[data-pos]').length === 2"
    )
    rows = diff_cells(page)
    assert [r[:4] for r in rows] == [["10", "label", "cat", "dog"], ["12", "label", "cat", "dog"]]
    # Pick A = 1 in the timeline: the diff now spans both commits.
    page.click(".dci-history-version[data-version='1'] .dci-pick-a")
    page.wait_for_function(
        "() => document.querySelectorAll('.dci-history-diff tbody tr[data-pos]').length === 3"
    )
    assert kernel_eval(page, "print(panel.diff_a, panel.diff_b)").split() == ["1", "3"]
    # A click on a diff row shows that row's blame.
    page.click(".dci-history-diff tbody tr[data-pos='1'] td:nth-child(3)")
    page.wait_for_selector(".dci-history-blameout :text('Row 11: 1 committed change')")
    assert "looked again" in page.inner_text(".dci-history-blametable")
    # An edit made in code shows as pending; commit it from the panel's box.
    kernel_eval(page, "ds.relabel(13, 'cat', reason='not a bird')")
    page.wait_for_selector(".dci-history-pending .dci-history-head[data-count='1']")
    page.fill(".dci-history-message", "fix 13 from the panel")
    page.click(".dci-history-commit")
    page.wait_for_function("() => document.querySelectorAll('.dci-history-version').length === 4")
    log = kernel_eval(page, "print(ds.log().message.tolist()[-1], len(ds.pending()))")
    assert log.strip() == "fix 13 from the panel 0"
    # Revert it, after a confirmation.
    page.click(".dci-history-version[data-version='4'] .dci-revert")
    page.wait_for_selector(".dci-history-confirm:has-text('Revert version 4')")
    page.click(".dci-confirm-yes")
    page.wait_for_function("() => document.querySelectorAll('.dci-history-version').length === 5")
    out = kernel_eval(page, "print(ds.head.kind, ds.head.revert_of, df.loc[13, 'label'])")
    assert out.split() == ["revert", "4", "bird"]
    # Check out version 1, confirmed: a new frame shown as a table.
    page.click(".dci-history-version[data-version='1'] .dci-checkout")
    page.click(".dci-confirm-yes")
    page.wait_for_selector(".dci-history-checkout .dci-table tbody tr[data-pos='3']")
    assert kernel_eval(page, "print(panel.checked_out.label.tolist())").strip() == str(
        ["cat", "dog", "cat", "bird"]
    )
    # A kernel error shows inline in the panel.
    page.fill(".dci-history-blamekey", "999")
    page.press(".dci-history-blamekey", "Enter")
    page.wait_for_selector(".dci-history-error:has-text('999')")
    assert page.page_errors == []


@pytest.mark.parametrize("action", ["close", "restart"])
def test_sidebar_counts_pending_edits_and_warns_before_losing_them(
    page: Any, lab: LabServer, action: str
) -> None:
    open_and_run(page, lab, f"sidebar_{action}.ipynb", [SETUP])
    page.click(".jp-SideBar .lm-TabBar-tab[data-id='jupyter-dci-datasets']")
    page.wait_for_selector(".jp-dci-dataset[data-name='pets'][data-pending='0']")
    kernel_eval(page, "ds.relabel([11, 13], 'cat', reason='sidebar test')")
    page.wait_for_selector(".jp-dci-dataset[data-name='pets'][data-pending='2']")
    assert page.inner_text(".jp-dci-dataset-pending") == "2 uncommitted"
    if action == "close":
        page.click("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current .lm-TabBar-tabCloseIcon")
    else:
        page.evaluate(
            "() => { void window.jupyterapp.commands.execute('notebook:restart-kernel'); }"
        )
    dialog = page.wait_for_selector(CONFIRM_DIALOG)
    assert "pets: 2 uncommitted edits" in dialog.inner_text()
    page.click(f"{CONFIRM_DIALOG} .jp-mod-reject")
    page.wait_for_selector(CONFIRM_DIALOG, state="detached")
    # Cancelled: the notebook is open and its kernel still holds the edits.
    assert kernel_eval(page, "print(len(ds.pending()))").strip() == "2"
    kernel_eval(page, "ds.commit('sidebar test')")
    page.wait_for_selector(".jp-dci-dataset[data-name='pets'][data-pending='0']")
    assert page.page_errors == []


def test_sidebar_finds_the_datasets_of_a_running_kernel_after_a_reload(
    page: Any, lab: LabServer
) -> None:
    open_and_run(page, lab, "sidebar_reload.ipynb", [SETUP + "ds.relabel(11, 'cat')"])
    # The same notebook in a fresh page: same session, same kernel, comm opened before.
    open_notebook(page, lab, "sidebar_reload.ipynb")
    page.click(".jp-SideBar .lm-TabBar-tab[data-id='jupyter-dci-datasets']")
    page.wait_for_selector(".jp-dci-dataset[data-name='pets'][data-pending='1']")
    kernel_eval(page, "ds.relabel(13, 'cat')")
    page.wait_for_selector(".jp-dci-dataset[data-name='pets'][data-pending='2']")
    assert page.page_errors == []
