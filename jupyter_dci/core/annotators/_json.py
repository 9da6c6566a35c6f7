"""JSON-ready values of the results' tables: Python scalars, NaN as None."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["matrix", "plain", "records"]


def plain(value: Any) -> Any:
    """Return a JSON-ready scalar: numpy scalars as Python ones, NaN as None."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame, key: str) -> list[dict[str, Any]]:
    """Return the frame's rows as JSON-ready dicts, the index under ``key``."""
    out: list[dict[str, Any]] = []
    for name, row in zip(frame.index.tolist(), frame.to_dict("records"), strict=True):
        out.append({key: plain(name), **{str(k): plain(v) for k, v in row.items()}})
    return out


def matrix(frame: pd.DataFrame) -> list[list[Any]]:
    """Return the frame's values as JSON-ready nested lists."""
    return [[plain(v) for v in row] for row in frame.to_numpy().tolist()]
