"""The variance table, as seed 000 lays it out: each measure's target, actual and variance
period by period, side by side, and its latest position after the report's period.

Every cell is worded by ``perfnb.wording``; this module only lays the periods out.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from perfnb.periods import parse_period
from perfnb.tables.table import Table, _cells
from perfnb.tables.values import (
    figure_values,
    numbers,
    status_words,
    target_values,
    texts,
    variance_values,
    year_end_target_values,
)
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

    Its CSV is the same figures as data, one row per measure and period shown (its latest
    position a row of its own): ``variance_values``.
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
    values = variance_values_frame(rows, measures, latest)
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
        values=values,
    )


def variance_values_frame(
    shown: pd.DataFrame, measures: pd.DataFrame, latest: pd.DataFrame
) -> pd.DataFrame:
    """The variance table as data: for each measure (in the order of ``measures``), a row for
    each period of ``shown`` (the rows the table prints, each figure once) and one for its
    latest position in ``latest`` when it has one (``position`` is ``period`` or ``latest``)."""
    order = {m: i for i, m in enumerate(measures["measure_id"])}
    periods = {p: i for i, p in enumerate(pd.unique(shown["period"]))}
    rows = shown.assign(
        _measure=shown["measure_id"].map(order), _period=shown["period"].map(periods)
    ).sort_values(["_measure", "_period"], kind="stable")
    frame = pd.DataFrame(
        {
            "measure_id": texts(rows, "measure_id"),
            "name": texts(rows, "name"),
            "unit": texts(rows, "unit"),
            "position": "period",
            "period": texts(rows, "period"),
            **year_end_target_values(rows),
            **target_values(rows),
            **figure_values(rows, "actual"),
            **variance_values(rows),
        },
        index=rows.index,
    )
    had = [latest_period_of(row) != "" for _, row in latest.iterrows()]
    later = latest[had] if len(latest) else latest
    if len(later):
        position = pd.DataFrame(
            {
                "measure_id": texts(later, "measure_id"),
                "name": texts(later, "name"),
                "unit": texts(later, "unit"),
                "position": "latest",
                "period": texts(later, "latest_period"),
                **year_end_target_values(later),
                "target_to_date": numbers(later, "latest_target"),
                "actual": numbers(later, "latest_value"),
                "actual_status": status_words(later, "latest_status"),
                "figure_period": texts(later, "latest_period"),
                "figure_basis": texts(later, "value_basis").where(
                    texts(later, "rag_on").ne("forecast"), "full year forecast"
                ),
                **variance_values(later, "latest_"),
            },
            index=later.index,
        )
        frame = pd.concat([frame, position], ignore_index=True)
        words = [c for c in frame.columns if frame[c].dtype == object]
        frame[words] = frame[words].fillna("")
        frame["_measure"] = frame["measure_id"].map(order)
        frame = frame.sort_values("_measure", kind="stable").drop(columns="_measure")
    return frame.reset_index(drop=True)


def _at_period(rows: pd.DataFrame, period: str, measures: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``period``, one per measure of ``measures`` in its order and index (blank
    where a measure has none)."""
    at = rows[rows["period"] == period].set_index("measure_id").reindex(measures["measure_id"])
    return at.assign(measure_id=at.index).set_index(measures.index)
