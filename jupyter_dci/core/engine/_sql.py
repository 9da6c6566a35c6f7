"""narwhals aggregates as DuckDB SQL, so that they share one scan with DuckDB-only aggregates.

A scan of a file larger than memory costs the same whether it computes one aggregate or fifty:
what costs is reading and decoding the columns. The profile's aggregates are written once, as
narwhals expressions; a few (approximate distinct counts, histograms, a drawn sample) exist only
in DuckDB's SQL. :func:`one_pass` computes both kinds in one ``SELECT``: it asks narwhals for
the SQL of its expressions (the select list of the query narwhals builds) and adds the native
ones. When that SQL does not have the expected shape (a future narwhals may word it otherwise),
it says so by returning None and the caller runs two passes: slower, never wrong.

The SQL is narwhals' own rendering of expressions this package built: column names are quoted
identifiers and values are literals narwhals escaped; nothing a user typed is pasted here.

Examples
--------
>>> import narwhals.stable.v2 as nw
>>> import pyarrow as pa
>>> from jupyter_dci.core.engine import as_source
>>> source = as_source(pa.table({"x": [1.0, 2.0, None]}), "profile")
>>> row = one_pass(source, {"s": nw.col("x").sum()}, {"d": 'approx_count_distinct("x")'})
>>> row["s"], row["d"]
(3.0, 2)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from jupyter_dci.core.engine._source import LazySource, _plain_number

__all__ = ["one_pass", "select_list"]


def _top_level(sql: str) -> list[tuple[int, str]]:
    """Positions and characters of ``sql`` outside quotes and parentheses."""
    out: list[tuple[int, str]] = []
    depth, quote = 0, ""
    for i, ch in enumerate(sql):
        if quote:
            # A doubled quote inside a quoted run closes and reopens it: same state after.
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            out.append((i, ch))
    return out


def select_list(sql: str, aliases: Sequence[str]) -> list[str] | None:
    r"""Split the outermost ``SELECT`` list of ``sql``; None if its items are not ``aliases``.

    Parameters
    ----------
    sql : str
        A query of the form ``[WITH ...] SELECT a AS "x", b AS "y" FROM ...``.
    aliases : sequence of str
        The names the items must carry, in order.

    Examples
    --------
    >>> select_list('SELECT sum("a") AS "s", max(f(\'x, y\')) AS "m" FROM t', ["s", "m"])
    ['sum("a") AS "s"', 'max(f(\'x, y\')) AS "m"']
    >>> select_list('SELECT 1 AS "other" FROM t', ["s"]) is None
    True
    """
    outside = _top_level(sql)
    text = "".join(ch for _, ch in outside).upper()
    start = text.rfind("SELECT ")
    end = text.find(" FROM ", start)
    if start < 0 or end < 0:
        return None
    begin, stop = outside[start + len("SELECT ")][0], outside[end][0]
    commas = [i for i, ch in outside[start:end] if ch == ","]
    bounds = [begin, *(c + 1 for c in commas), stop + 1]
    items = [sql[a : b - 1].strip() for a, b in itertools.pairwise(bounds)]
    if len(items) != len(aliases):
        return None
    for item, alias in zip(items, aliases, strict=True):
        if not item.endswith(' AS "' + alias.replace('"', '""') + '"'):
            return None
    return items


def one_pass(
    source: LazySource, exprs: Mapping[str, Any], native: Mapping[str, str]
) -> dict[str, Any] | None:
    """Compute narwhals aggregates and DuckDB SQL aggregates in one scan of a DuckDB source.

    Parameters
    ----------
    source : LazySource
        Data in DuckDB.
    exprs : mapping
        Alias -> a narwhals aggregate expression.
    native : mapping
        Alias -> a DuckDB aggregate in SQL, written by this package.

    Returns
    -------
    dict or None
        Alias -> value (numbers as int or float, lists and structs as Python objects;
        a list of structs stays an Arrow column), or None when the
        source is not in DuckDB or narwhals' SQL has an unexpected shape.
    """
    if source.engine != "duckdb":
        return None
    items: list[str] = []
    if exprs:
        selected = [e.alias(alias) for alias, e in exprs.items()]
        rendered = source.frame.select(selected).to_native().sql_query()
        found = select_list(rendered, list(exprs))
        if found is None:
            return None
        items = found
    items += [f'{sql} AS "{alias}"' for alias, sql in native.items()]
    result = source.frame.to_native().aggregate(", ".join(items)).arrow()
    table = result.read_all() if hasattr(result, "read_all") else result
    row: dict[str, Any] = {}
    for name in table.column_names:
        cell = table.column(name)
        kind = cell.type
        if hasattr(kind, "value_type") and str(kind.value_type).startswith("struct"):
            row[name] = cell  # a drawn sample: kept as Arrow, not as Python dicts
        else:
            row[name] = _plain_number(cell[0].as_py())
    return row
