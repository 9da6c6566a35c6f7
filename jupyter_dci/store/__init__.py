"""Versioned datasets: a Parquet base snapshot plus an append-only SQLite edit log.

No UI imports. ``track`` a DataFrame, edit it through the returned :class:`Dataset`
(the edits land in the frame at once), ``commit``, and read any version back with
``checkout``, ``diff``, ``blame``, ``revert``, ``restore`` or ``export``. Data beyond
pandas (Polars, Arrow, DuckDB, Parquet or CSV files) is tracked by key as a
:class:`LazyDataset`: its rows stay in their engine, its checkouts are lazy frames.

Examples
--------
>>> import tempfile
>>> tmp = tempfile.TemporaryDirectory()
>>> import pandas as pd
>>> from jupyter_dci.store import track
>>> df = pd.DataFrame({"label": ["cat", "dog"]})
>>> ds = track(df, name="pets", label="label", root=tmp.name)
>>> ds.relabel(1, "cat", reason="it is a cat")
1
>>> ds.commit("fix row 1").id
2
>>> tmp.cleanup()
"""

from ._dataset import Dataset
from ._lazy_dataset import LazyDataset
from ._results import Change, Diff, Version
from ._track import open_dataset, track

__all__ = ["Change", "Dataset", "Diff", "LazyDataset", "Version", "open_dataset", "track"]
