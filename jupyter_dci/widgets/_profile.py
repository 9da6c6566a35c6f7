"""The profile panel: overview, alerts and a card per column, over a table of the rows concerned.

``dci.profile(df)`` computes the profile in the core (a frozen :class:`DataFrameProfile`) and
returns it as a :class:`ProfileResult`, the same result plus a reference to the frame, which a
notebook displays as this panel. A click on an alert or on a bar of a column's chart shows the
rows concerned in the table view below, in the kernel, without copying the frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping
from typing import Any

import anywidget
import ipywidgets
import numpy as np
import pandas as pd
import traitlets

from jupyter_dci.charts import bar_spec, histogram_spec
from jupyter_dci.core.profile import ColumnProfile, DataFrameProfile
from jupyter_dci.core.profile import profile as _core_profile
from jupyter_dci.core.profile._display import shown_alerts, shown_columns
from jupyter_dci.core.profile._lazy_rows import alert_predicate, no_predicate_reason
from jupyter_dci.core.profile._result import cut_prefix
from jupyter_dci.errors import DataMismatchError, InvalidParameterError
from jupyter_dci.widgets._base import read_bundle, reply_safely
from jupyter_dci.widgets._table import TableWidget

__all__ = ["ProfilePanel", "ProfileResult", "ProfileWidget", "profile"]


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"  # pragma: no cover


def _num(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–" if value is None else str(value)
    return f"{value:,.4g}"


def _card(col: ColumnProfile) -> dict[str, Any]:
    """Describe a column's card: its numbers as text, and a chart spec of aggregates only."""
    n = max(col.n_rows, 1)
    stats: list[list[str]] = [
        ["missing", f"{col.n_missing:,} ({col.n_missing / n:.1%})"],
        ["distinct", f"{col.n_distinct:,}"],
    ]
    chart: dict[str, Any] | None = None
    if col.numeric is not None:
        s = col.numeric
        stats += [
            ["mean", _num(s.mean)],
            ["std", _num(s.std)],
            ["min", _num(s.min)],
            ["max", _num(s.max)],
        ]
        stats += [["zeros", f"{s.n_zeros:,}"], ["negative", f"{s.n_negative:,}"]]
        if s.n_inf:
            stats.append(["inf", f"{s.n_inf:,}"])
        if s.histogram is not None and s.histogram.counts:
            chart = histogram_spec(s.histogram.edges, s.histogram.counts)
    elif col.datetime is not None:
        d = col.datetime
        stats += [["from", d.min or "–"], ["to", d.max or "–"]]
        if d.histogram is not None and d.histogram.counts:
            labels = [str(e)[:10] for e in d.histogram.edges[:-1]]
            chart = bar_spec(_unique_labels(labels), d.histogram.counts)
    if col.text is not None:
        t = col.text
        stats += [["length", f"{t.min_length:,}–{t.max_length:,} (mean {t.mean_length:,.1f})"]]
        if t.n_empty:
            stats.append(["empty", f"{t.n_empty:,}"])
    if chart is None and col.top is not None and col.top.counts:
        labels = [str(v) for v in col.top.values[:12]]
        chart = bar_spec(_unique_labels(labels), col.top.counts[:12])
        if col.top.n_other_rows:
            stats.append(
                ["other values", f"{col.top.n_other_values:,} ({col.top.n_other_rows:,} rows)"]
            )
    return {
        "name": col.name,
        "kind": col.kind,
        "dtype": col.dtype,
        "stats": stats,
        "chart": chart,
    }


def _unique_labels(labels: list[str]) -> list[str]:
    # Bars are selected by label: two values that print alike get a counter to stay apart.
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


class ProfileWidget(anywidget.AnyWidget):
    """The overview, alerts and column cards of a profile; clicks ask the kernel for rows."""

    _esm = traitlets.Unicode().tag(sync=True)
    _overview = traitlets.Dict().tag(sync=True)
    _alerts = traitlets.List(traitlets.Dict()).tag(sync=True)
    _cards = traitlets.List(traitlets.Dict()).tag(sync=True)

    def __init__(
        self,
        result: DataFrameProfile | None,
        frame: pd.DataFrame | None,
        table: TableWidget | None,
    ) -> None:
        self._result = result
        self._frame = frame
        self._table = table
        super().__init__(_esm=read_bundle("profile"))
        if result is None and frame is not None:
            # Pending: the view shows "Profiling..." and loads its code meanwhile.
            self._overview = {
                "pending": True,
                "n_rows": len(frame),
                "n_columns": frame.shape[1],
            }
        else:
            self.set_result(result)
        self.on_msg(self._on_custom_msg)

    @property
    def pending(self) -> bool:
        """True until the profile is set (a workbench profiling in the background)."""
        return self._result is None

    def set_result(self, result: DataFrameProfile) -> None:
        """Show ``result`` (the view redraws once, whatever it showed before)."""
        severities: dict[str, int] = {}
        for alert in result.alerts:
            severities[alert.severity] = severities.get(alert.severity, 0) + 1
        self._result = result
        # A wide frame's panel stays small: the columns with alerts first (see _display).
        columns, cards_note = shown_columns(result)
        listed, alerts_note = shown_alerts(result)
        with self.hold_sync():
            self._overview = {
                "n_rows": result.n_rows,
                "n_columns": result.n_columns,
                "n_duplicate_rows": result.n_duplicate_rows,
                # Data profiled in its engine was never in the kernel's memory.
                "memory": _size(result.memory)
                if result.engine == "pandas"
                else f"kept in {result.engine}",
                "alerts": severities,
                "sampled": result.sampled,
                "n_rows_profiled": result.n_rows_profiled,
                "seconds": round(result.seconds, 3),
                "label": "" if result.label is None else str(result.label),
                "notes": [n for n in (cards_note, alerts_note) if n],
                "estimated": any(c.estimated for c in result.columns.values()),
            }
            self._alerts = [
                {
                    "index": i,
                    "kind": a.kind,
                    "column": "" if a.column is None else str(a.column),
                    "severity": a.severity,
                    "message": a.message,
                    "n_rows": a.n_rows,
                }
                for i, a in enumerate(listed)
            ]
            self._cards = [_card(c) for c in columns]

    def _profile(self) -> DataFrameProfile:
        if self._result is None:
            raise InvalidParameterError(
                "The profile is still being computed; its rows can be shown once it is done."
            )
        return self._result

    def _rows(self) -> tuple[pd.DataFrame, TableWidget]:
        """Return the frame and its table (refused for data kept in its engine: see alerts)."""
        if self._frame is None or self._table is None:
            result = self._profile()
            raise InvalidParameterError(
                f"The rows of {result.source or 'this data'} stay in {result.engine}, where "
                "the profile was computed: a chart's bar does not list them yet. Type a "
                "filter in the table below (e.g. price > 100), or click an alert."
            )
        return self._frame, self._table

    # ---- what a click shows ------------------------------------------------------

    def show_alert(self, index: int) -> int:
        """Show the rows alert ``index`` concerns in the table; return how many."""
        result = self._profile()
        if not isinstance(index, int) or not 0 <= index < len(result.alerts):
            raise InvalidParameterError(
                f"An alert index must be in [0, {len(result.alerts)}). Got {index!r} instead."
            )
        alert = result.alerts[index]
        if self._frame is None and self._table is not None:
            return self._show_lazy_alert(result, alert, self._table)
        frame, table = self._rows()
        mask = result.alert_rows(alert, frame)
        count = int(mask.sum())
        if count == 0:
            raise InvalidParameterError(
                f"The alert {alert.kind!r}{' on ' + repr(alert.column) if alert.column else ''} "
                "concerns the column as a whole, not particular rows."
            )
        where = f" in {alert.column!r}" if alert.column else ""
        table.show_rows(mask, caption=f"{alert.kind.replace('_', ' ')}{where}")
        return count

    @staticmethod
    def _show_lazy_alert(result: DataFrameProfile, alert: Any, table: TableWidget) -> int:
        """Filter the table of data kept in its engine by the alert as a predicate."""
        predicate = alert_predicate(result, alert)
        if predicate is None:
            raise InvalidParameterError(no_predicate_reason(alert))
        where = f" in {alert.column!r}" if alert.column else ""
        table.filter = predicate
        table.caption = f"{alert.kind.replace('_', ' ')}{where}"
        return table.count_rows(predicate)

    def show_bar(self, column: str, value: Mapping[str, Any]) -> int:
        """Show the rows of a clicked bar (a histogram bin or a top value) of a column's chart."""
        result = self._profile()
        if column not in result.columns:
            raise InvalidParameterError(f"No column {column!r} in this profile.")
        col = result.columns[column]
        frame, table = self._rows()
        series = frame.iloc[:, col.position]
        mask = self._bar_mask(col, series, value)
        count = int(mask.sum())
        table.show_rows(mask, caption=self._bar_caption(col, value))
        return count

    @staticmethod
    def _first(value: Mapping[str, Any], key: str) -> Any:
        got = value.get(key)
        if isinstance(got, list):
            got = got[0] if got else None
        if got is None:
            raise InvalidParameterError(f"A bar selection needs a {key!r}. Got {dict(value)!r}.")
        return got

    def _bar_mask(
        self, col: ColumnProfile, series: pd.Series, value: Mapping[str, Any]
    ) -> np.ndarray:
        if col.numeric is not None and "start" in value:
            start, end = float(self._first(value, "start")), float(self._first(value, "end"))
            numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            edges = col.numeric.histogram.edges if col.numeric.histogram else ()
            last = bool(edges) and np.isclose(end, float(edges[-1]))
            upper = numbers <= end if last else numbers < end
            return (numbers >= start) & upper
        label = str(self._first(value, "value"))
        if col.datetime is not None and col.datetime.histogram is not None:
            edges = col.datetime.histogram.edges
            labels = _unique_labels([str(e)[:10] for e in edges[:-1]])
            if label not in labels:
                raise InvalidParameterError(f"No bin {label!r} in the chart of {col.name!r}.")
            i = labels.index(label)
            times = pd.to_datetime(series, errors="coerce")
            tz = getattr(times.dt, "tz", None)
            lo, hi = pd.Timestamp(edges[i]), pd.Timestamp(edges[i + 1])
            if tz is not None:
                lo, hi = (
                    lo.tz_localize(tz) if lo.tzinfo is None else lo,
                    hi.tz_localize(tz) if hi.tzinfo is None else hi,
                )
            upper = times <= hi if i == len(labels) - 1 else times < hi
            return ((times >= lo) & upper).fillna(False).to_numpy(dtype=bool)
        if col.top is None:
            raise InvalidParameterError(f"The chart of {col.name!r} has no bars to select.")
        labels = _unique_labels([str(v) for v in col.top.values[:12]])
        if label not in labels:
            raise InvalidParameterError(f"No bar {label!r} in the chart of {col.name!r}.")
        target = col.top.values[labels.index(label)]
        notna = series.notna().to_numpy()
        prefix = cut_prefix(target)
        if prefix is not None:  # a long value the profile kept cut: the rows it starts
            starts = series.map(lambda v: isinstance(v, str) and v.startswith(prefix))
            return starts.to_numpy(dtype=bool) & notna
        try:
            equal = (series == target).fillna(False).to_numpy(dtype=bool)
        except (TypeError, ValueError):
            equal = series.map(lambda v: v == target).to_numpy(dtype=bool)
        return equal & notna

    @staticmethod
    def _bar_caption(col: ColumnProfile, value: Mapping[str, Any]) -> str:
        if "start" in value:
            start, end = value.get("start"), value.get("end")
            start = start[0] if isinstance(start, list) else start
            end = end[0] if isinstance(end, list) else end
            return f"{col.name} in [{_num(start)}, {_num(end)})"
        label = value.get("value")
        label = label[0] if isinstance(label, list) else label
        return f"{col.name} = {label}"

    def _on_custom_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        reply_safely(self, content, self._answer, "profile")

    def _answer(self, content: dict[str, Any]) -> dict[str, Any]:
        request_id = content["id"]
        kind = content.get("type")
        if kind == "alert":
            count = self.show_alert(content.get("index"))
        elif kind == "bar":
            value = content.get("value")
            if not isinstance(value, dict):
                raise InvalidParameterError(f"A bar selection must be a dict. Got {value!r}.")
            count = self.show_bar(str(content.get("column")), value)
        else:
            raise InvalidParameterError(
                f"Unknown profile request {kind!r}; expected 'alert' or 'bar'."
            )
        return {
            "type": "shown",
            "id": request_id,
            "count": count,
            "caption": self._table.caption if self._table is not None else "",
        }


class ProfilePanel(ipywidgets.VBox):
    """The profile panel: the summary (:class:`ProfileWidget`) over a table of rows concerned.

    ``result=None`` makes a pending panel (the workbench shows it while profiling in the
    background); :meth:`ProfileWidget.set_result` fills it.
    """

    def __init__(
        self, result: DataFrameProfile | None, frame: pd.DataFrame | None, data: Any = None
    ) -> None:
        # Data profiled in its own engine (``data``, frame None): its table pages it there, and
        # an alert's click filters it by a predicate.
        shown = frame if frame is not None else data
        self.table = TableWidget(shown, height=320) if shown is not None else None
        self.summary = ProfileWidget(result, frame, self.table)
        super().__init__(children=[self.summary] + ([self.table] if self.table else []))


@dataclasses.dataclass(frozen=True)
class ProfileResult(DataFrameProfile):
    """A :class:`DataFrameProfile` that keeps its frame to show the profile panel.

    Everything of the profile is as the core computed it; only display is added. The frame is
    referenced (not copied, and left out of equality, ``repr`` and ``to_dict``): a weak
    reference would lose ``dci.profile(pd.read_csv(...))``'s frame before the notebook shows it.
    """

    _source: Any = dataclasses.field(default=None, compare=False, repr=False)

    def _frame(self) -> pd.DataFrame | None:
        if self.engine != "pandas":
            return None  # profiled in its engine: the panel shows the profile, not the rows
        if not isinstance(self._source, pd.DataFrame):
            raise DataMismatchError(
                "This profile holds no frame, so its rows cannot be shown. "
                "Profile the frame with dci.profile(df) to get the panel."
            )
        return self._source

    def show(self) -> ProfilePanel:
        """Return the profile panel (a notebook displays it; so does ``display(...)``)."""
        frame = self._frame()
        return ProfilePanel(self, frame, None if frame is not None else self._source)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        try:
            panel = self.show()
        except DataMismatchError:
            return {"text/plain": repr(self)}
        return panel._repr_mimebundle_(**kwargs)


def profile(
    df: Any, *, label: Hashable | None = None, sample: int | None = None, **options: Any
) -> ProfileResult:
    """Profile a DataFrame and show the profile panel in a notebook.

    The same statistics and alerts as :func:`jupyter_dci.core.profile.profile` (see it for
    every option, and for the data beyond pandas it takes); the result also displays as a
    panel in which a click on an alert, or on a bar of a column's chart, shows the rows
    concerned (for a pandas frame: data profiled in its own engine shows the profile only).

    Examples
    --------
    >>> import pandas as pd
    >>> import jupyter_dci as dci
    >>> prof = dci.profile(pd.DataFrame({"x": [1, 2, 2, 1000]}))
    >>> prof.n_rows, type(prof.show()).__name__
    (4, 'ProfilePanel')
    """
    result = _core_profile(df, label=label, sample=sample, **options)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(DataFrameProfile)}
    return ProfileResult(**fields, _source=df)
