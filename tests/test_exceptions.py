"""Exceptions: which measures a committee is asked about, on tiny hand-made cards."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from perfnb.exceptions import (
    CHANGES,
    exceptions,
    is_exception,
    previous_ratings,
    rating_changes,
)

# the columns exceptions adds hold text as objects, as the engine's text columns do
ADDED = {"previous_rag": object, "previous_period": object, "change": object}


def card(*rows: tuple[str, str], period: str = "2017/18 Q2") -> pd.DataFrame:
    """A card of (measure_id, rag) rows in catalogue order, with a value to carry along."""
    return pd.DataFrame(
        {
            "measure_id": [m for m, _ in rows],
            "rag": [r for _, r in rows],
            "period": period,
            "value": [float(n) for n in range(1, len(rows) + 1)],
        }
    )


def strings(values: list[str], index: list[int] | None = None) -> pd.Series:
    """A column of text as the engine's frames hold it (object dtype)."""
    return pd.Series(values, index=index, dtype=object)


@pytest.mark.parametrize(
    ("now", "was", "change"),
    [
        ("Red", "Green", "worse"),
        ("Red", "Amber", "worse"),
        ("Amber", "Green", "worse"),
        ("Green", "Red", "better"),
        ("Amber", "Red", "better"),
        ("Green", "Amber", "better"),
        ("Red", "Red", ""),
        ("Green", "Green", ""),
        ("Pending", "Red", "not rated"),
        ("N/A", "Amber", "not rated"),
        ("N/A", "Green", ""),  # Green lapsing to not rated is not news
        ("Red", "Pending", ""),  # rated again: no earlier rating to move from
        ("Green", "N/A", ""),
        ("Amber", "", ""),  # a new measure
        ("Pending", "", ""),
        ("Pending", "Pending", ""),
    ],
)
def test_rating_changes(now, was, change) -> None:
    """Each pair of ratings, now and before, gives its change, one of CHANGES."""
    got = rating_changes(strings([now]), strings([was]))
    assert got.tolist() == [change]
    assert change in CHANGES


@pytest.mark.parametrize(
    ("rag", "change", "chosen"),
    [
        ("Red", "", True),
        ("Amber", "", True),
        ("Green", "", False),
        ("Green", "better", True),
        ("Pending", "not rated", True),
        ("Pending", "", False),
        ("N/A", "", False),
    ],
)
def test_is_exception(rag, change, chosen) -> None:
    """Red and Amber are always exceptions; any other rating only when it changed."""
    assert is_exception(strings([rag]), strings([change])).tolist() == [chosen]


def test_previous_ratings_takes_each_measures_first_row() -> None:
    """Each measure's rating and period before, by measure_id whatever the rows' order or
    index; a measure with no earlier row gets blanks; a repeated measure's first row counts."""
    now = card(("A", "Red"), ("B", "Green"), ("C", "Amber"))
    before = pd.DataFrame(
        {
            "measure_id": ["B", "A", "A"],
            "rag": ["Amber", "Green", "Red"],
            "period": ["2017/18 Q1", "2017/18 Q1", "2016/17 Q4"],
        },
        index=[7, 8, 9],
    )
    expected = pd.DataFrame(
        {
            "previous_rag": strings(["Green", "Amber", ""]),
            "previous_period": strings(["2017/18 Q1", "2017/18 Q1", ""]),
        }
    )
    assert_frame_equal(previous_ratings(now, before), expected)


@pytest.mark.parametrize("before", [None, card()], ids=["none", "empty"])
def test_previous_ratings_without_a_period_before(before) -> None:
    """No period before (None or no rows): every previous rating and period is blank."""
    expected = pd.DataFrame(
        {"previous_rag": strings(["", ""]), "previous_period": strings(["", ""])}
    )
    assert_frame_equal(previous_ratings(card(("A", "Red"), ("B", "Green")), before), expected)


def test_without_a_period_before_red_and_amber_are_the_exceptions() -> None:
    """Amber, Green, Red, Pending, N/A, Red: the two Reds (in catalogue order), then the Amber;
    nothing has a previous rating or a change."""
    now = card(("A", "Amber"), ("B", "Green"), ("C", "Red"), ("D", "Pending"), ("E", "N/A"))
    now = pd.concat([now, card(("F", "Red"))], ignore_index=True)
    got = exceptions(now)
    assert got["measure_id"].tolist() == ["C", "F", "A"]
    assert got.index.tolist() == [2, 5, 0]  # the rows of the card, reindexed from 0
    assert got["previous_rag"].tolist() == ["", "", ""]
    assert got["change"].tolist() == ["", "", ""]


def test_exceptions_against_the_period_before() -> None:
    """Worked by hand. Before (Q1) and now (Q2):
    A Green to Red (worse), B Red to Amber (better), C Green to Green (left out), D Amber to
    Pending (not rated), E Green to N/A (left out), F Red to Red (kept, no change), G new and
    Amber (kept, no previous rating), H Red to Green (better, listed among the Greens).
    Order: Reds A, F; Ambers B, G; Green H; then the rest, D."""
    now = card(
        ("A", "Red"),
        ("B", "Amber"),
        ("C", "Green"),
        ("D", "Pending"),
        ("E", "N/A"),
        ("F", "Red"),
        ("G", "Amber"),
        ("H", "Green"),
    )
    before = card(
        ("A", "Green"),
        ("B", "Red"),
        ("C", "Green"),
        ("D", "Amber"),
        ("E", "Green"),
        ("F", "Red"),
        ("H", "Red"),
        period="2017/18 Q1",
    )
    got = exceptions(now, before)
    q1 = "2017/18 Q1"
    expected = pd.DataFrame(
        {
            "measure_id": ["A", "F", "B", "G", "H", "D"],
            "rag": ["Red", "Red", "Amber", "Amber", "Green", "Pending"],
            "period": "2017/18 Q2",
            "value": [1.0, 6.0, 2.0, 7.0, 8.0, 4.0],
            "previous_rag": ["Green", "Red", "Red", "", "Red", "Amber"],
            "previous_period": [q1, q1, q1, "", q1, q1],
            "change": ["worse", "", "better", "", "better", "not rated"],
        },
        index=[0, 5, 1, 6, 7, 3],  # each row keeps its place in the card
    ).astype(ADDED)
    assert_frame_equal(got, expected)


def test_a_cards_own_index_does_not_matter() -> None:
    """A card indexed 10, 11 (a slice of a bigger frame) is matched to the period before by
    measure, not by index: B went Green to Red."""
    now = card(("A", "Green"), ("B", "Red")).set_axis([10, 11])
    before = card(("B", "Green"), ("A", "Green"), period="2017/18 Q1")
    got = exceptions(now, before)
    assert_series_equal(got["change"], strings(["worse"], index=[1]), check_names=False)


def test_no_exceptions_is_an_empty_frame_with_the_added_columns() -> None:
    """All Green and unchanged: no rows, but the columns the exceptions table reads."""
    got = exceptions(card(("A", "Green")), card(("A", "Green"), period="2017/18 Q1"))
    assert got.empty
    assert list(got.columns) == [
        "measure_id",
        "rag",
        "period",
        "value",
        "previous_rag",
        "previous_period",
        "change",
    ]
    assert exceptions(card()).empty


def test_the_tables_still_name_the_rule() -> None:
    """perfnb.tables.exceptions is this rule (the function), as before it moved out of the
    tables into its own module, perfnb.exceptions."""
    import perfnb.exceptions

    assert perfnb.tables.exceptions is exceptions
    assert perfnb.exceptions.exceptions is exceptions
