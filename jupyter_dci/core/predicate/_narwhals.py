"""Compile a predicate to a narwhals expression, so a filter runs in the data's own engine.

The same row language and the same meaning as :meth:`Predicate.mask` on pandas: a missing
value never matches a comparison, ``in``, ``between`` or a string test (``!=`` and ``not in``
included), ``isna`` finds those rows, ``in [..., None]`` also matches them and ``not (...)``
is the plain complement. Values travel as literals of the expression (DuckDB receives them
as constants, never as SQL text), and are checked against the column's type first, with the
same kind of message as the pandas path.

Examples
--------
>>> import polars as pl, narwhals.stable.v2 as nw
>>> from jupyter_dci.core.predicate import parse_predicate
>>> frame = nw.from_native(pl.DataFrame({"age": [20, None, 40], "city": ["IN", "FR", "IN"]}))
>>> expr = to_expr(parse_predicate("age != 20 and city == 'IN'"), frame.schema)
>>> frame.filter(expr)["age"].to_list()
[40]
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Mapping
from functools import reduce
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from jupyter_dci.core.predicate._ast import (
    COMPARE,
    And,
    Between,
    Compare,
    In,
    IsNull,
    Leaf,
    Match,
    Node,
    Not,
    Or,
    Scalar,
    excerpt,
    format_literal,
    quote_column,
)
from jupyter_dci.core.predicate._predicate import Predicate
from jupyter_dci.errors import PredicateError

__all__ = ["to_expr"]


def _kind(dtype: Any) -> str:
    if isinstance(dtype, nw.Boolean):
        return "bool"
    if dtype.is_numeric():
        return "numeric"
    if isinstance(dtype, (nw.Datetime, nw.Date)):
        return "datetime"
    if isinstance(dtype, (nw.String, nw.Categorical, nw.Enum)):
        return "text"
    return "other"


class _Compiler:
    def __init__(self, schema: Mapping[str, Any], source: str) -> None:
        self.schema = dict(schema)
        self.source = source

    def fail(self, node: Leaf, message: str, *, at_column: bool = False) -> PredicateError:
        span = node.column_span if at_column else node.span
        where = f" at position {span[0]}" if span is not None else ""
        return PredicateError(message.replace("{at}", where) + "\n" + excerpt(self.source, span))

    def node(self, node: Node) -> Any:
        if isinstance(node, And | Or):
            combine = operator.and_ if isinstance(node, And) else operator.or_
            return reduce(combine, (self.node(child) for child in node.operands))
        if isinstance(node, Not):
            return ~self.node(node.operand)
        return self.leaf(node)

    def column(self, node: Leaf) -> tuple[Any, Any]:
        name = node.column
        if name not in self.schema:
            names = list(self.schema)
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(quote_column(c) for c in names[:20])
            raise self.fail(
                node, f"Unknown column {name!r}{{at}}.{hint} Columns: {shown}.", at_column=True
            )
        return nw.col(name), self.schema[name]

    def leaf(self, node: Leaf) -> Any:
        col, dtype = self.column(node)
        missing = col.is_null()
        if isinstance(dtype, (nw.Float32, nw.Float64)):
            missing = missing | col.is_nan()
        if isinstance(node, IsNull):
            return ~missing if node.negate else missing
        test = self.test(node, col, dtype)
        # A missing value never matches a test, negated ones included.
        result = ~missing & test.fill_null(False)
        if isinstance(node, In) and not node.negate and None in node.values:
            result = result | missing  # `in [..., None]` also matches missing values
        return result

    def test(self, node: Compare | In | Between | Match, col: Any, dtype: Any) -> Any:
        if isinstance(node, Match):
            if _kind(dtype) != "text":
                raise self.fail(
                    node,
                    f"Cannot use {node.kind!r} on column {node.column!r} ({dtype}){{at}}: it "
                    "needs a text column. Compare it with ==, <, in or between.",
                )
            text = col.cast(nw.String())
            if node.kind == "contains":
                found = text.str.contains(node.value, literal=True)
            elif node.kind == "startswith":
                found = text.str.starts_with(node.value)
            else:
                found = text.str.ends_with(node.value)
            return ~found if node.negate else found
        if isinstance(node, Compare):
            return COMPARE[node.op](col, self.value(node, dtype, node.value, node.op))
        if isinstance(node, Between):
            low = self.value(node, dtype, node.low, ">=")
            high = self.value(node, dtype, node.high, "<=")
            inside = (col >= low) & (col <= high)
            return ~inside if node.negate else inside
        wanted = [self.value(node, dtype, v, "==") for v in node.values if v is not None]
        if wanted and dtype.is_integer():
            # Engines refuse a float list for an integer column (Polars raises): integral
            # floats become ints; any other float compares against the column as floats.
            if all(isinstance(v, int) or float(v).is_integer() for v in wanted):
                wanted = [int(v) for v in wanted]
            else:
                col = col.cast(nw.Float64())
        found = col.is_in(wanted) if wanted else nw.lit(False)
        return ~found if node.negate else found

    def value(self, node: Leaf, dtype: Any, value: Scalar, op: str) -> Any:
        """Check ``value`` against the column's kind; convert dates to datetimes."""
        kind = _kind(dtype)
        ok = {
            "numeric": isinstance(value, int | float) and not isinstance(value, bool),
            "bool": isinstance(value, bool) and op in ("==", "!="),
            "text": isinstance(value, str),
            "datetime": isinstance(value, str),
            "other": False,
        }[kind]
        if not ok:
            col = quote_column(node.column)
            example = {
                "numeric": f"{col} {op} 0",
                "bool": f"{col} == true",
                "text": f"{col} {op} {format_literal(str(value))}",
                "datetime": f"{col} {op} '2024-01-31'",
                "other": f"isna({col})",
            }[kind]
            raise self.fail(
                node,
                f"Cannot compare column {node.column!r} ({dtype}, {kind}) with "
                f"{format_literal(value)}{{at}}: write it as e.g. {example}.",
            )
        if kind != "datetime":
            return value
        try:
            stamp = pd.Timestamp(str(value))
        except (TypeError, ValueError):
            raise self.fail(
                node,
                f"Cannot read {value!r} as a date for column {node.column!r}{{at}}: write it "
                "as e.g. '2024-01-31' or '2024-01-31 12:00'.",
            ) from None
        tz = getattr(dtype, "time_zone", None)
        if tz is not None:
            stamp = stamp.tz_localize(tz) if stamp.tzinfo is None else stamp.tz_convert(tz)
        elif stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp.to_pydatetime()


def to_expr(predicate: Predicate, schema: Mapping[str, Any]) -> Any:
    """Compile ``predicate`` to a boolean narwhals expression over columns of ``schema``.

    Parameters
    ----------
    predicate : Predicate
        From :func:`parse_predicate`.
    schema : mapping
        Column name -> narwhals dtype (``LazyFrame.collect_schema()``).

    Returns
    -------
    narwhals.Expr
        True exactly on the rows where the predicate holds (never null).

    Raises
    ------
    PredicateError
        An unknown column, or a value the column's type cannot be compared with.
    """
    return _Compiler(schema, predicate.source).node(predicate.node)
