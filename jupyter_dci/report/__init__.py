"""The offline HTML report of a profile: one self-contained file, inline SVG, no JavaScript.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.profile import profile
>>> from jupyter_dci.report import render_html
>>> render_html(profile(pd.DataFrame({"a": [1, 2]}))).startswith("<!DOCTYPE html>")
True
"""

from jupyter_dci.report._html import render_html, write_html

__all__ = ["render_html", "write_html"]
