"""Checks a data set against the contract and reports every problem at once.

Each check is a function from raw tables (every cell a string, blank as ``""``) to a list of
``Problem``; the loader runs them all before anything is computed. Messages name the file, the
row as a spreadsheet shows it, the column, the bad value and what was expected.

``check_tables`` runs them all, in a fixed order; they live beside this module, by what they
check: each file on its own (:mod:`perfnb.validate_files`), measures and other files'
references to them (:mod:`perfnb.validate_measures`), values (:mod:`perfnb.validate_values`),
targets (:mod:`perfnb.validate_targets`) and action plans (:mod:`perfnb.validate_actions`);
benchmarks' quartiles here. ``check_defaults`` checks ``dataset.toml``'s ``[defaults]``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from perfnb.contract import MEASURES, RULE_COLUMNS, Problem
from perfnb.output_formats import parse_formats
from perfnb.problem_collector import MAX_LISTED as MAX_LISTED  # tests read it from here
from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import RawTable, release_memory, to_number
from perfnb.validate_actions import check_actions
from perfnb.validate_files import (
    TOLERANCE_RE,
    check_cells,
    check_duplicates,
    check_rows_exist,
    describe_choices,
)
from perfnb.validate_measures import check_measure_ids, check_measures, check_name_lengths
from perfnb.validate_targets import check_targets
from perfnb.validate_values import check_values

__all__ = ["LATEST_WITHIN_MONTHS", "RawTable", "check_defaults", "check_tables", "to_number"]

# how many months after a report's period its "latest position" may reach, unless dataset.toml's
# [defaults] says otherwise
LATEST_WITHIN_MONTHS = 3


def _check_benchmarks(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """benchmarks.csv's quartile, when given, is 1 to 4."""
    table = tables.get("benchmarks")
    if table is None or "quartile" not in table.frame:
        return
    quartile = table.number("quartile")
    out.add_rows(
        table, (quartile < 1) | (quartile > 4), "quartile", "is not a quartile; expected 1 to 4"
    )


def check_output(settings: dict[str, object], label: str) -> list[Problem]:
    """Problems in ``dataset.toml``'s ``[output]`` table: ``formats``, a list of report
    formats (``perfnb.output_formats.FORMATS``), is its one setting."""
    output = settings.get("output")
    if output is None:
        return []
    if not isinstance(output, dict):
        return [Problem(label, "output must be a table: a line [output] then formats = [...]")]
    problems = []
    for key, value in output.items():
        if key != "formats":
            problems.append(
                Problem(
                    label,
                    "is not a setting perfnb knows; expected formats",
                    column=f"[output] {key}",
                )
            )
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(
                Problem(
                    label,
                    'must be a list of formats such as ["html", "pdf", "docx"]',
                    column="[output] formats",
                    value=str(value),
                )
            )
            continue
        try:
            parse_formats(value)
        except ValueError as exc:
            problems.append(Problem(label, str(exc), column="[output] formats"))
    return problems


def check_defaults(settings: dict[str, object], label: str) -> list[Problem]:
    """Problems in ``dataset.toml``'s ``[defaults]`` table: each key is a measures.csv rule
    column (checked as that column's cells are) or ``latest_within_months`` (0 to 12)."""
    defaults = settings.get("defaults")
    if defaults is None:
        return []
    if not isinstance(defaults, dict):
        return [Problem(label, "defaults must be a table: a line [defaults] then name = value")]
    problems = []
    allowed = (*RULE_COLUMNS, "latest_within_months")
    for key, value in defaults.items():
        where = f"[defaults] {key}"
        text = str(value).strip()
        if key not in allowed:
            problems.append(
                Problem(
                    label,
                    f"is not a setting perfnb knows; expected one of {', '.join(allowed)}",
                    column=where,
                )
            )
            continue
        if key == "latest_within_months":
            ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 12
            expected = "a whole number of months from 0 (never) to 12, such as 3"
        else:
            column = MEASURES.column(key)
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                ok = False
            elif column.kind == "tolerance":
                ok = re.match(TOLERANCE_RE, text) is not None
            elif column.kind == "choice":
                ok = text.lower() in column.choices
            else:  # min_base
                number = to_number(pd.Series([text])).iloc[0]
                ok = bool(np.isfinite(number) and number >= 0)
            expected = {
                "tolerance": 'a relative tolerance such as "10%" or an absolute one such as 2',
                "choice": f"one of {describe_choices(column)}",
            }.get(column.kind, "a number of 0 or more")
        if not ok:
            problems.append(
                Problem(label, f"is not allowed; expected {expected}", None, where, text)
            )
    return problems


def check_tables(tables: dict[str, RawTable]) -> list[Problem]:
    """Every problem in a data set's tables: cells, duplicates, unknown ids and file rules."""
    out = ProblemCollector()
    check_rows_exist(tables, out)
    check_name_lengths(tables, out)
    for table in tables.values():
        check_cells(table, out)
        check_duplicates(table, out)
        release_memory()
    check_measure_ids(tables, out)
    check_measures(tables, out)
    check_values(tables, out)
    release_memory()
    check_targets(tables, out)
    _check_benchmarks(tables, out)
    check_actions(tables, out)
    release_memory()
    return out.finish()
