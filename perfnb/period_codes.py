"""Periods as arrays, for the engine's vectorised pass: each period is (kind, financial year,
index) with kind 0 for a month, 1 for a quarter and 2 for a year, or one integer code for all
three. From them: the period R whose figure a report period P shows, the period before R, and the
months and quarters ending within N months after R (for the latest position).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

from perfnb.integer_keys import sorted_unique
from perfnb.periods import Period, PeriodKind

# a frame of named columns: a DataFrame, or the engine's ``perfnb.column_set.Columns`` (this
# module is below the engine's, so it reads them by name without importing them)
_Frame = Any

__all__ = [
    "KINDS",
    "KIND_CODE",
    "decode_period_code",
    "later_periods",
    "period_code",
    "period_labels",
    "previous_periods",
    "reporting_periods",
    "windows_asked",
]

KINDS = np.array(["month", "quarter", "year"], dtype=object)
KIND_CODE = {"month": 0, "quarter": 1, "year": 2}


def period_code(kind: np.ndarray, fy: np.ndarray, index: np.ndarray) -> np.ndarray:
    """One integer per period: (fy x 4 + kind) x 16 + index."""
    return (fy.astype(np.int64) * 4 + kind.astype(np.int64)) * 16 + index.astype(np.int64)


def decode_period_code(code: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kind, financial year and index of each :func:`period_code`."""
    index = code % 16
    kind = (code // 16) % 4
    return kind, code // 64, index


def period_labels(kind: np.ndarray, fy: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The written form of each period (``2017/18 Q1``), each distinct period named once (and
    kept: a card's chunks name the same few dozen periods)."""
    codes = period_code(kind, fy, index)
    uniques, inverse = np.unique(codes, return_inverse=True)
    names = [_label(int(code)) for code in uniques]
    return np.array(names, dtype=object)[inverse]


@lru_cache(maxsize=4096)
def _label(code: int) -> str:
    """The written form of one :func:`period_code`."""
    kind, fy, index = (int(part[0]) for part in decode_period_code(np.array([code])))
    return Period(cast(PeriodKind, str(KINDS[kind])), fy, index).label


def previous_periods(kind: np.ndarray, fy: np.ndarray, index: np.ndarray):
    """The period before each one, of the same kind."""
    last = np.select([kind == 0, kind == 1], [12, 4], 1)
    wraps = index <= 1
    return kind, np.where(wraps, fy - 1, fy), np.where(wraps, last, index - 1)


def reporting_periods(
    requests: _Frame, values: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The period R whose figure each (measure, report period P) row shows. ``requests``: a
    frame, or the engine's columns (``perfnb.column_set``), of p_kind, p_fy, p_index,
    frequency and measure_id."""
    kind = np.asarray(requests["p_kind"], dtype=np.int64)
    fy = np.asarray(requests["p_fy"], dtype=np.int64)
    index = np.asarray(requests["p_index"], dtype=np.int64)
    frequency = requests["frequency"]

    # a quarterly measure in a monthly report shows its latest quarter ended
    quarterly_in_month = _is(frequency, "quarterly") & (kind == 0)
    quarters_done = index // 3
    kind = np.where(quarterly_in_month, 1, kind)
    fy = np.where(quarterly_in_month & (quarters_done == 0), fy - 1, fy)
    index = np.where(quarterly_in_month, np.where(quarters_done == 0, 4, quarters_done), index)

    # an annual measure shows its year: this year's row (even pending), else its latest year
    annual = _is(frequency, "annual")
    if annual.any():
        years = values.loc[values["period_kind"] == "year", ["measure_id", "fy", "value"]]
        ids = _objects(requests["measure_id"])
        own = pd.MultiIndex.from_arrays([ids, fy]).isin(
            pd.MultiIndex.from_arrays([years["measure_id"].to_numpy(), years["fy"].to_numpy()])
        )
        valued = years[years["value"].notna()][["measure_id", "fy"]].astype(
            {"fy": "int64", "measure_id": str}
        )
        asked = pd.DataFrame({"measure_id": ids, "fy": fy, "_row": range(len(fy))})
        latest = pd.merge_asof(
            asked.sort_values("fy"),
            valued.assign(_fy=valued["fy"]).sort_values("fy"),
            on="fy",
            by="measure_id",
            direction="backward",
            allow_exact_matches=False,
        ).set_index("_row")["_fy"]
        earlier = latest.reindex(range(len(fy))).to_numpy(dtype=float)
        year_fy = np.where(own | np.isnan(earlier), fy, np.nan_to_num(earlier)).astype(np.int64)
        kind = np.where(annual, 2, kind)
        fy = np.where(annual, year_fy, fy)
        index = np.where(annual, 1, index)
    return kind, fy, index


def _objects(column: Any) -> np.ndarray:
    """A text column as a numpy object array (coded texts by their ``objects``)."""
    return column.objects() if hasattr(column, "objects") else np.asarray(column, dtype=object)


def _is(frequency: Any, word: str) -> np.ndarray:
    """True where the row's frequency is ``word``: a categorical's (or coded texts', which
    have ``codes`` into ``words``: ``perfnb.engine_text.Coded``) by its codes, each distinct
    frequency compared once."""
    if hasattr(frequency, "words") and hasattr(frequency, "codes"):
        return np.append(frequency.words == word, False)[frequency.codes]
    if isinstance(frequency.dtype, pd.CategoricalDtype):
        column = frequency.array
        words = column.categories.to_numpy(dtype=object)
        return np.append(words == word, False)[column.codes]  # code -1 (missing) reads False
    return (frequency == word).to_numpy(dtype=bool)


def later_periods(
    kind: np.ndarray,
    fy: np.ndarray,
    index: np.ndarray,
    requests: _Frame,
    months: int,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For the latest position: each month, then each quarter, ending 1 to ``months`` months
    after R ends (R itself where it cannot have one: a year, an annual measure, a quarterly
    measure's months), latest last within each kind. A month or quarter that is R itself on
    every row is left out (a quarterly data set's months, and its quarters but every third)."""
    end = np.select([kind == 0, kind == 1], [index, 3 * index], 12) + fy * 12  # months
    frequency = requests["frequency"]
    annual, quarterly = _is(frequency, "annual"), _is(frequency, "quarterly")
    none = (kind == 2) | annual
    months_own = none | quarterly
    out = []
    for step in range(1, months + 1):
        at = end + step
        m_fy, m_index = (at - 1) // 12, (at - 1) % 12 + 1
        if not months_own.all():
            out.append(
                (
                    np.where(months_own, kind, 0),
                    np.where(months_own, fy, m_fy),
                    np.where(months_own, index, m_index),
                )
            )
        own = none | (m_index % 3 != 0)
        if not own.all():
            out.append(
                (
                    np.where(own, kind, 1),
                    np.where(own, fy, m_fy),
                    np.where(own, index, np.maximum(m_index // 3, 1)),
                )
            )
    return out


def windows_asked(
    measure: np.ndarray, period: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (measure, period code) pairs asked about, in order of period then measure
    (as the card's rows are: read in order, not at random), and each ask's place among them.
    A chunk's few thousand measures and few dozen periods are numbered on a grid of both, not
    hashed: a chunk asks about a few hundred thousand pairs."""
    if not len(measure):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    low = int(period.min())
    periods, period_place = sorted_unique(period - low, int(period.max()) - low + 1)
    first = int(measure.min())
    width = int(measure.max()) - first + 1
    pairs, inverse = sorted_unique(period_place * width + measure - first, len(periods) * width)
    return inverse, pairs % width + first, periods[pairs // width] + low
