"""Direction of travel: is the figure better or worse than the one it is compared with?

The comparison is with the previous period (``dot_basis = previous``, the default) or the same
period last year (``last_year``, for seasonal measures such as library visits). A change within
``dot_stable`` (``0.5`` points for a percentage, ``1%`` of the earlier figure otherwise) is
``stable``. Otherwise a higher figure is ``improving`` when higher is better, a lower one when
lower is better; for a band, coming nearer the band (or into it) is improving. A measure with no
polarity goes ``up``, ``down`` or stays the ``same``. With no earlier figure the direction is
blank.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.engine_text import (
    Coded,
    arrow_text,
    coded,
    first_of_each,
    join_coded,
    select_coded,
)
from perfnb.figure_text import numbers_once_arrow
from perfnb.palette import STATUS_WORDS
from perfnb.periods import figure_label
from perfnb.polarity import better_sign, outside_band
from perfnb.tolerances import tolerance_limit, within

__all__ = [
    "DIRECTIONS",
    "DIRECTION_CODES",
    "direction_codes",
    "direction_of_travel",
    "direction_reasons",
]

DIRECTIONS = ("improving", "stable", "declining", "up", "same", "down")


DIRECTION_CODES = np.array(["", *DIRECTIONS], dtype=object)  # code 0: no direction


def direction_of_travel(
    value: pd.Series,
    earlier: pd.Series,
    polarity: pd.Series,
    dot_stable: pd.Series,
    band_low: pd.Series,
    band_high: pd.Series,
    earlier_low: pd.Series | None = None,
    earlier_high: pd.Series | None = None,
) -> pd.Series:
    """``improving``, ``stable`` or ``declining`` (``up``, ``same``, ``down`` with no polarity)
    for each figure against the ``earlier`` one; '' where either is missing, or for a band
    measure without a band. ``dot_stable`` holds tolerance texts with the defaults filled in.
    Each figure is judged against its own period's band (``earlier_low``/``earlier_high`` for the
    earlier one; the current band when it has none)."""
    codes = direction_codes(
        value.to_numpy(dtype=float),
        earlier.to_numpy(dtype=float),
        coded(polarity),
        dot_stable,
        band_low.to_numpy(dtype=float),
        band_high.to_numpy(dtype=float),
        None if earlier_low is None else earlier_low.to_numpy(dtype=float),
        None if earlier_high is None else earlier_high.to_numpy(dtype=float),
    )
    return pd.Series(DIRECTION_CODES[codes], index=value.index, dtype=object)


def direction_codes(
    now: np.ndarray,
    then: np.ndarray,
    polarity: Coded,
    dot_stable: pd.Series,
    low: np.ndarray,
    high: np.ndarray,
    then_low: np.ndarray | None = None,
    then_high: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`direction_of_travel` as codes into ``DIRECTION_CODES`` (0: no direction)."""
    then_low = low if then_low is None else then_low
    then_high = high if then_high is None else then_high
    # an earlier period with no band of its own (last year's targets not loaded) is judged
    # against the current band
    no_earlier = np.isnan(then_low) | np.isnan(then_high)
    then_low, then_high = np.where(no_earlier, low, then_low), np.where(no_earlier, high, then_high)
    change = np.round(now - then, 9)
    limit, _ = tolerance_limit(dot_stable, then)
    stable = within(np.abs(change), limit, now, then)

    band_change = np.round(
        outside_band(now, low, high) - outside_band(then, then_low, then_high), 9
    )
    # the polarity's sign: a rise is better for high, a fall for low; nearer the band for band
    is_band, is_none = polarity.equals("band"), polarity.equals("none")
    sign = better_sign(polarity.words)[polarity.codes] if len(polarity) else np.zeros(0)
    with np.errstate(invalid="ignore"):
        better = np.where(is_band, band_change < 0, sign * change > 0)
        worse = np.where(is_band, band_change > 0, sign * change < 0)
    improving, steady, declining, up, same, down = range(1, 7)
    # a band figure that moved but is no nearer or further from the band is stable
    rated = np.select([stable, better, worse], [steady, improving, declining], steady)
    unrated = np.select([stable, change > 0], [same, up], down)
    out = np.where(is_none, unrated, rated)
    no_band = is_band & np.isnan(band_change)
    return np.where(np.isnan(now) | np.isnan(then) | no_band, 0, out).astype(np.int64)


def direction_reasons(
    direction: np.ndarray,
    decimals: np.ndarray,
    unit: Coded,
    polarity: Coded,
    now: np.ndarray,
    then: np.ndarray,
    period: Coded,
    compared_with: Coded,
    compared_on: Coded,
    now_status: Coded,
    then_status: Coded,
) -> pa.Array:
    """How each direction (codes into ``DIRECTION_CODES``) was reached: ``Improving:
    6,010,000 (2017/18 Q1 year to date) against 5,900,000 (2016/17 Q1 year to date)``, saying
    when either figure is not final; '' where there is no figure, or why there is no
    direction. Built as Arrow strings; each distinct label, word and status once."""
    n = len(direction)
    suffix = unit.map(lambda u: {"percent": "%", "days": " days"}.get(u, ""))
    now_label = _figure_labels(period, compared_on)
    then_label = _figure_labels(compared_with, compared_on)
    moved = direction != 0
    still = ~moved
    missing = still & ~np.isnan(now) & np.isnan(then) & ~compared_with.equals("")
    unbanded = still & ~np.isnan(now) & ~np.isnan(then) & polarity.equals("band")
    blank = Coded.constant("", n)
    # every row is one join of five parts: the words before the figure, the figure, the words
    # between, the earlier figure, the words after; a row without a direction has its reason
    # (or nothing) in the first and blanks in the others: the text is written once, not
    # written for the rows with a direction and then scattered among the others
    first = select_coded(
        [moved, missing, unbanded],
        [
            Coded(direction, np.array([f"{d.capitalize()}: " for d in DIRECTION_CODES], object)),
            join_coded("No direction: no figure for ", then_label, " to compare with"),
            compared_on.map(
                lambda on: (
                    "No direction: a period's own figure has no band to be judged against"
                    if on == "period"
                    else "No direction: no band to judge the figures against"
                )
            ),
        ],
        blank,
    )
    between = select_coded([moved], [join_coded(suffix, " (", now_label, ") against ")], blank)
    after = select_coded(
        [moved],
        [
            join_coded(
                suffix,
                " (",
                then_label,
                ")",
                _status_notes(now_status, now_label, then_status, then_label),
            )
        ],
        blank,
    )
    # both figures in one go: a figure compared with is mostly another row's own, written once
    figures = numbers_once_arrow(
        np.concatenate([np.where(moved, now, np.nan), np.where(moved, then, np.nan)]),
        np.concatenate([decimals, decimals]),
    )
    return pc.binary_join_element_wise(
        arrow_text(first),
        figures.slice(0, n),
        arrow_text(between),
        figures.slice(n, n),
        arrow_text(after),
        "",
    )


def _status_notes(
    now_status: Coded, now_label: Coded, then_status: Coded, then_label: Coded
) -> Coded:
    """``; the figure for 2017/18 Q1 is provisional`` for each figure compared that is not
    final, in the order of ``STATUS_WORDS`` (the current figure first for the same word). Only
    the rows with such a figure are joined (most figures are final)."""
    order = {word: rank for rank, word in enumerate(STATUS_WORDS)}
    n = len(now_status)
    marked = now_status.isin(list(STATUS_WORDS)) | then_status.isin(list(STATUS_WORDS))
    rows = np.flatnonzero(marked)
    if not len(rows):
        return Coded.constant("", n)

    def note(status: Coded, label: Coded) -> Coded:
        said = status.map(lambda w: f" is {STATUS_WORDS[w]}" if w in STATUS_WORDS else "")
        return select_coded(
            [~status.isin(list(STATUS_WORDS))],
            [Coded.constant("", len(status))],
            join_coded("; the figure for ", label, said),
        )

    now_status, then_status = now_status.take(rows), then_status.take(rows)
    now_label, then_label = now_label.take(rows), then_label.take(rows)
    now_rank = np.array([order.get(w, len(order)) for w in now_status.words] or [0])[
        now_status.codes
    ]
    then_rank = np.array([order.get(w, len(order)) for w in then_status.words] or [0])[
        then_status.codes
    ]
    first, second = note(now_status, now_label), note(then_status, then_label)
    notes = select_coded(
        [now_rank <= then_rank], [join_coded(first, second)], join_coded(second, first)
    )
    codes = np.full(n, len(notes.words), dtype=np.int64)  # the blank after the notes' words
    codes[rows] = notes.codes
    return Coded(codes, np.append(notes.words, ""))


def _figure_labels(periods: Coded, basis: Coded) -> Coded:
    """``figure_label`` of each (period, basis), each distinct pair worked out once (found
    by their codes, not by joining their texts); '' where there is no period."""
    width = max(len(basis.words), 1)
    codes, firsts = first_of_each(periods.codes * width + basis.codes)
    pairs = zip(periods.words[periods.codes[firsts]], basis.words[basis.codes[firsts]], strict=True)
    return Coded(codes, np.array([_label(period, on) for period, on in pairs] or [], dtype=object))


@lru_cache(maxsize=4096)
def _label(period: str, basis: str) -> str:
    """``figure_label`` of a period label and a basis ('' for no period): the same few hundred
    pairs in every chunk of a card, worked out once."""
    return figure_label(period, basis) if period else ""
