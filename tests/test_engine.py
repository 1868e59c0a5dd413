"""The engine reproduces the seed reports' own figures and ratings from the sample data."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conftest import SAMPLE
from perfnb import load_dataset, performance


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def q1(sample):
    """The sample's 2017/18 Q1 rows for every measure, indexed by measure."""
    return performance(sample, "2017/18 Q1").set_index("measure_id")


def _percent(x: float) -> int:
    """Rounded to a whole per cent as seed 000 prints it (half away from zero)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


# Seed 000's table: annual target, then per quarter target, actual (year to date), % variance.
SEED_000 = [
    ("HD-CONTACTS", "2012/13 Q1", 38000, 9500, 8017, -16),
    ("HD-CONTACTS", "2012/13 Q2", 38000, 19000, 17135, -10),
    ("HD-ISSUES", "2012/13 Q1", 52000, 13000, 10641, -18),
    ("HD-ISSUES", "2012/13 Q2", 52000, 26000, 23652, -9),
]


@pytest.mark.parametrize(("measure", "period", "annual", "target", "actual", "pct"), SEED_000)
def test_seed_000_table(sample, measure, period, annual, target, actual, pct) -> None:
    """Profiled targets, year-to-date actuals and % variance exactly as seed 000 prints them."""
    row = performance(sample, period, ["Help Direct"]).set_index("measure_id").loc[measure]
    assert row["annual_target"] == annual
    assert row["target"] == target
    assert row["value"] == actual
    assert row["ytd_value"] == actual
    assert _percent(row["variance_pct"]) == pct
    assert row["variance"] == actual - target


def test_seed_000_discrete_quarter(sample) -> None:
    """Q2's own figure is beside the year to date: 17,135 - 8,017 = 9,118 contacts."""
    rows = performance(sample, "2012/13 Q2", ["Help Direct"]).set_index("measure_id")
    assert rows.loc["HD-CONTACTS", "period_value"] == 9118
    assert rows.loc["HD-ISSUES", "period_value"] == 13011


def test_seed_000_october(sample) -> None:
    """Seed 000's conclusion: in October the deficit is 7% for contacts and 3% for issues.

    Year to date to October: contacts 8,017 + 9,118 + 3,580 = 20,715 against 38,000 x 7/12 =
    22,166.67 (-6.5%); issues 10,641 + 13,011 + 5,736 = 29,388 against 52,000 x 7/12 = 30,333.33
    (-3.1%).
    """
    rows = performance(sample, "2012-10", ["Help Direct"]).set_index("measure_id")
    contacts, issues = rows.loc["HD-CONTACTS"], rows.loc["HD-ISSUES"]
    assert contacts["value"] == 20715 and issues["value"] == 29388
    assert contacts["period_value"] == 3580 and issues["period_value"] == 5736
    assert contacts["target"] == pytest.approx(38000 * 7 / 12)
    assert issues["target"] == pytest.approx(52000 * 7 / 12)
    assert _percent(contacts["variance_pct"]) == -7
    assert _percent(issues["variance_pct"]) == -3
    assert contacts["variance_pct"] == pytest.approx(
        (20715 - 38000 * 7 / 12) / (38000 * 7 / 12) * 100
    )


# Seed 004's RAG column. Its N/A covers both unrated measures and surveys not yet out; perfnb
# says Pending for the latter.
SEED_004_RAG = {
    "SEQ-PREVENT": "Green",
    "ASCOF-3D1": "N/A",
    "ASCOF-3D2": "N/A",
    "HERITAGE-VISITS": "Green",
    "VOLUNTEER-HOURS": "Green",
    "LIB-VISITS": "Amber",
    "LIB-ISSUES": "Green",
    "LIB-COMMUNITY-ISSUES": "N/A",
    "LIB-CHILD-ISSUES": "Amber",
    "LIB-COMMUNITY-CHILD-ISSUES": "N/A",
    "LIB-ELOANS": "Green",
    "LALS-SUCCESS": "Green",
    "SEQ-REDUCE": "Green",
    "ASCOF-1I1": "N/A",
    "ASCOF-1I2": "N/A",
    "ASCOF-1G": "Green",
    "ASCOF-1E": "Green",
    "SEQ-DELAY": "Green",
    "DTOC-ASC": "N/A",
    "ASCOF-2D": "Amber",
    "ASCOF-2B1": "Amber",
    "ASCOF-2A1": "Amber",
    "ASCOF-2A2": "Green",
    "SEQ-MEET": "Amber",
    "ASCOF-1C1A": "Amber",
    "ASCOF-1C2A": "Green",
    "ASCOF-1C1B": "Green",
    "ASCOF-1C2B": "Amber",
    "SG-OUTCOMES": "Green",
    "ASCOF-4B": "N/A",
}


@pytest.mark.parametrize(("measure", "seed_rag"), SEED_004_RAG.items())
def test_seed_004_rag_column(q1, measure: str, seed_rag: str) -> None:
    """Every measure of seed 004 gets the report's own rating from the sample's tolerances."""
    row = q1.loc[measure]
    if seed_rag == "N/A" and row["pending"] and not math.isnan(row["annual_target"]):
        # a survey not yet out: pending with the seed's own words for when it is due
        assert row["rag"] == "Pending"
        assert row["rag_reason"] == "Pending: Due May-18"
    else:
        assert row["rag"] == seed_rag, row["rag_reason"]
    assert not row["overridden"]


def test_seed_004_every_measure_is_covered(q1) -> None:
    others = {"HD-CONTACTS", "HD-ISSUES", "AE-ATTEND", "AE-4HR"}  # seed 000, ae_attendances
    assert set(SEED_004_RAG) == set(q1.index) - others


@pytest.mark.parametrize(
    ("measure", "reason"),
    [
        ("LIB-VISITS", "Amber: within 10% of target (-4.7%)"),
        ("ASCOF-1G", "Green: within 0.5 points of target (-0.1 points)"),
        ("ASCOF-2D", "Amber: within 5% of target (-2.6 points, -3.3% of target)"),
        ("SEQ-MEET", "Amber: within 2 points of the band 5 to 9% (1.9 points above)"),
        ("SEQ-PREVENT", "Green: inside the band 59 to 63%"),
        ("ASCOF-2A2", "Green: year-end forecast meets or beats target (-11.1%)"),
        (
            "ASCOF-2A1",
            "Amber: year-end forecast more than 5% from target (+65.6%); capped at Amber "
            "because the base (11) is below 20 (small numbers)",
        ),
        ("DTOC-ASC", "N/A: no target for 2017/18 (TBC)"),
        ("ASCOF-4B", "Pending: Due May-18"),
        ("LIB-COMMUNITY-ISSUES", "N/A: not rated, as neither higher nor lower is better"),
    ],
)
def test_rag_reasons_say_how(q1, measure: str, reason: str) -> None:
    """Each rating says how it was reached, with the variance the tolerance is read in."""
    assert q1.loc[measure, "rag_reason"] == reason


def test_forecast_measures_show_the_forecast(q1) -> None:
    """ASCOF 2A is rated on the officer's full-year forecast, against the year-end target."""
    row = q1.loc["ASCOF-2A1"]
    assert (row["value"], row["forecast"], row["forecast_method"]) == (
        10.1,
        10.1,
        "officer forecast",
    )
    assert row["value_basis"] == "full year forecast"
    assert row["target"] == row["annual_target"] == 6.1
    assert row["ytd_value"] == 2.64  # the year-to-date position is still there
    assert row["variance"] == pytest.approx(4.0)
    assert row["rag_computed"] == "Amber" and row["base"] == 11


@pytest.mark.parametrize(
    ("measure", "direction", "compared_with", "earlier"),
    [
        ("ASCOF-2D", "declining", "2016/17 Q4", 80.2),  # 77.4 vs 80.2: -2.8 points
        ("ASCOF-2B1", "stable", "2016/17 Q4", 86.5),  # -0.3 points, within 0.5
        ("ASCOF-1E", "stable", "2016/17 Q4", 11.1),  # +0.5 points: on the boundary
        ("ASCOF-2A1", "declining", "2016/17 Q4", 7.1),  # 10.1 forecast vs 7.1; lower is better
        ("ASCOF-2A2", "improving", "2016/17 Q4", 633.5),
        ("DTOC-ASC", "declining", "2016/17 Q4", 744.0),  # 780 vs the 16/17 average quarter
        ("LIB-VISITS", "declining", "2016/17 Q1", 262100.0),  # Q1 on Q1: seasonal
        ("LIB-ELOANS", "improving", "2016/17 Q1", 16900.0),
        ("SEQ-MEET", "declining", "2016/17 Q4", 9.0),  # 9.0 was in the band, 10.9 is not
        ("LALS-SUCCESS", "improving", "2015/16", 92.0),  # academic years 16/17 vs 15/16
        ("LIB-COMMUNITY-ISSUES", "down", "2016/17 Q1", 98800.0),  # no polarity
    ],
)
def test_direction_of_travel(q1, measure, direction, compared_with, earlier) -> None:
    """Seed 004's comparisons: its 16/17 column is what each measure is compared with."""
    row = q1.loc[measure]
    assert row["direction"] == direction
    assert row["compared_with"] == compared_with
    compared = row["last_year_value"] if row["dot_basis"] == "last_year" else row["previous_value"]
    assert compared == pytest.approx(earlier)


def test_columns_of_the_done_criteria(q1) -> None:
    """scorecard.csv carries every column the engine issue names."""
    wanted = [
        "period_value",
        "ytd_value",
        "value",
        "target",
        "annual_target",
        "variance",
        "variance_pct",
        "variance_pp",
        "rag",
        "rag_computed",
        "rag_reason",
        "direction",
        "previous_value",
        "last_year_value",
        "forecast",
        "forecast_method",
        "rank",
        "n_compared",
        "quartile",
    ]
    assert set(wanted) <= set(q1.columns)


def test_variance_pp_only_for_percentages(q1) -> None:
    assert q1.loc["ASCOF-2D", "variance_pp"] == pytest.approx(-2.6)
    assert q1.loc["ASCOF-2D", "variance_pct"] == pytest.approx(-3.25)
    assert math.isnan(q1.loc["LIB-VISITS", "variance_pp"])


def test_many_periods_at_once_match_one_at_a_time(sample) -> None:
    """Asking for several periods gives the same rows as asking for each alone."""
    periods = ["2016/17 Q4", "2017/18 Q1", "2012/13 Q2", "2012-10"]
    together = performance(sample, periods)
    apart = pd.concat([performance(sample, p) for p in periods], ignore_index=True)
    pd.testing.assert_frame_equal(together, apart)


def test_the_engine_leaves_arrows_memory_pool_as_it_found_it(sample) -> None:
    """The engine allocates from the system's allocator while it works (engine_text's
    system_arrow_memory) and puts Arrow's default back, after an error too."""
    import pyarrow as pa

    from perfnb import PeriodError

    before = pa.default_memory_pool().backend_name
    card = performance(sample, "2017/18 Q1")
    assert pa.default_memory_pool().backend_name == before
    with pytest.raises(PeriodError):
        performance(sample, "not a period")
    assert pa.default_memory_pool().backend_name == before
    assert card["rag_reason"].str.len().gt(0).all()  # its text outlives the pool it came from


def test_the_engine_leaves_numpys_huge_page_setting_as_it_found_it(sample, monkeypatch) -> None:
    """numpy asks for no huge pages while the engine works (raw_table's small_pages), and
    asks for them again after it, as it did before, an error or not."""
    import numpy as np

    from perfnb import PeriodError

    multiarray = getattr(np, "_core", None) and np._core.multiarray
    if not hasattr(multiarray, "_set_madvise_hugepage"):
        pytest.skip("this numpy has no huge page switch (numpy 2 has)")
    original = multiarray._get_madvise_hugepage()
    seen = []
    monkeypatch.setattr(
        "perfnb.engine._performance",
        lambda *args: seen.append(multiarray._get_madvise_hugepage()) or pd.DataFrame(),
    )
    for setting in (True, False):
        multiarray._set_madvise_hugepage(setting)
        performance(sample, "2017/18 Q1")
        assert multiarray._get_madvise_hugepage() is setting
    monkeypatch.undo()
    multiarray._set_madvise_hugepage(True)
    with pytest.raises(PeriodError):
        performance(sample, "not a period")
    assert multiarray._get_madvise_hugepage() is True
    assert seen == [False, False]
    multiarray._set_madvise_hugepage(original)


@pytest.mark.parametrize(
    "step", ["perfnb.judging.rated_columns", "perfnb.judging.direction_columns"]
)
def test_an_error_on_the_engines_second_thread_is_raised_by_performance(
    sample, monkeypatch, step
) -> None:
    """A chunk's judging (its rating and its direction of travel) is worked out on a second
    thread: an error there reaches the caller as it was raised (no hang, no card without its
    columns), and the next call works."""
    import threading

    def broken(*args, **kwargs):
        raise RuntimeError(f"broken on {threading.current_thread().name}")

    monkeypatch.setattr(step, broken)
    with pytest.raises(RuntimeError, match="broken on perfnb-rating"):
        performance(sample, ["2016/17 Q4", "2017/18 Q1"])
    monkeypatch.undo()
    assert len(performance(sample, "2017/18 Q1")) > 0


def test_the_values_measures_read_as_codes_or_as_text_give_the_same_card(sample) -> None:
    """The loader keeps ``values.csv``'s measure_id as a categorical and the grid reads its
    codes as they are; a frame whose measure_id is plain text, or a categorical whose
    categories are in another order with one no row uses, gives the same card."""
    import dataclasses

    periods = ["2016/17 Q2", "2016/17 Q4", "2017/18 Q1"]
    ids = sample.values["measure_id"]
    as_text = sample.values.assign(measure_id=ids.astype(str))
    categories = [*sorted(ids.cat.categories, reverse=True), "NOT-A-MEASURE"]
    reordered = sample.values.assign(
        measure_id=pd.Categorical(ids.astype(str), categories=categories)
    )
    expected = performance(dataclasses.replace(sample, values=as_text), periods)
    for values in (sample.values, reordered):
        card = performance(dataclasses.replace(sample, values=values), periods)
        pd.testing.assert_frame_equal(card, expected)


def test_a_categoricals_codes_are_the_grids_measures() -> None:
    """Worked by hand: rows B, A, B of categories [A, B, C] are codes 1, 0, 1 into A, B (C,
    which no row has, left out); rows C, A of [A, B, C] are 1, 0 into A, C; as text they are
    numbered as they come (B 0, A 1); a missing id is factorized too."""
    from perfnb.figures import _measure_codes

    codes, measures = _measure_codes(pd.Series(pd.Categorical(["B", "A", "B"], ["A", "B", "C"])))
    assert codes.tolist() == [1, 0, 1] and measures.tolist() == ["A", "B"]
    codes, measures = _measure_codes(pd.Series(pd.Categorical(["C", "A"], ["A", "B", "C"])))
    assert codes.tolist() == [1, 0] and measures.tolist() == ["A", "C"]
    codes, measures = _measure_codes(pd.Series(["B", "A", "B"], dtype="str"))
    assert codes.tolist() == [0, 1, 0] and measures.tolist() == ["B", "A"]
    codes, measures = _measure_codes(pd.Series(pd.Categorical(["B", None, "B"], ["A", "B"])))
    assert codes.tolist() == [0, -1, 0] and measures.tolist() == ["B"]
