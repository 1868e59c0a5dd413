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

The limits are worked out in ``perfnb.spc_limits``, the rules in ``perfnb.special_causes`` and
the summary in ``perfnb.spc_summary``; all of it is imported from here. :func:`xmr_many` and
:func:`summarise_many` (``perfnb.spc_batch``) chart many series of a long frame at once, each
exactly as :func:`xmr` and :func:`summarise` chart it, its warnings in ``attrs["spc_warnings"]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence

import numpy as np
import pandas as pd

from perfnb.periods import PeriodError, parse_period
from perfnb.spc_batch import gap_text, missing_text, summarise_many, trial_text, xmr_many
from perfnb.spc_limits import LIMIT as LIMIT
from perfnb.spc_limits import MIN_FIX as MIN_FIX
from perfnb.spc_limits import MIN_POINTS, SPCWarning, process_limits
from perfnb.spc_limits import NEAR as NEAR
from perfnb.spc_limits import SCREEN as SCREEN
from perfnb.spc_summary import ASSURANCES, SUMMARY_COLUMNS, VARIATIONS, summarise
from perfnb.special_causes import CONFLICTS as CONFLICTS
from perfnb.special_causes import (
    IMPROVEMENTS,
    POINT_TYPES,
    check_improvement,
    check_options,
    explain_rule,
    group_rules,
    number_text,
    point_type_of,
    prefer_improvement,
    rule_text,
)
from perfnb.special_causes import TWO_IN_THREE as TWO_IN_THREE

__all__ = [
    "ASSURANCES",
    "IMPROVEMENTS",
    "POINT_TYPES",
    "SPC_COLUMNS",
    "SUMMARY_COLUMNS",
    "VARIATIONS",
    "SPCWarning",
    "summarise",
    "summarise_many",
    "xmr",
    "xmr_many",
]

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
    text = gap_text(parsed)
    if text:
        warnings.warn(text, SPCWarning, stacklevel=3)


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
    check_improvement(improvement)
    check_options(two_in_three, conflict, run_length, trend_length, fix_after)
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
        warnings.warn(missing_text(missing), SPCWarning, stacklevel=2)
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
        mean, lpl, upl, near_lpl, near_upl = process_limits(y, fix_after, screen_outliers)
        outside = (y > upl) | (y < lpl)
        beyond = (y < near_lpl) | (y > near_upl)
        close = beyond if two_in_three == "mdc2023" else ~outside & beyond
        rtm = np.sign(y - mean).astype(int)
        rule, direction, both, rising, falling = group_rules(
            y, rtm, close, outside, run_length, trend_length
        )
        if conflict == "improvement" and improvement != "neutral":
            prefer_improvement(rule, direction, both, improvement)
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
            kind = point_type_of(int(sign), improvement)
            types[position] = rule_text(int(chosen), int(sign), run_length, trend_length)
            point_types[position] = kind
            explanations[position] = explain_rule(
                int(chosen),
                int(sign),
                kind,
                row,
                run_length,
                trend_length,
                two_in_three,
                (bool(rising[where]), bool(falling[where])),
                label or number_text,
            )
        if len(members) < MIN_POINTS:
            # not ``label``, the caller's formatter, which the next group's explanations use
            which = f"rebase group {group}" if len(np.unique(groups)) > 1 else "the series"
            warnings.warn(trial_text(which, len(members)), SPCWarning, stacklevel=2)
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
