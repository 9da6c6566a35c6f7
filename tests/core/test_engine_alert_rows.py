"""An alert's rows, for data in its engine: its predicate keeps the rows the pandas mask keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from jupyter_dci.core.engine import as_source
from jupyter_dci.core.predicate import parse_predicate
from jupyter_dci.core.profile import profile
from jupyter_dci.core.profile._lazy_rows import alert_predicate, no_predicate_reason
from jupyter_dci.core.table._lazy_pager import LazyPager


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 3_000
    price = rng.lognormal(3, 0.4, n)
    price[:5] = [1e6, 2e6, -5e5, np.inf, -np.inf]
    price[10:40] = np.nan
    return pd.DataFrame(
        {
            "price": price,
            "zeros": np.where(rng.random(n) < 0.7, 0, rng.integers(1, 9, n)),
            "size": np.where(np.arange(n) % 40 == 0, -999, rng.integers(0, 7, n)),
            "state": np.where(np.arange(n) % 90 == 0, "new york", "New York"),
            "label": np.where(np.arange(n) < 6, "rare", rng.choice(["a", "b"], n)),
            "it's": rng.choice(["x", "y"], n),
        }
    )


def _inputs(frame: pd.DataFrame, tmp: Path) -> dict[str, Any]:
    path = tmp / "data.parquet"
    frame.to_parquet(path, index=False)
    return {"polars": pl.from_pandas(frame), "parquet": str(path)}


def test_each_alert_predicate_keeps_the_pandas_rows(frame: pd.DataFrame, tmp_path: Path) -> None:
    expected = profile(frame, label="label")
    for name, data in _inputs(frame, tmp_path).items():
        prof = profile(data, label="label")
        pager = LazyPager(as_source(data, "table"))
        checked = set()
        for alert in prof.alerts:
            predicate = alert_predicate(prof, alert)
            same = [a for a in expected.alerts if (a.kind, a.column) == (alert.kind, alert.column)]
            if predicate is None or not same:
                assert no_predicate_reason(alert)
                continue
            parse_predicate(predicate)  # what the filter box gets parses
            mask = expected.alert_rows(same[0], frame)
            assert pager.count(None, predicate) == int(mask.sum()), (name, alert.kind, predicate)
            checked.add(alert.kind)
        wanted = {"outliers", "missing", "placeholder", "inconsistent_spelling", "rare_classes"}
        assert wanted <= checked, (name, checked)


def test_alerts_without_rows_say_why(frame: pd.DataFrame) -> None:
    doubled = pl.from_pandas(pd.concat([frame, frame.iloc[:3]], ignore_index=True))
    prof = profile(doubled)
    dup = next(a for a in prof.alerts if a.kind == "duplicate_rows")
    assert alert_predicate(prof, dup) is None
    assert "comparing whole rows" in no_predicate_reason(dup)
