"""Consensus of several annotators: jupyter_dci beside CROWDLAB and crowd-kit, same run.

Simulated annotators with known accuracies and class confusions label
  * scikit-learn's digits (1,797 rows, 10 classes): 5 annotators of 60-95% accuracy, and 20
    annotators of 55-95% (few labels each: ~180), 1-3 labels per row, several seeds;
    probabilities from ``out_of_sample_probs`` (5-fold, our default model) trained on the
    majority vote, as CROWDLAB's paper does;
  * a synthetic set of 500,000 rows x 10 classes, 1-3 labels per row from 5 annotators of
    60-95%: ~1M annotations; probabilities from an over-confident simulated model (~80%
    accurate: the exact Gaussian posterior, sharpened).
Each annotator is right with their accuracy (harder classes lower it); when wrong, half the
time they give the class's look-alike (shared by everyone: 3 and 8, 4 and 9...), a quarter
their own pet class, a quarter any other. Their true accuracy is the share of their labels
that are right.

Anchors: cleanlab 2.9's ``get_label_quality_multiannotator`` (CROWDLAB; needs probabilities),
crowd-kit's ``DawidSkene`` and ``MajorityVote``. Printed per method: consensus accuracy, the
Spearman rank correlation of its annotator quality with the true accuracy, wall time, and the
peak memory allocated by the call (a second, untimed run under tracemalloc, which numpy and
pandas report to). Each tool gets its own input shape, made before the clock starts (ours: the
long frame, read inside the call).

Goals (issue 17): accuracy >= the best anchor, with and without probabilities; rank
correlation >= the best anchor's; at 1M annotations >= 3x faster than the fastest anchor
reaching the same accuracy.

Run (threads capped; ~4-8 minutes on 2 cores; --seeds sets the digits seeds, default 3;
--rows 0 skips the 1M set):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python \
        benchmarks/bench_consensus.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from jupyter_dci import datasets
from jupyter_dci.core.annotators import consensus
from jupyter_dci.core.labels import out_of_sample_probs

K = 10
# Look-alike classes (digits that are easy to mix up), shared by every annotator.
PARTNER = np.array([6, 7, 3, 8, 9, 6, 5, 1, 3, 4])
# How much harder (negative) or easier each class is, added to an annotator's accuracy.
DIFFICULTY = np.array([0.04, 0.03, -0.02, -0.05, 0.0, -0.03, 0.02, 0.0, -0.06, -0.03])


# -- simulation --------------------------------------------------------------------------------


@dataclass
class Problem:
    name: str
    truth: np.ndarray  # true class of each row
    long: pd.DataFrame  # row, annotator, label
    wide: np.ndarray  # rows x annotators, NaN missing (CROWDLAB's shape)
    true_accuracy: np.ndarray  # per annotator, measured on their labels
    probs: np.ndarray | None = None


def confusions(accuracies: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each annotator's confusion matrix [true, given]."""
    j = len(accuracies)
    pets = rng.integers(0, K, j)
    out = np.zeros((j, K, K))
    for a in range(j):
        for k in range(K):
            hit = float(np.clip(accuracies[a] + DIFFICULTY[k], 0.2, 0.99))
            wrong = np.full(K, 0.25 / (K - 1))
            wrong[PARTNER[k]] += 0.5
            wrong[pets[a] if pets[a] != k else PARTNER[k]] += 0.25
            wrong[k] = 0.0
            out[a, k] = (1 - hit) * wrong / wrong.sum()
            out[a, k, k] = hit
    return out


def simulate(
    name: str,
    truth: np.ndarray,
    accuracies: np.ndarray,
    seed: int,
    workload: np.ndarray | None = None,
) -> Problem:
    rng = np.random.default_rng(seed)
    n, j = len(truth), len(accuracies)
    conf = confusions(accuracies, rng)
    m = rng.integers(1, 4, n)
    weights = np.ones(j) if workload is None else workload
    # Gumbel top-m: m distinct annotators per row, chosen in proportion to their workload.
    keys = np.log(weights)[None, :] + rng.gumbel(size=(n, j))
    ranked = np.argsort(-keys, axis=1)
    take = np.arange(j)[None, :] < m[:, None]
    rows = np.repeat(np.arange(n), m)
    annotators = ranked[take]
    cdf = np.cumsum(conf[annotators, truth[rows]], axis=1)
    labels = (rng.random(len(rows))[:, None] > cdf).sum(axis=1).clip(0, K - 1)
    wide = np.full((n, j), np.nan)
    wide[rows, annotators] = labels
    right = labels == truth[rows]
    true_acc = np.bincount(annotators, weights=right, minlength=j) / np.bincount(
        annotators, minlength=j
    )
    long = pd.DataFrame({"row": rows, "annotator": annotators, "label": labels})
    return Problem(name, truth, long, wide, true_acc)


def majority(problem: Problem, seed: int = 0) -> np.ndarray:
    """Majority vote, ties broken at random (what the model is trained on)."""
    n = len(problem.truth)
    counts = np.zeros((n, K))
    np.add.at(counts, (problem.long["row"].to_numpy(), problem.long["label"].to_numpy()), 1)
    noise = np.random.default_rng(seed).random((n, K)) * 0.1
    return (counts + noise).argmax(axis=1)


def digits_probs(problem: Problem, features: pd.DataFrame) -> np.ndarray:
    frame = features.copy()
    frame["label"] = majority(problem)
    return out_of_sample_probs(frame, "label", cv=5).pred_probs.to_numpy()


def synthetic_truth_and_probs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """An over-confident model: softmax(1.6 * sep * x), x ~ N(sep * e_true, I)."""
    rng = np.random.default_rng(seed)
    sep = 2.3
    truth = rng.integers(0, K, n)
    logits = sep * rng.normal(size=(n, K))
    logits[np.arange(n), truth] += sep * sep
    logits *= 1.6
    logits -= logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return truth, probs


# -- methods -----------------------------------------------------------------------------------


Result = tuple[np.ndarray, np.ndarray]  # consensus per row (0..n-1), quality per annotator


def ours(problem: Problem, use_probs: bool) -> Result:
    probs = problem.probs if use_probs else None
    result = consensus(problem.long, probs, classes=list(range(K)))
    labels = result.frame["consensus_label"].cat.codes.to_numpy()
    return labels, result.annotators["quality"].to_numpy()


def crowd_frame(problem: Problem) -> pd.DataFrame:
    return problem.long.rename(columns={"row": "task", "annotator": "worker"})


def crowdkit_ds(frame: pd.DataFrame, n: int, j: int) -> Result:
    from crowdkit.aggregation import DawidSkene

    model = DawidSkene(n_iter=100).fit(frame)
    labels = model.labels_.reindex(range(n)).to_numpy()
    errors, prior = model.errors_, model.priors_
    quality = np.array(
        [sum(prior[k] * errors.loc[(w, k), k] for k in prior.index) for w in range(j)]
    )
    return labels.astype(np.int64), quality


def crowdkit_mv(frame: pd.DataFrame, n: int, j: int) -> Result:
    from crowdkit.aggregation import MajorityVote

    model = MajorityVote().fit(frame)
    labels = model.labels_.reindex(range(n)).to_numpy()
    return labels.astype(np.int64), model.skills_.reindex(range(j)).to_numpy()


def crowdlab(wide: np.ndarray, probs: np.ndarray) -> Result:
    from cleanlab.multiannotator import get_label_quality_multiannotator

    out = get_label_quality_multiannotator(wide, probs, verbose=False)
    labels = out["label_quality"]["consensus_label"].to_numpy()
    quality = out["annotator_stats"]["annotator_quality"].sort_index().to_numpy()
    return labels.astype(np.int64), quality


# -- measuring ---------------------------------------------------------------------------------


def traced_peak(run: Callable[[], Result]) -> int:
    """Peak bytes allocated during ``run`` (numpy and pandas report to tracemalloc)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@dataclass
class Row:
    method: str
    probs: bool
    accuracy: float
    spearman: float
    seconds: float
    peak: int


def measure(name: str, use_probs: bool, problem: Problem, run: Callable[[], Result]) -> Row:
    """Time one run; then run again under tracemalloc for the peak memory (untimed)."""
    from scipy.stats import spearmanr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        labels, quality = run()
        seconds = time.perf_counter() - start
        peak = traced_peak(run)
    accuracy = float((labels == problem.truth).mean())
    rho = float(spearmanr(quality, problem.true_accuracy).statistic)
    return Row(name, use_probs, accuracy, rho, seconds, peak)


def run_all(problem: Problem) -> list[Row]:
    n, j = problem.wide.shape
    frame = crowd_frame(problem)
    rows = [
        measure("crowd-kit MajorityVote", False, problem, lambda: crowdkit_mv(frame, n, j)),
        measure("crowd-kit DawidSkene", False, problem, lambda: crowdkit_ds(frame, n, j)),
        measure("dci consensus", False, problem, lambda: ours(problem, False)),
    ]
    if problem.probs is not None:
        probs = problem.probs
        rows.append(
            measure("cleanlab CROWDLAB", True, problem, lambda: crowdlab(problem.wide, probs))
        )
        rows.append(measure("dci consensus", True, problem, lambda: ours(problem, True)))
    return rows


def show(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    head = f"{'accuracy':>9} {'spearman':>9} {'seconds':>9} {'peak MiB':>9}"
    print(f"  {'method':26} {'probs':5} {head}")
    for r in rows:
        print(
            f"  {r.method:26} {'yes' if r.probs else 'no':5} {r.accuracy:9.4f} {r.spearman:9.3f} "
            f"{r.seconds:9.3f} {r.peak / 2**20:9.1f}"
        )


def average(runs: list[list[Row]]) -> list[Row]:
    out = []
    for i, first in enumerate(runs[0]):
        group = [run[i] for run in runs]
        out.append(
            Row(
                first.method,
                first.probs,
                statistics.mean(r.accuracy for r in group),
                statistics.mean(r.spearman for r in group),
                statistics.median(r.seconds for r in group),
                max(r.peak for r in group),
            )
        )
    return out


def verdict(title: str, rows: list[Row], speed: bool) -> list[str]:
    lines = []
    for use_probs in (False, True):
        mine = [r for r in rows if r.method.startswith("dci") and r.probs == use_probs]
        if not mine:
            continue
        me = mine[0]
        # Without probabilities, the anchors that use none; with them, every anchor (the
        # best of those with and without).
        anchors = [r for r in rows if not r.method.startswith("dci") and (use_probs or not r.probs)]
        best = max(anchors, key=lambda r: r.accuracy)
        best_rho = max(r.spearman for r in anchors)
        tag = "with probs" if use_probs else "without probs"
        acc_ok = me.accuracy >= best.accuracy
        rho_ok = me.spearman >= best_rho - 1e-12
        lines.append(
            f"{title}, {tag}: accuracy {me.accuracy:.4f} vs best anchor {best.accuracy:.4f} "
            f"({best.method}): {'met' if acc_ok else 'NOT met'}; spearman {me.spearman:.3f} vs "
            f"{best_rho:.3f}: {'met' if rho_ok else 'NOT met'}"
        )
        if speed:
            reach = [r for r in anchors if r.accuracy >= me.accuracy - 0.001]
            if reach:
                fastest = min(reach, key=lambda r: r.seconds)
                ratio = fastest.seconds / me.seconds
                lines.append(
                    f"  speed: {me.seconds:.2f} s vs {fastest.seconds:.2f} s ({fastest.method}, "
                    f"the fastest anchor within 0.001 of our accuracy): {ratio:.1f}x, "
                    f"{'met' if ratio >= 3 else 'NOT met'}"
                )
            else:
                fastest = min(anchors, key=lambda r: r.seconds)
                lines.append(
                    f"  speed: no anchor reaches our accuracy; the fastest anchor "
                    f"({fastest.method}, accuracy {fastest.accuracy:.4f}) takes "
                    f"{fastest.seconds:.2f} s, we take {me.seconds:.2f} s "
                    f"({fastest.seconds / me.seconds:.1f}x); the most accurate anchor "
                    f"({best.method}) takes {best.seconds:.2f} s "
                    f"({best.seconds / me.seconds:.1f}x)"
                )
    return lines


def digits_runs(seeds: int) -> list[str]:
    df = datasets.load_digits(images=False)
    features, truth = df.drop(columns="label"), df["label"].to_numpy()
    lines = []
    settings: list[tuple[str, np.ndarray, np.ndarray | None]] = [
        ("digits, 5 annotators 60-95%", np.array([0.6, 0.7, 0.8, 0.9, 0.95]), None),
        ("digits, 20 annotators 55-95%", np.linspace(0.55, 0.95, 20), None),
    ]
    for title, accuracies, workload in settings:
        runs = []
        for seed in range(seeds):
            problem = simulate(title, truth, accuracies, seed, workload)
            problem.probs = digits_probs(problem, features)
            runs.append(run_all(problem))
            show(f"{title}, seed {seed}", runs[-1])
        rows = average(runs)
        show(f"{title}: mean of {seeds} seeds (time: median)", rows)
        lines += verdict(title, rows, speed=False)
    return lines


def synthetic_run(n: int) -> list[str]:
    truth, probs = synthetic_truth_and_probs(n, seed=0)
    accuracies = np.array([0.6, 0.7, 0.8, 0.9, 0.95])
    problem = simulate("synthetic", truth, accuracies, seed=1)
    problem.probs = probs
    title = f"synthetic, {n:,} rows, {len(problem.long):,} annotations, 5 annotators 60-95%"
    print(f"\nmodel accuracy on the synthetic set: {(probs.argmax(axis=1) == truth).mean():.4f}")
    rows = run_all(problem)
    show(title, rows)
    return verdict("synthetic 1M", rows, speed=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="digits seeds (default 3)")
    parser.add_argument("--rows", type=int, default=500_000, help="synthetic rows (0: skip)")
    args = parser.parse_args()
    lines = digits_runs(args.seeds)
    if args.rows:
        lines += synthetic_run(args.rows)
    print("\nGoals")
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
