"""Fixtures of the real-browser tests: one JupyterLab server and one Chromium per session.

Under CI (the ``CI`` environment variable set) a missing Chromium is a failure, never a
skip: the browser tests are the only check of what a person sees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import LabServer, chromium, chromium_path, lab_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# Module scope, not session: Playwright's sync API keeps an asyncio loop marked as running in
# the main thread while it is open, and code that defers work to a running loop (the history
# panel, the kernel bridge) would wait forever in the tests that run after the browser ones.
@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    if chromium_path() is None:
        message = (
            "Debian's chromium is not installed (apt-get install -y chromium; `make test` does it)"
        )
        if os.environ.get("CI"):
            pytest.fail(message + ": browser tests must run under CI", pytrace=False)
        pytest.skip(message)
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    with lab_server(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture
def page(chromium_browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    # The network is unplugged: anything that is not the local server is refused and noted,
    # and a test that made the page reach out fails.
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.page_errors = errors  # type: ignore[attr-defined]
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
    context.close()
    assert outside == [], f"the page tried to reach the network: {outside[:5]}"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
