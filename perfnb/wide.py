"""The wide layout: ``kpis.csv`` (or a sheet ``kpis``), one row per measure, a column per period.

Councils keep their KPIs one row per KPI: the catalogue's columns (``measures.csv``'s), then a
column per quarter, month or year holding the figure (``2022/23 Q1``), its target
(``target 2022/23 Q1``, or ``target 2022/23`` for the year) and a note (``note 2022/23 Q1``).
Headers are read as councils write them (:mod:`perfnb.wide_headers`: ``Q1 22/23``, ``2022/23
Q1 Actual``, ``Apr-Jun 2022``, a date, ...). A date on a quarter's last day heads the quarter's
figures of a quarterly measure, and a month's figure of a quarterly measure is an error naming
its header.
:func:`with_kpis` turns such a sheet into rows of the long tables (measures, values, targets),
beside or in place of ``measures.csv``, ``values.csv`` and ``targets.csv``, and keeps where
every derived cell came from, so that each check of :mod:`perfnb.validation` names the kpis
sheet, its row and the column header as the user wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from perfnb.contract import FILES, MEASURES, FileSpec, Problem
from perfnb.periods import Period, parse_period
from perfnb.raw_table import RawTable
from perfnb.wide_headers import KpisColumn, kpis_columns
from perfnb.wide_headers import classify_header as classify_header  # tests import it from here

__all__ = ["KPIS", "LONG_TABLES", "KpisColumn", "kpis_columns", "with_kpis"]

KPIS = FileSpec(
    "kpis",
    required=False,
    columns=MEASURES.columns,
    description="Wide layout: one row per measure, with measures.csv's columns, then a column "
    "per period holding its figures (2022/23 Q1), its targets (target 2022/23 Q1, target "
    "2022/23) and notes (note 2022/23 Q1).",
)
# the long tables a kpis sheet adds rows to, or stands in for
LONG_TABLES = ("measures", "values", "targets")


def _cells(grid: pd.DataFrame) -> pd.DataFrame:
    """Every cell as stripped text, blank as ''."""
    return grid.fillna("").astype(str).apply(lambda col: col.str.strip())


def _unheaded(cells: pd.DataFrame, label: str) -> list[Problem]:
    """A column with figures but no header is an error: its cells would be lost."""
    from openpyxl.utils import get_column_letter

    problems = []
    for position in range(cells.shape[1]):
        if cells.iat[0, position] == "" and (cells.iloc[1:, position] != "").any():
            letter = get_column_letter(position + 1)
            problems.append(Problem(label, f"column {letter} has figures but no header"))
    return problems


@dataclass
class _Rows:
    """Rows read from a kpis sheet for one long table: cells, their headers, sheet rows."""

    columns: list[str]
    records: list[dict[str, str]]
    origins: list[dict[str, str]]
    rows: list[int]

    def add(self, record: dict[str, str], origin: dict[str, str], row: int) -> None:
        """Appends one row: its cells, the header each came from and its spreadsheet row."""
        self.records.append(record)
        self.origins.append(origin)
        self.rows.append(row)

    def table(self, spec: FileSpec) -> RawTable:
        """The rows as a RawTable (labelled later); ``headers`` holds each cell's header, and
        its column ``*`` the header of the cell a problem about a column the sheet lacks (a
        numerator) points at: the figure's or the target's own."""
        frame = pd.DataFrame.from_records(self.records, columns=self.columns).fillna("")
        headers = pd.DataFrame.from_records(self.origins, index=frame.index)
        return RawTable(
            spec,
            frame.astype(object),
            "",
            pd.Series(self.rows, index=frame.index, dtype="int64"),
            headers=headers.reindex(columns=[*self.columns, "*"]).astype(object).fillna(""),
        )


def _long_ids(tables: dict[str, RawTable]) -> dict[str, tuple[str, int]]:
    """Each measure_id of the long measures table, with its file and first row."""
    table = tables.get("measures")
    if table is None or "measure_id" not in table.frame:
        return {}
    ids = table.frame["measure_id"].astype(str).str.strip()
    found: dict[str, tuple[str, int]] = {}
    for idx, measure_id in ids.items():
        if measure_id:
            found.setdefault(measure_id, (table.label, int(table.rows.loc[idx])))
    return found


def _row_period(column: KpisColumn, frequency: str) -> str:
    """The period a figure, target or note of ``column`` is for, on a row of a measure of
    ``frequency``: a date on a quarter's last day is the quarter for a quarterly measure (the
    year, on 31 March, for an annual one) and its month otherwise."""
    if column.quarter and frequency == "quarterly":
        return column.quarter
    if column.year and frequency == "annual":
        return column.year
    return column.period


@cache  # once per header and frequency, not once per cell
def _finer_than_measure(written: str, frequency: str) -> str:
    """What is wrong with a figure for ``written`` of a measure of ``frequency`` (a month of
    a quarterly measure, a month or quarter of an annual one: perfnb would read it as part of
    the measure's period), or ''."""
    period = parse_period(written)
    if frequency == "quarterly" and period.kind == "month":
        quarter = Period("quarter", period.fy, (period.index - 1) // 3 + 1)
        return (
            f"the month {period.label}, but the measure is quarterly; head the column with the "
            f"quarter, {quarter.label}, or make the measure monthly"
        )
    if frequency == "annual" and period.kind != "year":
        return (
            f"the {period.kind} {period.label}, but the measure is annual; head the column "
            f"with the year, {period.year_label}, or change the measure's frequency"
        )
    return ""


def _read_rows(
    cells: pd.DataFrame,
    columns: list[KpisColumn],
    label: str,
    long_ids: dict[str, tuple[str, int]],
) -> tuple[dict[str, RawTable], list[Problem]]:
    """The kpis sheet's rows as measures, values and targets rows, with their origins: a
    figure or a note gives a values row, a target a targets row (``period`` for a quarter or
    month, ``year`` for a year); a blank cell gives none."""
    problems: list[Problem] = []
    measure_cols = [c for c in columns if c.role == "measure"]
    id_col = next(c for c in measure_cols if c.name == "measure_id")
    frequency_col = next(c for c in measure_cols if c.name == "frequency")
    figures = {c.name: c for c in columns if c.role == "figure"}
    notes = {c.name: c for c in columns if c.role == "note"}
    targets = [c for c in columns if c.role == "target"]
    periods = sorted(set(figures) | set(notes), key=lambda p: (figures.get(p) or notes[p]).position)
    out = {
        "measures": _Rows([c.name for c in measure_cols], [], [], []),
        "values": _Rows(["measure_id", "period", "value", "note"], [], [], []),
        "targets": _Rows(["measure_id", "year", "period", "target"], [], [], []),
    }
    seen_ids: set[str] = set()
    for position in range(1, len(cells)):
        line = cells.iloc[position].to_numpy()
        if not (line != "").any():
            continue  # a blank row
        row = position + 1  # the header is row 1
        measure_id = line[id_col.position]
        if measure_id in long_ids:
            file, first = long_ids[measure_id]
            problems.append(
                Problem(
                    label,
                    f"is also a measure of {file} (row {first}); give each measure in one "
                    f"form, a row of {label} or of {file}, not both",
                    row,
                    id_col.header,
                    measure_id,
                )
            )
            continue
        out["measures"].add(
            {c.name: line[c.position] for c in measure_cols},
            {c.name: c.header for c in measure_cols},
            row,
        )
        if not measure_id or measure_id in seen_ids:
            continue  # the measures row's problem: a blank or repeated measure_id
        seen_ids.add(measure_id)
        frequency = line[frequency_col.position].strip().lower()
        for period in periods:
            figure, note = figures.get(period), notes.get(period)
            value = line[figure.position] if figure is not None else ""
            text = line[note.position] if note is not None else ""
            if value == "" and text == "":
                continue  # a blank figure is no row, unless a note says why it is missing
            where = figure or note
            assert where is not None  # a figure or a note is there: the row is not blank
            written = _row_period(where, frequency)
            if problem := _finer_than_measure(written, frequency):
                cell, what, header = (
                    (value, "a figure", where.header)
                    if value != ""
                    else (text, "a note", note.header if note is not None else where.header)
                )
                problems.append(Problem(label, f"is {what} for {problem}", row, header, cell))
                continue
            out["values"].add(
                {"measure_id": measure_id, "period": written, "value": value, "note": text},
                {
                    "measure_id": id_col.header,
                    "period": where.header,
                    "value": where.header,
                    "note": note.header if note is not None else where.header,
                    "*": where.header,
                },
                row,
            )
        for target in targets:
            value = line[target.position]
            if value == "":
                continue
            written = _row_period(target, frequency)
            is_year = target.kind == "year" or (target.year != "" and written == target.year)
            out["targets"].add(
                {
                    "measure_id": measure_id,
                    "year": written if is_year else "",
                    "period": "" if is_year else written,
                    "target": value,
                },
                {"measure_id": id_col.header, "year": target.header, "period": target.header}
                | {"target": target.header, "*": target.header},
                row,
            )
    return {name: rows.table(FILES[name]) for name, rows in out.items()}, problems


def _merged(long: RawTable | None, derived: RawTable, label: str) -> tuple[RawTable, list[Problem]]:
    """``long``'s rows, then ``derived``'s (or ``derived``'s alone, labelled ``label``), every
    derived cell located at its kpis row and header; a required column ``long`` lacks is
    reported as it would be without the kpis sheet."""
    headers = derived.headers.copy() if derived.headers is not None else pd.DataFrame()
    fallback = headers.pop("*")
    if long is None:
        columns = list(derived.frame.columns)
        origins = _filled(headers.reindex(columns=columns), fallback)
        return RawTable(derived.spec, derived.frame, label, derived.rows, headers=origins), []
    problems = [
        Problem(
            long.label,
            f"is missing; the file's columns are: {', '.join(long.frame.columns) or 'none'}",
            column=c.name,
        )
        for c in long.spec.columns
        if c.required and c.name not in long.frame and c.name in derived.frame
    ]
    n = len(long.frame)
    frame = pd.concat([long.frame, derived.frame], ignore_index=True).fillna("").astype(object)
    rows = np.concatenate([long.rows.to_numpy(), derived.rows.to_numpy()])
    files = [long.label] * n + [label] * len(derived.frame)
    theirs = pd.DataFrame("", index=range(n), columns=frame.columns, dtype=object)
    mine = _filled(headers.reindex(columns=frame.columns), fallback)
    origins = pd.concat([theirs, mine], ignore_index=True).set_axis(frame.index)
    table = RawTable(
        long.spec,
        frame,
        long.label,
        pd.Series(rows, index=frame.index, dtype="int64"),
        files=pd.Series(files, index=frame.index, dtype=object),
        headers=origins,
    )
    return table, problems


def _filled(headers: pd.DataFrame, fallback: pd.Series) -> pd.DataFrame:
    """Each blank header of a row replaced by the row's ``fallback`` header ('' keeps the
    column's own name)."""
    headers = headers.astype(object).fillna("")
    for name in headers.columns:
        headers[name] = headers[name].where(headers[name] != "", fallback)
    return headers


def with_kpis(
    tables: dict[str, RawTable], grid: pd.DataFrame, label: str
) -> tuple[dict[str, RawTable], list[Problem]]:
    """``tables`` with the kpis sheet's rows (``grid``: its cells, header row included) added to
    ``measures``, ``values`` and ``targets``, or standing in for them; and the problems found
    reading it: its header row, a measure also in ``measures``, a required column missing."""
    cells = _cells(grid)
    if cells.empty or not (cells.iloc[0] != "").any():
        return tables, [
            Problem(
                label,
                "is empty; expected a header row with measures.csv's columns (measure_id, name, "
                "...), then a column per period",
            )
        ]
    problems = _unheaded(cells, label)
    columns, header_problems = kpis_columns(list(cells.iloc[0]), label)
    problems += header_problems
    present = {c.name for c in columns if c.role == "measure"}
    missing = [c.name for c in MEASURES.columns if c.required and c.name not in present]
    if missing:
        have = ", ".join(c.header for c in columns) or "none"
        return tables, problems + [
            Problem(label, f"is missing; the columns are: {have}", column=name) for name in missing
        ]
    derived, row_problems = _read_rows(cells, columns, label, _long_ids(tables))
    problems += row_problems
    out = dict(tables)
    for name in LONG_TABLES:
        out[name], merge_problems = _merged(tables.get(name), derived[name], label)
        problems += merge_problems
    return out, problems
