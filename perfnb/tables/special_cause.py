"""The special-cause table: the points of a measure's XmR chart that signal special cause
variation, each with its rule and why in plain English."""

from __future__ import annotations

import pandas as pd

from perfnb.contract import slugify
from perfnb.tables.table import Table
from perfnb.wording import format_value

__all__ = ["special_cause_table"]


def special_cause_table(
    measure_id: str,
    result: pd.DataFrame,
    unit: str = "count",
    decimals: int = 0,
    rate_per: float | None = None,
) -> Table:
    """A measure's special-cause points from its XmR chart (``perfnb.spc.xmr``): the period,
    the figure (in the measure's ``unit`` and ``decimals``), improvement or concern, the rule in
    NHSRplotthedots' words and why in plain English; in its CSV the figure is a number
    (``value``, in ``unit``)."""
    special = result[~result["point_type"].isin(["common_cause", "missing"])]
    kinds = {
        "special_cause_improvement": "Improvement",
        "special_cause_concern": "Concern",
        "special_cause_neutral_high": "High",
        "special_cause_neutral_low": "Low",
    }
    table = pd.DataFrame(
        {
            "Period": special["period"].astype(str).astype(object),
            "Figure": special["value"].map(lambda v: format_value(v, unit, decimals, rate_per)),
            "Signal": special["point_type"].map(kinds).astype(object),
            "Rule": special["special_cause_type"].astype(object),
            "Why": special["explanation"].astype(object),
        }
    ).reset_index(drop=True)
    values = pd.DataFrame(
        {
            "measure_id": measure_id,
            "period": special["period"].astype(str).astype(object),
            "value": pd.to_numeric(special["value"], errors="coerce").astype(float),
            "unit": unit,
            "signal": special["point_type"].map(kinds).astype(object),
            "rule": special["special_cause_type"].astype(object),
            "why": special["explanation"].astype(object),
        },
        index=special.index,
    ).reset_index(drop=True)
    return Table(
        f"special-cause-{slugify(measure_id)}",
        f"{measure_id}: special cause points",
        table,
        numeric=("Figure",),
        empty_text="Every point is common cause variation: no signal in the series.",
        row_header="Period",
        values=values,
    )
