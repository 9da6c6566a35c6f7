"""Read ``labextension/src/widgets/_shared/protocol.ts`` and compare it with ``_protocol.py``.

A small parser of the forms protocol.ts keeps to (see its header), and one spelling for the
types of both sides: each type becomes the sorted set of its union members, aliases expanded,
written as TypeScript writes them (``int`` and ``float`` are ``number``, ``list[X]`` is
``X[]``, ``dict[str, Any]`` is ``Record<string, unknown>``, a TypedDict is its name).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NotRequired, Required, Union, get_args, get_origin

from jupyter_dci.widgets import _protocol
from jupyter_dci.widgets._protocol import CALLS

PROTOCOL_TS = Path(__file__).resolve().parents[2] / "labextension/src/widgets/_shared/protocol.ts"

# ---- reading protocol.ts ---------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:([A-Za-z_]\w*)|'([^']*)'|\"([^\"]*)\"|(\S))")


@dataclass(frozen=True)
class Node:
    """A parsed TypeScript type: a name, a string literal, T[], Generic<...>, A | B, or {..}."""

    kind: str  # "name" | "lit" | "array" | "generic" | "union" | "object"
    value: str = ""
    args: tuple[Node, ...] = ()
    fields: tuple[tuple[str, bool, Node], ...] = ()


class _TypeParser:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                break
            ident, single, double, punct = m.groups()
            if ident is not None:
                self.tokens.append(("id", ident))
            elif single is not None or double is not None:
                self.tokens.append(("lit", single if single is not None else double))
            elif punct is not None:
                self.tokens.append(("p", punct))
            pos = m.end()
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, punct: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (punct is not None and tok != ("p", punct)):
            raise ValueError(
                f"protocol.ts: expected {punct or 'a token'}, got {tok} in {self.tokens}"
            )
        self.i += 1
        return tok

    def done(self) -> None:
        if self.peek() is not None:
            raise ValueError(f"protocol.ts: cannot read the type from {self.peek()}: {self.tokens}")

    def union(self) -> Node:
        if self.peek() == ("p", "|"):
            self.take("|")
        members = [self.postfix()]
        while self.peek() == ("p", "|"):
            self.take("|")
            members.append(self.postfix())
        return members[0] if len(members) == 1 else Node("union", args=tuple(members))

    def postfix(self) -> Node:
        node = self.primary()
        while self.peek() == ("p", "["):
            self.take("[")
            self.take("]")
            node = Node("array", args=(node,))
        return node

    def primary(self) -> Node:
        kind, value = self.take()
        if (kind, value) == ("p", "("):
            node = self.union()
            self.take(")")
            return node
        if (kind, value) == ("p", "{"):
            return Node("object", fields=self.members("}"))
        if kind == "lit":
            return Node("lit", value)
        if kind != "id":
            raise ValueError(f"protocol.ts: unexpected {value!r} in a type: {self.tokens}")
        if self.peek() == ("p", "<"):
            self.take("<")
            args = [self.union()]
            while self.peek() == ("p", ","):
                self.take(",")
                args.append(self.union())
            self.take(">")
            return Node("generic", value, tuple(args))
        return Node("name", value)

    def members(self, close: str) -> tuple[tuple[str, bool, Node], ...]:
        """Fields ``name: type;`` or ``name?: type;`` up to ``close``."""
        out = []
        while self.peek() != ("p", close):
            kind, name = self.take()
            if kind != "id":
                raise ValueError(f"protocol.ts: expected a field name, got {name!r}")
            optional = self.peek() == ("p", "?")
            if optional:
                self.take("?")
            self.take(":")
            out.append((name, optional, self.union()))
            if self.peek() == ("p", ";"):
                self.take(";")
        self.take(close)
        return tuple(out)


@dataclass(frozen=True)
class TsProtocol:
    interfaces: dict[str, tuple[str | None, tuple[tuple[str, bool, Node], ...]]]
    aliases: dict[str, Node]


def parse_protocol(text: str) -> TsProtocol:
    """Read ``export interface`` and ``export type`` declarations; refuse anything else."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    interfaces: dict[str, Any] = {}
    aliases: dict[str, Node] = {}
    for m in re.finditer(r"\bexport\s+(\w+)\s+(\w+)", text):
        what, name = m.groups()
        rest = text[m.end() :]
        if what == "interface":
            head = re.match(r"\s*(?:extends\s+(\w+)\s*)?\{", rest)
            assert head, f"protocol.ts: cannot read the interface {name}"
            parser = _TypeParser(rest[head.end() :])
            interfaces[name] = (head.group(1), parser.members("}"))
        elif what == "type":
            body = re.match(r"\s*=\s*([^;]*);", rest)
            assert body, f"protocol.ts: cannot read the type {name}"
            parser = _TypeParser(body.group(1))
            aliases[name] = parser.union()
            parser.done()
        else:
            raise AssertionError(
                f"protocol.ts declares `export {what} {name}`: only interfaces and types belong there"
            )
    return TsProtocol(interfaces, aliases)


# ---- one spelling for both sides --------------------------------------------------------


def _wrap(members: set[str]) -> str:
    text = " | ".join(sorted(members))
    return f"({text})" if len(members) > 1 else text


def ts_members(node: Node, aliases: dict[str, Node]) -> set[str]:
    """A TypeScript type as the set of its union members, aliases expanded, spelled canonically."""
    if node.kind == "union":
        return set().union(*(ts_members(a, aliases) for a in node.args))
    if node.kind == "name" and node.value in aliases:
        return ts_members(aliases[node.value], aliases)
    if node.kind == "lit":
        return {f"'{node.value}'"}
    if node.kind == "array":
        return {_wrap(ts_members(node.args[0], aliases)) + "[]"}
    if node.kind == "generic":
        args = ", ".join(" | ".join(sorted(ts_members(a, aliases))) for a in node.args)
        return {f"{node.value}<{args}>"}
    if node.kind == "name":
        return {node.value}
    raise AssertionError(f"protocol.ts: a {node.kind} type cannot be compared: {node}")


_SCALARS = {int: "number", float: "number", str: "string", bool: "boolean", type(None): "null"}


def py_members(tp: Any) -> set[str]:
    """A Python annotation as the set of its union members, spelled as TypeScript would."""
    origin = get_origin(tp)
    if origin in (NotRequired, Required):
        return py_members(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return set().union(*(py_members(a) for a in get_args(tp)))
    if origin is Literal:
        return {f"'{v}'" for v in get_args(tp)}
    if origin is list:
        return {_wrap(py_members(get_args(tp)[0])) + "[]"}
    if origin is dict:
        key, value = get_args(tp)
        return {f"Record<{_wrap(py_members(key))}, {_wrap(py_members(value))}>"}
    if tp is Any:
        return {"unknown"}
    if tp in _SCALARS:
        return {_SCALARS[tp]}
    if typing.is_typeddict(tp):
        return {tp.__name__}
    raise AssertionError(f"_protocol.py: the annotation {tp!r} has no TypeScript spelling here")


def py_fields(cls: type) -> dict[str, tuple[bool, str]]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {
        name: (name in cls.__optional_keys__, " | ".join(sorted(py_members(tp))))  # type: ignore[attr-defined]
        for name, tp in hints.items()
    }


def ts_fields(proto: TsProtocol, name: str) -> dict[str, tuple[bool, str]]:
    base, members = proto.interfaces[name]
    out = ts_fields(proto, base) if base else {}
    for field, optional, node in members:
        out[field] = (optional, " | ".join(sorted(ts_members(node, proto.aliases))))
    return out


def python_contract() -> tuple[dict[str, type], dict[str, Any]]:
    """The TypedDicts and the type aliases _protocol.py declares."""
    typed = {
        name: obj
        for name, obj in vars(_protocol).items()
        if typing.is_typeddict(obj) and obj.__module__ == _protocol.__name__
    }
    aliases = {
        name: obj
        for name, obj in vars(_protocol).items()
        if get_origin(obj) in (Literal, Union, types.UnionType)
    }
    return typed, aliases


def differences(proto: TsProtocol) -> list[str]:
    """Everything on which protocol.ts and _protocol.py disagree (empty when they agree)."""
    typed, aliases = python_contract()
    calls = {n for n in proto.interfaces if n.endswith("Calls")}
    ts_names = (set(proto.interfaces) - calls) | set(proto.aliases)
    out = [f"only in protocol.ts: {n}" for n in sorted(ts_names - typed.keys() - aliases.keys())]
    out += [
        f"only in _protocol.py: {n}" for n in sorted((typed.keys() | aliases.keys()) - ts_names)
    ]
    for name in sorted(aliases.keys() & proto.aliases.keys()):
        py, ts = py_members(aliases[name]), ts_members(proto.aliases[name], proto.aliases)
        if py != ts:
            out.append(f"type {name}: Python {sorted(py)} vs TypeScript {sorted(ts)}")
    for name in sorted(typed.keys() & proto.interfaces.keys()):
        py, ts = py_fields(typed[name]), ts_fields(proto, name)
        for field in sorted(py.keys() | ts.keys()):
            if py.get(field) != ts.get(field):
                out.append(
                    f"{name}.{field}: Python (optional, type) {py.get(field)} vs TypeScript {ts.get(field)}"
                )
    ts_calls = {}
    for name in calls:
        ts_calls[name] = {}
        for call, _optional, node in proto.interfaces[name][1]:
            parts = {f: n.value for f, _o, n in node.fields}
            ts_calls[name][call] = (parts.get("request"), parts.get("reply"))
    py_calls = {
        f"{view.capitalize()}Calls": {
            call: (req.__name__, rep.__name__) for call, (req, rep) in c.items()
        }
        for view, c in CALLS.items()
    }
    if ts_calls != py_calls:
        out.append(f"calls: Python {py_calls} vs TypeScript {ts_calls}")
    return out
