"""The Label issues tab before probabilities exist: a button, a progress bar and Cancel.

:func:`probabilities_job` is the work behind the button: out-of-sample probabilities, the
progress shown fold by fold, stopped at the next fold once cancelled.
"""

from __future__ import annotations

import asyncio
import html
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets

from jupyter_dci.core.labels import out_of_sample_probs
from jupyter_dci.errors import DCIError
from jupyter_dci.widgets.inspect._jobs import Job
from jupyter_dci.widgets.inspect._state import WorkbenchState
from jupyter_dci.widgets.inspect._summary import message

if TYPE_CHECKING:
    from jupyter_dci.widgets.inspect._workbench import Workbench

__all__ = ["ComputeBox", "probabilities_job"]


class ComputeBox(ipywidgets.VBox):
    """Offer to compute out-of-sample probabilities, and show the work's progress."""

    def __init__(self, workbench: Workbench) -> None:
        ref = weakref.ref(workbench)
        intro = message(
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

    def running(self, folds: int) -> None:
        """Show the work as started: progress visible, Cancel enabled."""
        self.progress.value, self.progress.max = 0, folds
        self.progress.layout.visibility = "visible"
        self.start.disabled, self.cancel.disabled = True, False
        self.status.value = html.escape("Fitting the model on each fold…")

    def step(self, done: int, total: int, what: str) -> None:
        """Show ``done`` of ``total`` folds fitted."""
        self.progress.max, self.progress.value = total, done
        self.status.value = html.escape(f"{done} of {total} folds done ({what})")

    def stopped(self, text: str = "", *, error: bool = False) -> None:
        """Show the work as over: buttons back, progress hidden (kept when it succeeded)."""
        self.start.disabled, self.cancel.disabled = False, True
        if text:
            self.progress.layout.visibility = "hidden"
            escaped = html.escape(text)
            self.status.value = (
                f'<span class="dci-inspect-error">{escaped}</span>' if error else escaped
            )


def probabilities_job(
    state: WorkbenchState,
    box: ComputeBox,
    options: dict[str, Any],
    *,
    done: Callable[[Any], None],
    loop: asyncio.AbstractEventLoop | None,
    cancel: threading.Event,
) -> Job:
    """Make the job that computes out-of-sample probabilities, showing its folds in ``box``.

    ``options`` go to :func:`~jupyter_dci.core.labels.out_of_sample_probs`; ``done`` gets the
    probabilities, :class:`~jupyter_dci.widgets.inspect._jobs.CancelledError` or the error.
    """
    box.running(options.get("cv", 5))
    frame, label, features = state.frame, state.label, state.features

    def work(check: Any) -> Any:
        def progress(n_done: int, total: int, what: str) -> None:
            check()
            box.step(n_done, total, what)

        return out_of_sample_probs(frame, label, features=features, progress=progress, **options)

    return Job("inspect-probs", work, done=done, loop=loop, cancel=cancel)
