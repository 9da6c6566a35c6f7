"""jupyter_dci: data-centric iteration in Jupyter.

Look at a DataFrame, find what is wrong with its data, fix it inline, record every edit,
and measure whether the fix helped.

Examples
--------
>>> import pandas as pd
>>> import jupyter_dci as dci
>>> view = dci.table(pd.DataFrame({"x": [1, 2, 3]}))
>>> view.n_rows
3
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_dci import _hooks
from jupyter_dci._version import __version__
from jupyter_dci.errors import DCIError

# The package wires the layers: the store asks for these by name and never imports a UI
# module (tests/test_layers.py). Registering imports nothing.
_hooks.set_view("history", "jupyter_dci.widgets._history:history")
_hooks.add_kernel_listener("jupyter_dci.widgets._bridge")

if TYPE_CHECKING:
    from jupyter_dci import datasets

    # The core's public names, as jupyter_dci.core re-exports them.
    from jupyter_dci.core import (
        Agreement,
        Alert,
        ColumnProfile,
        Consensus,
        DataFrameProfile,
        Duplicates,
        FoundSlice,
        FoundSlices,
        LabelIssues,
        OutOfSampleProbs,
        Predicate,
        Slice,
        SliceMetric,
        SliceMetrics,
        agreement,
        consensus,
        find_duplicates,
        find_label_issues,
        find_slices,
        label_scores,
        out_of_sample_probs,
        parse_predicate,
        predicate_from_dict,
        slice_metrics,
    )
    from jupyter_dci.store import Change, Dataset, Diff, Version, track
    from jupyter_dci.store import open_dataset as open  # dci.open, as issue 5 names it
    from jupyter_dci.widgets import (
        ChartWidget,
        HistoryWidget,
        ReviewWidget,
        SlicesPanel,
        TableWidget,
        chart,
        review,
        slices,
        table,
    )
    from jupyter_dci.widgets._profile import ProfilePanel, profile
    from jupyter_dci.widgets.inspect import Workbench, inspect

__all__ = [
    "Agreement",
    "Alert",
    "Change",
    "ChartWidget",
    "ColumnProfile",
    "Consensus",
    "DCIError",
    "DataFrameProfile",
    "Dataset",
    "Diff",
    "Duplicates",
    "FoundSlice",
    "FoundSlices",
    "HistoryWidget",
    "LabelIssues",
    "OutOfSampleProbs",
    "Predicate",
    "ProfilePanel",
    "ReviewWidget",
    "Slice",
    "SliceMetric",
    "SliceMetrics",
    "SlicesPanel",
    "TableWidget",
    "Version",
    "Workbench",
    "__version__",
    "agreement",
    "chart",
    "consensus",
    "datasets",
    "find_duplicates",
    "find_label_issues",
    "find_slices",
    "inspect",
    "label_scores",
    "load_ipython_extension",
    "open",
    "out_of_sample_probs",
    "parse_predicate",
    "predicate_from_dict",
    "profile",
    "review",
    "slice_metrics",
    "slices",
    "table",
    "track",
    "unload_ipython_extension",
]

# Everything is imported on first use: `import jupyter_dci` in a script or a worker
# process then costs no anywidget/ipywidgets/scikit-learn import.
_LAZY = {
    "table": "jupyter_dci.widgets",
    "TableWidget": "jupyter_dci.widgets",
    "chart": "jupyter_dci.widgets",
    "review": "jupyter_dci.widgets",
    "slices": "jupyter_dci.widgets",
    "SlicesPanel": "jupyter_dci.widgets",
    "HistoryWidget": "jupyter_dci.widgets",
    "ReviewWidget": "jupyter_dci.widgets",
    "inspect": "jupyter_dci.widgets.inspect",
    "Workbench": "jupyter_dci.widgets.inspect",
    # The display-aware profile (a ProfileResult shows the panel); the UI-free function is
    # jupyter_dci.core.profile.profile.
    "profile": "jupyter_dci.widgets._profile",
    "ProfilePanel": "jupyter_dci.widgets._profile",
    "DataFrameProfile": "jupyter_dci.core",
    "ColumnProfile": "jupyter_dci.core",
    "Alert": "jupyter_dci.core",
    "ChartWidget": "jupyter_dci.widgets",
    "Predicate": "jupyter_dci.core",
    "parse_predicate": "jupyter_dci.core",
    "predicate_from_dict": "jupyter_dci.core",
    "Slice": "jupyter_dci.core",
    "find_slices": "jupyter_dci.core",
    "FoundSlices": "jupyter_dci.core",
    "FoundSlice": "jupyter_dci.core",
    "slice_metrics": "jupyter_dci.core",
    "SliceMetrics": "jupyter_dci.core",
    "SliceMetric": "jupyter_dci.core",
    "find_label_issues": "jupyter_dci.core",
    "label_scores": "jupyter_dci.core",
    "LabelIssues": "jupyter_dci.core",
    "out_of_sample_probs": "jupyter_dci.core",
    "OutOfSampleProbs": "jupyter_dci.core",
    "find_duplicates": "jupyter_dci.core",
    "Duplicates": "jupyter_dci.core",
    "agreement": "jupyter_dci.core",
    "Agreement": "jupyter_dci.core",
    "consensus": "jupyter_dci.core",
    "Consensus": "jupyter_dci.core",
    "track": "jupyter_dci.store",
    "Dataset": "jupyter_dci.store",
    "Version": "jupyter_dci.store",
    "Change": "jupyter_dci.store",
    "Diff": "jupyter_dci.store",
}


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_dci``: every DataFrame shown in a cell offers "Inspect".

    Off until loaded; ``%unload_ext jupyter_dci`` turns it off again.
    """
    from jupyter_dci.widgets.inspect._ipython import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext jupyter_dci``: DataFrames display as pandas shows them again."""
    from jupyter_dci.widgets.inspect._ipython import unload

    unload(ipython)


# Names that differ from the defining module's.
_RENAMED = {"open": ("jupyter_dci.store", "open_dataset")}


def __getattr__(name: str) -> Any:
    import importlib

    if name == "datasets":
        return importlib.import_module("jupyter_dci.datasets")
    if name in _RENAMED:
        defining_module, attr = _RENAMED[name]
        return getattr(importlib.import_module(defining_module), attr)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jupyter_dci' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where JupyterLab finds the prebuilt extension (for development installs)."""
    return [{"src": "labextension", "dest": "jupyter-dci"}]
