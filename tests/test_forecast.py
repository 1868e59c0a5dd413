"""Year-end forecasts: officer forecast, run rate, outturn, latest figure (docs/method.md §8)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfnb.forecast import ForecastVerdict, forecast_verdict, year_end_forecast

NAN = np.nan


def forecast(agg, ytd, share, figure, officer=None, year_end=None, cumulative=None):
    """Calls year_end_forecast with plain lists as Series."""
    n = len(agg)
    officer = [NAN] * n if officer is None else officer
    return year_end_forecast(
        pd.Series(agg, dtype=object),
        pd.Series(ytd, dtype=float),
        pd.Series(share, dtype=float),
        pd.Series(figure, dtype=float),
        pd.Series(officer, dtype=float),
        None if year_end is None else pd.Series(year_end),
        cumulative=None if cumulative is None else pd.Series(cumulative),
    )


def test_help_direct_run_rate_at_q1_q2_and_october():
    """A count runs at its run rate: year to date over the share of a linear year elapsed."""
    # Q1: 8,017 / (3/12 = 0.25) = 32,068; Q2: 17,135 / 0.5 = 34,270;
    # October: 20,715 x 12/7 = 248,580 / 7 = 35,511.428571...
    ytd = [8_017, 17_135, 20_715]
    out = forecast(["sum"] * 3, ytd, [0.25, 0.5, 7 / 12], ytd)
    assert out["forecast"].tolist() == pytest.approx([32_068, 34_270, 35_511.428571])
    assert out["forecast_method"].tolist() == ["run rate"] * 3


def test_run_rate_under_a_custom_profile():
    """440 by Q2 under q:20,25,25,30 (0.45 due) forecasts 440 / 0.45 = 977.78."""
    # 440 / 0.45 = 44,000 / 45 = 977.777...
    out = forecast(["sum"], [440], [0.45], [440])
    assert out["forecast"].iloc[0] == pytest.approx(977.777778)


def test_officer_forecast_wins():
    """An officer's forecast is used as given, even for a count or with nothing due yet."""
    # ASCOF 2A pt 1: 10.1; a count with 0 share due still takes the officer's 500
    out = forecast(["ratio", "sum"], [7.3, 0], [0.25, 0.0], [7.3, 0], officer=[10.1, 500])
    assert out["forecast"].tolist() == pytest.approx([10.1, 500])
    assert out["forecast_method"].tolist() == ["officer forecast"] * 2


def test_other_measures_forecast_their_latest_figure():
    """A ratio, mean or last measure's forecast is its figure as reported, not a run rate."""
    out = forecast(["ratio", "mean", "last"], [58.0, 12.0, 3.0], [0.5] * 3, [58.0, 12.5, 4.0])
    assert out["forecast"].tolist() == pytest.approx([58.0, 12.5, 4.0])
    assert out["forecast_method"].tolist() == ["latest figure"] * 3


def test_year_end_count_is_its_outturn_and_before_it_a_run_rate():
    """At March/Q4 a count's forecast is its outturn; a full profile before then is a run rate."""
    # year end: 37,500 / 1 = 37,500 (outturn); Q3 of q:1,1,1,0 has all due: 300 / 1 = 300, run rate;
    # a ratio at the year end is still its latest figure
    out = forecast(
        ["sum", "sum", "ratio"],
        [37_500, 300, 80.0],
        [1.0, 1.0, 1.0],
        [37_500, 300, 81.0],
        year_end=[True, False, True],
    )
    assert out["forecast"].tolist() == pytest.approx([37_500, 300, 81.0])
    assert out["forecast_method"].tolist() == ["outturn", "run rate", "latest figure"]


def test_nothing_due_or_nothing_reported_gives_a_blank_forecast():
    """No run rate with none of the profile due; no forecast for a pending (NaN) figure."""
    # q:0,1,1,1 at Q1: share 0 -> blank; a pending count and a pending ratio -> blank
    out = forecast(["sum", "sum", "ratio"], [120, NAN, NAN], [0.0, 0.5, 0.5], [120, NAN, NAN])
    assert out["forecast"].isna().all()
    assert out["forecast_method"].tolist() == ["", "", ""]


def test_cumulative_overrides_the_aggregation():
    """A ytd rate marked cumulative runs at its targets' rate; an unmarked sum does not."""
    # 58.0% at Q2 with 56.52 of 95.20 due: 58.0 / (56.52 / 95.20) = 5,521.6 / 56.52 = 97.692852;
    # footfall 2.4m with 2.3m of 4.6m due: 2.4 / 0.5 = 4.8; an uncumulative sum keeps its 2.4
    share = [56.52 / 95.20, 2.3 / 4.6, 0.5]
    out = forecast(
        ["ytd", "ytd", "sum"],
        [58.0, 2.4, 2.4],
        share,
        [58.0, 2.4, 2.4],
        cumulative=[True, True, False],
    )
    assert out["forecast"].tolist() == pytest.approx([97.692852, 4.8, 2.4])
    assert out["forecast_method"].tolist() == ["run rate", "run rate", "latest figure"]


def test_result_keeps_the_rows_index():
    """The forecast frame is indexed like the input rows."""
    out = year_end_forecast(
        *(pd.Series(v, index=["a", "b"]) for v in (["sum", "last"], [5.0, 1.0], [0.5, 0.5])),
        pd.Series([5.0, 1.0], index=["a", "b"]),
        pd.Series([NAN, NAN], index=["a", "b"]),
    )
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "forecast"] == pytest.approx(10.0)  # 5 / 0.5


@given(
    ytd=st.floats(0, 1e7, allow_nan=False),
    months=st.integers(1, 12),
)
def test_run_rate_times_share_gives_back_the_year_to_date(ytd, months):
    """Under a linear profile, the run-rate forecast x share elapsed is the year to date."""
    share = months / 12
    out = forecast(["sum"], [ytd], [share], [ytd])
    assert out["forecast"].iloc[0] * share == pytest.approx(ytd, rel=1e-9, abs=1e-6)
    assert out["forecast_method"].iloc[0] == "run rate"


@pytest.mark.parametrize(
    ("forecast_value", "annual", "polarity", "expected"),
    [
        # Help Direct 2012/13: Q2 run rate 34,270 against 38,000; 34,270 - 38,000 = -3,730
        (34_270.0, 38_000.0, "high", ForecastVerdict(-3_730.0, False)),
        # 40,000 - 38,000 = +2,000: above a higher-is-better target meets it
        (40_000.0, 38_000.0, "high", ForecastVerdict(2_000.0, True)),
        # days to process: 12.5 - 14.0 = -1.5, below a lower-is-better target meets it
        (12.5, 14.0, "low", ForecastVerdict(-1.5, True)),
        (15.0, 14.0, "low", ForecastVerdict(1.0, False)),
        # exactly on the target meets it, either way round: 500 - 500 = 0
        (500.0, 500.0, "high", ForecastVerdict(0.0, True)),
        (500.0, 500.0, "low", ForecastVerdict(0.0, True)),
        # no direction is better: the gap (81 - 80 = 1), but no verdict
        (81.0, 80.0, "band", ForecastVerdict(1.0, None)),
        (81.0, 80.0, "none", ForecastVerdict(1.0, None)),
    ],
)
def test_forecast_verdict_against_the_annual_target(forecast_value, annual, polarity, expected):
    """The gap is forecast minus target in the measure's unit; it meets or beats the target by
    polarity, on the target counting as meeting it, and band or none gives no verdict."""
    assert forecast_verdict(forecast_value, annual, polarity) == expected


@pytest.mark.parametrize(
    ("forecast_value", "annual"), [(None, 38_000.0), (34_270.0, None), (NAN, 38_000.0), (1.0, NAN)]
)
def test_no_forecast_verdict_without_a_forecast_and_a_target(forecast_value, annual):
    """A blank forecast or annual target (None or NaN) has no verdict."""
    assert forecast_verdict(forecast_value, annual, "high") is None
