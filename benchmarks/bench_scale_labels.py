"""Label issues of a Parquet file beyond memory: dci beside cleanlab's batched finder.

The file: ``--rows`` rows of an int8 ``label``, ten float32 probability columns ``p0..p9``
(softmax of noisy logits, ~85% accurate; 5% of labels flipped to another class) and an
int64 ``id``, in row groups of 1M rows (:func:`write_label_data`). The same data is
written beforehand, untimed, as ``.npy`` files (int8 labels, float32 (n, 10) probabilities)
for cleanlab, which reads numpy memmaps.

Every figure is a fresh process (wall time, its CPU time and peak resident memory from
``os.wait4``; a memmap's pages count once touched), the files in the page cache (read once
first), runs interleaved, medians over ``--repeat``; ``OMP_NUM_THREADS=1``. On a shared
machine the CPU seconds are the steadier figure:

- ``dci``: ``find_label_issues(path, ["p0", ..., "p9"], label="label")`` (the Parquet file,
  DuckDB underneath with its 512 MB budget and 2 threads; the 10,000 worst rows back);
- ``cleanlab``: ``cleanlab.experimental.label_issues_batched.find_label_issues_batched``
  (cleanlab 2.9) on the ``.npy`` files, ``batch_size=10_000``, ``n_jobs=1``;
- ``numpy``: our in-memory ``find_label_issues(labels, probs)`` on arrays read from the
  Parquet file (reading included), where it fits (``--numpy-max-rows``).

Checks (untimed): dci's flags against the in-memory function's (the count, and the rows: all
of them up to 1M flagged, else the 1M worst), and the overlap with cleanlab's flags.
Goal (issue #12): dci >= 3x faster than cleanlab at no more memory, the same flags as the
in-memory function.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_scale_labels.py --rows 10000000

Data goes under ``--dir`` (100M rows: ~5 GB of Parquet and ~4 GB of ``.npy``).
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

TOOLS = ("dci", "cleanlab", "numpy")
K = 10
COLUMNS = [f"p{j}" for j in range(K)]
CHUNK = 1_000_000
#: Most flagged rows dci brings back for the check (its max_rows limit).
CHECK_ROWS = 1_000_000


def label_chunk(start: int, n: int, *, seed: int = 0, noise: float = 0.05) -> pa.Table:
    """Rows ``[start, start + n)``: the same rows whatever the chunking."""
    rng = np.random.default_rng([seed, start])
    true = rng.integers(0, K, n)
    logits = rng.standard_normal((n, K), dtype=np.float32)
    logits[np.arange(n), true] += np.float32(2.7)
    logits -= logits.max(axis=1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=1, keepdims=True)
    flip = rng.random(n) < noise
    given = np.where(flip, (true + rng.integers(1, K, n)) % K, true).astype(np.int8)
    columns: dict[str, Any] = {
        "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
        "label": pa.array(given),
    }
    for j in range(K):
        columns[f"p{j}"] = pa.array(np.ascontiguousarray(logits[:, j]))
    return pa.table(columns)


def write_label_data(folder: Path, n_rows: int, *, seed: int = 0) -> dict[str, Path]:
    """Write the Parquet file and the same data as ``.npy`` (labels, probabilities)."""
    paths = {
        "parquet": folder / f"labels_{n_rows}.parquet",
        "labels": folder / f"labels_{n_rows}.npy",
        "probs": folder / f"probs_{n_rows}.npy",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    fmt = np.lib.format
    labels = fmt.open_memmap(paths["labels"], mode="w+", dtype=np.int8, shape=(n_rows,))
    probs = fmt.open_memmap(paths["probs"], mode="w+", dtype=np.float32, shape=(n_rows, K))
    writer = None
    try:
        for start in range(0, n_rows, CHUNK):
            table = label_chunk(start, min(CHUNK, n_rows - start), seed=seed)
            if writer is None:
                writer = pq.ParquetWriter(paths["parquet"], table.schema, compression="snappy")
            writer.write_table(table)
            stop = start + table.num_rows
            labels[start:stop] = table["label"].to_numpy()
            probs[start:stop] = np.stack([table[c].to_numpy() for c in COLUMNS], axis=1)
    finally:
        if writer is not None:
            writer.close()
    labels.flush()
    probs.flush()
    del labels, probs
    return paths


def _read_arrays(parquet: str) -> tuple[np.ndarray, np.ndarray]:
    table = pq.read_table(parquet, columns=["label", *COLUMNS])
    probs = np.empty((table.num_rows, K), dtype=np.float64, order="F")
    for j, c in enumerate(COLUMNS):
        probs[:, j] = table[c].to_numpy()
    return table["label"].to_numpy().astype(np.int64), probs


def child(tool: str, paths: dict[str, str], out: str) -> dict[str, Any]:
    """Run one tool once in this (fresh) process; write its flags to ``out``; return figures."""
    if tool == "dci":
        from jupyter_dci.core.labels import find_label_issues

        start = time.perf_counter()
        result = find_label_issues(paths["parquet"], COLUMNS, label="label")
        seconds = time.perf_counter() - start
        np.save(out, result.issues.index.to_numpy(np.int64))
        return {"seconds": seconds, "n_issues": result.n_issues}
    if tool == "cleanlab":
        import warnings

        from cleanlab.experimental.label_issues_batched import find_label_issues_batched

        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            flagged = find_label_issues_batched(
                labels_file=paths["labels"],
                pred_probs_file=paths["probs"],
                batch_size=10_000,
                n_jobs=1,
                verbose=False,
            )
        seconds = time.perf_counter() - start
        np.save(out, np.asarray(flagged, dtype=np.int64))
        return {"seconds": seconds, "n_issues": len(flagged)}
    from jupyter_dci.core.labels import find_label_issues

    start = time.perf_counter()
    labels, probs = _read_arrays(paths["parquet"])
    result = find_label_issues(labels, probs)
    seconds = time.perf_counter() - start
    np.save(out, result.issues.index.to_numpy(np.int64))
    return {"seconds": seconds, "n_issues": result.n_issues}


def _spawn(tool: str, paths: dict[str, Path], out: Path) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    args = [
        sys.executable,
        __file__,
        "--child",
        tool,
        json.dumps({k: str(v) for k, v in paths.items()}),
        str(out),
    ]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env)
    text = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{tool} failed (status {status})")
    result: dict[str, Any] = json.loads(text.strip().splitlines()[-1])
    result["peak"] = usage.ru_maxrss * 1024
    # CPU seconds of the process and its threads: less swayed than wall time by other work
    # on a shared machine (and a tool using two cores shows it).
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def _check(
    paths: dict[str, Path], folder: Path, cleanlab_flags: Path | None, rows: int, numpy_max: int
) -> None:
    """Untimed: dci's flags against the in-memory function's and against cleanlab's."""
    from jupyter_dci.core.labels import find_label_issues

    full = find_label_issues(str(paths["parquet"]), COLUMNS, label="label", max_rows=CHECK_ROWS)
    ours = full.issues
    shown = "all" if not full.truncated else f"the {len(ours):,} worst"
    print(
        f"\ndci flags {full.n_issues:,} of {rows:,} rows ({shown} of them brought back for checks)"
    )
    if rows <= numpy_max:
        labels, probs = _read_arrays(str(paths["parquet"]))
        want = find_label_issues(labels, probs)
        del labels, probs
        head = want.issues.iloc[: len(ours)]
        same_rows = head.index.tolist() == ours.index.tolist()
        same_scores = bool(
            np.array_equal(head["label_score"].to_numpy(), ours["label_score"].to_numpy())
        )
        same_suggested = head["suggested_label"].tolist() == ours["suggested_label"].tolist()
        verdict = (
            "identical"
            if same_rows and same_scores and same_suggested and want.n_issues == full.n_issues
            else "DIFFERENT"
        )
        print(
            f"in-memory function: {want.n_issues:,} flagged; rows in order {same_rows}, scores "
            f"bit-equal {same_scores}, suggestions {same_suggested}: {verdict}"
        )
    if cleanlab_flags is not None and cleanlab_flags.exists():
        theirs = set(np.load(cleanlab_flags).tolist())
        mine = set(ours.index.tolist())
        both = len(theirs & mine)
        if not full.truncated:
            union = len(theirs | mine)
            print(
                f"cleanlab: {len(theirs):,} flagged; {both:,} in common, Jaccard "
                f"{both / union:.3f}; {both / len(theirs):.1%} of theirs are ours, "
                f"{both / len(mine):.1%} of ours theirs"
            )
        else:
            print(
                f"cleanlab: {len(theirs):,} flagged; {both / len(mine):.1%} of our "
                f"{len(mine):,} worst are theirs"
            )


def _report(runs: dict[str, list[dict[str, Any]]], rows: int, size: float) -> None:
    kinds = "int8 label, 10 float32 probabilities, int64 id"
    print(f"\n{rows:,} rows x ({kinds}): {size:,.0f} MiB of Parquet")
    head = f"{'tool':9} {'median s':>9} {'min-max s':>15} {'cpu s':>7} {'peak GiB':>9}"
    print(f"{head}  flagged     cleanlab / tool")
    med = {t: statistics.median(r["seconds"] for r in rs) for t, rs in runs.items() if rs}
    for tool, rs in runs.items():
        if not rs:
            continue
        secs = [r["seconds"] for r in rs]
        peak = max(r["peak"] for r in rs) / 2**30
        ratio = f"{med['cleanlab'] / med[tool]:.2f}x" if "cleanlab" in med else ""
        spread = f"{min(secs):7.2f}-{max(secs):7.2f}"
        cpu = statistics.median(r["cpu"] for r in rs)
        line = f"{tool:9} {med[tool]:9.2f} {spread} {cpu:7.2f} {peak:9.2f}"
        print(f"{line}  {rs[0]['n_issues']:<11,} {ratio}")
    if "dci" in med and "cleanlab" in med:
        speed = med["cleanlab"] / med["dci"]
        peaks = {t: max(r["peak"] for r in runs[t]) for t in ("dci", "cleanlab")}
        verdict = "met" if speed >= 3 else "NOT met"
        print(f"goal dci >= 3x faster than cleanlab: {speed:.2f}x, {verdict}")
        ours, theirs = peaks["dci"] / 2**30, peaks["cleanlab"] / 2**30
        verdict = "met" if ours <= theirs else "NOT met"
        print(f"goal dci's peak <= cleanlab's: {ours:.2f} vs {theirs:.2f} GiB, {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dci_scale_labels"))
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--numpy-max-rows", type=int, default=20_000_000)
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument(
        "--child", nargs=3, metavar=("TOOL", "PATHS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        tool, paths, out = args.child
        print(json.dumps(child(tool, json.loads(paths), out)))
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    print(f"writing the data under {args.dir} (untimed) ...", file=sys.stderr)
    paths = write_label_data(args.dir, args.rows)
    tools = [t for t in args.tools if t != "numpy" or args.rows <= args.numpy_max_rows]
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    for i in range(args.repeat):  # interleaved, so load on the machine hits every tool alike
        for tool in tools:
            for p in paths.values():  # into the page cache: every tool reads warm files
                with open(p, "rb") as f:
                    while f.read(1 << 24):
                        pass
            out = args.dir / f"flags_{tool}_{args.rows}.npy"
            runs[tool].append(_spawn(tool, paths, out))
            r = runs[tool][-1]
            print(
                f"  run {i + 1} {tool:8s} {r['seconds']:7.2f} s  cpu {r['cpu']:7.2f} s  "
                f"{r['peak'] / 2**30:5.2f} GiB",
                file=sys.stderr,
            )
    _report(runs, args.rows, paths["parquet"].stat().st_size / 2**20)
    if not args.no_check:
        flags = args.dir / f"flags_cleanlab_{args.rows}.npy"
        _check(
            paths, args.dir, flags if "cleanlab" in tools else None, args.rows, args.numpy_max_rows
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
