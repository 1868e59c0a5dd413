"""The target each figure is judged against, read from ``targets.csv`` for many rows at once.

A year's row (``target``, ``band_low``, ``band_high``, ``profile``, ``note``) holds for the
financial year; a period row (one with a ``period``) holds for that month or quarter. A figure's
target is its period's own row; else, for a running total through the year (sum measures, and
ytd measures of counts or money), the year's target profiled to the period's end
(``perfnb.profiles``); else the latest period target before it in the year; else the year's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfnb.column_set import Columns, numbers
from perfnb.engine_text import Coded, coded, select_coded
from perfnb.profiles import share_elapsed

__all__ = [
    "TARGET_COLUMNS",
    "TargetTable",
    "is_cumulative",
    "target_frame",
    "target_table",
    "targets_of",
]

# the card's columns :func:`target_frame` gives (before the two shares it gives the forecast)
TARGET_COLUMNS = (
    "target", "band_low", "band_high", "annual_target", "annual_band_low", "annual_band_high",
    "target_note", "annual_target_note", "target_basis",
)  # fmt: skip

_BASES = ("period", "profile", "year")  # what a target is: its period's, profiled, the year's

# units whose year-to-date figures are running totals, so a ytd measure's target is profiled
# through the year as a sum measure's is
_ADDITIVE_UNITS = ("count", "currency")


def is_cumulative(aggregation: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """True where the figure is a running total through the year whose target is profiled: sum
    measures, and ytd measures of counts or money."""
    return (aggregation == "sum") | ((aggregation == "ytd") & np.isin(unit, _ADDITIVE_UNITS))


@dataclass(frozen=True)
class _PeriodRows:
    """targets.csv's period rows (those with a ``period``), ready to be looked up."""

    group: np.ndarray  # measure code x 1024 + (fy - 1900)
    month: np.ndarray  # the month of the year each ends in
    numbers: dict[str, np.ndarray]  # target, band_low, band_high
    notes: Coded
    exact_kind: tuple[pd.Index, np.ndarray]  # (group, month end, kind) -> row
    exact_any: tuple[pd.Index, np.ndarray]  # (group, month end) -> row, a quarter first
    by_end: pd.DataFrame  # rows by month end, for the latest to end by M
    by_start: pd.DataFrame  # rows by first month, for the latest to start by M


@dataclass(frozen=True)
class TargetTable:
    """The targets of the measures asked about, keyed for looking up many rows at once: made
    once per card (:func:`target_table`), read by every chunk."""

    year_rows: np.ndarray  # (measure code, year - first_year): its year row; -1 for none
    first_year: int
    year_numbers: dict[str, np.ndarray]  # target, band_low, band_high; a NaN at the end
    year_text: dict[str, Coded]  # profile, note; '' at the end
    periods: _PeriodRows | None


def targets_of(targets: pd.DataFrame, catalogue: pd.Index) -> pd.DataFrame:
    """The rows of ``targets`` for the measures of ``catalogue``, with ``_code``, each one's
    position in it (kept as they are when they already have it)."""
    if "_code" in targets:
        return targets
    # each distinct measure_id looked up once (as stored: no Python string per row)
    row_id, ids = pd.factorize(targets["measure_id"])
    code = np.append(catalogue.get_indexer(np.asarray(ids, dtype=object)), -1)[row_id]
    return targets.assign(_code=code)[code >= 0].reset_index(drop=True)


def target_table(targets: pd.DataFrame, catalogue: pd.Index) -> TargetTable:
    """:class:`TargetTable` of ``targets`` (the loader's typed frame) for the measures of
    ``catalogue`` (their measure_ids, in the order ``code`` gives them)."""
    targets = targets_of(targets, catalogue)
    has_period = (
        ~coded(targets["period"]).equals("")
        if "period" in targets
        else np.zeros(len(targets), bool)
    )
    years, periods = targets[~has_period], targets[has_period].reset_index(drop=True)

    year_text = {}
    for name in ("profile", "note"):
        words = _text(years, name)
        year_text[name] = Coded(
            np.append(words.codes, len(words.words)), np.append(words.words, "")
        ).distinct()  # its categorical dtype made once, for every chunk's rows
    return TargetTable(
        *_year_grid(
            years["_code"].to_numpy(np.int64), years["fy"].to_numpy(np.int64), len(catalogue)
        ),
        {name: _numbers(years, name, True) for name in _NUMBERS},
        year_text,
        _period_rows(periods) if len(periods) else None,
    )


_NUMBERS = ("target", "band_low", "band_high")


def _year_grid(code: np.ndarray, fy: np.ndarray, measures: int) -> tuple[np.ndarray, int]:
    """The position of each (measure code, financial year)'s year row, on a grid of the
    measures by the years targets.csv covers, and its first year: a million rows look their
    year up by position, not by hashing. The first of two rows for one year wins (validation
    refuses them); a row without a year is on no one's."""
    rows_at = np.flatnonzero((fy >= 1900) & (fy < 2200))
    first = int(fy[rows_at].min()) if len(rows_at) else 1900
    span = int(fy[rows_at].max()) - first + 1 if len(rows_at) else 0
    place = code[rows_at] * span + fy[rows_at] - first
    _, firsts = np.unique(place, return_index=True)  # each place's first row
    rows = np.full(measures * span, -1, dtype=np.int64)
    rows[place[firsts]] = rows_at[firsts]
    return rows.reshape(measures, span), first


def _group(code: np.ndarray | pd.Series, fy: np.ndarray | pd.Series) -> np.ndarray:
    """One integer per (measure code, financial year)."""
    return np.asarray(code, dtype=np.int64) * 1024 + (np.asarray(fy, dtype=np.int64) - 1900)


def _numbers(frame: pd.DataFrame, name: str, pad: bool) -> np.ndarray:
    """A numeric column (NaN where the frame has none), with a NaN at the end when ``pad``."""
    data = frame[name].to_numpy(dtype=float) if name in frame else np.full(len(frame), np.nan)
    return np.append(data, np.nan) if pad else data


def _text(frame: pd.DataFrame, name: str) -> Coded:
    """A text column as codes ('' where the frame has none)."""
    return coded(frame[name]) if name in frame else Coded.constant("", len(frame))


def _period_rows(periods: pd.DataFrame) -> _PeriodRows:
    """:class:`_PeriodRows` of the period rows of targets.csv."""
    group = _group(periods["_code"], periods["fy"])
    month = periods["fy_month_last"].to_numpy(dtype=np.int64)
    first = periods["fy_month_first"].to_numpy(dtype=np.int64)
    kind = _kind_code(periods["period_kind"].to_numpy(dtype=object))
    return _PeriodRows(
        group,
        month,
        {name: _numbers(periods, name, False) for name in _NUMBERS},
        _text(periods, "note"),
        _keyed(group * 64 + month * 4 + kind),
        _keyed(group * 64 + month * 4, kind),
        _sorted_rows(group, month),
        _sorted_rows(group, first),
    )


def _keyed(have: np.ndarray, kind: np.ndarray | None = None) -> tuple[pd.Index, np.ndarray]:
    """The distinct keys of ``have`` and the row of each; where keys repeat (a quarter and its
    last month), the quarter's row."""
    order = np.arange(len(have))
    if kind is not None:  # quarters first, so that the first of each key is the quarter's
        order = np.argsort(kind != 1, kind="stable")
    keys = pd.Series(order, index=have[order])
    keys = keys[~keys.index.duplicated(keep="first")]
    return pd.Index(keys.index), keys.to_numpy()


def _lookup(keyed: tuple[pd.Index, np.ndarray], wanted: np.ndarray) -> np.ndarray:
    """Row of each ``wanted`` key, -1 where absent."""
    index, rows = keyed
    found = index.get_indexer(wanted)
    return np.where(found >= 0, rows[np.maximum(found, 0)], -1)


def _sorted_rows(group: np.ndarray, at: np.ndarray) -> pd.DataFrame:
    """Period rows sorted for :func:`_latest_before`."""
    rows = pd.DataFrame({"group": group, "at": at, "_row": np.arange(len(group))})
    return rows.sort_values(["at", "group"], kind="stable")


def _latest_before(rows: pd.DataFrame, group: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Position of the period row of the same group at or before ``month``; -1."""
    asked = pd.DataFrame({"group": group, "at": month, "_ask": np.arange(len(group))})
    merged = pd.merge_asof(
        asked.sort_values("at", kind="stable"), rows, on="at", by="group", direction="backward"
    )
    out = np.full(len(group), -1, dtype=np.int64)
    ok = merged["_row"].notna().to_numpy()
    out[merged["_ask"].to_numpy()[ok]] = merged["_row"].to_numpy()[ok].astype(np.int64)
    return out


def _kind_code(kind: np.ndarray) -> np.ndarray:
    """0 for a month, 1 for a quarter, 2 for a year (or anything else); codes stay as they are."""
    kind = np.asarray(kind)
    if kind.dtype.kind in "iu":
        return kind.astype(np.int64)
    kind = kind.astype(object)
    return np.select([kind == "month", kind == "quarter"], [0, 1], 2).astype(np.int64)


def _targets_at(
    table: TargetTable,
    code: np.ndarray,
    fy: np.ndarray,
    month: np.ndarray | None = None,
    kind: np.ndarray | None = None,
    cumulative: np.ndarray | None = None,
    running: np.ndarray | None = None,
) -> Columns:
    """The targets of each (measure, financial year, month M of the year): the year's row
    (``target``, ``band_low``, ``band_high``, ``profile``, ``target_note``) and the period row
    that applies at M (``period_target``, ``period_low``, ``period_high``, ``period_note``,
    ``period_month``: NaN where none). A period row applies when it ends at M (of R's own kind
    first); else, for a measure that is not cumulative, the latest before M does: for a ytd
    measure the latest to end by M (a year-to-date target is one for a point in time), for any
    other the latest to start by M (a quarter's target holds for its months and after).

    ``code`` is each row's position in the catalogue (the measure_ids asked about)."""
    n = len(code)
    if month is None:
        month = np.full(n, 12)
    if kind is None:
        kind = np.full(n, 2)
    if cumulative is None:
        cumulative = np.zeros(n, dtype=bool)
    if running is None:
        running = np.ones(n, dtype=bool)
    group = _group(code, fy)
    out = _year_rows(table, code, fy)
    empty = np.full(n, np.nan)
    found = {"period_target": empty, "period_low": empty, "period_high": empty}
    note, at = Coded.constant("", n), np.full(n, np.nan)
    periods = table.periods
    if periods is not None:
        month = np.asarray(month, dtype=np.int64)
        # every period row against every asked row would be too many: look the rows up by key
        # (group, month end), one exact match of the asked kind, then any kind, then (for a
        # measure that is not cumulative) the latest month end before M
        exact_kind = _lookup(periods.exact_kind, group * 64 + month * 4 + _kind_code(kind))
        exact_any = _lookup(periods.exact_any, group * 64 + month * 4)
        row = np.where(exact_kind >= 0, exact_kind, exact_any)
        by_end = _latest_before(periods.by_end, group, month)
        by_start = _latest_before(periods.by_start, group, month)
        earlier = np.where(running, by_end, by_start)
        row = np.where((row < 0) & ~cumulative, earlier, row)
        hit = row >= 0
        take = np.where(hit, row, 0)
        found = {
            f"period_{short}": np.where(hit, periods.numbers[name][take], np.nan)
            for name, short in (("target", "target"), ("band_low", "low"), ("band_high", "high"))
        }
        notes = periods.notes
        note = Coded(np.where(hit, notes.codes[take], len(notes.words)), np.append(notes.words, ""))
        at = np.where(hit, periods.month[take], np.nan)
    return Columns({**out, **found, "period_note": note, "period_month": at}, n)


def _year_rows(table: TargetTable, code: np.ndarray, fy: np.ndarray) -> dict[str, object]:
    """The year's targets.csv row of each (measure code, financial year); blanks where there
    is none."""
    grid, year = table.year_rows, np.asarray(fy, dtype=np.int64) - table.first_year
    inside = (year >= 0) & (year < grid.shape[1])
    position = np.full(len(year), -1, dtype=np.int64)  # -1 reads the pad at the end
    position[inside] = grid[np.asarray(code)[inside], year[inside]]

    def text(name: str) -> Coded:
        """A text column of the year rows found, '' where none: coded."""
        return table.year_text[name].take(position)

    return {
        **{name: table.year_numbers[name][position] for name in _NUMBERS},
        "profile": text("profile"),
        "target_note": text("note"),
    }


def target_frame(
    targets: TargetTable | pd.DataFrame,
    catalogue: pd.Index,
    code: np.ndarray,
    fy: np.ndarray,
    kind: np.ndarray,
    month: np.ndarray,
    cumulative: np.ndarray,
    on_forecast: np.ndarray,
    ytd: np.ndarray,
) -> Columns:
    """The target each figure is judged against, and the year's: ``target``, ``band_low`` and
    ``band_high`` at R (a period's own target row; else, for a cumulative measure, the year's
    profiled to M; else the latest period target before R in the year, else the year's),
    ``annual_target``, ``annual_band_low``, ``annual_band_high`` (the year's row, else the
    period row at the year's end), ``target_note`` (the note of the target used: the period
    row's, else the year's) and ``annual_target_note`` (the year's), ``target_basis``
    (``period``, ``profile`` or ``year``) and ``share`` (of the year's target due by M: the
    period target ending at M over the year's where both are known, else the profile's)."""
    table = targets if isinstance(targets, TargetTable) else target_table(targets, catalogue)
    at = _targets_at(table, code, fy, month, kind, cumulative & ~on_forecast, ytd & ~on_forecast)
    if table.periods is not None:
        year_end = _targets_at(table, code, fy, np.full(len(code), 12))
    else:  # no period targets: nothing to find at the year's end
        year_end = at.assign(period_month=np.full(len(code), np.nan))
    ends_year = numbers(year_end["period_month"]) == 12
    annual = {
        name: np.where(
            np.isnan(numbers(at[name])) & ends_year,
            numbers(year_end[f"period_{edge}"]),
            numbers(at[name]),
        )
        for name, edge in (("target", "target"), ("band_low", "low"), ("band_high", "high"))
    }
    profile_share = share_elapsed(at["profile"], month)
    period_target = numbers(at["period_target"])
    period_low, period_high = (numbers(at[c]) for c in ("period_low", "period_high"))
    has_period = ~np.isnan(numbers(at["period_month"])) & ~on_forecast
    profiled = cumulative & ~on_forecast & ~has_period
    factor = np.where(profiled, profile_share, 1.0)
    # the share of the year's target due by M, from a period target ending at M (not one carried
    # forward from an earlier period), whether or not the figure is rated on its forecast
    ends_at_m = numbers(at["period_month"]) == np.asarray(month, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        target_share = np.where(
            ends_at_m & (annual["target"] != 0), period_target / annual["target"], np.nan
        )
    share = np.where(np.isnan(target_share) | ~cumulative, profile_share, target_share)
    note = coded(at["period_note"])
    year_note = coded(at["target_note"])
    # a target at the year's end given only as a period row: its note is the year's
    year_note = select_coded(
        [year_note.equals("") & ends_year], [coded(year_end["period_note"])], year_note
    )
    return Columns(
        {
            "target": np.round(np.where(has_period, period_target, annual["target"] * factor), 9),
            "band_low": np.round(np.where(has_period, period_low, annual["band_low"] * factor), 9),
            "band_high": np.round(
                np.where(has_period, period_high, annual["band_high"] * factor), 9
            ),
            "annual_target": annual["target"],
            "annual_band_low": annual["band_low"],
            "annual_band_high": annual["band_high"],
            "target_note": select_coded(
                [has_period & ~note.equals("")], [note], year_note
            ).compact(),
            "annual_target_note": year_note.compact(),
            "target_basis": Coded(
                np.select([has_period, profiled], [0, 1], 2).astype(np.int64),
                np.array(_BASES, dtype=object),
            ),
            "share": share,
            "period_share": target_share,
        },
        len(code),
    )
