"""Polarity, the one rule of which way is better, and the ratings' order (perfnb.polarity)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from perfnb.polarity import (
    AIMS,
    POLARITIES,
    RAG_ORDER,
    better_sign,
    normalise_rag,
    outside_band,
)


def test_the_sign_says_which_way_is_better() -> None:
    signs = better_sign(pd.Series(["high", "low", "band", "none", "sideways"]))
    assert signs[:2].tolist() == [1.0, -1.0]
    assert all(math.isnan(s) for s in signs[2:])
    assert better_sign("low").tolist() == [-1.0]
    # a fall of 3 is an improvement where lower is better, a decline where higher is
    assert (better_sign(np.array(["low", "high"], dtype=object)) * -3.0).tolist() == [3.0, -3.0]


def test_how_far_outside_the_band() -> None:
    low, high = np.array([10.0, 10.0, 10.0, 10.0]), np.array([20.0, 20.0, 20.0, np.nan])
    value = np.array([7.0, 15.0, 26.5, 30.0])
    gaps = outside_band(value, low, high)
    assert gaps[:3].tolist() == [3.0, 0.0, 6.5]  # below by 3, within, above by 6.5
    assert math.isnan(gaps[3])  # no top to the band: not known


def test_one_wording_for_each_polarity() -> None:
    assert set(AIMS) == set(POLARITIES)
    assert AIMS["band"] == "Within the band is better"
    assert len(set(AIMS.values())) == len(AIMS)


def test_ratings_in_order_and_as_councils_write_them() -> None:
    assert sorted(RAG_ORDER, key=RAG_ORDER.get) == ["Red", "Amber", "Green"]
    words = normalise_rag(pd.Series([" R", "amber", "G", "n/a", "NA", "blue"]))
    assert words[:5].tolist() == ["Red", "Amber", "Green", "N/A", "N/A"]
    assert pd.isna(words[5])
