"""Find: rows whose label is probably wrong (confident learning) and the probabilities it needs.

- :func:`find_label_issues` and :func:`label_scores` work from a model's out-of-sample
  predicted probabilities (``_find``, ``_scores``, ``_confident``); every input is checked
  once by ``_input`` (labels, probabilities, classes).
- :func:`out_of_sample_probs` makes those probabilities from a DataFrame by cross-validation
  (``_oos``).
- The table form, ``find_label_issues(data, ["p0", "p1"], label="y")``, also takes data that
  stays in its engine (Polars, Arrow, DuckDB, Parquet or CSV files) and flags the same rows
  there (``_lazy`` and its helpers ``_lazy_input``, ``_lazy_exprs``, ``_lazy_cut``,
  ``_lazy_native``).

Examples
--------
>>> import numpy as np
>>> from jupyter_dci.core.labels import find_label_issues
>>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05]])
>>> find_label_issues([0, 0, 1, 1], probs).n_issues
1
"""

from jupyter_dci.core.labels._find import LabelIssues, find_label_issues, label_scores
from jupyter_dci.core.labels._oos import OutOfSampleProbs, out_of_sample_probs

__all__ = [
    "LabelIssues",
    "OutOfSampleProbs",
    "find_label_issues",
    "label_scores",
    "out_of_sample_probs",
]
