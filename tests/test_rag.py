"""RAG ratings: boundaries, bands, zero targets, pending, small numbers, overrides, invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_dataset
from perfnb import load_dataset, performance
from perfnb.contract import DataError
from perfnb.rag import RAG_ORDER, rate_against_target

NAN = math.nan


def rate_rows(rows: list[dict]) -> pd.DataFrame:
    """Rates hand-made rows through the engine's own step: variance, defaults, rating."""
    card = pd.DataFrame(
        [
            {
                "value": NAN,
                "target": NAN,
                "band_low": NAN,
                "band_high": NAN,
                "polarity": "high",
                "unit": "count",
                "decimals": 1,
                "green_within": "",
                "amber_within": "",
                "min_base": NAN,
                "base": NAN,
                "rag_on": "value",
                "note": "",
                "target_year": "2017/18",
                "target_note": "",
            }
            | row
            for row in rows
        ]
    )
    return pd.concat(
        [card.drop(columns=["green_within", "amber_within"]), rate_against_target(card)], axis=1
    )


def rag(**row) -> str:
    return rate_rows([row])["rag_computed"].iloc[0]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # counts: default Green only on target, Amber within 5% of it
        ({"value": 100, "target": 100}, "Green"),
        ({"value": 95, "target": 100}, "Amber"),  # exactly 5% short: the better rating
        ({"value": 94.9, "target": 100}, "Red"),
        ({"value": 105, "target": 100, "polarity": "low"}, "Amber"),
        ({"value": 105.1, "target": 100, "polarity": "low"}, "Red"),
        ({"value": 99, "target": 100, "polarity": "low"}, "Green"),
        # percentages: Amber within 2 points by default, not 2%
        ({"value": 78, "target": 80, "unit": "percent"}, "Amber"),
        ({"value": 77.9, "target": 80, "unit": "percent"}, "Red"),
        # absolute and relative tolerances set on the measure
        ({"value": 79.5, "target": 80, "unit": "percent", "green_within": "0.5"}, "Green"),
        ({"value": 76, "target": 80, "unit": "percent", "amber_within": "5%"}, "Amber"),
        ({"value": 75.99, "target": 80, "unit": "percent", "amber_within": "5%"}, "Red"),
        (
            {"value": 740, "target": 700, "unit": "days", "polarity": "low", "amber_within": "40"},
            "Amber",
        ),
        # on a boundary despite floating point: 0.8 - 0.7 is 0.10000000000000009, and 5% of
        # 9,814,431 (490,721.55) is computed as a shortfall of 490,721.5500000007
        ({"value": 0.7, "target": 0.8, "unit": "ratio", "amber_within": "0.1"}, "Amber"),
        (
            {"value": 9323709.45, "target": 9814431, "unit": "currency", "amber_within": "5%"},
            "Amber",
        ),
        ({"value": 9323709.44, "target": 9814431, "unit": "currency", "amber_within": "5%"}, "Red"),
        # a relative tolerance below a band is a share of its lower edge: 5% of 40 is 2
        (
            {
                "value": 38,
                "band_low": 40,
                "band_high": 100,
                "polarity": "band",
                "amber_within": "5%",
            },
            "Amber",
        ),
        (
            {
                "value": 37.9,
                "band_low": 40,
                "band_high": 100,
                "polarity": "band",
                "amber_within": "5%",
            },
            "Red",
        ),
        # bands: inside is Green, the distance outside is the shortfall
        (
            {"value": 9, "band_low": 5, "band_high": 9, "polarity": "band", "unit": "percent"},
            "Green",
        ),
        (
            {"value": 11, "band_low": 5, "band_high": 9, "polarity": "band", "unit": "percent"},
            "Amber",
        ),
        (
            {"value": 2.9, "band_low": 5, "band_high": 9, "polarity": "band", "unit": "percent"},
            "Red",
        ),
        # a zero target: no relative tolerance can help, an absolute one can
        ({"value": 1, "target": 0, "polarity": "low"}, "Red"),
        ({"value": 1, "target": 0, "polarity": "low", "amber_within": "2"}, "Amber"),
        ({"value": 0, "target": 0, "polarity": "low"}, "Green"),
        # never silently green
        ({"value": 50, "target": NAN}, "N/A"),
        ({"value": 50, "target": 40, "polarity": "none"}, "N/A"),
        ({"value": NAN, "target": 40, "note": "Due May-18"}, "Pending"),
        ({"value": 7, "band_low": 5, "band_high": NAN, "polarity": "band"}, "N/A"),
        # small numbers: Red capped at Amber below min_base, not otherwise
        ({"value": 10, "target": 6, "polarity": "low", "base": 11, "min_base": 20}, "Amber"),
        ({"value": 10, "target": 6, "polarity": "low", "base": 20, "min_base": 20}, "Red"),
        ({"value": 10, "target": 6, "polarity": "low", "base": NAN, "min_base": 20}, "Red"),
    ],
)
def test_ratings(row: dict, expected: str) -> None:
    assert rag(**row) == expected


def test_zero_target_has_no_relative_variance() -> None:
    rows = rate_rows([{"value": 1, "target": 0, "polarity": "low"}])
    assert rows["variance"].iloc[0] == 1 and math.isnan(rows["variance_pct"].iloc[0])
    assert rows["rag_reason"].iloc[0] == "Red: more than 5% from target (+1.0)"


def test_band_variance_is_the_distance_outside() -> None:
    rows = rate_rows(
        [
            {"value": v, "band_low": 5, "band_high": 9, "polarity": "band", "unit": "percent"}
            for v in (3, 7, 10.9)
        ]
    )
    assert rows["variance"].tolist() == [-2, 0, pytest.approx(1.9)]
    assert rows["variance_pct"].tolist() == [-40, 0, pytest.approx(1.9 / 9 * 100)]


# -- invariants -----------------------------------------------------------------------------

tolerance = st.one_of(
    st.just(""),
    st.integers(0, 20).map(lambda n: f"{n}%"),
    st.decimals(0, 50, places=1).map(str),
)


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(0, 1000, allow_nan=False),
    step=st.floats(0, 500, allow_nan=False),
    target=st.floats(0, 1000, allow_nan=False),
    polarity=st.sampled_from(["high", "low", "band"]),
    width=st.floats(0, 200, allow_nan=False),
    green=tolerance,
    amber=tolerance,
    unit=st.sampled_from(["count", "percent", "days"]),
)
def test_a_better_figure_never_gets_a_worse_rating(
    value, step, target, polarity, width, green, amber, unit
) -> None:
    """Moving a figure in the better direction (towards the band) never worsens its RAG."""
    if polarity == "band":
        low, high = target, target + width
        # better: nearer the band (never crossing to the other side of it)
        better = min(value + step, low) if value < low else max(value - step, high)
        if low <= value <= high:
            better = value
    else:
        low = high = NAN
        better = value + step if polarity == "high" else value - step
    rows = rate_rows(
        [
            {
                "value": v,
                "target": NAN if polarity == "band" else target,
                "band_low": low,
                "band_high": high,
                "polarity": polarity,
                "unit": unit,
                "green_within": green,
                "amber_within": amber,
            }
            for v in (value, better)
        ]
    )
    before, after = rows["rag_computed"].tolist()
    assert RAG_ORDER[after] >= RAG_ORDER[before], rows[["value", "rag_reason"]].to_dict("records")


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rag_never_depends_on_row_order(tmp_path_factory, seed) -> None:
    """Shuffling the rows of every input file changes no figure and no rating."""
    from conftest import SAMPLE

    folder = tmp_path_factory.mktemp("shuffled")
    rng = np.random.default_rng(seed)
    extra = {
        "overrides.csv": "measure_id,period,rag,reason,by\n"
        "ASCOF-2D,2017/18 Q1,G,Recovery plan,Director\n"
        "HD-CONTACTS,2012/13 Q2,A,Recovery plan endorsed,Cabinet Committee\n",
        "benchmarks.csv": "measure_id,year,area,value,is_average\n"
        + "".join(f"ASCOF-2D,2016/17,Area {i},{70 + i},\n" for i in range(8))
        + "ASCOF-2D,2016/17,Leicestershire,80.2,\nASCOF-2D,2016/17,England,77.8,yes\n"
        + "ASCOF-2D,2016/17,East Midlands,79.1,yes\n",
    }
    original_folder = tmp_path_factory.mktemp("original")
    for name in ("measures.csv", "values.csv", "targets.csv", "dataset.toml"):
        (original_folder / name).write_bytes((SAMPLE / name).read_bytes())
    for name, text in extra.items():
        (original_folder / name).write_text(text)
    for name in ("measures.csv", "values.csv", "targets.csv", *extra):
        frame = pd.read_csv(original_folder / name, dtype=str, keep_default_na=False)
        frame.sample(frac=1, random_state=rng).to_csv(folder / name, index=False)
    (folder / "dataset.toml").write_text((SAMPLE / "dataset.toml").read_text())
    periods = ["2017/18 Q1", "2012/13 Q2", "2012-10"]
    original = performance(load_dataset(original_folder), periods)
    shuffled = performance(load_dataset(folder), periods)
    assert original["overridden"].sum() == 2 and original["rank"].notna().any()
    key = ["period", "measure_id"]
    original = original.sort_values(key).reset_index(drop=True)
    shuffled = shuffled.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(original, shuffled)


# -- overrides ------------------------------------------------------------------------------


def _with_overrides(tmp_path, overrides: str):
    from conftest import TINY

    files = dict(TINY) | {"overrides.csv": overrides}
    return write_dataset(tmp_path / "data", files)


def test_override_replaces_the_rating_and_keeps_the_computed_one(tmp_path) -> None:
    """M2 is 55.5% against 60% (Red); the Head of Service rates it Amber and says why."""
    folder = _with_overrides(
        tmp_path,
        "measure_id,period,rag,reason,by\n"
        "M2,2017/18 Q1,a,Recovery plan agreed in June,Head of Service\n",
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["M2"]
    assert (row["rag"], row["rag_computed"], row["overridden"]) == ("Amber", "Red", True)
    assert row["rag_reason"] == (
        "Amber: overridden by Head of Service: Recovery plan agreed in June "
        "(computed Red: more than 2 points from target (-4.5 points))"
    )


def test_override_applies_only_to_its_period(tmp_path) -> None:
    folder = _with_overrides(
        tmp_path, "measure_id,period,rag,reason,by\nM2,2017/18 Q2,Green,Why not,\n"
    )
    row = performance(load_dataset(folder), "2017/18 Q1").set_index("measure_id").loc["M2"]
    assert (row["rag"], row["overridden"]) == ("Red", False)


def test_override_without_a_reason_is_an_error(tmp_path) -> None:
    folder = _with_overrides(tmp_path, "measure_id,period,rag,reason,by\nM2,2017/18 Q1,G,,Me\n")
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    assert str(caught.value.problems[0]) == (
        "overrides.csv, row 2, column reason: is blank; expected why the rating was "
        "overridden; an override must give its reason"
    )


def test_override_with_an_unknown_rating_is_an_error(tmp_path) -> None:
    folder = _with_overrides(
        tmp_path, "measure_id,period,rag,reason,by\nM2,2017/18 Q1,Purple,Because,Me\n"
    )
    with pytest.raises(DataError, match=r"overrides\.csv, row 2, column rag: .Purple. is not one"):
        load_dataset(folder)
