"""Checks of measures.csv's own rules, and of other files' rows against their measures.

A service or measure_id must give a distinct file name short enough for a file system;
decimals, min_base, from and until, and rate_per must make sense; a measure_id in another file
must be one of measures.csv's. ``measure_attribute`` gives each row of another file its
measure's unit, polarity or frequency, for the checks of :mod:`perfnb.validate_values` and
:mod:`perfnb.validate_targets`, and ``check_percent_sign`` checks a figure against its unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.contract import Problem, slugify
from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import RawTable

__all__ = [
    "MAX_DECIMALS",
    "MAX_NAME_SLUG",
    "check_measure_ids",
    "check_measures",
    "check_name_lengths",
    "check_percent_sign",
    "measure_attribute",
]

MAX_DECIMALS = 6  # the most decimal places a measure may show
# a report's or chart's file name is built from a service or measure_id (``trend-<measure>``,
# ``cumulative-<measure>-<year>``); file systems refuse names over 255 bytes
MAX_NAME_SLUG = 100


def check_measures(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """measures.csv's own rules: distinct report file names, decimals, min_base, from before
    until, rate_per."""
    table = tables.get("measures")
    if table is None:
        return
    frame = table.frame
    if "service" in frame:
        names = frame["service"].astype(str).str.strip()
        first: dict[str, str] = {}
        for idx, name in names.drop_duplicates().items():
            slug = slugify(name)
            if name and slug in first and first[slug] != name:
                file, row, header = table.locate(idx, "service")
                out.add(
                    Problem(
                        file,
                        f"gives the same report file name ({slug}) as {first[slug]!r}; "
                        "rename one of them",
                        row=row,
                        column=header,
                        value=name,
                    )
                )
            first.setdefault(slug, name)
    if "decimals" in frame:
        out.add_rows(
            table,
            table.number("decimals") > MAX_DECIMALS,
            "decimals",
            f"is more than {MAX_DECIMALS}; expected 0 to {MAX_DECIMALS} decimal places",
        )
    if "min_base" in frame:
        out.add_rows(
            table, table.number("min_base") < 0, "min_base", "is below zero; expected 0 or more"
        )
    if "from" in frame and "until" in frame:
        starts, ends = table.periods("from")["period_start"], table.periods("until")["period_end"]
        out.add_rows(
            table,
            starts > ends,
            "until",
            "is before the measure's from period; expected from to come first",
        )
    if "rate_per" in frame:
        rate_per = table.number("rate_per")
        out.add_rows(table, rate_per <= 0, "rate_per", "must be more than 0, e.g. 100000")


def check_name_lengths(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """A service or measure_id whose file name would be too long for a file system."""
    table = tables.get("measures")
    if table is None:
        return
    for column in ("service", "measure_id"):
        if column not in table.frame:
            continue
        long = table.frame[column].astype(str).map(lambda text: len(slugify(text)) > MAX_NAME_SLUG)
        out.add_rows(
            table,
            long,
            column,
            f"is too long to name a file (over {MAX_NAME_SLUG} letters and digits); shorten it",
            show_value=False,
        )


def check_measure_ids(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """Every measure_id of another file is one of measures.csv's."""
    measures = tables.get("measures")
    if measures is None or "measure_id" not in measures.frame:
        return
    known = set(measures.frame["measure_id"].astype(str).str.strip())
    for name, table in tables.items():
        if name == "measures" or "measure_id" not in table.frame:
            continue
        unknown = table.each("measure_id", lambda ids: (ids != "") & ~ids.isin(known))
        out.add_rows(table, unknown, "measure_id", "is not a measure_id in measures.csv")


def measure_attribute(tables: dict[str, RawTable], table: RawTable, column: str) -> pd.Series:
    """For each row of ``table``, the measures.csv ``column`` of its measure (lower case), as
    a categorical: a few distinct words over millions of rows."""
    measures = tables["measures"].frame
    if column not in measures or "measure_id" not in measures:
        return pd.Series("", index=table.frame.index)
    lookup = dict(
        zip(
            measures["measure_id"].astype(str).str.strip(),
            measures[column].astype(str).str.strip().str.lower(),
            strict=False,
        )
    )
    codes, ids = table.distinct("measure_id")
    words, vocabulary = pd.factorize(ids.map(lookup).fillna("").astype(str))
    categories = pd.Index(vocabulary, dtype=str)
    attribute = pd.Categorical.from_codes(words.astype(np.int32).take(codes), categories=categories)
    return pd.Series(attribute, index=table.frame.index)


def check_percent_sign(
    table: RawTable, column: str, unit: pd.Series, out: ProblemCollector
) -> None:
    """A figure written with % for a measure whose unit is not percent is a mistake."""
    wrong = table.each(column, lambda text: text.str.endswith("%")) & (unit != "percent")
    wrong &= unit != ""
    out.add_rows(
        table,
        wrong,
        column,
        "has a % sign but the measure's unit is not percent; check the unit in measures.csv",
    )
