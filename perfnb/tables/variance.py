"""The variance table, as seed 000 lays it out: each measure's target, actual and variance
period by period, side by side, and its latest position after the report's period.

Every cell is worded by ``perfnb.wording``; this module only lays the periods out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from perfnb.periods import parse_period
from perfnb.tables.table import Table, _cells
from perfnb.wording import (
    actual_text,
    format_target,
    period_note,
    target_text,
    variance_text,
    with_note,
)
from perfnb.wording_latest import (
    latest_actual_text,
    latest_heading,
    latest_period_of,
    latest_row,
    latest_target_text,
)

__all__ = ["variance_table"]


def variance_table(rows: pd.DataFrame) -> Table:
    """Seed 000's table: for each measure with a target, each period's target, actual and
    variance (per cent of target to one place, or percentage points for percentages, as every
    table prints them), side by side.

    ``rows`` are the engine's rows of several report periods (say Q1 and Q2 of a year, or
    :func:`perfnb.history.variance_periods`). Each figure is shown once, under the first
    period that reports it: a quarterly measure's Q2 is not repeated under October. When the
    last period's rows have a latest position (a figure after the period), it follows as a
    period of its own, ``Latest (Oct 2012)``; a measure rated on its forecast says its figures
    are forecasts. targets.csv's note of the year is printed beside the year-end target, and a
    period's own target's note beside that period's target when it is not the year's.
    """
    has_target = rows["target"].notna() | rows["annual_target"].notna()
    rows = rows[has_target | (rows["band_low"].notna() & rows["band_high"].notna())]
    periods: Sequence[str] = list(pd.unique(rows["period"]))
    measures = rows.drop_duplicates("measure_id")
    columns: dict[tuple[str, str], pd.Series] = {
        ("", "Measure"): measures["measure_id"].astype(object),
        ("", "Description"): measures["name"].astype(object),
        ("", "Year-end target"): _cells(measures, format_target),
    }
    latest = _at_period(rows, periods[-1], measures) if periods else measures
    shown = rows["value_period"].where(rows["value_period"] != "", rows["period"])
    rows = rows[~rows.assign(_shown=shown).duplicated(["measure_id", "_shown"])]
    for period in periods:
        at = _at_period(rows, period, measures)
        at = at.fillna({"value_period": "", "note": "", "pending": False, "unit": ""})
        heading = parse_period(period).short_label
        columns[(heading, "Target")] = _cells(
            at, lambda r: with_note(target_text(r), period_note(r))
        )
        columns[(heading, "Actual")] = _cells(at, actual_text)
        # rounded as the scorecard and a measure's facts round it (seed 000 printed -16%)
        columns[(heading, "Variance")] = _cells(at, variance_text)
    latest_head = latest_heading(latest)
    if latest_head:
        named = latest_head == "Latest"
        latest = latest.apply(latest_row, axis=1)
        columns[(latest_head, "Target")] = _cells(latest, latest_target_text)
        columns[(latest_head, "Actual")] = _cells(latest, lambda r: latest_actual_text(r, named))
        columns[(latest_head, "Variance")] = _cells(
            latest, lambda r: variance_text(r) if latest_period_of(r) else ""
        )
    table = pd.DataFrame(columns).reset_index(drop=True)
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    numeric = ("Year-end target", "Target", "Actual", "Variance")
    return Table(
        "variance",
        "Target, actual and variance by period",
        table,
        numeric=numeric,
        empty_text="No measure has a target.",
        wide=len(periods) + bool(latest_head) > 2,
    )


def _at_period(rows: pd.DataFrame, period: str, measures: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``period``, one per measure of ``measures`` in its order and index (blank
    where a measure has none)."""
    at = rows[rows["period"] == period].set_index("measure_id").reindex(measures["measure_id"])
    return at.assign(measure_id=at.index).set_index(measures.index)
