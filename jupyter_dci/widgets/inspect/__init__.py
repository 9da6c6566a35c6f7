"""The workbench, ``dci.inspect``: the whole loop in one panel over one shared state.

- ``_inspect`` checks the arguments of :func:`inspect` once and opens the workbench.
- ``_workbench`` is the :class:`Workbench` facade: the header over four tabs and the glue
  between them (a relabel bumps the counts, a slice click scopes the review).
- ``_state`` holds what the tabs share: the frame, the label, probabilities or predictions,
  the dataset, and the generation counter that says when a tab's content is stale.
- ``_jobs`` runs work off the kernel thread with progress and cancel (the background
  profile, the out-of-sample probabilities), written once; ``_profiler`` keeps the profile
  per generation of the data and computes it in a worker for large frames.
- ``_summary`` builds the header's counts and the static HTML a saved notebook keeps;
  ``_compute`` is the Label issues tab's "Compute probabilities" box.
- ``_ipython`` is ``%load_ext jupyter_dci``: an Inspect button under every DataFrame shown,
  which opens the workbench in place.
"""

from jupyter_dci.widgets.inspect._inspect import inspect
from jupyter_dci.widgets.inspect._workbench import Workbench

__all__ = ["Workbench", "inspect"]
