"""The table's kernel side: paging, sorting and filtering a frame, and rendering its cells.

- ``_pager`` answers page requests (offset, sort, filter) with bounded pages.
- ``_cells`` renders any value as bounded, escaped-by-the-view text or a thumbnail.
- ``_images`` recognises image arrays, PIL images and PNG/JPEG bytes and makes thumbnails.

Examples
--------
>>> import pandas as pd
>>> from jupyter_dci.core.table import FramePager
>>> FramePager(pd.DataFrame({"x": [3, 1, 2]})).n_rows
3
"""

from jupyter_dci.core.table._cells import column_kind, display_name, format_value
from jupyter_dci.core.table._pager import FramePager, Page, SortSpec

__all__ = ["FramePager", "Page", "SortSpec", "column_kind", "display_name", "format_value"]
