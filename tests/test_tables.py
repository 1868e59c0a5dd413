"""Formatting of figures and the scorecard table: text only, computed upstream."""

from __future__ import annotations

import math

import pytest

from conftest import SAMPLE
from perfnb import build_scorecard, format_value, load_dataset, scorecard_table


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "rate_per", "text"),
    [
        (12.4, "percent", 1, None, "12.4%"),
        (62.0, "percent", 0, None, "62%"),
        (38000.0, "count", 0, None, "38,000"),
        (560.6, "rate", 1, 100000.0, "560.6 per 100,000"),
        (1200.0, "currency", 0, None, "£1,200"),
        (-1200.0, "currency", 0, None, "-£1,200"),
        (780.0, "days", 0, None, "780 days"),
        (0.125, "ratio", 2, None, "0.12"),
        (math.nan, "percent", 1, None, ""),
        (None, "count", 0, None, ""),
    ],
)
def test_format_value(value, unit, decimals, rate_per, text) -> None:
    """Each unit prints as council reports print it; a missing figure prints as nothing."""
    assert format_value(value, unit, decimals, rate_per) == text


def test_scorecard_table_groups_by_theme_and_shows_notes() -> None:
    """The table is indexed by theme then measure; pending rows show their note."""
    card = build_scorecard(load_dataset(SAMPLE), "2017/18 Q1", services=["Adult Social Care"])
    table = scorecard_table(card).data
    assert table.index.names == ["Theme", "Measure"]
    assert table.loc[("Meet need", "SEQ-MEET"), "Year-end target"] == "5.0 to 9.0%"
    assert table.loc[("Meet need", "ASCOF-4B"), "This period"] == "Due May-18"
    assert table.loc[("Delay need", "DTOC-ASC"), "Year-end target"] == "None set"
    assert table.loc[("Delay need", "ASCOF-2A2"), "This period"] == "140.4 per 100,000"
    assert list(table.index.get_level_values("Theme").unique()) == [
        "Prevent need",
        "Reduce need",
        "Delay need",
        "Meet need",
    ]
