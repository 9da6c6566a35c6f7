"""The seeded 10-column Parquet file of notes/anchors.md ("Beyond memory"), written in chunks.

Columns: ``id`` (unique int), ``amount`` (float, 5% NaN), ``price`` (lognormal float),
``score`` (int 0-99), ``city`` (2,000 values), ``active`` (bool), ``ts`` (timestamp),
``label`` (int8, 3 classes), ``ratio`` (float32), ``note`` (text, ~n/20 distinct values).
Written 1M rows at a time, so writing a 100M-row file needs no more memory than a 1M one.

Examples
--------
>>> import tempfile, pathlib, pyarrow.parquet as pq
>>> from benchmarks.scale_data import write_scale_file
>>> path = pathlib.Path(tempfile.mkdtemp()) / "s.parquet"
>>> _ = write_scale_file(path, 2_500, chunk=1_000)
>>> pq.read_metadata(path).num_rows, pq.read_schema(path).names[:3]
(2500, ['id', 'amount', 'price'])
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["chunk_table", "write_scale_file"]

_CITIES = np.array([f"city_{i:04d}" for i in range(2_000)], dtype=object)


def chunk_table(start: int, n: int, n_total: int, seed: int = 0) -> pa.Table:
    """Rows ``[start, start + n)`` of the file: the same rows whatever the chunking."""
    rng = np.random.default_rng([seed, start])
    amount = rng.normal(100.0, 25.0, n)
    amount[rng.random(n) < 0.05] = np.nan
    ts = np.datetime64("2024-01-01", "s") + rng.integers(0, 365 * 86_400, n).astype("m8[s]")
    note_ids = rng.integers(0, max(n_total // 20, 1), n)
    return pa.table(
        {
            "id": pa.array(np.arange(start, start + n, dtype=np.int64)),
            "amount": pa.array(amount, from_pandas=True),
            "price": pa.array(rng.lognormal(3.0, 1.0, n)),
            "score": pa.array(rng.integers(0, 100, n, dtype=np.int64)),
            "city": pa.array(_CITIES[rng.zipf(1.3, n) % len(_CITIES)]).dictionary_encode(),
            "active": pa.array(rng.random(n) < 0.7),
            "ts": pa.array(ts),
            "label": pa.array(rng.integers(0, 3, n, dtype=np.int8)),
            "ratio": pa.array(rng.random(n).astype(np.float32)),
            "note": pa.array(np.char.add("note number ", note_ids.astype(str)).astype(object)),
        }
    )


def write_scale_file(path: Path, n_rows: int, *, chunk: int = 1_000_000, seed: int = 0) -> Path:
    """Write the file of ``n_rows`` rows at ``path`` (one row group per chunk)."""
    path = Path(path)
    writer = None
    try:
        for start in range(0, n_rows, chunk):
            table = chunk_table(start, min(chunk, n_rows - start), n_rows, seed)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=20_000_000)
    args = parser.parse_args()
    write_scale_file(args.path, args.rows)
    print(args.path, args.path.stat().st_size / 2**20, "MiB")
