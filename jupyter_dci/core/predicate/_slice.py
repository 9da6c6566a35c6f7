"""``Slice``: a named, saved predicate over the rows of a frame (``country == 'IN'``).

A slice is what the slices panel shows, what ``find_slices`` reports and what a
versioned dataset stores. It is immutable, compares by its canonical text and name, and
round-trips through a small JSON document that holds the canonical text; reading that
document parses the text with the safe parser, so loading a slice never executes code.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from jupyter_dci.core.predicate._predicate import Predicate, parse_predicate
from jupyter_dci.errors import PredicateError, param_error

__all__ = ["Slice"]

_FORMAT = "jupyter_dci.slice"
_VERSION = 1


class Slice:
    """A subset of rows defined by a predicate, optionally named.

    Parameters
    ----------
    expression : str or Predicate
        The predicate text (see :func:`parse_predicate` for the language), or a
        predicate already parsed.
    name : str or None, default None
        A short label, e.g. ``"young_india"``.

    Notes
    -----
    Two slices are equal when their canonical texts (:meth:`describe`) and names are
    equal, so ``Slice("age<25") == Slice("age < 25")``. Slices are hashable.

    Examples
    --------
    >>> import pandas as pd
    >>> s = Slice("country == 'IN' and age < 25", name="young_in")
    >>> df = pd.DataFrame({"country": ["IN", "IN", "US"], "age": [20, 40, 20]})
    >>> s.mask(df).tolist()
    [True, False, False]
    >>> Slice.from_json(s.to_json()) == s
    True
    """

    __slots__ = ("_name", "_predicate")
    _name: str | None
    _predicate: Predicate

    def __init__(self, expression: str | Predicate, *, name: str | None = None) -> None:
        if isinstance(expression, Predicate):
            predicate = expression
        elif isinstance(expression, str):
            predicate = parse_predicate(expression)
        else:
            raise param_error("expression", "Slice", "a str or a Predicate", expression)
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise param_error("name", "Slice", "None or a non-empty str", name)
        object.__setattr__(self, "_predicate", predicate)
        object.__setattr__(self, "_name", name)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"Slice is immutable; cannot set {key!r}. Build a new Slice.")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"Slice is immutable; cannot delete {key!r}.")

    @property
    def name(self) -> str | None:
        """The slice's name, or None."""
        return self._name

    @property
    def predicate(self) -> Predicate:
        """The parsed predicate."""
        return self._predicate

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names the slice uses, in order of first appearance.

        Examples
        --------
        >>> Slice("b > 1 and a == 'x'").columns
        ('b', 'a')
        """
        return self._predicate.columns

    def describe(self) -> str:
        """Return the canonical text of the slice's predicate.

        Examples
        --------
        >>> Slice("(age>=18) & (country=='IN')").describe()
        "age >= 18 and country == 'IN'"
        """
        return self._predicate.describe()

    def mask(self, df: pd.DataFrame) -> np.ndarray:
        """Return a bool array, one entry per row of ``df``, True for rows in the slice.

        Parameters
        ----------
        df : pandas.DataFrame
            The frame; the mask is positional.

        Returns
        -------
        numpy.ndarray
            Bool array of length ``len(df)``.

        Examples
        --------
        >>> import pandas as pd
        >>> Slice("x between 1 and 2").mask(pd.DataFrame({"x": [0, 1, 2, 3]})).tolist()
        [False, True, True, False]
        """
        return self._predicate.mask(df)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict; :meth:`from_dict` reads it back.

        Examples
        --------
        >>> Slice("age < 25", name="young").to_dict()
        {'format': 'jupyter_dci.slice', 'version': 1, 'name': 'young', 'expression': 'age < 25'}
        """
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "name": self._name,
            "expression": self.describe(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Slice:
        """Build a slice from :meth:`to_dict` output, checking every field.

        Parameters
        ----------
        data : dict
            The dict, e.g. read from JSON.

        Returns
        -------
        Slice
            The slice.

        Raises
        ------
        PredicateError
            When the dict does not follow the schema or its expression does not parse.

        Examples
        --------
        >>> Slice.from_dict({"format": "jupyter_dci.slice", "version": 1,
        ...                  "name": None, "expression": "a == 1"})
        Slice('a == 1')
        """
        expected = {"format", "version", "name", "expression"}
        if not isinstance(data, dict) or set(data) != expected:
            got = sorted(map(str, data)) if isinstance(data, dict) else type(data).__name__
            raise PredicateError(
                f"A slice dict must have exactly the keys {sorted(expected)}; got {got}. "
                "Build it with Slice.to_dict()."
            )
        if data["format"] != _FORMAT or data["version"] != _VERSION:
            raise PredicateError(
                f"A slice dict must have format {_FORMAT!r} and version {_VERSION}; got "
                f"{data['format']!r} and {data['version']!r}. It was written by another tool "
                "or a newer jupyter_dci; upgrade, or rebuild it with Slice.to_dict()."
            )
        if not isinstance(data["expression"], str):
            raise PredicateError(
                f"The 'expression' of a slice dict must be a str; got {data['expression']!r}."
            )
        name = data["name"]
        if name is not None and (not isinstance(name, str) or not name.strip()):
            raise PredicateError(
                f"The 'name' of a slice dict must be null or a non-empty str; got {name!r}."
            )
        return cls(data["expression"], name=name)

    def to_json(self) -> str:
        """Return the slice as a JSON document (strict JSON, no NaN or Infinity).

        Examples
        --------
        >>> Slice("x > 1").to_json()
        '{"format": "jupyter_dci.slice", "version": 1, "name": null, "expression": "x > 1"}'
        """
        return json.dumps(self.to_dict(), allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Slice:
        """Build a slice from :meth:`to_json` output.

        Parameters
        ----------
        text : str
            The JSON document.

        Returns
        -------
        Slice
            The slice.

        Raises
        ------
        PredicateError
            When the text is not JSON or not a slice document.

        Examples
        --------
        >>> Slice.from_json('{"format": "jupyter_dci.slice", "version": 1, '
        ...                 '"name": "a", "expression": "x>1"}')
        Slice('x > 1', name='a')
        """
        if not isinstance(text, str | bytes):
            raise param_error("text", "Slice.from_json", "a str", text)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise PredicateError(
                f"Cannot read a slice from this JSON: {exc}. Pass the text of Slice.to_json()."
            ) from None
        return cls.from_dict(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Slice):
            return NotImplemented
        return (self.describe(), self._name) == (other.describe(), other._name)

    def __hash__(self) -> int:
        return hash((self.describe(), self._name))

    def __repr__(self) -> str:
        name = f", name={self._name!r}" if self._name is not None else ""
        return f"Slice({self.describe()!r}{name})"
