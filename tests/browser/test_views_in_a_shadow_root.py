"""Every view works when its host mounts it in a shadow root, as marimo does.

A page plays the anywidget host: it imports each built bundle, gives it a model whose state is
the real widget's and whose messages go to the real widget in this process, and renders it into
an element inside a shadow root. The view's styles must be there, inside the root (a sheet in
document.head would not reach it), and the theme's fallbacks must apply without JupyterLab.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import jupyter_dci as dci
from jupyter_dci.charts import bar_chart
from tests.browser.harness import chromium, chromium_path

pytestmark = pytest.mark.browser

STATIC = Path(dci.__file__).parent / "widgets" / "static"
ORIGIN = "http://dci.test"

HOST_JS = """
window.dciViews = {};
window.dciMount = async (name, bundle, state) => {
  const mod = await import(`/static/${bundle}.js`);
  const hostEl = document.createElement('div');
  hostEl.id = `host-${name}`;
  document.body.appendChild(hostEl);
  const shadow = hostEl.attachShadow({ mode: 'open' });
  const el = document.createElement('div');
  shadow.appendChild(el);
  const handlers = new Map();
  const model = {
    get: key => state[key],
    set: (key, value) => { state[key] = value; },
    save_changes: () => {},
    on: (name, cb) => {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name).add(cb);
    },
    off: (name, cb) => { handlers.get(name)?.delete(cb); },
    send: content => {
      window.dciSend(name, content).then(replies => {
        for (const reply of replies) {
          for (const cb of handlers.get('msg:custom') ?? []) cb(reply, []);
        }
      });
    },
    widget_manager: {}
  };
  const cleanup = await mod.default.render({
    model, el, signal: new AbortController().signal, host: {}, experimental: {}
  });
  window.dciViews[name] = { shadow, el, cleanup };
};
"""


@pytest.fixture(scope="module")
def widgets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Any]]:
    """Real widgets, made before the browser starts: name -> (bundle, widget)."""
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame(
        {
            "label": rng.choice(["cat", "dog", "bird"], n),
            "price": rng.lognormal(3, 0.5, n),
            "city": rng.choice(["NY", "LA", "SF"], n),
        },
        index=pd.Index([f"r{i}" for i in range(n)], name="rid"),
    )
    df.loc[df.index[:3], "price"] *= 1e4
    issues = pd.DataFrame(
        {
            "given_label": df["label"].iloc[:3].to_numpy(),
            "suggested_label": ["dog", "cat", "bird"],
            "label_score": [0.01, 0.02, 0.2],
            "is_label_issue": [True] * 3,
        },
        index=df.index[:3],
    )
    ds = dci.track(df.copy(), name="shadow", label="label", root=tmp_path_factory.mktemp("ds"))
    ds.relabel("r1", "bird")
    ds.commit("fix r1")
    wrong = ((df["city"] == "NY") & (df["price"] > 20)).to_numpy()
    return {
        "table": ("table", dci.table(df)),
        "chart": ("chart", dci.chart(bar_chart(["a", "b"], [3, 1]))),
        "review": ("review", dci.review(df.copy(), label="label", issues=issues)),
        "profile": ("profile", dci.profile(df).show().summary),
        "slices": ("slices", dci.slices(df, wrong).summary),
        "history": ("history", ds.history()),
    }


def _answer(widget: Any, content: dict[str, Any]) -> list[dict[str, Any]]:
    """Hand a view's message to its widget as the comm would; return the replies it sent."""
    replies: list[dict[str, Any]] = []
    widget.send = replies.append
    widget._handle_msg(
        {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
    )
    return json.loads(json.dumps(replies))


@pytest.fixture(scope="module")
def page(widgets: dict[str, tuple[str, Any]]) -> Iterator[Any]:
    if chromium_path() is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests must run under CI", pytrace=False)
        pytest.skip(message)
    outside: list[str] = []

    def serve(route: Any) -> None:
        url = route.request.url
        if url.startswith(f"{ORIGIN}/static/"):
            path = STATIC / url.rsplit("/", 1)[-1]
            if path.is_file():
                route.fulfill(body=path.read_bytes(), content_type="text/javascript")
            else:
                route.fulfill(status=404, body=f"no {path.name}")
        elif url.startswith(ORIGIN):
            route.fulfill(body="<!doctype html><html><head></head><body></body></html>",
                          content_type="text/html")  # fmt: skip
        elif url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", serve)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.expose_function("dciSend", lambda name, content: _answer(widgets[name][1], content))
        pg.set_default_timeout(20_000)
        pg.add_init_script(HOST_JS)
        pg.goto(f"{ORIGIN}/")
        yield pg
        context.close()
    assert outside == [], f"the page tried to reach the network: {outside[:5]}"
    assert errors == [], f"errors in the page: {errors[:5]}"


def mount(page: Any, name: str, widgets: dict[str, tuple[str, Any]]) -> None:
    bundle, widget = widgets[name]
    state = {k: v for k, v in widget.get_state().items() if k != "_esm"}
    page.evaluate(
        "([name, bundle, state]) => window.dciMount(name, bundle, state)", [name, bundle, state]
    )


ROOTS = {
    "table": ".dci-table",
    "chart": ".dci-chart-view",
    "review": ".dci-review",
    "profile": ".dci-profile",
    "slices": ".dci-slices",
    "history": ".dci-history",
}


@pytest.mark.parametrize("name", list(ROOTS))
def test_a_view_brings_its_styles_into_the_shadow_root(
    page: Any, widgets: dict[str, tuple[str, Any]], name: str
) -> None:
    mount(page, name, widgets)
    page.locator(f"#host-{name} {ROOTS[name]}").first.wait_for(timeout=10_000)
    got = page.evaluate(
        """([name, selector]) => {
          const view = window.dciViews[name];
          const root = view.shadow.querySelector(selector);
          const style = getComputedStyle(root);
          const ours = s => (s.textContent || '').includes('.dci-');
          return {
            inRoot: view.shadow.querySelectorAll('style[data-dci-style]').length,
            inDocument: [...document.querySelectorAll('style, link')].filter(ours).length,
            headIds: [...document.head.querySelectorAll('style, link')].map(s => s.id),
            border: style.getPropertyValue('--dci-border').trim(),
            fontSize: style.fontSize,
          };
        }""",
        [name, ROOTS[name]],
    )
    assert got["inRoot"] == 1 and got["inDocument"] == 0
    # Only vega-tooltip's own sheet may sit in the head: its tooltip lives in document.body.
    assert set(got["headIds"]) <= {"vega-tooltip-style"}
    # No JupyterLab here: the theme's fallbacks apply.
    assert (got["border"], got["fontSize"]) == ("#e0e0e0", "13px")
    page.evaluate("name => window.dciViews[name].cleanup()", name)
    assert page.evaluate("name => window.dciViews[name].el.childElementCount", name) == 0


def test_a_table_in_a_shadow_root_pages_and_shows_errors_inline(
    page: Any, widgets: dict[str, tuple[str, Any]]
) -> None:
    mount(page, "table", widgets)
    table = page.locator("#host-table .dci-table").last
    table.locator(".dci-row:not(.dci-loading)").first.wait_for(timeout=10_000)
    assert table.locator(".dci-status").inner_text() == "300 rows × 3 columns"
    table.locator(".dci-filter").fill("price >")
    table.locator(".dci-filter").press("Enter")
    error = table.locator(".dci-error")
    error.wait_for(state="visible", timeout=10_000)
    assert error.inner_text().strip() != ""
    table.locator(".dci-filter").fill("city == 'NY'")
    table.locator(".dci-filter").press("Enter")
    error.wait_for(state="hidden", timeout=10_000)
    expected = int((widgets["table"][1].frame["city"] == "NY").sum())
    assert table.locator(".dci-status").inner_text() == f"{expected} of 300 rows match"
