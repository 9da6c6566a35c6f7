"""What every view shares: its front-end bundle, and answering requests with replies or errors.

A view sends ``{id, type, ...}`` requests; the kernel answers each with one reply carrying
the same id, or with ``{type: "error", id, error}``, which the view shows inline. Which
requests each view sends and what answers them is declared once, in ``_protocol.py`` (CALLS).
A bug in a handler becomes such an error too: in ipywidgets an exception in a callback is
printed to a log nobody reads, so it must never escape.

Each view's styles are bundled into its ES module and attached inside the view's own element
(``labextension/src/widgets/_shared/style.ts``), not set through anywidget's ``_css``: no copy
of them in every widget's synced state, and a host that mounts widgets in a shadow root
(marimo) has them there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from jupyter_dci.core.table._lazy_pager import LazyPager
from jupyter_dci.core.table._pager import FramePager
from jupyter_dci.errors import DCIError, InvalidParameterError
from jupyter_dci.widgets._protocol import parse_filter, parse_sort

__all__ = ["answer_table_request", "check_request", "read_bundle", "reply_safely"]

log = logging.getLogger("jupyter_dci.widgets")

_STATIC = Path(str(resources.files("jupyter_dci.widgets") / "static"))


def read_bundle(name: str) -> str:
    """Return the built ES module of a view (``static/<name>.js``), or say how to build it.

    Examples
    --------
    >>> read_bundle("table")[:20] != ""
    True
    """
    path = _STATIC / f"{name}.js"
    if not path.is_file():
        raise DCIError(
            f"jupyter_dci's front end is not built: {path} is missing. Install the package with "
            "pip (`pip install .` or `pip install -e .`, which run the npm build; Node.js >= 18 "
            "is needed for a source checkout)."
        )
    return path.read_text(encoding="utf-8")


def check_request(content: Any, view: str) -> dict[str, Any]:
    """Return a request as a dict with an int ``id``, or raise a clear error."""
    if not isinstance(content, dict) or not isinstance(content.get("id"), int):
        raise InvalidParameterError(
            f"A {view} request must be a dict with an int id. Got {content!r}."
        )
    return content


def reply_safely(
    widget: Any,
    content: Any,
    answer: Callable[[dict[str, Any]], dict[str, Any]],
    view: str,
    *,
    echo: tuple[str, ...] = (),
) -> None:
    """Answer one request through ``answer`` and send the reply, or the error, to the view.

    ``echo`` names request keys copied into every reply (e.g. which of a panel's tables asked).
    """
    request_id = content.get("id") if isinstance(content, dict) else None
    try:
        reply = answer(check_request(content, view))
    except DCIError as exc:
        reply = {"type": "error", "id": request_id, "error": str(exc)}
    except Exception as exc:
        log.exception("jupyter_dci %s: request %r failed", view, content)
        reply = {
            "type": "error",
            "id": request_id,
            "error": f"Internal error in the {view} view ({type(exc).__name__}: {exc}). "
            "Please report it to jupyter_dci with the frame's dtypes.",
        }
    if isinstance(content, dict):
        for key in echo:
            if content.get(key) is not None:
                reply[key] = content[key]
    widget.send(reply)


def answer_table_request(
    pager: FramePager | LazyPager, content: dict[str, Any]
) -> dict[str, Any] | None:
    """Answer a table view's ``page`` or ``select`` request; None for any other type."""
    kind = content.get("type")
    if kind not in ("page", "select"):
        return None
    sort = parse_sort(content.get("sort"))
    filt = parse_filter(content.get("filter"))
    if kind == "page":
        page = pager.page(content.get("offset"), content.get("limit"), sort=sort, filter=filt)
        return {"type": "page", "id": content["id"], **page.to_dict()}
    count = pager.select(
        content.get("op"), content.get("row"), anchor=content.get("anchor"), sort=sort, filter=filt
    )
    return {"type": "selection", "id": content["id"], "count": count}
