"""docs/architecture.md must match the code: module paths, the store's tables, encoding and SQL.

Every store here is made by the real code in a temporary folder and read back with nothing but
``sqlite3``, ``json`` and ``pyarrow``, the way the document tells another tool to read it.
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import jupyter_dci as dci
from jupyter_dci.store._codec import decode_value, encode_array, encode_value
from jupyter_dci.store._dataset import REBASE_EDITS
from jupyter_dci.store._keys import encode_keys

REPO = Path(__file__).resolve().parents[1]
DOC_PATH = REPO / "docs" / "architecture.md"
DOC = DOC_PATH.read_text(encoding="utf-8")

TABLE_START, TABLE_END = "<!-- dci:module-table -->", "<!-- /dci:module-table -->"


def fenced(lang: str, marker: str) -> str:
    """The one fenced ``lang`` block of the document that contains ``marker``."""
    blocks = re.findall(rf"^```{lang}\n(.*?)^```", DOC, flags=re.S | re.M)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"expected one ```{lang} block with {marker!r}, got {len(found)}"
    return found[0]


def section(heading: str) -> str:
    """The text under the ``#### `heading` `` subsection, up to the next heading."""
    match = re.search(rf"^#### `{re.escape(heading)}`\n(.*?)(?=^#)", DOC, flags=re.S | re.M)
    assert match, f"docs/architecture.md has no '#### `{heading}`' subsection"
    return match.group(1)


def connect(ds: Any) -> sqlite3.Connection:
    return sqlite3.connect(ds.path / "log.sqlite")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The worked example's store, built by running the document's own code."""
    root = tmp_path_factory.mktemp("docs-example")
    namespace: dict[str, Any] = {"root": root}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_DCI_AUTHOR", "docs")
        exec(fenced("python", "dci:example-store"), namespace)
    return namespace["ds"]


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store with every table and every kind of version: rebase, revert, reshape, metrics."""
    root = tmp_path_factory.mktemp("docs-full")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_DCI_AUTHOR", "docs")
        df = pd.DataFrame(
            {"label": ["cat", "dog", "cat", "dog"], "x": [1.5, 2.0, np.nan, 4.0]},
            index=pd.Index(["r1", "r2", "r3", "r4"], name="id"),
        )
        ds = dci.track(df, name="full", label="label", root=root)
        ds.relabel(["r1", "r2"], "bird")
        ds.commit("v2")
        ds.relabel("r1", "cat")
        ds.edit("r3", "x", 3.0)
        ds.commit("v3")
        ds.rebase_edits = 2  # 5 edits since the base > 2: version 4 gets a base
        ds.relabel("r4", "fish")
        ds.commit("v4")
        ds.relabel("r2", "dog")
        ds.commit("v5")
        ds.revert(5)  # version 6
        ds.rebase_edits = REBASE_EDITS
        grown = pd.concat(
            [ds.frame, pd.DataFrame({"label": ["owl"], "x": [5.0]}, index=pd.Index(["r5"]))]
        )
        grown.index.name = "id"
        grown["z"] = np.arange(5, dtype="int64")
        ds.reshape(grown, "one more row, one more column")  # version 7
        ds.edit("r5", "z", 40)
        ds.relabel("r3", "bird")
        ds.commit("v8")
        ds.tag("clean")
        ds.save_slice("small", "x < 3")
        ds.evaluate(["cat"] * 5, name="baseline")
    return ds


# -- modules ---------------------------------------------------------------------------------


def module_table_paths() -> list[str]:
    start, end = DOC.index(TABLE_START), DOC.index(TABLE_END)
    rows = [line for line in DOC[start:end].splitlines() if line.startswith("| `")]
    return [re.match(r"\| `([^`]+)`", row).group(1) for row in rows]  # type: ignore[union-attr]


def test_every_path_in_the_module_table_exists() -> None:
    paths = module_table_paths()
    assert len(paths) > 20
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"


def test_module_table_names_every_package_and_store_module() -> None:
    package = REPO / "jupyter_dci"
    subpackages = [p.parent for p in package.rglob("*/__init__.py")]
    wanted = {f"{p.relative_to(REPO)}/" for p in subpackages}
    wanted |= {str(p.relative_to(REPO)) for p in package.glob("*.py")}
    store = (package / "store").glob("_*.py")
    wanted |= {str(p.relative_to(REPO)) for p in store if p.name != "__init__.py"}
    unnamed = sorted(wanted - set(module_table_paths()))
    assert unnamed == [], f"add these to the module table of docs/architecture.md: {unnamed}"


# -- store format ------------------------------------------------------------------------------


def test_every_table_view_index_and_column_is_documented(full: Any) -> None:
    con = connect(full)
    objects = con.execute(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    tables = [name for kind, name in objects if kind in ("table", "view")]
    assert {"meta", "versions", "bases", "batches", "edits", "edit_log", "metrics"} <= set(tables)
    for table in tables:
        text = section(table)
        columns = [row[1] for row in con.execute(f"PRAGMA table_info({table})")]
        undocumented = [c for c in columns if f"`{c}`" not in text]
        assert undocumented == [], f"columns of {table} missing from its section: {undocumented}"
    for index in [name for kind, name in objects if kind == "index"]:
        assert f"`{index}`" in DOC, f"index {index} is not documented"


def test_meta_keys_and_version_kinds_are_documented(full: Any) -> None:
    con = connect(full)
    keys = [k for (k,) in con.execute("SELECT key FROM meta")]
    assert [k for k in keys if f"`{k}`" not in section("meta")] == []
    kinds = {k for (k,) in con.execute("SELECT DISTINCT kind FROM versions")}
    assert kinds == {"track", "commit", "revert", "reshape"}
    assert [k for k in kinds if f"`{k}`" not in section("versions")] == []
    assert f"({REBASE_EDITS:,} by" in DOC


def test_value_examples_in_the_doc_round_trip_through_the_codec() -> None:
    encoding = DOC[DOC.index("### Value encoding") : DOC.index("### Base snapshots")]
    rows = [line for line in encoding.splitlines() if re.match(r"\| `\w+` \|", line)]
    doc_tags = {re.match(r"\| `(\w+)`", row).group(1) for row in rows}  # type: ignore[union-attr]
    examples = [e for row in rows for e in re.findall(r"`(\[[^`]*\])`", row.split("|")[3])]
    assert len(examples) >= len(doc_tags)
    for text in examples:
        assert encode_value(decode_value(json.loads(text))) == text, text
        assert json.loads(text)[0] in doc_tags
    samples = [
        "chat", "é", 3, np.int8(3), 0.5, np.nan, -np.inf, True, None, pd.NA, pd.NaT,
        pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01"), pd.Timedelta("1s"),
        dt.timedelta(seconds=1), dt.date(2024, 1, 31), decimal.Decimal("1.10"), b"\x00\x01",
    ]  # fmt: skip
    codec_tags = {json.loads(encode_value(v))[0] for v in samples}
    assert codec_tags == doc_tags
    # The two encodings the text spells out: a categorical's missing value, several key columns.
    missing = encode_array(pd.Categorical([None], categories=["a"]))[0]
    assert f"categorical column is written `{missing}`" in DOC
    keys = pd.MultiIndex.from_tuples([("a", 1), ("a", 2)])
    assert f"`{encode_keys(keys, np.array([1]))[0]}`" in DOC


def test_worked_sql_query_returns_the_documented_rows(example: Any) -> None:
    sql = fenced("sql", "dci:latest-values")
    got = connect(example).execute(sql, {"n": 3}).fetchall()
    result = fenced("text", "dci:latest-values-result").splitlines()
    documented = [ast.literal_eval(line) for line in result if not line.startswith("#")]
    assert got == documented
    version3 = example.checkout(3)
    for row_id, _key, column, text, _tag, _value in got:
        assert version3[column].iloc[row_id] == decode_value(json.loads(text))
    assert connect(example).execute(sql, {"n": 1}).fetchall() == []
    assert sorted(p.name for p in example.path.glob("*.parquet")) == ["base-000001.parquet"]


def _decode(text: str) -> Any:
    """Decode the tags the recipe's data uses, from the document's table alone."""
    tag, *rest = json.loads(text)
    if tag in ("s", "i", "b"):
        return rest[0]
    if tag == "f":
        return float(rest[0])
    assert tag == "none", tag
    return None


def test_the_documented_recipe_rebuilds_every_version_without_our_code(full: Any) -> None:
    base_sql = re.search(r"`(SELECT version, file FROM bases[^`]*)`", DOC).group(1)  # type: ignore[union-attr]
    cells_sql = fenced("sql", "dci:latest-values")
    con = connect(full)
    bases = con.execute("SELECT version, file FROM bases ORDER BY version").fetchall()
    assert bases == [(v, f"base-{v:06d}.parquet") for v in (1, 4, 7)]
    assert "`base-<version:06d>.parquet`" in DOC
    head = con.execute("SELECT max(version) FROM versions").fetchone()[0]
    for n in range(1, head + 1):
        _, file = con.execute(base_sql, {"n": n}).fetchone()
        frame = pq.read_table(full.path / file).to_pandas()
        for row_id, _key, column, text, _tag, _value in con.execute(cells_sql, {"n": n}):
            frame.iloc[row_id, frame.columns.get_loc(column)] = _decode(text)
        pd.testing.assert_frame_equal(frame, full.checkout(n), check_dtype=False)
