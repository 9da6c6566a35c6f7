"""The tokenizer of the predicate language: text in, a list of typed tokens out.

Strings and backticked column names are decoded here (escapes, doubled backticks), so
the parser only sees values. Any character outside the language (``.``, ``;``, ``:``,
``=``, ``{``, ``@``, ...) is refused with its position and a hint, which is where most
injection attempts (attribute access, statements, lambdas) stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jupyter_dci.core.predicate._ast import excerpt
from jupyter_dci.errors import PredicateError

__all__ = ["Token", "located_error", "tokenize"]

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<string>['"])
  | (?P<backtick>`)
  | (?P<op>==|!=|<=|>=|<|>|[()\[\],&|~+-])
    """,
    re.VERBOSE,
)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "0": "\0"}
_HINTS = {
    ".": "Attribute access and method calls are not supported; a column whose name "
    "holds a dot is written in backticks, e.g. `a.b`.",
    ";": "A predicate is one expression; join tests with 'and' / 'or' instead.",
    ":": "Lambdas, slices and statements are not supported.",
    "=": "Use '==' to test equality.",
    "!": "Use 'not' (or '~') to negate, and '!=' for 'not equal'.",
}


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "string", "column", "op", "end"
    text: str  # the source text of the token
    value: Any  # the decoded value (number, string, column name, lowered keyword)
    start: int
    end: int


def located_error(source: str, start: int, end: int, message: str) -> PredicateError:
    """Return a PredicateError whose message ends with the text and a caret under a span."""
    return PredicateError(f"{message}\n{excerpt(source, (start, end))}")


def _read_quoted(source: str, start: int) -> tuple[str, int]:
    """Decode the string literal opening at ``start``; return it and the end offset."""
    quote = source[start]
    out: list[str] = []
    i = start + 1
    while i < len(source):
        char = source[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\\":
            nxt = source[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            width = {"u": 4, "U": 8, "x": 2}.get(nxt)
            digits = source[i + 2 : i + 2 + width] if width else ""
            if (
                width
                and len(digits) == width
                and all(c in "0123456789abcdefABCDEF" for c in digits)
            ):
                code = int(digits, 16)
                if code <= 0x10FFFF:
                    out.append(chr(code))
                    i += 2 + width
                    continue
            raise located_error(
                source, i, i + 2,
                f"Unknown escape {source[i:i + 2]!r} at position {i} in a string. Allowed: "
                r"\\ \' \" \n \r \t \0 \xHH \uHHHH \UHHHHHHHH; write a backslash as \\.",
            )  # fmt: skip
        out.append(char)
        i += 1
    raise located_error(
        source, start, len(source),
        f"Unterminated string starting at position {start}; close it with {quote}.",
    )  # fmt: skip


def _read_backticked(source: str, start: int) -> tuple[str, int]:
    """Decode the backticked column name opening at ``start``; a doubled backtick is one."""
    out: list[str] = []
    i = start + 1
    while i < len(source):
        if source[i] == "`":
            if source[i + 1 : i + 2] == "`":
                out.append("`")
                i += 2
                continue
            if not out:
                raise located_error(
                    source, start, i + 1, f"Empty column name `` at position {start}."
                )
            return "".join(out), i + 1
        out.append(source[i])
        i += 1
    raise located_error(
        source, start, len(source),
        f"Unterminated column name starting at position {start}; close it with a backtick (`).",
    )  # fmt: skip


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        found = _TOKEN.match(source, pos)
        if found is None:
            char = source[pos]
            hint = _HINTS.get(char, "Predicates hold only column tests joined by and/or/not.")
            raise located_error(
                source, pos, pos + 1, f"Unexpected character {char!r} at position {pos}. {hint}"
            )
        kind, text, end = found.lastgroup or "", found.group(), found.end()
        if kind == "string":
            value, end = _read_quoted(source, pos)
            tokens.append(Token("string", source[pos:end], value, pos, end))
        elif kind == "backtick":
            value, end = _read_backticked(source, pos)
            tokens.append(Token("column", source[pos:end], value, pos, end))
        elif kind == "number":
            if end < len(source) and (source[end].isalnum() or source[end] in "_."):
                raise located_error(source, pos, end + 1, f"Malformed number at position {pos}.")
            tokens.append(Token("number", text, _number(source, text, pos), pos, end))
        elif kind != "ws":
            tokens.append(Token(kind, text, text.lower() if kind == "name" else text, pos, end))
        pos = end
    tokens.append(Token("end", "", None, len(source), len(source)))
    return tokens


def _number(source: str, text: str, pos: int) -> int | float:
    try:
        return int(text) if text.isdigit() else float(text)
    except ValueError:  # Python refuses ints of more than 4300 digits
        raise located_error(
            source, pos, pos + len(text), f"Number at position {pos} is too long."
        ) from None
