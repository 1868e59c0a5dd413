"""Target profiling: the share of a year-end target that should be reached by a month of the year.

A profile is written in ``targets.csv`` as ``linear`` (or blank): an equal share each month, so a
quarter q is q/4 of the year and month m is m/12; ``q:20,25,25,30``: quarter weights, spread
evenly over each quarter's months; or ``m:`` and twelve monthly weights. Weights are normalised,
so ``q:1,1,1,2`` and ``q:20,20,20,40`` are the same profile.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from perfnb.engine_text import Coded

__all__ = ["profile_shares", "share_elapsed"]


def profile_shares(profile: str) -> np.ndarray:
    """Cumulative share of the year reached by the end of each month: 13 numbers, 0 then 1/12
    ... 1 for ``linear``; index m is the share after month m of the financial year (1 = April).

    Raises ``ValueError`` for a profile that is not linear, q: four or m: twelve weights.
    """
    text = str(profile or "").strip().lower()
    if text in ("", "linear"):
        monthly = np.ones(12)
    else:
        kind, _, rest = text.partition(":")
        weights = np.array([float(w) for w in rest.split(",")])
        kind = kind.strip()
        if kind == "q" and len(weights) == 4:
            monthly = np.repeat(weights / 3, 3)
        elif kind == "m" and len(weights) == 12:
            monthly = weights
        else:
            raise ValueError(f"{profile!r} is not a profile: linear, q:w1,...,w4 or m:w1,...,w12")
        # a weight must be a finite number: 'nan' and 'inf' fail every comparison or total
        if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"{profile!r} needs weights of 0 or more with a positive total")
    shares = np.concatenate([[0.0], np.cumsum(monthly) / monthly.sum()])
    shares[-1] = 1.0
    return shares


def share_elapsed(profiles: pd.Series | Coded, month: np.ndarray) -> np.ndarray:
    """For each row, the share of its year-end target due by the end of month ``month`` (1-12)
    under its profile text; each distinct profile is parsed once (a categorical's categories
    once for all the calls that share them: the engine's chunks read one targets file)."""
    if isinstance(profiles, Coded):  # each distinct text tidied once, as for categories
        tidy, table = _profile_table(tuple(profiles.words))
        codes = tidy[profiles.codes] if len(tidy) else np.full(len(profiles), -1)
    elif isinstance(profiles.dtype, pd.CategoricalDtype):
        tidy, table = _profile_table(tuple(profiles.cat.categories.astype(object)))
        at = profiles.cat.codes.to_numpy()
        codes = np.where(at < 0, -1, tidy[np.maximum(at, 0)] if len(tidy) else -1)
    else:
        codes, uniques = pd.factorize(profiles.fillna("").astype(str).str.strip().str.lower())
        table = _shares_table(tuple(uniques))
    codes = np.where(codes < 0, 0, codes)
    return table[codes, np.asarray(month, dtype=int)]


@lru_cache(maxsize=64)
def _profile_table(categories: tuple[object, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Each category's row of the distinct profiles' table (categories tidied: stripped, lower
    case, a missing one blank) and that table (13 shares a row); read only, as it is shared."""
    words = pd.Series(list(categories), dtype=object).fillna("").astype(str)
    tidy, uniques = pd.factorize(words.str.strip().str.lower())
    tidy.setflags(write=False)
    return tidy, _shares_table(tuple(uniques))


@lru_cache(maxsize=64)
def _shares_table(profiles: tuple[str, ...]) -> np.ndarray:
    """:func:`profile_shares` of each profile, a row each (linear's alone for none); read only."""
    table = np.vstack([profile_shares(p) for p in profiles] or [profile_shares("")])
    table.setflags(write=False)
    return table
