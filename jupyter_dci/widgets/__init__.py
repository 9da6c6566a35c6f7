"""Notebook views (anywidget): thin wrappers over core results; they compute nothing themselves."""

from jupyter_dci.widgets._chart import ChartWidget, chart
from jupyter_dci.widgets._history import HistoryWidget, history
from jupyter_dci.widgets._review import ReviewWidget, review
from jupyter_dci.widgets._slices import SlicesPanel, slices
from jupyter_dci.widgets._table import TableWidget, table

__all__ = [
    "ChartWidget",
    "HistoryWidget",
    "ReviewWidget",
    "SlicesPanel",
    "TableWidget",
    "chart",
    "history",
    "review",
    "slices",
    "table",
]
