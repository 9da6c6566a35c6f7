"""Label issues: jupyter_dci beside cleanlab 2.9, same probabilities, same run.

Quality: F1 of the flagged rows against the planted flips on
  * scikit-learn's digits, wine and breast cancer, 10% / 20% uniform and class-conditional
    noise (90% of flips to the next class), probabilities from 5-fold cross_val_predict of a
    scaled logistic regression (as in notes/anchors.md); plus our default model
    (``out_of_sample_probs``) on digits, with its wall time;
  * a synthetic 100k x 10-class set whose probabilities are those of an ideal model trained on
    the noisy labels: the exact Gaussian posterior of the true class (tuned to ~85% accuracy)
    pushed through the noise process, ``P(noisy | x) = P(true | x) @ T``;
  * the same size with a noise-blind, uncalibrated model: softmax(N(0, 1) + 2.7 * onehot),
    ~85% accurate (the anchors' generator is not specified: these are two ends of a range).
Speed: find_label_issues at 100k and 1M rows x 10 classes, one process, medians of --runs.

Run (threads capped; ~1-2 minutes on 2 cores; --speed-only skips the quality tables):
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python benchmarks/bench_labels.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci import datasets
from jupyter_dci.core.labels._find import find_label_issues
from jupyter_dci.core.labels._oos import out_of_sample_probs

SETTINGS = [(kind, rate) for kind in ("uniform", "class_conditional") for rate in (0.1, 0.2)]


def f1(flags: np.ndarray, truth: np.ndarray) -> float:
    hits = int((flags & truth).sum())
    return 0.0 if hits == 0 else 2 * hits / (int(flags.sum()) + int(truth.sum()))


def ours(filter_by: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def run(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
        frame = find_label_issues(labels, probs, filter_by=filter_by).frame
        return frame.sort_index()["is_label_issue"].to_numpy()

    return run


def theirs(filter_by: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def run(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
        import cleanlab.filter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cleanlab.filter.find_label_issues(labels, probs, filter_by=filter_by, n_jobs=1)

    return run


def argmax_neq_given(labels: np.ndarray, probs: np.ndarray) -> np.ndarray:
    return probs.argmax(axis=1) != labels


METHODS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "argmax != given": argmax_neq_given,
    "cleanlab default": theirs("prune_by_noise_rate"),
    "cleanlab both": theirs("both"),
    "cleanlab low_self_confidence": theirs("low_self_confidence"),
    "dci confident_learning (default)": ours("confident_learning"),
    "dci prune_by_noise_rate": ours("prune_by_noise_rate"),
    "dci expected_f1": ours("expected_f1"),
}


def sklearn_problems() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    problems = []
    for name in ("digits", "wine", "breast_cancer"):
        df = (
            datasets.load_digits(images=False)
            if name == "digits"
            else getattr(datasets, f"load_{name}")()
        )
        x = df.drop(columns="label").to_numpy(dtype=float)
        for kind, rate in SETTINGS:
            noisy = datasets.inject_label_noise(df["label"], rate=rate, kind=kind, seed=0)
            codes = pd.factorize(noisy.labels, sort=True)[0]
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
            folds = StratifiedKFold(5, shuffle=True, random_state=0)
            probs = cross_val_predict(model, x, codes, cv=folds, method="predict_proba")
            problems.append((f"{name} {kind} {rate}", codes, probs, noisy.is_flipped.to_numpy()))
    return problems


def synthetic_posterior(n: int, k: int, seed: int, sep: float = 2.75) -> tuple[np.ndarray, ...]:
    """Exact posterior of x ~ N(sep * e_true, I): softmax(sep * x); sep=2.75 gives ~85%."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = sep * rng.normal(size=(n, k))
    logits[np.arange(n), truth] += sep * sep
    post = np.exp(logits - logits.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    return truth, post


def synthetic_problems(
    n: int,
) -> tuple[list[tuple[str, np.ndarray, np.ndarray, np.ndarray]], float]:
    k = 10
    truth, post = synthetic_posterior(n, k, seed=0)
    problems = []
    for kind, rate in SETTINGS:
        noisy = datasets.inject_label_noise(truth, rate=rate, kind=kind, seed=1)
        labels = noisy.labels.to_numpy()
        mix = np.zeros((k, k))
        np.add.at(mix, (truth, labels), 1)
        mix /= mix.sum(axis=1, keepdims=True)
        problems.append(
            (f"synthetic {kind} {rate}", labels, post @ mix, noisy.is_flipped.to_numpy())
        )
    return problems, float((post.argmax(axis=1) == truth).mean())


def softmax_problems(n: int, boost: float = 2.7) -> tuple[list[Any], float]:
    """A second synthetic: softmax(N(0, 1) + boost * onehot(true)), blind to the noise.

    Its probabilities are neither calibrated nor aware of the noisy labels (the model
    "ignored" them): the other extreme from :func:`synthetic_problems`. boost=2.7 gives ~85%.
    """
    k = 10
    rng = np.random.default_rng(0)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), truth] += boost
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    problems = []
    for kind, rate in SETTINGS:
        noisy = datasets.inject_label_noise(truth, rate=rate, kind=kind, seed=1)
        problems.append(
            (f"softmax {kind} {rate}", noisy.labels.to_numpy(), probs, noisy.is_flipped.to_numpy())
        )
    return problems, float((probs.argmax(axis=1) == truth).mean())


def quality(problems: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]) -> pd.DataFrame:
    rows = {}
    for name, labels, probs, truth in problems:
        rows[name] = {m: f1(run(labels, probs), truth) for m, run in METHODS.items()}
    table = pd.DataFrame(rows).T
    table.loc["mean"] = table.mean()
    return table


def default_model_on_digits() -> dict[str, float]:
    df = datasets.load_digits()
    times, scores, theirs_scores = [], [], []
    for kind, rate in SETTINGS:
        noisy = datasets.inject_label_noise(df["label"], rate=rate, kind=kind, seed=0)
        frame = df.assign(label=noisy.labels)
        started = time.perf_counter()
        result = out_of_sample_probs(frame, label="label")
        times.append(time.perf_counter() - started)
        truth = noisy.is_flipped.to_numpy()
        probs = result.pred_probs.to_numpy()
        scores.append(f1(ours("confident_learning")(noisy.labels.to_numpy(), probs), truth))
        theirs_scores.append(
            f1(theirs("prune_by_noise_rate")(noisy.labels.to_numpy(), probs), truth)
        )
    return {
        "seconds (median)": statistics.median(times),
        "F1 dci": float(np.mean(scores)),
        "F1 cleanlab default": float(np.mean(theirs_scores)),
    }


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (the latter is steadier on a shared machine)."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def speed(n: int, runs: int) -> dict[str, tuple[float, float]]:
    import cleanlab.filter

    truth, post = synthetic_posterior(n, 10, seed=0)
    labels = datasets.inject_label_noise(truth, rate=0.1, seed=1).labels.to_numpy()
    find_label_issues(labels, post)  # warm-up: imports, page faults
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "dci": median_time(lambda: find_label_issues(labels, post), runs),
            "cleanlab n_jobs=1": median_time(
                lambda: cleanlab.filter.find_label_issues(labels, post, n_jobs=1), runs
            ),
        }


def quality_section() -> dict[str, Any]:
    """Print the F1 tables and the default-model run; return their figures."""
    results: dict[str, Any] = {}
    table = quality(sklearn_problems())
    print("F1, sklearn sets (scaled logistic regression, 5-fold):")
    print(table.round(3).to_string())
    results["sklearn"] = table.loc["mean"].to_dict()

    problems, accuracy = synthetic_problems(100_000)
    table = quality(problems)
    print(f"\nF1, synthetic 100k x 10 classes (model accuracy vs truth {accuracy:.3f}):")
    print(table.round(3).to_string())
    results["synthetic"] = table.loc["mean"].to_dict()

    problems, accuracy = softmax_problems(100_000)
    table = quality(problems)
    print(f"\nF1, synthetic 100k x 10, noise-blind softmax model (accuracy {accuracy:.3f}):")
    print(table.round(3).to_string())
    results["softmax"] = table.loc["mean"].to_dict()

    digits = default_model_on_digits()
    print("\nDigits with our default model (out_of_sample_probs, mean over the 4 settings):")
    print({k: round(v, 3) for k, v in digits.items()})
    results["digits_default_model"] = digits
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--speed-only", action="store_true", help="time find_label_issues only, no F1 tables"
    )
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    results: dict[str, Any] = {}
    if not args.speed_only:
        results.update(quality_section())
    print(f"\nSpeed, find_label_issues, 10 classes, median of {args.runs} (wall / CPU):")
    for n in (100_000, 1_000_000):
        timing = speed(n, args.runs)
        (ours_wall, ours_cpu), (cl_wall, cl_cpu) = timing["dci"], timing["cleanlab n_jobs=1"]
        print(
            f"  {n:>9,} rows: dci {ours_wall:.3f} / {ours_cpu:.3f} s, cleanlab {cl_wall:.3f} / "
            f"{cl_cpu:.3f} s -> {cl_wall / ours_wall:.1f}x faster (CPU {cl_cpu / ours_cpu:.1f}x)"
        )
        results[f"speed_{n}"] = timing
    if not args.speed_only:
        for group in ("sklearn", "synthetic", "softmax"):
            means = results[group]
            best = max(v for k, v in means.items() if k.startswith("cleanlab"))
            dci = means["dci confident_learning (default)"]
            print(f"{group}: dci {dci:.3f} vs best cleanlab {best:.3f} ({dci - best:+.3f})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
