"""Slice discovery in a Parquet file beyond memory: find_slices(path) beside sliceline 0.3.

The file is the scale file of notes/anchors.md ("Beyond memory": ``benchmarks/scale_data.py``)
plus an ``error`` bool column with a planted slice, ``score < 20 and city == 'city_0003'``
(~1.2% of the rows, 40% error against 5% elsewhere), written chunk by chunk under ``--dir``.

- ``dci``: ``find_slices(path, "error", features=[every column but id and error])``: DuckDB
  bins the columns and groups the rows by their codes; the search runs on the counts.
- ``sliceline``: sliceline 0.3.0 (alpha=0.95, max_l=2, min_sup=1%, k=3, as in the notes) on a
  1M-row pandas sample of the same file, with the same bins as ours (its fit alone is timed).
  It cannot take 20M rows in memory: its one-hot matrix and pair candidates took 5.7 GiB at
  1M rows here (3.9 GiB with 8 features in notes/anchors.md), so the anchor is its 1M-row
  figure.

Every figure is a fresh process (wall time and peak RSS of that process, read with
``os.wait4``); times are medians over ``--repeat`` processes.

Usage::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 POLARS_MAX_THREADS=2 \\
        .venv/bin/python benchmarks/bench_scale_slices.py --rows 20000000 --repeat 3
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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.scale_data import chunk_table  # noqa: E402

PLANTED = "score < 20 and city == 'city_0003'"
PARENTS = ("city == 'city_0003'", "score < 20")
FEATURES = ["amount", "price", "score", "city", "active", "ts", "label", "ratio", "note"]
PEAK_BUDGET = 2**30
TIME_BUDGET = 20.0


def planted_chunk(start: int, n: int, n_total: int, seed: int = 0) -> pa.Table:
    """Rows ``[start, start + n)`` of the scale file plus their ``error`` column."""
    table = chunk_table(start, n, n_total, seed)
    rng = np.random.default_rng([seed, start, 1])
    city = table.column("city").cast(pa.string()).to_numpy(zero_copy_only=False)
    score = table.column("score").to_numpy()
    bad = (city == "city_0003") & (score < 20)
    error = np.where(bad, rng.random(n) < 0.40, rng.random(n) < 0.05)
    return table.append_column("error", pa.array(error))


def write_planted_file(path: Path, n_rows: int, *, chunk: int = 1_000_000) -> Path:
    """Write the planted file once (one row group per chunk); reuse it when present."""
    path = Path(path)
    if path.exists() and pq.read_metadata(path).num_rows == n_rows:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = None
    try:
        for start in range(0, n_rows, chunk):
            table = planted_chunk(start, min(chunk, n_rows - start), n_rows)
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="snappy")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(path)
    return path


def child_dci(path: str) -> dict[str, Any]:
    from jupyter_dci.core.slices import find_slices

    start = time.perf_counter()
    found = find_slices(path, "error", features=FEATURES)
    seconds = time.perf_counter() - start
    top = [s.slice.describe() for s in found.slices[:3]]
    return {"seconds": seconds, "top3": top, "message": found.message}


def child_sliceline(path: str) -> dict[str, Any]:
    import pandas as pd
    from sliceline.slicefinder import Slicefinder

    from jupyter_dci.core.slices._bins import encode_features

    # The first 1M rows (one row group): the file's rows are in no particular order.
    frame: pd.DataFrame = pq.ParquetFile(path).read_row_group(0).to_pandas()
    errors = frame.pop("error").to_numpy()
    features, _ = encode_features(frame, FEATURES)
    x = np.column_stack([f.codes for f in features]).astype(np.int64)
    finder = Slicefinder(alpha=0.95, k=3, max_l=2, min_sup=0.01, verbose=False)
    start = time.perf_counter()
    finder.fit(x, errors.astype(float))
    seconds = time.perf_counter() - start
    top = []
    for row in finder.top_slices_:
        parts = [_level(features[j], v) for j, v in enumerate(row) if v is not None and v == v]
        top.append(" and ".join(parts))
    return {"seconds": seconds, "top3": top, "rows": len(frame)}


def _level(feature: Any, code: Any) -> str:
    # The code past the levels holds a text column's rarer values.
    code = int(code)
    return feature.levels[code] if code < feature.n_levels else f"{feature.column}: other"


CHILDREN = {"dci": child_dci, "sliceline": child_sliceline}


def spawn(kind: str, path: Path) -> dict[str, Any]:
    """Run one child in a fresh process; add its peak RSS (MiB)."""
    env = {**os.environ, "POLARS_MAX_THREADS": "2", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{kind} failed (status {status})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["peak_mib"] = usage.ru_maxrss / 1024
    # CPU seconds of the whole process (start-up included): a figure other load on the
    # machine barely moves, unlike the wall time.
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def _rank(top: list[str]) -> int | None:
    return top.index(PLANTED) + 1 if PLANTED in top else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("path", nargs="?")
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale_slices"))
    parser.add_argument("--no-sliceline", action="store_true")
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(CHILDREN[args.child](args.path)) + "\n")
        return
    path = write_planted_file(args.dir / f"planted_{args.rows}.parquet", args.rows)
    pq.read_table(path, columns=["error"])  # warm the page cache (and check the file)
    runs = [spawn("dci", path) for _ in range(args.repeat)]
    seconds = [r["seconds"] for r in runs]
    peak = max(r["peak_mib"] for r in runs)
    top = runs[0]["top3"]
    cpu = statistics.median(r["cpu"] for r in runs)
    lines = [
        "| tool | rows | median | runs | CPU | peak RSS | planted rank | parents in top 3 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        f"| find_slices(path) | {args.rows:,} | {statistics.median(seconds):.1f} s | "
        f"{', '.join(f'{s:.1f}' for s in seconds)} | {cpu:.1f} s | {peak:.0f} MiB | "
        f"{_rank(top)} | {', '.join(p for p in PARENTS if p in top) or 'none'} |",
    ]
    if not args.no_sliceline:
        theirs = spawn("sliceline", path)
        lines.append(
            f"| sliceline 0.3 (1M-row sample) | {theirs['rows']:,} | {theirs['seconds']:.1f} s "
            f"| 1 | {theirs['cpu']:.1f} s | {theirs['peak_mib']:.0f} MiB | "
            f"{_rank(theirs['top3'])} | "
            f"{', '.join(p for p in PARENTS if p in theirs['top3']) or 'none'} |"
        )
        lines.append(f"|   top 3 (sliceline) | | {' / '.join(theirs['top3'])} ||||||")
    lines.append(f"|   top 3 (ours) | | {' / '.join(top)} ||||||")
    ok = statistics.median(seconds) <= TIME_BUDGET and peak * 2**20 <= PEAK_BUDGET
    lines.append(
        f"\nbudget (<= {TIME_BUDGET:.0f} s, <= 1 GiB, rank 1): "
        f"{'met' if ok and _rank(top) == 1 else 'NOT met'}; {runs[0]['message']}"
    )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
