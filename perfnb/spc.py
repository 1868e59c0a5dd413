"""Statistical process control: the NHS "Making Data Count" XmR chart, as NHSRplotthedots does it.

RAG compares two numbers; an XmR chart says whether a change is signal or noise. By default
:func:`xmr` reproduces the R package NHSRplotthedots 0.2.x (nhs-r-community) exactly:

- within each rebase group: the centre line is the mean; moving ranges are taken between
  neighbouring points (the first point of a group has none); moving ranges of 3.267 times
  their mean or more are screened out once and the mean recomputed (``screen_outliers``);
  process limits are mean +/- 2.66 times the mean moving range, near limits two thirds of that;
  with ``fix_after``, the mean and moving ranges come from the group's first n points only;
- four rules, each flagging every point of its pattern: a point outside the limits; a trend of
  7 points each strictly higher (or lower) than the one before, on either side of the mean; 2 of
  3 points in a row beyond a near limit (but inside the limits), all 3 on the same side of the
  mean (only the near points are flagged); 7 points in a row on one side of the mean (a point
  on the mean breaks it). Precedence: outside, trend, 2-in-3, run;
- ``special_cause_type`` keeps the rule in NHSRplotthedots' words ("Above UCL", "7 Point Trend
  (Increasing)", "2 in 3 Below CL", "7 Points Above CL", "Common Cause"); ``point_type`` orients
  it by the improvement direction.

Options beyond it (defaults unchanged), each asked for by its users: run and trend lengths
(``run_length``, ``trend_length``, 6 to 8 as the MDC tool allows); ``two_in_three="mdc2023"``
(points beyond the limits count towards 2-in-3, Making Data Count's November 2023 change);
``conflict="improvement"`` (a point in both an improvement and a concern pattern shows
improvement, as MDC's tool does); a rebase period not in the data is an error (NHSRplotthedots
ignores it); missing values and gaps in the periods are warned about and missing values left
out, not flagged; a group of fewer than 13 points has trial limits and says so.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from perfnb.periods import PeriodError, parse_period

__all__ = [
    "ASSURANCES",
    "IMPROVEMENTS",
    "POINT_TYPES",
    "SPC_COLUMNS",
    "SUMMARY_COLUMNS",
    "VARIATIONS",
    "SPCWarning",
    "summarise",
    "xmr",
]

LIMIT = 2.66  # process limits: mean +/- 2.66 mean moving ranges (3 sigma for XmR)
NEAR = 2 * (LIMIT / 3)  # near limits: two thirds of the way, as NHSRplotthedots writes it
SCREEN = 3.267  # moving ranges this many times their mean or more are screened out
MIN_POINTS = 13  # fewer points in a group: trial limits
MIN_FIX = 12  # limits may be fixed after no fewer points (the MDC tool allows 12 to 20)

IMPROVEMENTS = ("increase", "decrease", "neutral")
TWO_IN_THREE = ("ptd", "mdc2023")
CONFLICTS = ("ptd", "improvement")
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
VARIATIONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCES = ("consistent_pass", "consistent_fail", "inconsistent")
SPC_COLUMNS = (
    "value",
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "outside_limits",
    "close_to_limits",
    "special_cause_type",
    "point_type",
    "explanation",
)
SUMMARY_COLUMNS = (
    "rebase_group",
    "mean",
    "lpl",
    "upl",
    "n",
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "variation",
    "assurance",
    "trial_limits",
    "special_cause_neutral",
)

# the rules in order of precedence: outside limits, trend, 2-in-3, run
_OUTSIDE, _TREND, _TWO_IN_THREE, _RUN = range(4)


class SPCWarning(UserWarning):
    """Something about a series the reader of its chart should know: missing values, gaps in
    its periods, or too few points for firm limits."""


def _r_mean(values: np.ndarray) -> float:
    """The mean as R computes it (a long-double sum, then one correcting pass), so that points
    lying on a limit are judged as NHSRplotthedots judges them."""
    if len(values) == 0:
        return float("nan")
    x = values.astype(np.longdouble)
    # one by one, as R adds (numpy's sum pairs terms, and can differ in the last place)
    s = np.cumsum(x)[-1] / len(x)
    s += np.cumsum(x - s)[-1] / len(x)
    return float(s)


def _flag_windows(hit: np.ndarray, length: int) -> np.ndarray:
    """Every point of each window of ``length`` points that ends at a ``hit``."""
    flagged = np.zeros(len(hit), dtype=bool)
    for end in np.flatnonzero(hit):
        flagged[max(0, end - length + 1) : end + 1] = True
    return flagged


def _same_run(signs: np.ndarray, length: int) -> np.ndarray:
    """True at i when the ``length`` values ending at i are equal and not 0."""
    hit = np.zeros(len(signs), dtype=bool)
    if length < 1 or len(signs) < length:
        return hit
    windows = np.lib.stride_tricks.sliding_window_view(signs, length)
    hit[length - 1 :] = (windows == windows[:, :1]).all(axis=1) & (windows[:, 0] != 0)
    return hit


def _group_rules(
    y: np.ndarray,
    rtm: np.ndarray,
    close: np.ndarray,
    outside: np.ndarray,
    run_length: int,
    trend_length: int,
) -> tuple[
    np.ndarray, np.ndarray, dict[int, list[tuple[np.ndarray, np.ndarray]]], np.ndarray, np.ndarray
]:
    """One rebase group's rules: the rule chosen for each point (-1 for none), its direction
    (+1 above or increasing, -1 below or decreasing), each rule's own points and directions,
    for the conflict policy, and the points of a rising and of a falling trend."""
    n = len(y)
    steps = np.sign(np.diff(y))
    # trend: trend_length points, each step strictly up (or down); ties break it
    rising = _flag_windows(
        _same_run(np.r_[0, steps], trend_length - 1) & (np.r_[0, steps] > 0), trend_length
    )
    falling = _flag_windows(
        _same_run(np.r_[0, steps], trend_length - 1) & (np.r_[0, steps] < 0), trend_length
    )
    trend = rising | falling
    # a point in a trend takes the step after it when the next point is in it too, else before
    after = np.r_[steps, steps[-1:]] if n > 1 else np.zeros(n)
    before = np.r_[0, steps]
    next_in = np.r_[trend[1:], False]
    trend_sign = np.where(next_in & trend, after, before)
    # 2-in-3: a window of 3 with 2 or more near points and all 3 strictly on one side
    in_two = np.zeros(n, dtype=bool)
    if n >= 3:
        near = np.lib.stride_tricks.sliding_window_view(close.astype(int), 3).sum(axis=1)
        side = np.lib.stride_tricks.sliding_window_view(rtm, 3).sum(axis=1)
        for start in np.flatnonzero((near >= 2) & (np.abs(side) == 3)):
            in_two[start : start + 3] = True
    two = in_two & close
    # run: run_length points on one side of the mean (a point on it breaks the run)
    run = _flag_windows(_same_run(rtm, run_length), run_length)

    above = np.where(rtm > 0, 1, -1)
    fired = {
        _OUTSIDE: (outside, np.where(rtm == 1, 1, -1)),
        _TREND: (trend, np.where(trend_sign == 1, 1, -1)),
        _TWO_IN_THREE: (two, above),
        _RUN: (run, above),
    }
    rule = np.full(n, -1)
    direction = np.zeros(n, dtype=int)
    for number in sorted(fired, reverse=True):  # the first in precedence is written last
        hit, sign = fired[number]
        rule = np.where(hit, number, rule)
        direction = np.where(hit, sign, direction)
    # for the conflict policy: each rule's points with the direction it gives them (a point
    # at the meeting of a rising and a falling trend is in both)
    both = {
        _OUTSIDE: [(outside, np.where(rtm == 1, 1, -1))],
        _TREND: [(rising, np.ones(n, dtype=int)), (falling, -np.ones(n, dtype=int))],
        _TWO_IN_THREE: [(two, above)],
        _RUN: [(run, above)],
    }
    return rule, direction, both, rising, falling


def _type_text(rule: int, direction: int, run_length: int, trend_length: int) -> str:
    """The rule in NHSRplotthedots' words."""
    side = "Above" if direction > 0 else "Below"
    if rule == _OUTSIDE:
        return "Above UCL" if direction > 0 else "Below LCL"
    if rule == _TREND:
        return f"{trend_length} Point Trend ({'In' if direction > 0 else 'De'}creasing)"
    if rule == _TWO_IN_THREE:
        return f"2 in 3 {side} CL"
    if rule == _RUN:
        return f"{run_length} Points {side} CL"
    return "Common Cause"


def _point_type(direction: int, improvement: str) -> str:
    if direction == 0:
        return "common_cause"
    if improvement == "neutral":
        return "special_cause_neutral_high" if direction > 0 else "special_cause_neutral_low"
    good = direction * (1 if improvement == "increase" else -1)
    return "special_cause_improvement" if good > 0 else "special_cause_concern"


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def _explanation(
    rule: int,
    direction: int,
    point_type: str,
    row: dict[str, float],
    run_length: int,
    trend_length: int,
    two_in_three: str,
    trends: tuple[bool, bool] = (False, False),
    label: Callable[[float], str] = _number,
) -> str:
    """Which rule fired, in plain English, with the figures it was judged against."""
    if rule < 0:
        return ""
    kind = {
        "special_cause_improvement": "Special cause (improvement)",
        "special_cause_concern": "Special cause (concern)",
        "special_cause_neutral_high": "Special cause (high)",
        "special_cause_neutral_low": "Special cause (low)",
    }[point_type]
    high = direction > 0
    mean = label(row["mean"])
    if rule == _OUTSIDE:
        limit = label(row["upl"] if high else row["lpl"])
        where = "above the upper" if high else "below the lower"
        why = f"{where} process limit of {limit}: very unlikely by chance alone"
    elif rule == _TREND:
        in_rising, in_falling = trends
        if in_rising and in_falling:
            why = f"the turn between a rising and a falling trend of {trend_length} points"
        else:
            # the point's own trend (NHSRplotthedots labels a trend's end by the step after
            # it when the next point is in a trend too, so the label can say the other way)
            way = "higher" if in_rising or (high and not in_falling) else "lower"
            why = f"one of {trend_length} or more points in a row, each {way} than the one before"
    elif rule == _TWO_IN_THREE:
        near = label(row["near_upl"] if high else row["near_lpl"])
        side = "above" if high else "below"
        beyond = "beyond" if two_in_three == "mdc2023" else "beyond, but inside the limits,"
        why = (
            f"one of 2 out of 3 points in a row {beyond} the near {'upper' if high else 'lower'} "
            f"limit of {near}, all three {side} the mean of {mean}"
        )
    else:
        side = "above" if high else "below"
        why = f"one of {run_length} or more points in a row {side} the mean of {mean}"
    return f"{kind}: {why}."


def _periods_and_groups(
    n: int, periods: Sequence[Hashable] | None, rebase_at: Sequence[Hashable]
) -> tuple[list[Hashable] | None, np.ndarray]:
    """The periods as given (checked unique) and each point's rebase group."""
    starts = np.zeros(n, dtype=int)
    if periods is None:
        for position in rebase_at:
            if not isinstance(position, (int, np.integer)) or not 0 <= int(position) < n:
                raise ValueError(
                    f"rebase_at {position!r} is not a position in the series (0 to {n - 1}); "
                    "pass periods to rebase at periods"
                )
            starts[int(position)] = 1
        return None, np.cumsum(starts)
    periods = list(periods)  # as many as the values: xmr checked
    seen = pd.Index(periods)
    if seen.has_duplicates:
        repeated = ", ".join(map(str, pd.unique(seen[seen.duplicated()])))
        raise ValueError(f"the periods repeat: {repeated}")
    found = seen.get_indexer(list(rebase_at))  # exact matches only: "2017-04" is not April's days
    for when, at in zip(rebase_at, found, strict=True):
        if at < 0:
            raise ValueError(
                f"rebase period {when!r} is not in the series (it runs {periods[0]} to "
                f"{periods[-1]})"
            )
        starts[at] = 1
    return periods, np.cumsum(starts)


def _chronological(periods: list[Hashable]) -> np.ndarray:
    """The positions of ``periods`` in time order: perfnb periods by when they end (then start),
    anything else (dates, numbers) as it sorts."""
    try:
        parsed = [parse_period(str(p)) for p in periods]
        keys = pd.Series([(p.end, p.start) for p in parsed])
        return np.asarray(sorted(range(len(parsed)), key=lambda i: keys[i]))
    except PeriodError:
        pass
    try:
        return np.asarray(pd.Index(periods).argsort(kind="stable"))
    except TypeError as error:
        raise ValueError(f"the periods cannot be put in time order: {error}") from None


def _warn_about_gaps(periods: list[Hashable]) -> None:
    """A warning when perfnb periods (2017-04, 2017/18 Q1) skip one."""
    try:
        parsed = [parse_period(str(p)) for p in periods]
    except PeriodError:
        return  # dates or other labels: their spacing is the caller's
    missing = []
    for earlier, later in pairwise(parsed):
        first, last = earlier.next(), later.previous()
        if last != earlier:
            missing.append(first.label if first == last else f"{first.label} to {last.label}")
    if missing:
        warnings.warn(
            f"the series skips {', '.join(missing)}: moving ranges and runs are read across "
            "the gap",
            SPCWarning,
            stacklevel=3,
        )


def xmr(
    values: Sequence[float] | pd.Series | np.ndarray,
    periods: Sequence[Hashable] | None = None,
    *,
    improvement: str = "increase",
    target: float | None = None,
    rebase_at: Sequence[Hashable] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    trend_length: int = 7,
    two_in_three: str = "ptd",
    conflict: str = "ptd",
    label: Callable[[float], str] | None = None,
) -> pd.DataFrame:
    """An XmR chart's numbers, one row per point in period order (as given when there are no
    periods): ``SPC_COLUMNS`` (with ``period`` first when periods are given), then
    ``near_lpl``, ``near_upl``, ``relative_to_mean`` and ``trial_limits``. Limits are in the
    values' own unit.

    ``rebase_at`` takes periods (or 0-based positions when no periods are given): each starts a
    new group with its own mean, limits and rules. ``target`` is kept for :func:`summarise`.
    ``label`` writes a figure in the explanations (say with its unit); 4 significant figures
    otherwise.
    """
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}"
        )
    if two_in_three not in TWO_IN_THREE:
        raise ValueError(
            f"two_in_three must be one of {', '.join(TWO_IN_THREE)}, not {two_in_three!r}"
        )
    if conflict not in CONFLICTS:
        raise ValueError(f"conflict must be one of {', '.join(CONFLICTS)}, not {conflict!r}")
    for name, length in (("run_length", run_length), ("trend_length", trend_length)):
        if not isinstance(length, (int, np.integer)) or length < 3:
            raise ValueError(f"{name} must be a whole number of 3 or more (MDC uses 6 to 8)")
    if fix_after is not None and (
        not isinstance(fix_after, (int, np.integer)) or fix_after < MIN_FIX
    ):
        raise ValueError(
            f"fix_after must be a whole number of {MIN_FIX} or more, not {fix_after!r}"
        )
    given = pd.Series(list(values), dtype=object)
    y_all = np.asarray(pd.to_numeric(given, errors="coerce"), dtype=float)
    wrong = given.notna().to_numpy() & np.isnan(y_all)
    if wrong.any():
        first = int(np.flatnonzero(wrong)[0])
        raise ValueError(f"value {given.iloc[first]!r} at position {first} is not a number")
    if periods is not None:
        periods = list(periods)
        if len(periods) != len(y_all):
            raise ValueError(f"{len(y_all)} values but {len(periods)} periods")
        order = _chronological(periods)  # NHSRplotthedots sorts by date too
        y_all = y_all[order]
        periods = [periods[i] for i in order]
    n_all = len(y_all)
    periods, groups = _periods_and_groups(n_all, periods, rebase_at)
    present = ~np.isnan(y_all)
    if not present.all():
        missing = [str(periods[i]) if periods else str(i) for i in np.flatnonzero(~present)]
        warnings.warn(
            f"{len(missing)} missing value(s) left out ({', '.join(missing)}): moving ranges "
            "and runs are read across them",
            SPCWarning,
            stacklevel=2,
        )
    if periods is not None:
        _warn_about_gaps(periods)

    columns: dict[str, np.ndarray] = {
        "value": y_all,
        "rebase_group": groups,
        "mean": np.full(n_all, np.nan),
        "lpl": np.full(n_all, np.nan),
        "upl": np.full(n_all, np.nan),
        "near_lpl": np.full(n_all, np.nan),
        "near_upl": np.full(n_all, np.nan),
        "outside_limits": np.zeros(n_all, dtype=bool),
        "close_to_limits": np.zeros(n_all, dtype=bool),
        "relative_to_mean": np.zeros(n_all, dtype=int),
        "trial_limits": np.zeros(n_all, dtype=bool),
    }
    types = np.full(n_all, "Common Cause", dtype=object)
    point_types = np.full(n_all, "common_cause", dtype=object)
    explanations = np.full(n_all, "", dtype=object)
    for group in np.unique(groups):
        members = np.flatnonzero((groups == group) & present)
        if len(members) == 0:
            continue
        y = y_all[members]
        base = y[:fix_after] if fix_after is not None else y
        mean = _r_mean(base)
        ranges = np.abs(np.diff(base))
        amr = _r_mean(ranges)
        if screen_outliers and len(ranges):
            amr = _r_mean(ranges[ranges < SCREEN * amr])
        lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
        near_lpl, near_upl = mean - NEAR * amr, mean + NEAR * amr
        outside = (y > upl) | (y < lpl)
        beyond = (y < near_lpl) | (y > near_upl)
        close = beyond if two_in_three == "mdc2023" else ~outside & beyond
        rtm = np.sign(y - mean).astype(int)
        rule, direction, both, rising, falling = _group_rules(
            y, rtm, close, outside, run_length, trend_length
        )
        if conflict == "improvement" and improvement != "neutral":
            good = 1 if improvement == "increase" else -1
            for i in np.flatnonzero(direction * good < 0):  # a concern: any improvement too?
                for number in sorted(both):
                    hits = [sign[i] for hit, sign in both[number] if hit[i] and sign[i] == good]
                    if hits:
                        rule[i], direction[i] = number, hits[0]
                        break
        for name, column in (
            ("mean", mean),
            ("lpl", lpl),
            ("upl", upl),
            ("near_lpl", near_lpl),
            ("near_upl", near_upl),
        ):
            columns[name][groups == group] = column
        columns["outside_limits"][members] = outside
        columns["close_to_limits"][members] = beyond & ~outside  # mdc2023 counts more, not this
        columns["relative_to_mean"][members] = rtm
        columns["trial_limits"][groups == group] = len(members) < MIN_POINTS
        row = {"mean": mean, "lpl": lpl, "upl": upl, "near_lpl": near_lpl, "near_upl": near_upl}
        for where, (position, chosen, sign) in enumerate(
            zip(members, rule, direction, strict=True)
        ):
            if chosen < 0:
                continue
            kind = _point_type(int(sign), improvement)
            types[position] = _type_text(int(chosen), int(sign), run_length, trend_length)
            point_types[position] = kind
            explanations[position] = _explanation(
                int(chosen),
                int(sign),
                kind,
                row,
                run_length,
                trend_length,
                two_in_three,
                (bool(rising[where]), bool(falling[where])),
                label or _number,
            )
        if len(members) < MIN_POINTS:
            # not ``label``, the caller's formatter, which the next group's explanations use
            which = f"rebase group {group}" if len(np.unique(groups)) > 1 else "the series"
            warnings.warn(
                f"{which} has {len(members)} points: its limits are trial limits until it has "
                f"{MIN_POINTS}",
                SPCWarning,
                stacklevel=2,
            )
    point_types[~present] = "missing"
    types[~present] = "Missing"
    explanations[~present] = "No value for this period: left out of the calculation."
    result = pd.DataFrame(
        {
            **({"period": periods} if periods is not None else {}),
            "value": columns["value"],
            "rebase_group": columns["rebase_group"],
            "mean": columns["mean"],
            "lpl": columns["lpl"],
            "upl": columns["upl"],
            "outside_limits": columns["outside_limits"],
            "close_to_limits": columns["close_to_limits"],
            # object, not inferred string columns: a quarter of the time of a call otherwise
            "special_cause_type": pd.Series(types, dtype=object),
            "point_type": pd.Series(point_types, dtype=object),
            "explanation": pd.Series(explanations, dtype=object),
            "near_lpl": columns["near_lpl"],
            "near_upl": columns["near_upl"],
            "relative_to_mean": columns["relative_to_mean"],
            "trial_limits": columns["trial_limits"],
        }
    )
    result.attrs["spc"] = {"improvement": improvement, "target": target}
    return result


def _variation(point_type: str, improvement: str) -> str:
    """The variation icon's name for a point type, as NHSRplotthedots names its icons."""
    if point_type == "special_cause_improvement":
        return "improvement_high" if improvement == "increase" else "improvement_low"
    if point_type == "special_cause_concern":
        return "concern_low" if improvement == "increase" else "concern_high"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    return "common_cause"


def _assurance(target: float | None, lpl: float, upl: float, improvement: str) -> str | None:
    """Whether the process will meet ``target`` reliably, from the limits (strict)."""
    if target is None or improvement == "neutral" or pd.isna(target):
        return None
    increasing = improvement == "increase"
    if target > upl:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"


def summarise(result: pd.DataFrame, target: float | None = None) -> pd.DataFrame:
    """Per rebase group of an :func:`xmr` result: ``SUMMARY_COLUMNS``. ``variation`` is the icon
    of the group's last point; ``assurance`` (latest group only) compares ``target`` (else the
    one given to ``xmr``) with its limits; ``trial_limits`` when it has fewer than 13 points."""
    options = result.attrs.get("spc", {})
    improvement = options.get("improvement", "increase")
    target = options.get("target") if target is None else target
    rows = []
    kinds = result["point_type"].to_numpy()
    valued = kinds != "missing"
    groups = result["rebase_group"].to_numpy()[valued]
    kinds = kinds[valued]
    limits = result[["mean", "lpl", "upl"]].to_numpy()[valued]
    latest = groups.max() if len(groups) else None
    for group in np.unique(groups):
        mine = np.flatnonzero(groups == group)
        last = mine[-1]
        counts = {kind: int(np.count_nonzero(kinds[mine] == kind)) for kind in POINT_TYPES}
        mean, lpl, upl = (float(v) for v in limits[last])
        rows.append(
            {
                "rebase_group": int(group),
                "mean": mean,
                "lpl": lpl,
                "upl": upl,
                "n": len(mine),
                "common_cause": counts["common_cause"],
                "special_cause_improvement": counts["special_cause_improvement"],
                "special_cause_concern": counts["special_cause_concern"],
                "variation": _variation(str(kinds[last]), improvement),
                "assurance": _assurance(target, lpl, upl, improvement) if group == latest else None,
                "trial_limits": len(mine) < MIN_POINTS,
                "special_cause_neutral": counts["special_cause_neutral_high"]
                + counts["special_cause_neutral_low"],
            }
        )
    summary = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    # None, not NaN, where there is no assurance (no target, a neutral aim, an earlier group)
    summary["assurance"] = pd.Series([r["assurance"] for r in rows], dtype=object)
    return summary
