"""The workbench (dci.inspect): lazy tabs, one shared state, probabilities on request."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import jupyter_dci as dci
from jupyter_dci.errors import InvalidParameterError, UnsupportedInputError
from jupyter_dci.widgets.inspect._workbench import TABS
from tests.widgets._player import Recorder

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def planted() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Rows whose label follows x, 8% flipped; a model wrong far more often in one slice."""
    rng = np.random.default_rng(0)
    n = 4000
    df = pd.DataFrame(
        {
            "country": rng.choice(["IN", "FR", "BR"], n),
            "age": rng.integers(18, 70, n),
            "x": rng.normal(size=n),
        }
    )
    truth = (df["x"] > 0).astype(int).to_numpy()
    flipped = rng.random(n) < 0.08
    df["y"] = np.where(flipped, 1 - truth, truth)
    p1 = 1 / (1 + np.exp(-4 * df["x"].to_numpy()))
    # The model is confused in one slice: its probabilities there say the opposite.
    bad = ((df["country"] == "IN") & (df["age"] < 25)).to_numpy() & (rng.random(n) < 0.6)
    p1 = np.where(bad, 1 - p1, p1)
    probs = np.column_stack([1 - p1, p1])
    return df, probs, flipped


def test_first_view_is_the_overview_and_other_tabs_wait(planted: Any) -> None:
    df, probs, _ = planted
    wb = dci.inspect(df, label="y", pred_probs=probs)
    assert wb.tab == "overview"
    assert wb.state.tab_generation["overview"] == 0 and all(
        wb.state.tab_generation[t] < 0 for t in TABS[1:]
    )
    assert wb.review_panel is None and wb.slices_panel is None
    assert "4,000 rows × 4 columns" in wb.header.value
    assert "alerts" in wb.summary()
    # Cached: showing the overview again computes nothing new.
    panel = wb.profile_panel
    wb.open_tab("labels")
    wb.open_tab("overview")
    assert wb.profile_panel is panel
    # A click on a tab (the front end sets selected_index) builds it.
    wb.tabs.selected_index = TABS.index("slices")
    assert wb.slices_panel is not None and wb.state.tab_generation["slices"] == wb.generation


def test_a_relabel_in_the_review_updates_every_tab(planted: Any, tmp_path: Path) -> None:
    df, probs, _ = planted
    ds = dci.track(df, name="planted", label="y", root=tmp_path)
    wb = dci.inspect(ds, pred_probs=probs)
    wb.open_tab("slices")
    slices_before = wb.slices_panel
    wb.open_tab("labels")
    review = wb.review_panel
    assert review is not None and review.n_suspects > 0
    assert "0 reviewed" in wb.summary()["label issues"]
    gen = wb.generation
    player = Recorder(review)
    reply = player.request(type="decide", index=0, action="accept")
    assert reply["type"] == "decided"
    # At once: the counts, the pending edits, and the profile behind the alert counts.
    assert wb.generation > gen
    summary = wb.summary()
    assert "1 reviewed" in summary["label issues"] and "1 relabelled" in summary["label issues"]
    assert "1 uncommitted edits" in summary["dataset"]
    assert "as of before" not in summary["alerts"]
    assert "1 reviewed" in html.unescape(wb.header.value)
    # The slices tab was stale: opening it recomputes against the new labels.
    wb.open_tab("slices")
    assert wb.slices_panel is not slices_before
    # The history tab shows the pending edit; committing it from Python moves the header.
    wb.open_tab("history")
    assert wb.history_panel.n_pending == 1
    ds.commit("accept one suggestion")
    assert "version 2 · 0 uncommitted" in wb.summary()["dataset"]


def test_a_click_on_a_slice_scopes_the_review(planted: Any) -> None:
    df, probs, _ = planted
    wb = dci.inspect(df, label="y", pred_probs=probs)
    wb.open_tab("slices")
    found = wb.slices_panel.found
    assert found.found, found.message
    # The planted slice (the flipped labels make another: high x labelled 0).
    top = next(s for s in found.slices if s.slice.describe().startswith("country == 'IN'"))
    key = f"slice:{top.rank}"
    Recorder(wb.slices_panel.summary).request(type="show", key=key)
    # The review did not exist yet: it starts scoped when opened.
    wb.open_tab("labels")
    review = wb.review_panel
    mask = top.slice.mask(df)
    in_slice = review.session._suspects.index.isin(df.index[mask])
    assert review.filter_rows == top.slice.describe()
    assert review.n_shown == int(in_slice.sum()) < review.n_suspects
    assert wb.tabs.titles[TABS.index("labels")] == "Label issues · in slice"
    # "Clear filter" in the review lifts the scope, and the title follows.
    player = Recorder(review)
    reply = player.request(
        type="filter", given=[], suggested=[], max_score=None, min_score=None, scope="clear"
    )
    assert reply["n_shown"] == review.n_suspects and review.filter_rows == ""
    assert wb.tabs.titles[TABS.index("labels")] == "Label issues"
    # Scoped again from a live review: a second click restricts it at once.
    Recorder(wb.slices_panel.summary).request(type="show", key=key)
    assert review.n_shown == int(in_slice.sum())


def test_probabilities_computed_on_request(planted: Any) -> None:
    df, _, flipped = planted
    wb = dci.inspect(df, label="y")
    wb.open_tab("labels")
    assert wb.review_panel is None and wb._compute_box is not None
    assert "not computed yet" in wb.summary()["label issues"]
    wb.compute_probabilities(wait=True, cv=3)
    review = wb.review_panel
    assert review is not None and wb.probabilities is not None
    flagged = review.session._suspects.index
    assert flipped[flagged].mean() > 0.8  # the suspects are mostly the planted flips
    # The slices use the computed probabilities too.
    wb.open_tab("slices")
    assert wb.slices_panel is not None


class _CancellingModel(LogisticRegression):
    """Cancels the workbench's computation from inside the first fit, as the button would."""

    workbench: Any = None

    def fit(self, x: Any, y: Any, sample_weight: Any = None) -> Any:
        type(self).workbench.cancel()
        return super().fit(x, y)


def test_computing_can_be_cancelled_and_runs_in_a_thread(planted: Any) -> None:
    df, _, _ = planted
    wb = dci.inspect(df, label="y")
    wb.open_tab("labels")
    _CancellingModel.workbench = wb
    wb.compute_probabilities(wait=False, model=_CancellingModel(), cv=3)
    worker = wb._probs_job
    assert worker is not None
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert wb.probabilities is None and wb.review_panel is None
    box = wb._compute_box
    assert "Cancelled" in box.status.value
    assert not box.start.disabled and box.cancel.disabled
    # A second run, not cancelled, fills the tab.
    wb.compute_probabilities(wait=False, cv=3)
    wb._probs_job.join(timeout=120)
    assert wb.review_panel is not None


def test_errors_of_a_tab_show_in_the_tab(planted: Any) -> None:
    df, probs, _ = planted
    wb = dci.inspect(df, label="y", pred_probs=probs[:, :1].repeat(2, axis=1) * 2)
    wb.open_tab("labels")  # rows that do not sum to 1: refused by find_label_issues
    (message,) = wb._holders[TABS.index("labels")].children
    assert "dci-inspect-error" in message.value and wb.review_panel is None


def test_bad_input_is_refused_with_what_was_expected(planted: Any, tmp_path: Path) -> None:
    df, probs, _ = planted
    with pytest.raises(InvalidParameterError, match="one column of the frame"):
        dci.inspect(df, label="nope")
    with pytest.raises(InvalidParameterError, match=r"one entry per row of the frame \(4,000\)"):
        dci.inspect(df, label="y", pred_probs=probs[:10])
    with pytest.raises(InvalidParameterError, match="one entry per row"):
        dci.inspect(df, label="y", predictions=np.zeros(3))
    with pytest.raises(InvalidParameterError, match="the label column"):
        dci.inspect(df, pred_probs=probs)
    with pytest.raises(InvalidParameterError, match="columns of the frame"):
        dci.inspect(df, label="y", features=["x", "missing"])
    with pytest.raises(
        UnsupportedInputError, match="inspect takes a pandas DataFrame or a tracked Dataset"
    ):
        dci.inspect([1, 2, 3])
    other = dci.track(df.copy(), name="other", label="y", root=tmp_path)
    with pytest.raises(InvalidParameterError, match="tracking this very frame"):
        dci.inspect(df, dataset=other)


def test_text_reaching_html_is_escaped(tmp_path: Path) -> None:
    df = pd.DataFrame({XSS: [1, 1, 1, None] * 5, "y": ["a", "b", XSS, "a"] * 5})
    ds = dci.track(df, name="pets", label="y", root=tmp_path)
    wb = dci.inspect(ds)
    bundle = wb._repr_mimebundle_()
    static = bundle["text/html"]
    assert XSS not in static and XSS not in wb.header.value
    assert html.escape(XSS) in static  # the column's name in its alert, as text
    assert "&#x27;pets&#x27; version 1" in static
    assert "needs a running kernel" in static
    assert bundle["text/plain"].startswith("jupyter_dci workbench: data: 20 rows")


def test_predictions_feed_the_slices(planted: Any) -> None:
    df, probs, _ = planted
    predictions = probs.argmax(axis=1)
    wb = dci.inspect(df, label="y", predictions=predictions)
    wb.open_tab("slices")
    assert wb.slices_panel.found.found
    wb.open_tab("labels")  # no probabilities: the button
    assert wb._compute_box is not None


def test_load_ext_offers_inspect_under_dataframes() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    from jupyter_dci.widgets.inspect import _ipython

    shell = InteractiveShell.instance()
    df = pd.DataFrame({"x": [1.0, 2.0], "label": ["a", "b"]})
    formatter = shell.display_formatter
    before = len(_ipython._bars)
    data, _ = formatter.format(df)
    assert len(_ipython._bars) == before  # off by default
    dci.load_ipython_extension(shell)
    try:
        formatter.format(df)
        bars = [b for b in _ipython._bars if b._frame is df]
        assert len(bars) == 1 and bars[0].comm is not None  # its model reached the front end
        workbench = bars[0].open_workbench()
        assert workbench.label == "label" and bars[0].children == (workbench,)
    finally:
        dci.unload_ipython_extension(shell)
    assert bars[0]._frame is None
    assert formatter.format(df)[0].keys() == data.keys()


def test_large_frames_are_profiled_in_the_background(
    planted: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from jupyter_dci.widgets.inspect import _profiler as _inspect

    df, _, _ = planted
    monkeypatch.setattr(_inspect, "BACKGROUND_PROFILE_ROWS", 100)

    async def in_a_kernel_loop() -> None:
        wb = dci.inspect(df, label="y")
        progress, panel = wb._holders[0].children
        # At once: the header, a progress bar and the panel, pending (its view loads
        # meanwhile); the profile comes from a worker thread.
        assert "dci-inspect-profiling" in progress._dom_classes
        assert "4,000 rows" in wb.header.value
        assert panel is wb.profile_panel and panel.summary.pending
        assert panel.summary._overview == {"pending": True, "n_rows": 4000, "n_columns": 4}
        reply = Recorder(panel.summary).request(type="alert", index=0)
        assert reply["type"] == "error" and "still being computed" in reply["error"]
        for _ in range(1200):  # the loop stays free meanwhile: poll for the state
            if not panel.summary.pending:
                break
            await asyncio.sleep(0.05)
        # The same panel, filled; the progress bar gone.
        assert wb._holders[0].children == (panel,) and not panel.summary.pending
        assert panel.summary._overview["n_rows"] == 4000 and panel.summary._cards
        assert wb.state.profile_generation == wb.generation and "alerts" in wb.summary()

    asyncio.run(in_a_kernel_loop())


def test_a_commit_moves_the_counts_but_recomputes_nothing(planted: Any, tmp_path: Path) -> None:
    df, probs, _ = planted
    ds = dci.track(df, name="planted", label="y", root=tmp_path)
    wb = dci.inspect(ds, pred_probs=probs)
    ds.relabel(df.index[:1], 1 - int(df["y"].iloc[0]), reason="test")
    gen = wb.generation
    assert gen > 0 and "1 uncommitted edits" in wb.header.value
    ds.commit("one fix")
    assert wb.generation == gen and "version 2 · 0 uncommitted edits" in wb.header.value
    panel = wb.profile_panel
    wb.close()
    assert panel.summary.comm is None and wb.tabs.comm is None


def test_a_reshape_moves_the_workbench_to_the_new_frame(planted: Any, tmp_path: Path) -> None:
    df, probs, _ = planted
    ds = dci.track(df, name="planted", label="y", root=tmp_path)
    wb = dci.inspect(ds, pred_probs=probs)
    wb.open_tab("labels")
    ds.tag("before")
    assert wb.generation == 0  # a tag is not a change of data
    bigger = pd.concat([ds.frame, ds.frame.tail(2).set_axis([4000, 4001])])
    ds.reshape(bigger, "two more rows")
    assert wb.frame is ds.frame and len(wb.frame) == 4002
    # The probabilities were for 4,000 rows: dropped, and the tab offers to compute again.
    assert wb.probabilities is None and wb._compute_box is not None
    assert "4,002 rows" in wb.header.value and "version 2" in wb.header.value
    wb.open_tab("overview")
    assert wb.profile.n_rows == 4002


def test_computing_refused_input_raises_when_waited_for() -> None:
    from jupyter_dci.errors import DCIError

    df = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4], "y": ["a", "a", "a", "a"]})
    wb = dci.inspect(df, label="y")
    with pytest.raises(DCIError, match=r"class"):
        wb.compute_probabilities()
    # Shown in the tab too, and the button is ready again.
    box = wb._compute_box
    assert "Could not compute probabilities" in box.status.value and not box.start.disabled


def test_inspect_bar_says_why_a_frame_cannot_be_inspected() -> None:
    from jupyter_dci.widgets.inspect._ipython import InspectBar

    # Two columns named "label": no label can be chosen.
    frame = pd.DataFrame([[1, "a", "b"]], columns=["x", "label", "label"])
    bar = InspectBar(frame)
    assert bar.open_workbench() is None
    assert "Cannot inspect this frame" in bar.note.value and "label" in bar.note.value
