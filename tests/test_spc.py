"""XmR charts against NHSRplotthedots' own published figures, and hand-worked cases for every
rule, precedence, rebasing, fixing, icon and assurance outcome."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfnb.spc import SPC_COLUMNS, SUMMARY_COLUMNS, SPCWarning, summarise, xmr

REFERENCE = json.loads((Path(__file__).parent / "data" / "nhsrplotthedots.json").read_text())

# set.seed(123); rnorm(20) in R, the series of NHSRplotthedots'
# tests/testthat/test-ptd_spc_standard.R
RNORM20 = [
    -0.5604756465522126,
    -0.23017748948328,
    1.5587083141491243,
    0.070508391424576,
    0.1292877351609463,
    1.7150649868832817,
    0.46091620598920247,
    -1.265061234606534,
    -0.686852851893526,
    -0.4456619700999582,
    1.224081797439462,
    0.3598138270573639,
    0.4007714505940522,
    0.1106827159451197,
    -0.5558411347540749,
    1.7869131368030788,
    0.4978504782292395,
    -1.966617156629638,
    0.7013559015636855,
    -0.4727914077279341,
]


def _quiet(*args, **kwargs):
    """xmr without its warnings (short groups are warned about; tested on their own)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        return xmr(*args, **kwargs)


# -- NHSRplotthedots' published figures ------------------------------------------------------


def test_rnorm20_snapshot() -> None:
    """_snaps/ptd_spc_standard.md: mean 0.1416238, limits -3.011380 and 3.294627."""
    result = xmr(RNORM20)
    assert list(result.columns[: len(SPC_COLUMNS)]) == list(SPC_COLUMNS)
    first = result.iloc[0]
    assert first["mean"] == pytest.approx(0.1416238, abs=1e-6)
    assert first["lpl"] == pytest.approx(-3.011380, abs=1e-6)
    assert first["upl"] == pytest.approx(3.294627, abs=1e-6)
    assert (result["point_type"] == "common_cause").all()
    assert result["relative_to_mean"].tolist() == [
        -1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, 1, 1, -1, 1, -1,
    ]  # fmt: skip


def test_screening_a_big_moving_range_snapshot() -> None:
    """Point 15 set to 10: screened, mean 0.6694159 with limits -2.383666 and 3.722497;
    unscreened (as the MDC Excel tool), -4.596625 and 5.935457. Only point 15 is outside."""
    values = list(RNORM20)
    values[14] = 10
    screened = xmr(values)
    assert screened.iloc[0][["mean", "lpl", "upl"]].tolist() == pytest.approx(
        [0.6694159, -2.383666, 3.722497], abs=1e-6
    )
    unscreened = xmr(values, screen_outliers=False)
    assert unscreened.iloc[0][["lpl", "upl"]].tolist() == pytest.approx(
        [-4.596625, 5.935457], abs=1e-6
    )
    for result in (screened, unscreened):
        assert result.index[result["outside_limits"]].tolist() == [14]
        assert result.loc[14, "special_cause_type"] == "Above UCL"


def test_rebase_and_summary_snapshots() -> None:
    """Rebased at point 11: each half its own limits (the facet snapshot: 0.074626,
    -2.600585, 2.749837 and 0.208622, -3.279005, 3.696249); summary of the whole with a
    target of 0.5: inconsistent."""
    result = _quiet(RNORM20, rebase_at=[10])
    summary = summarise(result)
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert summary[["mean", "lpl", "upl"]].values.ravel().tolist() == pytest.approx(
        [0.074626, -2.600585, 2.749837, 0.208622, -3.279005, 3.696249], abs=1e-6
    )
    assert summary["n"].tolist() == [10, 10]
    assert summary["trial_limits"].tolist() == [True, True]
    whole = summarise(xmr(RNORM20), target=0.5).iloc[0]
    assert (whole["n"], whole["common_cause"], whole["variation"], whole["assurance"]) == (
        20,
        20,
        "common_cause",
        "inconsistent",
    )


def test_two_near_points_on_opposite_sides_are_not_a_signal() -> None:
    """test-ptd_spc.R: 1, -1 alternating, then 5.5 and -5.5: both near a limit but on
    opposite sides of the mean, so common cause (issue #143). Mean 0, limits +/-6.175."""
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    result = xmr(values)
    assert result.iloc[0][["mean", "lpl", "upl"]].tolist() == pytest.approx(
        [0.0, -6.175, 6.175], abs=1e-9
    )
    assert result["close_to_limits"].tolist()[-2:] == [True, True]
    assert result["point_type"].tolist()[-2:] == ["common_cause", "common_cause"]


@pytest.mark.parametrize("case", sorted(REFERENCE["cases"]))
def test_ae_attendances_snapshots(case: str) -> None:
    """The package's integration snapshots (ae_attendances): means and limits to 1e-6 of the
    package's, and every point's rule and type (0.2.x rules)."""
    spec = REFERENCE["cases"][case]
    result = _quiet(spec["values"], **spec["options"])  # B's groups are 12 points: trial
    for group in spec["groups"]:
        got = result[result["rebase_group"] == group["group"]].iloc[0]
        assert [got["mean"], got["lpl"], got["upl"]] == pytest.approx(
            [group["mean"], group["lpl"], group["upl"]],
            rel=0,
            abs=1e-6 * max(1, abs(group["mean"])),
        )
    expected = {int(row): tuple(kinds) for row, kinds in spec["special"].items()}
    got = {
        i + 1: (kind, rule)
        for i, (kind, rule) in enumerate(
            zip(result["point_type"], result["special_cause_type"], strict=True)
        )
        if kind != "common_cause"
    }
    assert got == expected


# -- the rules, worked by hand ----------------------------------------------------------------


def test_each_rule_flags_every_point_of_its_pattern() -> None:
    """0 to 7 (issue #167): mean 3.5, moving ranges all 1, limits 3.5 +/- 2.66 = 0.84 and 6.16.
    0 is below the lower limit, 7 above the upper; the 6 between are a rising trend. The
    mirror image is a falling trend: concern when higher is better."""
    rising = _quiet(list(range(8)))
    assert rising.iloc[0][["mean", "lpl", "upl"]].tolist() == pytest.approx([3.5, 0.84, 6.16])
    assert rising["special_cause_type"].tolist() == [
        "Below LCL",
        *["7 Point Trend (Increasing)"] * 6,
        "Above UCL",
    ]
    assert rising["point_type"].tolist() == [
        "special_cause_concern",
        *["special_cause_improvement"] * 7,
    ]
    falling = _quiet([-v for v in range(8)])
    assert falling["special_cause_type"].tolist()[1:7] == ["7 Point Trend (Decreasing)"] * 6
    assert set(falling["point_type"][1:]) == {"special_cause_concern"}


def test_a_tie_breaks_a_trend() -> None:
    """PR #24's example: an equal neighbour stops the trend."""
    result = _quiet([1, 0.5, 0, -0.5, -0.5, -1, -1.5, -2])
    assert not result["special_cause_type"].str.contains("Trend").any()


def test_run_of_seven_and_a_point_on_the_mean() -> None:
    """12, 8 four times, then 10.5 three times, 10, 10.5 three times, then 9.5 six times: the
    mean is exactly 210 / 21 = 10, so the middle 10 lies on it and breaks the run of 10.5s
    (3 and 3), and the 9.5s are only 6: all common cause. With 10.5 in its place the mean is
    210.5 / 21 and the seven 10.5s are a run above it."""
    broken = [12.0, 8.0] * 4 + [10.5] * 3 + [10.0] + [10.5] * 3 + [9.5] * 6
    result = xmr(broken)
    assert result.loc[0, "mean"] == 10.0
    assert result.loc[11, "relative_to_mean"] == 0
    assert (result["point_type"] == "common_cause").all()
    whole = [12.0, 8.0] * 4 + [10.5] * 7 + [9.5] * 6
    result = xmr(whole)
    assert result.loc[0, "mean"] == pytest.approx(210.5 / 21)
    assert result.index[result["special_cause_type"] == "7 Points Above CL"].tolist() == list(
        range(8, 15)
    )


def test_run_rule_alone() -> None:
    """Alternating 12, 8 for 8 points then 10.5 for 7 (15 points): mean 153.5 / 15 = 10.233,
    moving ranges seven of 4, one of 2.5 and six of 0: 30.5 / 14 = 2.179, so limits
    10.233 +/- 5.795 and near limits +/- 3.863. The last 7 sit above the mean, well inside the
    near limit: a run, and nothing else."""
    values = [12.0, 8.0] * 4 + [10.5] * 7
    result = xmr(values)
    mean = 153.5 / 15
    amr = 30.5 / 14
    assert result.loc[0, "mean"] == pytest.approx(mean)
    assert result.loc[0, "upl"] == pytest.approx(mean + 2.66 * amr)
    assert result["special_cause_type"].tolist() == ["Common Cause"] * 8 + ["7 Points Above CL"] * 7
    assert "7 or more points in a row above the mean" in result.loc[14, "explanation"]


def test_two_in_three_flags_only_the_near_points() -> None:
    """1, -1 ten times, then 4.8, 0.4, 4.8, -1, 1, -1 (26 points): mean 9 / 26 = 0.346;
    moving ranges 19 of 2, then 5.8, 4.4, 4.4, 5.8, 2, 2: 62.4 / 25 = 2.496 (none screened), so
    the near upper limit is 0.346 + 1.773 x 2.496 = 4.772 and the upper limit 6.985. Both 4.8s
    are near, the 0.4 between them above the mean but not near: only the two are flagged."""
    values = [1.0, -1.0] * 10 + [4.8, 0.4, 4.8, -1.0, 1.0, -1.0]
    result = xmr(values)
    first = result.iloc[0]
    assert first["mean"] == pytest.approx(9 / 26)
    assert first["near_upl"] == pytest.approx(9 / 26 + 2 * 2.66 / 3 * 62.4 / 25)
    assert first["upl"] == pytest.approx(9 / 26 + 2.66 * 62.4 / 25)
    flagged = result.index[result["special_cause_type"] == "2 in 3 Above CL"].tolist()
    assert flagged == [20, 22]
    assert result.loc[21, "point_type"] == "common_cause"


def test_mdc2023_counts_points_beyond_the_limits_towards_two_in_three() -> None:
    """Issue #153's case, beyond 3 sigma twice and then between 2 and 3: 1, -1 ten times, then
    8, 8, 4.8, -1, 1, -1. Moving ranges 19 of 2, then 9, 0, 3.2, 5.8, 2, 2: 60 / 25 = 2.4; the
    9 is 3.267 x 2.4 = 7.84 or more, so screened: 51 / 24 = 2.125. Mean 19.8 / 26 = 0.762: the
    8s are above the upper limit (6.414), the 4.8 above the near limit (4.530). The package
    gives the 4.8 no flag; MDC's 2023 rule counts the 8s, so the 4.8 is 2 in 3."""
    values = [1.0, -1.0] * 10 + [8.0, 8.0, 4.8, -1.0, 1.0, -1.0]
    ptd = xmr(values)
    assert ptd.loc[0, "upl"] == pytest.approx(19.8 / 26 + 2.66 * 51 / 24)
    assert ptd.loc[0, "near_upl"] == pytest.approx(19.8 / 26 + 2 * 2.66 / 3 * 51 / 24)
    assert ptd.loc[20:22, "special_cause_type"].tolist() == [
        "Above UCL",
        "Above UCL",
        "Common Cause",
    ]
    mdc = xmr(values, two_in_three="mdc2023")
    assert mdc.loc[20:22, "special_cause_type"].tolist() == [
        "Above UCL",
        "Above UCL",
        "2 in 3 Above CL",
    ]


def test_precedence_and_conflict() -> None:
    """Issue #200's 0..7 then 6..1: by precedence the 0 is Below LCL (concern) and the fall
    a concern; MDC shows improvement where a point is in an improvement pattern too."""
    values = [*range(8), *range(6, 0, -1)]
    ptd = xmr(values)
    assert ptd.loc[0, ["mean", "lpl", "upl"]].tolist() == pytest.approx([3.5, 0.84, 6.16])
    assert ptd["special_cause_type"].tolist() == [
        "Below LCL",
        *["7 Point Trend (Increasing)"] * 6,
        "Above UCL",
        *["7 Point Trend (Decreasing)"] * 6,
    ]
    mdc = xmr(values, conflict="improvement")
    # the 0 starts the rising trend; after the peak the 6 is near the upper limit (5.273) with
    # the 6 before the peak: 2 in 3; the 5 and 4 end 7 points above the mean
    assert mdc.loc[0, "special_cause_type"] == "7 Point Trend (Increasing)"
    assert mdc.loc[8:10, "special_cause_type"].tolist() == [
        "2 in 3 Above CL",
        "7 Points Above CL",
        "7 Points Above CL",
    ]
    assert (
        mdc["point_type"].tolist()
        == ["special_cause_improvement"] * 11 + ["special_cause_concern"] * 3
    )


def test_shorter_runs_and_trends_as_the_mdc_tool_allows() -> None:
    values = [5, 6, 7, 8, 9, 10, 4, 5, 4, 5, 4, 5, 4]
    assert not _quiet(values)["special_cause_type"].str.contains("Trend").any()
    six = _quiet(values, trend_length=6)
    # 9 and 10 lie above the upper limit, which comes first; 5 to 8 are the 6-point trend's
    assert (
        six.loc[0:5, "special_cause_type"].tolist()
        == ["6 Point Trend (Increasing)"] * 4 + ["Above UCL"] * 2
    )


def test_neutral_direction_and_decrease() -> None:
    values = list(range(8))
    neutral = _quiet(values, improvement="neutral")
    assert neutral.loc[7, "point_type"] == "special_cause_neutral_high"
    assert neutral.loc[0, "point_type"] == "special_cause_neutral_low"
    lower = _quiet(values, improvement="decrease")
    assert lower.loc[7, "point_type"] == "special_cause_concern"


# -- rebasing, fixing, periods ------------------------------------------------------------------


def test_rebase_by_period_and_unknown_period() -> None:
    periods = [f"2019-{m:02d}" for m in range(1, 13)] + [f"2020-{m:02d}" for m in range(1, 9)]
    result = _quiet(RNORM20, periods, rebase_at=["2019-11"])
    assert result["rebase_group"].tolist() == [0] * 10 + [1] * 10
    assert result["period"].tolist() == periods
    with pytest.raises(ValueError, match="rebase period '2021-01' is not in the series"):
        xmr(RNORM20, periods, rebase_at=["2021-01"])
    with pytest.raises(ValueError, match="rebase_at 25 is not a position"):
        xmr(RNORM20, rebase_at=[25])


def test_fixed_limits_come_from_the_first_points() -> None:
    """fix_after=12: the mean of the first 12 (0.194179) and their 11 moving ranges; later
    points are judged against those limits."""
    fixed = xmr(RNORM20, fix_after=12)
    first12 = np.array(RNORM20[:12])
    assert fixed.loc[19, "mean"] == pytest.approx(first12.mean())
    assert fixed.loc[19, "upl"] == pytest.approx(
        first12.mean() + 2.66 * np.abs(np.diff(first12)).mean()
    )
    with pytest.raises(ValueError, match="fix_after must be a whole number of 12 or more"):
        xmr(RNORM20, fix_after=8)


def test_missing_values_and_gaps_are_warned_about_not_flagged() -> None:
    periods = ["2019-01", "2019-02", "2019-04", *[f"2019-{m:02d}" for m in range(5, 13)]]
    values = [1.0, 2.0, 1.5, np.nan, 1.2, 1.8, 1.1, 1.9, 1.4, 1.6, 1.3]
    with pytest.warns(SPCWarning) as caught:
        result = xmr(values, periods)
    messages = [str(w.message) for w in caught]
    assert any("1 missing value(s) left out (2019-05)" in m for m in messages)
    assert any("the series skips 2019-03:" in m for m in messages)
    assert any("has 10 points: its limits are trial limits" in m for m in messages)
    assert result.loc[3, "point_type"] == "missing"
    assert result.loc[3, "mean"] == pytest.approx(np.mean([v for v in values if v == v]))


# -- icons -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "values", "variation"),
    [
        ("increase", [*RNORM20, 9.0], "improvement_high"),
        ("decrease", [*RNORM20, 9.0], "concern_high"),
        ("increase", [*RNORM20, -9.0], "concern_low"),
        ("decrease", [*RNORM20, -9.0], "improvement_low"),
        ("neutral", [*RNORM20, 9.0], "neutral_high"),
        ("neutral", [*RNORM20, -9.0], "neutral_low"),
        ("increase", RNORM20, "common_cause"),
    ],
)
def test_variation_icon_from_the_last_point(improvement, values, variation) -> None:
    assert summarise(xmr(values, improvement=improvement)).iloc[-1]["variation"] == variation


@pytest.mark.parametrize(
    ("improvement", "target", "assurance"),
    [
        ("increase", 4.0, "consistent_fail"),  # above the upper limit 3.29: never reached
        ("increase", -4.0, "consistent_pass"),
        ("decrease", 4.0, "consistent_pass"),
        ("decrease", -4.0, "consistent_fail"),
        ("increase", 0.5, "inconsistent"),
        ("neutral", 4.0, None),
        ("increase", None, None),
    ],
)
def test_assurance_from_the_target_and_the_latest_limits(improvement, target, assurance) -> None:
    result = xmr(RNORM20, improvement=improvement, target=target)
    assert summarise(result).iloc[-1]["assurance"] == assurance


def test_assurance_is_strict_and_uses_the_latest_group() -> None:
    result = xmr(RNORM20)
    upl = result.loc[0, "upl"]
    assert summarise(result, target=upl).iloc[0]["assurance"] == "inconsistent"
    rebased = _quiet(RNORM20, rebase_at=[10], target=3.5)
    summary = summarise(rebased)
    # group 1's upper limit is 3.696: 3.5 is inside it, though above group 0's 2.750
    assert summary["assurance"].tolist() == [None, "inconsistent"]


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40))
def test_any_series_gives_one_labelled_row_per_point(values: list[float]) -> None:
    result = _quiet(values)
    assert len(result) == len(values)
    assert set(result["point_type"]) <= {
        "common_cause",
        "special_cause_improvement",
        "special_cause_concern",
    }
    special = result["point_type"] != "common_cause"
    assert (result.loc[special, "explanation"] != "").all()
    assert (result.loc[~special, "explanation"] == "").all()
    # every moving range 0: no spread to set limits from (NaN, as in R), and no signal
    flat = result["lpl"].isna()
    assert (result.loc[flat, "point_type"] == "common_cause").all()


# -- the chart ---------------------------------------------------------------------------------


def _artists(chart, gid_prefix: str) -> list:
    return [
        artist
        for ax in chart.figure.axes
        for artist in [*ax.lines, *ax.patches, ax]
        if str(artist.get_gid() or "").startswith(gid_prefix)
    ]


def test_spc_chart_in_the_mdc_style() -> None:
    """England's A&E four-hour performance (the package's chart D) against 95%: improvement
    in blue squares, concern in orange diamonds, limits dashed, the target red, the variation
    icon common cause (the last point) and assurance "never met" (95 is above the upper
    limit, 90.90)."""
    from perfnb.charts import SPC_STYLES, spc_chart

    spec = REFERENCE["cases"]["D"]
    periods = [f"{2016 + (m + 3) // 12}-{(m + 3) % 12 + 1:02d}" for m in range(36)]
    result = xmr([v * 100 for v in spec["values"]], periods, target=95)
    chart = spc_chart(result, "A&E four-hour performance", unit="percent", decimals=1, target=95)
    assert chart.model["variation"] == "common_cause"
    assert chart.model["assurance"] == "consistent_fail"
    concern = _artists(chart, "points-special_cause_concern")[0]
    assert concern.get_markerfacecolor().upper() == SPC_STYLES["special_cause_concern"][0]
    assert len(concern.get_xdata()) == sum(
        k == "special_cause_concern" for k, _ in spec["special"].values()
    )
    assert _artists(chart, "upl-0")[0].get_linestyle() == "--"
    assert _artists(chart, "target")[0].get_ydata()[0] == 95
    assert {a.get_gid() for a in _artists(chart, "icon-")} == {"icon-variation", "icon-assurance"}
    assert chart.alt.startswith(
        "SPC chart: A&E four-hour performance. 36 points from 2016-04 to 2019-03; mean 88.47%, "
        "process limits 86.04% to 90.90%. Variation: common cause. Assurance: target never met."
    )
    assert "2017-01: special cause concern (Below LCL)" in chart.alt
    assert chart.png(100)[:4] == b"\x89PNG"
    chart.close()


def test_spc_chart_rebased_short_and_without_periods() -> None:
    from perfnb.charts import spc_chart

    periods = [f"2019-{m:02d}" for m in range(1, 13)] + [f"2020-{m:02d}" for m in range(1, 9)]
    result = _quiet(RNORM20, periods, rebase_at=["2019-11"])
    chart = spc_chart(result, "Two groups")
    assert {a.get_gid() for a in _artists(chart, "mean-")} == {"mean-0", "mean-1"}
    assert chart.model["trial_limits"] and chart.model["assurance"] is None
    assert _artists(chart, "icon-assurance") == []
    chart.close()
    with pytest.raises(ValueError, match="spc_chart needs the periods"):
        spc_chart(xmr(RNORM20), "No periods")


# -- parity traps the review found ---------------------------------------------------------------


def test_the_mean_is_summed_as_r_sums_it() -> None:
    """Summed one value at a time in long double (as R does), this series' mean is 3.8e-20, so
    the 0.0 lies below it and rows 1 to 7 are 7 points below the mean. Summed pairwise (numpy's
    way) the mean is exactly 0, the 0.0 sits on it and breaks the run."""
    values = [41.0, -1.5, -0.2, -0.2, 0.0, -2.0, -2.0, -0.01, 2.0, -0.1, 2.0, -41.0, 0.2, -1.5]
    values += [1.5, 0.2, 1.5, 0.01, 0.1]
    result = xmr(values)
    assert result.loc[0, "mean"] > 0
    assert result.loc[4, "relative_to_mean"] == -1
    assert result.loc[1:7, "special_cause_type"].tolist() == ["7 Points Below CL"] * 7


def test_a_trend_end_takes_the_step_after_it() -> None:
    """As in NHSRplotthedots, a trend point whose next point is in a trend takes the step after
    it: the 9 that ends the rise 3..9 is followed by another 9 (a flat step) and then the fall,
    so it is labelled by the fall's direction, as the package does; its explanation says what
    the data show, the rise it belongs to."""
    values = [0, 12, 0, 12, 0, 12, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3]
    result = _quiet([float(v) for v in values])
    assert result.loc[6:11, "special_cause_type"].tolist() == ["7 Point Trend (Increasing)"] * 6
    assert result.loc[12, "special_cause_type"] == "7 Point Trend (Decreasing)"
    assert "each higher than the one before" in result.loc[12, "explanation"]
    assert "each lower than the one before" in result.loc[14, "explanation"]


def test_a_point_on_a_limit_is_not_outside() -> None:
    """Limits fixed after 12 points alternating 0.5 and -0.5: mean 0, moving ranges all 1, so
    the upper limit is exactly 2.66. A later 2.66 is on it, not outside (near the limit, only);
    2.6600001 is outside."""
    values = [0.5, -0.5] * 6 + [2.66, 0.0, 2.6600001]
    result = xmr(values, fix_after=12)
    assert result.loc[0, "upl"] == 2.66
    assert result.loc[12, ["outside_limits", "close_to_limits"]].tolist() == [False, True]
    assert result.loc[14, "special_cause_type"] == "Above UCL"


def test_thirteen_points_make_firm_limits() -> None:
    """12 points are trial limits (warned); 13 are not."""
    with pytest.warns(SPCWarning, match="the series has 12 points"):
        twelve = xmr(RNORM20[:12])
    assert twelve["trial_limits"].all()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SPCWarning)
        thirteen = xmr(RNORM20[:13])
    assert not thirteen["trial_limits"].any()
    assert summarise(thirteen).loc[0, "trial_limits"] == False  # noqa: E712


def test_periods_are_put_in_time_order() -> None:
    """Given out of order, the points are sorted by period first, as NHSRplotthedots sorts by
    date: 1 to 7 then seven 1s, shuffled, is the same chart as in order."""
    periods = [f"2019-{m:02d}" for m in range(1, 13)] + ["2020-01", "2020-02"]
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0] + [1.0] * 7
    shuffled = list(zip(periods, values, strict=True))[::-1]
    ordered = _quiet(values, periods)
    back = _quiet([v for _, v in shuffled], [p for p, _ in shuffled])
    assert back["period"].tolist() == periods
    assert back["special_cause_type"].tolist() == ordered["special_cause_type"].tolist()
    with pytest.raises(ValueError, match="cannot be put in time order"):
        xmr([1.0, 2.0], ["a", 3])


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="value 'x' at position 2 is not a number"):
        xmr(["1", "2", "x", "4"])
    days = list(pd.date_range("2017-03-01", periods=70, freq="D"))  # to 9 May
    # a partial date is one day (1 April), never every day of April
    rebased = _quiet([float(v % 5) for v in range(70)], days, rebase_at=["2017-04"])
    assert rebased["rebase_group"].tolist() == [0] * 31 + [1] * 39
    with pytest.raises(ValueError, match="rebase period '2017-06-15' is not in the series"):
        xmr(list(range(70)), days, rebase_at=["2017-06-15"])


def test_mdc2023_keeps_close_to_limits_inside_the_limits() -> None:
    values = [1.0, -1.0] * 10 + [8.0, 8.0, 4.8, -1.0, 1.0, -1.0]
    mdc = xmr(values, two_in_three="mdc2023")
    assert mdc.loc[20:22, "outside_limits"].tolist() == [True, True, False]
    assert mdc.loc[20:22, "close_to_limits"].tolist() == [False, False, True]


def test_neutral_special_causes_are_counted() -> None:
    summary = summarise(_quiet(list(range(8)), improvement="neutral")).iloc[0]
    assert (summary["common_cause"], summary["special_cause_neutral"], summary["n"]) == (0, 8, 8)


def test_gaps_name_the_periods_skipped() -> None:
    with pytest.warns(SPCWarning, match="the series skips 2019-02 to 2019-04:"):
        _quiet_gap = xmr(
            list(range(13)),
            [
                "2019-01",
                *[f"2019-{m:02d}" for m in range(5, 13)],
                "2020-01",
                "2020-02",
                "2020-03",
                "2020-04",
            ],
        )
    assert len(_quiet_gap) == 13


def test_explanations_in_the_measures_unit() -> None:
    result = xmr([*RNORM20, 9.0], label=lambda v: f"{v:.1f} units")
    upl = result.iloc[-1]["upl"]
    assert f"upper process limit of {upl:.1f} units:" in result.iloc[-1]["explanation"]


def test_a_short_first_group_leaves_the_label_for_the_next() -> None:
    """A rebase whose first group is short (5 points, trial limits) and a label formatter: the
    second group's explanations still use the formatter (it was overwritten by the first
    group's warning text, and the second group failed with a TypeError). Group 2 by hand: 15
    points summing 793, mean 52.867; moving ranges sum 58 over 14 (4.143), the 40 is screened
    out (over 3.267 x 4.143), leaving 18 over 13 = 1.3846; upper limit 52.867 + 2.66 x 1.3846
    = 56.55, written by the label as 56.5 units."""
    values = [10, 11, 10, 12, 11, 50, 51, 49, 50, 52, 50, 51, 49, 50, 51, 50, 49, 51, 50, 90]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SPCWarning)
        out = xmr(values, rebase_at=[5], label=lambda v: f"{v:.1f} units")
    assert out["upl"].iloc[-1] == pytest.approx(793 / 15 + 2.66 * 18 / 13)
    assert out["explanation"].iloc[-1] == (
        "Special cause (improvement): above the upper process limit of 56.5 units: very "
        "unlikely by chance alone."
    )
