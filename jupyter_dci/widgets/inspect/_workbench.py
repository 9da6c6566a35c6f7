"""The :class:`Workbench` of ``dci.inspect``: a header of counts over four lazy tabs.

Four tabs share one state (:mod:`._state`): **Overview** (the profile and its alerts),
**Label issues** (the review panel; probabilities computed out of sample on request, in a
worker thread with a progress bar and a cancel button), **Slices** (where the model fails,
when predictions or probabilities exist) and **History** (versions, diffs, commit, revert
of a tracked dataset). A header above the tabs keeps the counts of all four.

Work is lazy: a tab computes when it is first opened. Results are cached until the data
changes: a relabel (from the review, or through the tracked dataset from any cell) bumps
the state's generation, the header's counts follow at once, and the tab on screen
recomputes once the edits pause (the others when they are next opened). A click on a
slice scopes the review to that slice's rows.

The workbench is made of the views of the other panels (anywidget) inside standard
ipywidgets containers, so it renders wherever those do, with no network.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from collections.abc import Hashable, Sequence
from typing import Any

import ipywidgets
import numpy as np
import pandas as pd

from jupyter_dci.core.labels import LabelIssues, find_label_issues
from jupyter_dci.errors import DCIError, InvalidParameterError, param_error
from jupyter_dci.store._events import subscribe, unsubscribe
from jupyter_dci.widgets._profile import ProfilePanel, ProfileResult
from jupyter_dci.widgets._review import ReviewWidget, review
from jupyter_dci.widgets._slices import SlicesPanel, slices
from jupyter_dci.widgets.inspect._compute import ComputeBox, probabilities_job
from jupyter_dci.widgets.inspect._jobs import CancelledError, Job, running_loop
from jupyter_dci.widgets.inspect._profiler import Profiler
from jupyter_dci.widgets.inspect._state import TABS, TITLES, WorkbenchState
from jupyter_dci.widgets.inspect._summary import (
    message,
    static_html,
    summary_counts,
    summary_html,
)

__all__ = ["Workbench"]

log = logging.getLogger(__name__)

#: Seconds without a new edit before the tab on screen recomputes: a burst of key presses
#: in the review costs one recomputation, not one per key.
SETTLE_SECONDS = 0.4
#: Up to this many rows the profile behind the header's alert counts is recomputed after
#: edits even while the Overview tab is hidden (it takes well under 0.3 s there); larger
#: frames recompute it when the Overview is opened, and the header says it is stale.
EAGER_PROFILE_ROWS = 250_000


def _close_tree(widget: Any) -> None:
    """Close a widget and every widget inside it (their front-end models go too)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


class Workbench(ipywidgets.VBox):
    """The workbench of :func:`inspect`: a header of counts over four lazy tabs.

    Make one with :func:`inspect`. The tabs' panels are reachable once built
    (:attr:`profile_panel`, :attr:`review_panel`, :attr:`slices_panel`,
    :attr:`history_panel`); :meth:`open_tab` builds and shows one from Python.

    Examples
    --------
    >>> import pandas as pd
    >>> import jupyter_dci as dci
    >>> df = pd.DataFrame({"x": [1, 2, 3, 4], "y": ["a", "b", "a", "b"]})
    >>> wb = dci.inspect(df, label="y")
    >>> wb.tab, wb.profile.n_rows
    ('overview', 4)
    >>> wb.open_tab("history").tab
    'history'
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        label: Hashable | None,
        pred_probs: Any,
        predictions: Any,
        features: Sequence[Hashable] | None,
        dataset: Any,
    ) -> None:
        self.state = WorkbenchState(
            frame,
            label=label,
            pred_probs=pred_probs,
            predictions=predictions,
            features=features,
            dataset=dataset,
        )
        self.profile_panel: ProfilePanel | None = None
        self.review_panel: ReviewWidget | None = None
        self.issues: LabelIssues | None = None
        self.slices_panel: SlicesPanel | None = None
        self.history_panel: Any = None
        self._profiler = Profiler(self.state)
        self._probs_job: Job | None = None
        self._cancel = threading.Event()
        self._compute_box: ComputeBox | None = None
        self._scope: tuple[np.ndarray, str] | None = None
        self._settle_handle: asyncio.TimerHandle | None = None
        self._settle_pending = False

        self.header = ipywidgets.HTML(layout=ipywidgets.Layout(flex="1 1 auto"))
        self.header.add_class("dci-inspect-header")
        self.refresh_button = ipywidgets.Button(
            description="Refresh",
            tooltip="Recompute everything (after changing the frame in code)",
            icon="refresh",
            layout=ipywidgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.refresh_button.on_click(lambda _b: self.refresh())
        self._holders = [ipywidgets.VBox() for _ in TABS]
        self.tabs = ipywidgets.Tab(children=self._holders)
        for i, name in enumerate(TABS):
            self.tabs.set_title(i, TITLES[name])
        self.tabs.add_class("dci-inspect-tabs")
        bar = ipywidgets.HBox(
            [self.header, self.refresh_button], layout=ipywidgets.Layout(align_items="center")
        )
        super().__init__(children=[bar, self.tabs])
        self.add_class("dci-inspect")
        self.tabs.selected_index = 0
        self._build("overview")
        self._update_header()
        self.tabs.observe(self._on_selected, names="selected_index")
        if dataset is not None:
            self._follow_store()

    def _follow_store(self) -> None:
        """Subscribe to the store's events of this workbench's dataset (weakly)."""
        ref = weakref.ref(self)

        def on_event(ds: Any, kind: str) -> None:
            wb = ref()
            if wb is None:
                unsubscribe(on_event)
            elif ds is wb.dataset:
                if ds.frame is not wb.frame:
                    # A reshape (or a pull of one) tracks a new frame: start on it.
                    wb._adopt_frame(ds.frame)
                elif kind in ("edit", "discard", "pull"):
                    wb._changed()
                else:
                    # A commit or a tag changes the version, not the data: counts only.
                    wb._update_header()

        self._on_event = on_event
        subscribe(on_event)

    # ---- public API ---------------------------------------------------------------

    @property
    def frame(self) -> pd.DataFrame:
        """The frame shown (the user's object: relabels are written into it)."""
        return self.state.frame

    @property
    def label(self) -> Hashable | None:
        """The label column, or None."""
        return self.state.label

    @property
    def dataset(self) -> Any:
        """The tracked dataset behind the frame, or None."""
        return self.state.dataset

    @property
    def features(self) -> list[Hashable] | None:
        """The columns to learn from and slice by, when given."""
        return self.state.features

    @property
    def generation(self) -> int:
        """Bumped whenever the data changes; each cached result remembers its generation."""
        return self.state.generation

    @property
    def tab(self) -> str:
        """The tab on screen (one of ``"overview"``, ``"labels"``, ``"slices"``, ``"history"``)."""
        index = self.tabs.selected_index or 0
        return TABS[index]

    @property
    def profile(self) -> ProfileResult:
        """The profile of the frame as it is now (computed, or taken from the cache)."""
        return self._profiler.current()

    @property
    def probabilities(self) -> Any:
        """The class probabilities in use: given, computed out of sample, or None."""
        return self.state.probs

    def open_tab(self, name: str) -> Workbench:
        """Show tab ``name`` (building it if needed), as a click on it does."""
        if name not in TABS:
            raise param_error("name", "Workbench.open_tab", f"one of {list(TABS)}", name)
        self._flush()
        self.tabs.selected_index = TABS.index(name)
        self._ensure(name)
        return self

    def refresh(self) -> None:
        """Recompute every tab from the frame as it is now (the Refresh button)."""
        self.state.bump()
        # Issues of the old labels would be stale: the review starts again from the frame.
        self.state.rebuild()
        self._ensure(self.tab)
        self._update_header()

    def compute_probabilities(self, *, wait: bool = True, **options: Any) -> None:
        """Compute the class probabilities out of sample (what the Label issues button does).

        Parameters
        ----------
        wait : bool, default True
            Block until done. ``False`` runs the work in a thread (the kernel stays
            responsive; :meth:`cancel` stops it after the fold being fitted).
        **options
            Passed to :func:`jupyter_dci.out_of_sample_probs` (``model``, ``cv``...).

        Raises
        ------
        DCIError
            With ``wait=True``, what ``out_of_sample_probs`` refused (also shown in the
            tab); with ``wait=False`` errors are shown in the tab only.
        """
        state = self.state
        if state.label is None:
            raise param_error(
                "label", "inspect", "the label column, to compute probabilities", None
            )
        if self._probs_job is not None and self._probs_job.is_alive():
            raise InvalidParameterError(
                "Probabilities are being computed already; wait for them or cancel."
            )
        self._cancel.clear()
        if self._compute_box is None:  # called from Python before the tab was opened
            self._compute_box = ComputeBox(self)
        job = probabilities_job(
            state,
            self._compute_box,
            options,
            done=self._probs_done,
            loop=None if wait else running_loop(),
            cancel=self._cancel,
        )
        self._probs_job = job
        if not wait:
            job.start()
            return
        outcome = job.run()
        if isinstance(outcome, Exception) and not isinstance(outcome, CancelledError):
            raise outcome

    def cancel(self) -> None:
        """Stop computing probabilities (after the fold being fitted)."""
        self._cancel.set()

    def close(self) -> None:
        """Close the workbench and its panels, and stop following the dataset."""
        self._cancel.set()
        on_event = getattr(self, "_on_event", None)
        if on_event is not None:
            unsubscribe(on_event)
        for child in getattr(self, "children", ()):
            _close_tree(child)
        super().close()

    # ---- tabs ---------------------------------------------------------------------

    def _on_selected(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self._ensure(TABS[change["new"]])

    def _ensure(self, name: str) -> None:
        """Build tab ``name`` if it was never built, or is stale and depends on the data."""
        if self.state.is_stale(name):
            self._build(name)

    def _build(self, name: str) -> None:
        holder = self._holders[TABS.index(name)]
        try:
            content = getattr(self, f"_build_{name}")()
        except DCIError as exc:
            content = [message(str(exc), kind="error")]
        except Exception as exc:  # a broken tab must not take the workbench down
            log.exception("jupyter_dci inspect: building the %s tab failed", name)
            content = [
                message(
                    f"Internal error while building this tab ({type(exc).__name__}: {exc}). "
                    "Please report it to jupyter_dci with the frame's dtypes.",
                    kind="error",
                )
            ]
        old = holder.children
        holder.children = tuple(content)
        for widget in old:
            if widget not in content:
                _close_tree(widget)
        self.state.built(name)

    def _build_overview(self) -> list[Any]:
        error = self._profiler.take_error()
        if error is not None:
            raise error
        loop = running_loop()
        if loop is not None and self._profiler.wanted_in_background(loop):
            return self._profile_in_background(loop)
        self.profile_panel = self.profile.show()
        self._update_header()
        return [self.profile_panel]

    def _profile_in_background(self, loop: asyncio.AbstractEventLoop) -> list[Any]:
        """Start profiling in a worker thread; return the tab's content meanwhile.

        That is a progress bar over the panel itself, pending: the front end loads the
        panel's code and the table its first rows while the kernel profiles, and the
        panel fills in when the profile is set.
        """
        n_cols = self.frame.shape[1]
        bar = ipywidgets.IntProgress(value=0, min=0, max=max(n_cols, 1))
        box = ipywidgets.HBox([bar])
        box.add_class("dci-inspect-profiling")
        self.profile_panel = ProfilePanel(None, self.frame)

        def progress(done: int, total: int, _what: str) -> None:
            bar.max, bar.value = total, done

        self._profiler.start(loop, progress, self._profile_ready)
        return [box, self.profile_panel]

    def _profile_ready(self) -> None:
        fresh = self.state.profile_fresh
        panel = self.profile_panel
        holder = self._holders[TABS.index("overview")]
        if fresh and panel is not None and panel.summary.pending and panel in holder.children:
            # Fill the panel on screen (its code is loaded already), drop the progress bar.
            panel.summary.set_result(self.state.profile)
            for widget in holder.children:
                if widget is not panel:
                    _close_tree(widget)
            holder.children = (panel,)
            self.state.built("overview")
        elif fresh or self._profiler.error is not None or self.tab == "overview":
            self._build("overview")
        else:
            # The data changed while profiling and the Overview is hidden: profile the data
            # of then when it is opened, not now in the background of the user's work.
            self.state.rebuild("overview")
        self._update_header()

    def _build_labels(self) -> list[Any]:
        self.review_panel = None
        self.issues = None
        state = self.state
        if state.label is None:
            return [
                message(
                    "Label issues need the label column: dci.inspect(df, label='...') "
                    "(and pred_probs=... if you have out-of-sample probabilities)."
                )
            ]
        if state.probs is None:
            if self._compute_box is None:
                self._compute_box = ComputeBox(self)
            return [self._compute_box]
        issues = find_label_issues(state.frame[state.label], state.probs)
        self.issues = issues
        panel = review(state.frame, label=state.label, issues=issues, dataset=state.dataset)
        panel.observe(self._on_review, names=["n_reviewed", "n_relabelled"])
        panel.observe(self._on_scope, names=["filter_rows"])
        self.review_panel = panel
        if self._scope is not None:
            panel.restrict(*self._scope)
        source = {
            "given": "the probabilities given",
            "computed": "probabilities computed out of sample here",
        }[state.probs_origin]
        accuracy = getattr(state.probs, "accuracy", None)
        extra = "" if accuracy is None else f" (cross-validated accuracy {accuracy:.1%})"
        note = message(
            f"{issues.n_issues:,} suspected label errors among {len(state.frame):,} rows, "
            f"found with {source}{extra}."
        )
        self._update_header()
        return [note, panel]

    def _build_slices(self) -> list[Any]:
        self.slices_panel = None
        errors = self.state.errors()
        if errors is None:
            return [
                message(
                    "Slices show where a model fails: pass predictions=... or pred_probs=... "
                    "to dci.inspect, or compute probabilities in the Label issues tab."
                )
            ]
        panel = slices(
            self.frame, errors, features=self.state.slice_features(), dataset=self.dataset
        )
        panel.summary.on_show = self._on_slice_show
        self.slices_panel = panel
        self._update_header()
        return [panel]

    def _build_history(self) -> list[Any]:
        self.history_panel = None
        if self.dataset is None:
            return [
                message(
                    "History records every edit of a tracked dataset: "
                    "ds = dci.track(df, name='...', label='...'), then "
                    "dci.inspect(ds) shows its versions, diffs, commit and revert here."
                )
            ]
        self.history_panel = self.dataset.history()
        return [self.history_panel]

    # ---- following changes ----------------------------------------------------------

    def _adopt_frame(self, frame: pd.DataFrame) -> None:
        """Follow the dataset to a new frame: every tab starts again on it."""
        self.state.follow(frame)
        self._scope = None
        self.refresh()

    def _on_review(self, _change: Any) -> None:
        # Through a dataset the store's event comes too; both land in one settle.
        self._changed()

    def _on_scope(self, change: dict[str, Any]) -> None:
        if change["new"] == "":
            self._scope = None
        title = TITLES["labels"] + (" · in slice" if change["new"] else "")
        self.tabs.set_title(TABS.index("labels"), title)

    def _on_slice_show(self, mask: np.ndarray, caption: str) -> None:
        self._scope = (mask, caption)
        if self.review_panel is not None:
            self.review_panel.restrict(mask, caption)
        self.tabs.set_title(TABS.index("labels"), TITLES["labels"] + " · in slice")

    def _changed(self) -> None:
        """Follow a change of the data: counts now, the tab on screen once edits pause."""
        self.state.bump()
        self._update_header()
        loop = running_loop()
        if loop is None:
            # Plain Python (a script, a test): no loop to wait on; settle when next read,
            # so a loop of decisions costs one recomputation, not one each.
            self._settle_pending = True
            return
        if self._settle_handle is not None:
            self._settle_handle.cancel()
        self._settle_handle = loop.call_later(SETTLE_SECONDS, self._settle)

    def _flush(self) -> None:
        """Settle now if edits made outside a kernel's loop are waiting."""
        if self._settle_pending:
            self._settle()

    def _settle(self) -> None:
        self._settle_handle = None
        self._settle_pending = False
        try:
            if self.tab in ("overview", "slices"):
                self._ensure(self.tab)
            elif len(self.frame) <= EAGER_PROFILE_ROWS and not self.state.profile_fresh:
                _ = self.profile  # the header's alert counts
            self._update_header()
        except Exception:  # a timer callback's exception would only reach a log anyway
            log.exception("jupyter_dci inspect: refreshing after an edit failed")

    def _probs_done(self, outcome: Any) -> None:
        box = self._compute_box
        assert box is not None  # made before the work started
        if isinstance(outcome, CancelledError):
            box.stopped("CancelledError; nothing was kept.")
            return
        if isinstance(outcome, Exception):
            box.stopped(f"Could not compute probabilities: {outcome}", error=True)
            return
        box.stopped()
        self.state.set_probs(outcome)
        self._build("labels")
        self._update_header()

    # ---- the header and the saved summary -------------------------------------------

    def _update_header(self) -> None:
        self.header.value = summary_html(self._summary(), inline=True)

    def summary(self) -> dict[str, str]:
        """Return the header's counts as text: rows, alerts, label issues, slices, dataset.

        Examples
        --------
        >>> import pandas as pd
        >>> import jupyter_dci as dci
        >>> dci.inspect(pd.DataFrame({"x": [1, 2]})).summary()
        {'data': '2 rows × 1 columns', 'alerts': '0 alerts'}
        """
        self._flush()
        return self._summary()

    def _summary(self) -> dict[str, str]:
        return summary_counts(
            self.state, review_panel=self.review_panel, slices_panel=self.slices_panel
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        if data is not None:
            data = dict(data)
            summary = self.summary()
            data["text/plain"] = "jupyter_dci workbench: " + "; ".join(
                f"{k}: {v}" for k, v in summary.items()
            )
            profile = self.state.profile
            data["text/html"] = static_html(summary, profile.alerts if profile else ())
        return (data, meta) if isinstance(bundle, tuple) else data
