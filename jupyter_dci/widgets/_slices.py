"""The slices panel: where the model fails, over a table of the rows of the slice clicked.

``dci.slices(df, errors)`` runs :func:`jupyter_dci.find_slices` and shows the slices found
(support, error, lift), a chart of their error beside the overall error, per-value charts of
``by`` columns, and, for a tracked dataset, the recorded metrics per slice across versions. A
click on a slice or a bar shows its rows in the table below (ready to review and relabel); a
slice can be saved by name with the dataset.

Data beyond pandas (Polars, Arrow, DuckDB, Parquet or CSV files) stays in its engine: the
errors are one of its columns, the search and the per-value charts are computed there, and a
click filters the table below by the slice's predicate instead of selecting rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import ipywidgets
import numpy as np
import pandas as pd
import traitlets

from jupyter_dci.charts import rate_spec, versions_spec
from jupyter_dci.core.engine import as_source
from jupyter_dci.core.predicate._slice import Slice
from jupyter_dci.core.slices._find import FoundSlices, find_slices
from jupyter_dci.core.slices._lazy_metrics import mean_by
from jupyter_dci.core.slices._metrics import SliceMetrics, slice_metrics
from jupyter_dci.errors import InvalidParameterError
from jupyter_dci.widgets._base import read_bundle, reply_safely
from jupyter_dci.widgets._table import TableWidget

__all__ = ["SlicesPanel", "SlicesWidget", "slices"]


def _pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{x:.1%}"


class SlicesWidget(anywidget.AnyWidget):
    """The list and charts of slices; clicks ask the kernel for the rows of a slice."""

    _esm = traitlets.Unicode().tag(sync=True)
    _summary = traitlets.Dict().tag(sync=True)
    _slices = traitlets.List(traitlets.Dict()).tag(sync=True)
    _charts = traitlets.List(traitlets.Dict()).tag(sync=True)
    _saved = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(
        self,
        found: FoundSlices,
        frame: Any,
        table: TableWidget,
        *,
        errors: np.ndarray | str,
        by: list[Any],
        dataset: Any = None,
    ) -> None:
        self.found = found
        self._frame = frame
        self._table = table
        self._dataset = dataset
        self._groups: dict[str, Slice] = {}
        #: Called as ``on_show(mask, caption)`` after a slice's rows are shown (the
        #: workbench uses it to scope its review to those rows).
        self.on_show: Callable[[np.ndarray, str], None] | None = None
        rows = []
        for s in found.slices:
            key = f"slice:{s.rank}"
            self._groups[key] = s.slice
            rows.append(
                {
                    "key": key,
                    "rank": s.rank,
                    "expression": s.slice.describe(),
                    "support": f"{s.support:,} ({s.support_fraction:.1%})",
                    "error": _pct(s.error),
                    "error_rest": _pct(s.error_rest),
                    "lift": f"{s.lift:.2f}x",
                    "p_value": f"{s.p_value:.2g}",
                }
            )
        charts: list[dict[str, Any]] = []
        if found.slices:
            labels = [f"#{s.rank} {s.slice.describe()}" for s in found.slices]
            spec = rate_spec(labels, [s.error for s in found.slices], overall=found.error)
            keys = [f"slice:{s.rank}" for s in found.slices]
            charts.append(
                {
                    "key": "found",
                    "title": "error by slice (dashed: all rows)",
                    "spec": spec,
                    "groups": dict(zip(labels, keys, strict=True)),
                }
            )
        for column in by:
            charts.append(self._per_value_chart(column, errors))
        if dataset is not None:
            charts.extend(self._version_charts(dataset))
        super().__init__(
            _esm=read_bundle("slices"),
            _summary={
                "found": found.found,
                "message": found.message,
                "n_rows": found.n_rows,
                "error": _pct(found.error),
                "error_kind": found.error_kind,
                "n_evaluated": found.n_evaluated,
            },
            _slices=rows,
            _charts=charts,
            _saved=sorted(dataset.slices()) if dataset is not None else [],
        )
        self.on_msg(self._on_custom_msg)

    # ---- charts ------------------------------------------------------------------

    def _per_value_chart(self, column: Any, errors: np.ndarray | str) -> dict[str, Any]:
        result: SliceMetrics
        if isinstance(errors, str):
            # Data in its engine: the mean of the errors column per value, computed there.
            result = mean_by(self._frame, errors, [column], func="slices")
        else:
            # The error per value is the mean of the errors: y_true all 0, y_pred the errors,
            # and the metric a mean (a rate for 0/1 errors, the mean loss otherwise).
            result = slice_metrics(
                self._frame,
                y_true=np.zeros(len(errors)),
                y_pred=errors,
                by=[column],
                metric=lambda _t, p: float(np.mean(p)),
            )
        labels, rates, groups = [], [], {}
        for group in result.groups:
            if group.slice is None:  # the "all rows" line
                continue
            label = group.slice.describe()
            key = f"by:{column}:{label}"
            self._groups[key] = group.slice
            groups[label] = key
            labels.append(label)
            rates.append(group.value)
        spec = rate_spec(labels, rates, overall=self.found.error)
        return {
            "key": f"by:{column}",
            "title": f"error by {column}",
            "spec": spec,
            "groups": groups,
        }

    @staticmethod
    def _version_charts(dataset: Any) -> list[dict[str, Any]]:
        frame = dataset.metrics()
        charts = []
        for metric, part in frame.groupby("metric", sort=True):
            spec = versions_spec(
                part, metric=str(metric), title=f"{metric} per slice across versions"
            )
            charts.append(
                {
                    "key": f"versions:{metric}",
                    "title": f"{metric} across versions",
                    "spec": spec,
                    "groups": {},
                }
            )
        return charts

    # ---- actions -------------------------------------------------------------------

    def show(self, key: str) -> int:
        """Show the rows of a slice (``"slice:<rank>"``) or of a per-value group in the table."""
        definition = self._groups.get(key)
        if definition is None:
            raise InvalidParameterError(f"No slice {key!r} in this panel.")
        if not isinstance(self._frame, pd.DataFrame):
            # Rows in an engine are shown by a filter there, with the slice as its caption.
            text = definition.describe()
            self._table.filter = text
            self._table.caption = text
            return self._table.count_rows(text)
        mask = np.asarray(definition.mask(self._frame), dtype=bool)
        self._table.show_rows(mask, caption=definition.describe())
        if self.on_show is not None:
            self.on_show(mask, definition.describe())
        return int(mask.sum())

    def save(self, key: str, name: str) -> str:
        """Save a slice by name with the tracked dataset (to follow it across versions)."""
        if self._dataset is None:
            raise InvalidParameterError(
                "Saving a slice needs a tracked dataset: "
                "dci.slices(df, errors, dataset=dci.track(df, ...))."
            )
        name = name.strip()
        if not name:
            raise InvalidParameterError("A slice's name must not be empty.")
        definition = self._groups.get(key)
        if definition is None:
            raise InvalidParameterError(f"No slice {key!r} in this panel.")
        self._dataset.save_slice(name, definition.describe())
        self._saved = sorted(self._dataset.slices())
        return name

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        reply_safely(self, content, self._answer, "slices")

    def _answer(self, content: dict[str, Any]) -> dict[str, Any]:
        request_id = content["id"]
        kind = content.get("type")
        if kind == "show":
            count = self.show(str(content.get("key")))
            reply = {
                "type": "shown",
                "id": request_id,
                "count": count,
                "caption": self._table.caption,
            }
        elif kind == "save":
            name = self.save(str(content.get("key")), str(content.get("name", "")))
            reply = {"type": "saved", "id": request_id, "name": name}
        else:
            raise InvalidParameterError(
                f"Unknown slices request {kind!r}; expected 'show' or 'save'."
            )
        return reply


class SlicesPanel(ipywidgets.VBox):
    """The slices panel: the slices and charts (:class:`SlicesWidget`) over a table of rows."""

    def __init__(self, summary: SlicesWidget, table: TableWidget) -> None:
        self.summary = summary
        self.table = table
        super().__init__(children=[summary, table])

    @property
    def found(self) -> FoundSlices:
        """The slices found (the core result)."""
        return self.summary.found


def slices(
    df: Any,
    errors: Any,
    *,
    by: Any = None,
    dataset: Any = None,
    **find_options: Any,
) -> SlicesPanel:
    """Find the slices where a model fails and show them over a table of their rows.

    Parameters
    ----------
    df : pandas.DataFrame, or data beyond pandas
        The frame the errors belong to (one error per row); or a Polars DataFrame or
        LazyFrame, a PyArrow Table or Dataset, a DuckDB relation, a path or glob of Parquet
        or CSV files, searched and shown in its own engine.
    errors : array-like or str
        A boolean (wrong or right) or a loss per row, or the name of such a column (the
        only form data beyond pandas takes).
    by : column label or list of labels, optional
        Columns whose per-value error is charted too (numeric columns binned by quantiles).
    dataset : jupyter_dci.store.Dataset, optional
        The tracked dataset of ``df``: slices can then be saved by name, and the metrics
        recorded with ``dataset.evaluate`` are charted across versions.
    **find_options
        Passed to :func:`jupyter_dci.find_slices` (``features``, ``k``, ``max_predicates``,
        ``min_support``...).

    Returns
    -------
    SlicesPanel
        The panel; ``panel.found`` is the :class:`FoundSlices` result.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import jupyter_dci as dci
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(
    ...     {"country": rng.choice(["IN", "FR"], 2000), "age": rng.integers(18, 70, 2000)}
    ... )
    >>> wrong = ((df["country"] == "IN") & (df["age"] < 25)) | (rng.random(2000) < 0.05)
    >>> panel = dci.slices(df, wrong.to_numpy())
    >>> panel.found.slices[0].slice.describe().startswith("country == 'IN' and age <")
    True
    """
    columns = [] if by is None else ([by] if not isinstance(by, list | tuple) else list(by))
    if not isinstance(df, pd.DataFrame):
        found = find_slices(df, errors, **find_options)
        names = as_source(df, "slices").columns
        for column in columns:
            if column not in names:
                raise InvalidParameterError(f"The 'by' column {column!r} is not in the data.")
        table = TableWidget(df, height=320)
        summary = SlicesWidget(found, df, table, errors=errors, by=columns, dataset=dataset)
        return SlicesPanel(summary, table)
    if isinstance(errors, str):
        if errors not in df.columns:
            raise InvalidParameterError(f"No column {errors!r} to read the errors from.")
        errors = df[errors].to_numpy()
    found = find_slices(df, errors, **find_options)
    for column in columns:
        if column not in df.columns:
            raise InvalidParameterError(f"The 'by' column {column!r} is not in the frame.")
    err = np.asarray(errors, dtype=float)
    table = TableWidget(df, height=320)
    summary = SlicesWidget(found, df, table, errors=err, by=columns, dataset=dataset)
    return SlicesPanel(summary, table)
