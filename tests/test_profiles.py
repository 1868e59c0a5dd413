"""Target profiles: the share of a year-end target due by each month (docs/method.md §3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfnb.profiles import profile_shares, share_elapsed


@pytest.mark.parametrize("text", ["linear", "", None, "  Linear "])
def test_linear_profile_is_m_over_12(text):
    """A linear (or blank) profile is 0 before April and m/12 after month m."""
    # 13 numbers: 0, 1/12, 2/12, ..., 12/12; Q1 = 3/12 = 0.25, Q2 = 6/12 = 0.5, Oct = 7/12
    shares = profile_shares(text)
    assert shares == pytest.approx([m / 12 for m in range(13)])
    assert shares[3] == pytest.approx(0.25)
    assert shares[6] == pytest.approx(0.5)
    assert shares[12] == 1.0


def test_quarter_profile_spreads_each_quarter_over_its_months():
    """q:20,25,25,30 gives 0.2 at Q1, 0.45 at Q2 and 0.5333 in October."""
    # weights total 100; Q1 = 20/100; Q2 = 45/100; month 7 = (20 + 25 + 25/3)/100 = 53.333/100;
    # month 1 = (20/3)/100 = 0.0667; Q3 = 70/100; Q4 = 1
    shares = profile_shares("q:20,25,25,30")
    assert shares[0] == 0.0
    assert shares[1] == pytest.approx(0.2 / 3)
    assert shares[3] == pytest.approx(0.20)
    assert shares[6] == pytest.approx(0.45)
    assert shares[7] == pytest.approx(0.533333, abs=1e-6)
    assert shares[9] == pytest.approx(0.70)
    assert shares[12] == 1.0


def test_month_profile_uses_its_own_weights():
    """m: weights 6,7,8,9,... (total 100) give 30% due after July, month 4."""
    # (6 + 7 + 8 + 9) / 100 = 0.30; after month 11: (100 - 9) / 100 = 0.91
    shares = profile_shares("m:6,7,8,9,10,9,8,9,8,8,9,9")
    assert shares[4] == pytest.approx(0.30)
    assert shares[11] == pytest.approx(0.91)
    assert shares[12] == 1.0


def test_weights_need_only_be_in_proportion():
    """q:1,1,1,2 is the same profile as q:20,20,20,40 (Q3 = 3/5 = 0.6)."""
    a, b = profile_shares("q:1,1,1,2"), profile_shares("Q: 20, 20, 20, 40")
    assert a == pytest.approx(b)
    assert a[9] == pytest.approx(0.6)


def test_a_profile_with_nothing_due_in_q1_is_zero_there():
    """q:0,1,1,1 has nothing due at Q1 and one third at Q2."""
    # Q1 = 0/3 = 0; Q2 = 1/3
    shares = profile_shares("q:0,1,1,1")
    assert shares[3] == 0.0
    assert shares[6] == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    "text",
    ["q:1,1,1", "m:1,1,1,1", "x:1,1,1,1", "weekly", "q:-1,1,1,1", "q:0,0,0,0", "q:a,b,c,d"],
)
def test_bad_profiles_are_refused(text):
    """Wrong counts, unknown kinds, negative or all-zero weights raise ValueError."""
    with pytest.raises(ValueError):
        profile_shares(text)


@pytest.mark.parametrize("profile", ["q:nan,1,1,1", "q:inf,1,1,1", "m:1,1,1,1,1,1,1,1,1,1,1,nan"])
def test_a_weight_that_is_not_a_finite_number_is_refused(profile):
    """A weight of 'nan' or 'inf' is refused like a negative one (it made every share NaN)."""
    with pytest.raises(ValueError, match="needs weights of 0 or more with a positive total"):
        profile_shares(profile)


def test_share_elapsed_looks_up_each_rows_profile_and_month():
    """Each row gets its own profile's share; blank or NaN profiles are linear."""
    profiles = pd.Series(["linear", "q:20,25,25,30", np.nan, "", "Q:20,25,25,30 "])
    month = np.array([6, 7, 3, 12, 6])
    # linear Q2 = 0.5; q-profile October = 0.5333; NaN at Q1 = 0.25; blank at March = 1;
    # the same q-profile in other case/spacing at Q2 = 0.45
    expected = [0.5, 0.533333, 0.25, 1.0, 0.45]
    assert share_elapsed(profiles, month) == pytest.approx(expected, abs=1e-6)


def test_share_elapsed_of_categories_is_the_same_every_call():
    """The engine passes profiles as categoricals, chunk after chunk: each call finds the same
    shares as the first (the tidied categories are kept between calls, never changed)."""
    profiles = pd.Series(
        pd.Categorical(["linear", "q:20,25,25,30", "", "Q:20,25,25,30 ", "linear"])
    )
    month = np.array([6, 7, 12, 6, 3])
    # linear Q2 = 0.5; the q-profile's October = (20 + 25 + 25 / 3) / 100; blank at March = 1;
    # the same q-profile in other case and spacing at Q2 = 0.45; linear Q1 = 0.25
    expected = [0.5, 0.533333, 1.0, 0.45, 0.25]
    for _ in range(3):
        assert share_elapsed(profiles, month) == pytest.approx(expected, abs=1e-6)
    # the same categories, other rows: their own shares, not the first call's
    again = pd.Series(pd.Categorical(["q:20,25,25,30"], categories=profiles.cat.categories))
    assert share_elapsed(again, np.array([3])) == pytest.approx([0.2])


def test_share_elapsed_of_no_rows_is_empty():
    """No rows give no shares (and no error)."""
    assert len(share_elapsed(pd.Series([], dtype=object), np.array([], dtype=int))) == 0


@given(st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(lambda w: sum(w) > 0))
def test_quarter_shares_rise_from_zero_to_one(weights):
    """Any valid q: profile starts at 0, never falls, and ends at exactly 1."""
    shares = profile_shares("q:" + ",".join(map(str, weights)))
    assert shares[0] == 0.0
    assert shares[12] == 1.0
    assert (np.diff(shares) >= -1e-12).all()
    # Q1's share is the first weight over the total
    assert shares[3] == pytest.approx(weights[0] / sum(weights))
