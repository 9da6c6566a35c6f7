"""Profiling a Parquet file beyond memory: dci.profile(path) beside Polars and DuckDB.

Every figure is a fresh process (time and peak resident memory of that process alone, read
with ``os.wait4``), 2 threads for every engine, the file in the page cache (a warm-up read
first), medians over ``--repeat`` runs, the anchors measured in the same run
(notes/anchors.md, "Beyond memory"):

- ``dci``: ``dci.profile(path)`` (DuckDB underneath; every column summarised, every alert);
- ``polars``: ``pl.scan_parquet(path).describe()``;
- ``duckdb``: ``SUMMARIZE`` of the file (approximate distincts, quantiles).

Goals (issue "Any dataframe, any size on one machine"): dci no slower than 1.2x Polars'
describe and at most half of DuckDB's SUMMARIZE, at <= 1 GiB peak.

Usage::

    .venv/bin/python benchmarks/bench_scale.py --rows 20000000 --repeat 3

The file is written once under ``--dir`` (``benchmarks/scale_data.py``; 20M rows: ~800 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.scale_data import write_scale_file  # noqa: E402

TOOLS = ("dci", "polars", "duckdb")
GOALS = {"polars": 1.2, "duckdb": 0.5}
PEAK_BUDGET = 2**30


def child(tool: str, path: str) -> dict[str, float]:
    """Run one tool once in this (fresh) process; return its wall time."""
    os.environ["POLARS_MAX_THREADS"] = "2"
    if tool == "dci":
        import jupyter_dci as dci

        start = time.perf_counter()
        prof = dci.profile(path)
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "alerts": len(prof.alerts)}
    if tool == "polars":
        import polars as pl

        start = time.perf_counter()
        pl.scan_parquet(path).describe()
        return {"seconds": time.perf_counter() - start}
    import duckdb

    con = duckdb.connect(config={"threads": 2})
    start = time.perf_counter()
    # The path is ours (the benchmark's own file), not user text.
    con.sql(f"SUMMARIZE SELECT * FROM read_parquet('{path}')").fetchall()
    return {"seconds": time.perf_counter() - start}


def _spawn(tool: str, path: Path) -> dict[str, float]:
    env = {**os.environ, "POLARS_MAX_THREADS": "2", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", tool, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{tool} failed (status {status})")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak"] = usage.ru_maxrss * 1024
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dci_scale"))
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"scale_{args.rows}.parquet"
    if not path.exists():
        print(f"writing {path} ...", file=sys.stderr)
        write_scale_file(path, args.rows)
    path.read_bytes()  # into the page cache: every tool reads a warm file
    runs: dict[str, list[dict[str, float]]] = {t: [] for t in args.tools}
    for i in range(args.repeat):  # interleaved, so load on the machine hits every tool alike
        for tool in args.tools:
            runs[tool].append(_spawn(tool, path))
            r = runs[tool][-1]
            print(
                f"  run {i + 1} {tool:7s} {r['seconds']:7.2f} s  {r['peak'] / 2**30:5.2f} GiB",
                file=sys.stderr,
            )
    size = path.stat().st_size / 2**20
    print(
        f"\n{args.rows:,} rows x 10 columns of Parquet ({size:,.0f} MiB), medians of {args.repeat}"
    )
    print(f"{'tool':8} {'median s':>9} {'min-max s':>13} {'peak GiB':>9}  dci / tool")
    med = {t: statistics.median(r["seconds"] for r in rs) for t, rs in runs.items()}
    for tool, rs in runs.items():
        secs = [r["seconds"] for r in rs]
        peak = statistics.median(r["peak"] for r in rs) / 2**30
        ratio = f"{med['dci'] / med[tool]:.2f}x" if "dci" in med and tool != "dci" else ""
        print(f"{tool:8} {med[tool]:9.2f} {min(secs):6.2f}-{max(secs):6.2f} {peak:9.2f}  {ratio}")
    if "dci" in med:
        peak = max(r["peak"] for r in runs["dci"])
        for tool, goal in GOALS.items():
            if tool in med:
                ratio = med["dci"] / med[tool]
                verdict = "met" if ratio <= goal else "NOT met"
                print(f"goal dci <= {goal}x {tool}: {ratio:.2f}x, {verdict}")
        verdict = "met" if peak <= PEAK_BUDGET else "NOT met"
        print(f"goal peak <= 1 GiB: {peak / 2**30:.2f} GiB (worst run), {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
