"""The table view's budgets, in a real browser, beside itables measured the same way.

Budgets (issue 2): first rows visible <= 1 s for a 1M x 20 frame; a page fetch <= 100 ms; the
saved output <= 200 KB whatever the frame size.

What is timed, for each tool, in fresh notebooks and kernels (the frame is built in an untimed
cell first):
- first rows visible: from the command that runs the cell showing the frame to the first data
  row in the DOM (polled every animation frame);
- page fetch (jupyter_dci): jump the scrollbar to a random place and wait until the rows there
  are filled by the kernel's answer; also the kernel's share of it (FramePager.page alone);
- first sort (jupyter_dci): click a string column's header until the sorted rows show (the
  argsort of 1M strings, cached afterwards);
- saved output: the cell's outputs plus the widget state nbclient stores in the notebook.

Run: ``python benchmarks/bench_table.py [--rows 1000000] [--runs 3]`` (needs Debian's chromium,
the test extra and itables: ``pip install -e '.[test,bench]'``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    chromium,
    lab_server,
    open_notebook,
    run_cell,
    shut_down_sessions,
    write_notebook,
)

SETUP = """
import sys
sys.path.insert(0, {root!r})
from benchmarks.frames import make_mixed_frame
df = make_mixed_frame({rows}, seed=0)
import jupyter_dci as dci
import itables
# Offline: itables' default loads DataTables from a CDN, which this machine cannot reach.
itables.init_notebook_mode(connected=False)
"""

SHOW = {
    "jupyter_dci": ("dci.table(df)", ".dci-table tbody tr.dci-row[data-pos]"),
    # itables' defaults but offline: the frame is downsampled to its maxBytes.
    "itables": ("itables.show(df)", "table.dataTable tbody tr td, .dt-container tbody tr td"),
}

JS_RUN_AND_WAIT = """async ([selector, limitMs]) => {
  const app = window.jupyterapp;
  const nb = app.shell.currentWidget.content;
  nb.activeCellIndex = 1;
  const t0 = performance.now();
  void app.commands.execute('notebook:run-cell');
  while (!document.querySelector(selector)) {
    if (performance.now() - t0 > limitMs) { return -1; }
    await new Promise(r => requestAnimationFrame(r));
  }
  return performance.now() - t0;
}"""

JS_JUMP = """async ([fraction, limitMs]) => {
  const scroller = document.querySelector('.dci-scroll');
  const t0 = performance.now();
  scroller.scrollTop = fraction * (scroller.scrollHeight - scroller.clientHeight);
  await new Promise(r => requestAnimationFrame(r));
  const loaded = () => {
    const rows = [...document.querySelectorAll('.dci-table tbody tr.dci-row')];
    return rows.length > 0 && rows.every(r => r.dataset.pos !== undefined);
  };
  while (!loaded()) {
    if (performance.now() - t0 > limitMs) { return -1; }
    await new Promise(r => requestAnimationFrame(r));
  }
  return performance.now() - t0;
}"""

JS_SORT = """async ([limitMs]) => {
  // The header is rebuilt on a sort: look the column up afresh each time.
  const head = () => [...document.querySelectorAll('.dci-col-head')]
    .find(th => th.querySelector('.dci-colname').textContent.startsWith('country'));
  const t0 = performance.now();
  head().click();
  const sorted = () => {
    const first = document.querySelector('.dci-table tbody tr.dci-row');
    return head().getAttribute('aria-sort') === 'ascending' && first
      && first.dataset.pos !== undefined && first.dataset.row === '0';
  };
  await new Promise(r => requestAnimationFrame(r));
  while (!sorted()) {
    if (performance.now() - t0 > limitMs) { return -1; }
    await new Promise(r => requestAnimationFrame(r));
  }
  return performance.now() - t0;
}"""


def browser_runs(rows: int, runs: int) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {
        tool: {"first": [], "fetch": [], "sort": []} for tool in SHOW
    }
    with tempfile.TemporaryDirectory() as tmp, lab_server(Path(tmp)) as lab, chromium() as browser:
        for run in range(runs):
            for tool, (code, selector) in SHOW.items():
                name = f"{tool}-{run}.ipynb"
                write_notebook(lab.root / name, [SETUP.format(root=str(ROOT), rows=rows), code])
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                open_notebook(page, lab, name)
                run_cell(page, 0, timeout=300)
                first = page.evaluate(JS_RUN_AND_WAIT, [selector, 120_000])
                results[tool]["first"].append(first)
                if tool == "jupyter_dci" and first > 0:
                    rng = np.random.default_rng(run)
                    for fraction in rng.random(15):
                        results[tool]["fetch"].append(
                            page.evaluate(JS_JUMP, [float(fraction), 20_000])
                        )
                    results[tool]["sort"].append(page.evaluate(JS_SORT, [60_000]))
                context.close()
                # The kernel of this notebook holds a 1M-row frame: shut it down before the next.
                shut_down_sessions(lab)
    return results


def kernel_page_ms(rows: int) -> list[float]:
    from benchmarks.frames import make_mixed_frame
    from jupyter_dci.core.table._pager import FramePager

    pager = FramePager(make_mixed_frame(rows, seed=0))
    rng = np.random.default_rng(0)
    times = []
    for offset in rng.integers(0, rows - 100, size=30):
        t0 = time.perf_counter()
        pager.page(int(offset), 100)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def saved_output_kb(rows: int, tool: str) -> float:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(SETUP.format(root=str(ROOT), rows=rows)),
        nbformat.v4.new_code_cell(SHOW[tool][0]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        NotebookClient(
            nb, kernel_name="python3", timeout=600, store_widget_state=True,
            resources={"metadata": {"path": tmp}},
        ).execute()  # fmt: skip
    size = len(json.dumps(nb.cells[1].outputs)) + len(json.dumps(nb.metadata.get("widgets", {})))
    return size / 1024


def med(values: list[float]) -> str:
    ok = [v for v in values if v >= 0]
    if not ok:
        return "timed out"
    text = f"{statistics.median(ok):.0f} ms"
    return text if len(ok) == len(values) else text + f" ({len(values) - len(ok)} timed out)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import itables

    import jupyter_dci

    print(f"frame: make_mixed_frame({args.rows:,}) x 20 columns; {args.runs} fresh runs per tool")
    print(f"jupyter_dci {jupyter_dci.__version__}, itables {itables.__version__}\n")
    res = browser_runs(args.rows, args.runs)
    kernel = kernel_page_ms(args.rows)
    sizes = {tool: saved_output_kb(args.rows, tool) for tool in SHOW}
    d, i = res["jupyter_dci"], res["itables"]
    print(f"{'':36}{'jupyter_dci':>18}{'itables':>18}")
    print(f"{'first rows visible (median)':36}{med(d['first']):>18}{med(i['first']):>18}")
    print(f"{'page fetch after a scroll jump':36}{med(d['fetch']):>18}{'(client-side)':>18}")
    print(f"{'  of which the kernel (FramePager)':36}{med(kernel):>18}{'':>18}")
    print(f"{'first sort by a string column':36}{med(d['sort']):>18}{'(client-side)':>18}")
    print(f"{'saved output':36}{sizes['jupyter_dci']:>15.0f} KB{sizes['itables']:>15.0f} KB")
    ok = [v for v in d["first"] if v > 0]
    oi = [v for v in i["first"] if v > 0]
    if ok and oi:
        ratio = statistics.median(oi) / statistics.median(ok)
        print(f"\nfirst rows visible: itables / jupyter_dci = {ratio:.1f}x")
    print("raw first-rows ms:", {k: [round(x) for x in v["first"]] for k, v in res.items()})
    print(
        "note: itables downsamples a frame this size to its maxBytes (64 KB by default), so it "
        "shows only some of the rows; jupyter_dci pages through all of them."
    )


if __name__ == "__main__":
    main()
