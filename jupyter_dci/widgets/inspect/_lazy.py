"""The workbench of data that stays in its engine: the same tabs, each computed where the data is.

``dci.inspect(x)`` of a Polars frame, Arrow data, a DuckDB relation, Parquet or CSV files, or a
tracked ``LazyDataset`` opens this panel. It is the pandas workbench's loop, with what each step
needs from the engine: the profile (in a worker thread, the panel pending meanwhile) over a
table paged in the engine; label issues from the data's own probability columns, their
suspects read into pandas by key for review, decisions kept by key in the dataset; slices of
the errors of a prediction column, searched in the engine; the dataset's history.

Probabilities are columns of the data here: computing them out of sample would need every row
in the kernel, which is what this path avoids (write them next to the data with your model).
"""

from __future__ import annotations

import html
from collections.abc import Hashable, Sequence
from typing import Any

import ipywidgets
import narwhals.stable.v2 as nw

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.labels import find_label_issues
from jupyter_dci.errors import DCIError, param_error
from jupyter_dci.widgets._profile import ProfilePanel, profile
from jupyter_dci.widgets._review import review
from jupyter_dci.widgets._slices import slices
from jupyter_dci.widgets.inspect._jobs import Job, running_loop

__all__ = ["LazyWorkbench"]

TABS = ("overview", "labels", "slices", "history")
TITLES = {
    "overview": "Overview",
    "labels": "Label issues",
    "slices": "Slices",
    "history": "History",
}
#: The column holding "is this row's prediction wrong" that the Slices tab searches.
ERROR_COLUMN = "__dci_error"


def _note(text: str) -> ipywidgets.HTML:
    box = ipywidgets.HTML(f"<div class='dci-inspect-note'>{html.escape(text)}</div>")
    box.add_class("dci-inspect-note")
    return box


class LazyWorkbench(ipywidgets.VBox):
    """The workbench of :func:`inspect` for data kept in its engine.

    Attributes
    ----------
    profile_panel, review_panel, slices_panel, history_panel
        Each tab's panel once built (None before).
    issues : LabelIssues or None
        The label issues found (bounded: the flagged rows shown, exact counts).

    Examples
    --------
    >>> import polars as pl
    >>> import jupyter_dci as dci
    >>> data = pl.DataFrame({"id": [1, 2, 3, 4], "y": ["a", "b", "a", "b"]})
    >>> wb = dci.inspect(data, label="y", key="id")
    >>> type(wb).__name__, wb.tab, wb.profile.n_rows
    ('LazyWorkbench', 'overview', 4)
    """

    def __init__(
        self,
        data: Any,
        *,
        label: Hashable | None,
        pred_probs: Any,
        predictions: Any,
        features: Sequence[Hashable] | None,
        key: str | None,
        dataset: Any,
    ) -> None:
        self.dataset = dataset
        self.data = dataset.checkout("HEAD") if dataset is not None else data
        self.source = as_source(self.data, "inspect")
        self.label = label
        self.key = key if key is not None else _dataset_key(dataset)
        self.pred_probs = _checked_probs(pred_probs, self.source.columns, label)
        self.predictions = predictions
        self.features = list(features) if features is not None else None
        _check_columns(self.source.columns, label=label, predictions=predictions, key=self.key)
        self.profile_panel: ProfilePanel | None = None
        self.review_panel: Any = None
        self.slices_panel: Any = None
        self.history_panel: Any = None
        self.issues: Any = None
        self._profile: Any = None
        self._job: Job | None = None
        self.header = ipywidgets.HTML()
        self.header.add_class("dci-inspect-header")
        self._holders = [ipywidgets.VBox() for _ in TABS]
        self.tabs = ipywidgets.Tab(children=self._holders)
        for i, name in enumerate(TABS):
            self.tabs.set_title(i, TITLES[name])
        self.tabs.add_class("dci-inspect-tabs")
        super().__init__(children=[self.header, self.tabs])
        self.add_class("dci-inspect")
        self._built: set[str] = set()
        self._update_header()
        self.tabs.selected_index = 0
        self._build("overview")
        self.tabs.observe(self._on_selected, names="selected_index")

    # ---- public API -----------------------------------------------------------------

    @property
    def tab(self) -> str:
        """The tab shown: ``"overview"``, ``"labels"``, ``"slices"`` or ``"history"``."""
        return TABS[self.tabs.selected_index or 0]

    @property
    def profile(self) -> Any:
        """The profile (waits for the worker computing it)."""
        if self._job is not None:
            self._job.join()
        if isinstance(self._profile, BaseException):
            raise self._profile
        return self._profile

    def open_tab(self, name: str) -> LazyWorkbench:
        """Build (once) and show a tab: ``overview``, ``labels``, ``slices`` or ``history``."""
        if name not in TABS:
            raise param_error("name", "open_tab", f"one of {', '.join(TABS)}", name)
        self.tabs.selected_index = TABS.index(name)
        self._build(name)
        return self

    # ---- building ---------------------------------------------------------------------

    def _on_selected(self, change: dict[str, Any]) -> None:
        self._build(TABS[change["new"] or 0])

    def _build(self, name: str) -> None:
        if name in self._built:
            return
        self._built.add(name)
        holder = self._holders[TABS.index(name)]
        try:
            holder.children = getattr(self, f"_build_{name}")()
        except DCIError as exc:  # a user error: said in the tab, as the pandas workbench does
            holder.children = [_note(str(exc))]

    def _build_overview(self) -> list[Any]:
        loop = running_loop()

        def work(_check: Any) -> Any:
            return profile(self.data, label=self.label)

        def keep(outcome: Any) -> None:
            self._profile = outcome

        def done(outcome: Any) -> None:
            holder = self._holders[0]
            if isinstance(outcome, BaseException):
                holder.children = [_note(f"The profile failed: {outcome}")]
                return
            self.profile_panel = outcome.show()
            holder.children = [self.profile_panel]

        self._job = Job("inspect-lazy-profile", work, keep=keep, done=done, loop=loop)
        if loop is None:
            self._job.run()
            return list(self._holders[0].children)
        self._job.start()
        rows = f"{self.source.n_rows:,} rows × {len(self.source.columns):,} columns"
        return [_note(f"Profiling {rows} in {self.source.engine}…")]

    def _build_labels(self) -> list[Any]:
        if self.label is None:
            return [_note("Pass label= (the label column) to find label issues.")]
        if self.pred_probs is None:
            return [
                _note(
                    "Pass pred_probs= the names of the data's out-of-sample probability "
                    "columns, one per class. They cannot be computed here: that needs every "
                    "row in the kernel's memory, which data kept in its engine avoids."
                )
            ]
        self.issues = find_label_issues(self.data, self.pred_probs, label=self.label, key=self.key)
        target = self.dataset if self.dataset is not None else self.data
        self.review_panel = review(target, label=self.label, issues=self.issues, key=self.key)
        shown = len(self.issues.frame)
        summary = (
            f"{self.issues.n_issues:,} of {self.source.n_rows:,} rows flagged"
            + (f"; the {shown:,} worst are reviewed here" if shown < self.issues.n_issues else "")
            + (
                ". Decisions become pending edits of the dataset (commit them in History)."
                if self.dataset is not None
                else ". Track the data (dci.track(..., key=...)) to record decisions as edits."
            )
        )
        return [_note(summary), self.review_panel]

    def _build_slices(self) -> list[Any]:
        if self.label is None or not isinstance(self.predictions, str):
            return [
                _note(
                    "Pass label= and predictions= (the name of the column holding the model's "
                    "predicted label) to find the slices where the model fails."
                )
            ]
        wrong = nw.col(self.label) != nw.col(self.predictions)
        with_errors = self.source.frame.with_columns(wrong.alias(ERROR_COLUMN)).to_native()
        probs = self.pred_probs or []
        skip = {self.label, self.predictions, self.key, *_prob_columns(probs)}
        features = self.features or [c for c in self.source.columns if c not in skip]
        self.slices_panel = slices(with_errors, ERROR_COLUMN, features=features)
        return [self.slices_panel]

    def _build_history(self) -> list[Any]:
        if self.dataset is None:
            return [_note("Track the data (ds = dci.track(x, name=..., key=...)) to see history.")]
        self.history_panel = self.dataset.history()
        return [self.history_panel]

    def _update_header(self) -> None:
        where = self.source.description if self.dataset is None else repr(self.dataset.name)
        self.header.value = (
            f"<b>{html.escape(where)}</b> · {self.source.n_rows:,} rows × "
            f"{len(self.source.columns):,} columns, kept in {html.escape(self.source.engine)}"
        )


def _dataset_key(dataset: Any) -> str | None:
    if dataset is None:
        return None
    keys = list(getattr(dataset, "key", ()))
    return str(keys[0]) if len(keys) == 1 else None


def _prob_columns(value: Any) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else list(value)


def _checked_probs(value: Any, columns: list[str], label: Any) -> Any:
    """Probability columns as the user named them (a list, or a dict class -> column)."""
    if value is None:
        return None
    wanted = "the names of the data's probability columns, one per class (a list or a dict)"
    if isinstance(value, str) or not isinstance(value, list | tuple | dict):
        raise param_error("pred_probs", "inspect", wanted, type(value).__name__)
    names = _prob_columns(value)
    missing = [c for c in names if c not in columns or c == label]
    if missing or not names:
        raise param_error("pred_probs", "inspect", wanted, missing or names)
    return value


def _check_columns(columns: list[str], **named: Any) -> None:
    for name, value in named.items():
        if value is not None and value not in columns:
            shown = ", ".join(repr(c) for c in columns[:20])
            raise param_error(name, "inspect", f"one column of the data ({shown})", value)
