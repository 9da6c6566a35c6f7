"""The workbench's budgets in a real browser: first view of a 1M x 20 frame, saved size.

Budgets (issue 7): ``dci.inspect`` on a 1M x 20 frame shows its first view within 2 s in a
real browser; a saved notebook holding its output grows by <= 2 MB.

What is timed, in a fresh notebook and kernel per run (the frame is built and
``jupyter_dci`` imported in an untimed cell first), from the command that runs a cell to
the state in the DOM (polled every animation frame):

- **cold**: the first ``dci.inspect(df, label="segment")`` of the kernel, which also imports
  the views' modules (anywidget, altair: ~1-2 s on this machine, once per kernel);
- **warm**: a second ``dci.inspect`` on the same frame (a new workbench: the profile is
  computed again; only the imports are done);
- for each: **shown** = the workbench's header and tabs in the DOM (from 200,000 rows the
  Overview profiles in a worker thread meanwhile, with a progress bar); **overview** = the
  Overview's alerts and column cards in the DOM; **chart** = the first column card's chart
  drawn (cards draw their charts when scrolled into view);
- the reference measured in the same kernel: the frame shown the default way (pandas' HTML
  repr, which shows 10 rows of it and computes nothing).

Saved size: the notebook saved by JupyterLab (its defaults) after all four tabs were opened,
minus the same notebook saved before the workbench cells ran; and, stricter, the notebook
executed by nbclient with the widget state stored (every view's front-end bundle included),
tabs opened from Python.

Run: ``python benchmarks/bench_inspect.py [--rows 1000000] [--runs 3]`` (needs Debian's
chromium and the test extra).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    chromium,
    lab_server,
    open_notebook,
    run_cell,
    shut_down_sessions,
    wait_cell_done,
    write_notebook,
)

SETUP = """
import sys
sys.path.insert(0, {root!r})
from benchmarks.frames import make_mixed_frame
df = make_mixed_frame({rows}, seed=0)
import jupyter_dci as dci
"""
CELLS = [
    SETUP,
    'wb = dci.inspect(df, label="segment")\nwb',
    'wb2 = dci.inspect(df, label="segment")\nwb2',
    "df",
]

# Runs cell `index`; returns the ms until its output holds each selector (-1: not within
# limitMs).
JS_RUN_AND_WAIT = """async ([index, selectors, limitMs]) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  nb.activeCellIndex = index;
  const t0 = performance.now();
  void app.commands.execute('notebook:run-cell');
  const node = () => nb.widgets[index].node;
  const seen = selectors.map(() => -1);
  while (seen.some(t => t < 0)) {
    const now = performance.now() - t0;
    if (now > limitMs) { break; }
    selectors.forEach((sel, i) => {
      const found = seen[i] < 0 ? node().querySelector(sel) : null;
      if (found) {
        seen[i] = now;
        // Cards draw their charts when on screen: bring what just appeared into view.
        found.scrollIntoView({ block: 'start' });
      }
    });
    await new Promise(r => requestAnimationFrame(r));
  }
  return seen;
}"""

#: The workbench on screen: its header's counts and the tabs (the Overview may still be
#: profiling, with a progress bar); then the Overview's alerts and column cards; then a chart.
WORKBENCH = [
    ".dci-inspect .dci-inspect-summary b",
    ".dci-inspect .dci-cards .dci-card",
    ".dci-inspect .dci-card-chart svg, .dci-inspect .dci-card-chart canvas",
]
PANDAS_FIRST = ".jp-RenderedHTMLCommon table.dataframe"


def _save(page: Any) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=60_000
    )


def browser_runs(rows: int, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {
        f"{when}_{what}": [] for when in ("cold", "warm") for what in ("shown", "overview", "chart")
    }
    out.update({"pandas": [], "saved_growth": []})
    with tempfile.TemporaryDirectory() as tmp, lab_server(Path(tmp)) as lab, chromium() as browser:
        for run in range(runs):
            name = f"inspect-{run}.ipynb"
            path = write_notebook(
                lab.root / name, [c.format(root=str(ROOT), rows=rows) for c in CELLS]
            )
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            open_notebook(page, lab, name)
            run_cell(page, 0, timeout=300)
            _save(page)
            before = path.stat().st_size
            for key, index in (("cold", 1), ("warm", 2)):
                shown, overview, chart = page.evaluate(JS_RUN_AND_WAIT, [index, WORKBENCH, 120_000])
                out[f"{key}_shown"].append(shown)
                out[f"{key}_overview"].append(overview)
                out[f"{key}_chart"].append(chart)
                wait_cell_done(page, index, timeout=120)
            (first,) = page.evaluate(JS_RUN_AND_WAIT, [3, [PANDAS_FIRST], 60_000])
            out["pandas"].append(first)
            wait_cell_done(page, 3, timeout=60)
            # Open every tab of the first workbench, as a person looking around would.
            for title in ("Label issues", "Slices", "History", "Overview"):
                page.locator(".dci-inspect-tabs .lm-TabBar-tab", has_text=title).first.click()
                wait_cell_done(page, 3, timeout=120)
            _save(page)
            out["saved_growth"].append(path.stat().st_size - before)
            context.close()
            shut_down_sessions(lab)
    return out


def nbclient_growth(rows: int) -> tuple[int, int]:
    """Bytes of the notebook without and with the workbench's output and widget state."""
    setup = SETUP.format(root=str(ROOT), rows=rows)
    show = (
        'wb = dci.inspect(df, label="segment")\n'
        'for tab in ("labels", "slices", "history", "overview"):\n'
        "    wb.open_tab(tab)\n"
        "wb"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = write_notebook(Path(tmp) / "base.ipynb", [setup])
        nb = nbformat.read(base, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600, store_widget_state=True).execute()
        nbformat.write(nb, base)
        # From 200,000 rows the Overview profiles in a worker: wait for its panel (the
        # kernel's loop builds it between cells) so the stored state holds every tab.
        wait = (
            "import asyncio\n"
            "while wb.profile_panel is None:\n"
            "    await asyncio.sleep(0.05)\n"
            "print(type(wb.profile_panel).__name__)"
        )
        full = write_notebook(Path(tmp) / "full.ipynb", [setup, show, wait])
        nb = nbformat.read(full, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=600, store_widget_state=True).execute()
        nbformat.write(nb, full)
        return base.stat().st_size, full.stat().st_size


def _secs(values: list[float]) -> list[float]:
    return [round(v / 1000, 2) for v in values]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    res = browser_runs(args.rows, args.runs)
    med = {k: statistics.median(v) for k, v in res.items()}
    print(
        f"dci.inspect, {args.rows:,} x 20 mixed frame, label 'segment', {args.runs} fresh kernels"
    )
    for key, what in (("cold", "first call in a fresh kernel"), ("warm", "modules imported")):
        print(
            f"  {what}: workbench shown (header, tabs, progress) "
            f"{med[key + '_shown'] / 1000:.2f} s {_secs(res[key + '_shown'])}; Overview's "
            f"alerts and cards {med[key + '_overview'] / 1000:.2f} s "
            f"{_secs(res[key + '_overview'])} (budget 2 s); first chart "
            f"{med[key + '_chart'] / 1000:.2f} s"
        )
    print(
        "  reference, the frame shown the default way (pandas HTML, 10 rows): "
        f"{med['pandas'] / 1000:.2f} s"
    )
    print(
        f"  saved notebook growth, JupyterLab save after opening every tab: "
        f"{med['saved_growth'] / 1024:,.0f} KB (budget 2 MB)"
    )
    base, full = nbclient_growth(args.rows)
    print(
        f"  saved notebook growth with the widget state stored (nbclient, every tab built): "
        f"{(full - base) / 1024:,.0f} KB (budget 2 MB)"
    )
    print(f"  ({time.perf_counter() - t0:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
