"""XmR charts for many series at once: xmr_many and summarise_many give, series by series, what
xmr and summarise give (every column, explanations and warnings, the float bits of the means and
limits), on random batches and on series worked out by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from perfnb.spc import SPCWarning, summarise, summarise_many, xmr, xmr_many

MONTHS = [f"{2015 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(60)]  # 2015-04 on
FLOATS = ("value", "mean", "lpl", "upl", "near_lpl", "near_upl")


def _many(frame: pd.DataFrame, **options) -> pd.DataFrame:
    """xmr_many with its one summarising warning silenced (each series' are in its attrs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return xmr_many(frame, **options)


def _xmr_and_warnings(*args, **kwargs) -> tuple[pd.DataFrame, list[str]]:
    """xmr, and the SPCWarning texts it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = xmr(*args, **kwargs)
    return result, [str(w.message) for w in caught if issubclass(w.category, SPCWarning)]


def _same_bits(left: pd.Series, right: pd.Series) -> bool:
    """Equal to the last bit (NaN where the other is NaN)."""
    a, b = left.to_numpy(dtype=float), right.to_numpy(dtype=float)
    gaps = np.isnan(a)
    return bool(
        (gaps == np.isnan(b)).all() and (a[~gaps].view(np.int64) == b[~gaps].view(np.int64)).all()
    )


def _series_of(result: pd.DataFrame, name: object, column: str = "series") -> pd.DataFrame:
    """One series' rows of a batch result, without its series column, indexed from 0."""
    mine = result[result[column] == name]
    return mine.drop(columns=column).reset_index(drop=True)


# -- random batches against xmr, series by series -----------------------------------------------


@st.composite
def batches(draw):
    """A long frame of 1 to 30 series (1 to 40 points each, in shuffled rows), with periods
    (some skipped) or without, and options for all of them or by series: values of many
    kinds (small whole numbers full of ties, constant, wide floats, shifts and trends,
    outliers) with some missing."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    count = draw(st.integers(1, 30))
    periodic = draw(st.booleans())
    frames, specs = [], []
    for i in range(count):
        n = int(rng.choice([1, 2, 3, 5, 8, 12, 13, 14, 20, 26, 40]))
        style = rng.integers(6)
        if style == 0:  # small whole numbers: ties, points on the mean
            values = rng.integers(-3, 4, n).astype(float)
        elif style == 1:  # constant: no spread at all
            values = np.full(n, float(rng.integers(-5, 5)))
        elif style == 2:  # wide floats
            values = rng.normal(0, 1, n) * 10.0 ** rng.integers(-6, 7)
        elif style == 3:  # a shift halfway, and an outlier
            values = np.round(rng.normal(100, 5, n), 1)
            values[n // 2 :] += 12
            values[rng.integers(n)] += 60
        elif style == 4:  # a trend with noise
            values = np.round(np.linspace(0, 20, n) + rng.normal(0, 2, n), 2)
        else:  # alternating, with near-limit pairs
            values = np.where(np.arange(n) % 2, 1.0, -1.0) * rng.choice([1.0, 2.5, 4.0], n)
        values[rng.random(n) < rng.choice([0.0, 0.1, 0.3])] = np.nan
        name = f"s{i}" if i % 3 else i  # names of two kinds: object column
        frame = pd.DataFrame({"series": [name] * n, "value": values})
        if periodic:
            start = int(rng.integers(0, 10))
            pool = MONTHS[start : start + n + int(rng.integers(0, 3))]
            frame["period"] = sorted(rng.choice(pool, n, replace=False))
        frames.append(frame)
        specs.append(name)
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.iloc[rng.permutation(len(frame))] if draw(st.booleans()) else frame
    frame = frame.reset_index(drop=True)
    options = {
        "fix_after": draw(st.sampled_from([None, None, 12, 15])),
        "screen_outliers": draw(st.booleans()),
        "run_length": draw(st.integers(3, 8)),
        "trend_length": draw(st.integers(3, 8)),
        "two_in_three": draw(st.sampled_from(["ptd", "mdc2023"])),
        "conflict": draw(st.sampled_from(["ptd", "improvement"])),
    }
    aims = ["increase", "decrease", "neutral"]
    chosen = {name: aims[int(rng.integers(3))] for name in specs}
    goals = {name: float(rng.integers(-3, 4)) for name in specs if rng.random() < 0.7}
    form = draw(st.sampled_from(["value", "mapping", "column"]))
    if form == "value":
        options["improvement"] = draw(st.sampled_from(aims))
        options["target"] = draw(st.sampled_from([None, 0, 2.5]))
    elif form == "mapping":
        options["improvement"], options["target"] = chosen, goals
    else:  # columns, constant within each series (a target on some rows only)
        frame["aim"] = frame["series"].map(chosen)
        frame["goal"] = frame["series"].map(goals).where(rng.random(len(frame)) < 0.5)
        options["improvement"], options["target"] = "aim", "goal"
    if periodic and draw(st.booleans()):
        present = sorted(set(frame["period"]))
        options["rebase_at"] = list(rng.choice(present, min(2, len(present)), replace=False))
    elif not periodic and draw(st.booleans()):
        options["rebase_at"] = [int(rng.integers(0, 20))]
    if draw(st.booleans()):
        options["label"] = {name: (lambda v: f"{v:.2f} units") for name in specs[::2]}
    return frame, options


def _one(options: dict, name: object, rows: pd.DataFrame) -> dict:
    """xmr's options for one series of a batch: per-series values looked up (in a mapping, or
    the series' column), rebases the series has kept (a batch rebases each series that has the
    period, or is long enough)."""
    mine = dict(options)
    for key, default in (("improvement", "increase"), ("target", None), ("label", None)):
        if isinstance(mine.get(key), dict):
            mine[key] = mine[key].get(name, default)
        elif mine.get(key) in ("aim", "goal"):  # the column's value for the series, if any
            given = rows[mine[key]].dropna()
            mine[key] = given.iloc[0] if len(given) else default
    if "rebase_at" in mine:
        have = set(rows["period"]) if "period" in rows else set(range(len(rows)))
        mine["rebase_at"] = [at for at in mine["rebase_at"] if at in have]
    return mine


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_every_series_is_as_xmr_and_summarise_give_it(batch) -> None:
    """Every column of every series (explanations, types, float bits of the limits), the
    warnings xmr would give it, and its summary."""
    frame, options = batch
    try:
        many = _many(frame, **options)
    except ValueError as error:  # a rebase in no series (a position past every series' end)
        assert "rebase_at" in str(error) and options.get("rebase_at")
        return
    summaries = summarise_many(many)
    assert list(many["series"].drop_duplicates()) == list(frame["series"].drop_duplicates())
    for name, rows in frame.groupby("series", sort=False):
        periods = list(rows["period"]) if "period" in rows else None
        expected, said = _xmr_and_warnings(
            list(rows["value"]), periods, **_one(options, name, rows)
        )
        got = _series_of(many, name)
        assert_frame_equal(got, expected, check_exact=True)
        for column in FLOATS:
            assert _same_bits(got[column], expected[column]), column
        assert many.attrs["spc_warnings"].get(name, []) == said
        summary = summarise(expected)
        if len(summary):  # a series with no value has no summary rows
            assert_frame_equal(_series_of(summaries, name), summary, check_exact=True)
        else:
            assert name not in set(summaries["series"])


# -- worked by hand -------------------------------------------------------------------------------

# B: 13 months. Mean 43 / 13 = 3.3077; moving ranges 1 (x 6), 4, 1 (x 5): 15 / 12 = 1.25, none
# screened (4 < 3.267 x 1.25 = 4.08); limits 3.3077 -/+ 2.66 x 1.25 = -0.0173 and 6.6327, near
# limits 3.3077 -/+ 1.7733 x 1.25 = 1.0910 and 5.5244. The first seven are below the mean (a
# run), the 1s among them beyond the near lower limit (2 in 3); the 6s at the end beyond the
# near upper limit (2 in 3), the 5s between them common cause.
B = [1, 2, 1, 2, 1, 2, 1, 5, 6, 5, 6, 5, 6]
B_MONTHS = [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01"]
# A: 5 quarters. Mean 15 / 5 = 3; moving ranges 2, 1, 2, 1: 1.5; limits 3 -/+ 3.99; common cause
A = [1, 3, 2, 4, 5]
A_QUARTERS = ["2019/20 Q1", "2019/20 Q2", "2019/20 Q3", "2019/20 Q4", "2020/21 Q1"]


def _two_series() -> pd.DataFrame:
    """A and B in one frame, their rows interleaved and out of period order."""
    rows = [("B", p, v) for p, v in zip(B_MONTHS, B, strict=True)]
    rows += [("A", p, v) for p, v in zip(A_QUARTERS, A, strict=True)]
    order = [5, 13, 0, 17, 12, 1, 14, 2, 3, 15, 4, 6, 16, 7, 8, 9, 10, 11]
    return pd.DataFrame([rows[i] for i in order], columns=["measure", "period", "value"])


def test_two_series_worked_by_hand() -> None:
    frame = _two_series()
    with pytest.warns(SPCWarning, match=r"1 of 2 series have warnings, in the result's attrs"):
        many = xmr_many(
            frame,
            series="measure",
            improvement={"B": "decrease"},
            target={"A": 2.0, "B": 2.0},
        )
    assert list(many.columns[:3]) == ["measure", "period", "value"]
    assert many["measure"].tolist() == ["B"] * 13 + ["A"] * 5  # B's row comes first
    assert many["period"].tolist() == B_MONTHS + A_QUARTERS
    assert many["value"].tolist() == B + A
    b, a = many.iloc[:13], many.iloc[13:]
    assert b["mean"].tolist() == pytest.approx([43 / 13] * 13)
    assert b["lpl"].tolist() == pytest.approx([43 / 13 - 2.66 * 1.25] * 13)
    assert b["upl"].tolist() == pytest.approx([43 / 13 + 2.66 * 1.25] * 13)
    assert b["near_lpl"].iloc[0] == pytest.approx(43 / 13 - 2 * 2.66 / 3 * 1.25)
    assert b["special_cause_type"].tolist() == [
        *["2 in 3 Below CL", "7 Points Below CL"] * 3,
        "2 in 3 Below CL",
        *["Common Cause", "2 in 3 Above CL"] * 3,
    ]
    # lower is better for B: below the mean is an improvement, above a concern
    assert (
        b["point_type"].tolist()
        == ["special_cause_improvement"] * 7
        + [
            "common_cause",
            "special_cause_concern",
        ]
        * 3
    )
    assert b["explanation"].iloc[0] == (
        "Special cause (improvement): one of 2 out of 3 points in a row beyond, but inside the "
        "limits, the near lower limit of 1.091, all three below the mean of 3.308."
    )
    assert b["explanation"].iloc[1] == (
        "Special cause (improvement): one of 7 or more points in a row below the mean of 3.308."
    )
    assert b["explanation"].iloc[12] == (
        "Special cause (concern): one of 2 out of 3 points in a row beyond, but inside the "
        "limits, the near upper limit of 5.524, all three above the mean of 3.308."
    )
    assert b["explanation"].iloc[7] == ""
    assert a["mean"].tolist() == [3.0] * 5
    assert a["upl"].tolist() == pytest.approx([3 + 2.66 * 1.5] * 5)
    assert (a["point_type"] == "common_cause").all() and a["trial_limits"].all()
    assert not b["trial_limits"].any()
    assert many.attrs["spc_warnings"] == {
        "A": ["the series has 5 points: its limits are trial limits until it has 13"]
    }

    summary = summarise_many(many)
    assert list(summary.columns) == [
        "measure", "rebase_group", "mean", "lpl", "upl", "n", "common_cause",
        "special_cause_improvement", "special_cause_concern", "variation", "assurance",
        "trial_limits", "special_cause_neutral",
    ]  # fmt: skip
    assert summary["measure"].tolist() == ["B", "A"]
    assert summary["n"].tolist() == [13, 5]
    assert summary["common_cause"].tolist() == [3, 5]
    assert summary["special_cause_improvement"].tolist() == [7, 0]
    assert summary["special_cause_concern"].tolist() == [3, 0]
    # B's last point is a concern above the mean: concern_high; its target 2 is inside its
    # limits (-0.017 to 6.633): inconsistent. A's 2 is inside -0.99 to 6.99 too
    assert summary["variation"].tolist() == ["concern_high", "common_cause"]
    assert summary["assurance"].tolist() == ["inconsistent", "inconsistent"]
    assert summary["trial_limits"].tolist() == [False, True]
    # a target of 7 is above both upper limits: never met when higher is better (A), always
    # met when lower is better (B)
    overridden = summarise_many(many, target=7)
    assert overridden["assurance"].tolist() == ["consistent_pass", "consistent_fail"]


def test_options_by_column_and_by_mapping() -> None:
    """improvement and target from columns (constant within a series), label from a mapping:
    each series as xmr gives it with its own."""
    frame = _two_series()
    frame["aim"] = frame["measure"].map({"A": "increase", "B": "decrease"})
    frame["goal"] = frame["measure"].map({"A": 8.0, "B": np.nan})
    frame.loc[frame["measure"].eq("B").idxmax(), "goal"] = 2.0  # one row says B's target
    many = _many(
        frame,
        series="measure",
        improvement="aim",
        target="goal",
        label={"B": lambda v: f"{v:.1f} units"},
    )
    assert many.attrs["spc_many"]["improvement"] == {"B": "decrease", "A": "increase"}
    assert many.attrs["spc_many"]["target"] == {"B": 2.0, "A": 8.0}
    for name, aim, target, label in (
        ("A", "increase", 8.0, None),
        ("B", "decrease", 2.0, lambda v: f"{v:.1f} units"),
    ):
        rows = frame[frame["measure"] == name]
        one, _ = _xmr_and_warnings(
            list(rows["value"]), list(rows["period"]), improvement=aim, target=target, label=label
        )
        assert_frame_equal(_series_of(many, name, "measure"), one, check_exact=True)
    assert "near lower limit of 1.1 units" in many["explanation"].iloc[0]
    # A's target 8 is above its upper limit 6.99: never met, higher being better
    assert summarise_many(many)["assurance"].tolist() == ["inconsistent", "consistent_fail"]
    frame.loc[frame.index[-1], "goal"] = 3.0
    with pytest.raises(ValueError, match="series 'B' has more than one target in column 'goal'"):
        xmr_many(frame, series="measure", target="goal")


def test_rebase_at_periods_every_series_having_them() -> None:
    """A list rebases each series that has the period (B at 2019-07: 6 and 7 points); a
    mapping is a series' own, as xmr takes it."""
    frame = _two_series()
    many = _many(frame, series="measure", rebase_at=["2019-07"])
    assert many["rebase_group"].tolist() == [0] * 6 + [1] * 7 + [0] * 5
    # B's second group: 1, 5, 6, 5, 6, 5, 6, mean 34 / 7; moving ranges 4, 1 x 5: 9 / 6
    assert many["mean"].iloc[6] == pytest.approx(34 / 7)
    assert many["upl"].iloc[6] == pytest.approx(34 / 7 + 2.66 * 1.5)
    assert many.attrs["spc_warnings"]["B"] == [
        "rebase group 0 has 6 points: its limits are trial limits until it has 13",
        "rebase group 1 has 7 points: its limits are trial limits until it has 13",
    ]
    mapped = _many(frame, series="measure", rebase_at={"A": ["2019/20 Q3"]})
    assert mapped["rebase_group"].tolist() == [0] * 13 + [0, 0, 1, 1, 1]
    with pytest.raises(ValueError, match="rebase period '2030-01' is in no series"):
        xmr_many(frame, series="measure", rebase_at=["2030-01"])
    with pytest.raises(ValueError, match="series 'A': rebase period '2019-07' is not in the"):
        xmr_many(frame, series="measure", rebase_at={"A": ["2019-07"]})
    with pytest.raises(ValueError, match="rebase_at names series 'C', which is not in the"):
        xmr_many(frame, series="measure", rebase_at={"C": ["2019-07"]})


def test_without_periods_points_are_in_frame_order() -> None:
    """No period column: each series' points in the order of its rows, rebased by position
    (the 4th point of each series long enough), missing values named by position."""
    frame = pd.DataFrame(
        {"series": ["x", "y", "x", "y", "x", "x", "x"], "value": [1, 10, 3, np.nan, 2, 4, 5]}
    )
    many = _many(frame, rebase_at=[3])
    assert list(many.columns[:2]) == ["series", "value"]
    assert many["value"].tolist()[:5] == A
    assert many["rebase_group"].tolist() == [0, 0, 0, 1, 1, 0, 0]
    # x's first group: 1, 3, 2: mean 2, moving ranges 2 and 1
    assert many["mean"].iloc[0] == 2.0 and many["upl"].iloc[0] == pytest.approx(2 + 2.66 * 1.5)
    assert many["point_type"].tolist()[5:] == ["common_cause", "missing"]
    assert many.attrs["spc_warnings"]["y"][0].startswith("1 missing value(s) left out (1):")
    with pytest.raises(ValueError, match="rebase_at 5 is not a position in any series"):
        xmr_many(frame, rebase_at=[5])


def test_gaps_and_missing_values_are_noted_by_series() -> None:
    """The texts xmr warns with, kept by series: a missing value, then a gap."""
    frame = pd.DataFrame(
        {
            "series": ["g"] * 4 + ["h"] * 13,
            "period": ["2019-01", "2019-02", "2019-05", "2019-06", *B_MONTHS],
            "value": [1.0, np.nan, 2.0, 3.0, *B],
        }
    )
    with pytest.warns(SPCWarning, match=r"1 of 2 series have warnings, .*series 'g': 1 missing"):
        many = xmr_many(frame)
    assert many.attrs["spc_warnings"] == {
        "g": [
            "1 missing value(s) left out (2019-02): moving ranges and runs are read across them",
            "the series skips 2019-03 to 2019-04: moving ranges and runs are read across the gap",
            "the series has 3 points: its limits are trial limits until it has 13",
        ]
    }
    assert many.loc[1, "explanation"] == "No value for this period: left out of the calculation."


@pytest.mark.parametrize(
    "periods",
    [
        list(pd.date_range("2019-01-01", periods=13, freq="D")),
        list(range(2000, 2013)),
        [f"week {w:02d}" for w in range(13)],
    ],
)
def test_periods_of_other_kinds_sort_as_xmr_sorts_them(periods) -> None:
    """Days, years as numbers, labels: in each series' own order, the column as xmr's."""
    frame = pd.DataFrame(
        {"series": ["p"] * 13 + ["q"] * 13, "period": periods[::-1] + periods, "value": B + B}
    )
    many = _many(frame)
    expected = xmr(B, periods[::-1])
    assert _series_of(many, "p")["value"].tolist() == B[::-1]
    assert_frame_equal(_series_of(many, "p"), expected, check_exact=True)
    assert_frame_equal(_series_of(many, "q"), xmr(B, periods), check_exact=True)


def test_object_and_categorical_periods_are_typed_as_xmr_types_them() -> None:
    """Periods in an object or a categorical column come out as xmr's list of them makes
    its column (text); labels of mixed kinds in one series cannot be put in time order."""
    frame = _two_series()
    for periods in (frame["period"].astype(object), frame["period"].astype("category")):
        many = _many(frame.assign(period=periods), series="measure")
        rows = frame[frame["measure"] == "B"]
        expected = xmr(list(rows["value"]), list(rows["period"]))
        assert_frame_equal(_series_of(many, "B", "measure"), expected, check_exact=True)
    mixed = pd.DataFrame({"series": ["m", "m", "n"], "period": ["a", 3, "b"], "value": [1, 2, 3]})
    with pytest.raises(ValueError, match="series 'm': the periods cannot be put in time order"):
        xmr_many(mixed.astype({"period": object}))


def test_bad_input_is_named() -> None:
    frame = _two_series()
    with pytest.raises(ValueError, match="the frame has no value column 'amount'"):
        xmr_many(frame, series="measure", value="amount")
    with pytest.raises(ValueError, match="the frame has no series column 'series'"):
        xmr_many(frame)
    wrong = frame.assign(value=frame["value"].astype(object))
    wrong.loc[7, "value"] = "n/a"
    with pytest.raises(ValueError, match="value 'n/a' of series 'B' at row 7 is not a number"):
        xmr_many(wrong, series="measure")
    twice = pd.concat([frame, frame.iloc[[1]]], ignore_index=True)  # A's 2019/20 Q1 again
    with pytest.raises(ValueError, match="series 'A': the periods repeat: 2019/20 Q1"):
        xmr_many(twice, series="measure")
    with pytest.raises(ValueError, match="improvement must be one of increase, decrease"):
        xmr_many(frame, series="measure", improvement="up")
    with pytest.raises(ValueError, match="improvement of series 'A' must be one of"):
        xmr_many(frame, series="measure", improvement={"A": "up"})
    with pytest.raises(ValueError, match="fix_after must be a whole number of 12 or more"):
        xmr_many(frame, series="measure", fix_after=6)
    with pytest.raises(ValueError, match="the series column may not be called 'value'"):
        xmr_many(frame.assign(value2=frame["value"]), series="value", value="value2")


def test_measure_spc_charts_are_xmr_charts() -> None:
    """measure_spc works out its measures together; each chart is still xmr's for the
    measure's own series, with its options kept for summarise."""
    from conftest import SAMPLE
    from perfnb import load_dataset, parse_period, performance
    from perfnb.measure_spc import measure_spc, spc_history

    data = load_dataset(SAMPLE)
    period = parse_period("2017/18 Q1")
    history = spc_history(data, period)
    found = measure_spc(history, performance(data, [period]))
    for measure, improvement in (("AE-4HR", "increase"), ("AE-ATTEND", "neutral")):
        rows = history[history["measure_id"] == measure]
        target = found.targets[measure]
        expected = xmr(list(rows["value"]), list(rows["period"]), improvement=improvement)
        result = found.results[measure]
        columns = [c for c in expected.columns if c != "explanation"]
        assert_frame_equal(result[columns], expected[columns], check_exact=True)
        assert result.attrs == {"spc": {"improvement": improvement, "target": target}}
        assert_frame_equal(
            summarise(result),
            summarise(
                xmr(
                    list(rows["value"]),
                    list(rows["period"]),
                    improvement=improvement,
                    target=target,
                )
            ),
        )
