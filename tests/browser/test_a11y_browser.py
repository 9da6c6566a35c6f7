"""Every panel in JupyterLab's light and dark themes: axe-core finds nothing, and the keyboard
reaches and works every control.

The panels are checked with axe-core's WCAG 2.0/2.1 A and AA rules and its best practices
(tests/browser/axe.py), which include contrast (AA, 4.5:1), names and labels of controls,
ARIA roles and scrollable regions. Chart text is SVG, which axe cannot check: its contrast
is computed against the chart's background. The theme is switched at run time (that is
also how the charts are checked to follow it), on a server of this module's own: the
theme is a user setting, and the other tests must keep the light one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.axe import chart_texts, run_axe
from tests.browser.harness import (
    LabServer,
    lab_server,
    open_notebook,
    run_all_cells,
    run_cell,
    write_notebook,
)

CHART_CELL = (
    'from jupyter_dci.charts import bar_chart\ndci.chart(bar_chart(["a", "b", "c"], [3, 1, 2]))'
)
# Every panel, on awkward data: string labels (the history's old/new cells, the review's
# class buttons), a long author and commit message, an image column, pending edits.
PANELS = [
    """
import tempfile
import numpy as np, pandas as pd
import jupyter_dci as dci
from jupyter_dci import datasets
rng = np.random.default_rng(0)
n = 400
df = pd.DataFrame({"country": rng.choice(["IN", "FR", "BR"], n),
                   "age": rng.integers(18, 70, n), "x": rng.normal(size=n)})
truth = np.where(df["x"] > 0, "cat", "dog")
df["y"] = np.where(rng.random(n) < 0.1, np.where(truth == "cat", "dog", "cat"), truth)
p_cat = 1 / (1 + np.exp(-4 * df["x"].to_numpy()))
probs = np.column_stack([p_cat, 1 - p_cat])
ds = dci.track(df, name="pets", label="y", root=tempfile.mkdtemp())
ds.relabel(df.index[df["y"] == "cat"][:2], "dog", reason="looked again")
ds.commit("relabel the two dogs that the first annotator took for cats, by their ears",
          author="Somebody With A Rather Long Name Indeed")
ds.relabel(df.index[df["y"] == "dog"][:1], "cat", reason="whiskers")
""",
    "dci.table(df)",
    'digits = datasets.load_digits().head(200)[["image", "label"]]\n'
    "dci.profile(digits.assign(score=np.where(np.arange(200) % 7 == 0, np.nan, 1.5)))",
    'dci.review(df, label="y", issues=dci.find_label_issues(df["y"], probs))',
    'dci.slices(df, (np.where(probs[:, 0] > 0.5, "cat", "dog") != df["y"]).to_numpy(), by="country")',
    "ds.history()",
    CHART_CELL,
    "wb = dci.inspect(ds, pred_probs=probs)\nwb",
]

#: The root of each panel's view, and how many of its texts axe must at least have checked
#: for contrast (a chart's text is SVG, which axe leaves to check_charts).
VIEWS = {
    ".jp-OutputArea-output > .lm-Widget > .dci-table": 20,
    ".dci-profile": 20,
    ".dci-review": 20,
    ".dci-slices": 20,
    ".dci-history": 20,
    ".dci-chart-view": 0,
    ".dci-inspect": 20,
}
#: The workbench's tabs after the first, and a view each shows.
TABS = {"Label issues": ".dci-review", "Slices": ".dci-slices", "History": ".dci-history"}
CHARTS = (".dci-profile", ".dci-slices", ".dci-chart-view")
#: Tall enough for the whole notebook to be in view: axe checks the contrast of text in view
#: only, and JupyterLab scrolls the notebook inside its own box.
TALL = {"width": 1400, "height": 7000}


@pytest.fixture(scope="module")
def own_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with lab_server(tmp_path_factory.mktemp("a11y_lab")) as server:
        yield server


def open_panels(page: Any, lab: LabServer) -> None:
    write_notebook(lab.root / "panels.ipynb", PANELS)
    open_notebook(page, lab, "panels.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-inspect .dci-profile .dci-card", timeout=60_000)
    page.wait_for_selector(".dci-history-version", timeout=30_000)


def set_theme(page: Any, theme: str) -> None:
    page.evaluate(
        "(t) => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})", theme
    )
    page.wait_for_function("(t) => document.body.dataset.jpThemeName === t", arg=theme)


def wait_charts_in_theme(page: Any, selector: str, light: bool) -> None:
    """Wait until every chart in ``selector`` is drawn on a light (or dark) background."""
    page.wait_for_function(
        """([sel, light]) => {
          const svgs = [...document.querySelectorAll(sel + ' svg.marks')];
          const lum = s => { const m = getComputedStyle(s).backgroundColor.match(/\\d+(\\.\\d+)?/g);
                             return m ? (Number(m[0]) + Number(m[1]) + Number(m[2])) / 765 : -1; };
          return svgs.length > 0 && svgs.every(s => light ? lum(s) > 0.8 : lum(s) >= 0 && lum(s) < 0.2);
        }""",
        arg=[selector, light],
        timeout=15_000,
    )


def check(page: Any, views: dict[str, int], where: str) -> None:
    result = run_axe(page, list(views))
    assert result.violations == [], f"{where}: {result.violations}"
    # axe did look at each panel's text (see the notes in axe.py: body height, text in view).
    unchecked = {v: n for v, n in result.contrast_checked.items() if n < views[v]}
    assert unchecked == {}, f"{where}: axe checked the contrast of too few texts: {unchecked}"


def check_charts(page: Any, selector: str, where: str) -> None:
    texts = chart_texts(page, selector)
    assert texts, f"{where}: no chart text found"
    low = [t for t in texts if t["ratio"] < 4.5]
    assert low == [], f"{where}: chart text under 4.5:1: {low[:5]}"


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_every_panel_meets_wcag_aa(page: Any, own_lab: LabServer, theme: str) -> None:
    page.set_viewport_size(TALL)
    open_panels(page, own_lab)
    light = theme == "JupyterLab Light"
    try:
        if not light:
            # Switched at run time: the charts drawn in the light theme are drawn again; a
            # chart drawn anew (its cell run again) starts in the dark theme.
            set_theme(page, theme)
            run_cell(page, PANELS.index(CHART_CELL))
        for selector in CHARTS:
            wait_charts_in_theme(page, selector, light)
            check_charts(page, selector, f"{theme} {selector}")
        check(page, VIEWS, f"{theme}, every panel (the workbench on its Overview tab)")
        for tab, inside in TABS.items():
            page.locator(".dci-inspect-tabs .lm-TabBar-tab", has_text=tab).first.click()
            page.wait_for_selector(f".dci-inspect {inside}", timeout=30_000)
            check(page, {".dci-inspect": 20}, f"{theme}, the workbench's {tab} tab")
    finally:
        if not light:
            set_theme(page, "JupyterLab Light")
    assert page.page_errors == []


def tab_to(page: Any, selector: str, *, presses: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (it is reachable by keyboard)."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")


def start_at(page: Any, selector: str) -> None:
    """Start the keyboard's path at an element that is no control (the next Tab leaves it)."""
    page.locator(selector).first.evaluate("e => { e.tabIndex = -1; e.focus(); }")


def test_mouse_controls_all_have_a_keyboard_way(page: Any, own_lab: LabServer) -> None:
    open_panels(page, own_lab)
    # Whatever the pointer can click (cursor: pointer) is a focusable control, or sits in or
    # holds one; chart marks have their chart's keyboard picker of bars.
    mouse_only = page.evaluate(
        """() => {
          const pointer = e => e instanceof Element && getComputedStyle(e).cursor === 'pointer';
          const focusable = 'button:not(:disabled), input, select, textarea, summary, [tabindex]';
          const out = [];
          for (const root of document.querySelectorAll('.dci-theme')) {
            for (const e of root.querySelectorAll('*')) {
              if (!pointer(e) || pointer(e.parentElement)) continue;  // the clickable thing itself
              if (e.matches(focusable) || e.closest(focusable) || e.querySelector(focusable)) continue;
              const chart = e.closest('svg') && e.closest('.dci-card-chart, .dci-slices-chart-body, .dci-chart');
              if (chart && chart.querySelector('.dci-chart-picker select')) continue;
              out.push(`${e.tagName} ${e.className.baseVal ?? e.className}`);
            }
          }
          return [...new Set(out)];
        }"""
    )
    assert mouse_only == []


def test_keyboard_alone_uses_the_panels(page: Any, own_lab: LabServer) -> None:
    open_panels(page, own_lab)
    standalone = ".jp-OutputArea-output > .lm-Widget > .dci-table"
    # Table: Tab into the grid, move and select with keys, then sort from a header's button.
    page.locator(f"{standalone} .dci-filter").focus()
    tab_to(page, f"{standalone} .dci-grid")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    page.wait_for_function(
        "(s) => document.querySelector(s + ' .dci-status').textContent.endsWith('1 selected')",
        arg=standalone,
        timeout=10_000,
    )
    tab_to(page, f"{standalone} th[data-col='0'] button")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(s) => document.querySelector(s + \" th[data-col='0']\")"
        ".getAttribute('aria-sort') === 'ascending'",
        arg=standalone,
        timeout=10_000,
    )
    # The focus stayed on the header, so a second Enter sorts the other way.
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(s) => document.querySelector(s + \" th[data-col='0']\")"
        ".getAttribute('aria-sort') === 'descending'",
        arg=standalone,
        timeout=10_000,
    )
    # Profile: an alert is a button; a chart's bars are in its keyboard picker.
    profile = ".jp-OutputArea-output .dci-profile"
    start_at(page, f"{profile} .dci-tiles")
    tab_to(page, f"{profile} .dci-alert-open")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(s) => document.querySelector(s + ' .dci-profile-status').textContent"
        ".includes('rows shown in the table below')",
        arg=profile,
        timeout=10_000,
    )
    page.locator(f"{profile} .dci-card[data-column='label'] .dci-card-chart svg").wait_for()
    picker = f"{profile} .dci-card[data-column='label'] .dci-chart-picker select"
    tab_to(page, picker)
    assert page.locator(picker).is_visible()  # out of sight until it has the focus
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "(s) => document.querySelector(s + ' .dci-profile-status').textContent"
        ".includes(': label in [')",
        arg=profile,
        timeout=10_000,
    )
    # Slices: a slice is a button; Enter shows its rows.
    start_at(page, ".jp-OutputArea-output .dci-slices .dci-slices-summary")
    tab_to(page, ".jp-OutputArea-output .dci-slices .dci-slice-show")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.jp-OutputArea-output .dci-slices .dci-slices-status')"
        ".textContent.includes('rows shown in the table below')",
        timeout=10_000,
    )
    # Review: the current label's button says so to a screen reader.
    current = page.locator(".jp-OutputArea-output .dci-review .dci-is-current")
    assert current.get_attribute("aria-current") == "true"
    assert page.page_errors == []
