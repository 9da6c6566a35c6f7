"""The immutable syntax tree of a predicate, its canonical text and its dict form.

Nodes are frozen, hashable dataclasses, so a parsed predicate can be cached and shared.
Source positions ride along for error messages but never take part in equality or
hashing: two trees are equal when they say the same thing. A dict is turned back into
a tree only through :func:`node_from_dict`, which checks every key, type and size and
so never executes anything it reads.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from jupyter_dci.errors import PredicateError

__all__ = [
    "COMPARE",
    "COMPARISONS",
    "KEYWORDS",
    "MATCHES",
    "MAX_DEPTH",
    "And",
    "Between",
    "Compare",
    "In",
    "IsNull",
    "Match",
    "Node",
    "Not",
    "Or",
    "Scalar",
    "describe_node",
    "excerpt",
    "format_literal",
    "node_columns",
    "node_from_dict",
    "node_to_dict",
    "quote_column",
]

Scalar: TypeAlias = bool | int | float | str | None
Span: TypeAlias = tuple[int, int] | None

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
#: The function of each comparison, for every evaluator (pandas arrays, engine expressions).
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
MATCHES = ("contains", "startswith", "endswith")
# Words that cannot be bare column names (compared case-insensitively); such columns
# are written in backticks.
KEYWORDS = frozenset(
    {"and", "or", "not", "in", "between", "true", "false", "none", "null", "inf", "infinity"}
    | {"nan", *MATCHES}
)
# Deep enough for any hand-written or generated predicate, far below Python's
# recursion limit, so walking a tree never raises RecursionError.
MAX_DEPTH = 100
# A dict read from disk may not hold more values than this in total.
MAX_DICT_VALUES = 100_000

_IDENTIFIER = re.compile(r"[^\W\d]\w*\Z")


@dataclass(frozen=True)
class Compare:
    """``column <op> value``, e.g. ``age < 30``."""

    column: str
    op: str
    value: Scalar
    span: Span = field(default=None, compare=False, repr=False)
    column_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class In:
    """``column in [v, ...]`` or, with ``negate``, ``column not in [...]``."""

    column: str
    values: tuple[Scalar, ...]
    negate: bool = False
    span: Span = field(default=None, compare=False, repr=False)
    column_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Between:
    """``column between low and high`` (both bounds inclusive)."""

    column: str
    low: Scalar
    high: Scalar
    negate: bool = False
    span: Span = field(default=None, compare=False, repr=False)
    column_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Match:
    """``column contains 'text'`` (also ``startswith`` / ``endswith``), literal text."""

    column: str
    kind: str
    value: str
    negate: bool = False
    span: Span = field(default=None, compare=False, repr=False)
    column_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class IsNull:
    """``isna(column)`` or, with ``negate``, ``notna(column)``."""

    column: str
    negate: bool = False
    span: Span = field(default=None, compare=False, repr=False)
    column_span: Span = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class And:
    """All operands hold (two or more, flattened)."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """At least one operand holds (two or more, flattened)."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    """The complement of the operand over the rows (missing values included)."""

    operand: Node


Leaf: TypeAlias = Compare | In | Between | Match | IsNull
Node: TypeAlias = Compare | In | Between | Match | IsNull | And | Or | Not
LEAVES = (Compare, In, Between, Match, IsNull)


def excerpt(source: str, span: tuple[int, int] | None) -> str:
    """Return ``source`` indented, with a caret line under ``span`` when it is known.

    Long texts are cut to a window around the span so the caret stays readable.

    Examples
    --------
    >>> print(excerpt("agee < 30", (0, 4)))
        agee < 30
        ^^^^
    """
    start, end = span if span is not None else (0, 0)
    lo, hi = max(0, start - 40), min(len(source), max(end, start + 1) + 40)
    prefix, suffix = ("..." if lo > 0 else ""), ("..." if hi < len(source) else "")
    # Newlines and tabs would break the caret's alignment.
    line = (prefix + source[lo:hi] + suffix).translate({10: " ", 13: " ", 9: " "})
    if span is None:
        return f"    {line}"
    caret = " " * (len(prefix) + start - lo) + "^" * max(1, min(end, hi) - start)
    return f"    {line}\n    {caret}"


def quote_column(name: str) -> str:
    """Write a column name as the language reads it: bare when possible, else backticked.

    Parameters
    ----------
    name : str
        The column name.

    Returns
    -------
    str
        ``name`` itself when it is an identifier and not a keyword, else the name in
        backticks with any backtick doubled.

    Examples
    --------
    >>> quote_column("age"), quote_column("my col"), quote_column("in")
    ('age', '`my col`', '`in`')
    """
    if _IDENTIFIER.match(name) and name.lower() not in KEYWORDS:
        return name
    return "`" + name.replace("`", "``") + "`"


_STRING_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def format_literal(value: Scalar) -> str:
    r"""Write a literal value in the language's canonical form.

    Parameters
    ----------
    value : bool, int, float, str or None
        The value.

    Returns
    -------
    str
        Text that parses back to exactly ``value`` (same type, same value).

    Examples
    --------
    >>> format_literal("it's"), format_literal(2.0), format_literal(float("-inf"))
    ("'it\\'s'", '2.0', '-inf')
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    out = []
    for char in value:
        if char in _STRING_ESCAPES:
            out.append(_STRING_ESCAPES[char])
        elif not char.isprintable():
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def describe_node(node: Node) -> str:
    """Return the canonical text of a tree (see :func:`parse_predicate` for the grammar)."""
    if isinstance(node, And | Or):
        word = " and " if isinstance(node, And) else " or "
        parts = []
        for child in node.operands:
            text = describe_node(child)
            # `and` binds tighter than `or`, so only an `or` inside an `and` needs parentheses.
            parts.append(f"({text})" if isinstance(node, And) and isinstance(child, Or) else text)
        return word.join(parts)
    if isinstance(node, Not):
        inner = describe_node(node.operand)
        return f"not ({inner})" if isinstance(node.operand, And | Or) else f"not {inner}"
    col = quote_column(node.column)
    neg = "not " if getattr(node, "negate", False) else ""
    if isinstance(node, Compare):
        return f"{col} {node.op} {format_literal(node.value)}"
    if isinstance(node, In):
        return f"{col} {neg}in [{', '.join(format_literal(v) for v in node.values)}]"
    if isinstance(node, Between):
        low, high = format_literal(node.low), format_literal(node.high)
        return f"{col} {neg}between {low} and {high}"
    if isinstance(node, Match):
        return f"{col} {neg}{node.kind} {format_literal(node.value)}"
    return f"{'notna' if node.negate else 'isna'}({col})"


def node_columns(node: Node) -> tuple[str, ...]:
    """Return the column names a tree uses, in order of first appearance, without repeats."""
    seen: dict[str, None] = {}
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, And | Or):
            stack.extend(reversed(current.operands))
        elif isinstance(current, Not):
            stack.append(current.operand)
        else:
            seen.setdefault(current.column, None)
    return tuple(seen)


# --- dict form -------------------------------------------------------------------------


def _value_to_json(value: Scalar) -> Any:
    # Strict JSON has no infinity, so non-finite floats get a tagged form.
    if isinstance(value, float) and math.isinf(value):
        return {"float": "inf" if value > 0 else "-inf"}
    return value


def node_to_dict(node: Node) -> dict[str, Any]:
    """Return a JSON-safe dict of a tree; :func:`node_from_dict` reads it back."""
    if isinstance(node, And | Or):
        op = "and" if isinstance(node, And) else "or"
        return {"op": op, "args": [node_to_dict(child) for child in node.operands]}
    if isinstance(node, Not):
        return {"op": "not", "arg": node_to_dict(node.operand)}
    if isinstance(node, Compare):
        return {"op": node.op, "column": node.column, "value": _value_to_json(node.value)}
    if isinstance(node, In):
        values = [_value_to_json(v) for v in node.values]
        return {"op": "in", "column": node.column, "values": values, "negate": node.negate}
    if isinstance(node, Between):
        low, high = _value_to_json(node.low), _value_to_json(node.high)
        return {"op": "between", "column": node.column, "low": low, "high": high,
                "negate": node.negate}  # fmt: skip
    if isinstance(node, Match):
        return {"op": node.kind, "column": node.column, "value": node.value,
                "negate": node.negate}  # fmt: skip
    return {"op": "isna", "column": node.column, "negate": node.negate}


def _dict_error(where: str, message: str) -> PredicateError:
    return PredicateError(
        f"Invalid predicate dict at {where}: {message} "
        "Build the dict with Predicate.to_dict(), or parse the text with parse_predicate()."
    )


class _DictReader:
    """Check a dict against the schema while building the tree; counts values read."""

    def __init__(self) -> None:
        self.values_read = 0

    def keys(self, data: Any, where: str, required: set[str], optional: set[str]) -> None:
        if not isinstance(data, dict):
            raise _dict_error(where, f"expected a dict, got {type(data).__name__}.")
        missing = required - data.keys()
        extra = set(data) - required - optional
        if missing:
            raise _dict_error(where, f"missing key(s) {sorted(missing)}.")
        if extra:
            allowed = sorted(required | optional)
            raise _dict_error(
                where, f"unknown key(s) {sorted(map(str, extra))}; allowed {allowed}."
            )

    def scalar(self, value: Any, where: str) -> Scalar:
        self.values_read += 1
        if self.values_read > MAX_DICT_VALUES:
            raise _dict_error(where, f"more than {MAX_DICT_VALUES:,} values.")
        if isinstance(value, dict):
            self.keys(value, where, {"float"}, set())
            if value["float"] not in ("inf", "-inf"):
                raise _dict_error(
                    where, f"'float' must be 'inf' or '-inf', got {value['float']!r}."
                )
            return float(value["float"])
        if value is None or isinstance(value, bool | int | str):
            return value
        if isinstance(value, float):
            if math.isnan(value):
                raise _dict_error(
                    where, "NaN is not a value; use an 'isna' node for missing values."
                )
            return value
        raise _dict_error(
            where, f"a value must be a bool, int, float, str or None, got {type(value).__name__}."
        )

    def flag(self, data: dict[str, Any], where: str) -> bool:
        negate = data.get("negate", False)
        if not isinstance(negate, bool):
            raise _dict_error(where, f"'negate' must be true or false, got {negate!r}.")
        return negate

    def column(self, data: dict[str, Any], where: str) -> str:
        name = data["column"]
        if not isinstance(name, str) or not name:
            raise _dict_error(where, f"'column' must be a non-empty str, got {name!r}.")
        return name

    def node(self, data: Any, where: str, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise _dict_error(where, f"nested deeper than {MAX_DEPTH} levels.")
        if not isinstance(data, dict) or not isinstance(data.get("op"), str):
            raise _dict_error(where, "expected a dict with a str 'op' key.")
        op = data["op"]
        if op in ("and", "or"):
            self.keys(data, where, {"op", "args"}, set())
            args = data["args"]
            if not isinstance(args, list) or len(args) < 2:
                raise _dict_error(where, "'args' must be a list of at least 2 predicates.")
            children = tuple(
                self.node(a, f"{where}.args[{i}]", depth + 1) for i, a in enumerate(args)
            )
            return And(children) if op == "and" else Or(children)
        if op == "not":
            self.keys(data, where, {"op", "arg"}, set())
            return Not(self.node(data["arg"], f"{where}.arg", depth + 1))
        return self.leaf(data, where, op)

    def leaf(self, data: dict[str, Any], where: str, op: str) -> Node:
        """Build the node of one column test, or refuse an unknown ``op``."""
        if op in COMPARISONS:
            self.keys(data, where, {"op", "column", "value"}, set())
            value = self.scalar(data["value"], f"{where}.value")
            return Compare(self.column(data, where), op, value)
        if op == "in":
            self.keys(data, where, {"op", "column", "values"}, {"negate"})
            if not isinstance(data["values"], list):
                raise _dict_error(where, "'values' must be a list.")
            values = tuple(self.scalar(v, f"{where}.values") for v in data["values"])
            return In(self.column(data, where), values, self.flag(data, where))
        if op == "between":
            self.keys(data, where, {"op", "column", "low", "high"}, {"negate"})
            low = self.scalar(data["low"], f"{where}.low")
            high = self.scalar(data["high"], f"{where}.high")
            return Between(self.column(data, where), low, high, self.flag(data, where))
        if op in MATCHES:
            self.keys(data, where, {"op", "column", "value"}, {"negate"})
            if not isinstance(data["value"], str):
                raise _dict_error(where, f"'value' of {op!r} must be a str.")
            return Match(self.column(data, where), op, data["value"], self.flag(data, where))
        if op == "isna":
            self.keys(data, where, {"op", "column"}, {"negate"})
            return IsNull(self.column(data, where), self.flag(data, where))
        allowed = ", ".join(repr(o) for o in (*COMPARISONS, "in", "between", *MATCHES))
        raise _dict_error(
            where, f"unknown 'op' {op!r}; allowed {allowed}, 'isna', 'and', 'or', 'not'."
        )


def node_from_dict(data: Any) -> Node:
    """Build a tree from :func:`node_to_dict` output, checking everything it reads."""
    return _DictReader().node(data, "$", 0)
