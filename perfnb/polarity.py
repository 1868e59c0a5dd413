"""Which way is better: a measure's polarity, the one rule every part of perfnb reads it by,
and the ratings in their order from worse to better.

``high``: a higher figure is better; ``low``: a lower one; ``band``: a figure within the target
band (``band_low`` to ``band_high``) is better than one outside it, and nearer it better than
further; ``none``: no aim, so the figure is not rated. The rating, the direction of travel,
the benchmark ranking, the forecast verdict and the SPC chart's colours all take their sign
from :func:`better_sign`, and every page and chart says a polarity in the words of ``AIMS``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "AIMS",
    "POLARITIES",
    "RAG_LABELS",
    "RAG_ORDER",
    "RATINGS",
    "better_sign",
    "normalise_rag",
    "outside_band",
]

POLARITIES = ("high", "low", "band", "none")
# the one wording of each polarity, in tables, pages and charts
AIMS = {
    "high": "Higher is better",
    "low": "Lower is better",
    "band": "Within the band is better",
    "none": "No aim",
}
_SIGNS = {"high": 1.0, "low": -1.0}

# the one place the ratings and their order are written down
RATINGS = ("Red", "Amber", "Green")  # a measure rated against its target, worse to better
RAG_LABELS = (*RATINGS, "N/A", "Pending")  # every label a measure's rag can hold, as counted
RAG_ORDER = {rating: rank for rank, rating in enumerate(RATINGS)}  # worse (0) to better
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


def normalise_rag(texts: pd.Series) -> pd.Series:
    """``R``, ``red``, ``n/a`` ... as ``Red``, ``Amber``, ``Green``, ``N/A``; NaN if neither."""
    return texts.astype(str).str.strip().str.lower().map(_RAG_WORDS)


def better_sign(polarity: pd.Series | np.ndarray | str) -> np.ndarray:
    """+1 where a higher figure is better (``high``), -1 where a lower one is (``low``), NaN
    where neither is (``band``, ``none``, anything else): a change times the sign is positive
    when it is an improvement."""
    if isinstance(polarity, pd.Series) and isinstance(polarity.dtype, pd.CategoricalDtype):
        codes = polarity.cat.codes.to_numpy()
        uniques = polarity.cat.categories.to_numpy(dtype=object)
    else:  # each distinct polarity looked up once, not once per row
        codes, uniques = pd.factorize(np.atleast_1d(np.asarray(polarity, dtype=object)))
    signs = np.array([*(_SIGNS.get(p, np.nan) for p in uniques), np.nan], dtype=float)
    return signs[codes]  # a missing polarity (code -1) reads the NaN at the end


def outside_band(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far each figure is outside its band, in the measure's unit: 0 within it, NaN
    where the figure or the band is missing."""
    return np.maximum(np.maximum(low - value, value - high), 0.0)
