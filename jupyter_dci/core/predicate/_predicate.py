"""A small, safe predicate language for filtering rows: ``country == 'IN' and age < 25``.

Text comes from users, from files on disk and from a browser filter box, so it is never
handed to ``eval``, ``exec``, ``DataFrame.query``/``eval`` or numexpr. A tokenizer
(``_predicate_tokens``) and the recursive-descent parser here turn it into an immutable
tree (``_predicate_ast``) that ``_predicate_eval`` evaluates with vectorised numpy/pandas
operations. Anything outside
the grammar below (calls, attribute access, statements, lambdas) fails at parse time.

Grammar, loosest binding first::

    expr       := and_expr (("or" | "|") and_expr)*
    and_expr   := not_expr (("and" | "&") not_expr)*
    not_expr   := ("not" | "~") not_expr | "(" expr ")" | test
    test       := ("isna" | "notna") "(" column ")"
                | column compare literal | literal compare column
                | column ["not"] "in" ("[" | "(") [literal ("," literal)* [","]] ("]" | ")")
                | column ["not"] "between" literal "and" literal
                | column ["not"] ("contains" | "startswith" | "endswith") string
    compare    := "==" | "!=" | "<" | "<=" | ">" | ">="
    column     := identifier | "`" any text, a backtick written twice "`"
    literal    := ["-" | "+"] (int | float | "inf") | string | True | False | None | null

Keywords are case-insensitive (``AND`` works); a column whose name is a keyword, holds
spaces or punctuation, or starts with a digit is written in backticks: `` `my col` ``.
A non-string column name is written as its text in backticks: `` `0` `` names the int
column ``0`` when the frame has no string column ``"0"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.predicate._ast import (
    COMPARISONS,
    KEYWORDS,
    MATCHES,
    MAX_DEPTH,
    And,
    Between,
    Compare,
    In,
    IsNull,
    Match,
    Node,
    Not,
    Or,
    Scalar,
    describe_node,
    node_columns,
    node_from_dict,
    node_to_dict,
)
from jupyter_dci.core.predicate._eval import evaluate
from jupyter_dci.core.predicate._tokens import Token, located_error, tokenize
from jupyter_dci.errors import PredicateError, param_error

__all__ = ["MAX_LENGTH", "Predicate", "parse_predicate", "predicate_from_dict"]

# Long enough for a filter listing hundreds of values; short enough that a pasted file
# or an attack string is refused before any work is done.
MAX_LENGTH = 10_000

_WORD_OPS = {"&": "and", "|": "or", "~": "not"}
_LITERAL_WORDS = {"true": True, "false": False, "none": None, "null": None}


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, token: Token, message: str) -> PredicateError:
        got = "the end of the text" if token.kind == "end" else repr(token.text)
        message = message.replace("{got}", got).replace("{pos}", str(token.start))
        return located_error(self.source, token.start, max(token.end, token.start + 1), message)

    def is_word(self, *words: str) -> bool:
        tok = self.tok
        word = (
            tok.value
            if tok.kind == "name"
            else _WORD_OPS.get(tok.text)
            if tok.kind == "op"
            else None
        )
        return word in words

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def expect_op(self, op: str, what: str) -> Token:
        if not self.is_op(op):
            raise self.fail(self.tok, f"Expected {op!r} {what} at position {{pos}}; got {{got}}.")
        return self.take()

    def parse(self) -> Node:
        node = self.expr()
        if self.tok.kind != "end":
            raise self.fail(
                self.tok,
                "Unexpected {got} at position {pos}; join tests with 'and' / 'or', e.g. "
                "age < 30 and country == 'IN'.",
            )
        return node

    def expr(self) -> Node:
        return self._chain(self.and_expr, "or", Or)

    def and_expr(self) -> Node:
        return self._chain(self.not_expr, "and", And)

    def _chain(self, sub: Callable[[], Node], word: str, kind: type[And] | type[Or]) -> Node:
        parts = [sub()]
        while self.is_word(word):
            self.take()
            parts.append(sub())
        if len(parts) == 1:
            return parts[0]
        flat: list[Node] = []
        for part in parts:  # (a and b) and c is the same test as a and b and c
            flat.extend(part.operands if isinstance(part, kind) else (part,))
        return kind(tuple(flat))

    def not_expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(
                self.tok,
                f"The predicate nests deeper than {MAX_DEPTH} levels at position {{pos}}; "
                "flatten it (a and b and c needs no parentheses).",
            )
        try:
            if self.is_word("not"):
                self.take()
                return Not(self.not_expr())
            if self.is_op("("):
                self.take()
                node = self.expr()
                self.expect_op(")", "to close the parenthesis")
                return node
            return self.test()
        finally:
            self.depth -= 1

    def test(self) -> Node:
        tok = self.tok
        if tok.kind == "name" and self.tokens[self.i + 1].text == "(":
            return self.function()
        if tok.kind in ("number", "string") or self.is_op("-", "+") or self._is_literal_word():
            return self.reversed_compare()
        name, col_tok = self.column()
        if self.tok.kind == "op" and self.tok.text in COMPARISONS:
            op = self.take().text
            value, last = self.literal(f"after {op!r}")
            return self._compare(name, op, value, col_tok, last)
        negate = self.is_word("not")
        if negate:
            self.take()
        if self.is_word("in"):
            return self.membership(name, negate, col_tok)
        if self.is_word("between"):
            return self.between(name, negate, col_tok)
        if self.is_word(*MATCHES):
            kind = self.take().value
            value, last = self.literal(f"after {kind!r}")
            if not isinstance(value, str):
                raise self.fail(
                    last, f"{kind!r} needs a quoted string at position {{pos}}; got {{got}}. "
                    f"Write e.g. {col_tok.text} {kind} 'abc'.",
                )  # fmt: skip
            return Match(name, kind, value, negate, self.span(col_tok), self.span(col_tok, col_tok))
        raise self.fail(
            self.tok,
            f"Expected a test after column {name!r} at position {{pos}}; got {{got}}. Allowed: "
            "== != < <= > >=, in [...], between a and b, contains/startswith/endswith "
            "'text', e.g. age < 30.",
        )

    def span(self, first: Token, last: Token | None = None) -> tuple[int, int]:
        return first.start, (last or self.tokens[self.i - 1]).end

    def _is_literal_word(self) -> bool:
        tok = self.tok
        return tok.kind == "name" and tok.value in (*_LITERAL_WORDS, "inf", "infinity", "nan")

    def function(self) -> Node:
        tok = self.take()
        if tok.value not in ("isna", "notna", "isnull", "notnull"):
            raise self.fail(
                tok,
                "Unknown function {got} at position {pos}. Allowed: isna(column), "
                "notna(column); predicates cannot call anything else.",
            )
        self.take()
        name, col_tok = self.column()
        self.expect_op(")", f"to close {tok.text}(")
        negate = tok.value.startswith("not")
        return IsNull(name, negate, self.span(tok), self.span(col_tok, col_tok))

    def column(self) -> tuple[str, Token]:
        tok = self.tok
        if tok.kind == "column":
            return self.take().value, tok
        if tok.kind == "name" and tok.value not in KEYWORDS:
            return self.take().text, tok
        raise self.fail(
            tok,
            "Expected a column name at position {pos}; got {got}. Write a column as a bare "
            "name (age) or in backticks (`my col`).",
        )

    def literal(self, what: str) -> tuple[Scalar, Token]:
        tok = self.tok
        sign = ""
        if self.is_op("-", "+"):
            sign = self.take().text
        cur = self.tok
        if cur.kind == "number":
            self.take()
            value = cur.value
            return (-value if sign == "-" else value), cur
        if cur.kind == "name" and cur.value in ("inf", "infinity"):
            self.take()
            return (float("-inf") if sign == "-" else float("inf")), cur
        if cur.kind == "name" and cur.value == "nan":
            raise self.fail(
                cur, "NaN is not a value to compare with (it equals nothing); use isna(column) "
                "or notna(column) at position {pos}.",
            )  # fmt: skip
        if sign:
            raise self.fail(
                cur, f"Expected a number after {sign!r} at position {{pos}}; got {{got}}."
            )
        if cur.kind == "string":
            return self.take().value, cur
        if cur.kind == "name" and cur.value in _LITERAL_WORDS:
            self.take()
            return _LITERAL_WORDS[cur.value], cur
        hint = ""
        if cur.kind in ("name", "column"):
            hint = (
                f" Quote text: '{cur.text}'. Comparing two columns is not supported."
                if cur.kind == "name" else " Comparing two columns is not supported."
            )  # fmt: skip
        raise self.fail(
            tok,
            f"Expected a value {what} at position {{pos}}; got {{got}}. A value is a number, "
            f"a quoted string, True, False or None.{hint}",
        )

    def reversed_compare(self) -> Node:
        # `25 > age` is read as `age < 25`, so each test has one canonical form.
        first = self.tok
        value, _ = self.literal("")
        if not (self.tok.kind == "op" and self.tok.text in COMPARISONS):
            raise self.fail(
                self.tok,
                "Expected a comparison (== != < <= > >=) after the value at position {pos}; "
                "got {got}. A test starts with a column, e.g. age < 30.",
            )
        op = self.take().text
        name, col_tok = self.column()
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        return self._compare(name, flipped, value, col_tok, first, start=first)

    def _compare(
        self, name: str, op: str, value: Scalar, col_tok: Token, val_tok: Token,
        start: Token | None = None,
    ) -> Compare:  # fmt: skip
        if value is None:
            fix = "notna" if op == "!=" else "isna"
            raise self.fail(
                val_tok,
                f"Cannot compare column {name!r} with None using {op!r} at position {{pos}}: "
                f"a missing value matches no comparison. Use {fix}({col_tok.text}).",
            )
        return Compare(name, op, value, self.span(start or col_tok), self.span(col_tok, col_tok))

    def membership(self, name: str, negate: bool, col_tok: Token) -> In:
        in_tok = self.take()
        if not self.is_op("[", "("):
            raise self.fail(
                self.tok,
                "Expected a list after 'in' at position {pos}; got {got}. Write e.g. "
                f"{col_tok.text} in [1, 2] or {col_tok.text} in ('a', 'b').",
            )
        closing = "]" if self.take().text == "[" else ")"
        values: list[Scalar] = []
        while not self.is_op(closing):
            values.append(self.literal("in the list")[0])
            if not self.is_op(","):
                break
            self.take()
        self.expect_op(closing, f"to close the list after {in_tok.text!r}")
        return In(name, tuple(values), negate, self.span(col_tok), self.span(col_tok, col_tok))

    def between(self, name: str, negate: bool, col_tok: Token) -> Between:
        self.take()
        low, low_tok = self.literal("after 'between'")
        if not self.is_word("and"):
            raise self.fail(
                self.tok,
                "Expected 'and' after the lower bound at position {pos}; got {got}. Write "
                f"e.g. {col_tok.text} between 1 and 5.",
            )
        self.take()
        high, _ = self.literal("after 'between ... and'")
        for bound in (low, high):
            if bound is None or isinstance(bound, bool):
                raise self.fail(
                    low_tok, f"The bounds of 'between' must be numbers or strings; got "
                    f"{bound!r} at position {{pos}}.",
                )  # fmt: skip
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            raise self.fail(
                low_tok,
                f"'between' takes the lower bound first; got {low!r} and {high!r} at position "
                f"{{pos}}. Write {col_tok.text} between {high!r} and {low!r}.",
            )
        return Between(name, low, high, negate, self.span(col_tok), self.span(col_tok, col_tok))


def _check_semantics(node: Node) -> None:
    """Apply the parser's value rules to a tree built from a dict."""
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, And | Or):
            stack.extend(cur.operands)
        elif isinstance(cur, Not):
            stack.append(cur.operand)
        else:
            # Re-parsing the canonical text applies every rule in one place.
            _Parser(describe_node(cur)).parse()


@dataclass(frozen=True, eq=False)
class Predicate:
    """A parsed, immutable row filter; build it with :func:`parse_predicate`.

    Two predicates are equal when their canonical texts (:meth:`describe`) are equal.
    Combine them with ``&``, ``|`` and ``~``.

    Parameters
    ----------
    node : Node
        The syntax tree.
    source : str
        The text it was parsed from (used to point at errors); the canonical text when
        it was built from a dict or combined from other predicates.

    Examples
    --------
    >>> import pandas as pd
    >>> p = parse_predicate("25 > age AND country == 'IN'")
    >>> p.describe()
    "age < 25 and country == 'IN'"
    >>> p.mask(pd.DataFrame({"age": [20, 30], "country": ["IN", "IN"]})).tolist()
    [True, False]
    """

    node: Node
    source: str = field(repr=False)
    _canonical: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_canonical", describe_node(self.node))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Predicate):
            return NotImplemented
        return self._canonical == other._canonical

    def __hash__(self) -> int:
        return hash(self._canonical)

    def __repr__(self) -> str:
        return f"Predicate({self._canonical!r})"

    def __and__(self, other: Predicate) -> Predicate:
        return self._combine(other, And)

    def __or__(self, other: Predicate) -> Predicate:
        return self._combine(other, Or)

    def __invert__(self) -> Predicate:
        node = Not(self.node)
        return Predicate(node, describe_node(node))

    def _combine(self, other: Predicate, kind: type[And] | type[Or]) -> Predicate:
        if not isinstance(other, Predicate):
            return NotImplemented
        parts: list[Node] = []
        for node in (self.node, other.node):
            parts.extend(node.operands if isinstance(node, kind) else (node,))
        node = kind(tuple(parts))
        return Predicate(node, describe_node(node))

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names the predicate uses, in order of first appearance.

        Examples
        --------
        >>> parse_predicate("a > 1 and (b == 'x' or a < 0)").columns
        ('a', 'b')
        """
        return node_columns(self.node)

    def describe(self) -> str:
        """Return the canonical text: ``parse_predicate(p.describe()) == p`` always holds.

        Examples
        --------
        >>> parse_predicate("(`age`>=18)&~isnull(x)").describe()
        'age >= 18 and not isna(x)'
        """
        return self._canonical

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        """Return a boolean numpy array, one entry per row of ``df``, True where it holds.

        A row whose value is missing never matches a comparison, ``in``, ``between`` or a
        string test (``!=`` and ``not in`` included); ``isna`` finds those rows, and
        ``not (...)`` is the plain complement over all rows.

        Parameters
        ----------
        df : pandas.DataFrame
            The frame to filter; the mask is positional (it ignores the index).

        Returns
        -------
        numpy.ndarray
            A bool array of length ``len(df)``.

        Raises
        ------
        PredicateError
            When a column is missing or a value cannot be compared with a column.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"age": [20.0, None, 40.0]})
        >>> parse_predicate("age != 20").mask(df).tolist()
        [False, False, True]
        """
        if not isinstance(df, pd.DataFrame):
            raise param_error("df", "Predicate.mask", "a pandas DataFrame", df)
        return evaluate(self.node, df, self.source)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; :func:`predicate_from_dict` reads it back.

        Examples
        --------
        >>> parse_predicate("age < 30").to_dict()
        {'op': '<', 'column': 'age', 'value': 30}
        """
        return node_to_dict(self.node)


def parse_predicate(text: str) -> Predicate:
    """Parse predicate text into a :class:`Predicate`, without evaluating anything.

    The language: comparisons ``== != < <= > >=`` between a column and a value (either
    order); ``col in [1, 2]``, ``col not in ('a', 'b')``; ``col between 1 and 5``
    (inclusive); ``isna(col)``, ``notna(col)``; ``col contains 'abc'`` (literal text,
    not a regex), ``startswith``, ``endswith``; joined by ``and``/``&``, ``or``/``|``,
    ``not``/``~`` and parentheses (``not`` binds tightest, then ``and``, then ``or``).
    Values: ints, floats (``1e3``, ``-2.5``, ``inf``), quoted strings with backslash
    escapes, ``True``, ``False``, ``None``/``null`` (only inside ``in`` lists, where it
    matches missing values). Columns are bare names or backticked (`` `my col` ``); see
    the module docstring for non-string column names.

    Against a datetime column, a string value is read with ``pandas.Timestamp``; a naive
    value against a timezone-aware column is read in the column's timezone. Timedelta
    columns read strings with ``pandas.Timedelta``. Categoricals compare on their values
    (not on the category order).

    Parameters
    ----------
    text : str
        The predicate, at most ``MAX_LENGTH`` (10,000) characters.

    Returns
    -------
    Predicate
        The parsed predicate.

    Raises
    ------
    PredicateError
        When the text is not in the language; the message points at the position.

    Examples
    --------
    >>> parse_predicate("country in ('IN', 'US') and not age between 18 and 25")
    Predicate("country in ['IN', 'US'] and not age between 18 and 25")
    """
    if not isinstance(text, str):
        raise param_error("text", "parse_predicate", "a str", text)
    if len(text) > MAX_LENGTH:
        raise PredicateError(
            f"The predicate is {len(text):,} characters long; the limit is {MAX_LENGTH:,}. "
            "Split it into several slices, or filter the frame in pandas first."
        )
    if not text.strip():
        raise PredicateError(
            "The predicate is empty; write a test such as age < 30 or country == 'IN'."
        )
    return Predicate(_Parser(text).parse(), text)


def predicate_from_dict(data: dict[str, Any]) -> Predicate:
    """Rebuild a :class:`Predicate` from :meth:`Predicate.to_dict` output.

    Every key, type, size and value rule is checked, so a dict read from disk builds a
    predicate or raises; nothing in it is ever executed.

    Parameters
    ----------
    data : dict
        The dict, e.g. from ``json.load``.

    Returns
    -------
    Predicate
        The predicate.

    Raises
    ------
    PredicateError
        When the dict does not follow the schema.

    Examples
    --------
    >>> predicate_from_dict({"op": "in", "column": "c", "values": ["a", "b"]})
    Predicate("c in ['a', 'b']")
    """
    node = node_from_dict(data)
    _check_semantics(node)
    return Predicate(node, describe_node(node))
