"""Result objects to Vega-Lite specs, built from aggregated, bounded data only.

The Altair-built charts are imported on first use: importing Altair costs seconds, and the
profile's cards need only the fast specs of :mod:`jupyter_dci.charts._fast`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jupyter_dci.charts._fast import bar_spec, histogram_spec, rate_spec, versions_spec

if TYPE_CHECKING:
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
    "rate_spec",
    "versions_chart",
    "versions_spec",
]

_ALTAIR = {"MAX_MARKS", "bar_chart", "histogram_chart", "rate_chart", "versions_chart"}


def __getattr__(name: str) -> Any:
    if name in _ALTAIR:
        from jupyter_dci.charts import _specs

        return getattr(_specs, name)
    raise AttributeError(f"module 'jupyter_dci.charts' has no attribute {name!r}")
