"""benchmark_positions on tiny hand-made frames: rank, quartile, median and averages by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from perfnb.benchmarking import BENCHMARK_COLUMNS, benchmark_positions

NAN = math.nan


def bench(*rows: tuple) -> pd.DataFrame:
    """The loader's benchmarks frame from (measure, year, area, value[, is_average])."""
    full = [(*r, False)[:5] for r in rows]
    return pd.DataFrame(
        {
            "measure_id": [r[0] for r in full],
            "year": [r[1] for r in full],
            "fy": [int(r[1][:4]) for r in full],
            "area": [r[2] for r in full],
            "value": [float(r[3]) for r in full],
            "is_average": [bool(r[4]) for r in full],
            "quartile": [NAN] * len(full),
        }
    )


def ask(*rows: tuple, index=None) -> pd.DataFrame:
    """The requests frame from (measure, report fy, polarity) rows, one decimal place."""
    return pd.DataFrame(
        {
            "measure_id": [r[0] for r in rows],
            "fy": [r[1] for r in rows],
            "polarity": [r[2] for r in rows],
            "decimals": [1] * len(rows),
        },
        index=index,
    )


# 2016/17: others 10, 20, 30, 50 and ours 15; England and the North West are averages
FIVE = bench(
    *[("M1", "2016/17", a, v) for a, v in [("A", 10), ("B", 20), ("C", 30), ("D", 50)]],
    ("M1", "2016/17", "Us", 15),
    ("M1", "2016/17", "North West", 22.5, True),
    ("M1", "2016/17", "England", 40, True),
)


@pytest.mark.parametrize(("polarity", "rank", "quartile"), [("high", 4, 4), ("low", 2, 2)])
def test_rank_and_quartile_by_polarity(polarity, rank, quartile) -> None:
    """Ranks 15 among 10, 20, 30, 50 each way round; median and averages as written."""
    # high: 50, 30, 20, 15 (4th of 5), ceil(4 x 4 / 5) = ceil(3.2) = 4
    # low: 10, 15 (2nd of 5), ceil(4 x 2 / 5) = ceil(1.6) = 2
    # the averages are not ranked (n is 5); the other four's median is (20 + 30) / 2 = 25;
    # averages by name, one decimal: "England 40.0; North West 22.5"
    row = benchmark_positions(FIVE, ask(("M1", 2017, polarity)), "Us").iloc[0]
    assert list(row.index) == BENCHMARK_COLUMNS
    assert (row["benchmark_year"], row["benchmark_value"]) == ("2016/17", 15.0)
    assert (row["rank"], row["n_compared"], row["quartile"]) == (rank, 5, quartile)
    assert row["comparator_median"] == pytest.approx(25.0)
    assert row["benchmark_averages"] == "England 40.0; North West 22.5"


def test_rank_exactly_on_a_quartile_edge() -> None:
    """4 x rank / n a whole number: the edge rank belongs to the better quarter."""
    # M1 high, 8 areas 80, 70 (us), 60, 50, 40, 30, 20, 10: 2nd, 4 x 2 / 8 = 1 -> quartile 1
    # M2 low, 8 areas 10, 20, 30, 40, 50, 60 (us), 70, 80: 6th, 4 x 6 / 8 = 3 -> quartile 3
    # M3 low, docs/method.md's ties: 10, 12 (us), 12, 15 rank 1, 2, 2, 4: 4 x 2 / 4 = 2 -> 2
    others = [10, 20, 30, 40, 50, 80]
    frame = bench(
        *[("M1", "2016/17", f"A{v}", v) for v in [*others, 60]],
        ("M1", "2016/17", "Us", 70),
        *[("M2", "2016/17", f"A{v}", v) for v in [*others, 70]],
        ("M2", "2016/17", "Us", 60),
        *[("M3", "2016/17", a, v) for a, v in [("X", 10), ("Y", 12), ("Z", 15), ("Us", 12)]],
    )
    requests = ask(("M1", 2016, "high"), ("M2", 2016, "low"), ("M3", 2016, "low"))
    out = benchmark_positions(frame, requests, "Us")
    assert out["rank"].tolist() == [2, 6, 2]
    assert out["n_compared"].tolist() == [8, 8, 4]
    assert out["quartile"].tolist() == [1, 3, 2]
    # others' medians: M1 10, 20, 30, 40, 50, 60, 80 and M2 10, 20, 30, 40, 50, 70, 80 have
    # 7 figures, the 4th is 40; M3's 10, 12, 15 -> 12
    assert out["comparator_median"].tolist() == pytest.approx([40.0, 40.0, 12.0])


def test_missing_figure_or_benchmark() -> None:
    """No figure of ours in 2017/18: 2016/17 is used; no benchmark at all: blanks."""
    # 2016/17 high: Us 5 > 3 > 2 > 1, 1st of 4, quartile ceil(4 / 4) = 1, others' median 2.
    # 2017/18 has no figure of ours, so a 2017/18 report falls back to 2016/17; a 2015/16
    # report has no benchmark year up to it, and M9 has no benchmarks: both blank.
    frame = bench(
        *[("M1", "2016/17", a, v) for a, v in [("A", 1), ("B", 2), ("C", 3), ("Us", 5)]],
        *[("M1", "2017/18", a, v) for a, v in [("A", 10), ("B", 20), ("C", 30), ("Us", NAN)]],
    )
    requests = ask(("M1", 2017, "high"), ("M9", 2017, "high"), ("M1", 2015, "high"))
    out = benchmark_positions(frame, requests, "Us")
    first = out.iloc[0]
    assert (first["benchmark_year"], first["benchmark_value"]) == ("2016/17", 5.0)
    assert (first["rank"], first["n_compared"], first["quartile"]) == (1, 4, 1)
    assert first["comparator_median"] == pytest.approx(2.0)
    for _, blank in out.iloc[1:].iterrows():
        assert blank["benchmark_year"] == "" and blank["benchmark_averages"] == ""
        assert blank[["benchmark_value", "rank", "n_compared", "quartile"]].isna().all()


@pytest.mark.parametrize("polarity", ["band", "none"])
def test_band_or_no_polarity_is_shown_not_ranked(polarity) -> None:
    """A band or no polarity: the year, figure and averages shown; rank to median blank."""
    row = benchmark_positions(FIVE, ask(("M1", 2016, polarity)), "Us").iloc[0]
    assert (row["benchmark_year"], row["benchmark_value"]) == ("2016/17", 15.0)
    assert row["benchmark_averages"] == "England 40.0; North West 22.5"
    assert row[["rank", "n_compared", "quartile", "comparator_median"]].isna().all()


def test_requests_with_their_own_index() -> None:
    """Results are aligned to requests whatever its index (the engine passes 0..n-1)."""
    # as in test_rank_and_quartile_by_polarity, high: 4th of 5, quartile 4
    out = benchmark_positions(FIVE, ask(("M1", 2017, "high"), index=[10]), "Us")
    assert list(out.index) == [10]
    assert (out.loc[10, "rank"], out.loc[10, "quartile"]) == (4, 4)
    # a named index, and a row before the year has a benchmark (2015: blank): rows by position
    named = ask(("M1", 2015, "high"), ("M1", 2017, "high"), index=pd.Index([7, 3], name="row"))
    out = benchmark_positions(FIVE, named, "Us")
    assert list(out.index) == [7, 3]
    assert np.isnan(out.loc[7, "rank"]) and out.loc[3, "rank"] == 4


def test_our_rows_note_is_carried() -> None:
    """benchmarks.csv's note of our row for the year used (TBC: the quartile awaited) is
    ``benchmark_note``; another area's note, or another year's, is not; no note column: ''."""
    # M1 2016/17: Us 15 with TBC among 10, 20, 30, 50 (high: 4th of 5, quartile 4, as above);
    # A's note is not ours. M2: Us in 2015/16 (note "old") and 2016/17 (no note): 2016/17 is
    # used, so the note is blank.
    frame = pd.concat(
        [
            FIVE.assign(note=np.where(FIVE["area"] == "Us", "TBC", "")),
            bench(("M2", "2015/16", "Us", 1), ("M2", "2016/17", "Us", 2)).assign(note=["old", ""]),
        ],
        ignore_index=True,
    )
    frame.loc[frame["area"] == "A", "note"] = "not ours"
    out = benchmark_positions(frame, ask(("M1", 2017, "high"), ("M2", 2017, "high")), "Us")
    assert out["benchmark_note"].tolist() == ["TBC", ""]
    assert (out.loc[0, "rank"], out.loc[0, "quartile"]) == (4, 4)
    plain = benchmark_positions(FIVE, ask(("M1", 2017, "high")), "Us")
    assert plain["benchmark_note"].tolist() == [""]
    assert benchmark_positions(FIVE, ask(("M9", 2017, "high")), "Us")["benchmark_note"][0] == ""
