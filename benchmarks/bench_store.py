"""Benchmark the versioned store beside the anchors: Delta Lake MERGE and Lance, same data.

Run from the repository root (under a minute at 1M rows, ~2.5 GB of memory):

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_store.py [--rows 1000000]

Budgets (DESIGN.md): commit of a 10-row relabel on 1M rows x 21 columns <= 50 ms and
<= 64 KB on disk; load any version <= 0.7 s; diff of 100 changed rows <= 30 ms; commit
of 100,000 changed cells <= 0.5 s; 400 successive small commits without drift beyond
2x. Figures are medians of several runs, in one process, side by side with
``deltalake``'s MERGE and ``lance``'s merge_insert (stable row ids) of the same rows
(imports and frame building left out). An anchor that is not installed, or fails at a
step, is reported below the table instead of stopping the run.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
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
DRIFT_COMMITS = 400


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


def timed_growth(fn: Callable[[], object], path: Path, runs: int) -> tuple[float, float]:
    """Median seconds of ``fn`` and the mean growth of ``path`` per call, in MB."""
    times, sizes = [], []
    for _ in range(runs):
        before = folder_bytes(path)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        sizes.append(folder_bytes(path) - before)
    return statistics.median(times), statistics.mean(sizes) / 2**20


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
    out["commit 10-row disk KB (mean)"] = statistics.mean(sizes) / 1024

    rows100 = rng.choice(n, 100, replace=False)
    ds.relabel(rows100, "horse", reason="bench")
    ds.commit("100 rows")
    out["diff of 100 rows s"], _ = median_time(lambda: ds.diff("HEAD~1", "HEAD"), runs)

    commit100k = []
    for _ in range(3):
        rows = rng.choice(n, 100_000, replace=False)
        before = folder_bytes(ds.path)
        start = time.perf_counter()
        ds.relabel(rows, str(rng.choice(LABELS)), reason="bench")
        mid = time.perf_counter()
        ds.commit("100k rows")
        end = time.perf_counter()
        commit100k.append((mid - start, end - mid, folder_bytes(ds.path) - before))
    out["100k cells: relabel s"] = statistics.median(t[0] for t in commit100k)
    out["100k cells: commit s"] = statistics.median(t[1] for t in commit100k)
    # A commit that passes rebase_edits also writes a new base snapshot: counted here.
    out["100k cells: disk MB per commit (mean)"] = statistics.mean(t[2] for t in commit100k) / 2**20
    log_bytes = sum(p.stat().st_size for p in ds.path.glob("log.sqlite*"))
    out["  edit log MB after 3 x 100k"] = log_bytes / 2**20
    out["  base snapshots (rebases + 1)"] = len(list(ds.path.glob("base-*.parquet")))

    out["load latest s"], _ = median_time(lambda: ds.checkout("HEAD"), 3)
    out["load version 1 s"], _ = median_time(lambda: ds.checkout(1), 3)
    middle = ds.head.id // 2
    out[f"load version {middle} s"], _ = median_time(lambda: ds.checkout(middle), 3)

    # Drift: 400 more small commits (the count); compare the first and last 20.
    drift = []
    for _ in range(DRIFT_COMMITS):
        rows = rng.choice(n, 10, replace=False)
        ds.relabel(rows, str(rng.choice(LABELS)))
        start = time.perf_counter()
        ds.commit("drift")
        drift.append(time.perf_counter() - start)
    out["drift: commit first 20 s"] = statistics.median(drift[:20])
    out[f"drift: commit last 20 of {DRIFT_COMMITS} s"] = statistics.median(drift[-20:])
    out["load latest after drift s"], _ = median_time(lambda: ds.checkout("HEAD"), 3)
    return out


def anchor_table(df: pd.DataFrame) -> pa.Table:
    """The frame as the Arrow table both anchors write: a row_id key, plain types.

    Dictionary (categorical) columns become their values and timestamps microseconds,
    the types Delta Lake holds; Lance gets the very same table.
    """
    data = df.reset_index(names="row_id")
    table = pa.Table.from_pandas(data, preserve_index=False)
    columns = [
        c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns
    ]
    columns = [
        c.cast(pa.timestamp("us", c.type.tz)) if pa.types.is_timestamp(c.type) else c
        for c in columns
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)


def bench_delta(table: pa.Table, root: Path, runs: int) -> dict[str, float]:
    from deltalake import DeltaTable, write_deltalake

    rng = np.random.default_rng(1)
    n = table.num_rows
    out: dict[str, float] = {}
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
    seconds, megabytes = timed_growth(lambda: merge(10), path, runs)
    out["commit 10-row relabel s"] = seconds
    out["commit 10-row disk KB (mean)"] = megabytes * 1024
    out["100k cells: commit s"], out["100k cells: disk MB per commit (mean)"] = timed_growth(
        lambda: merge(100_000), path, 3
    )
    out["load latest s"], _ = median_time(lambda: DeltaTable(str(path)).to_pandas(), 3)
    out["load version 1 s"], _ = median_time(
        lambda: DeltaTable(str(path), version=1).to_pandas(), 3
    )
    return out


def bench_lance(table: pa.Table, root: Path, runs: int, errors: list[str]) -> dict[str, float]:
    """The same steps with Lance: stable row ids, a relabel as a merge_insert on row_id.

    A step that fails is recorded in ``errors`` (printed under the table) and the
    remaining steps still run; a missing figure stays blank.
    """
    import lance

    rng = np.random.default_rng(1)
    n = table.num_rows
    out: dict[str, float] = {}
    path = root / "lance"
    label_type = table.schema.field("label").type  # the source must match it exactly

    @contextlib.contextmanager
    def step(name: str) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # an anchor's failure is a result to report, not a crash
            errors.append(f"Lance, {name}: {type(exc).__name__}: {exc}")

    with step("initial write"):
        start = time.perf_counter()
        lance.write_dataset(table, str(path), enable_stable_row_ids=True)
        out["initial write s"] = time.perf_counter() - start
    if "initial write s" not in out:
        return out

    def merge(k: int) -> None:
        rows = rng.choice(n, k, replace=False)
        source = pa.table(
            {
                "row_id": pa.array(rows, pa.int64()),
                "label": pa.array([str(rng.choice(LABELS))] * k, label_type),
            }
        )
        # A source with only the key and the changed column: Lance rewrites that column
        # of the matched rows, as Delta's MERGE ... UPDATE SET label does.
        lance.dataset(str(path)).merge_insert("row_id").when_matched_update_all().execute(source)

    with step("10-row relabel (merge_insert)"):
        merge(10)
        seconds, megabytes = timed_growth(lambda: merge(10), path, runs)
        out["commit 10-row relabel s"] = seconds
        out["commit 10-row disk KB (mean)"] = megabytes * 1024
    with step("100,000-row relabel (merge_insert)"):
        out["100k cells: commit s"], out["100k cells: disk MB per commit (mean)"] = timed_growth(
            lambda: merge(100_000), path, 3
        )
    with step("load the latest version"):
        out["load latest s"], _ = median_time(
            lambda: lance.dataset(str(path)).to_table().to_pandas(), 3
        )
    with step("load version 1 (time travel)"):
        out["load version 1 s"], _ = median_time(
            lambda: lance.dataset(str(path), version=1).to_table().to_pandas(), 3
        )
    return out


def print_table(results: dict[str, dict[str, float]]) -> None:
    """One line per measure: our figure, then each anchor's and its ratio to ours."""
    names = list(results)
    ours = results[names[0]]
    keys = list(ours) + [k for r in results.values() for k in r if k not in ours]
    keys = list(dict.fromkeys(keys))
    header = f"{'measure':42} {names[0]:>10}"
    for name in names[1:]:
        header += f" {name:>12} {'ratio':>7}"
    print("\n" + header)
    for key in keys:
        value = ours.get(key)
        line = f"{key:42} " + (f"{value:10.4f}" if value is not None else " " * 10)
        for name in names[1:]:
            other = results[name].get(key.strip())
            other_text = f"{other:12.4f}" if other is not None else " " * 12
            ratio = f"{other / value:6.1f}x" if other is not None and value else ""
            line += f" {other_text} {ratio:>7}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-delta", action="store_true")
    parser.add_argument("--skip-lance", action="store_true")
    args = parser.parse_args()
    df = build_frame(args.rows)
    print(
        f"frame: {len(df):,} rows x {df.shape[1]} columns, "
        f"{df.memory_usage(deep=True).sum() / 2**20:.0f} MiB; pandas {pd.__version__}"
    )
    work = Path(tempfile.mkdtemp(prefix="bench_store_"))
    results: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    try:
        results["edit log"] = bench_ours(df.copy(), work / "ours", args.runs)
        table = anchor_table(df)
        if not args.skip_delta:
            results["Delta MERGE"] = bench_delta(table, work, args.runs)
        if not args.skip_lance:
            try:
                results["Lance"] = bench_lance(table, work, args.runs, errors)
            except ImportError as exc:
                errors.append(f"Lance not run: {exc} (pip install pylance)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(results)
    for error in errors:
        print(error)


if __name__ == "__main__":
    main()
