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

from perfnb.tolerances import describe_tolerance, tolerance_limit

__all__ = [
    "RAG_LABELS",
    "RAG_ORDER",
    "apply_overrides",
    "normalise_rag",
    "rate",
    "shortfall",
]

RAG_LABELS = ("Red", "Amber", "Green", "N/A", "Pending")
RAG_ORDER = {"Red": 0, "Amber": 1, "Green": 2}  # worse to better
_RAG_WORDS = {
    "r": "Red",
    "red": "Red",
    "a": "Amber",
    "amber": "Amber",
    "g": "Green",
    "green": "Green",
    "n/a": "N/A",
    "na": "N/A",
}
_DECIMALS = 9  # compare to 9 places, so 80 - 76 is exactly 5% of 80


def normalise_rag(texts: pd.Series) -> pd.Series:
    """``R``, ``red``, ``n/a`` ... as ``Red``, ``Amber``, ``Green``, ``N/A``; NaN if neither."""
    return texts.astype(str).str.strip().str.lower().map(_RAG_WORDS)


def shortfall(
    value: np.ndarray,
    target: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    polarity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """How far each figure is on the adverse side of its target, in the measure's unit, and the
    target or band edge that a relative tolerance is a share of."""
    below, above = low - value, value - high
    band_gap = np.maximum(np.maximum(below, above), 0.0)
    band_edge = np.where(value < low, low, high)
    gap = np.select(
        [polarity == "high", polarity == "low", polarity == "band"],
        [np.maximum(target - value, 0.0), np.maximum(value - target, 0.0), band_gap],
        np.nan,
    )
    reference = np.where(polarity == "band", band_edge, target)
    return np.round(gap, _DECIMALS), reference


def _numbers(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> np.ndarray:
    """Figures as text with thousands separators, each to its own number of decimals; with
    ``whole``, a whole number is shown without decimals (a target of 80, not 80.0)."""
    out = np.full(len(values), "", dtype=object)
    if whole:
        decimals = np.where(np.mod(values, 1) == 0, 0, decimals)
    sign = "+" if signed else ""
    for places in np.unique(decimals):
        rows = (decimals == places) & ~np.isnan(values)
        spec = f"{sign},.{int(places)}f"
        out[rows] = [format(v, spec) for v in values[rows]]
    return out


def _half_up(values: np.ndarray, places: int) -> np.ndarray:
    """Rounded half away from zero, as reports round (-15.65 is -15.7, not -15.6)."""
    factor = 10.0**places
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sign(values) * np.floor(np.abs(values) * factor + 0.5 + 1e-9) / factor


def _unit_suffix(unit: np.ndarray) -> np.ndarray:
    return np.select([unit == "percent", unit == "days"], [" points", " days"], "")


def _tolerance_words(texts: pd.Series, units: pd.Series) -> np.ndarray:
    """Each row's tolerance in words; each distinct (tolerance, unit) is described once."""
    pairs = pd.MultiIndex.from_arrays([texts.astype(str), units.astype(str)])
    codes, uniques = pd.factorize(pairs)
    words = np.array([describe_tolerance(t, u) for t, u in uniques] + [""], dtype=object)
    return words[codes]


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
    unit = card["unit"].to_numpy(dtype=object)
    decimals = card["decimals"].to_numpy(dtype=int)
    gap, reference = shortfall(value, target, low, high, polarity)
    green_limit, _ = tolerance_limit(card["green_within"], reference)
    amber_limit, amber_relative = tolerance_limit(card["amber_within"], reference)
    green_limit, amber_limit = np.round(green_limit, _DECIMALS), np.round(amber_limit, _DECIMALS)

    is_band = polarity == "band"
    no_target = np.where(is_band, np.isnan(low) | np.isnan(high), np.isnan(target))
    not_rated = (polarity == "none") | no_target
    pending = np.isnan(value) & ~not_rated
    green = gap <= green_limit
    amber = ~green & (gap <= amber_limit)
    red = ~green & ~amber
    base = card["base"].to_numpy(dtype=float)
    min_base = card["min_base"].to_numpy(dtype=float)
    small = red & (base < min_base)
    rag = np.select(
        [not_rated, pending, green, amber | small, red],
        ["N/A", "Pending", "Green", "Amber", "Red"],
        "N/A",
    )

    # -- the reason, in words ----------------------------------------------------------------
    variance = card["variance"].to_numpy(dtype=float)
    variance_pct = card["variance_pct"].to_numpy(dtype=float)
    is_percent = unit == "percent"
    has_pct = ~np.isnan(variance_pct)
    pct_text = _numbers(_half_up(variance_pct, 1), np.full(len(card), 1), signed=True) + "%"
    abs_text = _numbers(variance, decimals, signed=True) + _unit_suffix(unit)
    _, green_relative = tolerance_limit(card["green_within"], reference)

    def detail_for(relative: np.ndarray) -> np.ndarray:
        """The variance as the tolerance reads it: points for a percentage (and its share of
        the target when the tolerance is relative), per cent of target for others."""
        both = abs_text + np.where(relative & has_pct, ", " + pct_text + " of target", "")
        return np.where(is_percent, both, np.where(relative & has_pct, pct_text, abs_text))

    var_text = detail_for(amber_relative)
    suffix = _unit_suffix(unit)
    band_text = (
        "the band "
        + _numbers(low, decimals, whole=True)
        + " to "
        + _numbers(high, decimals, whole=True)
    )
    side = np.where(value < low, " below", " above")
    gap_text = _numbers(gap, decimals) + suffix + side
    target_text = np.where(is_band, band_text, "target")
    detail = np.where(is_band & (gap > 0), gap_text, var_text)
    green_detail = np.where(is_band & (gap > 0), gap_text, detail_for(green_relative))
    met_detail = np.where(is_percent | ~has_pct, abs_text, pct_text)
    forecast = (card["rag_on"] == "forecast").to_numpy()
    subject = np.where(forecast, "year-end forecast ", "")
    green_words = _tolerance_words(card["green_within"], card["unit"])
    amber_words = _tolerance_words(card["amber_within"], card["unit"])
    met = np.where(
        is_band,
        subject + "inside " + band_text,
        subject + "meets or beats target (" + met_detail + ")",
    )
    within_green = (
        subject + "within " + green_words + " of " + target_text + " (" + green_detail + ")"
    )
    within_amber = subject + "within " + amber_words + " of " + target_text + " (" + detail + ")"
    beyond = subject + "more than " + amber_words + " from " + target_text + " (" + detail + ")"
    base_text = _numbers(base, np.zeros(len(card), dtype=int), whole=True)
    min_text = _numbers(min_base, np.zeros(len(card), dtype=int), whole=True)
    capped = (
        beyond
        + "; capped at Amber because the base ("
        + base_text
        + ") is below "
        + min_text
        + " (small numbers)"
    )
    target_year = card["target_year"].astype(str).to_numpy(dtype=object)
    target_note = card["target_note"].fillna("").astype(str).to_numpy(dtype=object)
    no_target_text = np.where(
        target_note != "",
        "no target for " + target_year + " (" + target_note + ")",
        "no target for " + target_year,
    )
    note = card["note"].fillna("").astype(str).to_numpy(dtype=object)
    reason_body = np.select(
        [
            polarity == "none",
            not_rated,
            pending,
            green & (gap == 0),
            green,
            small,
            amber,
        ],
        [
            "not rated, as neither higher nor lower is better",
            no_target_text,
            np.where(note != "", note, "no figure yet"),
            met,
            within_green,
            capped,
            within_amber,
        ],
        beyond,
    )
    reason = rag.astype(object) + ": " + reason_body
    return pd.DataFrame(
        {"rag_computed": rag, "rag_reason": reason, "shortfall": gap}, index=card.index
    )


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
