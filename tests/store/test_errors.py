"""Bad input is refused clearly, before anything is written."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.errors import DataMismatchError, InvalidParameterError, StoreError
from jupyter_dci.store import open_dataset, track
from jupyter_dci.store._schema import FORMAT_VERSION


@pytest.fixture
def tracked(tmp_path):
    df = pd.DataFrame(
        {
            "label": pd.Categorical(["cat", "dog", "cat"]),
            "n": np.array([1, 2, 3]),
            "f": [0.5, 1.5, 2.5],
            "b": [True, False, True],
            "ts": pd.date_range("2024", periods=3, tz="UTC"),
            "ni": pd.array([1, None, 3], dtype="Int64"),
        },
        index=pd.Index(["a", "b", "c"], name="id"),
    )
    ds = track(df, name="d", label="label", root=tmp_path / "store")
    return ds, df, df.copy()


@pytest.mark.parametrize(
    ("column", "values", "match"),
    [
        ("n", [1, "x"], "must be integers"),
        ("n", [1, 1.5], "must be integers"),
        ("n", [1, None], "non-missing"),
        ("n", [1, 2**70], "integers in"),
        ("f", [1.0, "2"], "must be numbers"),
        ("b", [True, 1], "True or False"),
        ("ts", [pd.Timestamp("2024"), pd.Timestamp("2024")], "aware"),
        ("ts", [pd.Timestamp("2024", tz="UTC"), "2024-01-01"], "timestamps"),
        ("ni", [1, 2.5], "integers"),
        ("label", ["cat", 3], "strings"),
    ],
)
def test_wrong_values_are_refused_and_nothing_is_half_applied(tracked, column, values, match):
    ds, df, before = tracked
    with pytest.raises(InvalidParameterError, match=match) as info:
        ds.edit(["a", "b"], column, values)
    assert "Nothing was changed" in str(info.value)
    pd.testing.assert_frame_equal(df, before)
    assert ds.pending().empty


def test_unknown_rows_and_columns(tracked):
    ds, df, before = tracked
    with pytest.raises(InvalidParameterError, match=r"not in the dataset, e.g. \['zz'\]"):
        ds.relabel(["a", "zz"], "dog")
    with pytest.raises(InvalidParameterError, match="'column' parameter of edit"):
        ds.edit("a", "nope", 1)
    with pytest.raises(InvalidParameterError, match="one value per row"):
        ds.edit(["a", "b"], "n", [1, 2, 3])
    with pytest.raises(InvalidParameterError, match="boolean mask of length 3"):
        ds.relabel(np.array([True, False]), "dog")
    with pytest.raises(InvalidParameterError, match="one scalar"):
        ds.relabel(["a"], ["dog"])
    pd.testing.assert_frame_equal(df, before)


def test_unknown_versions(tracked):
    ds, _, _ = tracked
    for ref in [0, 2, 99, "HEAD~1", "nope", -1]:
        with pytest.raises(StoreError, match="is not in this dataset"):
            ds.checkout(ref)
    for ref in [True, 1.0, None]:
        with pytest.raises(InvalidParameterError):
            ds.diff(ref, 1)
    with pytest.raises(InvalidParameterError, match="'limit' parameter of diff"):
        ds.diff(1, 1, limit=-1)


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.drop(index="b"),
        lambda df: df.iloc[::-1],
        lambda df: df.reset_index(drop=True),
        lambda df: df.set_axis(["a", "a", "c"]),
    ],
    ids=["dropped", "reordered", "index-reset", "duplicated"],
)
def test_a_frame_whose_rows_changed_is_refused(tmp_path, change):
    df = pd.DataFrame({"y": ["x", "y", "z"]}, index=["a", "b", "c"])
    track(df.copy(), name="d", label="y", root=tmp_path)
    changed = change(df)
    with pytest.raises(DataMismatchError):
        track(changed, name="d", label="y", root=tmp_path)
    with pytest.raises(DataMismatchError):
        open_dataset("d", root=tmp_path, frame=changed)


def test_a_tracked_frame_changed_under_the_dataset_is_refused(tracked):
    ds, df, _ = tracked
    df.index = pd.Index(["a", "x", "c"], name="id")  # re-keyed in place
    with pytest.raises(DataMismatchError, match="no longer matches the tracked rows"):
        ds.relabel("a", "dog")
    ds2 = track(pd.DataFrame({"y": [1, 2]}), name="other", root=ds.path.parent)
    ds2.frame["new"] = 0
    with pytest.raises(DataMismatchError, match="columns"):
        ds2.edit(0, "y", 5)


def test_retracking_checks_values_and_dtypes(tmp_path):
    df = pd.DataFrame({"y": [1, 2]})
    track(df.copy(), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="differs from version 1 in 1 cell"):
        track(pd.DataFrame({"y": [1, 5]}), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="dtype"):
        track(df.astype("int32"), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="columns"):
        track(df.assign(z=1), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="keyed by the index"):
        track(df, name="d", key="y", root=tmp_path)
    assert track(df, name="d", root=tmp_path).head.id == 1


def test_bad_keys_are_refused(tmp_path):
    with pytest.raises(DataMismatchError, match="unique keys"):
        track(pd.DataFrame({"y": [1, 2]}, index=[0, 0]), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="missing key"):
        track(pd.DataFrame({"k": [1.0, None], "y": 1}), name="d", key="k", root=tmp_path)
    with pytest.raises(InvalidParameterError, match="'key' parameter of track"):
        track(pd.DataFrame({"y": [1]}), name="d", key="nope", root=tmp_path)
    with pytest.raises(DataMismatchError, match="str column names"):
        track(pd.DataFrame({0: [1]}), name="d", root=tmp_path)
    with pytest.raises(DataMismatchError, match="Parquet"):
        track(pd.DataFrame({"m": np.array([1, "x"], dtype=object)}), name="d", root=tmp_path)
    assert not (tmp_path / "d" / "base-000001.parquet").exists()


@pytest.mark.parametrize("name", ["../../etc", "a/b", "", ".hidden", "x" * 101, "a..b", None])
def test_bad_names_touch_nothing(tmp_path, name):
    root = tmp_path / "root"
    with pytest.raises(InvalidParameterError, match="'name' parameter"):
        track(pd.DataFrame({"y": [1]}), name=name, root=root)
    assert not root.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_foreign_corrupt_and_newer_stores(tmp_path):
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="not a jupyter_dci dataset"):
        track(pd.DataFrame({"y": [1]}), name="foreign", root=tmp_path)
    assert sorted(p.name for p in (tmp_path / "foreign").iterdir()) == ["notes.txt"]
    with pytest.raises(StoreError, match="not a jupyter_dci dataset"):
        open_dataset("missing", root=tmp_path)

    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "log.sqlite").write_bytes(b"\x00not a database" * 100)
    with pytest.raises(StoreError, match="not a"):
        open_dataset("garbage", root=tmp_path)

    (tmp_path / "other").mkdir()
    with sqlite3.connect(tmp_path / "other" / "log.sqlite") as con:
        con.execute("CREATE TABLE things (x)")
    with pytest.raises(StoreError, match="not a jupyter_dci edit log"):
        open_dataset("other", root=tmp_path)

    track(pd.DataFrame({"y": [1]}), name="newer", root=tmp_path)
    with sqlite3.connect(tmp_path / "newer" / "log.sqlite") as con:
        con.execute(
            "UPDATE meta SET value = ? WHERE key = 'format_version'", (str(FORMAT_VERSION + 1),)
        )
    with pytest.raises(StoreError, match="newer jupyter_dci"):
        open_dataset("newer", root=tmp_path)


def test_a_missing_snapshot_is_a_clear_error(tmp_path):
    ds = track(pd.DataFrame({"y": [1]}), name="d", root=tmp_path)
    next(ds.path.glob("base-*.parquet")).unlink()
    with pytest.raises(StoreError, match="cannot be read"):
        ds.checkout(1)


def test_delta_export_without_deltalake_says_how_to_install(tracked, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_deltalake(name, *args, **kwargs):
        if name.startswith("deltalake"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_deltalake)
    ds, _, _ = tracked
    with pytest.raises(ImportError, match="pip install deltalake"):
        ds.export(1, tmp_path / "t", format="delta")
    with pytest.raises(InvalidParameterError, match="'parquet' or 'delta'"):
        ds.export(1, tmp_path / "t", format="csv")


def test_no_pickle_anywhere_in_the_store():
    folder = Path(__file__).resolve().parents[2] / "jupyter_dci" / "store"
    for path in folder.glob("*.py"):
        text = path.read_text()
        assert "import pickle" not in text, path
        assert "to_pickle" not in text, path


@pytest.mark.parametrize("row", [{"a": 1}, {1, 2}, (12, [1]), [[1], 2]])
def test_rows_that_cannot_be_keys_are_refused_clearly(tmp_path, row) -> None:
    """ds.blame({'a': 1}) once raised a raw TypeError (issue #15)."""
    ds = track(pd.DataFrame({"y": ["a", "b"]}), name="d", label="y", root=tmp_path)
    with pytest.raises(InvalidParameterError, match="'rows' parameter"):
        ds.blame(row)
    with pytest.raises(InvalidParameterError, match="'rows' parameter"):
        ds.relabel(row, "c")
    assert ds.n_pending == 0


def test_a_full_disk_during_a_commit_is_said_and_keeps_the_pending_edits(tmp_path) -> None:
    """It surfaced as 'cannot rollback - no transaction is active' (issue #15)."""
    n = 3_000
    df = pd.DataFrame({"y": ["a"] * n, "t": ["x" * 50] * n})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds.edit(list(range(n)), "t", ["y" * 400] * n)
    pending = ds.n_pending
    con = ds._log.con
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own limit on the file's size: the next pages cannot be written, exactly as on
    # a full disk (SQLITE_FULL).
    con.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreError, match="disk is full") as info:
        ds.commit("big")
    assert "no transaction is active" not in str(info.value)
    assert "pending edits are kept" in str(info.value)
    assert ds.n_pending == pending == n and len(ds.log()) == 1
    con.execute("PRAGMA max_page_count = 1073741823")
    assert ds.commit("big").id == 2
    assert open_dataset("d", root=tmp_path).checkout(2)["t"].iloc[0] == "y" * 400


def test_a_store_on_a_read_only_folder_opens_to_read_and_refuses_writes(
    tmp_path, monkeypatch
) -> None:
    """It could not be opened at all, and was called corrupt (issue #15).

    The tests run as root, which writes anywhere: the folder is made read-only for SQLite by
    opening it read-only exactly as the store does when the folder is not writable.
    """
    import jupyter_dci.store._log as log_module

    df = pd.DataFrame({"y": ["a", "b", "c"]})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds.relabel(1, "z")
    ds.commit("z")
    ds._log.close()
    monkeypatch.setattr(log_module.os, "access", lambda path, mode: False)
    ro = open_dataset("d", root=tmp_path)
    assert ro.checkout(2)["y"].tolist() == ["a", "z", "c"]
    assert len(ro.log()) == 2 and len(ro.diff(1, 2).changes) == 1
    ro.relabel(0, "q")
    with pytest.raises(StoreError, match="read-only") as info:
        ro.commit("nope")
    assert "corrupt" not in str(info.value) and ro.n_pending == 1


@pytest.mark.parametrize("recorded", ["../outside.parquet", "/tmp/any.parquet", "log.sqlite"])
def test_a_base_path_in_the_log_never_leads_out_of_the_folder(tmp_path, recorded) -> None:
    """An edited log could make open read any Parquet file on the machine (issue #15)."""
    outside = tmp_path / "outside.parquet"
    pd.DataFrame({"y": ["secret", "data"]}).to_parquet(outside)
    ds = track(pd.DataFrame({"y": ["a", "b"]}), name="d", label="y", root=tmp_path / "root")
    ds._log.close()
    target = str(outside) if recorded.startswith("/") else recorded
    with sqlite3.connect(tmp_path / "root" / "d" / "log.sqlite") as con:
        con.execute("UPDATE bases SET file = ?", (target,))
    with pytest.raises(StoreError, match="not a snapshot file of its folder"):
        open_dataset("d", root=tmp_path / "root").checkout(1)


@pytest.mark.parametrize(
    ("column", "words"),
    [
        (pd.arrays.SparseArray([0, 0, 1, 0]), "sparse.to_dense()"),
        (pd.Series([2**63, 1, 2, 3], dtype=object), "beyond 64 bits"),
        (pd.Series([-(2**70), 1, 2, 3], dtype=object), "beyond 64 bits"),
    ],
)
def test_columns_the_store_cannot_keep_are_refused_up_front(tmp_path, column, words) -> None:
    """A sparse column or object ints >= 2**63 ended in raw library errors (issue #15)."""
    df = pd.DataFrame({"y": ["a", "b", "a", "b"], "odd": column})
    with pytest.raises(DataMismatchError, match=re.escape(words)) as info:
        track(df, name="d", label="y", root=tmp_path)
    assert "'odd'" in str(info.value) and "Nothing was written" in str(info.value)
    assert not (tmp_path / "d").exists()


def test_a_column_of_python_lists_comes_back_as_lists(tmp_path) -> None:
    """It came back as numpy arrays (issue #15)."""
    df = pd.DataFrame({"y": ["a", "b", "c"], "tags": [["x", "y"], None, [["n"], ["m"]]]})
    df.loc[2, "tags"] = ["z"]
    ds = track(df, name="d", label="y", root=tmp_path)
    ds.relabel(0, "q")
    ds.commit("q")
    for frame in (open_dataset("d", root=tmp_path).frame, ds.checkout(1)):
        assert frame["tags"].tolist() == [["x", "y"], None, ["z"]]
        assert type(frame["tags"].iloc[0]) is list


def test_a_base_replaced_by_another_file_of_the_same_shape_is_refused(tmp_path) -> None:
    """It opened silently with the other data (issue #15)."""
    df = pd.DataFrame({"y": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds._log.close()
    base = tmp_path / "d" / "base-000001.parquet"
    other = pd.DataFrame({"y": ["q", "r", "s"], "x": [7.0, 8.0, 9.0]})
    other.to_parquet(base)  # the same columns, types and rows: only the values differ
    with pytest.raises(StoreError, match="changed since the store wrote it"):
        open_dataset("d", root=tmp_path)


def test_stores_written_before_base_digests_still_open_and_gain_them(tmp_path) -> None:
    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds._log.close()
    db = tmp_path / "d" / "log.sqlite"
    with sqlite3.connect(db) as con:  # the log as an older jupyter_dci wrote it
        con.execute("ALTER TABLE bases DROP COLUMN sha256")
    again = open_dataset("d", root=tmp_path)
    assert again.frame["y"].tolist() == ["a", "b"]
    again.relabel(0, "z")
    again.commit("z")
    again.rebase()  # writes a new base: the column comes back, with its digest
    with sqlite3.connect(db) as con:
        digests = con.execute("SELECT version, sha256 FROM bases ORDER BY version").fetchall()
    assert digests[0] == (1, None) and digests[-1][0] == 2 and len(digests[-1][1]) == 64


def _tampered(tmp_path, *statements):
    ds = track(pd.DataFrame({"y": ["a", "b", "c"]}), name="d", label="y", root=tmp_path)
    ds.relabel(1, "z")
    ds.commit("z")
    ds.save_slice("s1", "y == 'a'")
    ds.save_slice("s2", "y == 'c'")
    ds._log.close()
    with sqlite3.connect(tmp_path / "d" / "log.sqlite") as con:
        for statement in statements:
            con.execute(statement)


@pytest.mark.parametrize(
    ("statement", "words"),
    [
        ("UPDATE edits SET row_id = 99", "row position(s) [99]"),
        # A negative position once silently relabelled the last row.
        ("UPDATE edits SET row_id = -1", "row position(s) [-1]"),
        ("UPDATE edits SET new_value = '[\"s\", '", "cannot be read (JSONDecodeError"),
        ("UPDATE edits SET new_value = '{\"s\": 1}'", "cannot be read"),
        ("UPDATE versions SET parent = 2 WHERE version = 2", "do not form a chain"),
        ("UPDATE versions SET version = 5 WHERE version = 2", "do not form a chain"),
    ],
)
def test_a_tampered_log_gets_the_stores_own_error(tmp_path, statement, words) -> None:
    """Raw IndexError, JSONDecodeError, or a silently wrong checkout before (issue #15)."""
    _tampered(tmp_path, statement)
    with pytest.raises(StoreError, match=re.escape(words)):
        open_dataset("d", root=tmp_path).checkout(2)


def test_one_unreadable_slice_does_not_hide_the_others(tmp_path) -> None:
    deep = '{"op":"not","operand":' * 3000 + "1" + "}" * 3000
    _tampered(tmp_path, f"UPDATE slices SET definition = '{deep}' WHERE name = 's1'")
    ds = open_dataset("d", root=tmp_path)
    listed = ds.slices()
    assert listed["s2"] == {"expression": "y == 'c'"} and "unreadable" in listed["s1"]
    assert ds.slice_rows("s2").tolist() == [2]
    with pytest.raises(StoreError, match="cannot be read"):
        ds.slice_rows("s1", version=1)  # not stored at 1: the definition is needed


def _arrow_columns() -> dict[str, pd.Series]:
    import decimal

    import pyarrow as pa

    return {
        "lists": pd.Series([[1, 2], [3], [4]], dtype=pd.ArrowDtype(pa.list_(pa.int64()))),
        "structs": pd.Series(
            [{"a": 1}, {"a": 2}, {"a": 3}], dtype=pd.ArrowDtype(pa.struct([("a", pa.int64())]))
        ),
        "maps": pd.Series(
            [[("k", 1)], [("k", 2)], [("j", 3)]],
            dtype=pd.ArrowDtype(pa.map_(pa.string(), pa.int64())),
        ),
        "dictionary": pd.Series(
            pd.array(["a", "b", "a"], dtype=pd.ArrowDtype(pa.dictionary(pa.int32(), pa.string())))
        ),
        "decimals": pd.Series(
            [decimal.Decimal("1.5"), decimal.Decimal("2.25"), None],
            dtype=pd.ArrowDtype(pa.decimal128(6, 2)),
        ),
    }


@pytest.mark.parametrize("name", list(_arrow_columns()))
def test_arrow_dtypes_the_store_cannot_rebuild_are_refused_before_any_write(tmp_path, name) -> None:
    """Accepted by track, then the first commit landed and no process could open it (#15)."""
    column = _arrow_columns()[name]
    with pytest.raises(DataMismatchError, match=f"Column '{name}' has the dtype") as info:
        track(pd.DataFrame({"y": ["a", "b", "c"], name: column}), name="d", root=tmp_path)
    assert "Nothing was written by track" in str(info.value)
    assert not (tmp_path / "d").exists()
    # A frame given such a column after tracking: the commit is refused, nothing lands.
    df = pd.DataFrame({"y": ["a", "b", "c"], name: ["p", "q", "r"]})
    ds = track(df, name="e", label="y", root=tmp_path)
    ds.relabel(0, "q")
    df[name] = column  # the same column, now of that dtype
    with pytest.raises(DataMismatchError, match="pending edits are kept"):
        ds.commit("q")
    assert ds.n_pending == 1 and len(ds.log()) == 1
    assert open_dataset("e", root=tmp_path).frame["y"].tolist() == ["a", "b", "c"]
