"""Checks of targets.csv: each row a year's target or a period's, a target or a band.

A row gives a year (the year-end target) or a period (a quarter or month the measure's
frequency has), a single target or a band (band_low and band_high, for a band measure only),
within 0-100 for a percent measure; a profile is linear or its weights; one target per
measure and period (or year).
"""

from __future__ import annotations

import re

import pandas as pd

from perfnb.contract import Problem
from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import PeriodColumns, RawTable
from perfnb.validate_measures import check_percent_sign, measure_attribute

__all__ = ["check_targets"]

_PROFILE_RE = re.compile(r"^(linear|[qm]\s*:\s*\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*)$", re.I)


def check_targets(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """targets.csv's rows: their year or period, a target or a band, its unit, its profile."""
    table = tables.get("targets")
    if table is None or "measures" not in tables or "measure_id" not in table.frame:
        return
    frame = table.frame
    if not any(c in frame for c in ("target", "band_low", "band_high")):
        out.add(
            Problem(
                table.label,
                "needs a target column, or band_low and band_high columns",
                column="target",
            )
        )
        return
    _check_target_periods(tables, table, out)
    polarity = measure_attribute(tables, table, "polarity")
    unit = measure_attribute(tables, table, "unit")
    target, low, high = (table.number(c) for c in ("target", "band_low", "band_high"))
    has_band = low.notna() | high.notna()
    one_edge = low.notna() ^ high.notna()
    out.add_rows(
        table,
        one_edge & low.isna(),
        "band_low",
        "is blank; a band needs both band_low and band_high",
        show_value=False,
    )
    out.add_rows(
        table,
        one_edge & high.isna(),
        "band_high",
        "is blank; a band needs both band_low and band_high",
        show_value=False,
    )
    out.add_rows(table, low > high, "band_low", "is above band_high; expected low <= high")
    both = target.notna() & has_band
    if "target" in frame:
        out.add_rows(
            table, both, "target", "is given as well as a band; give a target or a band, not both"
        )
        not_band_measure = (polarity != "band") & (polarity != "") & has_band & ~both
        out.add_rows(
            table,
            not_band_measure & low.notna(),
            "band_low",
            "is a band for a measure whose polarity is not band",
        )
        out.add_rows(
            table,
            (polarity == "band") & target.notna(),
            "target",
            "is a single target for a band measure; expected band_low and band_high",
        )
    for name, numbers in (("target", target), ("band_low", low), ("band_high", high)):
        if name in frame:
            check_percent_sign(table, name, unit, out)
            out.add_rows(
                table,
                (unit == "percent") & ((numbers < 0) | (numbers > 100)),
                name,
                "is outside 0-100 for a percent measure",
            )
    if "profile" in frame:
        text = frame["profile"].astype(str).str.strip()
        bad = (text != "") & ~text.str.match(_PROFILE_RE)
        out.add_rows(
            table,
            bad,
            "profile",
            "is not a profile; expected linear, q: four weights such as q:20,25,25,30 "
            "or m: twelve weights",
        )
        counts = text.str.replace(r"^[qmQM]\s*:", "", regex=True).str.count(",") + 1
        kind = text.str[:1].str.lower()
        wrong = ~bad & (((kind == "q") & (counts != 4)) | ((kind == "m") & (counts != 12)))
        out.add_rows(
            table,
            wrong & (text != ""),
            "profile",
            "has the wrong number of weights; expected 4 after q: or 12 after m:",
        )
        weighted = ~bad & ~wrong & kind.isin(["q", "m"])
        zero = pd.Series(False, index=text.index)
        if weighted.any():
            weights = text[weighted].str.replace(r"^[qmQM]\s*:", "", regex=True).str.split(",")
            zero[weighted] = weights.map(lambda ws: sum(float(w) for w in ws)) <= 0
        out.add_rows(
            table,
            zero,
            "profile",
            "has weights that add up to 0; at least one weight must be more than 0",
        )


def _check_target_periods(
    tables: dict[str, RawTable], table: RawTable, out: ProblemCollector
) -> None:
    """A target row is a year's (``year``) or a period's (``period``: a quarter or month the
    measure's frequency can have, in ``year`` if both are given); one row per measure and
    period or year."""
    frame = table.frame
    blank = pd.Series(True, index=frame.index)
    year_blank = table.blank("year") if "year" in frame else blank
    period_blank = table.blank("period") if "period" in frame else blank
    if "year" not in frame and "period" not in frame:
        out.add(
            Problem(table.label, "is missing; expected a year or a period column", column="year")
        )
        return
    out.add_rows(
        table,
        year_blank & period_blank,
        "year" if "year" in frame else "period",
        "is blank; expected a financial year such as 2017/18 for the year's target, or a "
        "period such as 2017/18 Q2 in the period column for the target at that period",
        show_value=False,
    )
    if "period" not in frame:
        return _check_target_keys(table, None, out)
    periods = table.periods("period")
    kind = periods["period_kind"]
    out.add_rows(
        table,
        kind == "year",
        "period",
        "is a year; a year's target goes in the year column (period is for a quarter or month)",
    )
    if "year" in frame:
        years = table.periods("year")
        wrong = ~year_blank & kind.isin(["quarter", "month"]) & years["fy"].ge(0)
        wrong &= years["fy"] != periods["fy"]
        out.add_rows(
            table,
            wrong,
            "year",
            "is not the financial year of the row's period; leave it blank or give the period's "
            "own year",
        )
    frequency = measure_attribute(tables, table, "frequency")
    out.add_rows(
        table,
        (frequency == "annual") & kind.isin(["quarter", "month"]),
        "period",
        "is a target for part of a year, but the measure is annual; give the year's target in "
        "the year column",
    )
    out.add_rows(
        table,
        (frequency == "quarterly") & (kind == "month"),
        "period",
        "is a month, but the measure is quarterly and has no monthly figures; give the target "
        "at a quarter such as 2017/18 Q2",
    )
    _check_target_keys(table, periods, out)


def _check_target_keys(
    table: RawTable, periods: PeriodColumns | None, out: ProblemCollector
) -> None:
    """One target per measure and period (or year, for a year's target)."""
    frame = table.frame
    if "measure_id" not in frame:
        return
    when = pd.Series("", index=frame.index, dtype=object)
    if "year" in frame:
        years = table.periods("year")["period"]
        when = years.where(years.notna(), "").astype(object)
    labels = periods["period"] if periods is not None else None
    if labels is not None:
        when = labels.where(labels.notna(), when).astype(object)
    ids = table.each("measure_id", lambda text: text)
    keyed = pd.DataFrame({"measure_id": ids, "when": when})
    keyed = keyed[(keyed["measure_id"] != "") & (keyed["when"] != "")]
    repeated = keyed.duplicated(keep="first")
    if not repeated.any():
        return
    first = (
        pd.Series(keyed.index, index=keyed.index)
        .groupby([keyed["measure_id"], keyed["when"]], sort=False)
        .transform("first")
    )
    for idx in repeated[repeated].index:
        column = "period" if labels is not None and pd.notna(labels.at[idx]) else "year"
        file, row, header = table.locate(idx, column)  # a kpis cell: its sheet, row and header
        first_file, first_row, _ = table.locate(first.loc[idx], column)
        where = f"row {first_row}" if first_file == file else f"{first_file}, row {first_row}"
        out.add(
            Problem(
                file,
                f"repeats measure_id {keyed.at[idx, 'measure_id']} and {column} "
                f"{keyed.at[idx, 'when']}, already on {where}",
                row=row,
                column=header,
                value=str(frame.at[idx, column]),
            ),
            rule="duplicate",
        )
