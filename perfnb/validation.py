"""Checks a data set against the contract and reports every problem at once.

Each check is a function from raw tables (every cell a string, blank as ``""``) to a list of
``Problem``; the loader runs them all before anything is computed. Messages name the file, the
row as a spreadsheet shows it, the column, the bad value and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfnb.contract import (
    ACTION_STATUS_WORDS,
    FLAGS,
    MEASURES,
    RULE_COLUMNS,
    Column,
    FileSpec,
    Problem,
    slugify,
)
from perfnb.periods import period_columns

__all__ = ["LATEST_WITHIN_MONTHS", "RawTable", "check_defaults", "check_tables", "to_number"]

# how many months after a report's period its "latest position" may reach, unless dataset.toml's
# [defaults] says otherwise
LATEST_WITHIN_MONTHS = 3

# At most this many problems of one kind (file, column, rule) are listed; the rest are counted.
MAX_LISTED = 25

_TOLERANCE_RE = r"^\d+(?:\.\d+)?%?$"
_NUMBER_RE = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_THOUSANDS_RE = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
_WORD_COLUMNS = {"name", "service", "theme"}  # a bare number here means shifted columns
_NAME_COLUMNS = {"name", "service"}  # ... certainly here; a theme might be numbered
_NON_NEGATIVE_UNITS = ("count", "days", "rate")  # below zero is suspicious (a warning)
MAX_DECIMALS = 6
_PROFILE_RE = re.compile(r"^(linear|[qm]\s*:\s*\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*)$", re.I)


@dataclass
class RawTable:
    """One input file as read: every cell a string, ``row`` holding spreadsheet row numbers."""

    spec: FileSpec
    frame: pd.DataFrame
    label: str  # "values.csv" or "perfnb.xlsx, sheet values"
    rows: pd.Series  # spreadsheet row number of each record (header = row 1)
    # where a row came from when not from this file (a kpis sheet's rows: perfnb.wide): its
    # file per row, and each cell's column header as written ('' for the column's own name)
    files: pd.Series | None = None
    headers: pd.DataFrame | None = None
    _numbers: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    _periods: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def number(self, column: str) -> pd.Series:
        """The column as floats (NaN where blank or not a number), converted once."""
        if column not in self._numbers:
            if column in self.frame:
                self._numbers[column] = to_number(self.frame[column])
            else:
                self._numbers[column] = pd.Series(np.nan, index=self.frame.index)
        return self._numbers[column]

    def periods(self, column: str) -> pd.DataFrame:
        """The column's periods as ``period_columns`` gives them, parsed once."""
        if column not in self._periods:
            self._periods[column] = period_columns(self.frame[column])
        return self._periods[column]

    def locate(self, index: object, column: str) -> tuple[str, int, str]:
        """The file, spreadsheet row and column header of one cell, as the user wrote them: a
        cell read from a kpis sheet names the sheet, its row and its column's header."""
        file = self.label if self.files is None else str(self.files.loc[index])
        header = column
        if self.headers is not None and column in self.headers:
            header = str(self.headers.at[index, column]) or column
        return file, int(self.rows.loc[index]), header


def to_number(texts: pd.Series) -> pd.Series:
    """Converts text cells to floats; blank gives NaN, and so does anything that is not a number.

    Accepts thousands separators (``38,000``), a trailing ``%`` and a leading ``£``, as
    spreadsheets export them; rejects ``inf`` and ``nan`` written as text.
    """
    text = texts.astype(str).str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    retry = numbers.isna() & (text != "")
    if retry.any():  # the slow path, only for cells the fast one could not read
        cleaned = text[retry].str.replace(r"^£", "", regex=True).str.replace(r"%$", "", regex=True)
        thousands = cleaned.str.match(_THOUSANDS_RE)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(",", "", regex=False))
        ok = cleaned.str.match(_NUMBER_RE)
        numbers[retry] = pd.to_numeric(cleaned.where(ok), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


class _Collector:
    """Gathers problems, listing at most ``MAX_LISTED`` of each kind and counting the rest."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: dict[tuple[str, str | None, str, str], int] = {}

    def reserve(self, key: tuple[str, str | None, str, str], count: int) -> int:
        """Counts ``count`` problems of one kind; returns how many of them are still listed."""
        before = self._counts.get(key, 0)
        self._counts[key] = before + count
        return max(0, min(count, MAX_LISTED - before))

    def add(self, problem: Problem, rule: str = "") -> None:
        key = (problem.file, problem.column, rule or problem.message, problem.severity)
        if self.reserve(key, 1):
            self.problems.append(problem)

    def add_rows(
        self,
        table: RawTable,
        mask: pd.Series,
        column: str,
        message: str,
        *,
        severity: str = "error",
        show_value: bool = True,
    ) -> None:
        """Adds one problem for every row where ``mask`` is true."""
        if not mask.any():
            return
        hits = mask[mask].index
        files = table.files.loc[hits] if table.files is not None else None
        groups = [(table.label, hits)] if files is None else files.groupby(files, sort=False)
        for file, group in groups:
            group = group if files is None else group.index
            # a kpis sheet's cells have headers of their own: its rows are counted by file alone
            own = table.headers is None or (files is not None and file == table.label)
            key = (file, column if own else None, message, severity)
            # only the rows that will be listed become Problems; the rest are only counted
            group = group[: self.reserve(key, len(group))]
            values = table.frame.loc[group, column] if column in table.frame else None
            for i, idx in enumerate(group):
                value = values.iloc[i] if values is not None and show_value else None
                where, row, header = table.locate(idx, column)
                self.problems.append(
                    Problem(
                        where,
                        message,
                        row=row,
                        column=header,
                        value=value,
                        severity=severity,  # type: ignore[arg-type]
                    )
                )

    def finish(self) -> list[Problem]:
        for (file, column, _rule, severity), count in self._counts.items():
            if count > MAX_LISTED:
                hidden = count - MAX_LISTED
                self.problems.append(
                    Problem(
                        file,
                        f"... and {hidden:,} more row(s) with the same problem",
                        None,
                        column,
                        None,
                        severity,  # type: ignore[arg-type]
                    )
                )
        return self.problems


def _blank(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].astype(str).str.strip() == ""


def _describe_choices(column: Column) -> str:
    return ", ".join(column.choices)


def _check_cells(table: RawTable, out: _Collector) -> None:
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
                f"is not one of the allowed values; expected one of {_describe_choices(column)}",
            )
        elif column.kind == "flag":
            bad = filled & ~text.str.lower().isin(FLAGS)
            out.add_rows(table, bad, column.name, "is not yes or no; expected yes, no or blank")
        elif column.kind == "tolerance":
            bad = filled & ~text.str.match(_TOLERANCE_RE)
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
        return f"one of {_describe_choices(column)}"
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


def _check_duplicates(table: RawTable, out: _Collector) -> None:
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


def _check_measure_ids(tables: dict[str, RawTable], out: _Collector) -> None:
    measures = tables.get("measures")
    if measures is None or "measure_id" not in measures.frame:
        return
    known = set(measures.frame["measure_id"].astype(str).str.strip())
    for name, table in tables.items():
        if name == "measures" or "measure_id" not in table.frame:
            continue
        ids = table.frame["measure_id"].astype(str).str.strip()
        unknown = (ids != "") & ~ids.isin(known)
        out.add_rows(table, unknown, "measure_id", "is not a measure_id in measures.csv")


def _measure_attribute(tables: dict[str, RawTable], table: RawTable, column: str) -> pd.Series:
    """For each row of ``table``, the measures.csv ``column`` of its measure (lower case)."""
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
    ids = table.frame["measure_id"].astype(str).str.strip()
    return ids.map(lookup).fillna("")


def _check_values(tables: dict[str, RawTable], out: _Collector) -> None:
    table = tables.get("values")
    if table is None or "measures" not in tables or "measure_id" not in table.frame:
        return
    frame = table.frame
    unit = _measure_attribute(tables, table, "unit")
    if "value" in frame:
        value = table.number("value")
        pct = (unit == "percent") & ((value < 0) | (value > 100))
        out.add_rows(table, pct, "value", "is outside 0-100 for a percent measure")
        _check_percent_sign(table, "value", unit, out)
        negative = unit.isin(_NON_NEGATIVE_UNITS) & (value < 0)
        out.add_rows(
            table,
            negative,
            "value",
            "is below zero, which a count, number of days or rate rarely is; check the sign",
            severity="warning",
        )
        note_blank = _blank(frame, "note") if "note" in frame else pd.Series(True, frame.index)
        pending = _blank(frame, "value") & note_blank
        if "numerator" in frame and "denominator" in frame:
            # a ratio measure's figure is its numerator over its denominator: no value needed
            counted = ~_blank(frame, "numerator") & ~_blank(frame, "denominator")
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
            out.add_rows(
                table, table.number(name) < 0, name, "is below zero; expected a count of 0 or more"
            )
    if "denominator" in frame:
        den = table.number("denominator")
        out.add_rows(table, den <= 0, "denominator", "must be more than 0")
    _check_reported_span(tables, table, out)
    if "period" in frame:
        frequency = _measure_attribute(tables, table, "frequency")
        kind = table.periods("period")["period_kind"]
        out.add_rows(
            table,
            (frequency == "quarterly") & (kind == "month"),
            "period",
            "is a month, but the measure is quarterly; give the quarter's figure (2017/18 Q1), "
            "or make the measure monthly in measures.csv",
        )
    aggregation = _measure_attribute(tables, table, "aggregation")
    if "value" in frame:
        has_value = ~_blank(frame, "value")
        for name in ("numerator", "denominator"):
            blank = _blank(frame, name) if name in frame else pd.Series(True, frame.index)
            out.add_rows(
                table,
                (aggregation == "ratio") & has_value & blank,
                name if name in frame else "value",
                f"is missing for a ratio measure; its year to date is the sum of numerators "
                f"over the sum of denominators, so every figure needs its {name}",
                show_value=False,
            )
    if "numerator" in frame and "denominator" in frame:
        num, den = table.number("numerator"), table.number("denominator")
        over = (unit == "percent") & (num > den)
        out.add_rows(
            table, over, "numerator", "is more than the denominator, which a percentage cannot be"
        )


def _check_reported_span(tables: dict[str, RawTable], table: RawTable, out: _Collector) -> None:
    """A figure for a period outside its measure's from and until is a warning: reports leave
    out one after until, and show none before from (a later year to date counts it)."""
    measures = tables["measures"]
    if "period" not in table.frame or not {"from", "until"} & set(measures.frame):
        return
    ids = measures.frame["measure_id"].astype(str).str.strip()
    period = table.periods("period")
    row_ids = table.frame["measure_id"].astype(str).str.strip()
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
        limit = row_ids.map(lookup)
        outside = period["period_end"] < limit if name == "from" else period["period_start"] > limit
        out.add_rows(table, outside.fillna(False), "period", message, severity="warning")


def _check_targets(tables: dict[str, RawTable], out: _Collector) -> None:
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
    polarity = _measure_attribute(tables, table, "polarity")
    unit = _measure_attribute(tables, table, "unit")
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
            _check_percent_sign(table, name, unit, out)
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


def _check_target_periods(tables: dict[str, RawTable], table: RawTable, out: _Collector) -> None:
    """A target row is a year's (``year``) or a period's (``period``: a quarter or month the
    measure's frequency can have, in ``year`` if both are given); one row per measure and
    period or year."""
    frame = table.frame
    blank = pd.Series(True, index=frame.index)
    year_blank = _blank(frame, "year") if "year" in frame else blank
    period_blank = _blank(frame, "period") if "period" in frame else blank
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
    frequency = _measure_attribute(tables, table, "frequency")
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


def _check_target_keys(table: RawTable, periods: pd.DataFrame | None, out: _Collector) -> None:
    """One target per measure and period (or year, for a year's target)."""
    frame = table.frame
    if "measure_id" not in frame:
        return
    when = pd.Series("", index=frame.index, dtype=object)
    if "year" in frame:
        years = table.periods("year")["period"]
        when = years.where(years.notna(), "").astype(object)
    if periods is not None:
        when = periods["period"].where(periods["period"].notna(), when).astype(object)
    ids = frame["measure_id"].astype(str).str.strip()
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
        column = "period" if periods is not None and pd.notna(periods.at[idx, "period"]) else "year"
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


def _check_percent_sign(table: RawTable, column: str, unit: pd.Series, out: _Collector) -> None:
    """A figure written with % for a measure whose unit is not percent is a mistake."""
    text = table.frame[column].astype(str).str.strip()
    wrong = text.str.endswith("%") & (unit != "percent") & (unit != "")
    out.add_rows(
        table,
        wrong,
        column,
        "has a % sign but the measure's unit is not percent; check the unit in measures.csv",
    )


def _check_measures(tables: dict[str, RawTable], out: _Collector) -> None:
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


def _check_benchmarks(tables: dict[str, RawTable], out: _Collector) -> None:
    table = tables.get("benchmarks")
    if table is None or "quartile" not in table.frame:
        return
    quartile = table.number("quartile")
    out.add_rows(
        table, (quartile < 1) | (quartile > 4), "quartile", "is not a quartile; expected 1 to 4"
    )


def _check_actions(tables: dict[str, RawTable], out: _Collector) -> None:
    """Action plans: updates and activities name a known action; % complete is 0 to 100,
    does not go backwards (a warning) and is 100 when Completed (a warning otherwise)."""
    actions, updates = tables.get("actions"), tables.get("action_updates")
    known: set[str] = set()
    if actions is not None and "action_id" in actions.frame:
        ids = actions.frame["action_id"].astype(str).str.strip()
        known = set(ids)
        if "parent_id" in actions.frame:
            parent = actions.frame["parent_id"].astype(str).str.strip()
            out.add_rows(
                actions,
                (parent != "") & ~parent.isin(known),
                "parent_id",
                "is not an action_id in actions.csv",
            )
            out.add_rows(
                actions, (parent != "") & (parent == ids), "parent_id", "is the action itself"
            )
    if updates is None or "action_id" not in updates.frame:
        return
    ids = updates.frame["action_id"].astype(str).str.strip()
    if actions is None:
        out.add(
            Problem(
                updates.label,
                "has updates but the data set has no actions.csv listing the actions",
                column="action_id",
            )
        )
    else:
        out.add_rows(
            updates,
            (ids != "") & ~ids.isin(known),
            "action_id",
            "is not an action_id in actions.csv",
        )
    if "pct_complete" not in updates.frame:
        return
    pct = updates.number("pct_complete")
    out.add_rows(
        updates, (pct < 0) | (pct > 100), "pct_complete", "is not a percentage from 0 to 100"
    )
    if "status" in updates.frame:
        status = updates.frame["status"].astype(str).str.strip().str.lower()
        done = {w.lower() for w, means in ACTION_STATUS_WORDS.items() if means == "Completed"}
        out.add_rows(
            updates,
            status.isin({"completed", *done}) & (pct < 100),
            "pct_complete",
            "is less than 100 for an action whose status is Completed",
            severity="warning",
        )
    if "period" in updates.frame:
        periods = updates.periods("period")
        order = pd.DataFrame(
            {"id": ids, "start": periods["period_start"], "end": periods["period_end"], "pct": pct}
        ).dropna()
        order = order.sort_values(["id", "end", "start"], kind="stable")
        before = order.groupby("id")["pct"].shift(1)
        backwards = order["pct"] < before
        out.add_rows(
            updates,
            backwards.reindex(updates.frame.index, fill_value=False),
            "pct_complete",
            "is lower than the action's % complete in the period before; is it right?",
            severity="warning",
        )


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
                ok = re.match(_TOLERANCE_RE, text) is not None
            elif column.kind == "choice":
                ok = text.lower() in column.choices
            else:  # min_base
                number = to_number(pd.Series([text])).iloc[0]
                ok = bool(np.isfinite(number) and number >= 0)
            expected = {
                "tolerance": 'a relative tolerance such as "10%" or an absolute one such as 2',
                "choice": f"one of {_describe_choices(column)}",
            }.get(column.kind, "a number of 0 or more")
        if not ok:
            problems.append(
                Problem(label, f"is not allowed; expected {expected}", None, where, text)
            )
    return problems


# a report's or chart's file name is built from a service or measure_id (``trend-<measure>``,
# ``cumulative-<measure>-<year>``); file systems refuse names over 255 bytes
MAX_NAME_SLUG = 100


def _check_rows_exist(tables: dict[str, RawTable], out: _Collector) -> None:
    """measures and values need a row: a header alone gives nothing to report."""
    for name, what in (("measures", "a row per measure"), ("values", "a row per figure")):
        table = tables.get(name)
        if table is not None and table.frame.empty:
            out.add(Problem(table.label, f"has a header but no rows; expected {what}"))


def _check_name_lengths(tables: dict[str, RawTable], out: _Collector) -> None:
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


def check_tables(tables: dict[str, RawTable]) -> list[Problem]:
    """Every problem in a data set's tables: cells, duplicates, unknown ids and file rules."""
    out = _Collector()
    _check_rows_exist(tables, out)
    _check_name_lengths(tables, out)
    for table in tables.values():
        _check_cells(table, out)
        _check_duplicates(table, out)
    _check_measure_ids(tables, out)
    _check_measures(tables, out)
    _check_values(tables, out)
    _check_targets(tables, out)
    _check_benchmarks(tables, out)
    _check_actions(tables, out)
    return out.finish()
