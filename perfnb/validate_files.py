"""Checks of each input file on its own, by its spec in :mod:`perfnb.contract`.

Every required column is there; every cell holds what its column's kind expects (a number, a
whole number, a choice, yes or no, a tolerance, a period, a financial year, a word); no key is
given twice; measures and values have a row.
"""

from __future__ import annotations

import pandas as pd

from perfnb.contract import FLAGS, Column, Problem
from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import RawTable

__all__ = [
    "TOLERANCE_RE",
    "check_cells",
    "check_duplicates",
    "check_rows_exist",
    "describe_choices",
]

# a tolerance: relative, 5% of the target, or absolute, 2 in the measure's unit
TOLERANCE_RE = r"^\d+(?:\.\d+)?%?$"
_WORD_COLUMNS = {"name", "service", "theme"}  # a bare number here means shifted columns
_NAME_COLUMNS = {"name", "service"}  # ... certainly here; a theme might be numbered


def describe_choices(column: Column) -> str:
    """The values a choice column allows, as a message lists them."""
    return ", ".join(column.choices)


def check_cells(table: RawTable, out: ProblemCollector) -> None:
    """Per-cell checks of one file: required columns, blanks, numbers, choices, periods."""
    frame, spec = table.frame, table.spec
    missing = [c.name for c in spec.columns if c.required and c.name not in frame.columns]
    for name in missing:
        have = ", ".join(frame.columns) or "none"
        out.add(Problem(table.label, f"is missing; the file's columns are: {have}", column=name))
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        text = frame[column.name].astype(str).str.strip()
        blank = text == ""
        if not column.blank_ok:
            out.add_rows(
                table,
                blank,
                column.name,
                f"is blank; expected {_expected(column)}",
                show_value=False,
            )
        filled = ~blank
        if column.kind in ("number", "integer"):
            numbers = table.number(column.name)
            formula = filled & text.str.startswith("=")
            out.add_rows(
                table,
                formula,
                column.name,
                "is a formula whose result was never saved; open the workbook in Excel and save "
                "it, or paste the values",
            )
            bad = filled & numbers.isna() & ~formula
            out.add_rows(table, bad, column.name, f"is not a number; expected {_expected(column)}")
            if column.kind == "integer":
                frac = filled & numbers.notna() & ((numbers % 1 != 0) | (numbers < 0))
                out.add_rows(
                    table, frac, column.name, "is not a whole number; expected 0, 1, 2, ..."
                )
        elif column.kind == "choice":
            bad = filled & ~text.str.lower().isin([c.lower() for c in column.choices])
            out.add_rows(
                table,
                bad,
                column.name,
                f"is not one of the allowed values; expected one of {describe_choices(column)}",
            )
        elif column.kind == "flag":
            bad = filled & ~text.str.lower().isin(FLAGS)
            out.add_rows(table, bad, column.name, "is not yes or no; expected yes, no or blank")
        elif column.kind == "tolerance":
            bad = filled & ~text.str.match(TOLERANCE_RE)
            out.add_rows(
                table,
                bad,
                column.name,
                "is not a tolerance; expected a relative one such as 5% or an "
                "absolute one in the measure's unit such as 2",
            )
        elif column.kind == "period":
            periods = table.periods(column.name)
            unparsed = periods["period"].isna()
            future = periods["period_start"] > pd.Timestamp.today()
            out.add_rows(
                table,
                future,
                column.name,
                "starts after today; is the year right?",
                severity="warning",
            )
            out.add_rows(
                table,
                filled & unparsed,
                column.name,
                "is not a period; expected a quarter such as 2017/18 Q1, a month "
                "such as 2017-04 or a financial year such as 2017/18",
            )
        elif column.kind == "year":
            kinds = table.periods(column.name)["period_kind"]
            unparsed = kinds.isna()
            not_year = filled & ~unparsed & (kinds != "year")
            out.add_rows(
                table,
                filled & (unparsed | not_year),
                column.name,
                "is not a financial year; expected a year such as 2017/18",
            )
        elif column.kind == "text" and column.name in _WORD_COLUMNS:
            numeric = filled & table.number(column.name).notna()
            out.add_rows(
                table,
                numeric,
                column.name,
                severity="error" if column.name in _NAME_COLUMNS else "warning",
                message="is a number where text was expected; are the columns shifted?",
            )


def _expected(column: Column) -> str:
    if column.kind == "number":
        if column.name == "value":
            return "a number, or a blank value with a note while the figure is pending"
        return "a number such as 12.5"
    if column.kind == "integer":
        return "a whole number such as 1"
    if column.kind == "choice":
        return f"one of {describe_choices(column)}"
    if column.kind == "period":
        return "a period such as 2017/18 Q1"
    if column.kind == "year":
        return "a financial year such as 2017/18"
    if column.name == "measure_id":
        return "a measure_id"
    if column.name == "reason":
        return "why the rating was overridden; an override must give its reason"
    return f"the {column.name.replace('_', ' ')}"


def _canonical_keys(table: RawTable) -> pd.DataFrame | None:
    """The key columns with periods and years in their written form; None if a key is missing."""
    frame, spec = table.frame, table.spec
    if not spec.key or any(k not in frame.columns for k in spec.key):
        return None
    keys = pd.DataFrame(index=frame.index)
    for name in spec.key:
        text = frame[name].astype(str).str.strip()
        if name == "area":  # "Bury" and "bury " are the same council
            text = text.str.split().str.join(" ").str.casefold()
        if spec.column(name).kind in ("period", "year"):
            labels = table.periods(name)["period"]
            text = text.where(labels.isna(), labels)
        keys[name] = text
    return keys


def check_duplicates(table: RawTable, out: ProblemCollector) -> None:
    """A row whose key (the spec's key columns, periods as their labels) an earlier row has."""
    keys = _canonical_keys(table)
    if keys is None or keys.empty:
        return
    blank = (keys == "").any(axis=1)
    keys = keys[~blank]
    dup = keys.duplicated(keep="first")
    if not dup.any():
        return
    first_index = (
        pd.Series(keys.index, index=keys.index)
        .groupby([keys[k] for k in keys.columns], sort=False)
        .transform("first")
    )
    column = table.spec.key[-1]
    repeated = dup[dup].index
    listed = out.reserve((table.label, column, "duplicate", "error"), len(repeated))
    for idx in repeated[:listed]:
        what = " and ".join(f"{k} {keys.at[idx, k]}" for k in keys.columns)
        file, row, header = table.locate(idx, column)
        first_file, first_row, _ = table.locate(first_index.loc[idx], column)
        where = f"row {first_row}" if first_file == file else f"{first_file}, row {first_row}"
        out.problems.append(
            Problem(
                file,
                f"repeats {what}, already on {where}",
                row=row,
                column=header,
                value=str(table.frame.at[idx, column]),
            )
        )


def check_rows_exist(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """measures and values need a row: a header alone gives nothing to report."""
    for name, what in (("measures", "a row per measure"), ("values", "a row per figure")):
        table = tables.get(name)
        if table is not None and table.frame.empty:
            out.add(Problem(table.label, f"has a header but no rows; expected {what}"))
