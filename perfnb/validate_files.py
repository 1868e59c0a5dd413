"""Checks of each input file on its own, by its spec in :mod:`perfnb.contract`.

Every required column is there; every cell holds what its column's kind expects (a number, a
whole number, a choice, yes or no, a tolerance, a period, a financial year, a word); no key is
given twice; measures and values have a row.
"""

from __future__ import annotations

from functools import partial

import numpy as np
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
        name = column.name
        blank = table.blank(name)
        if not column.blank_ok:
            out.add_rows(
                table, blank, name, f"is blank; expected {_expected(column)}", show_value=False
            )
        filled = ~blank
        if column.kind in ("number", "integer"):
            formula = filled & table.each(name, lambda text: text.str.startswith("="))
            out.add_rows(
                table,
                formula,
                name,
                "is a formula whose result was never saved; open the workbook in Excel and save "
                "it, or paste the values",
            )
            bad = filled & table.number_is(name, lambda v: v.isna()) & ~formula
            out.add_rows(table, bad, name, f"is not a number; expected {_expected(column)}")
            if column.kind == "integer":
                frac = filled & table.number_is(name, _not_whole)
                out.add_rows(table, frac, name, "is not a whole number; expected 0, 1, 2, ...")
        elif column.kind == "choice":
            choices = [c.lower() for c in column.choices]
            bad = filled & ~table.each(name, partial(_lower_in, choices))
            out.add_rows(
                table,
                bad,
                name,
                f"is not one of the allowed values; expected one of {describe_choices(column)}",
            )
        elif column.kind == "flag":
            bad = filled & ~table.each(name, lambda text: text.str.lower().isin(FLAGS))
            out.add_rows(table, bad, name, "is not yes or no; expected yes, no or blank")
        elif column.kind == "tolerance":
            bad = filled & ~table.each(name, lambda text: text.str.match(TOLERANCE_RE))
            out.add_rows(
                table,
                bad,
                name,
                "is not a tolerance; expected a relative one such as 5% or an "
                "absolute one in the measure's unit such as 2",
            )
        elif column.kind == "period":
            periods = table.periods(name)
            today = pd.Timestamp.today()
            future = periods.each(partial(_starts_after, today))
            out.add_rows(
                table, future, name, "starts after today; is the year right?", severity="warning"
            )
            unparsed = periods.each(lambda p: p["period"].isna())
            out.add_rows(
                table,
                filled & unparsed,
                name,
                "is not a period; expected a quarter such as 2017/18 Q1, a month "
                "such as 2017-04 or a financial year such as 2017/18",
            )
        elif column.kind == "year":
            not_year = table.periods(name).each(lambda p: p["period_kind"] != "year")
            out.add_rows(
                table,
                filled & not_year,
                name,
                "is not a financial year; expected a year such as 2017/18",
            )
        elif column.kind == "text" and name in _WORD_COLUMNS:
            numeric = filled & table.number_is(name, lambda v: v.notna())
            out.add_rows(
                table,
                numeric,
                name,
                severity="error" if name in _NAME_COLUMNS else "warning",
                message="is a number where text was expected; are the columns shifted?",
            )


def _lower_in(allowed: list[str], text: pd.Series) -> pd.Series:
    """True for each text that, in lower case, is one of ``allowed``."""
    return text.str.lower().isin(allowed)


def _starts_after(when: pd.Timestamp, periods: pd.DataFrame) -> pd.Series:
    """True for each period starting after ``when``."""
    return periods["period_start"] > when


def _not_whole(numbers: pd.Series) -> pd.Series:
    """True for each number that is not a whole number of 0 or more (NaN is not one)."""
    return numbers.notna() & ((numbers % 1 != 0) | (numbers < 0))


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


def _canonical_keys(table: RawTable) -> tuple[pd.DataFrame, dict[str, pd.Index]] | None:
    """The key columns as codes of their written form, periods and years as their labels, and
    each column's forms by code; None if a key is missing."""
    frame, spec = table.frame, table.spec
    if not spec.key or any(k not in frame.columns for k in spec.key):
        return None
    codes: dict[str, np.ndarray] = {}
    forms: dict[str, pd.Index] = {}
    for name in spec.key:
        row_codes, text = table.distinct(name)
        if name == "area":  # "Bury" and "bury " are the same council
            text = text.str.split().str.join(" ").str.casefold()
        if spec.column(name).kind in ("period", "year"):
            labels = table.periods(name).table["period"]
            text = text.where(labels.isna(), labels)
        form_codes, forms[name] = pd.factorize(text)
        codes[name] = form_codes.astype(np.int32).take(row_codes)
    return pd.DataFrame(codes, index=frame.index), forms


def _repeats(keys: pd.DataFrame, blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's key as one number (a distinct negative one where ``blank``), and whether an
    earlier row has its key: by sorting, without a hash table of millions of keys."""
    key = np.zeros(len(keys), dtype=np.int64)
    for name in keys.columns:
        codes = keys[name].to_numpy()
        size = int(codes.max(initial=-1)) + 1
        if size and int(key.max(initial=0)) >= (2**62) // size:
            key = pd.factorize(key)[0].astype(np.int64)  # renumbered: the product stays small
        key = key * size + codes
    key[blank] = -1 - np.flatnonzero(blank)
    order = np.argsort(key, kind="stable")  # equal keys stay in row order: the first leads
    ordered = key[order]
    again = np.zeros(len(key), dtype=bool)
    again[order[1:]] = ordered[1:] == ordered[:-1]
    return key, again


def check_duplicates(table: RawTable, out: ProblemCollector) -> None:
    """A row whose key (the spec's key columns, periods as their labels) an earlier row has."""
    canonical = _canonical_keys(table)
    if canonical is None or canonical[0].empty:
        return
    keys, forms = canonical
    blank = np.zeros(len(keys), dtype=bool)
    for name in keys.columns:
        empty = np.flatnonzero(np.asarray(forms[name] == ""))
        if len(empty):
            blank |= keys[name].to_numpy() == empty[0]
    key, again = _repeats(keys, blank)
    if not again.any():
        return
    column = table.spec.key[-1]
    repeated = np.flatnonzero(again)
    listed = out.reserve((table.label, column, "duplicate", "error"), len(repeated))
    for at in repeated[:listed]:
        idx, first = keys.index[at], keys.index[np.flatnonzero(key == key[at])[0]]
        what = " and ".join(f"{k} {forms[k][keys[k].iat[at]]}" for k in keys.columns)
        file, row, header = table.locate(idx, column)
        first_file, first_row, _ = table.locate(first, column)
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
