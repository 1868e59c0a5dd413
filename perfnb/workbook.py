"""Reads ``perfnb.xlsx``: every sheet's cells as the text perfnb reads from a CSV file.

A date is read as its month (or day), a number formatted as a percentage as the per cent
shown; a formula whose result was never saved is found, and reported in a text column; a sheet
with data beyond ``MAX_SHEET_ROWS`` rows or ``MAX_SHEET_COLUMNS`` columns is refused, not read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import pandas as pd

from perfnb.contract import FILES, Problem
from perfnb.wide import KPIS

__all__ = [
    "MAX_SHEET_COLUMNS",
    "MAX_SHEET_ROWS",
    "WORKBOOK",
    "SheetTooBig",
    "column_letter",
    "normalise_header",
    "read_workbook",
    "unsaved_formulas",
]

WORKBOOK = "perfnb.xlsx"


def normalise_header(name: object) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _excel_cell(cell: object, formula: object = None, relative: bool = False) -> str:
    """A workbook cell as the text perfnb reads: a date as its month (or day), a number formatted
    as a percentage as the per cent shown (0.62 is 62), or in a tolerance column (``relative``)
    as the relative tolerance shown (0.1 is 10%)."""
    value = getattr(cell, "value", None)
    if value is None:
        # a formula whose result was never saved (the workbook was written by a program)
        text = getattr(formula, "value", None)
        return text if isinstance(text, str) and text.startswith("=") else ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%Y-%m}" if getattr(value, "day", 1) == 1 else f"{value:%Y-%m-%d}"
    if isinstance(value, int | float):
        if "%" in str(getattr(cell, "number_format", "") or ""):
            value = value * 100  # Excel stores 62% as 0.62
            if relative:  # and a tolerance typed as 10% as 0.1: 10% of the target, not 10
                return f"{value:.15g}%"
        return f"{value:.15g}"
    return str(value)


# a sheet with data beyond these is refused, not read (a stray cell in a sheet's far corner
# would otherwise make a grid of a million rows by 16,384 columns)
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 1_000_000, 500


class SheetTooBig(ValueError):
    """A worksheet with data beyond ``MAX_SHEET_ROWS`` rows or ``MAX_SHEET_COLUMNS`` columns."""


def unsaved_formulas(
    sheets: dict[str, pd.DataFrame], unsaved: list[tuple[str, int, int]]
) -> list[Problem]:
    """A formula whose result was never saved (the workbook was written by a program) in a text
    column would be read as its formula text: an error at its sheet, row and column. Number
    columns report it themselves (perfnb.validate_files)."""
    numeric = {c.name for s in FILES.values() for c in s.columns if c.kind in ("number", "integer")}
    problems = []
    for name, row, i in unsaved:
        grid = sheets[name]
        column = normalise_header(grid.iat[0, i]) if i < grid.shape[1] else ""
        if column in numeric or name not in (*FILES, KPIS.name):
            continue
        problems.append(
            Problem(
                f"{WORKBOOK}, sheet {name}",
                "is a formula whose result was never saved; open the workbook in Excel and save "
                "it, or paste the values",
                row=row,
                column=column or column_letter(i),
                value=grid.iat[row - 1, i],
            )
        )
    return problems


def read_workbook(
    path: Path,
) -> tuple[dict[str, pd.DataFrame], list[tuple[str, int, int]]]:
    """Every sheet's cells as text, header row included, keyed by lower-case sheet name, and
    where a formula's result was never saved (sheet, row, 0-based column).

    Sheets are read by the cells that hold data, never by the size the file claims, and a
    sheet with data beyond ``MAX_SHEET_ROWS`` rows or ``MAX_SHEET_COLUMNS`` columns raises
    ``SheetTooBig`` naming it."""
    from openpyxl import load_workbook

    # the columns holding a tolerance (5% of the target, or 2 in the measure's unit)
    tolerances = {c.name for s in FILES.values() for c in s.columns if c.kind == "tolerance"}
    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False)
    try:
        sheets = {}
        unsaved: list[tuple[str, int, int]] = []
        for sheet in values.worksheets:
            fsheet = formulas[sheet.title]
            for each in (sheet, fsheet):
                each.reset_dimensions()  # rows as stored, not padded to the claimed size
            pairs = itertools.zip_longest(sheet.iter_rows(), fsheet.iter_rows(), fillvalue=())
            rows: list[list[str]] = []
            relative: set[int] = set()  # the tolerance columns, found in the header row
            for number, (row, frow) in enumerate(pairs, start=1):
                cells = [
                    _excel_cell(c, f, i in relative)
                    for i, (c, f) in enumerate(itertools.zip_longest(row, frow))
                ]
                while cells and cells[-1] == "":
                    cells.pop()
                unsaved += [
                    (sheet.title.strip().lower(), number, i)
                    for i, (c, f) in enumerate(itertools.zip_longest(row, frow))
                    if getattr(c, "value", None) is None
                    and str(getattr(f, "value", "") or "").startswith("=")
                ]
                if cells and number > MAX_SHEET_ROWS:
                    raise SheetTooBig(
                        f"sheet {sheet.title} has data in row {number:,}; perfnb reads at most "
                        f"{MAX_SHEET_ROWS:,} rows: delete the rows below the data"
                    )
                if len(cells) > MAX_SHEET_COLUMNS:
                    raise SheetTooBig(
                        f"sheet {sheet.title} has data in column {column_letter(len(cells) - 1)}"
                        f" of row {number:,}; perfnb reads at most {MAX_SHEET_COLUMNS} columns: "
                        "delete the columns to the right of the data"
                    )
                rows.append(cells)
                if number == 1:
                    relative = {
                        i for i, h in enumerate(rows[0]) if normalise_header(h) in tolerances
                    }
            while rows and not rows[-1]:
                rows.pop()
            width = max((len(r) for r in rows), default=0)
            rows = [r + [""] * (width - len(r)) for r in rows]
            sheets[sheet.title.strip().lower()] = pd.DataFrame(rows, dtype=str)
        return sheets, unsaved
    finally:
        values.close()
        formulas.close()
