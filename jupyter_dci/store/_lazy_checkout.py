"""Checkout of a lazy dataset: its base, joined in its engine with the last edit per cell.

Version ``v`` is the base pinned at or before ``v`` plus, for every (key, column) edited up
to ``v``, its last new value. The edits come out of the log as a small Arrow table (one row
per edited key: the key columns, and per edited column its value and whether it was set),
which the engine joins to the base by key; a cell takes the edit's value where one was set,
else the base's. Nothing is read until the caller collects the result.

Examples
--------
>>> import tempfile
>>> import polars as pl
>>> from jupyter_dci.store import track
>>> tmp = tempfile.TemporaryDirectory()
>>> data = pl.DataFrame({"id": [1, 2], "y": ["cat", "dog"]})
>>> ds = track(data, name="pets", key="id", label="y", root=tmp.name)
>>> _ = ds.relabel(2, "cat"); _ = ds.commit("fix")
>>> checkout_lazy(ds, 2).sort("id").collect()["y"].to_list()
['cat', 'cat']
>>> tmp.cleanup()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import pyarrow as pa

from ._codec import decode_texts
from ._history import decode_key
from ._lazy_base import from_arrow, to_arrow_values

if TYPE_CHECKING:
    from ._lazy_dataset import LazyDataset

__all__ = ["checkout_lazy", "edits_table"]


def edits_table(ds: LazyDataset, version: int, schema: pa.Schema) -> tuple[pa.Table, list[str]]:
    """Return the last edit per cell up to ``version``: keys, then a value and flag per column.

    Returns the table and the edited columns (value ``__dci_v{i}``, flag ``__dci_s{i}``
    for the i-th).
    """
    log = ds._lazy_log
    cells = log.latest_cells(0, log.last_edit(version))
    keys = list(dict.fromkeys(c[0] for c in cells))
    at = {k: i for i, k in enumerate(keys)}
    columns = list(dict.fromkeys(c[1] for c in cells))
    table: dict[str, pa.Array] = {}
    decoded = [decode_key(k) for k in keys]
    for j, name in enumerate(ds.key):
        parts = [d[j] for d in decoded] if len(ds.key) > 1 else decoded
        table[name] = to_arrow_values(parts, schema.field(name).type, column=name, func="checkout")
    for i, column in enumerate(columns):
        mine = [c for c in cells if c[1] == column]
        values: list[Any] = [None] * len(keys)
        flags = [False] * len(keys)
        for (key_text, _, _), value in zip(mine, decode_texts([c[2] for c in mine]), strict=True):
            values[at[key_text]] = value
            flags[at[key_text]] = True
        kind = schema.field(column).type
        table[f"__dci_v{i}"] = to_arrow_values(values, kind, column=column, func="checkout")
        table[f"__dci_s{i}"] = pa.array(flags, type=pa.bool_())
    return pa.table(table), columns


def checkout_lazy(ds: LazyDataset, version: int) -> Any:
    """Return version ``version`` of ``ds`` as a lazy frame of its engine (nothing read yet)."""
    base = ds._base_frame(version)
    schema = ds._schema_of(version)
    table, columns = edits_table(ds, version, schema)
    if not columns:
        return base.to_native()
    edits = from_arrow(table, ds.engine, ds._connection)
    joined = base.join(edits, on=list(ds.key), how="left")
    applied = joined.with_columns(
        nw.when(nw.col(f"__dci_s{i}")).then(nw.col(f"__dci_v{i}")).otherwise(nw.col(c)).alias(c)
        for i, c in enumerate(columns)
    )
    return applied.select(*schema.names).to_native()
