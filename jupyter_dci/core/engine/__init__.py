"""The engine layer: every input beyond pandas, computed in its own engine.

- ``_inputs`` recognises what a user passed (pandas, Polars, PyArrow, DuckDB, files) and
  words the one error for anything else.
- ``_source`` wraps a non-pandas input as a :class:`LazySource`: a narwhals LazyFrame over
  Polars or DuckDB (DuckDB, embedded, reads Arrow data and Parquet or CSV files larger than
  memory, within a bounded memory budget).
- ``_native`` holds the few computations narwhals does not express (approximate distinct
  counts and quantiles, a row hash), one function per engine.

The capability packages (profile, table, labels...) import this one; it imports none of
them, so a pandas frame still takes their numpy fast paths untouched.

Examples
--------
>>> import polars as pl
>>> from jupyter_dci.core.engine import as_source, input_kind
>>> input_kind(pl.DataFrame({"x": [1]}).lazy())
'polars-lazy'
>>> as_source(pl.DataFrame({"x": [1, 2]}), "profile").n_rows
2
"""

from jupyter_dci.core.engine._inputs import ACCEPTED, input_kind, is_pandas, unsupported
from jupyter_dci.core.engine._source import LazySource, as_source, column_family, scalars

__all__ = [
    "ACCEPTED",
    "LazySource",
    "as_source",
    "column_family",
    "input_kind",
    "is_pandas",
    "scalars",
    "unsupported",
]
