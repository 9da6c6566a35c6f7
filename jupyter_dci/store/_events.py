"""Store events: callbacks run after a dataset is tracked, edited, committed or discarded.

The store imports no UI library; views that follow a dataset (the history panel, the
JupyterLab sidebar) subscribe here instead. A callback gets the :class:`Dataset` and
the event's kind (one of :data:`KINDS`); it must be quick, and whatever it raises is
logged, never raised into the store's caller: a broken view must not break an edit.

Kernel listeners: the package registers module names with
:func:`jupyter_dci._hooks.add_kernel_listener`; on the first event *only when running
inside an IPython kernel* (``ipykernel`` already imported) they are imported and their
``on_store_event`` subscribed. That is how ``dci.track(df)`` alone feeds the JupyterLab
sidebar without the store naming a UI module, and without ``import jupyter_dci``
importing anything more.

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

from .._hooks import kernel_listeners

__all__ = ["KINDS", "emit", "subscribe", "unsubscribe"]

log = logging.getLogger(__name__)

#: The kinds of events: a Dataset was made (track/open), cells were written (relabel,
#: edit, restore, revert), pending edits were committed, discarded, or others' versions
#: pulled in, a reshaped frame (rows or columns added or dropped) became a version, or a
#: version was tagged.
KINDS = ("track", "edit", "commit", "discard", "pull", "reshape", "tag")

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
    for name in kernel_listeners():
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
