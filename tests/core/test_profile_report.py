"""The HTML report renders every awkward frame (its escaping is tested in tests/test_report.py)."""

from __future__ import annotations

from jupyter_dci.core.profile import profile
from jupyter_dci.core.profile._html import render_html


def test_awkward_frames_render(awkward_frame, odd_shape_frame):
    assert "</html>" in render_html(profile(awkward_frame))
    assert "</html>" in render_html(profile(odd_shape_frame))
