"""Exceptions and warnings raised by jupyter_dci.

Every error a user sees says three things: what was got, what is allowed, and what
to do next. Catch :class:`DCIError` to catch them all.

Examples
--------
>>> from jupyter_dci.errors import DCIError, InvalidParameterError
>>> issubclass(InvalidParameterError, (DCIError, ValueError))
True
"""

from __future__ import annotations

__all__ = [
    "DCIError",
    "DCIWarning",
    "DataMismatchError",
    "InvalidParameterError",
    "PredicateError",
    "StoreError",
    "UnsupportedInputError",
]


class DCIError(Exception):
    """Base class of every error raised by jupyter_dci."""


class InvalidParameterError(DCIError, ValueError):
    """A parameter has a value or type that is not allowed.

    The message follows one voice: ``The 'k' parameter of find_slices must be an int
    in [1, 1000]. Got 0 instead.``
    """


class PredicateError(DCIError, ValueError):
    """A filter or slice expression could not be parsed or evaluated on a frame."""


class DataMismatchError(DCIError, ValueError):
    """A frame does not match what was expected (its rows, columns or key)."""


class UnsupportedInputError(DCIError, TypeError):
    """The data given is of a type no entry point takes (or not this one, yet).

    The message names the type got (with its module), the types taken, and how to convert.
    """


class StoreError(DCIError):
    """The versioned store cannot do what was asked (missing version, conflict, corruption)."""


class DCIWarning(UserWarning):
    """Base category of the warnings jupyter_dci emits (always with ``stacklevel=2``)."""


def param_error(param: str, func: str, allowed: str, got: object) -> InvalidParameterError:
    """Build an :class:`InvalidParameterError` in the project's one voice.

    Parameters
    ----------
    param : str
        The parameter's name.
    func : str
        The public function or class that received it.
    allowed : str
        What is allowed, phrased to follow "must be", e.g. ``"an int in [1, 1000]"``.
    got : object
        The value received; its ``repr`` is quoted (shortened when long).

    Returns
    -------
    InvalidParameterError
        The error, for the caller to raise.

    Examples
    --------
    >>> str(param_error("k", "find_slices", "an int in [1, 1000]", 0))
    "The 'k' parameter of find_slices must be an int in [1, 1000]. Got 0 instead."
    """
    text = repr(got)
    if len(text) > 80:
        text = text[:77] + "..."
    return InvalidParameterError(
        f"The {param!r} parameter of {func} must be {allowed}. Got {text} instead."
    )
