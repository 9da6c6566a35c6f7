"""Find and measure: where a model fails, as slices of the rows.

- :func:`find_slices` searches a lattice of predicates for groups whose error is
  significantly above the rest (``_bins`` encodes features, ``_search`` walks the lattice,
  ``_pick`` keeps the significant, non-redundant ones, ``_find`` ties them together).
- :func:`slice_metrics` measures metrics per slice or per value of a column
  (``_metrics``, ``_metrics_table``).
- :func:`model_errors` says where a model is wrong, from predictions or the top class of
  its probabilities (``_errors``): what the workbench's Slices tab searches.

Both take data beyond pandas (Polars, Arrow, DuckDB, Parquet or CSV files) and compute in
its engine (``_lazy_*``): the same slices and figures as on pandas, from bounded results.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.slices import slice_metrics
>>> df = pd.DataFrame({"g": ["a", "a", "b", "b"]})
>>> m = slice_metrics(df, y_true=[1, 0, 1, 1], y_pred=[1, 1, 1, 1], by="g")
>>> m.to_frame()["support"].tolist()
[4, 2, 2]
"""

from jupyter_dci.core.slices._errors import model_errors, top_class
from jupyter_dci.core.slices._find import FoundSlice, FoundSlices, find_slices
from jupyter_dci.core.slices._metrics import SliceMetric, SliceMetrics, slice_metrics

__all__ = [
    "FoundSlice",
    "FoundSlices",
    "SliceMetric",
    "SliceMetrics",
    "find_slices",
    "model_errors",
    "slice_metrics",
    "top_class",
]
