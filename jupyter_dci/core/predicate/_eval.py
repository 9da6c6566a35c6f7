"""Vectorised evaluation of a predicate tree on a pandas DataFrame.

Each test runs as one numpy/pandas array operation on one column, so a comparison on a
million rows costs about a millisecond. The value of a test is checked against the
column's kind (numeric, bool, text, datetime, timedelta, categorical, object) before
anything runs, and a mismatch becomes a :class:`PredicateError` that names the column,
its dtype, the value and a fix. Missing values never match a comparison (``!=`` and
``not in`` included): every test ends with ``& notna``.
"""

from __future__ import annotations

import difflib
from typing import Any, cast

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

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
from jupyter_dci.errors import PredicateError

__all__ = ["evaluate"]

_ARROW_TEXT = ("string", "large_string", "string_view")
# What pandas raises when a comparison or a date cannot be made; caught only around the
# one call that can raise it, and turned into a PredicateError that names the test.
_PANDAS_ERRORS = (TypeError, ValueError, OverflowError)


def _as_bool(result: Any) -> np.ndarray:
    """Turn a comparison result (ndarray, Series or nullable array) into a writable bool array."""
    if isinstance(result, pd.Series | pd.Index):
        result = result.array
    if not (isinstance(result, np.ndarray) and result.dtype == bool):
        # Nullable results (and object results of .str methods, which hold NaN for
        # non-strings) count a missing answer as "does not match".
        result = result.to_numpy(dtype=bool, na_value=False)
    # Arrow-backed results can be read-only views; callers combine masks in place.
    return result if result.flags.writeable else result.copy()


def _kind(dtype: Any) -> str:
    """Classify a dtype by what its values can be compared with."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if ptypes.is_bool_dtype(dtype):
        return "bool"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_timedelta64_dtype(dtype):
        return "timedelta"
    if ptypes.is_numeric_dtype(dtype):
        return "numeric"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if isinstance(dtype, pd.ArrowDtype) and str(dtype.pyarrow_dtype) in _ARROW_TEXT:
        return "text"
    return "object" if isinstance(dtype, np.dtype) and dtype.kind == "O" else "other"


def _describe_value(value: Scalar) -> str:
    if isinstance(value, str):
        return f"the string {format_literal(value)}"
    if isinstance(value, bool) or value is None:
        return repr(value)
    return f"the number {format_literal(value)}"


class _Evaluator:
    """Evaluate one tree on one frame; resolved columns are reused across tests."""

    def __init__(self, df: pd.DataFrame, source: str) -> None:
        self.df = df
        self.source = source
        self.columns: dict[str, pd.Series] = {}

    def fail(self, node: Leaf, message: str, *, at_column: bool = False) -> PredicateError:
        span = node.column_span if at_column else node.span
        where = f" at position {span[0]}" if span is not None else ""
        return PredicateError(message.replace("{at}", where) + "\n" + excerpt(self.source, span))

    def run(self, node: Node) -> np.ndarray:
        if isinstance(node, And | Or):
            combine = np.logical_and if isinstance(node, And) else np.logical_or
            result = self.run(node.operands[0])
            for child in node.operands[1:]:
                result = combine(result, self.run(child))
            return result
        if isinstance(node, Not):
            return ~self.run(node.operand)
        return self.leaf(node)

    def column(self, node: Leaf) -> pd.Series:
        name = node.column
        if name in self.columns:
            return self.columns[name]
        cols = self.df.columns
        hits = [i for i, c in enumerate(cols) if isinstance(c, str) and c == name]
        if not hits:  # non-string names (ints, ...) are written as their text: `0`
            hits = [i for i, c in enumerate(cols) if not isinstance(c, str) and str(c) == name]
        if len(hits) > 1:
            raise self.fail(
                node, f"Column {name!r}{{at}} appears {len(hits)} times in the frame; rename "
                "the duplicates (df.columns) before filtering.", at_column=True,
            )  # fmt: skip
        if not hits:
            names = [str(c) for c in cols]
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            shown = ", ".join(quote_column(c) for c in names[:20])
            more = f", ... ({len(names) - 20} more)" if len(names) > 20 else ""
            listing = f"Columns: {shown}{more}." if names else "The frame has no columns."
            raise self.fail(node, f"Unknown column {name!r}{{at}}.{hint} {listing}", at_column=True)
        series = self.df.iloc[:, hits[0]]
        self.columns[name] = series
        return series

    def leaf(self, node: Leaf) -> np.ndarray:
        series = self.column(node)
        if isinstance(node, IsNull):
            missing = series.isna().to_numpy(dtype=bool)
            return ~missing if node.negate else missing
        if isinstance(series.dtype, pd.CategoricalDtype):
            # Test each category once, then spread the answer over the rows by code;
            # code -1 (missing) indexes the appended False.
            categories = pd.Series(series.cat.categories)
            # No categories (all missing): nothing to test, and their dtype says nothing.
            per_category = (
                self.values_test(node, categories, series)
                if len(categories)
                else np.zeros(0, dtype=bool)
            )
            codes = series.cat.codes.to_numpy()
            result = np.append(per_category, False)[codes]
        else:
            result = self.values_test(node, series, series)
            # A missing value already fails every plain test (NaN, NA, NaT and None compare
            # False), but a negated one (!=, not in, not between, not contains) turns that
            # False into True: only those pay for the notna pass. numpy ints and bools
            # hold no missing values at all.
            negated = getattr(node, "negate", False) or getattr(node, "op", "") == "!="
            if negated and not (isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub"):
                result &= series.notna().to_numpy(dtype=bool)
        if isinstance(node, In) and not node.negate and None in node.values:
            # `in [..., None]` also matches missing values.
            result |= series.isna().to_numpy(dtype=bool)
        return result

    def kind(self, values: pd.Series, value: Scalar, column: pd.Series) -> str:
        kind = _kind(values.dtype)
        # A non-string value against an object column: if it holds only strings
        # (pandas 2 text), say so rather than silently matching nothing. Rare path.
        if (
            kind == "object"
            and not isinstance(value, str)
            and value is not None
            and ptypes.infer_dtype(values, skipna=True) == "string"
        ):
            return "text"
        return kind

    def values_test(
        self, node: Compare | In | Between | Match, values: pd.Series, column: pd.Series
    ) -> np.ndarray:
        """Run a non-null test on ``values`` (the column, or a categorical's categories)."""
        if isinstance(node, Match):
            return self.match(node, values, column)
        if isinstance(node, Compare):
            value = self.coerce(node, values, column, node.value, node.op)
            return self.compare(node, values, column, node.op, value)
        if isinstance(node, Between):
            low = self.coerce(node, values, column, node.low, ">=")
            high = self.coerce(node, values, column, node.high, "<=")
            result = self.compare(node, values, column, ">=", low)
            result &= self.compare(node, values, column, "<=", high)
            return ~result if node.negate else result
        return self.isin(node, values, column)

    def isin(self, node: In, values: pd.Series, column: pd.Series) -> np.ndarray:
        wanted = [self.coerce(node, values, column, v, "==") for v in node.values if v is not None]
        try:
            result = _as_bool(values.isin(wanted))
        except _PANDAS_ERRORS as exc:
            raise self.fail(
                node, f"Cannot test column {node.column!r}{{at}} with 'in': {exc}."
            ) from None
        return ~result if node.negate else result

    def coerce(
        self, node: Leaf, values: pd.Series, column: pd.Series, value: Scalar, op: str
    ) -> Any:
        """Check ``value`` against the column's kind and convert it (dates, durations)."""
        kind = self.kind(values, value, column)
        if kind in ("object", "other"):
            return value
        ok = {
            "numeric": isinstance(value, int | float) and not isinstance(value, bool),
            "bool": isinstance(value, bool) and op in ("==", "!="),
            "text": isinstance(value, str),
            "datetime": isinstance(value, str),
            "timedelta": isinstance(value, str),
        }[kind]
        if not ok:
            raise self.type_error(node, column, kind, value, op)
        if kind == "datetime":
            return self.timestamp(node, column, values.dtype, value)
        if kind == "timedelta":
            try:
                return pd.Timedelta(cast(str, value))  # checked above: durations are text
            except _PANDAS_ERRORS as exc:
                raise self.fail(
                    node, f"Cannot read {format_literal(value)} as a duration for column "
                    f"{node.column!r}{{at}}: {exc}. Write e.g. '2 days' or '01:30:00'.",
                ) from None  # fmt: skip
        return value

    def timestamp(self, node: Leaf, column: pd.Series, dtype: Any, value: Any) -> pd.Timestamp:
        tz = getattr(dtype, "tz", None)
        if isinstance(dtype, pd.ArrowDtype):
            tz = dtype.pyarrow_dtype.tz
        try:
            stamp = pd.Timestamp(value)
            # pd.Timestamp("NaT") is NaT; the stubs say the constructor returns a Timestamp.
            if stamp is pd.NaT:  # type: ignore[comparison-overlap]
                raise ValueError("it is a missing date")
            if tz is not None and stamp.tz is None:
                # A naive value against an aware column is read in the column's timezone.
                stamp = stamp.tz_localize(tz)
        except _PANDAS_ERRORS as exc:
            raise self.fail(
                node, f"Cannot read {format_literal(value)} as a date for column "
                f"{node.column!r} ({column.dtype}){{at}}: {exc}. Write an ISO date, e.g. "
                "'2024-01-31' or '2024-01-31 12:00'.",
            ) from None  # fmt: skip
        if tz is None and stamp.tz is not None:
            raise self.fail(
                node, f"Column {node.column!r} ({column.dtype}){{at}} has no timezone but the "
                f"value {format_literal(value)} has one; drop the offset from the value, or "
                "localize the column (series.dt.tz_localize).",
            )  # fmt: skip
        return stamp

    def type_error(
        self, node: Leaf, column: pd.Series, kind: str, value: Scalar, op: str
    ) -> PredicateError:
        col = quote_column(node.column)
        if kind == "bool" and isinstance(value, bool):
            fix = f"a bool column supports only == and !=, e.g. {col} == {value!r}"
        elif kind == "numeric":
            example = value if isinstance(value, str) and _is_number(value) else _sample(column)
            fix = f"compare it with a number, e.g. {col} {op} {example}"
        elif kind == "text":
            text = value if isinstance(value, str) else format_literal(value)
            fix = f"compare it with a quoted string, e.g. {col} {op} {format_literal(str(text))}"
        elif kind == "bool":
            fix = f"compare it with True or False, e.g. {col} == True"
        elif kind == "datetime":
            fix = f"compare it with a date string, e.g. {col} {op} '2024-01-31'"
        else:
            fix = f"compare it with a duration string, e.g. {col} {op} '2 days'"
        label = "categorical, " + kind if isinstance(column.dtype, pd.CategoricalDtype) else kind
        return self.fail(
            node, f"Cannot compare column {node.column!r} ({column.dtype}, {label}) with "
            f"{_describe_value(value)}{{at}}; {fix}.",
        )  # fmt: skip

    def compare(
        self, node: Leaf, values: pd.Series, column: pd.Series, op: str, value: Any
    ) -> np.ndarray:
        func = COMPARE[op]
        dtype = values.dtype
        numpy_numeric = isinstance(dtype, np.dtype) and dtype.kind in "iufb"
        if isinstance(dtype, np.dtype) and dtype.kind == "O" and op in ("==", "!="):
            # numpy's elementwise == on objects is ~3x faster than pandas' object path;
            # cells whose == is not a plain bool (pd.NA, arrays) fall back to pandas.
            try:
                return _as_bool(func(values.to_numpy(), value))
            except _PANDAS_ERRORS:
                pass
        data = values.to_numpy() if numpy_numeric else values.array
        try:
            return _as_bool(func(data, value))
        except _PANDAS_ERRORS:
            pass
        if isinstance(value, int) and not isinstance(value, bool) and _kind(dtype) == "numeric":
            # An int beyond the column's range (Arrow refuses 10**30 against int64):
            # as a float it still orders correctly against every value of the column.
            try:
                return _as_bool(func(data, float(value)))
            except _PANDAS_ERRORS:
                pass
        types = sorted({type(v).__name__ for v in values.dropna().iloc[:10_000]})
        holding = f", holding {', '.join(types)}" if types else ""
        raise self.fail(
            node, f"Cannot compare column {node.column!r} ({column.dtype}{holding}) with "
            f"{_describe_value(value)} using {op!r}{{at}}: its values cannot be ordered against "
            "it. Use == or in, or convert the column first, e.g. df[col].astype(str).",
        )  # fmt: skip

    def match(self, node: Match, values: pd.Series, column: pd.Series) -> np.ndarray:
        kind = _kind(values.dtype)
        if kind not in ("text", "object"):
            raise self.fail(
                node, f"Cannot use {node.kind!r} on column {node.column!r} ({column.dtype}, "
                f"{kind}){{at}}: it needs a text column. Compare it with ==, <, in or between.",
            )  # fmt: skip
        try:
            accessor = values.str
            if node.kind == "contains":
                result = accessor.contains(node.value, regex=False)
            elif node.kind == "startswith":
                result = accessor.startswith(node.value)
            else:
                result = accessor.endswith(node.value)
        except (AttributeError, TypeError):
            # pandas refuses .str on columns of bytes or other non-text values: test the
            # strings among them one by one, or say what the column holds instead.
            result = self._match_values(node, values, column)
        mask = _as_bool(result)
        return ~mask if node.negate else mask

    def _match_values(self, node: Match, values: pd.Series, column: pd.Series) -> pd.Series:
        texts = values.map(lambda v: v if isinstance(v, str) else None)
        if texts.isna().all():
            types = sorted({type(v).__name__ for v in values.dropna().iloc[:10_000]})
            holding = f"holds no strings (only {', '.join(types)})" if types else "holds no strings"
            hint = (
                " Decode bytes first, e.g. df[col].str.decode('utf-8')." if "bytes" in types else ""
            )
            raise self.fail(
                node, f"Cannot use {node.kind!r} on column {node.column!r} ({column.dtype}){{at}}: "
                f"it {holding}. Compare it with == or in.{hint}",
            )  # fmt: skip
        test = {
            "contains": lambda t: node.value in t,
            "startswith": lambda t: t.startswith(node.value),
            "endswith": lambda t: t.endswith(node.value),
        }[node.kind]
        return texts.map(lambda t: None if t is None else test(t))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sample(column: pd.Series) -> str:
    """Return a typical value of a numeric column as text, for an example in a message."""
    valid = column.dropna()
    if isinstance(column.dtype, pd.CategoricalDtype):
        valid = pd.Series(column.cat.categories)
    if not len(valid):
        return "0"
    first = valid.iloc[0]
    return format_literal(first.item() if hasattr(first, "item") else first)


def evaluate(node: Node, df: pd.DataFrame, source: str) -> np.ndarray:
    """Return the boolean mask of ``node`` over the rows of ``df`` (positional)."""
    result = _Evaluator(df, source).run(node)
    return np.asarray(result, dtype=bool)
