from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.errors import DataMismatchError, StoreError
from jupyter_dci.store import Diff, Version, open_dataset, track


def awkward_frame(n: int = 6) -> pd.DataFrame:
    """Every dtype the store must round-trip: nullable, categorical, zoned, unicode."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "label": pd.Categorical(["cat", "dog"] * (n // 2)),
            "text": np.array(["héllo", "wörld 🐱", None, "a", "b", "c"][:n], dtype=object),
            "s": pd.array(["x", None, "z", "x", "y", "z"][:n], dtype="string"),
            "i": np.arange(n, dtype=np.int64),
            "u8": np.arange(n, dtype=np.uint8),
            "f": np.array([0.5, np.nan, -0.0, 1e300, np.inf, 2.0])[:n],
            "ni": pd.array([1, None, 3, 4, None, 6][:n], dtype="Int64"),
            "nf": pd.array([1.5, None, 3.0, 4.0, None, 6.0][:n], dtype="Float64"),
            "b": np.array([True, False] * (n // 2)),
            "nb": pd.array([True, None, False, True, None, False][:n], dtype="boolean"),
            "ts": pd.date_range("2024-03-30", periods=n, freq="7h", tz="Europe/Paris"),
            "naive": pd.to_datetime(rng.integers(0, 10**9, n), unit="s"),
            "td": pd.to_timedelta(np.arange(n), unit="min"),
            "ordered": pd.Categorical(
                ["lo", "hi"] * (n // 2), categories=["lo", "hi"], ordered=True
            ),
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="row"),
    )


@pytest.fixture
def root(tmp_path):
    return tmp_path / "store"


def test_track_commit_checkout_round_trips_every_dtype(root):
    df = awkward_frame()
    original = df.copy()
    ds = track(df, name="awk", label="label", root=root)
    assert ds.relabel(["r0", "r1"], "bird", reason="new class") == 2
    ds.edit("r2", "text", '日本語 \u2028 "q"')
    ds.edit(["r1", "r3"], "s", [None, "new"])
    ds.edit("r4", "i", -(2**62))
    ds.edit("r0", "u8", 255)
    ds.edit(["r0", "r1"], "f", [np.nan, -np.inf])
    ds.edit(["r0", "r1"], "ni", [None, 7])
    ds.edit("r2", "nf", None)
    ds.edit("r3", "b", False)
    ds.edit(["r0", "r1"], "nb", [None, True])
    ds.edit("r5", "ts", pd.Timestamp("2020-01-01 12:00", tz="UTC"))
    ds.edit("r5", "naive", pd.Timestamp("1999-12-31 23:59:59.123456"))
    ds.edit("r5", "td", pd.Timedelta("3 days 00:00:01"))
    ds.edit("r5", "ordered", "mid")
    v = ds.commit("many dtypes")
    assert isinstance(v, Version)
    assert (v.id, v.parent, v.kind) == (2, 1, "commit")
    assert v.n_edits == 17  # two of the 19 edits wrote the value the cell had
    assert "bird" in list(df["label"].cat.categories)
    pd.testing.assert_frame_equal(ds.checkout(v.id), df)
    pd.testing.assert_frame_equal(ds.checkout(1), original)
    reopened = open_dataset("awk", root=root)
    pd.testing.assert_frame_equal(reopened.frame, df)
    assert reopened.label == "label"


def test_relabel_writes_into_the_same_object_at_once(root):
    df = pd.DataFrame({"label": ["cat", "dog", "cat"]})
    ds = track(df, name="pets", label="label", root=root)
    assert ds.frame is df
    ds.relabel(df["label"] == "cat", "dog", source="review: score 0.03")
    assert df["label"].tolist() == ["dog", "dog", "dog"]
    pending = ds.pending()
    assert pending["row"].tolist() == [0, 2]
    assert set(pending["source"]) == {"review: score 0.03"}


def test_pending_and_discard_put_the_frame_back_exactly(root):
    df = awkward_frame()
    original = df.copy()
    ds = track(df, name="awk", label="label", root=root)
    ds.relabel("r0", "bird")
    ds.relabel("r0", "fish")
    ds.edit("r1", "ni", 99)
    assert len(ds.pending()) == 2
    assert ds.pending().set_index("column").loc["label", "old"] == "cat"
    assert ds.discard() == 2
    pd.testing.assert_frame_equal(df, original)
    assert ds.pending().empty
    with pytest.raises(StoreError, match="nothing to commit"):
        ds.commit("empty")


def test_noop_edits_are_not_recorded(root):
    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="d", label="y", root=root)
    ds.relabel(0, "a")
    ds.relabel(1, "z")
    ds.relabel(1, "b")
    assert ds.pending().empty
    assert ds.commit("no change").n_edits == 0


def test_log_refs_and_tags(root):
    df = pd.DataFrame({"y": list("abc")})
    ds = track(df, name="d", label="y", root=root)
    for i, value in enumerate("xyz"):
        ds.relabel(i, value)
        ds.commit(f"c{i}", author="ana")
    log = ds.log()
    assert log.index.tolist() == [1, 2, 3, 4]
    assert log["author"].tolist()[1:] == ["ana"] * 3
    assert ds.version("HEAD").id == 4
    assert ds.version("HEAD~1").id == 3
    assert ds.version("2").id == 2
    ds.tag("reviewed", 3)
    assert ds.checkout("reviewed")["y"].tolist() == ["x", "y", "c"]
    assert ds.log().loc[3, "tags"] == ["reviewed"]
    assert ds.head.to_dict()["id"] == 4


def test_diff_is_net_paged_and_reversible(root):
    df = pd.DataFrame({"y": [f"v{i}" for i in range(300)], "z": 0})
    ds = track(df, name="d", label="y", root=root)
    ds.relabel(list(range(150)), "A", reason="first", author="ana")
    ds.commit("a")
    ds.relabel(list(range(100, 250)), "B", reason="second", author="bo")
    ds.relabel(5, "v5")  # back to its value at version 1: not in diff(1, 3)
    ds.commit("b")
    full = ds.diff(1, 3, limit=10_000)
    assert isinstance(full, Diff)
    assert full.total == 249 == len(full)
    frame = full.to_frame()
    assert frame.loc[
        frame.row == 120, ["old", "new", "author", "reason", "version"]
    ].values.tolist() == [["v120", "B", "bo", "second", 3]]
    page = ds.diff(1, 3, offset=100, limit=50)
    assert page.total == 249
    assert len(page) == 50
    assert page.to_frame().row.tolist() == frame.row.tolist()[100:150]
    back = ds.diff(3, 1, limit=10_000).to_frame()
    assert back.loc[back.row == 120, ["old", "new"]].values.tolist() == [["B", "v120"]]
    assert ds.diff(2, 2).total == 0
    assert ds.diff("HEAD", "HEAD").to_frame().empty
    assert page.to_dict()["total"] == 249


def test_blame_lists_every_change_of_a_row(root):
    df = pd.DataFrame({"y": ["a", "b"], "n": [1, 2]}, index=["p", "q"])
    ds = track(df, name="d", label="y", root=root)
    ds.relabel("q", "c", reason="one", author="ana")
    ds.commit("1")
    ds.edit("q", "n", 5, reason="two", author="bo")
    ds.relabel("q", "d", reason="three", author="bo")
    ds.commit("2")
    blame = ds.blame("q")
    assert blame[["column", "old", "new", "author", "reason", "version"]].values.tolist() == [
        ["y", "b", "c", "ana", "one", 2],
        ["n", 2, 5, "bo", "two", 3],
        ["y", "c", "d", "bo", "three", 3],
    ]
    assert ds.blame("p").empty


def test_revert_undoes_a_version_and_records_it(root):
    df = pd.DataFrame({"y": pd.Categorical(["a", "b", "a"])})
    before = df.copy()
    ds = track(df, name="d", label="y", root=root)
    ds.relabel([0, 2], "new")
    v2 = ds.commit("add new")
    ds.relabel(1, "a")
    ds.commit("other")
    r = ds.revert(v2)
    assert (r.kind, r.revert_of, r.message) == ("revert", 2, "Revert 2: add new")
    expected = before.copy()
    expected.loc[1, "y"] = "a"
    pd.testing.assert_frame_equal(df, expected)
    pd.testing.assert_frame_equal(ds.checkout("HEAD"), expected)


def test_revert_refuses_conflicts_and_the_snapshot(root):
    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="d", label="y", root=root)
    ds.relabel(0, "x")
    ds.commit("x")
    ds.relabel(0, "z")
    ds.commit("z")
    with pytest.raises(StoreError, match="later versions changed"):
        ds.revert(2)
    with pytest.raises(StoreError, match="tracked snapshot"):
        ds.revert(1)
    assert ds.head.id == 3
    assert df.y.tolist() == ["z", "b"]


def test_restore_brings_the_frame_back_as_pending_edits(root):
    df = pd.DataFrame({"y": ["a", "b", "c"], "n": pd.array([1, 2, None], dtype="Int64")})
    ds = track(df, name="d", label="y", root=root)
    ds.relabel([0, 1], "x")
    ds.edit(2, "n", 9)
    ds.commit("2")
    ds.relabel(2, "q")  # pending, also undone by restore
    assert ds.restore(1) == 4
    pd.testing.assert_frame_equal(df, ds.checkout(1))
    assert ds.commit("restore 1").n_edits == 3
    assert ds.diff(1, "HEAD").total == 0


def test_two_handles_commit_with_exact_chains(root):
    df = pd.DataFrame({"y": ["a"] * 4})
    one = track(df, name="d", label="y", root=root)
    two = open_dataset("d", root=root)
    one.relabel([0, 1], "one")
    one.commit("one")
    two.relabel([1, 2], "two")  # row 1 was changed by `one` meanwhile
    v = two.commit("two")
    chain = two.diff(2, 3).to_frame()
    assert chain[["row", "old", "new"]].values.tolist() == [[1, "one", "two"], [2, "a", "two"]]
    assert v.n_edits == 2
    # `two` brought the other writer's row 0 into its frame: it is HEAD now.
    pd.testing.assert_frame_equal(two.frame, two.checkout("HEAD"))
    assert two.frame.y.tolist() == ["one", "two", "two", "a"]
    assert one.pull() == 2
    pd.testing.assert_frame_equal(one.frame, two.frame)


def test_rebase_keeps_old_versions_readable(root):
    df = pd.DataFrame({"y": np.arange(1000), "z": "k"})
    ds = track(df, name="d", root=root)
    ds.rebase_edits = 150
    frames = {1: df.copy()}
    for v in range(2, 6):
        ds.edit(list(range(v * 10, v * 10 + 100)), "y", -v)
        frames[ds.commit(f"c{v}").id] = df.copy()
    files = sorted(p.name for p in ds.path.glob("base-*"))
    assert len(files) >= 2
    for v, frame in frames.items():
        pd.testing.assert_frame_equal(ds.checkout(v), frame)
    assert ds.diff(1, 5).total == ds.diff(1, 5, limit=10).total


def test_export_parquet_and_delta(root, tmp_path):
    df = awkward_frame()
    ds = track(df, name="d", label="label", root=root)
    ds.relabel("r0", "dog")
    ds.commit("c")
    out = ds.export("HEAD", tmp_path / "out" / "v2.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(out), df, check_dtype=False)
    with pytest.raises(StoreError, match="never overwrite"):
        ds.export("HEAD", out)
    import deltalake

    table = ds.export(1, tmp_path / "delta", format="delta")
    read = deltalake.DeltaTable(str(table)).to_pandas()
    assert read["label"].tolist() == ["cat", "dog"] * 3
    assert read["row"].tolist() == list(df.index)


def test_key_column_instead_of_index(root):
    df = pd.DataFrame({"id": ["u3", "u1", "u2"], "y": [0, 1, 0]})
    ds = track(df, name="d", label="y", key="id", root=root)
    ds.relabel(["u1", "u2"], 5)
    ds.commit("c")
    assert ds.blame("u1")["new"].tolist() == [5]
    assert ds.diff(1, 2).to_frame().row.tolist() == ["u1", "u2"]
    again = open_dataset("d", root=root, frame=df)
    assert again.checkout().y.tolist() == [0, 5, 5]


def test_multiindex_keys(root):
    index = pd.MultiIndex.from_tuples([("a", 1), ("a", 2), ("b", 1)], names=["g", "n"])
    df = pd.DataFrame({"y": ["p", "q", "r"]}, index=index)
    ds = track(df, name="d", label="y", root=root)
    ds.relabel([("a", 2)], "z")
    ds.commit("c")
    assert ds.diff(1, 2).to_frame().row.tolist() == [("a", 2)]
    pd.testing.assert_frame_equal(ds.checkout(2), df)


def test_saved_slices_follow_versions(root):
    df = pd.DataFrame({"age": [20, 30, 22], "y": ["a", "b", "c"]})
    ds = track(df, name="d", label="y", root=root)
    rows = ds.save_slice("mine", {"note": "hand-picked"}, rows=[0, 2])
    assert rows.tolist() == [0, 2]
    assert ds.slices() == {"mine": {"note": "hand-picked"}}
    assert ds.slice_rows("mine", 1).tolist() == [0, 2]
    ds.save_slice("young", "age < 25")
    ds.edit(1, "age", 18)
    ds.commit("younger")
    assert ds.slice_rows("young", 1).tolist() == [0, 2]
    assert ds.slice_rows("young", "HEAD").tolist() == [0, 1, 2]
    with pytest.raises(StoreError, match="No slice named"):
        ds.slice_rows("nope")


def test_rows_can_be_a_slice(root):
    import jupyter_dci.core.predicate._slice as slice_module

    df = pd.DataFrame({"age": [20, 30, 22], "y": ["a", "b", "c"]})
    ds = track(df, name="d", label="y", root=root)
    assert ds.relabel(slice_module.Slice("age < 25"), "young") == 2
    assert df.y.tolist() == ["young", "b", "young"]


def test_reshape_appends_rows_and_changes_columns_as_a_new_base(root):
    df = pd.DataFrame({"y": ["a", "b"], "drop_me": [0, 1]}, index=["p", "q"])
    v1_frame = df.copy()
    ds = track(df, name="d", label="y", root=root)
    ds.relabel("q", "z")
    v2_frame = ds.commit("z").id, df.copy()
    bigger = pd.concat([df, pd.DataFrame({"y": ["c"], "drop_me": [2]}, index=["r"])])
    bigger = bigger.drop(columns="drop_me").assign(score=[0.1, 0.2, 0.3])
    v = ds.reshape(bigger, "add row r, add score, drop drop_me")
    assert (v.kind, v.n_rows, v.n_edits) == ("reshape", 1, 0)
    assert ds.frame is bigger
    ds.relabel("r", "new")
    ds.edit(["p", "r"], "score", [1.0, 3.0])
    last = ds.commit("after reshape")
    pd.testing.assert_frame_equal(ds.checkout(1), v1_frame)
    pd.testing.assert_frame_equal(ds.checkout(2), v2_frame[1])
    pd.testing.assert_frame_equal(ds.checkout(last), bigger)
    assert ds.diff(v.id, last).total == 3
    pd.testing.assert_frame_equal(open_dataset("d", root=root).frame, bigger)
    with pytest.raises(StoreError, match="reshape"):
        ds.revert(v)
    assert ds.revert(last).revert_of == last.id
    assert bigger.y.tolist() == ["a", "z", "c"]


def test_reshape_refuses_anything_but_additions(root):
    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="d", label="y", root=root)
    from jupyter_dci.errors import DataMismatchError

    with pytest.raises(DataMismatchError, match="start with the 2 tracked rows"):
        ds.reshape(df.iloc[::-1], "reordered")
    with pytest.raises(DataMismatchError, match="start with the 2 tracked rows"):
        ds.reshape(df.iloc[:1], "dropped")
    with pytest.raises(DataMismatchError, match="changes 1 existing cell"):
        ds.reshape(df.assign(y=["a", "x"]), "changed")
    with pytest.raises(DataMismatchError, match="dtype"):
        ds.reshape(df.astype({"y": "category"}), "dtype")
    ds.relabel(0, "q")
    with pytest.raises(StoreError, match="pending edits"):
        ds.reshape(df.assign(z=1), "pending")
    assert ds.head.id == 1


def test_a_stale_handle_cannot_commit_after_a_reshape(root):
    df = pd.DataFrame({"y": ["a", "b"]})
    one = track(df, name="d", label="y", root=root)
    two = open_dataset("d", root=root)
    one.reshape(df.assign(z=1), "add z")
    two.relabel(0, "x")
    with pytest.raises(StoreError, match="reshaped by another process"):
        two.commit("stale")
    assert one.head.id == 2


def test_image_cells_round_trip_and_reattach(tmp_path):
    # Cells holding numpy arrays (images, embeddings) are stored exactly (.npy bytes in Parquet,
    # no pickle), and a frame is matched against them cell by cell.
    rng = np.random.default_rng(0)
    images = [rng.random((8, 8)) for _ in range(5)] + [np.arange(12, dtype=np.uint8).reshape(3, 4)]
    df = pd.DataFrame({"image": images, "label": ["a", "b", "a", "b", "a", "b"]})
    ds = track(df, name="imgs", label="label", root=tmp_path)
    ds.relabel(0, "b")
    ds.commit("fix")
    for version in (1, 2):
        got = ds.checkout(version)
        for a, b in zip(got["image"], images, strict=True):
            assert a.dtype == b.dtype
            assert np.array_equal(a, b)
    assert ds.checkout(2)["label"].tolist()[0] == "b"
    assert open_dataset("imgs", root=tmp_path, frame=df).head.id == 2
    changed = df.copy()
    changed.at[5, "image"] = changed.at[5, "image"] + 1
    with pytest.raises(DataMismatchError):
        open_dataset("imgs", root=tmp_path, frame=changed)


def test_track_records_who_tracked_it(tmp_path) -> None:
    from jupyter_dci.errors import InvalidParameterError

    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="who", root=tmp_path, author="Ana Lima")
    assert ds.head.author == "Ana Lima" and ds.log()["author"].tolist() == ["Ana Lima"]
    with pytest.raises(InvalidParameterError, match="non-empty str"):
        track(df.copy(), name="who2", root=tmp_path, author="  ")
    assert not (tmp_path / "who2").exists()  # refused before anything was written
