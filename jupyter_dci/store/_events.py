"""Store events: callbacks run after a dataset is tracked, edited, committed or discarded.

The store imports no UI library; views that follow a dataset (the history panel, the
JupyterLab sidebar) subscribe here instead. A callback gets the :class:`Dataset` and
the event's kind (one of :data:`KINDS`); it must be quick, and whatever it raises is
logged, never raised into the store's caller: a broken view must not break an edit.

The second upward reference of the store (beside ``Dataset.history``'s lazy import) is
:data:`KERNEL_LISTENERS`: module names, imported on the first event *only when running
inside an IPython kernel* (``ipykernel`` already imported), whose ``on_store_event``
is then subscribed. That is how ``dci.track(df)`` alone feeds the JupyterLab sidebar
without the store importing a UI module, and without ``import jupyter_dci`` importing
anything more.

Examples
--------
>>> seen = []
>>> def callback(dataset, kind):
...     seen.append(kind)
>>> subscribe(callback)
>>> emit(object(), "edit")
>>> seen
['edit']
>>> unsubscribe(callback)
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["KERNEL_LISTENERS", "KINDS", "emit", "subscribe", "unsubscribe"]

log = logging.getLogger(__name__)

#: The kinds of events: a Dataset was made (track/open), cells were written (relabel,
#: edit, restore, revert), pending edits were committed, discarded, or others' versions
#: pulled in, a reshaped frame (rows or columns added or dropped) became a version, or a
#: version was tagged.
KINDS = ("track", "edit", "commit", "discard", "pull", "reshape", "tag")

#: Modules subscribed on the first event inside an IPython kernel (see the module docstring).
KERNEL_LISTENERS: tuple[str, ...] = ("jupyter_dci.widgets._bridge",)

Callback = Callable[[Any, str], None]
_callbacks: list[Callback] = []
_kernel_listeners_loaded = False


def subscribe(callback: Callback) -> None:
    """Call ``callback(dataset, kind)`` after every store event (once, however often added)."""
    if callback not in _callbacks:
        _callbacks.append(callback)


def unsubscribe(callback: Callback) -> None:
    """Stop calling ``callback``; unknown callbacks are ignored."""
    if callback in _callbacks:
        _callbacks.remove(callback)


def _load_kernel_listeners() -> None:
    global _kernel_listeners_loaded
    if _kernel_listeners_loaded or "ipykernel" not in sys.modules:
        return
    _kernel_listeners_loaded = True
    for name in KERNEL_LISTENERS:
        try:
            subscribe(importlib.import_module(name).on_store_event)
        except Exception:  # an optional view missing its dependencies: the store goes on
            log.warning("jupyter_dci: could not load the store listener %s", name, exc_info=True)


def emit(dataset: Any, kind: str) -> None:
    """Tell every subscriber that ``dataset`` changed (``kind`` in :data:`KINDS`)."""
    _load_kernel_listeners()
    for callback in list(_callbacks):
        try:
            callback(dataset, kind)
        except Exception:  # a view's bug must never undo or block a store operation
            log.exception("jupyter_dci: a store event callback failed on %r", kind)
