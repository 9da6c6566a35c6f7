"""Layout in a real JupyterLab at common widths: nothing spills out of a profile card, the
history panel shows no empty box and never cuts a commit message, and the workbench's header
says what to do with the probabilities given.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.harness import LabServer, open_notebook, run_all_cells, write_notebook

# An image column (its card's chart of top values has long labels: it was 397 px wide in a
# 342-364 px card), long category labels, a histogram; a dataset with a long author and a
# long commit message; a workbench given probabilities.
CELLS = [
    """
import tempfile
import numpy as np, pandas as pd
import jupyter_dci as dci
from jupyter_dci import datasets
digits = datasets.load_digits().head(300)
frame = digits[["image", "label"]].assign(
    city=np.resize(["a city with a rather long name " + str(i) for i in range(9)], 300),
    price=np.linspace(1, 1000, 300),
)
prof = dci.profile(frame)
prof
""",
    """
df = pd.DataFrame({"y": ["cat", "dog"] * 10, "x": np.arange(20.0)})
ds = dci.track(df, name="pets", label="y", root=tempfile.mkdtemp())
ds.relabel([0, 2], "dog", reason="ears")
ds.commit("relabel the two dogs that the first annotator took for cats; see the ears in "
          "pictures 0 and 2, which no cat has, and the notes of the second annotator",
          author="Somebody With A Really Quite Long Name, Data Team")
ds.relabel([4], "dog", reason="ears")
ds.history()
""",
    "wb = dci.inspect(df, label='y', pred_probs=np.full((20, 2), 0.5))\nwb",
]

# Every card's box must hold all it draws: any element whose box passes the card's edge
# (beyond a pixel of rounding) is listed with how far it goes.
OVERFLOWS = """() => {
  const out = [];
  for (const card of document.querySelectorAll('.dci-card')) {
    const c = card.getBoundingClientRect();
    for (const e of card.querySelectorAll('*')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const over = Math.max(r.right - c.right, c.left - r.left);
      if (over > 1) {
        out.push(`${card.dataset.column}: ${e.tagName} ${e.className.baseVal ?? e.className} by ${over.toFixed(0)} px`);
      }
    }
  }
  return out;
}"""


@pytest.fixture
def layout_page(page: Any, lab: LabServer) -> Any:
    # Tall: every card is in view, so every chart is drawn (they are drawn on sight).
    page.set_viewport_size({"width": 1440, "height": 2400})
    write_notebook(lab.root / "layout.ipynb", CELLS)
    open_notebook(page, lab, "layout.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".dci-history-version", timeout=30_000)
    return page


def charts_drawn(page: Any) -> None:
    """Wait until the four charts of the profile (the first panel) are drawn."""
    page.wait_for_function(
        "() => { const c = document.querySelector('.dci-profile').querySelectorAll('.dci-card-chart');"
        " return c.length === 4 && [...c].every(e => e.querySelector('svg.marks')); }",
        timeout=30_000,
    )


def test_no_card_content_overflows_its_card(layout_page: Any) -> None:
    page = layout_page
    charts_drawn(page)
    per_row = page.evaluate(
        "() => new Set([...document.querySelector('.dci-profile').querySelectorAll('.dci-card')]"
        ".map(c => Math.round(c.getBoundingClientRect().top))).size"
    )
    assert per_row == 2  # 4 cards, 3 to a row at 1440 px: the case of the issue
    for width in (1440, 1024, 800):
        page.set_viewport_size({"width": width, "height": 2400})
        charts_drawn(page)
        # The charts follow their card's new width (Vega watches its container): poll until
        # none spills over, and say which do if that never comes.
        try:
            page.wait_for_function(f"() => ({OVERFLOWS})().length === 0", timeout=5_000)
        except Exception:
            raise AssertionError(f"at {width} px: {page.evaluate(OVERFLOWS)[:8]}") from None
        widths = page.evaluate(
            "() => [...document.querySelectorAll('.dci-card')].map(c => c.getBoundingClientRect().width)"
        )
        assert min(widths) >= 300, (width, widths)
    assert page.page_errors == []


def test_history_shows_no_empty_box_and_whole_messages(layout_page: Any) -> None:
    page = layout_page
    for width in (1440, 800):
        page.set_viewport_size({"width": width, "height": 2400})
        # The versions arrive a message after the panel shows, and a resize may redraw
        # them: poll for version 2's text at each width before measuring it.
        page.wait_for_function(
            "() => (document.querySelector(\".dci-history-version[data-version='2'] "
            ".dci-history-msg\") || {}).textContent?.includes('notes of the second annotator')",
            timeout=30_000,
        )
        # The confirmation box takes no room until something asks for it.
        assert page.locator(".dci-history-confirm").evaluate("e => e.offsetHeight") == 0
        message = page.locator(".dci-history-version[data-version='2'] .dci-history-msg")
        assert "notes of the second annotator" in message.inner_text()
        # Never cut: the cell is as wide as its text needs, wrapping onto more lines.
        assert message.evaluate("e => e.scrollWidth <= e.clientWidth")
        assert message.evaluate("e => e.getBoundingClientRect().width") > 150
        # A long author is cut to its cell, whole in its title.
        who = page.locator(".dci-history-version[data-version='2'] .dci-history-who")
        assert who.get_attribute("title") == "Somebody With A Really Quite Long Name, Data Team"
    page.click(".dci-history-discard")
    page.wait_for_function(
        "() => document.querySelector('.dci-history-confirm').offsetHeight > 0", timeout=5_000
    )
    page.click(".dci-confirm-no")
    page.wait_for_function(
        "() => document.querySelector('.dci-history-confirm').offsetHeight === 0", timeout=5_000
    )


def test_workbench_header_with_given_probabilities(layout_page: Any) -> None:
    header = layout_page.locator(".dci-inspect-header").inner_text()
    assert "probabilities given · open Label issues to count the suspects" in header
    assert "to find them" not in header
