"""Recognise the data a user hands to an entry point, and say clearly what is not taken.

pandas frames keep the numpy fast paths of the rest of the core. Everything else becomes a
:class:`~jupyter_dci.core.engine._source.LazySource`: a narwhals LazyFrame over the data's
own engine (Polars for Polars frames, DuckDB for DuckDB relations, Arrow data and files), so
that work runs where the data is and only bounded results come back.
"""

from __future__ import annotations

import glob
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from jupyter_dci.errors import UnsupportedInputError

__all__ = ["ACCEPTED", "input_kind", "is_pandas", "pandas_only", "unsupported"]

#: What the entry points take, as the error message lists it.
ACCEPTED = (
    "a pandas DataFrame, a Polars DataFrame or LazyFrame, a PyArrow Table or Dataset, a "
    "DuckDB relation, or a path or glob of Parquet or CSV files"
)
#: File endings read as Parquet or CSV.
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz")


def _type_name(x: Any) -> str:
    """Name a type as users import it: ``pandas.Series``, not ``pandas.core.series.Series``."""
    kind = type(x)
    module = kind.__module__
    if module == "builtins":
        return kind.__name__
    root = sys.modules.get(module.split(".")[0])
    if getattr(root, kind.__name__, None) is kind:
        return f"{module.split('.')[0]}.{kind.__name__}"
    return f"{module}.{kind.__qualname__}"


def _module_root(x: Any) -> str:
    return type(x).__module__.split(".")[0]


def input_kind(x: Any) -> str | None:
    """Name the kind of data ``x`` is, or None when no entry point takes it.

    One of ``"pandas"``, ``"polars"``, ``"polars-lazy"``, ``"pyarrow-table"``,
    ``"pyarrow-dataset"``, ``"duckdb"``, ``"files"``.

    Examples
    --------
    >>> import pandas as pd
    >>> input_kind(pd.DataFrame()), input_kind("data/*.parquet"), input_kind(3)
    ('pandas', 'files', None)
    """
    if isinstance(x, pd.DataFrame):
        return "pandas"
    if isinstance(x, (str, os.PathLike)):
        return "files"
    root = _module_root(x)
    name = type(x).__name__
    if root == "polars":
        return {"DataFrame": "polars", "LazyFrame": "polars-lazy"}.get(name)
    if root == "pyarrow":
        if name == "Table":
            return "pyarrow-table"
        if name in ("FileSystemDataset", "Dataset", "UnionDataset", "InMemoryDataset"):
            return "pyarrow-dataset"
        return None
    if root in ("duckdb", "_duckdb") and name == "DuckDBPyRelation":
        return "duckdb"
    return None


def is_pandas(x: Any) -> bool:
    """Whether ``x`` is a pandas DataFrame (the eager fast path)."""
    return isinstance(x, pd.DataFrame)


def _how_to_convert(x: Any) -> str:
    root, name = _module_root(x), type(x).__name__
    if isinstance(x, pd.Series):
        return "Wrap a Series with .to_frame()."
    if isinstance(x, pd.Index):
        return "Make a frame of it: pd.DataFrame({'name': index})."
    if root == "numpy":
        return "Name its columns: pd.DataFrame(array, columns=[...])."
    if isinstance(x, dict | list | tuple):
        return "Make a frame of it: pd.DataFrame(...)."
    if root == "pyspark":
        return "Spark frames are not taken yet: use df.toPandas() on a sample, or write Parquet."
    if root == "dask":
        return (
            "Dask frames are not taken yet: write Parquet (df.to_parquet(path)) and pass the path."
        )
    if root == "polars" and name == "Series":
        return "Wrap a Series with .to_frame()."
    return "Convert it to one of these first, e.g. with pd.DataFrame(...)."


def unsupported(x: Any, func: str, *, accepted: str = ACCEPTED) -> UnsupportedInputError:
    """Build the one error for data of a type ``func`` does not take.

    Examples
    --------
    >>> print(unsupported([1, 2], "profile"))  # doctest: +NORMALIZE_WHITESPACE
    profile takes a pandas DataFrame, a Polars DataFrame or LazyFrame, a PyArrow Table or
    Dataset, a DuckDB relation, or a path or glob of Parquet or CSV files. Got list instead.
    Make a frame of it: pd.DataFrame(...).
    """
    return UnsupportedInputError(
        f"{func} takes {accepted}. Got {_type_name(x)} instead. {_how_to_convert(x)}"
    )


def file_paths(x: str | os.PathLike[str], func: str) -> tuple[list[str], str]:
    """Expand a path, a folder or a glob to its files; return them and their format.

    Raises
    ------
    UnsupportedInputError
        Nothing matches, files of mixed or unknown formats.
    """
    text = os.fspath(x)
    path = Path(text).expanduser()
    if path.is_dir():
        matches = sorted(str(p) for p in path.rglob("*") if p.is_file() and _format(str(p)))
    elif glob.has_magic(text):
        matches = sorted(p for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
    else:
        matches = [str(path)] if path.is_file() else []
    if not matches:
        raise UnsupportedInputError(
            f"{func} found no file at {text!r}. Pass the path of a Parquet or CSV file, a "
            "folder of them, or a glob such as 'data/*.parquet'."
        )
    formats = {_format(p) for p in matches}
    if None in formats or len(formats) != 1:
        shown = ", ".join(Path(p).name for p in matches[:5])
        raise UnsupportedInputError(
            f"{func} reads Parquet ({', '.join(PARQUET_SUFFIXES)}) or CSV "
            f"({', '.join(CSV_SUFFIXES)}) files, one format at a time. Got {shown}"
            f"{' ...' if len(matches) > 5 else ''}. Pass a glob that selects one format."
        )
    return matches, formats.pop()  # type: ignore[return-value]  # None was ruled out above


def _format(path: str) -> str | None:
    lower = path.lower()
    if lower.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    return None


_TO_PANDAS = {
    "polars": "df.to_pandas()",
    "polars-lazy": "lf.collect().to_pandas()",
    "pyarrow-table": "table.to_pandas()",
    "pyarrow-dataset": "dataset.to_table().to_pandas()",
    "duckdb": "relation.df()",
    "files": "pd.read_parquet(path) or pd.read_csv(path)",
}


def pandas_only(x: Any, func: str, *, also: str = "") -> None:
    """Refuse anything but a pandas DataFrame for an entry point that needs one in memory.

    Data the engine layer knows (Polars, Arrow, DuckDB, files) is told how to convert and that
    ``profile`` and ``table`` take it as it is; anything else gets :func:`unsupported`'s words.
    ``also`` names other inputs the entry point takes (e.g. "or a tracked Dataset").

    Examples
    --------
    >>> import polars as pl
    >>> pandas_only(pl.DataFrame({"x": [1]}), "find_slices")
    Traceback (most recent call last):
    ...
    jupyter_dci.errors.UnsupportedInputError: find_slices takes a pandas DataFrame for now. ...
    """
    if isinstance(x, pd.DataFrame):
        return
    kind = input_kind(x)
    taken = f"a pandas DataFrame{' ' + also if also else ''}"
    if kind is None:
        raise unsupported(x, func, accepted=taken)
    raise UnsupportedInputError(
        f"{func} takes {taken} for now. Got {_type_name(x)} instead: data that dci.profile and "
        f"dci.table compute in its own engine. Convert it with {_TO_PANDAS[kind]} (this brings "
        "the rows into the kernel's memory), or profile and browse it as it is."
    )
