"""Notebook views (anywidget): thin wrappers over core results; they compute nothing themselves."""

from jupyter_dci.widgets._chart import ChartWidget, chart
from jupyter_dci.widgets._review import ReviewWidget, review
from jupyter_dci.widgets._table import TableWidget, table

__all__ = ["ChartWidget", "ReviewWidget", "TableWidget", "chart", "review", "table"]
