"""Plug-in points through which a lower layer reaches what a higher layer provides.

The store must not import widgets, yet ``ds.history()`` shows a panel and, inside a
kernel, every store event feeds the JupyterLab sidebar. So the store asks here, by name,
and the package (``jupyter_dci/__init__.py``, the one place that may know every layer)
registers what answers: a view as ``"module:attribute"``, imported on first use, and the
modules whose ``on_store_event`` listens to store events inside an IPython kernel.
Registration costs no import, so ``import jupyter_dci`` stays light.

Examples
--------
>>> set_view("echo", "builtins:repr")
>>> view("echo")([1])
'[1]'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["add_kernel_listener", "kernel_listeners", "set_view", "view"]

_views: dict[str, str] = {}
_kernel_listeners: list[str] = []


def set_view(name: str, target: str) -> None:
    """Register the view called ``name``: ``target`` is ``"module:attribute"``."""
    _views[name] = target


def view(name: str) -> Callable[..., Any]:
    """Return the view registered as ``name``, importing its module now.

    Raises
    ------
    LookupError
        When nothing is registered under ``name`` (the package was not imported whole).
    """
    target = _views.get(name)
    if target is None:
        raise LookupError(
            f"No {name!r} view is registered; import jupyter_dci (the package registers its "
            "views) before asking for one."
        )
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def add_kernel_listener(module: str) -> None:
    """Subscribe ``module.on_store_event`` to store events once inside an IPython kernel."""
    if module not in _kernel_listeners:
        _kernel_listeners.append(module)


def kernel_listeners() -> tuple[str, ...]:
    """Return the modules registered with :func:`add_kernel_listener`, in order."""
    return tuple(_kernel_listeners)
