"""Reads a data set folder (CSV files or ``perfnb.xlsx``), validates it, and types its columns.

``load_dataset`` is the one way in: it reads every file, runs every check, and either raises
``DataError`` listing all the problems or returns a ``Dataset`` whose frames are clean and typed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from perfnb.contract import (
    ACTION_STATUS_WORDS,
    ACTION_STATUSES,
    ACTION_UPDATES,
    ACTIONS,
    FILES,
    RULE_COLUMNS,
    TRUE_FLAGS,
    DataError,
    FileSpec,
    Problem,
    slugify,
)
from perfnb.files import files_stamp
from perfnb.periods import Period, latest_period, parse_period
from perfnb.timescales import parse_timescale
from perfnb.validation import (
    LATEST_WITHIN_MONTHS,
    RawTable,
    check_defaults,
    check_tables,
    to_number,
)
from perfnb.wide import KPIS, LONG_TABLES, with_kpis

__all__ = ["Dataset", "load_dataset", "slugify", "validate_dataset"]

WORKBOOK = "perfnb.xlsx"
SETTINGS = "dataset.toml"
DEFAULT_DECIMALS = {
    "percent": 1,
    "rate": 1,
    "score": 1,
    "ratio": 2,
    "count": 0,
    "currency": 0,
    "days": 0,
}


@dataclass
class Dataset:
    """A validated data set: typed frames plus where they came from."""

    path: Path
    measures: pd.DataFrame
    values: pd.DataFrame
    targets: pd.DataFrame
    overrides: pd.DataFrame = field(default_factory=lambda: _typed_overrides(None))
    benchmarks: pd.DataFrame = field(default_factory=lambda: _typed_benchmarks(None))
    annotations: pd.DataFrame = field(default_factory=lambda: _typed_annotations(None))
    actions: pd.DataFrame = field(default_factory=lambda: _typed_actions(None))
    action_updates: pd.DataFrame = field(default_factory=lambda: _typed_action_updates(None))
    settings: dict[str, object] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def council(self) -> str:
        """The council's name from ``dataset.toml`` (blank if not given)."""
        return str(self.settings.get("council", ""))

    @property
    def area(self) -> str:
        """This council's name in ``benchmarks.csv``, from ``dataset.toml`` (blank if not given)."""
        return str(self.settings.get("area", ""))

    @property
    def latest_within_months(self) -> int:
        """How many months after a report's period its latest position may reach (``[defaults]``
        ``latest_within_months``; 3 when not given, 0 for none)."""
        months = dataset_defaults(self.settings).get("latest_within_months", LATEST_WITHIN_MONTHS)
        return int(months)  # type: ignore[call-overload]

    @property
    def services(self) -> list[str]:
        """Every service of the data set, in the order measures.csv first names them."""
        return list(pd.unique(self.measures["service"]))

    def periods(self) -> list[Period]:
        """Every period with a row in values.csv, oldest first."""
        found = {parse_period(p) for p in pd.unique(self.values["period"])}
        return sorted(found, key=lambda p: (p.end, p.start))

    @cached_property
    def reported_values(self) -> pd.DataFrame:
        """values.csv's rows that reports use: every row but those after their measure's
        ``until`` (a measure dropped from the set). Rows before ``from`` stay: no report shows
        the measure before then, but they are its history (a year to date counts them)."""
        measures = self.measures
        if "until_period" not in measures or not (measures["until_period"] != "").any():
            return self.values
        labels = measures.set_index("measure_id")["until_period"]
        ends = {
            label: pd.Timestamp(parse_period(label).end)
            for label in pd.unique(labels[labels != ""])
        }
        limit = pd.to_datetime(self.values["measure_id"].map(labels.map(ends)))
        return self.values[limit.isna() | self.values["period_start"].le(limit)]

    def latest_period(self) -> Period:
        """The latest quarter or month with a figure (a quarter before a month ending the same
        day); a year only when the data has nothing finer. Annual figures (surveys) arrive
        after the year ends, so a year row never makes the year itself the default. A figure
        after its measure's until does not count."""
        values = self.reported_values[self.reported_values["value"].notna()]
        finer = values.loc[values["period_kind"] != "year", "period"]
        with_data = finer if len(finer) else values["period"]
        return latest_period(parse_period(p) for p in pd.unique(with_data))

    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of every input file, by its path relative to the data set folder."""
        hashes = {}
        for path in sorted(set(self.sources.values())):
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes


# -- reading --------------------------------------------------------------------------------


def _normalise_header(name: object) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def _column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column: 0 is A, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _table_from_grid(grid: pd.DataFrame, label: str, spec: FileSpec) -> RawTable | Problem:
    """A RawTable from a file's cells (header included), or the Problem that prevents one.

    The header is read here, not by pandas, so that a repeated column is reported instead of
    being renamed ``value.1``. Cells are stripped; wholly blank rows and unnamed wholly blank
    columns are dropped; rows keep their spreadsheet numbers.
    """
    grid = grid.fillna("").astype(str).apply(lambda col: col.str.strip())
    if grid.empty:
        expected = ", ".join(c.name for c in spec.columns if c.required)
        return Problem(label, f"is empty; expected a header row with {expected}")
    header = [_normalise_header(h) for h in grid.iloc[0]]
    data = grid.iloc[1:]
    keep_columns = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            if (data.iloc[:, i] != "").any():
                return Problem(label, f"column {_column_letter(i)} has figures but no header")
            continue
        if name in seen:
            first, again = _column_letter(seen[name]), _column_letter(i)
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
    frame, rows = frame[keep].reset_index(drop=True), rows[keep].reset_index(drop=True)
    return RawTable(spec, frame, label, rows)


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
            return pd.read_csv(
                path,
                header=None,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding=encoding,
                sep="\t" if tabbed else ",",
            )
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            return pd.DataFrame()
    raise UnicodeDecodeError("utf-8", b"", 0, 1, "neither UTF-8 nor Windows-1252")


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


def _unsaved_formulas(
    sheets: dict[str, pd.DataFrame], unsaved: list[tuple[str, int, int]]
) -> list[Problem]:
    """A formula whose result was never saved (the workbook was written by a program) in a text
    column would be read as its formula text: an error at its sheet, row and column. Number
    columns report it themselves (perfnb.validation)."""
    numeric = {c.name for s in FILES.values() for c in s.columns if c.kind in ("number", "integer")}
    problems = []
    for name, row, i in unsaved:
        grid = sheets[name]
        column = _normalise_header(grid.iat[0, i]) if i < grid.shape[1] else ""
        if column in numeric or name not in (*FILES, KPIS.name):
            continue
        problems.append(
            Problem(
                f"{WORKBOOK}, sheet {name}",
                "is a formula whose result was never saved; open the workbook in Excel and save "
                "it, or paste the values",
                row=row,
                column=column or _column_letter(i),
                value=grid.iat[row - 1, i],
            )
        )
    return problems


def _read_workbook(
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
                        f"sheet {sheet.title} has data in column {_column_letter(len(cells) - 1)}"
                        f" of row {number:,}; perfnb reads at most {MAX_SHEET_COLUMNS} columns: "
                        "delete the columns to the right of the data"
                    )
                rows.append(cells)
                if number == 1:
                    relative = {
                        i for i, h in enumerate(rows[0]) if _normalise_header(h) in tolerances
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


def _read_tables(folder: Path) -> tuple[dict[str, RawTable], dict[str, Path], list[Problem]]:
    """Reads every file the contract names; problems for files that are missing or unreadable."""
    tables: dict[str, RawTable] = {}
    sources: dict[str, Path] = {}
    problems: list[Problem] = []
    workbook = folder / WORKBOOK
    sheets: dict[str, pd.DataFrame] | None = None
    specs = (*FILES.values(), KPIS)
    beside = [spec.filename for spec in specs if (folder / spec.filename).exists()]
    if workbook.exists() and beside:
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
            sheets, unsaved = _read_workbook(workbook)
        except SheetTooBig as exc:
            problems.append(Problem(WORKBOOK, str(exc)))
            return tables, sources, problems
        except Exception as exc:  # openpyxl raises many types for a damaged file
            problems.append(Problem(WORKBOOK, f"could not be read as an Excel workbook: {exc}"))
            return tables, sources, problems
        problems += _unsaved_formulas(sheets, unsaved)
    # a kpis sheet (perfnb.wide) may stand in for measures, values and targets
    kpis, kpis_label, kpis_source = _read_one(folder, KPIS, sheets, problems)
    has_kpis = KPIS.name in sheets if sheets is not None else (folder / KPIS.filename).exists()
    for name, spec in FILES.items():
        if has_kpis and name in LONG_TABLES:
            spec = replace(spec, required=False)
        grid, label, source = _read_one(folder, spec, sheets, problems)
        if grid is None:
            continue
        table = _table_from_grid(grid, label, spec)
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
    folder: Path, spec: FileSpec, sheets: dict[str, pd.DataFrame] | None, problems: list[Problem]
) -> tuple[pd.DataFrame | None, str, Path]:
    csv = folder / spec.filename
    if sheets is not None:
        label = f"{WORKBOOK}, sheet {spec.name}"
        if spec.name in sheets:
            return sheets[spec.name], label, folder / WORKBOOK
        if spec.required:
            have = ", ".join(sheets) or "none"
            problems.append(
                Problem(WORKBOOK, f"has no sheet named {spec.name!r}; its sheets are: {have}")
            )
        return None, label, folder / WORKBOOK
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


def _read_settings(folder: Path) -> tuple[dict[str, object], list[Problem]]:
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
    return settings, check_defaults(settings, SETTINGS)


def _commentary_problems(folder: Path) -> list[Problem]:
    """Commentary files the run could not read, read as the run reads them."""
    from perfnb.commentary import CommentaryError, read_commentary_text

    problems = []
    for path in sorted((folder / "commentary").glob("*.md")):
        try:
            read_commentary_text(path)
        except CommentaryError as exc:
            problems.append(Problem(f"commentary/{path.name}", exc.reason))
        except OSError as exc:
            problems.append(Problem(f"commentary/{path.name}", f"could not be read: {exc}"))
    return problems


def dataset_defaults(settings: dict[str, object]) -> dict[str, object]:
    """``dataset.toml``'s ``[defaults]`` table (empty when it has none)."""
    defaults = settings.get("defaults", {})
    return defaults if isinstance(defaults, dict) else {}


# -- typing ---------------------------------------------------------------------------------


# a measure's figure is a running total through the year: compared with the same period last
# year by default, never with a period at another point of the year
YEAR_TO_DATE_AGGREGATIONS = ("sum", "ytd")


def _typed_measures(table: RawTable, defaults: dict[str, object] | None = None) -> pd.DataFrame:
    """measures.csv typed: a blank rule cell takes ``dataset.toml``'s ``[defaults]``, then
    perfnb's own (``dot_basis``: ``last_year`` for sum and ytd measures, else ``previous``);
    ``from_period`` and ``until_period`` are the labels of ``from`` and ``until`` ('' if none)."""
    out = table.frame.copy()
    defaults = defaults or {}
    for name in ("priority", *RULE_COLUMNS, "from", "until"):
        if name not in out:
            out[name] = ""
    for name in RULE_COLUMNS:
        if name in defaults and name != "min_base":
            out[name] = out[name].where(out[name].str.strip() != "", str(defaults[name]).strip())
    for name in ("unit", "polarity", "aggregation", "frequency", "dot_basis", "rag_on", "rag_rule"):
        out[name] = out[name].str.strip().str.lower()
    out["rag_on"] = out["rag_on"].replace("", "value")
    out["rag_rule"] = out["rag_rule"].replace("", "tolerance")
    running = out["aggregation"].isin(YEAR_TO_DATE_AGGREGATIONS)
    out["dot_basis"] = out["dot_basis"].where(
        out["dot_basis"] != "", np.where(running, "last_year", "previous")
    )
    is_rate = out["unit"] == "rate"
    out["rate_per"] = table.number("rate_per").where(is_rate).fillna(100000.0).where(is_rate)
    decimals = table.number("decimals").fillna(out["unit"].map(DEFAULT_DECIMALS))
    out["decimals"] = decimals.astype(int)
    min_base = table.number("min_base")
    if "min_base" in defaults:  # checked as the column is: "1,000" is a thousand
        min_base = min_base.fillna(to_number(pd.Series([str(defaults["min_base"])])).iloc[0])
    out["min_base"] = min_base
    for name in ("from", "until"):
        labels = table.periods(name)["period"] if name in table.frame else None
        out[f"{name}_period"] = "" if labels is None else labels.fillna("").astype(str)
    out["service_slug"] = out["service"].map(slugify)
    return out


def _typed_values(table: RawTable) -> pd.DataFrame:
    out = table.frame.copy()
    periods = table.periods("period")
    for name in periods.columns:
        out[name] = periods[name]
    for name in ("value", "numerator", "denominator", "base", "forecast"):
        out[name] = table.number(name)
    for name in ("note", "status"):
        if name not in out:
            out[name] = ""
    out["status"] = out["status"].str.strip().str.lower().replace("final", "")
    out["pending"] = out["value"].isna()
    return out


def _typed_targets(table: RawTable) -> pd.DataFrame:
    """targets.csv typed: ``fy`` is the row's financial year (its period's, when it has one);
    ``period`` is the label of a quarter or month target ('' for a year's target), with its
    ``period_kind``, ``fy_month_first`` and ``fy_month_last`` (the months of the year it starts
    and ends in, 1 = April; 1 and 12 for a year's target)."""
    out = table.frame.copy()
    for name in ("year", "period", "profile", "note"):
        if name not in out:
            out[name] = ""
    years = table.periods("year") if "year" in table.frame else None
    periods = table.periods("period") if "period" in table.frame else None
    has_period = (
        periods["period"].notna() if periods is not None else pd.Series(False, index=out.index)
    )
    year_fy = years["fy"] if years is not None else pd.Series(-1, index=out.index)
    period_fy = periods["fy"] if periods is not None else pd.Series(-1, index=out.index)
    out["fy"] = np.where(has_period, period_fy, year_fy).astype("int64")
    out["year"] = [Period("year", int(fy)).label if fy > 0 else "" for fy in out["fy"].to_numpy()]
    out["period"] = periods["period"].fillna("").astype(str) if periods is not None else ""
    out["period_kind"] = (
        np.where(has_period, periods["period_kind"], "year") if periods is not None else "year"
    )
    for name, year_value in (("fy_month_first", 1), ("fy_month_last", 12)):
        out[name] = (
            np.where(has_period, periods[name], year_value).astype("int64")
            if periods is not None
            else year_value
        )
    for name in ("target", "band_low", "band_high"):
        out[name] = table.number(name)
    return out


def _typed_overrides(table: RawTable | None) -> pd.DataFrame:
    from perfnb.rag import normalise_rag

    if table is None:
        return pd.DataFrame(columns=["measure_id", "period", "rag", "reason", "by"], dtype=object)
    out = table.frame.copy()
    out["period"] = table.periods("period")["period"]
    out["rag"] = normalise_rag(out["rag"])
    if "by" not in out:
        out["by"] = ""
    return out


def _typed_annotations(table: RawTable | None) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame(columns=["measure_id", "period", "text"], dtype=object)
    out = table.frame.copy()
    out["period"] = table.periods("period")["period"]
    return out


ACTION_DATES = ("start_date", "deadline_date")


def _typed_actions(table: RawTable | None) -> pd.DataFrame:
    """actions.csv with every column as text, plus ``start_date`` (the first day ``start``
    names: "October 2003" is 1 October), ``deadline_date`` (the last day ``deadline`` names), NaT
    where they name none, and ``deadline_kind`` (date, achieved, ongoing, text or blank:
    :func:`perfnb.timescales.parse_timescale`)."""
    names = [c.name for c in ACTIONS.columns]
    frame = table.frame.copy() if table is not None else pd.DataFrame(columns=names, dtype=object)
    for name in names:
        if name not in frame:
            frame[name] = ""
    frame = frame.astype({name: object for name in names})
    starts = [parse_timescale(text) for text in frame["start"]]
    deadlines = [parse_timescale(text) for text in frame["deadline"]]
    frame["start"] = [t.text for t in starts]
    frame["deadline"] = [t.text for t in deadlines]
    frame["start_date"] = pd.to_datetime([t.first for t in starts]).astype("datetime64[ns]")
    frame["deadline_date"] = pd.to_datetime([t.deadline for t in deadlines]).astype(
        "datetime64[ns]"
    )
    frame["deadline_kind"] = pd.Series([t.kind for t in deadlines], index=frame.index, dtype=object)
    extra = [
        c for c in frame.columns if c not in names and c not in (*ACTION_DATES, "deadline_kind")
    ]
    return frame[[*names, *ACTION_DATES, "deadline_kind", *extra]].reset_index(drop=True)


def _typed_action_updates(table: RawTable | None) -> pd.DataFrame:
    """action_updates.csv: ``period`` as its label, ``status`` in its canonical case (``On
    Target`` is ``On target``; ``Achieved`` and ``Done`` are ``Completed``), ``pct_complete`` as
    a number (per cent)."""
    names = [c.name for c in ACTION_UPDATES.columns]
    if table is None:
        empty = pd.DataFrame(columns=names, dtype=object)
        return empty.astype({"pct_complete": float})
    frame = table.frame.copy()
    for name in names:
        if name not in frame:
            frame[name] = ""
    frame["period"] = table.periods("period")["period"]
    canonical = {status.lower(): status for status in ACTION_STATUSES}
    canonical |= {word.lower(): status for word, status in ACTION_STATUS_WORDS.items()}
    frame["status"] = frame["status"].astype(str).str.strip().str.lower().map(canonical)
    frame["pct_complete"] = table.number("pct_complete")
    extra = [c for c in frame.columns if c not in names]
    return frame[[*names, *extra]].reset_index(drop=True)


def _typed_benchmarks(table: RawTable | None) -> pd.DataFrame:
    columns = ["measure_id", "year", "fy", "area", "value", "is_average", "quartile"]
    if table is None:
        return pd.DataFrame(
            {
                "measure_id": pd.Series(dtype=object),
                "year": pd.Series(dtype=object),
                "fy": pd.Series(dtype="int64"),
                "area": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
                "is_average": pd.Series(dtype=bool),
                "quartile": pd.Series(dtype=float),
            }
        )[columns]
    out = table.frame.copy()
    periods = table.periods("year")
    out["year"] = periods["period"]
    out["fy"] = periods["fy"].astype("int64")
    out["value"] = table.number("value")
    out["quartile"] = table.number("quartile")
    flag = out["is_average"] if "is_average" in out else pd.Series("", index=out.index)
    out["is_average"] = flag.astype(str).str.strip().str.lower().isin(TRUE_FLAGS)
    return out


def _benchmark_area_problems(
    tables: dict[str, RawTable], settings: dict[str, object]
) -> list[Problem]:
    """Warnings when benchmarks cannot be ranked: no area named, or an area with no figures."""
    table = tables.get("benchmarks")
    if table is None or table.frame.empty or "area" not in table.frame:
        return []
    area = str(settings.get("area", "")).strip()
    if not area:
        return [
            Problem(
                SETTINGS,
                "has no area, so benchmarks.csv cannot rank this council; add a line such as "
                'area = "Trafford" naming it as benchmarks.csv does',
                severity="warning",
            )
        ]
    areas = table.frame["area"].astype(str).str.strip().str.casefold()
    if not (areas == area.casefold()).any():
        return [
            Problem(
                table.label,
                f"has no rows for the area {area!r} named in {SETTINGS}, so no quartile can be "
                "worked out; check the spelling",
                column="area",
                severity="warning",
            )
        ]
    return []


# -- public ---------------------------------------------------------------------------------


def _read_and_check(
    folder: Path,
) -> tuple[dict[str, RawTable], dict[str, Path], dict[str, object], list[Problem]]:
    """Reads every file once and checks it: tables, their paths, settings, problems."""
    if not folder.is_dir():
        where = "" if folder.is_absolute() else f" in {Path.cwd()}"
        problem = Problem(
            str(folder),
            f"is not a folder{where}; run perfnb from the project folder, or pass --data with "
            "the data set's folder",
        )
        return {}, {}, {}, [problem]
    tables, sources, problems = _read_tables(folder)
    settings, settings_problems = _read_settings(folder)
    if (folder / SETTINGS).exists():
        sources["settings"] = folder / SETTINGS
    problems += settings_problems + check_tables(tables) + _commentary_problems(folder)
    problems += _benchmark_area_problems(tables, settings)
    return tables, sources, settings, problems


def validate_dataset(folder: str | Path) -> list[Problem]:
    """Every problem (errors and warnings) in the data set at ``folder``."""
    return _read_and_check(Path(folder))[3]


# data sets read ahead of their use, by resolved folder: (its files' stamp, the data set)
_preloaded: dict[Path, tuple[tuple, Dataset]] = {}


def preload_dataset(folder: str | Path) -> None:
    """Reads the data set at ``folder`` ahead of its use: the next ``load_dataset`` of that
    folder in this process, or in a process forked from it (a report kernel forked from the
    kernel template), takes it, if no file of the folder has changed since. A data set with
    problems is not kept: its ``load_dataset`` reports them."""
    folder = Path(folder).resolve()
    stamp = files_stamp(folder)
    try:
        _preloaded[folder] = (stamp, load_dataset(folder))
    except (DataError, OSError):
        _preloaded.pop(folder, None)


def load_dataset(folder: str | Path = "data/sample") -> Dataset:
    """Reads and validates the data set at ``folder``; raises ``DataError`` listing all problems."""
    folder = Path(folder)
    ready = _preloaded.pop(folder.resolve(), None) if _preloaded else None
    if ready is not None and ready[0] == files_stamp(folder.resolve()):
        return replace(ready[1], path=folder)  # taken once: nobody else holds its tables
    tables, sources, settings, problems = _read_and_check(folder)
    if any(p.severity == "error" for p in problems):
        raise DataError(str(folder), problems)
    return Dataset(
        path=folder,
        measures=_typed_measures(tables["measures"], dataset_defaults(settings)),
        values=_typed_values(tables["values"]),
        targets=_typed_targets(tables["targets"]),
        overrides=_typed_overrides(tables.get("overrides")),
        benchmarks=_typed_benchmarks(tables.get("benchmarks")),
        annotations=_typed_annotations(tables.get("annotations")),
        actions=_typed_actions(tables.get("actions")),
        action_updates=_typed_action_updates(tables.get("action_updates")),
        settings=settings,
        sources=sources,
        warnings=[p for p in problems if p.severity == "warning"],
    )
