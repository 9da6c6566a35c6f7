"""Slice discovery: jupyter_dci's find_slices beside sliceline 0.3, same data, same run.

The planted slice of notes/anchors.md: ``country == 'IN' and age < 25``, ~1.3% of the rows,
41.6% error against 5.5% elsewhere, in a frame of 8 features (2 planted, 3 text, 2 numeric,
1 bool). sliceline is tuned as in the notes (alpha=0.95, max_l=2, min_sup=1%, k=3) and gets
the same quantile bins as ours (our codes, so both search the same lattice; its fit alone is
timed, our time includes the binning). find_slices runs with its defaults
(max_predicates=3, min_support=1%). Also: slice_metrics over 50 slices on 1M rows.

Every measurement runs in a fresh child process (peak RSS of that process, data included;
"delta" is the peak above the RSS just before the first call); times are medians of --runs.

Run (threads capped; ~1-2 minutes on 2 cores, most of it sliceline at 1M rows):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_slices.py
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

PLANTED = "country == 'IN' and age < 25"
PARENTS = ("country == 'IN'", "age < 25")
FEATURES = ["country", "age", "segment", "device", "income", "tenure", "is_active", "channel"]


def planted_frame(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The planted frame: IN is 6.5% of rows, age < 25 is 20%, their overlap ~1.3%."""
    rng = np.random.default_rng(seed)
    countries = np.array(["US", "IN", "BR", "DE", "FR", "CN", "GB", "JP", "MX", "NG"])
    weights = np.array([0.3, 0.065, 0.1, 0.1, 0.08, 0.1, 0.08, 0.06, 0.06, 0.055])
    df = pd.DataFrame(
        {
            "country": rng.choice(countries, n, p=weights / weights.sum()),
            "age": rng.integers(18, 53, n),
            "segment": rng.choice(list("abcde"), n),
            "device": rng.choice(["ios", "android", "web"], n),
            "income": rng.lognormal(10, 0.5, n).round(2),
            "tenure": rng.exponential(3, n).round(1),
            "is_active": rng.random(n) < 0.7,
            "channel": rng.choice(["ads", "organic", "referral", "email"], n),
        }
    )
    bad = (df["country"] == "IN").to_numpy() & (df["age"] < 25).to_numpy()
    errors = np.where(bad, rng.random(n) < 0.416, rng.random(n) < 0.055)
    return df, errors


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def child_ours(n: int, runs: int) -> dict[str, Any]:
    from jupyter_dci.core.slices._find import find_slices

    df, errors = planted_frame(n)
    before, times = _rss_mib(), []
    for _ in range(runs):
        start = time.perf_counter()
        result = find_slices(df, errors)
        times.append(time.perf_counter() - start)
    top = [s.slice.describe() for s in result.slices[:3]]
    return {"times": times, "top3": top, "peak": _peak_mib(), "before": before}


def child_sliceline(n: int, runs: int) -> dict[str, Any]:
    from sliceline.slicefinder import Slicefinder

    from jupyter_dci.core.slices._bins import encode_features

    df, errors = planted_frame(n)
    features, _ = encode_features(df, FEATURES)
    # The same bins as ours, as level indices: both search the same lattice.
    x = np.column_stack([f.codes for f in features]).astype(np.int64)
    before, times = _rss_mib(), []
    for _ in range(runs):
        finder = Slicefinder(alpha=0.95, k=3, max_l=2, min_sup=0.01, verbose=False)
        start = time.perf_counter()
        finder.fit(x, errors.astype(float))
        times.append(time.perf_counter() - start)
    top = []
    for row in finder.top_slices_:
        parts = [features[j].levels[int(v)] for j, v in enumerate(row) if v is not None and v == v]
        top.append(" and ".join(parts))
    return {"times": times, "top3": top, "peak": _peak_mib(), "before": before}


def child_metrics(n: int, runs: int) -> dict[str, Any]:
    from jupyter_dci.core.slices._bins import encode_features
    from jupyter_dci.core.slices._metrics import slice_metrics

    df, errors = planted_frame(n)
    rng = np.random.default_rng(1)
    df["y"] = rng.integers(0, 2, n)
    df["pred"] = np.where(errors, 1 - df["y"], df["y"])
    features, _ = encode_features(df, FEATURES)
    levels = [text for f in features for text in f.levels]
    slices = []
    for i in range(50):
        a, b = rng.choice(len(levels), 2, replace=False)
        slices.append(f"{levels[a]} and {levels[b]}" if i % 2 else levels[a])
    before, times = _rss_mib(), []
    for _ in range(runs):
        start = time.perf_counter()
        slice_metrics(df, y_true="y", y_pred="pred", slices=slices)
        times.append(time.perf_counter() - start)
    return {"times": times, "top3": [], "peak": _peak_mib(), "before": before}


CHILDREN = {"ours": child_ours, "sliceline": child_sliceline, "metrics": child_metrics}


def run_child(kind: str, n: int, runs: int, python: str) -> dict[str, Any]:
    out = subprocess.run(
        [python, __file__, "--child", kind, "--n", str(n), "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def describe(kind: str, n: int, res: dict[str, Any]) -> str:
    top = res["top3"]
    rank = top.index(PLANTED) + 1 if PLANTED in top else None
    parents = [p for p in PARENTS if p in top]
    median = statistics.median(res["times"])
    return (
        f"| {kind} | {n:,} | {median:.3f} s | {min(res['times']):.3f} s | "
        f"{res['peak']:.0f} MiB (+{res['peak'] - res['before']:.0f}) | "
        f"{rank if top else '-'} | {', '.join(parents) or 'none'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=sorted(CHILDREN))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sliceline-runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--sliceline-python",
        default=sys.executable,
        help="interpreter with sliceline installed (a separate venv if it pins old numpy)",
    )
    args = parser.parse_args()
    if args.child:
        sys.stdout.write(json.dumps(CHILDREN[args.child](args.n, args.runs)) + "\n")
        return
    out = [
        "| tool | rows | median | best | peak RSS (+ over data) | planted rank | parents in top 3 |"
    ]
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    ratios = []
    for n in args.sizes:
        ours = run_child("ours", n, args.runs, sys.executable)
        theirs = run_child("sliceline", n, args.sliceline_runs, args.sliceline_python)
        out += [describe("find_slices", n, ours), describe("sliceline", n, theirs)]
        ratio = statistics.median(theirs["times"]) / statistics.median(ours["times"])
        mem = (theirs["peak"] - theirs["before"]) / max(ours["peak"] - ours["before"], 1)
        ratios.append(f"{n:,} rows: find_slices {ratio:.1f}x faster, {mem:.1f}x less extra memory")
        out.append(f"|   top 3 (ours) | {n:,} | {' / '.join(ours['top3'])} |||||")
        out.append(f"|   top 3 (sliceline) | {n:,} | {' / '.join(theirs['top3'])} |||||")
    metrics = run_child("metrics", 1_000_000, args.runs, sys.executable)
    out.append(describe("slice_metrics, 50 slices", 1_000_000, metrics))
    sys.stdout.write("\n".join([*out, "", *ratios]) + "\n")


if __name__ == "__main__":
    main()
