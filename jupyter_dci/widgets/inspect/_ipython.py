"""``%load_ext jupyter_dci``: DataFrames shown in a cell offer an "Inspect" button.

Opt-in: nothing changes until the extension is loaded. Once it is, a DataFrame left as a
cell's value (or passed to ``display``) shows exactly as pandas shows it (every format
pandas gives: HTML, text, LaTeX...), followed by a one-line bar with an **Inspect** button
that opens :func:`jupyter_dci.inspect` on that frame in place. The bar holds a reference
to the frame it was shown for, so that the button inspects what was on screen; it is
released when the bar is closed or the extension unloaded.

The label column is taken from a tracked dataset of the same frame, else from a column
named ``label`` or ``target``, else left out (the workbench then skips the label tabs).
"""

from __future__ import annotations

import html
import weakref
from typing import Any

import ipywidgets
import pandas as pd

from jupyter_dci.errors import DCIError

__all__ = ["InspectBar", "load", "unload"]

#: Columns taken as the label when no dataset says which one it is.
LABEL_NAMES = ("label", "target")
_bars: weakref.WeakSet[InspectBar] = weakref.WeakSet()


class InspectBar(ipywidgets.VBox):
    """The bar under a displayed DataFrame: an Inspect button that opens the workbench."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame: pd.DataFrame | None = frame
        self.button = ipywidgets.Button(
            description="Inspect",
            tooltip="Open the jupyter_dci workbench on this DataFrame",
            icon="search",
            layout=ipywidgets.Layout(width="auto"),
        )
        self.button.add_class("dci-inspect-open")
        self.button.on_click(lambda _b: self.open_workbench())
        self.note = ipywidgets.HTML(
            html.escape(f"jupyter_dci · {len(frame):,} rows × {frame.shape[1]:,} columns")
        )
        super().__init__([ipywidgets.HBox([self.button, self.note])])
        _bars.add(self)

    def open_workbench(self) -> Any:
        """Open the workbench in place of the bar (what the button does); return it."""
        from jupyter_dci.core.review._lazy import is_keyed_dataset
        from jupyter_dci.widgets._bridge import bridge
        from jupyter_dci.widgets.inspect._inspect import inspect

        frame = self._frame
        if frame is None:
            self.note.value = html.escape("This bar was released; display the frame again.")
            return None
        # The kernel's tracked datasets (the sidebar's list): one may track this very frame.
        # (A dataset whose rows stay in an engine tracks no frame: never this one.)
        dataset = next(
            (d for d in bridge().datasets() if not is_keyed_dataset(d) and d.frame is frame),
            None,
        )
        try:
            if dataset is not None:
                workbench = inspect(dataset)
            else:
                label = next((c for c in frame.columns if c in LABEL_NAMES), None)
                workbench = inspect(frame, label=label)
        except DCIError as exc:
            # A click's exception would only reach a log: say it beside the button.
            self.note.value = html.escape(f"Cannot inspect this frame: {exc}")
            return None
        self.children = (workbench,)
        self.button.close()
        return workbench

    def release(self) -> None:
        """Drop the reference to the frame (the button then says so)."""
        self._frame = None
        self.button.disabled = True


def _show(frame: pd.DataFrame) -> None:
    from IPython import get_ipython
    from IPython.display import display, publish_display_data

    ip = get_ipython()
    formatter = ip.display_formatter
    # pandas' own formats, computed with this printer out of the way (it would be called
    # again otherwise), so the frame looks exactly as it does without the extension.
    formatter.ipython_display_formatter.pop(pd.DataFrame, None)
    try:
        data, metadata = formatter.format(frame)
    finally:
        formatter.ipython_display_formatter.for_type(pd.DataFrame, _show)
    publish_display_data(data, metadata)
    display(InspectBar(frame))


def load(ipython: Any) -> None:
    """Show an Inspect bar under every DataFrame displayed (``%load_ext jupyter_dci``)."""
    ipython.display_formatter.ipython_display_formatter.for_type(pd.DataFrame, _show)


def unload(ipython: Any) -> None:
    """Display DataFrames as pandas does again, and release the frames the bars held."""
    ipython.display_formatter.ipython_display_formatter.pop(pd.DataFrame, None)
    for bar in list(_bars):
        bar.release()
