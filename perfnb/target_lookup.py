"""The target each figure is judged against, read from ``targets.csv`` for many rows at once.

A year's row (``target``, ``band_low``, ``band_high``, ``profile``, ``note``) holds for the
financial year; a period row (one with a ``period``) holds for that month or quarter. A figure's
target is its period's own row; else, for a running total through the year (sum measures, and
ytd measures of counts or money), the year's target profiled to the period's end
(``perfnb.profiles``); else the latest period target before it in the year; else the year's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.engine_text import Coded, categorical, coded, select_coded
from perfnb.profiles import share_elapsed

__all__ = ["is_cumulative", "target_frame", "targets_of"]

_BASES = ("period", "profile", "year")  # what a target is: its period's, profiled, the year's

# units whose year-to-date figures are running totals, so a ytd measure's target is profiled
# through the year as a sum measure's is
_ADDITIVE_UNITS = ("count", "currency")


def is_cumulative(aggregation: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """True where the figure is a running total through the year whose target is profiled: sum
    measures, and ytd measures of counts or money."""
    return (aggregation == "sum") | ((aggregation == "ytd") & np.isin(unit, _ADDITIVE_UNITS))


def _targets_at(
    targets: pd.DataFrame,
    catalogue: pd.Index,
    code: np.ndarray,
    fy: np.ndarray,
    month: np.ndarray | None = None,
    kind: np.ndarray | None = None,
    cumulative: np.ndarray | None = None,
    running: np.ndarray | None = None,
) -> pd.DataFrame:
    """The targets of each (measure, financial year, month M of the year): the year's row
    (``target``, ``band_low``, ``band_high``, ``profile``, ``target_note``) and the period row
    that applies at M (``period_target``, ``period_low``, ``period_high``, ``period_note``,
    ``period_month``: NaN where none). A period row applies when it ends at M (of R's own kind
    first); else, for a measure that is not cumulative, the latest before M does: for a ytd
    measure the latest to end by M (a year-to-date target is one for a point in time), for any
    other the latest to start by M (a quarter's target holds for its months and after).

    ``code`` is each row's position in ``catalogue`` (the measure_ids asked about)."""
    targets = targets_of(targets, catalogue)
    n = len(code)
    if month is None:
        month = np.full(n, 12)
    if kind is None:
        kind = np.full(n, "year", dtype=object)
    if cumulative is None:
        cumulative = np.zeros(n, dtype=bool)
    if running is None:
        running = np.ones(n, dtype=bool)
    has_period = (
        ~coded(targets["period"]).equals("")
        if "period" in targets
        else np.zeros(len(targets), bool)
    )
    years, periods = targets[~has_period], targets[has_period].reset_index(drop=True)
    out = _year_rows(years, catalogue, code, fy)
    group = np.asarray(code, dtype=np.int64) * 1024 + (np.asarray(fy, dtype=np.int64) - 1900)
    empty = np.full(n, np.nan)
    found = {"period_target": empty, "period_low": empty, "period_high": empty}
    note, at = Coded.constant("", n), np.full(n, np.nan)
    if len(periods):
        p_group = periods["_code"].to_numpy(dtype=np.int64) * 1024 + (
            periods["fy"].to_numpy(dtype=np.int64) - 1900
        )
        p_month = periods["fy_month_last"].to_numpy(dtype=np.int64)
        p_kind = periods["period_kind"].to_numpy(dtype=object)
        month = np.asarray(month, dtype=np.int64)
        # every period row against every asked row would be too many: look the rows up by key
        # (group, month end), one exact match of the asked kind, then any kind, then (for a
        # measure that is not cumulative) the latest month end before M
        exact_kind = _lookup(
            p_group * 64 + p_month * 4 + _kind_code(p_kind),
            group * 64 + month * 4 + _kind_code(kind),
        )
        exact_any = _lookup(p_group * 64 + p_month * 4, group * 64 + month * 4, p_kind)
        row = np.where(exact_kind >= 0, exact_kind, exact_any)
        by_end = _latest_before(p_group, p_month, group, month)
        p_first = periods["fy_month_first"].to_numpy(dtype=np.int64)
        by_start = _latest_before(p_group, p_first, group, month)
        earlier = np.where(running, by_end, by_start)
        row = np.where((row < 0) & ~cumulative, earlier, row)
        hit = row >= 0
        take = np.where(hit, row, 0)

        def pick(name: str) -> np.ndarray:
            return np.where(hit, periods[name].to_numpy(dtype=float)[take], np.nan)

        found = {
            "period_target": pick("target"),
            "period_low": pick("band_low"),
            "period_high": pick("band_high"),
        }
        notes = coded(periods["note"]) if "note" in periods else Coded.constant("", len(periods))
        note = Coded(np.where(hit, notes.codes[take], len(notes.words)), np.append(notes.words, ""))
        at = np.where(hit, p_month[take], np.nan)
    out = out.assign(**found, period_note=categorical(note.compact()), period_month=at)
    return out


def targets_of(targets: pd.DataFrame, catalogue: pd.Index) -> pd.DataFrame:
    """The rows of ``targets`` for the measures of ``catalogue``, with ``_code``, each one's
    position in it (kept as they are when they already have it: worked out once per card)."""
    if "_code" in targets:
        return targets
    code = catalogue.get_indexer(targets["measure_id"].to_numpy(dtype=object))
    return targets.assign(_code=code)[code >= 0].reset_index(drop=True)


def _kind_code(kind: np.ndarray) -> np.ndarray:
    """0 for a month, 1 for a quarter, 2 for a year (or anything else)."""
    kind = np.asarray(kind, dtype=object)
    return np.select([kind == "month", kind == "quarter"], [0, 1], 2).astype(np.int64)


def _lookup(have: np.ndarray, wanted: np.ndarray, kind: np.ndarray | None = None) -> np.ndarray:
    """Position in ``have`` of each ``wanted`` key, -1 where absent; where keys repeat (a quarter
    and its last month), the quarter's row."""
    order = np.arange(len(have))
    if kind is not None:  # quarters first, so that drop_duplicates keeps them
        order = np.argsort(_kind_code(kind) != 1, kind="stable")
    keys = pd.Series(order, index=have[order])
    keys = keys[~keys.index.duplicated(keep="first")]
    found = pd.Index(keys.index).get_indexer(wanted)
    return np.where(found >= 0, keys.to_numpy()[np.maximum(found, 0)], -1)


def _latest_before(
    p_group: np.ndarray, p_month: np.ndarray, group: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Position of the period row of the same group ending latest at or before ``month``; -1."""
    rows = pd.DataFrame({"group": p_group, "at": p_month, "_row": np.arange(len(p_group))})
    rows = rows.sort_values(["at", "group"], kind="stable")
    asked = pd.DataFrame({"group": group, "at": month, "_ask": np.arange(len(group))})
    merged = pd.merge_asof(
        asked.sort_values("at", kind="stable"), rows, on="at", by="group", direction="backward"
    )
    out = np.full(len(group), -1, dtype=np.int64)
    ok = merged["_row"].notna().to_numpy()
    out[merged["_ask"].to_numpy()[ok]] = merged["_row"].to_numpy()[ok].astype(np.int64)
    return out


def _year_rows(
    targets: pd.DataFrame, catalogue: pd.Index, code: np.ndarray, fy: np.ndarray
) -> pd.DataFrame:
    """The year's targets.csv row of each (measure, financial year); blanks where there is
    none."""
    have = targets["_code"].to_numpy(dtype=np.int64) * 1024 + (
        targets["fy"].to_numpy(dtype=np.int64) - 1900
    )
    wanted = np.asarray(code, dtype=np.int64) * 1024 + (np.asarray(fy, dtype=np.int64) - 1900)
    position = pd.Index(have).get_indexer(wanted)
    found = position >= 0

    def column(name: str) -> np.ndarray:
        if name not in targets:
            return np.full(len(position), np.nan)
        data = targets[name].to_numpy(dtype=float)
        return np.where(found, np.append(data, np.nan)[position], np.nan)

    def text(name: str) -> pd.Categorical:
        """A text column of the year rows found, '' where none: as categories, by code."""
        words = coded(targets[name]) if name in targets else Coded.constant("", len(targets))
        at = np.where(found, np.append(words.codes, len(words.words))[position], len(words.words))
        return categorical(Coded(at, np.append(words.words, "")).compact())

    return pd.DataFrame(
        {
            "target": column("target"),
            "band_low": column("band_low"),
            "band_high": column("band_high"),
            "profile": text("profile"),
            "target_note": text("note"),
        }
    )


def target_frame(
    targets: pd.DataFrame,
    catalogue: pd.Index,
    code: np.ndarray,
    fy: np.ndarray,
    kind: np.ndarray,
    month: np.ndarray,
    cumulative: np.ndarray,
    on_forecast: np.ndarray,
    ytd: np.ndarray,
) -> pd.DataFrame:
    """The target each figure is judged against, and the year's: ``target``, ``band_low`` and
    ``band_high`` at R (a period's own target row; else, for a cumulative measure, the year's
    profiled to M; else the latest period target before R in the year, else the year's),
    ``annual_target``, ``annual_band_low``, ``annual_band_high`` (the year's row, else the
    period row at the year's end), ``target_note`` (the note of the target used: the period
    row's, else the year's) and ``annual_target_note`` (the year's), ``target_basis``
    (``period``, ``profile`` or ``year``) and ``share`` (of the year's target due by M: the
    period target ending at M over the year's where both are known, else the profile's)."""
    at = _targets_at(
        targets, catalogue, code, fy, month, kind, cumulative & ~on_forecast, ytd & ~on_forecast
    )
    if "period" in targets and not coded(targets["period"]).equals("").all():
        year_end = _targets_at(targets, catalogue, code, fy, np.full(len(code), 12), None, None)
    else:  # no period targets: nothing to find at the year's end
        year_end = at.assign(period_month=np.nan)
    ends_year = year_end["period_month"].to_numpy() == 12
    annual = {
        name: np.where(
            np.isnan(at[name].to_numpy(dtype=float)) & ends_year,
            year_end[f"period_{edge}"].to_numpy(dtype=float),
            at[name].to_numpy(dtype=float),
        )
        for name, edge in (("target", "target"), ("band_low", "low"), ("band_high", "high"))
    }
    profile_share = share_elapsed(at["profile"], month)
    period_target = at["period_target"].to_numpy(dtype=float)
    period_low, period_high = (at[c].to_numpy(dtype=float) for c in ("period_low", "period_high"))
    has_period = ~np.isnan(at["period_month"].to_numpy(dtype=float)) & ~on_forecast
    profiled = cumulative & ~on_forecast & ~has_period
    factor = np.where(profiled, profile_share, 1.0)
    # the share of the year's target due by M, from a period target ending at M (not one carried
    # forward from an earlier period), whether or not the figure is rated on its forecast
    ends_at_m = at["period_month"].to_numpy(dtype=float) == np.asarray(month, dtype=float)
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
    return pd.DataFrame(
        {
            "target": np.round(np.where(has_period, period_target, annual["target"] * factor), 9),
            "band_low": np.round(np.where(has_period, period_low, annual["band_low"] * factor), 9),
            "band_high": np.round(
                np.where(has_period, period_high, annual["band_high"] * factor), 9
            ),
            "annual_target": annual["target"],
            "annual_band_low": annual["band_low"],
            "annual_band_high": annual["band_high"],
            "target_note": categorical(
                select_coded([has_period & ~note.equals("")], [note], year_note).compact()
            ),
            "annual_target_note": categorical(year_note.compact()),
            "target_basis": pd.Categorical.from_codes(
                np.select([has_period, profiled], [0, 1], 2), pd.Index(_BASES, dtype=object)
            ),
            "share": share,
            "period_share": target_share,
        }
    )
