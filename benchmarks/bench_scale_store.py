"""Tracking a Parquet file beyond memory: dci.track(path, key=...) beside pandas and Delta.

Every step is a fresh process (time of each part, peak resident memory of the process, read
with ``os.wait4``), the file in the page cache (a warm-up read first), the anchors measured
in the same run:

- ``lazy``: ``dci.track(path, name=..., key="id")`` (the file pinned in place: SHA-256 and a
  key check in DuckDB), a 10-row and a 100,000-row relabel + commit, a checkout of HEAD
  (a DuckDB relation joining the file with the edits) with its first page and its count;
- ``pandas``: the same on ``pd.read_parquet(path)`` tracked by the pandas store (a base
  snapshot written, edits by key column, checkout rebuilt in memory);
- ``delta``: the file written as a Delta table, the relabels as ``MERGE`` (deltalake), the
  checkout as a pyarrow dataset read by DuckDB. Skipped, with a note, when ``deltalake`` is
  not installed.

Usage::

    .venv/bin/python benchmarks/bench_scale_store.py --file /tmp/scale/s20m.parquet

Without ``--file`` the seeded file of ``benchmarks/scale_data.py`` is written under ``--dir``
(``--rows`` rows; 20M: ~800 MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.scale_data import write_scale_file  # noqa: E402

SYSTEMS = ("lazy", "pandas", "delta")
STEPS = ("track", "edit10", "edit100k", "checkout")
NAME = "scale"


def _keys(n_rows: int, k: int, seed: int) -> list[int]:
    import numpy as np

    # The scale file's ids are 0..n-1: a random sample of existing keys.
    return np.random.default_rng(seed).choice(n_rows, k, replace=False).tolist()


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _n_rows(path: str) -> int:
    import pyarrow.parquet as pq

    return int(pq.read_metadata(path).num_rows)


def _dci(system: str, step: str, path: str, work: Path) -> dict[str, Any]:
    """One step of the lazy or the pandas store."""
    import duckdb  # noqa: F401  # imported before the clocks start: the steps, not imports
    import narwhals  # noqa: F401
    import pandas  # noqa: F401

    import jupyter_dci as dci
    import jupyter_dci.store

    root = work / system
    out: dict[str, Any] = {}
    if step == "track":
        start = time.perf_counter()
        if system == "lazy":
            data: Any = path
        else:
            import pandas as pd

            data = pd.read_parquet(path)
            out["read s"] = time.perf_counter() - start
        dci.track(data, name=NAME, key="id", label="label", root=root)
        out["seconds"] = time.perf_counter() - start
        out["store MiB"] = _folder_bytes(root / NAME) / 2**20
        if system == "lazy":
            from jupyter_dci.store._pin import hash_file

            start = time.perf_counter()
            hash_file(Path(path))
            out["of which hash s"] = time.perf_counter() - start
        return out
    start = time.perf_counter()
    ds = dci.open(NAME, root=root)
    out["open s"] = time.perf_counter() - start
    if step.startswith("edit"):
        k = 10 if step == "edit10" else 100_000
        keys = _keys(_n_rows(path), k, seed=k)
        before = _folder_bytes(root / NAME)
        start = time.perf_counter()
        ds.relabel(keys, 1, reason="bench")
        out["relabel s"] = time.perf_counter() - start
        start = time.perf_counter()
        ds.commit(f"{k} rows")
        out["commit s"] = time.perf_counter() - start
        out["seconds"] = out["relabel s"] + out["commit s"]
        out["commit KiB"] = (_folder_bytes(root / NAME) - before) / 2**10
        return out
    start = time.perf_counter()
    version = ds.checkout("HEAD")
    out["checkout s"] = time.perf_counter() - start
    keys = _keys(_n_rows(path), 10, seed=10)
    if system == "lazy":
        import narwhals.stable.v2 as nw

        start = time.perf_counter()
        version.limit(100).df()
        out["first page s"] = time.perf_counter() - start
        start = time.perf_counter()
        out["rows"] = int(version.aggregate("count(*)").fetchall()[0][0])
        out["count s"] = time.perf_counter() - start
        picked = nw.from_native(version).filter(nw.col("id").is_in(keys)).select("label")
        labels = picked.collect().to_native().column(0).to_pylist()
    else:
        start = time.perf_counter()
        version.iloc[:100].copy()
        out["first page s"] = time.perf_counter() - start
        out["rows"] = len(version)
        labels = version.loc[version["id"].isin(keys), "label"].tolist()
    out["edits applied"] = labels == [1] * 10
    out["seconds"] = out["open s"] + out["checkout s"] + out["first page s"]
    return out


def _delta(step: str, path: str, work: Path) -> dict[str, Any]:
    """One step of the Delta Lake anchor."""
    import duckdb
    import pyarrow as pa
    from deltalake import DeltaTable, write_deltalake

    table = work / "delta"
    out: dict[str, Any] = {}
    if step == "track":
        con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
        start = time.perf_counter()
        # Streamed: DuckDB reads the file in batches (Delta takes no dictionary columns).
        reader = con.sql(
            "SELECT * REPLACE (CAST(city AS VARCHAR) AS city) FROM read_parquet($path)",
            params={"path": path},
        ).arrow()
        write_deltalake(str(table), reader)
        out["seconds"] = time.perf_counter() - start
        out["store MiB"] = _folder_bytes(table) / 2**20
        return out
    if step.startswith("edit"):
        k = 10 if step == "edit10" else 100_000
        keys = _keys(_n_rows(path), k, seed=k)
        before = _folder_bytes(table)
        source = pa.table({"id": pa.array(keys, pa.int64()), "label": pa.array([1] * k, pa.int8())})
        start = time.perf_counter()
        (
            DeltaTable(str(table))
            .merge(source, predicate="t.id = s.id", source_alias="s", target_alias="t")
            .when_matched_update(updates={"label": "s.label"})
            .execute()
        )
        out["seconds"] = out["commit s"] = time.perf_counter() - start
        out["commit KiB"] = (_folder_bytes(table) - before) / 2**10
        return out
    con = duckdb.connect(config={"threads": 2})
    start = time.perf_counter()
    relation = con.from_arrow(DeltaTable(str(table)).to_pyarrow_dataset())
    out["checkout s"] = time.perf_counter() - start
    start = time.perf_counter()
    relation.limit(100).df()
    out["first page s"] = time.perf_counter() - start
    start = time.perf_counter()
    out["rows"] = int(relation.aggregate("count(*)").fetchall()[0][0])
    out["count s"] = time.perf_counter() - start
    out["seconds"] = out["checkout s"] + out["first page s"]
    return out


def _own_peak() -> float | None:
    """This process's peak resident memory in GiB (Linux's VmHWM), or None elsewhere.

    ``ru_maxrss`` from ``wait4`` would carry the parent's peak over ``fork`` + ``exec``.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 2**30
    return None


def child(system: str, step: str, path: str, work: str) -> dict[str, Any]:
    """Run one step of one system in this (fresh) process."""
    if system == "delta":
        out = _delta(step, path, Path(work))
    else:
        out = _dci(system, step, path, Path(work))
    out["peak GiB"] = _own_peak()
    return out


def _spawn(system: str, step: str, path: Path, work: Path) -> dict[str, Any]:
    env = {**os.environ, "POLARS_MAX_THREADS": "2", "OMP_NUM_THREADS": "1"}
    env.setdefault("JUPYTER_DCI_AUTHOR", "bench")
    args = [sys.executable, __file__, "--child", system, step, str(path), str(work)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{system} {step} failed (status {status})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result.get("peak GiB") is None:
        result["peak GiB"] = usage.ru_maxrss * 1024 / 2**30
    return result


def _has_deltalake() -> bool:
    try:
        import deltalake  # noqa: F401
    except ImportError:
        return False
    return True


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.3f}" if isinstance(value, float) else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="an existing scale file (with an id column)")
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dci_scale"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/dci_scale_store"))
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS)
    parser.add_argument("--child", nargs=4, metavar=("SYSTEM", "STEP", "PATH", "WORK"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    path = args.file
    if path is None:
        args.dir.mkdir(parents=True, exist_ok=True)
        path = args.dir / f"scale_{args.rows}.parquet"
        if not path.exists():
            print(f"writing {path} ...", file=sys.stderr)
            write_scale_file(path, args.rows)
    systems = list(args.systems)
    if "delta" in systems and not _has_deltalake():
        print("note: deltalake is not installed; the Delta Lake anchor is skipped.")
        systems.remove("delta")
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    with open(path, "rb") as handle:  # into the page cache: every system reads a warm file
        while handle.read(1 << 24):
            pass
    results: dict[str, dict[str, dict[str, Any]]] = {s: {} for s in systems}
    for system in systems:
        for step in STEPS:
            r = _spawn(system, step, path, args.work)
            results[system][step] = r
            shown = "  ".join(f"{k} {_show(v)}" for k, v in r.items())
            print(f"{system:7s} {step:9s} {shown}", flush=True)
    size = path.stat().st_size / 2**20
    print(f"\n{_n_rows(str(path)):,} rows of Parquet ({size:,.0f} MiB); one fresh process a step")
    print(f"{'step':10}" + "".join(f"{s:>26}" for s in systems))
    for step in STEPS:
        cells = []
        for system in systems:
            r = results[system][step]
            extra = r.get("commit KiB", r.get("store MiB"))
            unit = "KiB" if "commit KiB" in r else "MiB" if "store MiB" in r else ""
            text = f"{r['seconds']:.2f}s {r['peak GiB']:.2f}G"
            cells.append(text + (f" {extra:,.0f}{unit}" if extra is not None else ""))
        print(f"{step:10}" + "".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
