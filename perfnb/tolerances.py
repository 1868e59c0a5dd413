"""Tolerances: how far from a target (or a previous figure) still counts as close.

A tolerance is written in ``measures.csv`` either relative, ``5%`` (of the target, band edge or
previous figure), or absolute in the measure's unit, ``2`` (percentage points for a percent
measure, days for a days measure). Blank means the default for the measure's unit.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from perfnb.engine_text import coded

__all__ = [
    "DEFAULT_AMBER_WITHIN",
    "DEFAULT_DOT_STABLE",
    "DEFAULT_GREEN_WITHIN",
    "describe_tolerance",
    "tolerance_limit",
    "with_default",
    "within",
]

# A shortfall of nothing at all is Green; Amber is a narrow miss: 2 percentage points for a
# percentage, 5% of the target for anything else (counts, rates, days, money).
DEFAULT_GREEN_WITHIN = {"percent": "0"}, "0"
DEFAULT_AMBER_WITHIN = {"percent": "2"}, "5%"
# A change of half a point in a percentage, or of 1% in anything else, is "stable".
DEFAULT_DOT_STABLE = {"percent": "0.5"}, "1%"


def with_default(
    texts: pd.Series, units: pd.Series, default: tuple[dict[str, str], str]
) -> pd.Series:
    """The tolerance text of each row: its own, else the default for its unit."""
    by_unit, other = default
    codes, uniques = pd.factorize(texts)  # a blank cell (NaN) is code -1: the "" at the end
    unit_codes, unit_uniques = pd.factorize(units)
    stripped = np.array([str(t).strip() for t in uniques] + [""], dtype=object)[codes]
    fallback = np.array([by_unit.get(u, other) for u in unit_uniques] + [other], dtype=object)
    return pd.Series(
        np.where(stripped != "", stripped, fallback[unit_codes]), index=texts.index, dtype=object
    )


def tolerance_limit(texts: pd.Series, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each tolerance as an amount in the measure's unit, and whether it was relative.

    ``reference`` is what a relative tolerance is a share of (the target or band edge, or the
    previous figure); a relative tolerance of a NaN reference is NaN.
    """
    text = coded(texts)  # a categorical by its codes: each distinct tolerance read once
    relative, amount = _read_tolerances(tuple(text.words.tolist()))
    relative, amount = relative[text.codes], amount[text.codes]
    limit = np.where(relative, amount / 100 * np.abs(reference), amount)
    return limit, relative


@lru_cache(maxsize=64)
def _read_tolerances(texts: tuple[object, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Whether each tolerance text is relative, and its amount (NaN where it is not a
    number): read once for the same texts (every chunk of a card has its catalogue's)."""
    words = pd.Series(texts, dtype=object).astype(str).str.strip()
    relative = words.str.endswith("%").to_numpy(dtype=bool)
    amount = pd.to_numeric(words.str.rstrip("%"), errors="coerce").to_numpy(dtype=float)
    relative.flags.writeable = amount.flags.writeable = False  # shared by every caller
    return relative, amount


def within(amount: np.ndarray, limit: np.ndarray, *scales: np.ndarray) -> np.ndarray:
    """``amount <= limit``, counting a figure exactly on the limit as within it despite
    floating-point error: the slack is a billionth of the largest figure involved (so 5% of
    9,814,431 is met by a shortfall of 490,721.55 computed as 490,721.55000000075)."""
    size = np.maximum.reduce([np.abs(np.nan_to_num(x)) for x in (amount, limit, *scales)])
    return amount <= limit + 1e-9 * np.maximum(size, 1.0)


def describe_tolerance(text: str, unit: str) -> str:
    """A tolerance in words: ``5%``, ``2 points`` (percent), ``36 days``, ``150``."""
    text = str(text).strip()
    if text.endswith("%"):
        return text
    amount = float(text)
    shown = f"{amount:,.10g}"
    if unit == "percent":
        return f"{shown} point" if amount == 1 else f"{shown} points"
    if unit == "days":
        return f"{shown} day" if amount == 1 else f"{shown} days"
    return shown
