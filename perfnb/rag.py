"""RAG ratings: Red, Amber or Green from how far a figure falls short of its target, and why.

The *shortfall* is how far the figure is on the adverse side of the target, in the measure's unit
(0 when it meets the target or does better); for a band, how far it lies outside the band. Green
when the shortfall is within ``green_within``, Amber within ``amber_within``, else Red; a figure
exactly on a boundary gets the better rating. Where the base the figure rests on is below
``min_base``, Red is capped at Amber (small numbers). A measure with no target or no polarity is
``N/A``; a figure not yet available is ``Pending``. An officer's override from ``overrides.csv``
replaces the rating, and ``rag_computed`` keeps the computed one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.palette import STATUS_WORDS
from perfnb.polarity import (
    RAG_LABELS,
    RAG_ORDER,
    RATINGS,
    better_sign,
    normalise_rag,
    outside_band,
)
from perfnb.tolerances import (
    DEFAULT_AMBER_WITHIN,
    DEFAULT_GREEN_WITHIN,
    describe_tolerance,
    tolerance_limit,
    with_default,
    within,
)
from perfnb.variance import variance

__all__ = [
    "RAG_LABELS",
    "RAG_ORDER",
    "RATINGS",
    "apply_overrides",
    "figures_text",
    "normalise_rag",
    "rate",
    "rate_against_target",
    "shortfall",
]


def shortfall(
    value: np.ndarray,
    target: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    polarity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """How far each figure is on the adverse side of its target, in the measure's unit, and the
    target or band edge that a relative tolerance is a share of."""
    band_edge = np.where(value < low, low, high)
    # the target's adverse side by the polarity's sign (+ 0.0: never a negative zero); no aim: NaN
    beyond_target = np.maximum(better_sign(polarity) * (target - value), 0.0) + 0.0
    gap = np.where(polarity == "band", outside_band(value, low, high), beyond_target)
    reference = np.where(polarity == "band", band_edge, target)
    return gap, reference


def figures_text(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> np.ndarray:
    """Figures as text with thousands separators, each to its own number of decimals (rounded
    half away from zero); ``signed`` adds a plus sign, ``whole`` drops a whole number's
    decimals."""
    return _numbers(values, decimals, signed, whole)


def _numbers(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> np.ndarray:
    """Figures as text with thousands separators, each to its own number of decimals, rounded
    half away from zero as reports round; with ``whole``, a whole number is shown without
    decimals (a target of 80, not 80.0)."""
    values = np.asarray(values, dtype=float)
    decimals = np.asarray(decimals, dtype=int)
    out = np.full(len(values), "", dtype=object)
    if whole:
        decimals = np.where(np.mod(values, 1) == 0, 0, decimals)
    valid = ~np.isnan(values)
    for places in np.unique(decimals[valid]):
        rows = valid & (decimals == places)
        out[rows] = _fixed(values[rows], int(places), signed)
    return out


def _fixed(values: np.ndarray, places: int, signed: bool) -> np.ndarray:
    """``values`` to ``places`` decimals with thousands separators, built by array operations
    (pyarrow string kernels), not a Python loop over the figures."""
    factor = 10.0**places
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.floor(np.abs(values) * factor + 0.5 + 1e-9)
    fits = np.isfinite(scaled) & (scaled < 2**53)
    if not fits.all():  # astronomically large: let Python spell them out
        out = np.empty(len(values), dtype=object)
        spec = f"{'+' if signed else ''},.{places}f"
        out[~fits] = [format(v, spec) for v in values[~fits]]
        out[fits] = _fixed(values[fits], places, signed)
        return out
    units = (scaled // factor).astype(np.int64)
    digits = pc.cast(pa.array(units), pa.string())
    grouped = pc.replace_substring_regex(pc.utf8_reverse(digits), r"(\d{3})", r"\1,")
    text = pc.utf8_reverse(pc.utf8_rtrim(grouped, characters=","))
    if places:
        fraction = (scaled - units * factor).astype(np.int64)
        padded = pc.utf8_lpad(pc.cast(pa.array(fraction), pa.string()), width=places, padding="0")
        text = pc.binary_join_element_wise(text, padded, ".")
    negative = (values < 0) & (scaled > 0)
    sign = np.where(negative, "-", "+" if signed else "")
    joined = pc.binary_join_element_wise(pa.array(sign, pa.string()), text, "")
    return joined.to_numpy(zero_copy_only=False).astype(object)


def _half_up(values: np.ndarray, places: int) -> np.ndarray:
    """Rounded half away from zero, as reports round (-15.65 is -15.7, not -15.6)."""
    factor = 10.0**places
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sign(values) * np.floor(np.abs(values) * factor + 0.5 + 1e-9) / factor


def _unit_suffix(unit: np.ndarray) -> np.ndarray:
    return np.select([unit == "percent", unit == "days"], [" points", " days"], "")


def _tolerance_words(texts: pd.Series, units: pd.Series) -> np.ndarray:
    """Each row's tolerance in words; each distinct (tolerance, unit) is described once."""
    pairs = (
        texts.astype(str).to_numpy(dtype=object) + "|" + units.astype(str).to_numpy(dtype=object)
    )
    codes, uniques = pd.factorize(pairs)
    words = [describe_tolerance(*pair.split("|", 1)) for pair in uniques]
    return np.array([*words, ""], dtype=object)[codes]


def rate(card: pd.DataFrame) -> pd.DataFrame:
    """The computed RAG of each row of ``card`` and the reason for it.

    ``card`` has value, target, band_low, band_high, polarity, unit, decimals, green_within and
    amber_within (tolerance texts, defaults filled in), min_base, base, rag_on, variance,
    variance_pct, pending, note, target_year and target_note. Returns ``rag_computed``,
    ``rag_reason`` and ``shortfall`` (in the measure's unit) aligned to ``card``.
    """
    value = card["value"].to_numpy(dtype=float)
    target = card["target"].to_numpy(dtype=float)
    low, high = card["band_low"].to_numpy(dtype=float), card["band_high"].to_numpy(dtype=float)
    polarity = card["polarity"].to_numpy(dtype=object)
    gap, reference = shortfall(value, target, low, high, polarity)
    green_limit, _ = tolerance_limit(card["green_within"], reference)
    amber_limit, amber_relative = tolerance_limit(card["amber_within"], reference)

    is_band = polarity == "band"
    no_target = np.where(is_band, np.isnan(low) | np.isnan(high), np.isnan(target))
    not_rated = (polarity == "none") | no_target
    pending = np.isnan(value) & ~not_rated
    green = within(gap, green_limit, value, reference)
    amber = ~green & within(gap, amber_limit, value, reference)
    red = ~green & ~amber
    base = card["base"].to_numpy(dtype=float)
    min_base = card["min_base"].to_numpy(dtype=float)
    small = red & (base < min_base)
    rag = np.select(
        [not_rated, pending, green, amber | small, red],
        ["N/A", "Pending", "Green", "Amber", "Red"],
        "N/A",
    )

    categories = [
        polarity == "none",
        not_rated,
        pending,
        green & (gap == 0),
        green,
        small,
        amber,
    ]
    category = np.select(categories, np.arange(len(categories)), len(categories))
    reason = _reasons(card, category, gap, reference, amber_relative)
    rag, reason = _improving_is_amber(card, rag, reason, red & ~small & ~not_rated & ~pending)
    reason = rag.astype(object) + ": " + reason + _resting_on(card, rag)
    return pd.DataFrame(
        {"rag_computed": rag, "rag_reason": reason, "shortfall": np.round(gap, 9)}, index=card.index
    )


_NOT_RATED, _NO_TARGET, _PENDING, _MET, _GREEN, _SMALL, _AMBER, _RED = range(8)


def _improving_is_amber(
    card: pd.DataFrame, rag: np.ndarray, reason: np.ndarray, red: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Under ``rag_rule = improving_is_amber`` a shortfall beyond ``amber_within`` is Amber when
    the direction of travel is improving or stable, else Red; the reason says which."""
    if "rag_rule" not in card or "direction" not in card:
        return rag, reason
    ruled = red & (card["rag_rule"] == "improving_is_amber").to_numpy()
    if not ruled.any():
        return rag, reason
    direction = card["direction"].fillna("").astype(str).to_numpy(dtype=object)
    against = card["compared_with"].fillna("").astype(str).to_numpy(dtype=object)
    better = ruled & np.isin(direction, ("improving", "stable"))
    worse = ruled & ~better
    rag, reason = rag.astype(object).copy(), reason.copy()
    rag[better] = "Amber"
    reason[better] = (
        reason[better]
        + ", but "
        + direction[better]
        + " against "
        + against[better]
        + _compared_status(card, better)
        + ", so Amber (improving or stable is Amber)"
    )
    compared = worse & (direction != "")
    reason[compared] = (
        reason[compared]
        + " and "
        + direction[compared]
        + " against "
        + against[compared]
        + _compared_status(card, compared)
    )
    unknown = worse & (direction == "")
    reason[unknown] = (
        reason[unknown] + ", with no figure for " + against[unknown] + " to show it improving"
    )
    return rag, reason


def _compared_status(card: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """`` (an illustrative figure (not published))`` where the figure compared with is not
    final, for the rows given; '' otherwise."""
    out = np.full(int(rows.sum()), "", dtype=object)
    if "compared_status" not in card:
        return out
    status = card["compared_status"].fillna("").astype(str).to_numpy(dtype=object)[rows]
    for word in STATUS_WORDS:
        out[status == word] = f" ({_a_figure(word)})"
    return out


def _a_figure(status: str) -> str:
    """``a provisional figure``, ``an illustrative figure (not published)``."""
    kind, _, aside = STATUS_WORDS[status].partition(" (")
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} figure" + (f" ({aside}" if aside else "")


def _resting_on(card: pd.DataFrame, rag: np.ndarray) -> np.ndarray:
    """``; rests on a provisional figure`` for a rating built on a figure that is not final."""
    out = np.full(len(card), "", dtype=object)
    if "status" not in card:
        return out
    status = card["status"].fillna("").astype(str).to_numpy(dtype=object)
    rated = np.isin(rag, RATINGS)
    for word in STATUS_WORDS:
        out[rated & (status == word)] = "; rests on " + _a_figure(word)
    return out


def _reasons(
    card: pd.DataFrame,
    category: np.ndarray,
    gap: np.ndarray,
    reference: np.ndarray,
    amber_relative: np.ndarray,
) -> np.ndarray:
    """The words after "Amber: ", built only for the rows that need each piece (the figures of
    a million rows are formatted in a few seconds, not a minute)."""
    out = np.full(len(card), "", dtype=object)
    out[category == _NOT_RATED] = "not rated, as neither higher nor lower is better"

    rows = np.flatnonzero(category == _NO_TARGET)
    if len(rows):
        year = card["target_year"].astype(str).to_numpy(dtype=object)[rows]
        note = card["target_note"].fillna("").astype(str).to_numpy(dtype=object)[rows]
        out[rows] = np.where(
            note != "", "no target for " + year + " (" + note + ")", "no target for " + year
        )

    rows = np.flatnonzero(category == _PENDING)
    if len(rows):
        note = card["note"].fillna("").astype(str).to_numpy(dtype=object)[rows]
        out[rows] = np.where(note != "", note, "No figure yet")

    rows = np.flatnonzero(category >= _MET)
    if not len(rows):
        return out
    sub = card.iloc[rows]
    kind = category[rows]
    value = sub["value"].to_numpy(dtype=float)
    low, high = sub["band_low"].to_numpy(dtype=float), sub["band_high"].to_numpy(dtype=float)
    unit = sub["unit"].to_numpy(dtype=object)
    decimals = sub["decimals"].to_numpy(dtype=int)
    is_band = (sub["polarity"] == "band").to_numpy()
    is_percent = unit == "percent"
    variance_pct = sub["variance_pct"].to_numpy(dtype=float)
    has_pct = ~np.isnan(variance_pct)
    suffix = _unit_suffix(unit)
    _, green_relative = tolerance_limit(sub["green_within"], reference[rows])
    amber_relative = amber_relative[rows]
    outside = is_band & (gap[rows] > 0)

    # which figures each row's text shows: percentage points or units, per cent of target
    relative = np.where(kind == _GREEN, green_relative, amber_relative)
    wants_pct = ~outside & has_pct & (relative | ((kind == _MET) & ~is_percent)) & ~is_band
    wants_abs = ~outside & ~is_band & (is_percent | ~wants_pct)
    pct_text = np.full(len(rows), "", dtype=object)
    pct_text[wants_pct] = (
        _numbers(_half_up(variance_pct[wants_pct], 1), np.ones(wants_pct.sum(), int), True) + "%"
    )
    abs_text = np.full(len(rows), "", dtype=object)
    abs_text[wants_abs] = (
        _numbers(sub["variance"].to_numpy(dtype=float)[wants_abs], decimals[wants_abs], True)
        + suffix[wants_abs]
    )
    detail = np.where(wants_pct, pct_text, abs_text)
    both = is_percent & wants_pct & wants_abs
    detail[both] = abs_text[both] + ", " + pct_text[both] + " of target"
    if outside.any():
        side = np.where(value[outside] < low[outside], " below", " above")
        detail[outside] = _numbers(gap[rows][outside], decimals[outside]) + suffix[outside] + side
    target_text = np.full(len(rows), "target", dtype=object)
    target_text[is_band] = (
        "the band "
        + _numbers(low[is_band], decimals[is_band], whole=True)
        + " to "
        + _numbers(high[is_band], decimals[is_band], whole=True)
        + np.select([is_percent[is_band], unit[is_band] == "days"], ["%", " days"], "")
    )
    subject = np.where((sub["rag_on"] == "forecast").to_numpy(), "year-end forecast ", "")
    words = np.where(
        kind == _GREEN,
        _tolerance_words(sub["green_within"], sub["unit"]),
        _tolerance_words(sub["amber_within"], sub["unit"]),
    )
    # each sentence is built only for the rows it describes
    text = np.full(len(rows), "", dtype=object)
    met = kind == _MET
    inside = met & is_band
    text[inside] = subject[inside] + "inside " + target_text[inside]
    met &= ~is_band
    text[met] = subject[met] + "meets or beats target (" + detail[met] + ")"
    near = (kind == _GREEN) | (kind == _AMBER)
    text[near] = (
        subject[near]
        + "within "
        + words[near]
        + " of "
        + target_text[near]
        + " ("
        + detail[near]
        + ")"
    )
    far = (kind == _RED) | (kind == _SMALL)
    text[far] = (
        subject[far]
        + "more than "
        + words[far]
        + " from "
        + target_text[far]
        + " ("
        + detail[far]
        + ")"
    )
    small = kind == _SMALL
    if small.any():
        zeros = np.zeros(small.sum(), dtype=int)
        base = sub["base"].to_numpy(dtype=float)[small]
        min_base = sub["min_base"].to_numpy(dtype=float)[small]
        text[small] = (
            text[small]
            + "; capped at Amber because the base ("
            + _numbers(base, zeros, whole=True)
            + ") is below "
            + _numbers(min_base, zeros, whole=True)
            + " (small numbers)"
        )
    out[rows] = text
    return out


def rate_against_target(card: pd.DataFrame) -> pd.DataFrame:
    """Variance, tolerances (defaults filled in) and the computed RAG of each row, the steps the
    engine takes once figures and targets are known.

    ``card`` has the columns ``rate`` needs except the variances; returns variance,
    variance_pct, variance_pp, green_within, amber_within, rag_computed, rag_reason and
    shortfall aligned to ``card``.
    """
    out = variance(
        card["value"],
        card["target"],
        card["band_low"],
        card["band_high"],
        card["polarity"],
        card["unit"],
    )
    out["green_within"] = with_default(card["green_within"], card["unit"], DEFAULT_GREEN_WITHIN)
    out["amber_within"] = with_default(card["amber_within"], card["unit"], DEFAULT_AMBER_WITHIN)
    rated = card.drop(columns=["green_within", "amber_within"]).join(out)
    return out.join(rate(rated))


def apply_overrides(card: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """``rag`` from ``overrides.csv`` where an officer has set one for the row's measure and
    period, else ``rag_computed``; the reason names who overrode it, why, and what was computed.

    ``card`` has measure_id, period, rag_computed and rag_reason; ``overrides`` has measure_id,
    period, rag (already normalised), reason and by. Returns rag, rag_reason and overridden.
    """
    keyed = overrides.drop_duplicates(["measure_id", "period"], keep="last")
    merged = card[["measure_id", "period"]].merge(
        keyed[["measure_id", "period", "rag", "reason", "by"]],
        on=["measure_id", "period"],
        how="left",
    )
    merged.index = card.index
    overridden = merged["rag"].notna()
    by = merged["by"].fillna("").astype(str)
    who = np.where(by != "", " by " + by, "")
    text = (
        merged["rag"].fillna("")
        + ": overridden"
        + who
        + ": "
        + merged["reason"].fillna("").astype(str)
        + " (computed "
        + card["rag_reason"]
        + ")"
    )
    return pd.DataFrame(
        {
            "rag": merged["rag"].where(overridden, card["rag_computed"]),
            "rag_reason": text.where(overridden, card["rag_reason"]),
            "overridden": overridden,
        },
        index=card.index,
    )
