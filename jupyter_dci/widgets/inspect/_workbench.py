"""``dci.inspect(df)``: the workbench, one panel for the whole loop.

Four tabs share one state: **Overview** (the profile and its alerts), **Label issues**
(the review panel; probabilities computed out of sample on request, in a worker thread
with a progress bar and a cancel button), **Slices** (where the model fails, when
predictions or probabilities exist) and **History** (versions, diffs, commit, revert of a
tracked dataset). A header above the tabs keeps the counts of all four.

Work is lazy: a tab computes when it is first opened. Results are cached until the data
changes: a relabel (from the review, or through the tracked dataset from any cell) bumps
the workbench's generation, the header's counts follow at once, and the tab on screen
recomputes once the edits pause (the others when they are next opened). A click on a
slice scopes the review to that slice's rows.

The workbench is made of the views of the other panels (anywidget) inside standard
ipywidgets containers, so it renders wherever those do, with no network.
"""

from __future__ import annotations

import asyncio
import html
import logging
import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import ipywidgets
import numpy as np
import pandas as pd

from jupyter_dci.core.labels._find import LabelIssues, find_label_issues
from jupyter_dci.core.labels._oos import OutOfSampleProbs, out_of_sample_probs
from jupyter_dci.core.slices._find import FoundSlices
from jupyter_dci.core.table._cells import column_kind, display_name
from jupyter_dci.errors import DCIError, InvalidParameterError, param_error
from jupyter_dci.store._events import subscribe, unsubscribe
from jupyter_dci.widgets._profile import ProfilePanel, ProfileResult
from jupyter_dci.widgets._profile import profile as _profile
from jupyter_dci.widgets._review import ReviewWidget, review
from jupyter_dci.widgets._slices import SlicesPanel, slices

__all__ = ["Workbench", "inspect"]

log = logging.getLogger(__name__)

#: The tabs, in order, and their titles.
TABS: tuple[str, ...] = ("overview", "labels", "slices", "history")
TITLES: dict[str, str] = {
    "overview": "Overview",
    "labels": "Label issues",
    "slices": "Slices",
    "history": "History",
}
#: Seconds without a new edit before the tab on screen recomputes: a burst of key presses
#: in the review costs one recomputation, not one per key.
SETTLE_SECONDS = 0.4
#: Up to this many rows the profile behind the header's alert counts is recomputed after
#: edits even while the Overview tab is hidden (it takes well under 0.3 s there); larger
#: frames recompute it when the Overview is opened, and the header says it is stale.
EAGER_PROFILE_ROWS = 250_000
#: From this many rows, inside a kernel, the Overview's profile is computed in a worker
#: thread: the workbench shows at once (header, tabs, a progress bar), the kernel stays
#: responsive, and the alerts and column cards fill in when the profile is done.
BACKGROUND_PROFILE_ROWS = 200_000
#: Alerts listed in the static summary kept in a saved notebook.
_SUMMARY_ALERTS = 8


class _CancelledError(Exception):
    """Raised inside the worker to stop computing probabilities."""


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _close_tree(widget: Any) -> None:
    """Close a widget and every widget inside it (their front-end models go too)."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _message(text: str, *, kind: str = "info") -> ipywidgets.HTML:
    """Make a paragraph of text for a tab (escaped: it may quote a column name or an error)."""
    return ipywidgets.HTML(
        f'<p class="dci-inspect-{kind}" style="margin:8px 4px">{html.escape(text)}</p>'
    )


def _check_length(name: str, n_rows: int, got: int) -> None:
    if got != n_rows:
        raise param_error(name, "inspect", f"one entry per row of the frame ({n_rows:,})", got)


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
        self.frame = frame
        self.label = label
        self.dataset = dataset
        self.features = None if features is None else list(features)
        self._probs: Any = pred_probs
        self._probs_origin = "given" if pred_probs is not None else ""
        self._predictions = None if predictions is None else np.asarray(predictions, dtype=object)
        #: Bumped whenever the data changes; each cached result remembers its generation.
        self.generation = 0
        self._built: dict[str, int] = dict.fromkeys(TABS, -1)
        self._profile: ProfileResult | None = None
        self._profile_gen = -1
        # The background profile: its thread, and what it left (generation, result or error).
        self._profile_worker: threading.Thread | None = None
        self._profile_result: tuple[int, Any] | None = None
        self._profile_error: BaseException | None = None
        self.profile_panel: ProfilePanel | None = None
        self.review_panel: ReviewWidget | None = None
        self.issues: LabelIssues | None = None
        self.slices_panel: SlicesPanel | None = None
        self.history_panel: Any = None
        self._scope: tuple[np.ndarray, str] | None = None
        self._settle_handle: asyncio.TimerHandle | None = None
        self._settle_pending = False
        self._worker: threading.Thread | None = None
        self._cancel = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._compute_box: _ComputeBox | None = None

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
        super().__init__(
            children=[
                ipywidgets.HBox(
                    [self.header, self.refresh_button],
                    layout=ipywidgets.Layout(align_items="center"),
                ),
                self.tabs,
            ]
        )
        self.add_class("dci-inspect")
        self.tabs.selected_index = 0
        self._build("overview")
        self._update_header()
        self.tabs.observe(self._on_selected, names="selected_index")
        if dataset is not None:
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
    def tab(self) -> str:
        """The tab on screen (one of ``"overview"``, ``"labels"``, ``"slices"``, ``"history"``)."""
        index = self.tabs.selected_index or 0
        return TABS[index]

    @property
    def profile(self) -> ProfileResult:
        """The profile of the frame as it is now (computed, or taken from the cache)."""
        if self._profile is not None and self._profile_gen == self.generation:
            return self._profile
        worker = self._profile_worker
        if worker is not None:  # computing in the background: its result may be the one
            worker.join()
        self._adopt_profile()
        if self._profile is None or self._profile_gen != self.generation:
            self._profile = _profile(self.frame, label=self.label)
            self._profile_gen = self.generation
        return self._profile

    def _adopt_profile(self) -> None:
        """Take what the background profile left, if anything."""
        got, self._profile_result = self._profile_result, None
        if got is None:
            return
        generation, result = got
        if isinstance(result, BaseException):
            self._profile_error = result
        elif self._profile is None or generation >= self._profile_gen:
            self._profile, self._profile_gen = result, generation

    @property
    def probabilities(self) -> Any:
        """The class probabilities in use: given, computed out of sample, or None."""
        return self._probs

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
        self.generation += 1
        # Issues of the old labels would be stale: the review starts again from the frame.
        for name in TABS:
            self._built[name] = -1
        self._ensure(self.tab)
        self._update_header()

    def _adopt_frame(self, frame: pd.DataFrame) -> None:
        """Follow the dataset to a new frame: every tab starts again on it."""
        self.frame = frame
        if self._probs is not None and len(self._probs_matrix()) != len(frame):
            # Probabilities and predictions of other rows would be misaligned: dropped.
            self._probs, self._probs_origin = None, ""
            self._predictions = None
        if self._predictions is not None and len(self._predictions) != len(frame):
            self._predictions = None
        self._scope = None
        self.refresh()

    def _probs_matrix(self) -> Any:
        return getattr(self._probs, "pred_probs", self._probs)

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
        if self.label is None:
            raise param_error(
                "label", "inspect", "the label column, to compute probabilities", None
            )
        if self._worker is not None and self._worker.is_alive():
            raise InvalidParameterError(
                "Probabilities are being computed already; wait for them or cancel."
            )
        self._cancel.clear()
        self._loop = None if wait else _running_loop()
        box = self._compute_box
        if box is None:  # called from Python before the tab was opened
            box = self._compute_box = _ComputeBox(self)
        box.progress.value, box.progress.max = 0, options.get("cv", 5)
        box.progress.layout.visibility = "visible"
        box.start.disabled, box.cancel.disabled = True, False
        box.status.value = html.escape("Fitting the model on each fold…")

        def progress(done: int, total: int, message: str) -> None:
            if self._cancel.is_set():
                raise _CancelledError
            box.progress.max, box.progress.value = total, done
            box.status.value = html.escape(f"{done} of {total} folds done ({message})")

        outcome: list[Any] = []

        def work() -> None:
            try:
                result: Any = out_of_sample_probs(
                    self.frame, self.label, features=self.features, progress=progress, **options
                )
                if self._cancel.is_set():
                    raise _CancelledError
            except _CancelledError:
                result = _CancelledError()
            except Exception as exc:  # shown in the tab: a worker's error has nowhere else to go
                if not isinstance(exc, DCIError):
                    log.exception("jupyter_dci inspect: computing probabilities failed")
                result = exc
            outcome.append(result)
            self._finish(lambda: self._probs_done(result))

        if wait:
            work()
            if isinstance(outcome[0], Exception) and not isinstance(outcome[0], _CancelledError):
                raise outcome[0]
        else:
            self._worker = threading.Thread(target=work, name="dci-inspect-probs", daemon=True)
            self._worker.start()

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
        built = self._built[name]
        stale = name in ("overview", "slices") and built != self.generation
        if built < 0 or stale:
            self._build(name)

    def _build(self, name: str) -> None:
        holder = self._holders[TABS.index(name)]
        try:
            content = getattr(self, f"_build_{name}")()
        except DCIError as exc:
            content = [_message(str(exc), kind="error")]
        except Exception as exc:  # a broken tab must not take the workbench down
            log.exception("jupyter_dci inspect: building the %s tab failed", name)
            content = [
                _message(
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
        self._built[name] = self.generation

    def _build_overview(self) -> list[Any]:
        self._adopt_profile()
        if self._profile_error is not None:
            error, self._profile_error = self._profile_error, None
            raise error
        fresh = self._profile is not None and self._profile_gen == self.generation
        loop = _running_loop()
        if not fresh and loop is not None and len(self.frame) >= BACKGROUND_PROFILE_ROWS:
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
        content = [box, self.profile_panel]
        if self._profile_worker is not None:
            return content  # one is running: its end fills the tab, for the data of then
        generation, frame, label = self.generation, self.frame, self.label

        def progress(done: int, total: int, _what: str) -> None:
            bar.max, bar.value = total, done

        def work() -> None:
            try:
                result: Any = _profile(frame, label=label, progress=progress)
            except Exception as exc:  # shown in the tab by _build_overview
                if not isinstance(exc, DCIError):
                    log.exception("jupyter_dci inspect: profiling failed")
                result = exc
            self._profile_result = (generation, result)
            loop.call_soon_threadsafe(self._profile_ready)

        self._profile_worker = threading.Thread(
            target=work, name="dci-inspect-profile", daemon=True
        )
        self._profile_worker.start()
        return content

    def _profile_ready(self) -> None:
        self._profile_worker = None
        self._adopt_profile()
        fresh = self._profile is not None and self._profile_gen == self.generation
        panel = self.profile_panel
        holder = self._holders[TABS.index("overview")]
        if fresh and panel is not None and panel.summary.pending and panel in holder.children:
            # Fill the panel on screen (its code is loaded already), drop the progress bar.
            assert self._profile is not None
            panel.summary.set_result(self._profile)
            for widget in holder.children:
                if widget is not panel:
                    _close_tree(widget)
            holder.children = (panel,)
            self._built["overview"] = self.generation
        elif fresh or self._profile_error is not None or self.tab == "overview":
            self._build("overview")
        else:
            # The data changed while profiling and the Overview is hidden: profile the data
            # of then when it is opened, not now in the background of the user's work.
            self._built["overview"] = -1
        self._update_header()

    def _build_labels(self) -> list[Any]:
        self.review_panel = None
        self.issues = None
        if self.label is None:
            return [
                _message(
                    "Label issues need the label column: dci.inspect(df, label='...') "
                    "(and pred_probs=... if you have out-of-sample probabilities)."
                )
            ]
        if self._probs is None:
            if self._compute_box is None:
                self._compute_box = _ComputeBox(self)
            return [self._compute_box]
        issues = find_label_issues(self.frame[self.label], self._probs)
        self.issues = issues
        panel = review(self.frame, label=self.label, issues=issues, dataset=self.dataset)
        panel.observe(self._on_review, names=["n_reviewed", "n_relabelled"])
        panel.observe(self._on_scope, names=["filter_rows"])
        self.review_panel = panel
        if self._scope is not None:
            panel.restrict(*self._scope)
        source = {
            "given": "the probabilities given",
            "computed": "probabilities computed out of sample here",
        }[self._probs_origin]
        accuracy = getattr(self._probs, "accuracy", None)
        extra = "" if accuracy is None else f" (cross-validated accuracy {accuracy:.1%})"
        note = _message(
            f"{issues.n_issues:,} suspected label errors among {len(self.frame):,} rows, "
            f"found with {source}{extra}."
        )
        self._update_header()
        return [note, panel]

    def _build_slices(self) -> list[Any]:
        self.slices_panel = None
        errors = self._errors()
        if errors is None:
            return [
                _message(
                    "Slices show where a model fails: pass predictions=... or pred_probs=... "
                    "to dci.inspect, or compute probabilities in the Label issues tab."
                )
            ]
        panel = slices(self.frame, errors, features=self._slice_features(), dataset=self.dataset)
        panel.summary.on_show = self._on_slice_show
        self.slices_panel = panel
        self._update_header()
        return [panel]

    def _build_history(self) -> list[Any]:
        self.history_panel = None
        if self.dataset is None:
            return [
                _message(
                    "History records every edit of a tracked dataset: "
                    "ds = dci.track(df, name='...', label='...'), then "
                    "dci.inspect(ds) shows its versions, diffs, commit and revert here."
                )
            ]
        self.history_panel = self.dataset.history()
        return [self.history_panel]

    # ---- shared state -------------------------------------------------------------

    def _errors(self) -> np.ndarray | None:
        """Whether the model is wrong on each row, against the labels as they are now."""
        if self.label is None:
            return None
        if self._predictions is not None:
            predicted = self._predictions
        elif self._probs is not None:
            probs = getattr(self._probs, "pred_probs", self._probs)
            matrix = np.asarray(probs, dtype=float)
            classes = getattr(self._probs, "classes", None)
            if classes is None:
                classes = (
                    list(probs.columns)
                    if isinstance(probs, pd.DataFrame)
                    else self._classes_of(matrix.shape[1])
                )
            predicted = np.asarray(classes, dtype=object)[matrix.argmax(axis=1)]
        else:
            return None
        labels = self.frame[self.label].astype(object).to_numpy()
        return np.fromiter(
            (bool(a != b) for a, b in zip(predicted, labels, strict=True)),
            dtype=bool,
            count=len(labels),
        )

    def _classes_of(self, k: int) -> list[Any]:
        """Return the class of each probability column when the probabilities do not name them."""
        labels = pd.unique(self.frame[self.label].dropna())
        try:
            ordered = sorted(labels.tolist())
        except TypeError:
            ordered = list(labels)
        if all(isinstance(v, int | np.integer) for v in ordered) and set(ordered) <= set(range(k)):
            return list(range(k))
        return ordered

    def _slice_features(self) -> list[Hashable]:
        if self.features is not None:
            return self.features
        # Image and other array cells have no values to slice by.
        return [
            c
            for c in self.frame.columns
            if column_kind(self.frame[c]) not in ("image", "object") or c == self.label
        ]

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
        self.generation += 1
        self._update_header()
        loop = _running_loop()
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
            elif len(self.frame) <= EAGER_PROFILE_ROWS and self.generation != self._profile_gen:
                _ = self.profile  # the header's alert counts
            self._update_header()
        except Exception:  # a timer callback's exception would only reach a log anyway
            log.exception("jupyter_dci inspect: refreshing after an edit failed")

    def _finish(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the kernel's loop (from the worker), or at once without one."""
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(callback)
        else:
            callback()

    def _probs_done(self, result: Any) -> None:
        self._worker = None
        box = self._compute_box
        assert box is not None  # made before the work started
        box.start.disabled, box.cancel.disabled = False, True
        if isinstance(result, _CancelledError):
            box.progress.layout.visibility = "hidden"
            box.status.value = html.escape("Cancelled; nothing was kept.")
            return
        if isinstance(result, Exception):
            box.progress.layout.visibility = "hidden"
            box.status.value = (
                '<span class="dci-inspect-error">'
                + html.escape(f"Could not compute probabilities: {result}")
                + "</span>"
            )
            return
        self._probs = result
        self._probs_origin = "computed"
        self._built["slices"] = -1
        self._build("labels")
        self._update_header()

    def _update_header(self) -> None:
        self.header.value = _summary_html(self._summary(), inline=True)

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
        out = {"data": f"{len(self.frame):,} rows × {self.frame.shape[1]:,} columns"}
        if self._profile is not None:
            counts: dict[str, int] = {}
            for alert in self._profile.alerts:
                counts[alert.severity] = counts.get(alert.severity, 0) + 1
            detail = ", ".join(f"{n} {s}" for s, n in counts.items())
            n = len(self._profile.alerts)
            text = f"{n} alert{'' if n == 1 else 's'}" + (f" ({detail})" if detail else "")
            if self._profile_gen != self.generation:
                text += " · as of before the last edits (open Overview to update)"
            out["alerts"] = text
        if self.review_panel is not None:
            r = self.review_panel
            out["label issues"] = (
                f"{r.n_suspects:,} suspected · {r.n_reviewed:,} reviewed · "
                f"{r.n_relabelled:,} relabelled · {r.n_suspects - r.n_reviewed:,} to go"
            )
        elif self.label is not None:
            out["label issues"] = (
                "not computed yet (open Label issues)"
                if self._probs is None
                else "open Label issues to find them"
            )
        if self.slices_panel is not None:
            found: FoundSlices = self.slices_panel.found
            out["slices"] = (
                f"{len(found.slices)} where the model fails more (error {found.error:.1%} overall)"
                if found.found
                else found.message
            )
        if self.dataset is not None:
            ds = self.dataset
            out["dataset"] = (
                f"{ds.name!r} version {ds.head.id} · {ds.n_pending:,} uncommitted edits"
            )
        return out

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle, {})
        if data is not None:
            data = dict(data)
            summary = self.summary()
            data["text/plain"] = "jupyter_dci workbench: " + "; ".join(
                f"{k}: {v}" for k, v in summary.items()
            )
            data["text/html"] = self._static_html(summary)
        return (data, meta) if isinstance(bundle, tuple) else data

    def _static_html(self, summary: dict[str, str]) -> str:
        """Render what a saved notebook shows where no kernel runs: counts and top alerts."""
        parts = [
            "<div class='dci-inspect-static'>",
            "<p><b>jupyter_dci workbench</b> (the interactive panel needs a running kernel)</p>",
            _summary_html(summary, inline=False),
        ]
        if self._profile is not None and self._profile.alerts:
            items = "".join(
                f"<li>{html.escape(a.severity)}: {html.escape(a.message)}</li>"
                for a in self._profile.alerts[:_SUMMARY_ALERTS]
            )
            more = len(self._profile.alerts) - _SUMMARY_ALERTS
            tail = f"<li>… and {more} more</li>" if more > 0 else ""
            parts.append(f"<p>Alerts:</p><ul>{items}{tail}</ul>")
        parts.append("</div>")
        return "".join(parts)


def _summary_html(summary: dict[str, str], *, inline: bool) -> str:
    if inline:
        items = " &nbsp;·&nbsp; ".join(
            f"<b>{html.escape(k)}</b> {html.escape(v)}" for k, v in summary.items()
        )
        return f'<div class="dci-inspect-summary" style="padding:4px 2px">{items}</div>'
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in summary.items()
    )
    return f"<table>{rows}</table>"


class _ComputeBox(ipywidgets.VBox):
    """The Label issues tab before probabilities exist: a button, progress and cancel."""

    def __init__(self, workbench: Workbench) -> None:
        ref = weakref.ref(workbench)
        intro = _message(
            "No probabilities were given. Compute them out of sample: a model fitted on the "
            "other folds predicts each fold (5-fold cross-validation), so no row is judged by "
            "a model that saw its label. The kernel stays usable meanwhile."
        )
        self.start = ipywidgets.Button(
            description="Compute probabilities", button_style="primary", icon="play"
        )
        self.cancel = ipywidgets.Button(description="Cancel", icon="stop", disabled=True)
        self.progress = ipywidgets.IntProgress(
            value=0, min=0, max=5, layout=ipywidgets.Layout(visibility="hidden")
        )
        self.status = ipywidgets.HTML("")

        def start(_b: Any) -> None:
            wb = ref()
            if wb is not None:
                try:
                    wb.compute_probabilities(wait=False)
                except DCIError as exc:
                    self.status.value = html.escape(str(exc))

        def cancel(_b: Any) -> None:
            wb = ref()
            if wb is not None:
                wb.cancel()
                self.status.value = html.escape("Cancelling after the fold being fitted…")

        self.start.on_click(start)
        self.cancel.on_click(cancel)
        self.start.add_class("dci-inspect-compute")
        self.cancel.add_class("dci-inspect-cancel")
        self.status.add_class("dci-inspect-status")
        super().__init__(
            [intro, ipywidgets.HBox([self.start, self.cancel, self.progress]), self.status]
        )


def inspect(
    df: Any,
    *,
    label: Hashable | None = None,
    pred_probs: Any = None,
    predictions: Any = None,
    features: Sequence[Hashable] | None = None,
    dataset: Any = None,
) -> Workbench:
    """Open the workbench: look, find, fix, record and measure in one panel.

    Parameters
    ----------
    df : pandas.DataFrame or jupyter_dci.store.Dataset
        The data (referenced, not copied; relabels are written into it). A tracked
        Dataset stands for its frame, its label column and itself.
    label : column name, optional
        The label column: adds the label alerts, the Label issues tab and the slices.
    pred_probs : array-like, DataFrame or OutOfSampleProbs, optional
        Out-of-sample class probabilities, one row per row of ``df``. Without them, the
        Label issues tab offers to compute them (cancellable, with a progress bar).
    predictions : array-like, optional
        A model's predicted label per row, for the Slices tab (else the top class of the
        probabilities is taken).
    features : sequence of column names, optional
        The columns to learn from and slice by (default: all but the label; slices skip
        image and other array columns).
    dataset : jupyter_dci.store.Dataset, optional
        The dataset tracking ``df``: edits become pending edits and the History tab shows
        its versions.

    Returns
    -------
    Workbench
        The panel; display it, or leave it as a cell's last value.

    Raises
    ------
    InvalidParameterError
        A parameter of the wrong kind or length, with what was expected.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import jupyter_dci as dci
    >>> df = pd.DataFrame({"x": [0.1, 0.2, 0.9, 0.8], "y": [0, 0, 1, 0]})
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.05, 0.95]])
    >>> wb = dci.inspect(df, label="y", pred_probs=probs)
    >>> wb.open_tab("labels").review_panel.n_suspects
    1
    """
    from jupyter_dci.store import Dataset

    if isinstance(df, Dataset):
        if dataset is not None and dataset is not df:
            raise param_error("dataset", "inspect", "None when df is a Dataset", dataset)
        dataset = df
        df = dataset.frame
        label = dataset.label if label is None else label
    if not isinstance(df, pd.DataFrame):
        raise param_error(
            "df", "inspect", "a pandas DataFrame or a tracked Dataset", type(df).__name__
        )
    if dataset is not None:
        if not isinstance(dataset, Dataset) or dataset.frame is not df:
            raise param_error(
                "dataset",
                "inspect",
                "the Dataset tracking this very frame (ds = dci.track(df, ...); dci.inspect(ds))",
                type(dataset).__name__,
            )
        label = dataset.label if label is None else label
    if label is not None and int((df.columns == label).sum()) != 1:
        columns = ", ".join(repr(display_name(c)) for c in df.columns[:20])
        raise param_error("label", "inspect", f"one column of the frame ({columns})", label)
    if (pred_probs is not None or predictions is not None) and label is None:
        raise param_error("label", "inspect", "the label column, to compare the model with", None)
    if pred_probs is not None:
        probs = pred_probs.pred_probs if isinstance(pred_probs, OutOfSampleProbs) else pred_probs
        shape = np.shape(probs)
        if len(shape) != 2:
            raise param_error(
                "pred_probs", "inspect", "a 2-d array of shape (n_rows, n_classes)", shape
            )
        _check_length("pred_probs", len(df), shape[0])
    if predictions is not None:
        if np.ndim(predictions) != 1:
            raise param_error(
                "predictions", "inspect", "one predicted label per row", np.shape(predictions)
            )
        _check_length("predictions", len(df), len(predictions))
    if features is not None:
        if isinstance(features, str) or not isinstance(features, Sequence):
            raise param_error("features", "inspect", "a list of column names", features)
        missing = [f for f in features if f not in df.columns]
        if missing:
            raise param_error("features", "inspect", "columns of the frame", missing)
    return Workbench(
        df,
        label=label,
        pred_probs=pred_probs,
        predictions=predictions,
        features=features,
        dataset=dataset,
    )
