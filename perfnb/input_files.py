"""Reads a data set folder's files: CSV files or the sheets of ``perfnb.xlsx``, and the rest.

Each file the contract names becomes a ``RawTable`` (a kpis sheet's rows join measures, values
and targets: :mod:`perfnb.wide`); ``dataset.toml`` is read and its ``[defaults]`` checked; the
commentary files are read as a run reads them. A file missing, unreadable, empty or with a
header perfnb cannot read gives a ``Problem``, not an exception: :mod:`perfnb.loader` reports
them all beside the checks' problems.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from perfnb.contract import FILES, FileSpec, Problem
from perfnb.raw_table import RawTable, release_memory
from perfnb.validation import check_defaults, check_output
from perfnb.wide import KPIS, LONG_TABLES, with_kpis
from perfnb.workbook import (
    WORKBOOK,
    SheetTooBig,
    column_letter,
    normalise_header,
    read_workbook,
    unsaved_formulas,
)

__all__ = ["SETTINGS", "commentary_problems", "read_settings", "read_tables"]

SETTINGS = "dataset.toml"
# a CSV file of this many bytes or more is read by Arrow (no Python string per cell, and each
# column's text in one buffer); a smaller one, or one Arrow cannot read exactly as pandas does
# (a short row, say), by pandas
ARROW_FROM_BYTES = 1 << 20
_STR = pd.StringDtype("pyarrow", na_value=np.nan)
# Arrow names a headerless file's columns f0, f1, ...: every one read as text
_TEXT_COLUMNS = {f"f{i}": pa.large_string() for i in range(16384)}


def _table_from_grid(grid: pd.DataFrame, label: str, spec: FileSpec) -> RawTable | Problem:
    """A RawTable from a file's cells (header included), or the Problem that prevents one.

    The header is read here, not by pandas, so that a repeated column is reported instead of
    being renamed ``value.1``. Cells are stripped; wholly blank rows and unnamed wholly blank
    columns are dropped; rows keep their spreadsheet numbers.
    """
    grid = grid.apply(_stripped)
    if grid.empty:
        expected = ", ".join(c.name for c in spec.columns if c.required)
        return Problem(label, f"is empty; expected a header row with {expected}")
    header = [normalise_header(h) for h in grid.iloc[0]]
    data = grid.iloc[1:]
    keep_columns = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            if (data.iloc[:, i] != "").any():
                return Problem(label, f"column {column_letter(i)} has figures but no header")
            continue
        if name in seen:
            first, again = column_letter(seen[name]), column_letter(i)
            return Problem(
                label,
                f"has the column {name} twice (columns {first} and {again}); keep one",
            )
        seen[name] = i
        keep_columns.append(i)
    frame = data.iloc[:, keep_columns]
    frame.columns = [header[i] for i in keep_columns]
    rows = pd.Series(np.arange(len(frame)) + 2, index=frame.index)
    keep = (frame != "").any(axis=1)
    if keep.all():  # no wholly blank row: the columns as they are, not copies
        return RawTable(spec, frame.reset_index(drop=True), label, rows.reset_index(drop=True))
    frame, rows = frame[keep].reset_index(drop=True), rows[keep].reset_index(drop=True)
    return RawTable(spec, frame, label, rows)


def _stripped(column: pd.Series) -> pd.Series:
    """A column's cells as stripped text, blank as ''; the column itself when none changes."""
    text = column.fillna("").astype(str)
    stripped = text.str.strip()
    return text if stripped.str.len().sum() == text.str.len().sum() else stripped


def _read_csv_arrow(path: Path, sep: str) -> pd.DataFrame | None:
    """A UTF-8 CSV's cells as text, as ``pd.read_csv`` reads them, by Arrow; None when Arrow
    cannot read it (pandas then reads it, or says why it cannot)."""
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=_TEXT_COLUMNS,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if any(field.type != pa.large_string() for field in table.schema):
        return None  # more columns than _TEXT_COLUMNS names
    columns = {}
    for i in range(table.num_columns):  # one column at a time: each chunked column let go
        text = table.column(0).combine_chunks()
        table = table.remove_column(0)
        columns[i] = pd.Series(pd.arrays.ArrowStringArray(text, dtype=_STR), copy=False)
    return pd.DataFrame(columns, copy=False)


def _read_csv(path: Path) -> pd.DataFrame:
    """Every cell of a CSV as text, header row included; UTF-8 first, then Windows-1252; a file
    with a UTF-16 byte-order mark (Excel's "Unicode Text", tab-separated) as UTF-16."""
    with open(path, "rb") as handle:
        start = handle.read(2)
    utf16 = start in (b"\xff\xfe", b"\xfe\xff")
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            with open(path, encoding=encoding, newline="") as handle:
                first = handle.readline()
            tabbed = "\t" in first and "," not in first
            sep = "\t" if tabbed else ","
            if encoding == "utf-8-sig" and path.stat().st_size >= ARROW_FROM_BYTES:
                grid = _read_csv_arrow(path, sep)
                if grid is not None:
                    return grid
            return pd.read_csv(
                path,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding=encoding,
                sep=sep,
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
    raise UnicodeDecodeError("utf-8", b"", 0, 1, "neither UTF-8 nor Windows-1252")


def read_tables(
    folder: Path, workbook_name: str | None = None
) -> tuple[dict[str, RawTable], dict[str, Path], list[Problem]]:
    """Reads every file the contract names; problems for files that are missing or unreadable.
    ``workbook_name`` names the workbook of a data set given as a file (``--data council.xlsx``):
    its sheets are the data set, whatever is beside it; else ``perfnb.xlsx`` when the folder has
    one, else the CSV files."""
    tables: dict[str, RawTable] = {}
    sources: dict[str, Path] = {}
    problems: list[Problem] = []
    book = workbook_name or WORKBOOK
    workbook = folder / book
    sheets: dict[str, pd.DataFrame] | None = None
    specs = (*FILES.values(), KPIS)
    beside = [spec.filename for spec in specs if (folder / spec.filename).exists()]
    if workbook.exists() and beside and workbook_name is None:
        problems.append(
            Problem(
                WORKBOOK,
                f"is used; the CSV files beside it ({', '.join(beside)}) are ignored. Keep one "
                "or the other",
                severity="warning",
            )
        )
    if workbook.exists():
        try:
            sheets, unsaved = read_workbook(workbook)
        except SheetTooBig as exc:
            problems.append(Problem(book, str(exc)))
            return tables, sources, problems
        except Exception as exc:  # openpyxl raises many types for a damaged file
            problems.append(Problem(book, f"could not be read as an Excel workbook: {exc}"))
            return tables, sources, problems
        problems += unsaved_formulas(sheets, unsaved)
    # a kpis sheet (perfnb.wide) may stand in for measures, values and targets
    kpis, kpis_label, kpis_source = _read_one(folder, KPIS, sheets, problems, book)
    has_kpis = KPIS.name in sheets if sheets is not None else (folder / KPIS.filename).exists()
    for name, spec in FILES.items():
        if has_kpis and name in LONG_TABLES:
            spec = replace(spec, required=False)
        grid, label, source = _read_one(folder, spec, sheets, problems, book)
        if grid is None:
            continue
        table = _table_from_grid(grid, label, spec)
        del grid  # the file's cells as read: the table keeps what it needs of them
        release_memory()
        if isinstance(table, Problem):
            problems.append(table)
            continue
        tables[name] = table
        sources[name] = source
    if kpis is not None:
        tables, kpis_problems = with_kpis(tables, kpis, kpis_label)
        problems += kpis_problems
        sources["kpis"] = kpis_source
    return tables, sources, problems


def _read_one(
    folder: Path,
    spec: FileSpec,
    sheets: dict[str, pd.DataFrame] | None,
    problems: list[Problem],
    workbook: str = WORKBOOK,
) -> tuple[pd.DataFrame | None, str, Path]:
    csv = folder / spec.filename
    if sheets is not None:
        label = f"{workbook}, sheet {spec.name}"
        if spec.name in sheets:
            return sheets[spec.name], label, folder / workbook
        if spec.required:
            have = ", ".join(sheets) or "none"
            problems.append(
                Problem(workbook, f"has no sheet named {spec.name!r}; its sheets are: {have}")
            )
        return None, label, folder / workbook
    if not csv.exists():
        if spec.required:
            others = sorted(p.name for p in folder.glob("*.xls*") if not p.name.startswith("~$"))
            hint = (
                f" (found {', '.join(others)}: a workbook must be named {WORKBOOK})"
                if others
                else ""
            )
            problems.append(
                Problem(
                    spec.filename,
                    f"is missing from {folder}; expected {spec.filename} or a workbook "
                    f"{WORKBOOK}{hint}",
                )
            )
        return None, spec.filename, csv
    try:
        return _read_csv(csv), spec.filename, csv
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        reason = str(exc).strip().splitlines()[-1]
        problems.append(Problem(spec.filename, f"could not be read as CSV: {reason}"))
        return None, spec.filename, csv


def read_settings(folder: Path) -> tuple[dict[str, object], list[Problem]]:
    path = folder / SETTINGS
    if not path.exists():
        return {}, []
    if not path.is_file():
        return {}, [Problem(SETTINGS, "is not a file (a folder?); expected a TOML text file")]
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [Problem(SETTINGS, f"is not valid TOML: {exc}")]
    except OSError as exc:
        return {}, [Problem(SETTINGS, f"could not be read: {exc.strerror}")]
    return settings, [*check_defaults(settings, SETTINGS), *check_output(settings, SETTINGS)]


def commentary_problems(folder: Path) -> list[Problem]:
    """Commentary files the run could not read, read as the run reads them."""
    from perfnb.commentary_format import CommentaryError, read_commentary_text

    problems = []
    for path in sorted((folder / "commentary").glob("*.md")):
        try:
            read_commentary_text(path)
        except CommentaryError as exc:
            problems.append(Problem(f"commentary/{path.name}", exc.reason))
        except OSError as exc:
            problems.append(Problem(f"commentary/{path.name}", f"could not be read: {exc}"))
    return problems
