"""SPC for the sample's measures: each measure's own figures as its series, and the variation
and assurance the scorecard shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLE
from perfnb import load_dataset, parse_period, performance
from perfnb.measure_spc import measure_spc, spc_history

REFERENCE = json.loads((Path(__file__).parent / "data" / "nhsrplotthedots.json").read_text())


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


def test_a_monthly_measure_is_its_months(sample) -> None:
    """A&E's series are its 15 months, April 2016 to June 2017: attendances as counted, and the
    four-hour figure each month's own percentage, the package's ae_attendances figures."""
    history = spc_history(sample, parse_period("2017/18 Q1"), ["Urgent and Emergency Care"])
    four_hour = history[history["measure_id"] == "AE-4HR"]
    assert four_hour["period"].tolist()[0] == "2016-04"
    assert four_hour["period"].tolist()[-1] == "2017-06"
    assert four_hour["value"].tolist() == pytest.approx(
        [v * 100 for v in REFERENCE["cases"]["D"]["values"][:15]], abs=1e-9
    )
    attendances = history[history["measure_id"] == "AE-ATTEND"]
    assert attendances["value"].tolist() == REFERENCE["cases"]["A"]["values"][:15]


def test_a_quarterly_measure_is_its_quarters_up_to_the_period(sample) -> None:
    """ASCOF-2D has quarters from 2015/16 Q1: nine by 2017/18 Q1, two fewer at 2016/17 Q3."""
    history = spc_history(sample, parse_period("2016/17 Q3"), ["Adult Social Care"])
    periods = history.loc[history["measure_id"] == "ASCOF-2D", "period"].tolist()
    assert periods == [
        "2015/16 Q1",
        "2015/16 Q2",
        "2015/16 Q3",
        "2015/16 Q4",
        "2016/17 Q1",
        "2016/17 Q2",
        "2016/17 Q3",
    ]


def test_variation_assurance_and_notes(sample) -> None:
    period = parse_period("2017/18 Q1")
    card = performance(sample, [period])
    found = measure_spc(spc_history(sample, period), card)
    rows = found.card.set_index("measure_id")
    assert rows.loc["AE-4HR", ["spc_points", "variation", "assurance"]].tolist() == [
        15,
        "Common cause",
        "Target never met",
    ]
    assert rows.loc["AE-ATTEND", "spc_note"] == "no assurance: neither higher nor lower is better"
    assert rows.loc["ASCOF-2D", ["spc_points", "variation", "spc_note"]].tolist() == [
        9,
        "",
        "9 quarterly figures: SPC needs 13",
    ]
    assert rows.loc["ASCOF-4B", "spc_note"] == "2 annual figures: SPC needs 13"
    assert set(found.results) == {"AE-4HR", "AE-ATTEND"}
    assert found.targets == {"AE-4HR": 95.0, "AE-ATTEND": None}
    result = found.results["AE-4HR"]
    # the four-hour standard (95%) lies above the upper process limit: never met
    assert result["upl"].iloc[-1] < 95
    assert result.loc[result["point_type"] == "special_cause_concern", "period"].tolist() == [
        "2016-12",
        "2017-01",
    ]


def test_annual_counts_get_assurance_and_old_series_no_icon(tiny) -> None:
    """A yearly count's target is a target for each of its points: 17 years of 100 or 110
    (mean 1780 / 17 = 104.7, every moving range 10, so the lower limit is 104.7 - 26.6 = 78.1)
    against a target of 70, below that limit, is always met. A monthly series that stopped in
    May 2015 gives no icon in a 2017/18 Q1 report."""
    years = [f"{y}/{str(y + 1)[2:]}" for y in range(2000, 2017)]
    months = [f"2014-{m:02d}" for m in range(1, 13)] + [f"2015-{m:02d}" for m in range(1, 6)]
    folder = tiny(
        measures=[
            ("", "YEARLY,Visits,Help Desk,Access,Local,count,high,sum,annual"),
            ("", "OLD,Calls,Help Desk,Access,Local,count,high,sum,monthly"),
        ],
        values=[("", f"YEARLY,{y},{100 + 10 * (i % 2)},") for i, y in enumerate(years)]
        + [("", f"OLD,{m},{50 + (i % 3)},") for i, m in enumerate(months)],
        targets=[("", "YEARLY,2017/18,70,,")],
    )
    data = load_dataset(folder)
    period = parse_period("2017/18 Q1")
    card = performance(data, [period])
    found = measure_spc(spc_history(data, period), card).card.set_index("measure_id")
    assert found.loc["YEARLY", ["spc_points", "variation", "assurance"]].tolist() == [
        17,
        "Common cause",
        "Target always met",
    ]
    result = measure_spc(spc_history(data, period), card).results["YEARLY"]
    mean = (9 * 100 + 8 * 110) / 17
    assert result.loc[0, "mean"] == pytest.approx(mean)
    assert result.loc[0, "lpl"] == pytest.approx(mean - 2.66 * 10)  # every moving range 10
    assert found.loc["OLD", ["spc_points", "variation", "spc_note"]].tolist() == [
        17,
        "",
        "no figure since 2015-05",
    ]


def test_a_measures_series_is_its_figures_as_the_engine_gives_them(sample) -> None:
    """``period_figures`` (what SPC reads) gives each measure's figure and status for each
    period exactly as the full engine does, without working out the rest of the card."""
    from perfnb.period_figures import period_figures

    periods = ["2016/17 Q3", "2016-12", "2017-04", "2016/17", "2017/18 Q1"]
    ids = sample.measures["measure_id"].tolist()
    lean = period_figures(sample, periods, ids[::-1])  # in catalogue order whatever asked
    full = performance(sample, periods)[["measure_id", "period", "period_value", "period_status"]]
    assert lean["measure_id"].tolist() == full["measure_id"].tolist()
    assert lean["period"].tolist() == full["period"].tolist()
    assert lean["period_status"].tolist() == full["period_status"].tolist()
    assert lean["period_value"].equals(full["period_value"])


def test_spc_is_the_same_worked_out_a_few_measures_and_points_at_a_time(
    sample, monkeypatch
) -> None:
    """The scorecard charts its measures a batch at a time, and each batch of series in
    parts of a few points (a national data set's 8 million points): the same columns as all
    at once; a card alone (``charts=False``) keeps no chart."""
    from perfnb.scorecard import build_scorecard

    period = parse_period("2017/18 Q1")
    whole = build_scorecard(sample, period)
    history = spc_history(sample, period)
    card = performance(sample, [period])
    charted = measure_spc(history, card)
    monkeypatch.setattr("perfnb.scorecard._SPC_MEASURES", 3)
    monkeypatch.setattr("perfnb.measure_spc._BATCH_POINTS", 20)
    assert build_scorecard(sample, period).equals(whole)
    alone = measure_spc(history, card, charts=False)
    assert alone.card.equals(charted.card)
    assert alone.results == {} and alone.targets == {}
    assert measure_spc(history, card).card.equals(charted.card)
    assert (charted.card["variation"] != "").sum() >= 2  # some measures are charted
