"""dci.review in a real JupyterLab: digits with planted noise, fixed by keyboard and mouse."""

from __future__ import annotations

import ast
import json
from typing import Any

from tests.browser.harness import (
    LabServer,
    kernel_eval,
    open_notebook,
    poll_kernel,
    run_all_cells,
    wait_for,
    write_notebook,
)

XSS = "<img src=x onerror=window.__dci_xss=1>"

# Out-of-sample probabilities from a cheap model (3-fold logistic regression on the 64
# pixels); threads are capped by the harness's environment.
DIGITS = f"""
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.datasets import inject_label_noise, load_digits
from jupyter_dci.widgets._review import review
df = load_digits()
df["label"] = inject_label_noise(df["label"], rate=0.1, seed=0).labels
pixels = df.filter(like="pixel_").to_numpy()
probs = cross_val_predict(LogisticRegression(max_iter=300), pixels, df["label"], cv=3,
                          method="predict_proba")
issues = find_label_issues(df["label"], probs)
df.insert(0, "note", "{XSS}")
panel = review(df, label="label", issues=issues)
panel
"""

SMALL = """
import pandas as pd
from jupyter_dci.widgets._review import review
long = "word " * 80 + "<b>end</b>"
small = pd.DataFrame({"text": ["fine", long, "ok"], "y": [1, 1, 0]}, index=["a", "b", "c"])
issues = pd.DataFrame({"given_label": [1, 0], "suggested_label": [0, 1],
                       "label_score": [0.02, 0.3], "is_label_issue": [True, True]},
                      index=["b", "c"])
panel = review(small, label="y", issues=issues, classes=[0, 1, "maybe"])
panel
"""


def open_panel(page: Any, lab: LabServer, name: str, source: str) -> None:
    write_notebook(lab.root / name, [source])
    open_notebook(page, lab, name)
    run_all_cells(page)
    page.wait_for_selector(".dci-review[data-index='0']", timeout=60_000)


def kernel_json(page: Any, expr: str) -> Any:
    return json.loads(kernel_eval(page, f"import json; print(json.dumps({expr}, default=str))"))


def notebook_state(page: Any) -> tuple[int, str]:
    return page.evaluate(
        "() => { const n = window.jupyterapp.shell.currentWidget.content;"
        " return [n.activeCellIndex, n.mode]; }"
    )


def wait_index(page: Any, index: int, status: str) -> None:
    page.wait_for_function(
        f"() => {{ const r = document.querySelector('.dci-review');"
        f" return r.dataset.index === '{index}' &&"
        f" r.querySelector('.dci-review-status').textContent.startsWith({status!r}); }}",
        timeout=10_000,
    )


def test_keyboard_review_of_digits_fixes_the_kernel_frame(page: Any, lab: LabServer) -> None:
    open_panel(page, lab, "review_digits.ipynb", DIGITS)
    truth = kernel_json(
        page,
        "[(int(r), int(g), int(s)) for r, g, s in "
        "zip(issues.issues.index[:3], issues.issues.given_label[:3], "
        "issues.issues.suggested_label[:3])] + [[int(issues.n_issues)]]",
    )
    (r0, g0, s0), (r1, g1, s1), (r2, g2, _s2), (n,) = truth
    root = page.locator(".dci-review")
    assert page.inner_text(".dci-review-position").startswith(f"Suspect 1 of {n:,} · row {r0}")
    assert page.inner_text(".dci-review-given") == str(g0)
    assert page.inner_text(".dci-review-suggested") == str(s0)
    assert page.inner_text(".dci-review-progress") == f"0 / {n:,} reviewed · 0 fixed · 0 kept"
    # The digit is shown as a picture large enough to judge, made from its 8x8 array.
    size = page.eval_on_selector(
        ".dci-review-picture", "img => [img.naturalWidth, img.clientWidth, img.complete]"
    )
    assert size[0] == 8 and size[1] >= 160 and size[2]
    # The mapping of keys is on screen; the XSS feature is text and never ran.
    buttons = page.eval_on_selector_all(
        ".dci-review-classes button", "bs => bs.map(b => b.textContent)"
    )
    assert buttons == [f"{k} {k}" for k in range(10)]
    note = page.locator(".dci-review-features td").first
    assert note.inner_text() == XSS and note.evaluate("td => td.children.length") == 0
    assert page.evaluate("() => window.__dci_xss") is None

    before = notebook_state(page)
    root.click(position={"x": 5, "y": 5})  # the head: gives the panel the keyboard
    other = next(c for c in range(10) if c not in (g0, s0))
    page.keyboard.press(str(other))  # relabel suspect 1 by its class key
    page.keyboard.press("Enter")  # accept the suggestion for suspect 2
    page.keyboard.press("k")  # keep the given label of suspect 3
    wait_index(page, 3, "Not reviewed")
    labels = kernel_json(page, f"[int(df.loc[r, 'label']) for r in {[r0, r1, r2]}]")
    assert labels == [other, s1, g2]
    page.keyboard.press("u")  # undo the keep: back on suspect 3
    wait_index(page, 2, "Not reviewed")
    page.keyboard.press("ArrowLeft")
    wait_index(page, 1, "Label now")
    assert page.inner_text(".dci-review-status") == f"Label now {s1} · suggestion accepted"
    progress = page.inner_text(".dci-review-progress")
    assert progress == f"2 / {n:,} reviewed · 2 fixed · 0 kept"
    decisions = kernel_json(
        page, "panel.decisions[['row', 'old', 'new', 'decision']].values.tolist()"
    )
    assert decisions == [[r0, g0, other, "relabel"], [r1, g1, s1, "accept"]]
    assert kernel_json(page, "str(df['label'].dtype)") == "int64"
    # None of those keys reached the notebook.
    assert notebook_state(page) == before
    assert before[1] == "command"
    assert page.page_errors == []


def test_mouse_and_errors_inline(page: Any, lab: LabServer) -> None:
    open_panel(page, lab, "review_small.ipynb", SMALL)
    # Long text is shown whole (as text), not cut to a table cell.
    body = page.locator(".dci-review-textbody")
    assert body.inner_text() == "word " * 80 + "<b>end</b>"
    assert body.evaluate("el => el.children.length") == 0
    # "maybe" does not fit an int64 column: the kernel's refusal shows in the panel.
    page.click(".dci-review-classes button[data-class='2']")
    error = page.wait_for_selector(".dci-review .dci-error:not([hidden])", timeout=10_000)
    assert "dtype int64" in error.inner_text() and "'maybe'" in error.inner_text()
    assert kernel_json(page, "small['y'].tolist()") == [1, 1, 0]
    page.click(".dci-review-accept")
    wait_index(page, 1, "Not reviewed")
    assert page.locator(".dci-review .dci-error").is_hidden()
    page.click(".dci-review-keep")
    page.wait_for_function(
        "() => document.querySelector('.dci-review-done').textContent === 'All 2 suspects reviewed.'",
        timeout=10_000,
    )
    assert kernel_json(page, "small['y'].tolist()") == [1, 0, 0]
    page.click(".dci-review-undo")
    wait_for(lambda: kernel_json(page, "len(panel.decisions)") == 1, 10, "the undo to reach Python")
    # Python moves the view.
    kernel_eval(page, "panel.current = 0")
    wait_index(page, 0, "Label now 0")
    assert ast.literal_eval(kernel_eval(page, "print(panel.n_relabelled)").strip()) == 1


def test_confusion_cell_then_three_keyboard_relabels(page: Any, lab: LabServer) -> None:
    """Issue 4's check: click a cell of given vs suggested, relabel three rows by keyboard."""
    open_panel(page, lab, "review_confusion.ipynb", DIGITS)
    n, (g, s), count = kernel_json(
        page,
        "(lambda c: (panel.n_suspects, [int(v) for v in np.unravel_index(c.counts.argmax(), "
        "c.counts.shape)], int(c.counts.max())))(panel.session.confusion())",
    )
    assert count >= 4
    # The matrix: classes x classes, labels and counts as text.
    heads = page.eval_on_selector_all(
        ".dci-review-matrix thead th", "ths => ths.map(t => t.textContent)"
    )
    assert heads[1:] == [str(k) for k in range(10)]
    cell = page.locator(f".dci-review-matrix td[data-given='{g}'][data-suggested='{s}'] button")
    assert cell.inner_text() == str(count)
    before = notebook_state(page)
    cell.click()
    page.wait_for_function(
        f"() => document.querySelector('.dci-review-position').textContent"
        f".startsWith('Suspect 1 of {count} (filtered)')",
        timeout=10_000,
    )
    assert kernel_json(page, "[panel.filter_given, panel.filter_suggested]") == [[g], [s]]
    assert page.eval_on_selector(".dci-review-filter-given", "s => s.value") == str(g)
    assert page.eval_on_selector(".dci-review-filter-suggested", "s => s.value") == str(s)
    assert page.locator(".dci-review-matrix td.dci-is-filter").count() == 1
    rows = kernel_json(page, "[int(panel.session.suspect(i).row) for i in range(3)]")
    assert kernel_json(page, f"[int(df.loc[r, 'label']) for r in {rows}]") == [g, g, g]
    # Three keys: a class key, Enter (accept the suggestion), another class key.
    one, two = [c for c in range(10) if c not in (g, s)][:2]
    page.keyboard.press(str(one))
    page.keyboard.press("Enter")
    page.keyboard.press(str(two))
    wait_index(page, 3, "Not reviewed")
    assert kernel_json(page, f"[int(df.loc[r, 'label']) for r in {rows}]") == [one, s, two]
    decisions = kernel_json(page, "panel.decisions[['row', 'new', 'decision']].values.tolist()")
    assert decisions == [
        [rows[0], one, "relabel"],
        [rows[1], s, "accept"],
        [rows[2], two, "relabel"],
    ]
    assert page.inner_text(".dci-review-progress") == f"3 / {n:,} reviewed · 3 fixed · 0 kept"
    assert (
        page.inner_text(".dci-review-filter-info")
        == f"{count} of {n:,} suspects match · 3 reviewed"
    )
    # A score bound, typed: the class filter stays.
    page.fill(".dci-review-filter-max", "0.5")
    page.press(".dci-review-filter-max", "Enter")
    poll_kernel(
        page, "print(panel.filter_max_score, panel.filter_given)", lambda o: o == f"0.5 [{g}]"
    )
    # Clearing the filter shows every suspect again; the decisions stay.
    page.click(".dci-review-clear")
    page.wait_for_function(
        f"() => document.querySelector('.dci-review-position').textContent"
        f".startsWith('Suspect 1 of {n:,} · row')",
        timeout=10_000,
    )
    assert kernel_json(page, "[panel.n_shown, panel.n_reviewed, panel.filter_given]") == [n, 3, []]
    assert notebook_state(page) == before
    assert page.page_errors == []
