"""Benchmark the versioned store beside the anchor: a Delta Lake MERGE of the same relabel.

Run from the repository root (about two minutes, ~3 GB of memory at 1M rows):

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_store.py [--rows 1000000]

Budgets (DESIGN.md): commit of a 10-row relabel on 1M rows x 21 columns <= 50 ms and
<= 64 KB on disk; load any version <= 0.7 s; diff of 100 changed rows <= 30 ms; commit
of 100,000 changed cells <= 0.5 s. Figures are medians of several runs, in one process,
side by side with ``deltalake``'s MERGE of the same rows (imports and frame building
left out).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from jupyter_dci.store import track

try:
    from benchmarks.frames import make_mixed_frame
except ImportError:  # run from elsewhere, or the shared generator is missing
    make_mixed_frame = None

LABELS = np.array(["cat", "dog", "bird", "fish", "horse"])


def build_frame(n_rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    if make_mixed_frame is not None:
        df = make_mixed_frame(n_rows, seed=0)
    else:
        df = pd.DataFrame({f"x{i}": rng.normal(size=n_rows) for i in range(16)})
        for i in range(4):
            df[f"s{i}"] = rng.choice(LABELS, n_rows).astype(object)
    df["label"] = pd.Categorical(rng.choice(LABELS, n_rows), categories=LABELS)
    return df


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def median_time(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def bench_ours(df: pd.DataFrame, root: Path, runs: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    n = len(df)
    out: dict[str, float] = {}
    start = time.perf_counter()
    ds = track(df, name="bench", label="label", root=root)
    out["initial write s"] = time.perf_counter() - start

    def relabel_commit(k: int) -> None:
        rows = rng.choice(n, k, replace=False)
        ds.relabel(rows, str(rng.choice(LABELS)), reason="bench", source="bench")
        ds.commit(f"{k} rows")

    relabel_commit(10)  # warm: builds the index's hash table once
    commit_times, sizes = [], []
    for _ in range(max(runs, 20)):
        before = folder_bytes(ds.path)
        rows = rng.choice(n, 10, replace=False)
        ds.relabel(rows, str(rng.choice(LABELS)), reason="bench", source="bench")
        start = time.perf_counter()
        ds.commit("10 rows")
        commit_times.append(time.perf_counter() - start)
        sizes.append(folder_bytes(ds.path) - before)
    out["commit 10-row relabel s"] = statistics.median(commit_times)
    out["  relabel+commit incl. s"], _ = median_time(lambda: relabel_commit(10), runs)
    out["commit 10-row disk KB (mean of 20)"] = statistics.mean(sizes) / 1024

    rows100 = rng.choice(n, 100, replace=False)
    ds.relabel(rows100, "horse", reason="bench")
    ds.commit("100 rows")
    out["diff of 100 rows s"], _ = median_time(lambda: ds.diff("HEAD~1", "HEAD"), runs)

    commit100k = []
    for _ in range(3):
        rows = rng.choice(n, 100_000, replace=False)
        start = time.perf_counter()
        ds.relabel(rows, str(rng.choice(LABELS)), reason="bench")
        mid = time.perf_counter()
        ds.commit("100k rows")
        end = time.perf_counter()
        commit100k.append((mid - start, end - mid))
    out["100k cells: relabel s"] = statistics.median(t[0] for t in commit100k)
    out["100k cells: commit s"] = statistics.median(t[1] for t in commit100k)
    log_bytes = sum(p.stat().st_size for p in ds.path.glob("log.sqlite*"))
    out["  edit log MB after 3 x 100k"] = log_bytes / 2**20
    out["  base snapshots (rebases + 1)"] = len(list(ds.path.glob("base-*.parquet")))

    out["load latest s"], _ = median_time(lambda: ds.checkout("HEAD"), 3)
    out["load version 1 s"], _ = median_time(lambda: ds.checkout(1), 3)
    middle = ds.head.id // 2
    out[f"load version {middle} s"], _ = median_time(lambda: ds.checkout(middle), 3)

    # Drift: 200 more small commits; compare the first and last 20.
    drift = []
    for _ in range(200):
        rows = rng.choice(n, 10, replace=False)
        ds.relabel(rows, str(rng.choice(LABELS)))
        start = time.perf_counter()
        ds.commit("drift")
        drift.append(time.perf_counter() - start)
    out["drift: commit first 20 s"] = statistics.median(drift[:20])
    out["drift: commit last 20 s"] = statistics.median(drift[-20:])
    out["load latest after drift s"], _ = median_time(lambda: ds.checkout("HEAD"), 3)
    return out


def bench_delta(df: pd.DataFrame, root: Path, runs: int) -> dict[str, float]:
    from deltalake import DeltaTable, write_deltalake

    rng = np.random.default_rng(1)
    n = len(df)
    out: dict[str, float] = {}
    data = df.reset_index(names="row_id")
    table = pa.Table.from_pandas(data, preserve_index=False)
    columns = [
        c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    columns = [
        c.cast(pa.timestamp("us", c.type.tz)) if pa.types.is_timestamp(c.type) else c
        for c in columns
    ]
    table = pa.Table.from_arrays(columns, names=table.column_names)
    path = root / "delta"
    start = time.perf_counter()
    write_deltalake(str(path), table)
    out["initial write s"] = time.perf_counter() - start

    def merge(k: int) -> None:
        rows = rng.choice(n, k, replace=False)
        source = pa.table(
            {"row_id": pa.array(rows, pa.int64()), "label": [str(rng.choice(LABELS))] * k}
        )
        (
            DeltaTable(str(path))
            .merge(source, predicate="t.row_id = s.row_id", source_alias="s", target_alias="t")
            .when_matched_update(updates={"label": "s.label"})
            .execute()
        )

    merge(10)
    times, sizes = [], []
    for _ in range(runs):
        before = folder_bytes(path)
        start = time.perf_counter()
        merge(10)
        times.append(time.perf_counter() - start)
        sizes.append(folder_bytes(path) - before)
    out["commit 10-row relabel s"] = statistics.median(times)
    out["commit 10-row disk KB (mean of 20)"] = statistics.mean(sizes) / 1024
    out["100k cells: commit s"], _ = median_time(lambda: merge(100_000), 3)
    out["load latest s"], _ = median_time(lambda: DeltaTable(str(path)).to_pandas(), 3)
    out["load version 1 s"], _ = median_time(
        lambda: DeltaTable(str(path), version=1).to_pandas(), 3
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-delta", action="store_true")
    args = parser.parse_args()
    df = build_frame(args.rows)
    print(
        f"frame: {len(df):,} rows x {df.shape[1]} columns, "
        f"{df.memory_usage(deep=True).sum() / 2**20:.0f} MiB; pandas {pd.__version__}"
    )
    work = Path(tempfile.mkdtemp(prefix="bench_store_"))
    try:
        ours = bench_ours(df.copy(), work / "ours", args.runs)
        delta = {} if args.skip_delta else bench_delta(df, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{'measure':42} {'edit log':>10} {'Delta MERGE':>12} {'ratio':>7}")
    for key, value in ours.items():
        other = delta.get(key.strip())
        ratio = f"{other / value:6.1f}x" if other else ""
        other_text = f"{other:12.4f}" if other is not None else " " * 12
        print(f"{key:42} {value:10.4f} {other_text} {ratio:>7}")
    for key, value in delta.items():
        if key not in ours:
            print(f"{key:42} {'':>10} {value:12.4f}")


if __name__ == "__main__":
    main()
