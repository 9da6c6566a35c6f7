"""Benchmark jupyter_dci's profile side by side with the pandas floor and ydata-profiling.

Every measurement runs in a fresh process (imports and building the frame are left out of the
timing); the figure quoted is the median over ``--repeat`` processes, with min-max beside it.
Peak memory is the highest RSS seen by a 2 ms sampler thread while the tool runs, minus the RSS
just before it ran (after returning freed memory to the OS, with glibc told to mmap every large
block so that RSS follows live memory), and is compared with the frame's own deep memory.

Tools:

- ``dci``: ``jupyter_dci.core.profile.profile(df)`` (every check included; from 250,000 rows
  on it profiles two columns at a time in threads);
- ``dci-1core``: the same with ``n_jobs=1`` (one thread);
- ``dci+html``: the same plus ``to_html`` of the report;
- ``floor``: the pandas floor of notes/anchors.md: ``describe(include="all")`` + ``isna().sum()``
  + ``nunique()`` + 50-bin ``np.histogram`` of each numeric column;
- ``ydata``: ``ydata_profiling.ProfileReport(df, minimal=True).to_html()``. ydata-profiling pins
  an older pandas, so it runs in its own virtual environment: pass its interpreter with
  ``--ydata-python`` or the ``DCI_BENCH_YDATA_PYTHON`` environment variable (skipped if unset).
  Under that pandas the frame's strings are ``object``, so its frame memory differs.

Run (2-core machine, threads capped)::

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_profile.py --rows 100000 1000000 \
        --ydata-python /tmp/venv-ydata/bin/python
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("dci", "dci-1core", "dci+html", "floor", "ydata")
BUDGETS = {100_000: 0.3, 1_000_000: 2.5}
MEMORY_BUDGET = 1.5


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


class _PeakRSS:
    """Poll the process RSS in a thread; keep the highest value seen."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(self.interval)

    def __enter__(self) -> _PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())


def _release_free_memory() -> None:
    # Give freed heap memory back to the OS so the baseline RSS is the live memory only.
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:
        pass


def _floor(df) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    df.describe(include="all")
    df.isna().sum()
    df.nunique()
    for name in df.select_dtypes("number").columns:
        values = df[name].to_numpy(dtype=float, na_value=np.nan)
        values = values[np.isfinite(values)]
        if len(values):
            np.histogram(values, bins=50)


def _run_tool(tool: str, df, out_dir: str) -> None:  # type: ignore[no-untyped-def]
    if tool in ("dci", "dci-1core", "dci+html"):
        from jupyter_dci.core.profile import profile

        prof = profile(df, n_jobs=1 if tool == "dci-1core" else None)
        if tool == "dci+html":
            prof.to_html(os.path.join(out_dir, "dci.html"))
    elif tool == "floor":
        _floor(df)
    elif tool == "ydata":
        from ydata_profiling import ProfileReport

        ProfileReport(df, minimal=True, progress_bar=False).to_html()
    else:
        raise ValueError(f"unknown tool {tool!r}")


def _warm_up(tool: str) -> None:
    # Import and touch the code paths on a tiny frame so the timing is of the work, not imports.
    from benchmarks.frames import make_mixed_frame

    with tempfile.TemporaryDirectory() as out:
        _run_tool(tool, make_mixed_frame(500, seed=1), out)


def child(tool: str, n_rows: int) -> dict[str, float]:
    """Measure one tool once, in this process; return seconds and memory figures."""
    import warnings

    warnings.filterwarnings("ignore")
    from benchmarks.frames import make_mixed_frame

    _warm_up(tool)
    df = make_mixed_frame(n_rows)
    frame_bytes = int(df.memory_usage(deep=True).sum())
    gc.collect()
    _release_free_memory()
    with tempfile.TemporaryDirectory() as out:
        base = _rss()
        with _PeakRSS() as peak:
            start = time.perf_counter()
            _run_tool(tool, df, out)
            seconds = time.perf_counter() - start
        html_bytes = 0
        if tool == "dci+html":
            html_bytes = os.path.getsize(os.path.join(out, "dci.html"))
    return {
        "seconds": seconds,
        "extra_bytes": peak.peak - base,
        "frame_bytes": frame_bytes,
        "html_bytes": html_bytes,
    }


def _spawn(tool: str, n_rows: int, python: str, *, memory: bool = False) -> dict[str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMBA_NUM_THREADS": "1",
    }
    if memory:
        # Make RSS follow live memory: every large block is mmapped and returned at free (glibc
        # otherwise raises its mmap threshold once the frame is built and keeps freed memory,
        # hiding the tool's peak), and Arrow allocates through malloc too. Page faults make this
        # run slower, so its time is not used.
        env.update(
            MALLOC_MMAP_THRESHOLD_="65536",
            MALLOC_TRIM_THRESHOLD_="0",
            ARROW_DEFAULT_MEMORY_POOL="system",
        )
    cmd = [python, str(Path(__file__).resolve()), "--child", tool, str(n_rows)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{tool} at {n_rows} rows failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _report(raw: dict[str, dict[str, list[dict[str, float]]]]) -> None:
    """Print the medians of every tool beside dci's, and dci against its budget."""
    print(f"\nprofile benchmark, medians over fresh processes (python {sys.version.split()[0]})")
    header = f"{'rows':>9}  {'tool':9}  {'median s':>9}  {'min-max s':>13}  {'x dci':>7}"
    header += f"  {'peak extra':>11}  {'frame':>9}  {'extra/frame':>11}"
    print(header)
    for n_rows, tools in raw.items():
        dci = tools.get("dci")
        dci_median = statistics.median(r["seconds"] for r in dci) if dci else None
        for tool, runs in tools.items():
            secs = [r["seconds"] for r in runs]
            med = statistics.median(secs)
            extra = statistics.median(r["extra_bytes"] for r in runs)
            frame = runs[0]["frame_bytes"]
            ratio = f"{med / dci_median:6.1f}x" if dci_median else "      -"
            print(
                f"{int(n_rows):>9,}  {tool:9}  {med:9.3f}  {min(secs):6.2f}-{max(secs):6.2f}"
                f"  {ratio}  {_mib(extra):>11}  {_mib(frame):>9}  {extra / frame:11.2f}"
            )
            if tool == "dci+html":
                print(f"{'':>9}  {'':9}  report size {runs[0]['html_bytes'] / 1024:,.0f} KiB")
        budget = BUDGETS.get(int(n_rows))
        if budget and dci_median is not None:
            verdict = "within" if dci_median <= budget else "OVER"
            print(f"{'':>9}  budget {budget} s: dci {dci_median:.3f} s, {verdict} budget")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--ydata-repeat", type=int, default=1, help="ydata is slow: fewer runs")
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument(
        "--ydata-python",
        default=os.environ.get("DCI_BENCH_YDATA_PYTHON"),
        help="interpreter of a venv with ydata-profiling (or $DCI_BENCH_YDATA_PYTHON)",
    )
    parser.add_argument("--json", help="also write the raw runs here")
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]))))
        return 0

    raw: dict[str, dict[str, list[dict[str, float]]]] = {}
    for n_rows in args.rows:
        for tool in args.tools:
            python = sys.executable
            repeat = args.repeat
            if tool == "ydata":
                if not args.ydata_python:
                    print(f"skip ydata at {n_rows:,} rows: no --ydata-python", file=sys.stderr)
                    continue
                python, repeat = args.ydata_python, args.ydata_repeat
            runs = []
            for _ in range(repeat):
                runs.append(_spawn(tool, n_rows, python))
                print(
                    f"  {tool:9s} {n_rows:>9,} rows: {runs[-1]['seconds']:.3f} s", file=sys.stderr
                )
            # ydata is too slow for a second run: its memory comes from its timed run, where the
            # baseline counts freed memory glibc kept, which can only under-state its peak.
            mem = runs[0] if tool == "ydata" else _spawn(tool, n_rows, python, memory=True)
            for run in runs:
                run["extra_bytes"] = mem["extra_bytes"]
            raw.setdefault(str(n_rows), {})[tool] = runs

    _report(raw)
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
