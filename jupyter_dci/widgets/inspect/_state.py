"""What the workbench's tabs share: the data, the model's outputs, and how fresh each tab is.

Every change of the data (a relabel, a discard, a pull, the Refresh button) bumps
:attr:`WorkbenchState.generation`; each tab and the cached profile remember the generation
they were computed at, so "is this stale?" is one comparison. Nothing here touches a
widget: the :class:`~jupyter_dci.widgets.inspect._workbench.Workbench` shows what this says.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.slices import model_errors
from jupyter_dci.core.table import column_kind

__all__ = ["TABS", "TITLES", "WorkbenchState"]

#: The tabs, in order, and their titles.
TABS: tuple[str, ...] = ("overview", "labels", "slices", "history")
TITLES: dict[str, str] = {
    "overview": "Overview",
    "labels": "Label issues",
    "slices": "Slices",
    "history": "History",
}
#: Tabs whose content is computed from the data, so a change of the data makes them stale
#: (the review keeps its own decisions; the history follows the store's events).
_DATA_TABS = ("overview", "slices")


class WorkbenchState:
    """The data and model outputs of one workbench, with a generation per cached result.

    Examples
    --------
    >>> import pandas as pd
    >>> state = WorkbenchState(pd.DataFrame({"y": [0, 1]}), label="y", predictions=[0, 0])
    >>> state.errors().tolist(), state.is_stale("slices")
    ([False, True], True)
    >>> state.built("slices"); state.is_stale("slices")
    False
    >>> state.bump(); state.is_stale("slices")
    True
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        label: Hashable | None = None,
        pred_probs: Any = None,
        predictions: Any = None,
        features: Sequence[Hashable] | None = None,
        dataset: Any = None,
    ) -> None:
        self.frame = frame
        self.label = label
        self.dataset = dataset
        self.features = None if features is None else list(features)
        self.probs: Any = pred_probs
        #: "given" or "computed" (out of sample, here); "" without probabilities.
        self.probs_origin = "given" if pred_probs is not None else ""
        self.predictions = None if predictions is None else np.asarray(predictions, dtype=object)
        #: Bumped whenever the data changes; each cached result remembers its generation.
        self.generation = 0
        #: The generation each tab was built at (-1: never, or to be rebuilt).
        self.tab_generation: dict[str, int] = dict.fromkeys(TABS, -1)
        self.profile: Any = None
        self.profile_generation = -1

    # ---- freshness ----------------------------------------------------------------

    def bump(self) -> None:
        """Record a change of the data: every result computed before is now stale."""
        self.generation += 1

    def built(self, tab: str) -> None:
        """Record that ``tab`` shows the data of the current generation."""
        self.tab_generation[tab] = self.generation

    def rebuild(self, *tabs: str) -> None:
        """Mark ``tabs`` (every tab by default) to be built again when next shown."""
        for tab in tabs or TABS:
            self.tab_generation[tab] = -1

    def is_stale(self, tab: str) -> bool:
        """Whether ``tab`` must be built: never built, or built on older data."""
        built = self.tab_generation[tab]
        return built < 0 or (tab in _DATA_TABS and built != self.generation)

    @property
    def profile_fresh(self) -> bool:
        """Whether the cached profile is of the data as it is now."""
        return self.profile is not None and self.profile_generation == self.generation

    def keep_profile(self, generation: int, result: Any) -> None:
        """Cache a profile computed at ``generation`` unless a newer one is cached."""
        if self.profile is None or generation >= self.profile_generation:
            self.profile, self.profile_generation = result, generation

    # ---- the data and the model -----------------------------------------------------

    def probs_matrix(self) -> Any:
        """Return the probabilities as given (an ``OutOfSampleProbs`` unwrapped), or None."""
        return getattr(self.probs, "pred_probs", self.probs)

    def set_probs(self, probs: Any) -> None:
        """Use probabilities computed here; the slices are then built on them."""
        self.probs, self.probs_origin = probs, "computed"
        self.rebuild("slices")

    def follow(self, frame: pd.DataFrame) -> None:
        """Move to a new frame (a reshaped dataset); model outputs of other rows are dropped."""
        self.frame = frame
        if self.probs is not None and len(self.probs_matrix()) != len(frame):
            # Probabilities and predictions of other rows would be misaligned: dropped.
            self.probs, self.probs_origin = None, ""
            self.predictions = None
        if self.predictions is not None and len(self.predictions) != len(frame):
            self.predictions = None

    def errors(self) -> np.ndarray | None:
        """Whether the model is wrong on each row, against the labels as they are now.

        None without a label column or without predictions and probabilities.
        """
        if self.label is None or (self.predictions is None and self.probs is None):
            return None
        return model_errors(
            self.frame[self.label], predictions=self.predictions, pred_probs=self.probs
        )

    def slice_features(self) -> list[Hashable]:
        """Return the columns to slice by: those given, else all but image and array cells."""
        if self.features is not None:
            return self.features
        # Image and other array cells have no values to slice by.
        return [
            c
            for c in self.frame.columns
            if column_kind(self.frame[c]) not in ("image", "object") or c == self.label
        ]
