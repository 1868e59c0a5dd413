"""Tolerances: relative or absolute, their defaults, and the on-the-limit rule (method.md §6.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from perfnb.tolerances import (
    DEFAULT_AMBER_WITHIN,
    DEFAULT_DOT_STABLE,
    DEFAULT_GREEN_WITHIN,
    describe_tolerance,
    tolerance_limit,
    with_default,
    within,
)

UNITS = pd.Series(["percent", "count", "days", "money", np.nan])


def test_blank_amber_within_defaults_to_2_points_or_5_percent():
    """A blank amber tolerance is 2 points for a percent measure and 5% for any other unit."""
    texts = pd.Series([np.nan, np.nan, "  ", np.nan, np.nan])
    assert list(with_default(texts, UNITS, DEFAULT_AMBER_WITHIN)) == ["2", "5%", "5%", "5%", "5%"]


def test_blank_green_and_stable_defaults():
    """Green defaults to 0 for every unit; 'stable' to 0.5 points or 1%."""
    blank = pd.Series([np.nan] * 5)
    assert list(with_default(blank, UNITS, DEFAULT_GREEN_WITHIN)) == ["0"] * 5
    assert list(with_default(blank, UNITS, DEFAULT_DOT_STABLE)) == ["0.5", "1%", "1%", "1%", "1%"]


def test_a_measures_own_tolerance_wins_over_the_default():
    """A written tolerance is kept (stripped), whatever the unit's default."""
    texts = pd.Series([" 5% ", "10%", "36", "0", np.nan], index=[10, 11, 12, 13, 14])
    out = with_default(texts, UNITS.set_axis(texts.index), DEFAULT_AMBER_WITHIN)
    assert list(out) == ["5%", "10%", "36", "0", "5%"]
    assert list(out.index) == [10, 11, 12, 13, 14]


def test_relative_and_absolute_limits():
    """5% of 80 is 4 (relative); 2 is 2 whatever the reference (absolute)."""
    # 5% of 80 = 4; 10% of 250,000 = 25,000 (library visits, Q1); 5% of 6.1 = 0.305 (ASCOF 2A);
    # 2 points stays 2 against a 97% target; 5% of -80 = 4 (the size of the reference counts)
    texts = pd.Series(["5%", "10%", "5%", "2", "5%"])
    limit, relative = tolerance_limit(texts, np.array([80.0, 250_000.0, 6.1, 97.0, -80.0]))
    assert limit == pytest.approx([4.0, 25_000.0, 0.305, 2.0, 4.0])
    assert list(relative) == [True, True, True, False, True]


def test_relative_limit_of_a_missing_reference_is_missing():
    """A relative tolerance of a NaN reference is NaN; an absolute one is still its amount."""
    limit, _ = tolerance_limit(pd.Series(["5%", "2", "0"]), np.array([np.nan, np.nan, 0.0]))
    assert np.isnan(limit[0])
    assert limit[1:] == pytest.approx([2.0, 0.0])


def test_a_shortfall_exactly_on_the_limit_is_within():
    """76 against 80 with 5% is a shortfall of exactly 4: within (Amber)."""
    limit, _ = tolerance_limit(pd.Series(["5%"]), np.array([80.0]))
    assert within(np.array([80.0 - 76.0]), limit, np.array([76.0]), np.array([80.0])).all()


def test_on_the_limit_despite_floating_point_for_money():
    """£9,323,709.45 against £9,814,431 is exactly 5% short (490,721.55): within."""
    # 5% of 9,814,431 = 490,721.55 and 9,814,431 - 9,323,709.45 = 490,721.55 by hand; in floats
    # the difference is a hair over, which the billionth-of-the-largest-figure slack absorbs
    target, value = np.array([9_814_431.0]), np.array([9_323_709.45])
    limit, _ = tolerance_limit(pd.Series(["5%"]), target)
    assert within(target - value, limit, value, target).all()


def test_slack_is_a_billionth_of_the_largest_figure_at_least_1():
    """0.1 + 0.2 is within 0.3; 2 billionths over is not, unless a large figure widens the slack."""
    # slack = 1e-9 * max(|figures|, 1): figures below 1 get 1e-9; a scale of 10,000 gives 1e-5
    small = within(np.array([0.1 + 0.2, 0.3 + 2e-9]), np.array([0.3, 0.3]))
    assert list(small) == [True, False]
    assert not within(np.array([4.000001]), np.array([4.0])).any()  # slack 4e-9 < 1e-6
    assert within(np.array([4.000001]), np.array([4.0]), np.array([10_000.0])).all()


def test_beyond_the_limit_or_missing_is_not_within():
    """0.6 points is beyond 10% of 2.2 (0.22) but within 2; a NaN shortfall or limit is not."""
    # unemployment 2.8% against 2.2% (lower is better): shortfall 0.6 > 0.22 -> Red under 10%,
    # but <= 2 points -> Amber under the percent default
    limit, _ = tolerance_limit(pd.Series(["10%", "2"]), np.array([2.2, 2.2]))
    assert list(within(np.array([0.6, 0.6]), limit)) == [False, True]
    assert not within(np.array([np.nan, 1.0]), np.array([5.0, np.nan])).any()


@pytest.mark.parametrize(
    ("text", "unit", "words"),
    [
        ("5%", "percent", "5%"),
        (" 10% ", "count", "10%"),
        ("2", "percent", "2 points"),
        ("1", "percent", "1 point"),
        ("0.5", "percent", "0.5 points"),
        ("36", "days", "36 days"),
        ("1", "days", "1 day"),
        ("150", "count", "150"),
        ("25000", "money", "25,000"),
        ("2.0", "percent", "2 points"),
    ],
)
def test_describe_tolerance(text, unit, words):
    """A tolerance in words: relative as written, points for percent, days for days."""
    assert describe_tolerance(text, unit) == words


def test_the_same_tolerance_texts_read_again_give_the_same_limits():
    """Each chunk of a card reads its catalogue's tolerance texts again: the second reading
    gives what the first did, whatever the first caller did with its arrays."""
    texts = pd.Series([" 5% ", "2", "abc", "10%"], dtype="category")
    reference = np.array([80.0, 97.0, 50.0, -30.0])
    for _ in range(2):
        limit, relative = tolerance_limit(texts, reference)
        # 5% of 80 = 4; 2 points; not a number: no limit; 10% of |-30| = 3
        assert limit[[0, 1, 3]] == pytest.approx([4.0, 2.0, 3.0])
        assert np.isnan(limit[2])
        assert relative.tolist() == [True, False, False, True]
        limit[:] = 0.0
        relative[:] = False  # the caller's own arrays: the next reading is not changed
