"""kill -9 in the middle of commits, and two processes committing at once, for real."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jupyter_dci.store import open_dataset, track

REPO = Path(__file__).resolve().parents[2]
N_ROWS = 30_000


def make_frame(n: int = N_ROWS) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "label": pd.Categorical(rng.choice(["cat", "dog", "bird"], n)),
            "score": rng.random(n),
            "note": rng.choice(["a", "b", None], n).astype(object),
        }
    )


CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    import jupyter_dci.store._commit as commit_module
    from jupyter_dci.store import open_dataset, track

    args = json.loads(sys.argv[1])
    commit_module._INSERT_CHUNK = 2_000  # several chunks: kill between them
    if args["action"] == "track":
        import pandas as pd, numpy as np
        df = pd.DataFrame({"y": np.arange(args["n"])})
        track(df, name=args["name"], root=args["root"])
        sys.exit(0)
    ds = open_dataset(args["name"], root=args["root"])
    if args["action"] == "reshape":
        ds.reshape(ds.frame.assign(extra=1), "add extra")
        sys.exit(0)
    ds.rebase_edits = args.get("rebase_edits", 10**9)
    go = args.get("go")
    if go:
        while not Path(go).exists():
            time.sleep(0.01)
    ds.relabel(args["rows"], args["value"], reason=args["who"], author=args["who"])
    version = ds.commit(args["who"])
    same = ds.frame.equals(ds.checkout("HEAD"))
    print(json.dumps({"version": version.id, "in_sync": bool(same)}))
    """
)


def run_child(args: dict, *, pause_at: str | None = None, tmp: Path, delay: float | None = None):
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    marker = tmp / f"paused-{time.monotonic_ns()}"
    if pause_at:
        env["JUPYTER_DCI_STORE_PAUSE_AT"] = pause_at
        env["JUPYTER_DCI_STORE_PAUSE_FILE"] = str(marker)
        if delay is not None:
            env["JUPYTER_DCI_STORE_PAUSE_SECONDS"] = str(delay)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, marker


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child ended early: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("child never reached its pause point")
        time.sleep(0.01)


def litter(folder: Path, ds) -> set[str]:
    on_disk = {p.name for p in folder.iterdir() if p.name.startswith("base-")}
    return on_disk - ds._log.base_files()


@pytest.mark.parametrize(
    "point", ["commit:begin", "commit:edits", "commit:version", "rebase:written"]
)
def test_kill_9_mid_commit_leaves_the_last_version_intact(tmp_path, point):
    root = tmp_path / "store"
    df = make_frame()
    original = df.copy()
    ds = track(df, name="big", label="label", root=root)
    ds.relabel(list(range(50)), "dog")
    ds.commit("before")
    expected = ds.checkout("HEAD")
    args = {
        "action": "commit",
        "name": "big",
        "root": str(root),
        "rows": list(range(0, N_ROWS, 2)),  # 15,000 cells: several insert chunks
        "value": "bird",
        "who": "killed",
        "rebase_edits": 1_000 if point == "rebase:written" else 10**9,
    }
    proc, marker = run_child(args, pause_at=point, tmp=tmp_path)
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    reopened = open_dataset("big", root=root)
    committed = 3 if point == "rebase:written" else 2  # a rebase follows its commit
    assert reopened.head.id == committed
    if point != "rebase:written":
        pd.testing.assert_frame_equal(reopened.checkout("HEAD"), expected)
        pd.testing.assert_frame_equal(reopened.frame, expected)
    with sqlite3.connect(root / "big" / "log.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_edits = con.execute("SELECT count(*) FROM edits").fetchone()[0]
        last = con.execute("SELECT max(last_edit) FROM versions").fetchone()[0]
        assert n_edits == last  # no edit belongs to a version that does not exist
    # The next commit works and sweeps what the killed writer left.
    reopened.relabel([1, 3], "cat")
    v = reopened.commit("after")
    assert v.id == committed + 1
    assert litter(root / "big", reopened) == set()
    assert not list((root / "big").glob("*.tmp"))
    pd.testing.assert_frame_equal(reopened.checkout(v.id), reopened.frame)
    pd.testing.assert_frame_equal(reopened.checkout(1), original)


@pytest.mark.parametrize("point", ["track:snapshot", "track:written"])
def test_kill_9_during_track_then_track_again(tmp_path, point):
    root = tmp_path / "store"
    args = {"action": "track", "name": "t", "root": str(root), "n": 50_000}
    proc, marker = run_child(args, pause_at=point, tmp=tmp_path)
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with pytest.raises(Exception, match="interrupted"):
        open_dataset("t", root=root)
    df = pd.DataFrame({"y": np.arange(50_000)})
    ds = track(df, name="t", root=root)
    assert ds.head.id == 1
    assert litter(root / "t", ds) == set()
    pd.testing.assert_frame_equal(open_dataset("t", root=root).frame, df)


@pytest.mark.parametrize("same_rows", [True, False])
def test_two_processes_commit_at_once(tmp_path, same_rows):
    root = tmp_path / "store"
    df = make_frame(2_000)
    track(df, name="d", label="label", root=root)
    go = tmp_path / "go"
    rows_b = list(range(500)) if same_rows else list(range(1000, 1500))
    # A holds the write lock for a while (paused inside its commit); B commits then.
    a, a_marker = run_child(
        {
            "name": "d",
            "root": str(root),
            "rows": list(range(500)),
            "value": "cat",
            "who": "A",
            "action": "commit",
        },
        pause_at="commit:edits",
        delay=1.0,
        tmp=tmp_path,
    )
    b, _ = run_child(
        {
            "name": "d",
            "root": str(root),
            "rows": rows_b,
            "value": "bird",
            "who": "B",
            "go": str(go),
            "action": "commit",
        },
        tmp=tmp_path,
    )
    wait_for(a_marker, a)
    go.touch()  # B starts its commit while A is inside its own
    out_a, err_a = a.communicate(timeout=60)
    out_b, err_b = b.communicate(timeout=60)
    assert a.returncode == 0, err_a
    assert b.returncode == 0, err_b
    res_a, res_b = json.loads(out_a), json.loads(out_b)
    assert sorted([res_a["version"], res_b["version"]]) == [2, 3]
    assert res_a["in_sync"]
    assert res_b["in_sync"]
    assert res_a["version"] == 2  # A held the lock first: B waited, no retry

    ds = open_dataset("d", root=root)
    log = ds.log()
    assert log.loc[2, "message"] == "A"
    assert log.loc[3, "message"] == "B"
    head = ds.checkout("HEAD")
    # Every edit landed; every old value is the value right before it.
    expected = df.copy()
    expected.loc[list(range(500)), "label"] = "cat"
    expected.loc[rows_b, "label"] = "bird"
    assert head["label"].astype(str).tolist() == expected["label"].astype(str).tolist()
    before = df["label"].astype(object)
    after_a = ds.checkout(2)["label"].astype(object)
    for va, vb, before_values in ((1, 2, before), (2, 3, after_a)):
        chain = ds.diff(va, vb, limit=10_000).to_frame()
        assert chain["old"].tolist() == before_values.loc[chain["row"]].tolist()
    if same_rows:
        b_chain = ds.diff(2, 3, limit=10_000).to_frame()
        assert set(b_chain["old"]) <= {"cat"}  # B's old values are A's new ones


def test_a_lock_held_too_long_is_a_clear_retryable_error(tmp_path):
    from jupyter_dci.errors import StoreError

    df = pd.DataFrame({"y": ["a", "b"]})
    ds = track(df, name="d", label="y", root=tmp_path)
    ds._log.con.execute("PRAGMA busy_timeout = 50")
    blocker = sqlite3.connect(tmp_path / "d" / "log.sqlite", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    ds.relabel(0, "z")
    with pytest.raises(StoreError, match="write lock"):
        ds.commit("blocked")
    blocker.execute("ROLLBACK")
    assert ds.commit("free").id == 2
    assert df.y.tolist() == ["z", "b"]


def test_kill_9_during_a_reshape(tmp_path):
    root = tmp_path / "store"
    df = make_frame(20_000)
    ds = track(df, name="r", label="label", root=root)
    proc, marker = run_child(
        {"action": "reshape", "name": "r", "root": str(root)},
        pause_at="reshape:written",
        tmp=tmp_path,
    )
    wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reopened = open_dataset("r", root=root)
    assert reopened.head.id == 1
    pd.testing.assert_frame_equal(reopened.frame, df)
    v = ds.reshape(df.assign(extra=1), "again")
    assert v.id == 2
    assert litter(root / "r", ds) == set()
    pd.testing.assert_frame_equal(ds.checkout(2), df.assign(extra=1))
