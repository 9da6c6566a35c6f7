"""Tracking data that stays in its engine: files pinned in place, other data copied to Parquet.

Every backend gets the same data and the same edits as a pandas store; each version's checkout
(a lazy frame of the tracked engine, sorted by the key) must equal the pandas store's, and
diffs, history, blame and revert must say the same. Changed, touched and missing files, bad
keys and bad values are refused with nothing written.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import jupyter_dci as dci
from jupyter_dci.errors import DataMismatchError, InvalidParameterError, StoreError
from jupyter_dci.store import LazyDataset, open_dataset, track

REPO = Path(__file__).resolve().parents[2]


def _frame(n: int = 2_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    x[::17] = np.nan
    return pd.DataFrame(
        {
            "id": rng.permutation(np.arange(n, dtype=np.int64) * 3 + 1),
            "text": [f"row {i}" for i in range(n)],
            "label": rng.choice(np.array(["cat", "dog", "eel"], dtype=object), n),
            "x": x,
            "n": rng.integers(0, 9, n).astype(np.int64),
            "flag": rng.random(n) < 0.5,
        }
    )


def _parquet(df: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "data.parquet"
    df.to_parquet(path, index=False)
    return str(path)


def _glob(df: pd.DataFrame, tmp: Path) -> str:
    folder = tmp / "parts"
    folder.mkdir()
    half = len(df) // 2
    df.iloc[:half].to_parquet(folder / "a.parquet", index=False)
    df.iloc[half:].to_parquet(folder / "b.parquet", index=False)
    return str(folder / "*.parquet")


def _csv(df: pd.DataFrame, tmp: Path) -> str:
    path = tmp / "data.csv"
    df.to_csv(path, index=False)
    return str(path)


BACKENDS: dict[str, Callable[[pd.DataFrame, Path], Any]] = {
    "parquet": _parquet,
    "glob": _glob,
    "csv": _csv,
    "polars": lambda df, _: pl.from_pandas(df),
    "polars-lazy": lambda df, _: pl.from_pandas(df).lazy(),
    "duckdb": lambda df, _: duckdb.from_arrow(pa.Table.from_pandas(df, preserve_index=False)),
    "pyarrow-table": lambda df, _: pa.Table.from_pandas(df, preserve_index=False),
}


def _collect(lazy: Any) -> pd.DataFrame:
    """A checkout as pandas, sorted by key (engines give no row order)."""
    frame = lazy.collect().to_pandas() if isinstance(lazy, pl.LazyFrame) else lazy.df()
    return frame.sort_values("id").reset_index(drop=True)


def _expected(ds: Any, version: Any) -> pd.DataFrame:
    return ds.checkout(version).sort_values("id").reset_index(drop=True)


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        got.astype({"label": object, "text": object}),
        want.astype({"label": object, "text": object}),
        check_dtype=False,
    )


def _edits(df: pd.DataFrame) -> list[tuple[str, Any, Any, Any]]:
    """(method, keys, column, values): the same edits for both stores."""
    ids = df["id"].to_numpy()
    finite = df.loc[df["x"].notna(), "id"].to_numpy()
    return [
        ("relabel", ids[:30].tolist(), "label", "bird"),
        ("edit", finite[:5].tolist(), "x", [1.5, -2.0, 0.0, 3.25, 1e6]),
        ("edit", ids[40:43].tolist(), "n", 7),
        ("commit", None, None, "first"),
        ("relabel", ids[:3].tolist(), "label", "owl"),
        ("relabel", ids[3:4].tolist(), "label", df["label"].iloc[3]),  # back to its base value
        ("edit", ids[50:52].tolist(), "flag", [True, False]),
        ("commit", None, None, "second"),
    ]


def _apply(ds: Any, edits: list[tuple[str, Any, Any, Any]]) -> None:
    for method, keys, column, values in edits:
        if method == "commit":
            ds.commit(values)
        elif method == "relabel":
            ds.relabel(keys, values, reason="seen")
        else:
            ds.edit(keys, column, values, reason="fixed")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def reference(data: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The pandas store, with the same edits."""
    ds = track(data.copy(), name="ref", key="id", label="label", root=tmp_path_factory.mktemp("r"))
    _apply(ds, _edits(data))
    return ds


@pytest.mark.parametrize("backend", list(BACKENDS))
def test_checkouts_equal_the_pandas_store(
    backend: str, data: pd.DataFrame, reference: Any, tmp_path: Path
) -> None:
    given = BACKENDS[backend](data, tmp_path)
    ds = track(given, name="d", key="id", label="label", root=tmp_path / "store")
    assert isinstance(ds, LazyDataset)
    _apply(ds, _edits(data))
    for version in (1, 2, 3):
        _same(_collect(ds.checkout(version)), _expected(reference, version))
    engine = pl.LazyFrame if backend.startswith("polars") else duckdb.DuckDBPyRelation
    assert isinstance(ds.checkout(), engine)
    assert ds.base.kind == ("files" if backend in ("parquet", "glob", "csv") else "copy")
    # The log says what the pandas store's says.
    assert [(v.kind, v.n_edits, v.n_rows) for v in ds.versions] == [
        (v.kind, v.n_edits, v.n_rows) for v in reference._log.versions()
    ]
    got, want = ds.diff(1, 3), reference.diff(1, 3)
    assert got.total == want.total > 30
    columns = ["row", "column", "old", "new", "version", "reason"]
    pd.testing.assert_frame_equal(got.to_frame()[columns], want.to_frame()[columns])
    assert ds.blame(int(data["id"].iloc[0]))["new"].tolist() == ["bird", "owl"]


def test_history_log_pending_discard_and_the_panel(data: pd.DataFrame, tmp_path: Path) -> None:
    ds = dci.track(pl.from_pandas(data), name="d", key="id", label="label", root=tmp_path)
    keys = data["id"].iloc[:4].tolist()
    assert ds.relabel(keys, "bird") == 4
    assert ds.relabel(keys[:1], "owl") == 1  # the same cell again: one pending cell
    assert ds.n_pending == 4
    pending = ds.pending()
    assert pending.set_index("row").loc[keys[0], "new"] == "owl"
    assert ds.discard() == 4 and ds.n_pending == 0
    with pytest.raises(StoreError, match="nothing to commit"):
        ds.commit("empty")
    ds.relabel(keys, "bird")
    ds.commit("birds")
    assert ds.log()["kind"].tolist() == ["track", "commit"]
    panel = ds.history()
    assert panel.n_versions == 2 and panel.n_diff == 4
    assert "version 2" in repr(ds) and "polars" in repr(ds)


def test_revert_undoes_a_version_and_refuses_a_moved_cell(
    data: pd.DataFrame, tmp_path: Path
) -> None:
    ds = track(_parquet(data, tmp_path), name="d", key="id", label="label", root=tmp_path / "s")
    keys = data["id"].iloc[:3].tolist()
    ds.relabel(keys, "bird")
    ds.commit("v2")
    ds.relabel(keys[:1], "owl")
    ds.commit("v3")
    with pytest.raises(StoreError, match="cannot be reverted cleanly"):
        ds.revert(2)
    assert ds.n_pending == 0
    reverted = ds.revert(3)
    assert (reverted.kind, reverted.revert_of, reverted.n_edits) == ("revert", 3, 1)
    head = _collect(ds.checkout()).set_index("id")
    assert head.loc[keys, "label"].tolist() == ["bird"] * 3
    with pytest.raises(StoreError, match="tracked base"):
        ds.revert(1)


def test_a_commit_grows_with_its_edits_not_with_the_rows(tmp_path: Path) -> None:
    grown = {}
    for n in (1_000, 200_000):
        frame = pl.DataFrame({"id": np.arange(n), "label": np.where(np.arange(n) % 2, "a", "b")})
        ds = track(frame, name=f"d{n}", key="id", label="label", root=tmp_path)
        files = [ds.path / "log.sqlite", ds.path / "log.sqlite-wal"]
        base = ds.path / "base-000001.parquet"
        base_bytes, base_time = base.read_bytes(), base.stat().st_mtime_ns
        before = sum(f.stat().st_size for f in files if f.exists())
        ds.relabel(list(range(0, 20, 2)), "c")
        ds.commit("ten rows")
        grown[n] = sum(f.stat().st_size for f in files if f.exists()) - before
        assert base.read_bytes() == base_bytes and base.stat().st_mtime_ns == base_time
    assert grown[1_000] == grown[200_000] < 64 * 1024


def test_a_changed_file_is_refused_until_rebased(data: pd.DataFrame, tmp_path: Path) -> None:
    path = Path(_parquet(data, tmp_path))
    ds = track(str(path), name="d", key="id", label="label", root=tmp_path / "s")
    key = int(data["id"].iloc[0])
    ds.relabel(key, "bird")
    ds.commit("v2")
    changed = data.copy()
    changed.loc[5, "text"] = "changed upstream"
    changed.to_parquet(path, index=False)
    for call in (
        lambda: open_dataset("d", root=tmp_path / "s"),
        lambda: ds.checkout(),
        lambda: ds.relabel(key, "owl"),
    ):
        with pytest.raises(StoreError, match=re.escape(str(path)) + r".*rebase=True"):
            call()
    reopened = open_dataset("d", root=tmp_path / "s", rebase=True)
    assert reopened.head.kind == "reshape" and reopened.head.id == 3
    head = _collect(reopened.checkout()).set_index("id")
    assert head.loc[key, "label"] == "bird"  # the edit applies by key to the new content
    assert head.loc[int(data["id"].iloc[5]), "text"] == "changed upstream"
    with pytest.raises(StoreError, match="rebased at version 3"):
        reopened.checkout(2)
    assert reopened.rebase() is False  # nothing changed since


def test_touched_same_size_and_missing_files(data: pd.DataFrame, tmp_path: Path) -> None:
    path = Path(_parquet(data, tmp_path))
    ds = track(str(path), name="d", key="id", root=tmp_path / "s")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    ds.checkout()  # same bytes, new time: hashed once, accepted, the new time recorded
    assert ds.files() == [path.resolve()]
    pin = sqlite3.connect(ds.path / "log.sqlite").execute("SELECT mtime_ns FROM pins").fetchone()
    assert pin[0] == path.stat().st_mtime_ns
    # Same size, same time, other bytes: only a full check sees it.
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    stamp = path.stat()
    path.write_bytes(bytes(raw))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    with pytest.raises(StoreError, match="other bytes"):
        ds.verify()
    path.unlink()
    with pytest.raises(StoreError, match="is missing"):
        ds.checkout()


def test_keys_are_required_unique_and_never_missing(tmp_path: Path) -> None:
    root = tmp_path / "s"
    frame = pl.DataFrame({"id": [1, 2, 2, 3], "y": ["a", "b", "c", "d"]})
    with pytest.raises(InvalidParameterError, match="'key' parameter"):
        track(frame, name="d", root=root)
    with pytest.raises(InvalidParameterError, match="'key' parameter"):
        track(frame, name="d", key="nope", root=root)
    with pytest.raises(InvalidParameterError, match="'label' parameter"):
        track(frame, name="d", key="id", label="nope", root=root)
    with pytest.raises(DataMismatchError, match=r"unique keys.*such as \[2\]"):
        track(frame, name="d", key="id", root=root)
    assert not (root / "d").exists()  # nothing written
    path = tmp_path / "nulls.parquet"
    pl.DataFrame({"id": [1, None, 3], "y": ["a", "b", "c"]}).write_parquet(path)
    with pytest.raises(DataMismatchError, match="1 row\\(s\\) have a missing key"):
        track(str(path), name="d", key="id", root=root)
    assert not (root / "d").exists()
    # Several key columns: a row is a tuple of their values.
    pairs = track(frame.with_columns(v=0), name="d", key=["id", "y"], root=root)
    assert pairs.edit((2, "c"), "v", 5) == 1
    pairs.commit("one")
    head = pairs.checkout().sort("id", "y").collect()
    assert head["v"].to_list() == [0, 0, 5, 0]
    assert pairs.blame((2, "c"))["row"].tolist() == [(2, "c")]


def test_bad_rows_and_values_change_nothing(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "y": ["a", "b", "c"], "n": [1, 2, 3], "v": [[1]] * 3})
    ds = track(frame, name="d", key="id", label="y", root=tmp_path)
    ds.relabel(1, "z")
    cases = [
        (lambda: ds.relabel([2, 99], "q"), InvalidParameterError, r"1 row\(s\) that are not"),
        (lambda: ds.edit(2, "n", 1.5), InvalidParameterError, "column 'n'"),
        (lambda: ds.edit(2, "n", "two"), InvalidParameterError, "column 'n'"),
        (lambda: ds.relabel(2, 3), InvalidParameterError, "column 'y'"),
        (lambda: ds.relabel("2", "q"), InvalidParameterError, "a key does not fit"),
        (lambda: ds.relabel(np.array([True, False, True]), "q"), InvalidParameterError, "mask"),
        (lambda: ds.edit(2, "id", 5), InvalidParameterError, "not the row key"),
        (lambda: ds.edit(2, "nope", 5), InvalidParameterError, "'column'"),
        (lambda: ds.edit(2, "v", [[2]]), InvalidParameterError, "cannot edit"),
        (lambda: ds.edit([2, 3], "n", [1]), InvalidParameterError, "one value per row"),
        (lambda: ds.reshape(pd.DataFrame(), "x"), StoreError, "needs the rows in the kernel"),
    ]
    for call, error, match in cases:
        with pytest.raises(error, match=match):
            call()
    assert ds.n_pending == 1
    assert ds.edit(2, "n", 5.0) == 1  # an integral float fits an int column
    ds.commit("fine")
    head = _collect(ds.checkout()).set_index("id")
    assert head["y"].tolist() == ["z", "b", "c"] and head["n"].tolist() == [1, 5, 3]
    with pytest.raises(InvalidParameterError, match="checkout"):
        _ = ds.frame


def test_reopen_in_a_new_object_and_concurrent_commits(data: pd.DataFrame, tmp_path: Path) -> None:
    root = tmp_path / "s"
    path = _parquet(data, tmp_path)
    ds = track(path, name="d", key="id", label="label", root=root)
    key = int(data["id"].iloc[7])
    base_value = data["label"].iloc[7]
    ds.relabel(key, "bird")
    other = open_dataset("d", root=root)
    assert isinstance(other, LazyDataset) and other.n_pending == 0
    other.relabel(key, "owl")
    other.commit("theirs")
    ds.commit("mine")  # its old value is what the other process committed
    assert ds.blame(key)[["old", "new"]].values.tolist() == [[base_value, "owl"], ["owl", "bird"]]
    again = open_dataset("d", root=root)
    _same(_collect(again.checkout()), _collect(ds.checkout()))
    assert [v.message for v in again.versions] == ["track d", "theirs", "mine"]
    # Tracking the same files again reattaches; other files are refused.
    assert track(path, name="d", key="id", root=root).head.id == 3
    with pytest.raises(DataMismatchError, match="keyed by"):
        track(path, name="d", key="text", root=root)
    with pytest.raises(DataMismatchError, match="tracked from data that stays"):
        track(data, name="d", root=root)


def test_tracking_the_same_in_memory_data_again_reattaches(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [1, 2, 3], "y": ["a", "b", "c"]})
    ds = track(frame, name="d", key="id", root=tmp_path)
    ds.edit(1, "y", "z")
    ds.commit("one")
    assert track(frame, name="d", key="id", root=tmp_path).head.id == 2
    with pytest.raises(DataMismatchError, match="other data"):
        track(frame.with_columns(pl.col("y").str.to_uppercase()), name="d", key="id", root=tmp_path)


def test_export_writes_a_version_as_parquet(data: pd.DataFrame, tmp_path: Path) -> None:
    ds = track(pl.from_pandas(data), name="d", key="id", label="label", root=tmp_path / "s")
    ds.relabel(data["id"].iloc[:2].tolist(), "bird")
    ds.commit("two")
    out = ds.export("HEAD", tmp_path / "out.parquet")
    exported = pd.read_parquet(out).sort_values("id").reset_index(drop=True)
    _same(exported, _collect(ds.checkout()))
    with pytest.raises(StoreError, match="exists"):
        ds.export("HEAD", out)


def _section(doc: str, heading: str) -> str:
    match = re.search(rf"^#### `{re.escape(heading)}`\n(.*?)(?=^#)", doc, flags=re.S | re.M)
    assert match, heading
    return match.group(1)


def test_the_lazy_store_records_are_documented(tmp_path: Path) -> None:
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    ds = track(pl.DataFrame({"id": [1], "y": ["a"]}), name="d", key="id", root=tmp_path)
    ds.edit(1, "y", "b")
    ds.commit("one")
    con = sqlite3.connect(ds.path / "log.sqlite")
    for table in ("pins", "row_keys"):
        text = _section(doc, table)
        columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
        assert [c for c in columns if f"`{c}`" not in text] == []
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    text = _section(doc, "meta")
    fields = json.loads(meta["source"])
    assert [k for k in ["source", *fields] if f"`{k}`" not in text] == []
    assert '{"kind": "arrow", "name": "int64"}' in _section(doc, "versions")
