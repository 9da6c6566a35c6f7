"""Play a view's front end from Python: send requests as the browser does, keep the replies."""

from __future__ import annotations

from typing import Any


class Recorder:
    """Sends custom messages to a widget the way its view does and records the replies."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.replies: list[dict[str, Any]] = []
        view.send = self.replies.append
        self.next_id = 0

    def request(self, **content: Any) -> dict[str, Any]:
        """Send one request with a fresh id; return the reply, which must carry that id."""
        self.next_id += 1
        msg = {
            "content": {"data": {"method": "custom", "content": {"id": self.next_id, **content}}},
            "buffers": [],
        }
        self.view._handle_msg(msg)
        reply = self.replies[-1]
        assert reply["id"] == self.next_id
        return reply
