"""Drive a real JupyterLab (or Notebook 7) server with Debian's Chromium through Playwright.

Shared by the browser tests and ``benchmarks/bench_table.py``. Everything runs on
127.0.0.1; every wait polls for a state with a deadline, never sleeps and hopes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

#: Chromium flags that keep it quiet on a machine with no network (notes/jupyter-offline.md).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or None when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns a truthy value; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(
        f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})"
    )


@dataclass
class LabServer:
    """A running Jupyter server: its base URL, its root folder and its process."""

    url: str
    root: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """The server's output so far (for failure messages)."""
        return self.log_path.read_text(errors="replace")[-5000:]


@contextmanager
def lab_server(workdir: Path) -> Iterator[LabServer]:
    """Start JupyterLab on 127.0.0.1 with no token, fresh settings, and stop it afterwards."""
    root = workdir / "root"
    settings = workdir / "settings"
    for d in (root, settings, workdir / "workspaces"):
        d.mkdir(parents=True, exist_ok=True)
    # Silence the news and update toasts, which would cover the page.
    notif = settings / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True, exist_ok=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port = free_port()
    log_path = workdir / "server.log"
    env = dict(os.environ)
    # Two cores: keep the kernel's BLAS/OpenMP from thrashing the browser and server.
    env.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    cmd = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env)
    server = LabServer(url=f"http://127.0.0.1:{port}", root=root, process=proc, log_path=log_path)
    try:

        def up() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{server.log()}")
            with urllib.request.urlopen(f"{server.url}/api/status", timeout=2) as resp:
                return resp.status == 200

        wait_for(up, 90, "the Jupyter server to answer", interval=0.25)
        yield server
    finally:
        proc.terminate()  # SIGTERM: the server shuts its kernels down too
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def write_notebook(path: Path, cells: list[str]) -> Path:
    """Write a notebook of code cells."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# JavaScript run in the page. JupyterLab exposes `window.jupyterapp`
# (--LabApp.expose_app_in_browser); Notebook 7 is a JupyterLab-based app that exposes the same.
_JS_KERNEL_IDLE = """(path) => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && w.context.isReady && w.context.path === path;
}"""

_JS_KERNEL_EVAL = """async (code) => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w.sessionContext.session.kernel;
  const future = kernel.requestExecute({ code, silent: false, store_history: false });
  let out = '';
  let err = '';
  future.onIOPub = msg => {
    const t = msg.header.msg_type;
    if (t === 'stream') { out += msg.content.text; }
    if (t === 'error') { err += msg.content.ename + ': ' + msg.content.evalue; }
  };
  await future.done;
  if (err) { throw new Error(err); }
  return out;
}"""


_workspace_counter = 0


def open_notebook(
    page: Any, server: LabServer, rel_path: str, *, app: str = "lab", timeout: float = 90
) -> None:
    """Open a notebook in JupyterLab (``app="lab"``) or Notebook 7 (``"notebook"``), kernel idle."""
    if app == "lab":
        # A workspace of its own, reset: JupyterLab would otherwise reopen the tabs of
        # earlier pages of the same server, and "the current notebook" would be another one.
        global _workspace_counter
        _workspace_counter += 1
        url = f"{server.url}/lab/workspaces/t{_workspace_counter}/tree/{rel_path}?reset"
    else:
        url = f"{server.url}/notebooks/{rel_path}"
    page.goto(url)
    page.wait_for_function(_JS_KERNEL_IDLE, arg=rel_path, timeout=timeout * 1000, polling=200)


def run_all_cells(page: Any, *, timeout: float = 120) -> None:
    """Run every cell of the current notebook and wait until the kernel is idle again."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Wait until no cell is queued or running: each shows "[*]" while it does.
    page.wait_for_function(
        """() => {
          const w = window.jupyterapp.shell.currentWidget;
          const k = w.sessionContext.session.kernel;
          const cells = w.content.widgets;
          return k.status === 'idle' && cells.length > 0 &&
            cells.every(c => c.model.type !== 'code' || c.model.executionCount !== null);
        }""",
        timeout=timeout * 1000,
        polling=200,
    )


def wait_cell_done(page: Any, index: int, *, timeout: float = 120) -> None:
    """Wait until cell ``index`` of the open notebook has run and the kernel is idle."""
    page.wait_for_function(
        """(i) => { const w = window.jupyterapp.shell.currentWidget;
                    return w.sessionContext.session.kernel.status === 'idle'
                      && w.content.widgets[i].model.executionCount !== null; }""",
        arg=index,
        timeout=timeout * 1000,
        polling=100,
    )


def run_cell(page: Any, index: int, *, timeout: float = 120) -> str:
    """Run cell ``index`` of the open notebook, wait for it, and return its output's text."""
    page.evaluate(
        """(i) => { const app = window.jupyterapp;
                    app.shell.currentWidget.content.activeCellIndex = i;
                    void app.commands.execute('notebook:run-cell'); }""",
        index,
    )
    wait_cell_done(page, index, timeout=timeout)
    return str(
        page.evaluate(
            "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
            ".outputArea.node.innerText",
            index,
        )
    )


def shut_down_sessions(server: LabServer) -> None:
    """Shut down every kernel session of the server (a benchmark's big frames go with them)."""
    with urllib.request.urlopen(f"{server.url}/api/sessions", timeout=10) as resp:
        sessions = json.loads(resp.read().decode())
    for session in sessions:
        req = urllib.request.Request(f"{server.url}/api/sessions/{session['id']}", method="DELETE")
        with urllib.request.urlopen(req, timeout=30):
            pass


def kernel_eval(page: Any, code: str) -> str:
    """Run code in the open notebook's kernel and return what it printed."""
    return str(page.evaluate(_JS_KERNEL_EVAL, code))


@contextmanager
def chromium(headless: bool = True) -> Iterator[Any]:
    """Launch Debian's Chromium through Playwright (which cannot download its own here)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("Debian's chromium is not installed: apt-get install -y chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=headless, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def poll_kernel(page: Any, code: str, done: Callable[[str], bool], *, timeout: float = 10) -> str:
    """Run ``code`` in the kernel until what it prints satisfies ``done``; return that output."""
    found: list[str] = []

    def check() -> bool:
        out = kernel_eval(page, code).strip()
        found[:] = [out]
        return done(out)

    wait_for(check, timeout, f"the kernel to print the expected state for {code!r}", interval=0.1)
    return found[0]
