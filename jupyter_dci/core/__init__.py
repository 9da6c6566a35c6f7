"""Pure computation, one subpackage per capability of the loop.

========================  =====================================================
``core.profile``          look: column statistics, alerts, the offline report
``core.labels``           find: label issues and out-of-sample probabilities
``core.annotators``       find: annotator agreement, consensus labels
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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_dci.core._duplicates import Duplicates, find_duplicates
    from jupyter_dci.core.annotators import Agreement, Consensus, agreement, consensus
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

# Imported on first use: `import jupyter_dci.core.table` (what the table view needs) must not
# pay for profiling, labels and slices (measured: 60 ms of a table's first paint).
_LAZY = {
    "Duplicates": "jupyter_dci.core._duplicates",
    "find_duplicates": "jupyter_dci.core._duplicates",
    "Agreement": "jupyter_dci.core.annotators",
    "Consensus": "jupyter_dci.core.annotators",
    "agreement": "jupyter_dci.core.annotators",
    "consensus": "jupyter_dci.core.annotators",
    "LabelIssues": "jupyter_dci.core.labels",
    "OutOfSampleProbs": "jupyter_dci.core.labels",
    "find_label_issues": "jupyter_dci.core.labels",
    "label_scores": "jupyter_dci.core.labels",
    "out_of_sample_probs": "jupyter_dci.core.labels",
    "Predicate": "jupyter_dci.core.predicate",
    "Slice": "jupyter_dci.core.predicate",
    "parse_predicate": "jupyter_dci.core.predicate",
    "predicate_from_dict": "jupyter_dci.core.predicate",
    "Alert": "jupyter_dci.core.profile",
    "ColumnProfile": "jupyter_dci.core.profile",
    "DataFrameProfile": "jupyter_dci.core.profile",
    "FoundSlice": "jupyter_dci.core.slices",
    "FoundSlices": "jupyter_dci.core.slices",
    "SliceMetric": "jupyter_dci.core.slices",
    "SliceMetrics": "jupyter_dci.core.slices",
    "find_slices": "jupyter_dci.core.slices",
    "slice_metrics": "jupyter_dci.core.slices",
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_dci.core' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Agreement",
    "Alert",
    "ColumnProfile",
    "Consensus",
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
    "agreement",
    "consensus",
    "find_duplicates",
    "find_label_issues",
    "find_slices",
    "label_scores",
    "out_of_sample_probs",
    "parse_predicate",
    "predicate_from_dict",
    "slice_metrics",
]
