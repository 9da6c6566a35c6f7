"""Pure computation, one subpackage per capability of the loop.

========================  =====================================================
``core.profile``          look: column statistics, alerts, the offline report
``core.labels``           find: label issues and out-of-sample probabilities
``core._duplicates``      find: exact and conflicting duplicate rows
``core.slices``           find and measure: failing slices, metrics per slice
``core.predicate``        the row language and :class:`Slice`
``core.review``           fix: the review session (decide, undo, write)
``core.table``            paging, sorting, filtering and rendering cells
``core._frames``          dtype-safe writes shared by the review and the store
========================  =====================================================

Nothing in this package imports a UI library (ipywidgets, anywidget, traitlets, altair,
IPython) or the store; ``tests/test_layers.py`` proves it from the import graph. Every
function takes data first and keyword-only options after ``*`` and returns a frozen,
serialisable result object.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core import find_duplicates
>>> len(find_duplicates(pd.DataFrame({"x": [1, 1, 2]})).groups)
1
"""

from jupyter_dci.core._duplicates import Duplicates, find_duplicates
from jupyter_dci.core.labels import (
    LabelIssues,
    OutOfSampleProbs,
    find_label_issues,
    label_scores,
    out_of_sample_probs,
)
from jupyter_dci.core.predicate import Predicate, Slice, parse_predicate, predicate_from_dict

# Not the function ``profile``: it would shadow the subpackage ``core.profile`` (its home).
from jupyter_dci.core.profile import Alert, ColumnProfile, DataFrameProfile
from jupyter_dci.core.slices import (
    FoundSlice,
    FoundSlices,
    SliceMetric,
    SliceMetrics,
    find_slices,
    slice_metrics,
)

__all__ = [
    "Alert",
    "ColumnProfile",
    "DataFrameProfile",
    "Duplicates",
    "FoundSlice",
    "FoundSlices",
    "LabelIssues",
    "OutOfSampleProbs",
    "Predicate",
    "Slice",
    "SliceMetric",
    "SliceMetrics",
    "find_duplicates",
    "find_label_issues",
    "find_slices",
    "label_scores",
    "out_of_sample_probs",
    "parse_predicate",
    "predicate_from_dict",
    "slice_metrics",
]
