"""Checks of values.csv, the actual figures, against their measures.

A percentage within 0-100, and a % sign only on a percent measure; a numerator or base of 0
or more and a denominator above 0; both for a ratio measure; a note saying when a pending
figure is due; no month for a quarterly measure; a period within the measure's from and until.
"""

from __future__ import annotations

import pandas as pd

from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import RawTable
from perfnb.validate_measures import check_percent_sign, measure_attribute

__all__ = ["check_values"]

_NON_NEGATIVE_UNITS = ("count", "days", "rate")  # below zero is suspicious (a warning)


def check_values(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """values.csv's figures against their measures' unit, aggregation, frequency and span."""
    table = tables.get("values")
    if table is None or "measures" not in tables or "measure_id" not in table.frame:
        return
    frame = table.frame
    unit = measure_attribute(tables, table, "unit")
    if "value" in frame:
        pct = (unit == "percent") & table.number_is("value", lambda v: (v < 0) | (v > 100))
        out.add_rows(table, pct, "value", "is outside 0-100 for a percent measure")
        check_percent_sign(table, "value", unit, out)
        negative = unit.isin(_NON_NEGATIVE_UNITS) & table.number_is("value", lambda v: v < 0)
        out.add_rows(
            table,
            negative,
            "value",
            "is below zero, which a count, number of days or rate rarely is; check the sign",
            severity="warning",
        )
        note_blank = table.blank("note") if "note" in frame else pd.Series(True, frame.index)
        pending = table.blank("value") & note_blank
        if "numerator" in frame and "denominator" in frame:
            # a ratio measure's figure is its numerator over its denominator: no value needed
            counted = ~table.blank("numerator") & ~table.blank("denominator")
            pending &= ~counted
        out.add_rows(
            table,
            pending,
            "value",
            "is blank with no note; it is shown as pending. Add a note such as 'Due May-18' "
            "to say when it is due",
            severity="warning",
            show_value=False,
        )
    for name in ("numerator", "base"):
        if name in frame:
            below = table.number_is(name, lambda v: v < 0)
            out.add_rows(table, below, name, "is below zero; expected a count of 0 or more")
    if "denominator" in frame:
        none = table.number_is("denominator", lambda v: v <= 0)
        out.add_rows(table, none, "denominator", "must be more than 0")
    _check_reported_span(tables, table, out)
    if "period" in frame:
        frequency = measure_attribute(tables, table, "frequency")
        month = table.periods("period").each(lambda p: p["period_kind"] == "month")
        out.add_rows(
            table,
            (frequency == "quarterly") & month,
            "period",
            "is a month, but the measure is quarterly; give the quarter's figure (2017/18 Q1), "
            "or make the measure monthly in measures.csv",
        )
    aggregation = measure_attribute(tables, table, "aggregation")
    if "value" in frame:
        has_value = ~table.blank("value")
        for name in ("numerator", "denominator"):
            blank = table.blank(name) if name in frame else pd.Series(True, frame.index)
            out.add_rows(
                table,
                (aggregation == "ratio") & has_value & blank,
                name if name in frame else "value",
                f"is missing for a ratio measure; its year to date is the sum of numerators "
                f"over the sum of denominators, so every figure needs its {name}",
                show_value=False,
            )
    if "numerator" in frame and "denominator" in frame:
        over = (unit == "percent") & (table.number("numerator") > table.number("denominator"))
        out.add_rows(
            table, over, "numerator", "is more than the denominator, which a percentage cannot be"
        )


def _check_reported_span(
    tables: dict[str, RawTable], table: RawTable, out: ProblemCollector
) -> None:
    """A figure for a period outside its measure's from and until is a warning: reports leave
    out one after until, and show none before from (a later year to date counts it)."""
    measures = tables["measures"]
    if "period" not in table.frame or not {"from", "until"} & set(measures.frame):
        return
    ids = measures.frame["measure_id"].astype(str).str.strip()
    period = table.periods("period")
    codes, row_ids = table.distinct("measure_id")
    for name, message in (
        (
            "from",
            "is before the measure's from period in measures.csv; no report shows it, though "
            "a year to date from then on counts it",
        ),
        ("until", "is after the measure's until period in measures.csv; reports leave it out"),
    ):
        if name not in measures.frame:
            continue
        spans = measures.periods(name)
        edge = "period_start" if name == "from" else "period_end"
        lookup = pd.Series(spans[edge].to_numpy(), index=ids.to_numpy())
        lookup = lookup[~lookup.index.duplicated()]
        limits = row_ids.map(lookup)
        if limits.isna().all():
            continue  # no measure has one: no row is outside it
        limit = pd.Series(limits.array.take(codes), index=table.frame.index)
        outside = period["period_end"] < limit if name == "from" else period["period_start"] > limit
        out.add_rows(table, outside.fillna(False), "period", message, severity="warning")
