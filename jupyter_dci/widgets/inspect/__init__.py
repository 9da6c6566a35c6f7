"""The workbench, ``dci.inspect``: the whole loop in one panel over one shared state.

- ``_workbench`` is the :class:`Workbench` facade: the header over four tabs and the glue
  between them (a relabel bumps the counts, a slice click scopes the review).
- ``_state`` holds what the tabs share: the frame, the label, probabilities or predictions,
  the dataset, and the generation counter that says when a tab's content is stale.
- ``_jobs`` runs work off the kernel thread with progress and cancel (the background
  profile, the out-of-sample probabilities), written once.
- ``_summary`` builds the header's counts and the static HTML a saved notebook keeps.
"""

from jupyter_dci.widgets.inspect._workbench import Workbench, inspect

__all__ = ["Workbench", "inspect"]
