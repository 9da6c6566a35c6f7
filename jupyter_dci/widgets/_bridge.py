"""The kernel side of the JupyterLab "Datasets" sidebar: a comm that reports tracked datasets.

How it is activated: the package registers this module as a kernel listener
(``jupyter_dci/_hooks.py``); the store's event registry (``store/_events.py``) imports it
on the first store event *inside an IPython kernel* and subscribes :func:`on_store_event`.
Nothing else imports it, so ``import jupyter_dci`` and scripts stay light, and the store
names no UI module.

What it sends: on the first event it opens a comm with target ``jupyter-dci-datasets``
(the JupyterLab extension registers that target on every notebook's kernel) and, after
every later event, sends ``{"datasets": [{name, root, head, pending}, ...]}`` on it.
Events are coalesced: the state is sent once the running cell or message handler is
done, so a loop of 1,000 relabels sends one message. A page opened later (a reload)
finds the comm with a ``comm_info`` request and asks for the state with
``{"request": "state"}``. When the front end closes the comm (no extension there, e.g.
VS Code), it is opened again only when a dataset is tracked again.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from jupyter_dci.store import Dataset

__all__ = ["TARGET", "Bridge", "bridge", "dataset_state", "on_store_event"]

log = logging.getLogger(__name__)

#: The comm target the JupyterLab extension registers (labextension/src/plugin/datasets.ts).
TARGET = "jupyter-dci-datasets"


def dataset_state(dataset: Dataset) -> dict[str, Any]:
    """Describe one dataset for the sidebar: name, root folder, HEAD id, pending count.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from jupyter_dci.store import track
    >>> ds = track(pd.DataFrame({"y": ["a"]}), name="d", label="y", root=tempfile.mkdtemp())
    >>> state = dataset_state(ds)
    >>> state["name"], state["head"], state["pending"]
    ('d', 1, 0)
    """
    return {
        "name": dataset.name,
        "root": str(dataset.path.parent),
        "head": dataset.head.id,
        "pending": dataset.n_pending,
    }


class Bridge:
    """The tracked datasets of this kernel and the comm that reports them.

    Parameters
    ----------
    open_comm : callable, optional
        ``open_comm(data)`` returns an opened comm (the default uses the ``comm``
        package, as ipykernel does); tests pass a fake.
    """

    def __init__(self, open_comm: Any = None) -> None:
        # The newest Dataset object per folder: re-running a track cell replaces it.
        self._datasets: dict[str, weakref.ref[Dataset]] = {}
        self._open_comm = open_comm or _open_kernel_comm
        self._comm: Any = None
        self._closed_by_front_end = False
        self._queued = False

    def datasets(self) -> list[Dataset]:
        """Return the live tracked datasets, by name."""
        alive = []
        for key, ref in list(self._datasets.items()):
            ds = ref()
            if ds is None:
                del self._datasets[key]
            else:
                alive.append(ds)
        return sorted(alive, key=lambda d: (d.name, str(d.path)))

    def state(self) -> dict[str, Any]:
        """Return the message the sidebar gets: ``{"datasets": [...]}``."""
        states = []
        for ds in self.datasets():
            try:
                states.append(dataset_state(ds))
            except Exception:  # a dataset whose folder vanished must not hide the others
                log.warning("jupyter_dci: cannot read dataset %r for the sidebar", ds.name)
        return {"datasets": states}

    def on_event(self, dataset: Any, kind: str) -> None:
        """Remember the dataset and send the state soon (store event callback)."""
        if not isinstance(dataset, Dataset):
            return
        self._datasets[str(dataset.path)] = weakref.ref(dataset)
        if kind == "track":
            self._closed_by_front_end = False
        self._queue()

    def _queue(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.send()
            return
        if not self._queued:
            self._queued = True
            loop.call_soon(self.send)

    def send(self) -> None:
        """Send the state now, opening the comm if needed."""
        self._queued = False
        if self._closed_by_front_end:
            return
        data = self.state()
        if self._comm is None:
            self._comm = self._open_comm(data)
            self._comm.on_msg(self._on_msg)
            self._comm.on_close(self._on_close)
        else:
            self._comm.send(data)

    def _on_msg(self, msg: dict[str, Any]) -> None:
        content = msg.get("content", {}).get("data", {}) if isinstance(msg, dict) else {}
        if isinstance(content, dict) and content.get("request") == "state":
            self._comm.send(self.state())

    def _on_close(self, _msg: Any) -> None:
        self._comm = None
        self._closed_by_front_end = True


def _open_kernel_comm(data: dict[str, Any]) -> Any:
    import comm  # the package ipykernel provides comms through; only ever run in a kernel

    return comm.create_comm(target_name=TARGET, data=data)


_BRIDGE: Bridge | None = None


def bridge() -> Bridge:
    """Return the kernel's one bridge (made on first use)."""
    global _BRIDGE
    if _BRIDGE is None:
        _BRIDGE = Bridge()
    return _BRIDGE


def on_store_event(dataset: Any, kind: str) -> None:
    """Handle a store event (subscribed by ``store/_events.py`` inside a kernel)."""
    bridge().on_event(dataset, kind)
