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
    """Theme printed once per group; pending rows show their note; targets as councils print."""
    card = build_scorecard(load_dataset(SAMPLE), "2017/18 Q1", services=["Adult Social Care"])
    table = scorecard_table(card).data.set_index("Measure")
    assert list(table.columns) == [
        "Theme",
        "Description",
        "Aim",
        "RAG",
        "Direction",
        "Year-end target",
        "This period",
        "Variance",
        "Compared with",
        "Forecast",
        "Quartile",
    ]
    themes = [t for t in table["Theme"] if t]
    assert themes == ["Prevent need", "Reduce need", "Delay need", "Meet need"]
    assert table.loc["SEQ-MEET", "Year-end target"] == "5 to 9%"
    assert table.loc["ASCOF-2D", "Year-end target"] == "80%"
    assert table.loc["ASCOF-2D", "This period"] == "77.4%"
    assert table.loc["ASCOF-2A2", "Year-end target"] == "630.6 per 100,000"
    # seed 004 prints the full-year forecast it rates this measure on
    assert table.loc["ASCOF-2A2", "This period"] == "560.6 per 100,000 (full year forecast)"
    assert table.loc["ASCOF-4B", "This period"] == "Due May-18"
    assert table.loc["ASCOF-2D", "RAG"] == "Amber"
    assert table.loc["ASCOF-2D", "Variance"] == "-2.6 pts"
    assert table.loc["SEQ-PREVENT", "Variance"] == "0 pts"  # inside its band
    assert table.loc["ASCOF-2D", "Direction"] == "\u25bc Declining"
    assert table.loc["ASCOF-2D", "Compared with"] == "80.2% (2016/17 Q4)"
    assert table.loc["ASCOF-2A1", "Forecast"] == "10.1 per 100,000 (officer forecast)"
    assert table.loc["DTOC-ASC", "Year-end target"] == "TBC"
    assert table.loc["ASCOF-3D2", "Year-end target"] == "N/A: next survey due 2018/19"


def test_measure_without_target_or_note() -> None:
    """No target and no note: the table says None set rather than leaving a gap."""
    card = build_scorecard(
        load_dataset(SAMPLE), "2017/18 Q1", services=["Communities and Wellbeing"]
    )
    table = scorecard_table(card).data.set_index("Measure")
    assert table.loc["LIB-COMMUNITY-ISSUES", "Year-end target"] == "None set"
    assert table.loc["LIB-VISITS", "Year-end target"] == "1,000,000"
    assert table.loc["LIB-VISITS", "Variance"] == "-4.7%"
    assert table.loc["LIB-VISITS", "Compared with"] == "262,100 (2016/17 Q1)"
    assert table.loc["LIB-VISITS", "Forecast"] == "952,800 (run rate)"


def test_trafford_quartile_is_shown() -> None:
    from test_direction_and_benchmarks import TRAFFORD

    card = build_scorecard(load_dataset(TRAFFORD), "2017/18")
    assert scorecard_table(card).data["Quartile"].tolist() == ["Q4 (14 of 15, 2017/18)"]
