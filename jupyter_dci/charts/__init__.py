"""Result objects to Altair specs, built from aggregated, bounded data only."""

from jupyter_dci.charts._fast import bar_spec, histogram_spec
from jupyter_dci.charts._specs import (
    MAX_MARKS,
    bar_chart,
    histogram_chart,
    rate_chart,
    versions_chart,
)

__all__ = [
    "MAX_MARKS",
    "bar_chart",
    "bar_spec",
    "histogram_chart",
    "histogram_spec",
    "rate_chart",
    "versions_chart",
]
