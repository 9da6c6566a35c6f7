"""Edits of a lazy dataset: rows named by key, checked in the engine with one query.

Everything is checked before anything is kept: the keys against the key columns' types, the
values against the edited column's type, and that every key exists (one join of the keys
with the base in its engine, which also reads the cells' current values). Only then do the
keys get their row ids and the batch join the pending edits, so a refused call changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import InvalidParameterError, param_error
from ._author import default_author
from ._codec import encode_value
from ._events import emit
from ._lazy_base import from_arrow, refuse_nested, to_arrow_values
from ._log import utc_now
from ._pending import Batch

if TYPE_CHECKING:
    from ._lazy_dataset import LazyDataset

__all__ = ["edit_lazy", "key_list", "key_texts", "keys_table"]

_INDEX = "__dci_i"


def key_list(rows: Any, n_key: int, func: str) -> list[Any]:
    """Return the keys ``rows`` names: a list (a tuple per key for several key columns)."""
    if callable(getattr(rows, "mask", None)) or (
        getattr(rows, "dtype", None) is not None and pd.api.types.is_bool_dtype(rows.dtype)
    ):
        raise param_error(
            "rows",
            func,
            "keys (rows of data that stays in its engine are named by their key, not by a "
            "mask or a slice: select the keys first)",
            rows,
        )
    if isinstance(rows, tuple) and n_key > 1:
        return [rows]
    if isinstance(rows, str | bytes) or not pd.api.types.is_list_like(rows):
        return [rows]
    to_list = getattr(rows, "to_list", None) or getattr(rows, "tolist", None)
    return list(to_list()) if callable(to_list) else list(rows)


def keys_table(keys: Sequence[Any], key: Sequence[str], schema: pa.Schema, func: str) -> pa.Table:
    """Return the keys as an Arrow table of the key types, plus their order (``__dci_i``)."""
    columns: dict[str, pa.Array] = {}
    for j, name in enumerate(key):
        if len(key) > 1:
            bad = next((k for k in keys if not isinstance(k, tuple) or len(k) != len(key)), None)
            if bad is not None:
                raise param_error("rows", func, f"keys as tuples of {len(key)} values", bad)
            parts = [k[j] for k in keys]
        else:
            parts = list(keys)
        if any(p is None or p is pd.NA for p in parts):
            raise param_error("rows", func, "keys without missing values", None)
        try:
            columns[name] = to_arrow_values(parts, schema.field(name).type, column=name, func=func)
        except InvalidParameterError as exc:
            raise InvalidParameterError(
                f"The 'rows' parameter of {func} names rows by their key {list(key)}; "
                f"a key does not fit: {exc}"
            ) from None
    columns[_INDEX] = pa.array(np.arange(len(keys), dtype=np.int64))
    return pa.table(columns)


def key_texts(table: pa.Table, key: Sequence[str]) -> list[str]:
    """Return each key as typed JSON text (a list of texts for several key columns)."""
    parts = [[encode_value(v) for v in table.column(k).to_pylist()] for k in key]
    if len(key) == 1:
        return parts[0]
    return ["[" + ",".join(p) + "]" for p in zip(*parts, strict=True)]


def _check_text(func: str, **texts: str | None) -> None:
    for param, text in texts.items():
        if text is not None and not isinstance(text, str):
            raise param_error(param, func, "a str", text)


def edit_lazy(
    ds: LazyDataset,
    rows: Any,
    column: Any,
    values: list[Any],
    *,
    broadcast: bool,
    reason: str,
    author: str | None,
    source: str | None,
    func: str,
) -> int:
    """Check an edit of ``ds`` whole, then keep it pending; return the cells written."""
    _check_text(func, reason=reason, author=author, source=source)
    schema = ds.arrow_schema
    key = ds.key
    if not isinstance(column, str) or column not in schema.names:
        raise param_error("column", func, f"a column of the data ({schema.names[:10]})", column)
    if column in key:
        raise param_error("column", func, "a column that is not the row key", column)
    refuse_nested(schema, column, func)
    keys = key_list(rows, len(key), func)
    if not keys:
        return 0
    table = keys_table(keys, key, schema, func)
    texts = key_texts(table, key)
    # The same row twice would record two edits of one cell in one call: keep the first.
    first = sorted({t: i for i, t in reversed(list(enumerate(texts)))}.values())
    if len(first) < len(texts):
        table, texts = table.take(first), [texts[i] for i in first]
        table = table.set_column(
            table.schema.get_field_index(_INDEX), _INDEX, pa.array(np.arange(len(texts)))
        )
    if not broadcast and len(values) != len(texts):
        raise param_error("values", func, f"one value per row ({len(texts)} rows)", values)
    new = to_arrow_values(values, schema.field(column).type, column=column, func=func)
    new_texts = [encode_value(v) for v in new.to_pylist()]
    if broadcast:
        new_texts = new_texts * len(texts)
    old_texts = _current(ds, table, texts, column, func)
    row_ids = ds._lazy_log.key_ids(texts)
    ds._pending.add(
        Batch(
            column=column,
            row_ids=row_ids,
            row_keys=texts,
            old=old_texts,
            new=new_texts,
            author=author or default_author(),
            reason=reason,
            source=source or func,
            time=utc_now(),
        )
    )
    emit(ds, "edit")
    return len(texts)


def _current(
    ds: LazyDataset, table: pa.Table, texts: list[str], column: str, func: str
) -> list[str]:
    """Return each key's value of ``column`` at the dataset's version; refuse unknown keys.

    One engine query joins the keys with the base (and so checks they all exist); the
    log then supplies the cells edited since.
    """
    base = ds._base_frame()
    wanted = from_arrow(table, ds.engine, ds._connection)
    found = (
        base.select(*ds.key, column)
        .join(wanted, on=list(ds.key), how="inner")
        .select(_INDEX, column)
        .collect()
        .to_arrow()
    )
    order = found.column(_INDEX).to_pylist()
    if len(order) < len(texts):
        seen = set(order)
        unknown = [texts[i] for i in range(len(texts)) if i not in seen]
        raise InvalidParameterError(
            f"The 'rows' parameter of {func} names {len(unknown)} row(s) that are not in the "
            f"dataset, e.g. {unknown[:5]} (keys as typed JSON). Rows are named by their key "
            f"{list(ds.key)}; check the keys. Nothing was changed."
        )
    current = [""] * len(texts)
    for i, value in zip(order, found.column(column).to_pylist(), strict=True):
        current[i] = encode_value(value)
    edited = ds._edited_values(column)
    if edited:
        current = [edited.get(t, c) for t, c in zip(texts, current, strict=True)]
    return current
