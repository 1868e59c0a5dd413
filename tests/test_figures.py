"""The reported figure by aggregation, target profiling and forecasts, on hand-worked data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_dataset
from perfnb import load_dataset, performance
from perfnb.integer_keys import sorted_unique
from perfnb.profiles import profile_shares

HEADER = "measure_id,name,service,theme,framework,unit,rate_per,polarity,aggregation,frequency"


def _rows(tmp_path, measures: str, values: str, targets: str = "", period="2017/18 Q2"):
    folder = write_dataset(
        tmp_path / "data",
        {
            "measures.csv": f"{HEADER}\n{measures}",
            "values.csv": f"measure_id,period,value,numerator,denominator,forecast,note\n{values}",
            "targets.csv": f"measure_id,year,target,profile\n{targets}",
        },
    )
    return performance(load_dataset(folder), period).set_index("measure_id")


def test_ratio_is_sum_over_sum_never_mean_of_percentages(tmp_path) -> None:
    """Q1 30 of 100 (30%), Q2 10 of 300 (3.3%): the year is 40 of 400 = 10%, not 16.7%."""
    row = _rows(
        tmp_path,
        "R,Reviews,S,T,Local,percent,,high,ratio,quarterly",
        "R,2017/18 Q1,30,30,100,,\nR,2017/18 Q2,3.3,10,300,,",
    ).loc["R"]
    assert row["ytd_value"] == pytest.approx(10.0)
    assert row["value"] == pytest.approx(10.0)
    assert row["period_value"] == pytest.approx(10 / 300 * 100)
    assert (row["numerator"], row["denominator"]) == (40, 400)
    assert row["value_basis"] == "year to date"


def test_rate_ratio_uses_rate_per(tmp_path) -> None:
    """5 events in a population of 2,000 per 1,000 is 2.5."""
    row = _rows(
        tmp_path,
        "X,Events,S,T,Local,rate,1000,low,ratio,quarterly",
        "X,2017/18 Q1,,,,,\nX,2017/18 Q2,2.5,5,2000,,",
        period="2017/18 Q2",
    )
    # Q1 is blank (pending), so the year to date cannot be given: it would look better than it is
    assert math.isnan(row.loc["X", "value"])
    row = _rows(
        tmp_path,
        "X,Events,S,T,Local,rate,1000,low,ratio,quarterly",
        "X,2017/18 Q1,2.5,5,2000,,",
        period="2017/18 Q1",
    )
    assert row.loc["X", "value"] == pytest.approx(2.5)


def test_months_roll_up_and_a_quarter_row_wins(tmp_path) -> None:
    """Months 10 + 20 + 30 make Q1 = 60; Q2 given as a quarter (100) beats its months (1+1+1)."""
    months = "\n".join(
        [
            "C,2017-04,10,,,,",
            "C,2017-05,20,,,,",
            "C,2017-06,30,,,,",
            "C,2017/18 Q2,100,,,,",
            "C,2017-07,1,,,,",
            "C,2017-08,1,,,,",
            "C,2017-09,1,,,,",
        ]
    )
    row = _rows(
        tmp_path, "C,Calls,S,T,Local,count,,high,sum,monthly", months, "C,2017/18,1200,"
    ).loc["C"]
    assert row["period_value"] == 100
    assert row["ytd_value"] == 160
    assert row["target"] == 600  # 1,200 x 6/12
    assert row["variance_pct"] == pytest.approx((160 - 600) / 600 * 100)


def test_month_report_adds_the_months_of_the_current_quarter(tmp_path) -> None:
    """Q1 as a quarter (60) plus July (7) and August (8): 75 to the end of August, against
    1,200 x 5/12 = 500 (August is the fifth month of the financial year)."""
    values = "C,2017/18 Q1,60,,,,\nC,2017-07,7,,,,\nC,2017-08,8,,,,"
    row = _rows(
        tmp_path, "C,Calls,S,T,Local,count,,high,sum,monthly", values, "C,2017/18,1200,", "2017-08"
    ).loc["C"]
    assert (row["period_value"], row["ytd_value"], row["target"]) == (8, 75, 500)


def test_incomplete_year_to_date_is_pending_with_a_note(tmp_path) -> None:
    """With May missing, a year to date to June would be too low: it is not given."""
    values = "C,2017-04,10,,,,\nC,2017-06,30,,,,"
    row = _rows(
        tmp_path, "C,Calls,S,T,Local,count,,high,sum,monthly", values, "C,2017/18,1200,", "2017-06"
    ).loc["C"]
    assert row["pending"] and math.isnan(row["value"])
    assert row["note"] == "Year to date incomplete: figures for 2 of 3 months"
    assert row["rag"] == "Pending"


def test_a_year_row_is_the_years_total(tmp_path) -> None:
    values = "C,2017/18 Q1,60,,,,\nC,2017/18,500,,,,"
    row = _rows(
        tmp_path, "C,Calls,S,T,Local,count,,high,sum,quarterly", values, "C,2017/18,400,", "2017/18"
    ).loc["C"]
    assert (row["value"], row["target"], row["rag"]) == (500, 400, "Green")
    assert row["forecast_method"] == "outturn"


def test_mean_of_the_years_quarters_to_date(tmp_path) -> None:
    """Delayed transfers: the average quarter so far, (700 + 731 + 752) / 3 = 727.67 at Q3."""
    values = "D,2017/18 Q1,700,,,,\nD,2017/18 Q2,731,,,,\nD,2017/18 Q3,752,,,,"
    row = _rows(
        tmp_path, "D,Days,S,T,Local,days,,low,mean,quarterly", values, period="2017/18 Q3"
    ).loc["D"]
    assert row["value"] == pytest.approx((700 + 731 + 752) / 3)
    assert row["period_value"] == 752
    assert row["value_basis"] == "average to date"


def test_quarterly_measure_in_a_monthly_report_shows_its_last_quarter(tmp_path) -> None:
    values = "P,2017/18 Q1,55,,,,\nP,2017/18 Q2,57,,,,"
    rows = _rows(
        tmp_path, "P,Share,S,T,Local,percent,,high,last,quarterly", values, period="2017-11"
    )
    assert (rows.loc["P", "value"], rows.loc["P", "value_period"]) == (57, "2017/18 Q2")
    rows = _rows(
        tmp_path, "P,Share,S,T,Local,percent,,high,last,quarterly", values, period="2017-05"
    )
    assert rows.loc["P", "value_period"] == "2016/17 Q4"
    assert rows.loc["P", "note"] == "No figure for 2016/17 Q4"


def test_custom_quarterly_profile(tmp_path) -> None:
    """q:20,25,25,30 of 1,000: 200 at Q1, 450 at Q2; run-rate forecast 450 / 0.45 = 1,000."""
    values = "V,2017/18 Q1,190,,,,\nV,2017/18 Q2,260,,,,"
    row = _rows(
        tmp_path,
        "V,Visits,S,T,Local,count,,high,sum,quarterly",
        values,
        'V,2017/18,1000,"q:20,25,25,30"',
    ).loc["V"]
    assert row["target"] == pytest.approx(450)
    assert row["forecast"] == pytest.approx(450 / 0.45)
    assert row["forecast_method"] == "run rate"


def test_officer_forecast_takes_precedence(tmp_path) -> None:
    values = "V,2017/18 Q1,190,,,,\nV,2017/18 Q2,260,,,900,"
    row = _rows(
        tmp_path, "V,Visits,S,T,Local,count,,high,sum,quarterly", values, "V,2017/18,1000,"
    ).loc["V"]
    assert (row["forecast"], row["forecast_method"]) == (900, "officer forecast")
    assert row["value"] == 450  # rated on the year to date unless rag_on = forecast


def test_help_direct_run_rate(tmp_path) -> None:
    """17,135 contacts at the half year forecast 34,270 for the year."""
    values = "H,2012/13 Q1,8017,,,,\nH,2012/13 Q2,9118,,,,"
    row = _rows(
        tmp_path,
        "H,Contacts,S,T,Local,count,,high,sum,monthly",
        values,
        "H,2012/13,38000,",
        "2012/13 Q2",
    ).loc["H"]
    assert row["forecast"] == 34270


@pytest.mark.parametrize(
    ("profile", "month", "share"),
    [
        ("", 3, 0.25),
        ("linear", 7, 7 / 12),
        ("q:20,25,25,30", 6, 0.45),
        ("q:20,25,25,30", 4, 0.20 + 0.25 / 3),  # evenly within a quarter
        ("Q: 1, 1, 1, 1", 9, 0.75),  # weights are normalised; case and spaces do not matter
        ("m:" + ",".join(["1"] * 11 + ["13"]), 11, 11 / 24),
    ],
)
def test_profile_shares(profile: str, month: int, share: float) -> None:
    assert profile_shares(profile)[month] == pytest.approx(share)
    assert profile_shares(profile)[12] == 1.0


def test_profile_shares_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="not a profile"):
        profile_shares("q:1,2,3")
    with pytest.raises(ValueError, match="positive total"):
        profile_shares("q:0,0,0,0")


def test_incomplete_quarter_in_a_quarterly_report_says_so(tmp_path) -> None:
    """April and June without May: Q1 is pending, and the note says how much is there."""
    values = "C,2017-04,10,,,,\nC,2017-06,30,,,,"
    row = _rows(
        tmp_path,
        "C,Calls,S,T,Local,count,,high,sum,monthly",
        values,
        "C,2017/18,1200,",
        "2017/18 Q1",
    ).loc["C"]
    assert row["pending"] and row["note"] == "Year to date incomplete: figures for 2 of 3 months"


def test_a_quarter_row_covers_its_last_month(tmp_path) -> None:
    """Help Direct at September 2012: Q1 and Q2 rows cover April to September, so the year to
    date (17,135) is known although September alone is not."""
    values = "H,2012/13 Q1,8017,,,,\nH,2012/13 Q2,9118,,,,"
    row = _rows(
        tmp_path,
        "H,Contacts,S,T,Local,count,,high,sum,monthly",
        values,
        "H,2012/13,38000,",
        "2012-09",
    ).loc["H"]
    assert (row["value"], row["target"]) == (17135, 19000)
    assert math.isnan(row["period_value"])


def test_mean_counts_a_quarter_row_as_its_three_months(tmp_path) -> None:
    """A monthly mean measure given Q1 as a quarter (20) then July (30): (3 x 20 + 30) / 4."""
    values = "A,2017/18 Q1,20,,,,\nA,2017-07,30,,,,"
    rows = _rows(tmp_path, "A,Average,S,T,Local,days,,low,mean,monthly", values, period="2017-07")
    assert rows.loc["A", "value"] == pytest.approx(22.5)
    rows = _rows(tmp_path, "A,Average,S,T,Local,days,,low,mean,monthly", values, period="2017-06")
    assert rows.loc["A", "value"] == 20 and not rows.loc["A", "pending"]


def test_incomplete_mean_says_so(tmp_path) -> None:
    """Only Q2 of a quarterly mean: Q2's own figure is known, the year's average is not."""
    rows = _rows(tmp_path, "D,Days,S,T,Local,days,,low,mean,quarterly", "D,2017/18 Q2,700,,,,")
    assert rows.loc["D", "period_value"] == 700 and rows.loc["D", "pending"]
    assert rows.loc["D", "note"] == "Year to date incomplete: figures for 3 of 6 months"


def test_a_quarter_snapshot_is_its_last_months_figure(tmp_path) -> None:
    """A monthly snapshot measure given as a Q1 row: June shows it."""
    rows = _rows(
        tmp_path,
        "S,Snapshot,S,T,Local,percent,,high,last,monthly",
        "S,2017/18 Q1,64,,,,",
        period="2017-06",
    )
    assert (rows.loc["S", "value"], rows.loc["S", "pending"]) == (64, False)


def test_no_run_rate_before_any_of_the_profile_is_due(tmp_path) -> None:
    """q:0,1,1,1 and rated on forecast: at Q1 nothing was due, so there is no run rate yet."""
    folder = write_dataset(
        tmp_path / "data",
        {
            "measures.csv": f"{HEADER},rag_on\n"
            "V,Visits,S,T,Local,count,,high,sum,quarterly,forecast\n",
            "values.csv": "measure_id,period,value\nV,2017/18 Q1,10\n",
            "targets.csv": 'measure_id,year,target,profile\nV,2017/18,100,"q:0,1,1,1"\n',
        },
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["V"]
    assert row["ytd_value"] == 10 and math.isnan(row["forecast"])
    assert row["rag_reason"] == (
        "Pending: No year-end forecast yet: none of the year's target profile is due by 2017/18 Q1"
    )


def test_outturn_only_at_the_year_end(tmp_path) -> None:
    """m: with nothing due in March: February's forecast is still a run rate, not an outturn."""
    weights = ",".join(["1"] * 11 + ["0"])
    values = (
        "\n".join(f"V,2017-{m:02d},10,,,," for m in range(4, 13))
        + "\nV,2018-01,10,,,,\nV,2018-02,10,,,,"
    )
    rows = _rows(
        tmp_path,
        "V,Visits,S,T,Local,count,,high,sum,monthly",
        values,
        f'V,2017/18,110,"m:{weights}"',
        "2018-02",
    )
    assert rows.loc["V", "forecast_method"] == "run rate"
    assert rows.loc["V", "forecast"] == pytest.approx(110)


def test_the_base_at_the_years_end_is_the_years_as_at_every_other_quarter(tmp_path) -> None:
    """A ratio's base is its denominators to date: 10, 10 + 20, ... and at Q4 10 + 20 + 30 + 40 =
    100, which is below a min_base of 150, so Q4's Red is capped at Amber as Q1 to Q3's are; a
    monthly count's bases 1 to 12 sum to 78 by March. A year row's base is the year's."""
    folder = write_dataset(
        tmp_path / "data",
        {
            "measures.csv": f"{HEADER},min_base\n"
            "R,Reviews,S,T,Local,percent,,high,ratio,quarterly,150\n"
            "C,Calls,S,T,Local,count,,high,sum,monthly,\n"
            "Y,Visits,S,T,Local,percent,,high,ratio,quarterly,\n",
            "values.csv": "measure_id,period,value,numerator,denominator,base\n"
            + "".join(f"R,2017/18 Q{q},50,{5 * q},{10 * q},\n" for q in range(1, 5))
            + "".join(f"C,{2017 + (m > 9)}-{(m + 2) % 12 + 1:02d},5,,,{m}\n" for m in range(1, 13))
            + "".join(f"Y,2017/18 Q{q},50,{5 * q},{10 * q},\n" for q in range(1, 5))
            + "Y,2017/18,50,100,200,\n",
            "targets.csv": "measure_id,year,target\nR,2017/18,90\nC,2017/18,100\nY,2017/18,90\n",
        },
    )
    periods = [f"2017/18 Q{q}" for q in range(1, 5)]
    card = performance(load_dataset(folder), periods).set_index(["measure_id", "period"])
    assert [card.loc[("R", p), "base"] for p in periods] == [10, 30, 60, 100]
    assert [card.loc[("R", p), "rag"] for p in periods] == ["Amber"] * 4
    assert "base (100) is below 150" in card.loc[("R", "2017/18 Q4"), "rag_reason"]
    assert [card.loc[("C", p), "base"] for p in periods] == [6, 21, 45, 78]
    assert card.loc[("Y", "2017/18 Q4"), "base"] == 200


@settings(deadline=None, max_examples=300)
@given(st.data(), st.sampled_from([40, 5_000, 2_000_000]), st.integers(0, 20))
def test_the_groups_a_window_reads_are_numpy_unique(data, top: int, spare: int) -> None:
    """The engine narrows the grid to the groups its windows read by marking them (or, for a
    few keys spread over a national grid's range, sorting them): the same groups and positions
    as ``np.unique``, the reference, whichever way is taken."""
    groups = data.draw(st.lists(st.integers(0, top), max_size=60))
    g = np.array(groups, dtype=np.int64)
    expected_groups, expected_inverse = np.unique(g, return_inverse=True)
    found_groups, found_inverse = sorted_unique(g, top + 1 + spare)
    np.testing.assert_array_equal(found_groups, expected_groups)
    np.testing.assert_array_equal(found_inverse, expected_inverse.reshape(-1))
