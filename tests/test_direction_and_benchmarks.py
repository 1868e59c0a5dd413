"""Direction of travel on hand-worked pairs, and benchmark quartiles on real published data."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from perfnb import load_dataset, performance
from perfnb.direction import direction_of_travel
from perfnb.tolerances import DEFAULT_DOT_STABLE, with_default

TRAFFORD = Path(__file__).parent / "data" / "trafford"
NAN = math.nan


def direction(now, then, polarity="high", unit="count", stable="", low=NAN, high=NAN) -> str:
    units = pd.Series([unit])
    return direction_of_travel(
        pd.Series([now]),
        pd.Series([then]),
        pd.Series([polarity]),
        with_default(pd.Series([stable]), units, DEFAULT_DOT_STABLE),
        pd.Series([low]),
        pd.Series([high]),
    ).iloc[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((101, 100), "stable"),  # 1% of 100: on the boundary, stable
        ((101.5, 100), "improving"),
        ((98, 100), "declining"),
        ((98, 100, "low"), "improving"),
        ((80.5, 80, "high", "percent"), "stable"),  # 0.5 points
        ((80.6, 80, "high", "percent"), "improving"),
        ((80.6, 80, "high", "percent", "1"), "stable"),  # stable within 1 point
        ((790, 744, "low", "days", "10%"), "stable"),  # 46 days is within 74.4
        ((10.9, 9.0, "band", "percent", "", 5, 9), "declining"),  # left the band
        ((9.5, 10.9, "band", "percent", "", 5, 9), "improving"),  # nearer the band
        ((6, 8, "band", "percent", "", 5, 9), "stable"),  # inside the band both times
        ((83800, 98800, "none"), "down"),
        ((100, 100.5, "none"), "same"),
        ((NAN, 100), ""),
        ((100, NAN), ""),
        ((1, 0), "improving"),  # from zero, a relative tolerance is zero
    ],
)
def test_direction(args, expected) -> None:
    assert direction(*args) == expected


# -- benchmarks: ASCOF 2A(2), Trafford and its NHS England peer group (real published data) -----


@pytest.fixture(scope="module")
def trafford():
    return load_dataset(TRAFFORD)


def test_trafford_2017_18_rank_and_quartile(trafford) -> None:
    """2017/18, lower is better. The 15 councils with a figure (Stockport's is not published),
    best first: Sutton 204.2, Barnet 261.6, Croydon 280.2, Bromley 288.1, Richmond 328.1,
    Windsor and Maidenhead 343.5, Merton 358.8, Kingston 395.9, Bexley 465.3, Havering 521.3,
    Solihull 589.1, Hillingdon 648.6, Bracknell Forest 661.5, Trafford 677, Bury 972.
    Trafford is 14th of 15: quartile ceil(4 x 14 / 15) = 4. The other 14's median is
    (358.8 + 395.9) / 2 = 377.35. England's 585.6 is shown, not ranked."""
    row = performance(trafford, "2017/18").iloc[0]
    assert (row["benchmark_year"], row["benchmark_value"]) == ("2017/18", 677.0)
    assert (row["rank"], row["n_compared"], row["quartile"]) == (14, 15, 4)
    assert row["comparator_median"] == pytest.approx(377.35)
    assert row["benchmark_averages"] == "England 585.6"


def test_trafford_2014_15_with_the_peer_average(trafford) -> None:
    """2014/15: Trafford's 543 among 16. The Data Lab's 'similar authorities average' (496.6)
    is the mean of the 15 peers, and is shown beside England's 658.5."""
    bench = trafford.benchmarks
    year = bench[(bench["year"] == "2014/15") & ~bench["is_average"]]
    peers = year[year["area"] != "Trafford"]["value"]
    assert len(peers) == 15 and round(peers.mean(), 1) == 496.6
    row = performance(trafford, "2014/15").iloc[0]
    better = (peers < 543).sum()
    assert row["rank"] == better + 1
    assert row["n_compared"] == 16
    assert row["quartile"] == math.ceil(4 * (better + 1) / 16)
    assert row["benchmark_averages"] == (
        "England 658.5; Similar authorities average (NHS England NNPG 15 LAs) 496.6"
    )


def test_latest_benchmark_year_up_to_the_report(trafford) -> None:
    """A report in 2024/25 ranks on the latest published year, 2023/24."""
    row = performance(trafford, "2024/25 Q2").iloc[0]
    assert row["benchmark_year"] == "2023/24"


def test_higher_is_better_ranks_the_other_way(trafford) -> None:
    """Flip the polarity: Trafford's 677 is then 2nd of 15 in 2017/18 (only Bury is higher)."""
    trafford.measures = trafford.measures.assign(polarity="high")
    try:
        row = performance(trafford, "2017/18").iloc[0]
    finally:
        trafford.measures = trafford.measures.assign(polarity="low")
    assert (row["rank"], row["quartile"]) == (2, 1)


def test_ties_share_the_better_rank(tmp_path) -> None:
    from conftest import TINY, write_dataset

    folder = write_dataset(
        tmp_path / "d",
        dict(TINY)
        | {
            "benchmarks.csv": "measure_id,year,area,value,is_average,quartile\n"
            "M2,2016/17,Us,50,,\nM2,2016/17,A,50,,\nM2,2016/17,B,60,,\nM2,2016/17,C,40,,\n"
            "M2,2016/17,England,45,yes,\n",
            "dataset.toml": 'area = "Us"\n',
        },
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["M2"]
    # higher is better: B 60 first, then Us and A tied at 50 (both 2nd), then C
    assert (row["rank"], row["n_compared"], row["quartile"]) == (2, 4, 2)
    assert row["comparator_median"] == 50  # of A, B and C
    assert row["benchmark_averages"] == "England 45.0"


def test_publishers_quartile_wins(tmp_path) -> None:
    from conftest import TINY, write_dataset

    folder = write_dataset(
        tmp_path / "d",
        dict(TINY)
        | {
            "benchmarks.csv": "measure_id,year,area,value,quartile\n"
            "M2,2016/17,Us,50,1\nM2,2016/17,A,60,\n",
            "dataset.toml": 'area = "Us"\n',
        },
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["M2"]
    assert (row["rank"], row["quartile"]) == (2, 1)


def test_benchmarks_without_an_area_warn(tmp_path) -> None:
    from conftest import TINY, write_dataset

    folder = write_dataset(
        tmp_path / "d",
        dict(TINY) | {"benchmarks.csv": "measure_id,year,area,value\nM2,2016/17,Us,50\n"},
    )
    data = load_dataset(folder)
    assert [str(w) for w in data.warnings] == [
        "dataset.toml: has no area, so benchmarks.csv cannot rank this council; add a line "
        'such as area = "Trafford" naming it as benchmarks.csv does'
    ]
    assert performance(data, "2017/18 Q1")["rank"].isna().all()


def test_band_without_a_band_has_no_direction() -> None:
    assert direction(15, 5, "band", "percent") == ""


def test_each_figure_is_judged_against_its_own_band() -> None:
    """A count on profile both quarters (100 in 100-120 at Q1, 200 in 200-240 at Q2) is stable."""
    result = direction_of_travel(
        pd.Series([200.0]),
        pd.Series([100.0]),
        pd.Series(["band"]),
        pd.Series(["1%"]),
        pd.Series([200.0]),
        pd.Series([240.0]),
        pd.Series([100.0]),
        pd.Series([120.0]),
    )
    assert result.iloc[0] == "stable"


def test_relative_stability_is_a_share_of_the_earlier_figure() -> None:
    """10% of the earlier 100 is 10: 109 is stable; 10% of 109 would also let 110.5 through."""
    assert direction(109, 100, "high", "count", "10%") == "stable"
    assert direction(110.5, 100, "high", "count", "10%") == "improving"


def test_no_quartile_among_fewer_than_four(tmp_path) -> None:
    """Ranked 1st of 1 is not the best (or worst) quarter of anything: the quartile is blank."""
    from conftest import TINY, write_dataset

    folder = write_dataset(
        tmp_path / "d",
        dict(TINY)
        | {
            "benchmarks.csv": "measure_id,year,area,value\nM2,2016/17,Us,50\n",
            "dataset.toml": 'area = "Us"\n',
        },
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["M2"]
    assert (row["rank"], row["n_compared"]) == (1, 1) and math.isnan(row["quartile"])


# -- the sample's benchmarks.csv: published figures only, each traced to its source ----------


def test_sample_benchmarks_are_the_published_figures() -> None:
    """Every row of data/sample/benchmarks.csv is a published figure: the Trafford peer
    group's rows are tests/data/trafford/benchmarks.csv's, figure and source, row for row;
    Leicestershire's are seed 004's 2016/17 figures, the same as the sample's own 2016/17
    outturn in values.csv (the survey's 2016/17 row, the Q4 2016/17 outturn row, or for the
    admissions rates the sum of 2016/17's quarters: 7.1 and 633.5), each with seed 004's
    quartile note TBC."""
    sample = Path(__file__).parent.parent / "data" / "sample"
    bench = pd.read_csv(sample / "benchmarks.csv", dtype=str, keep_default_na=False)
    ours = bench[bench["area"] == "Leicestershire"]
    peers = bench[bench["area"] != "Leicestershire"].reset_index(drop=True)
    published = pd.read_csv(TRAFFORD / "benchmarks.csv", dtype=str, keep_default_na=False)
    assert (peers["measure_id"] == "ASCOF-2A2").all()
    columns = ["year", "area", "value", "is_average", "source"]
    assert peers[columns].equals(published[columns])
    assert set(ours["note"]) == {"TBC"} and set(ours["year"]) == {"2016/17"}
    assert ours["source"].str.startswith("seed 004").all()
    values = pd.read_csv(sample / "values.csv")
    for measure_id, figure in zip(ours["measure_id"], ours["value"].astype(float), strict=True):
        rows = values[values["measure_id"] == measure_id]
        year = rows[rows["period"] == "2016/17"]["value"]
        q4 = rows[rows["period"] == "2016/17 Q4"]["value"]
        if measure_id in ("ASCOF-2A1", "ASCOF-2A2"):  # each quarter's own rate: the year's sum
            quarters = rows[rows["period"].str.startswith("2016/17 Q")]["value"]
            assert quarters.sum() == pytest.approx(figure), measure_id
        else:
            assert (year if len(year) else q4).tolist() == [figure], measure_id
