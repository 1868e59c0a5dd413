"""The special-cause rules of an XmR chart, as NHSRplotthedots applies them, and their words.

Four rules, each flagging every point of its pattern: a point outside the limits; a trend of
``trend_length`` points each strictly higher (or lower) than the one before; 2 of 3 points in a
row beyond a near limit, all 3 on the same side of the mean (only the near points are flagged);
``run_length`` points in a row on one side of the mean (a point on the mean breaks it).
Precedence: outside, trend, 2-in-3, run. A point's type orients its rule by the improvement
direction; :func:`explain_rule` says in plain English which rule fired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from perfnb.spc_limits import MIN_FIX

__all__ = [
    "CONFLICTS",
    "FIGURES",
    "IMPROVEMENTS",
    "POINT_TYPES",
    "TWO_IN_THREE",
    "check_improvement",
    "check_options",
    "explain_many",
    "explain_rule",
    "flat_rules",
    "group_rules",
    "number_text",
    "point_type_of",
    "prefer_improvement",
    "rule_text",
]

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

IMPROVEMENTS = ("increase", "decrease", "neutral")
TWO_IN_THREE = ("ptd", "mdc2023")
CONFLICTS = ("ptd", "improvement")

# the rules in order of precedence: outside limits, trend, 2-in-3, run
_OUTSIDE, _TREND, _TWO_IN_THREE, _RUN = range(4)
# the figures an explanation may name, in the order explain_many is given them
FIGURES = ("mean", "lpl", "upl", "near_lpl", "near_upl")
_PATTERNS = 4 * 2 * 5 * 4  # rule, high or low, point type, in a rising and a falling trend


def check_improvement(improvement: object, whose: str = "") -> None:
    """A ``ValueError`` unless ``improvement`` is one of ``IMPROVEMENTS`` (``whose`` names the
    series in the message)."""
    if improvement not in IMPROVEMENTS:
        raise ValueError(
            f"improvement{whose} must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}"
        )


def check_options(
    two_in_three: str, conflict: str, run_length: int, trend_length: int, fix_after: int | None
) -> None:
    """A ``ValueError`` naming the first of an XmR chart's options that is not allowed."""
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


def group_rules(
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


def _run_lengths(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The length of the run of equal values each value is in, a run ending at a segment's
    first point (``first``)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = first.copy()
    starts[1:] |= values[1:] != values[:-1]
    ids = np.cumsum(starts) - 1
    return np.bincount(ids)[ids]


def _shift(values: np.ndarray, by: int, fill: object) -> np.ndarray:
    """``values`` moved ``by`` places later (earlier when negative), ``fill`` in the gap."""
    moved = np.full(len(values), fill, dtype=values.dtype)
    if by > 0:
        moved[by:] = values[:-by]
    elif by < 0:
        moved[:by] = values[-by:]
    return moved


def flat_rules(
    y: np.ndarray,
    first: np.ndarray,
    rtm: np.ndarray,
    close: np.ndarray,
    outside: np.ndarray,
    good: np.ndarray,
    run_length: int,
    trend_length: int,
    conflict: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`group_rules` (and :func:`prefer_improvement` with ``conflict="improvement"``) for
    many rebase groups at once: ``y`` their points end to end, ``first`` True at each group's
    first point, ``good`` the improvement direction of each point's series (+1 for increase,
    -1 for decrease, 0 for neutral). The rule of each point (-1 for none), its direction, and
    whether it is in a rising and in a falling trend."""
    n = len(y)
    last = _shift(first, -1, True)
    steps = np.zeros(n)
    if n > 1:
        steps[1:] = np.sign(y[1:] - y[:-1])
    steps[first] = 0  # a group's first point has no step before it
    # trend: trend_length - 1 steps in a row all up (or down), and the point before them
    long_steps = _run_lengths(steps, first) >= trend_length - 1
    rise, fall = long_steps & (steps > 0), long_steps & (steps < 0)
    rising, falling = rise | _shift(rise, -1, False), fall | _shift(fall, -1, False)
    trend = rising | falling
    next_in = _shift(trend, -1, False) & ~last
    trend_sign = np.where(next_in & trend, _shift(steps, -1, 0.0), steps)
    # 2-in-3: windows of 3 within a group, 2 or more near and all 3 on one side
    starts = np.zeros(n, dtype=bool)
    if n >= 3:
        near = close[:-2].astype(int) + close[1:-1] + close[2:]
        side = rtm[:-2] + rtm[1:-1] + rtm[2:]
        starts[:-2] = ~last[:-2] & ~last[1:-1] & (near >= 2) & (np.abs(side) == 3)
    two = (starts | _shift(starts, 1, False) | _shift(starts, 2, False)) & close
    run = (rtm != 0) & (_run_lengths(rtm, first) >= run_length)

    above = np.where(rtm > 0, 1, -1)
    fired = [
        (_OUTSIDE, outside, np.where(rtm == 1, 1, -1)),
        (_TREND, trend, np.where(trend_sign == 1, 1, -1)),
        (_TWO_IN_THREE, two, above),
        (_RUN, run, above),
    ]
    rule = np.full(n, -1)
    direction = np.zeros(n, dtype=int)
    for number, hit, sign in reversed(fired):  # the first in precedence is written last
        rule = np.where(hit, number, rule)
        direction = np.where(hit, sign, direction)
    if conflict == "improvement":
        concern = direction * good < 0
        if concern.any():  # a concern in an improvement pattern too shows the first such
            better = np.full(n, -1)
            for number, hit in reversed(
                [
                    (_OUTSIDE, outside & (fired[0][2] == good)),
                    (_TREND, np.where(good > 0, rising, falling)),
                    (_TWO_IN_THREE, two & (above == good)),
                    (_RUN, run & (above == good)),
                ]
            ):
                better = np.where(hit, number, better)
            change = concern & (better >= 0)
            rule[change], direction[change] = better[change], good[change]
    return rule, direction, rising, falling


def prefer_improvement(
    rule: np.ndarray,
    direction: np.ndarray,
    both: dict[int, list[tuple[np.ndarray, np.ndarray]]],
    improvement: str,
) -> None:
    """The ``conflict="improvement"`` policy (MDC's tool's): a point whose chosen rule shows
    concern but which is also in an improvement pattern shows the first such rule in
    precedence instead. ``rule`` and ``direction`` (from :func:`group_rules`, with its
    ``both``) are changed in place; ``improvement`` is ``increase`` or ``decrease``."""
    good = 1 if improvement == "increase" else -1
    for i in np.flatnonzero(direction * good < 0):  # a concern: any improvement too?
        for number in sorted(both):
            hits = [sign[i] for hit, sign in both[number] if hit[i] and sign[i] == good]
            if hits:
                rule[i], direction[i] = number, hits[0]
                break


def rule_text(rule: int, direction: int, run_length: int, trend_length: int) -> str:
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


def point_type_of(direction: int, improvement: str) -> str:
    """A point's type (``POINT_TYPES``) from its rule's ``direction`` (+1 high, -1 low, 0 for
    no rule), oriented by ``improvement``."""
    if direction == 0:
        return "common_cause"
    if improvement == "neutral":
        return "special_cause_neutral_high" if direction > 0 else "special_cause_neutral_low"
    good = direction * (1 if improvement == "increase" else -1)
    return "special_cause_improvement" if good > 0 else "special_cause_concern"


def number_text(value: float) -> str:
    """A figure in an explanation: 4 significant figures, or whole from 10,000."""
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def explain_rule(
    rule: int,
    direction: int,
    point_type: str,
    row: dict[str, float],
    run_length: int,
    trend_length: int,
    two_in_three: str,
    trends: tuple[bool, bool] = (False, False),
    label: Callable[[float], str] = number_text,
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


def _templates(
    patterns: np.ndarray, run_length: int, trend_length: int, two_in_three: str
) -> dict[int, list[str]]:
    """Each pattern's explanation split at its figures: words, figure number, words..."""
    row = {name: float(i) for i, name in enumerate(FIGURES)}
    found = {}
    for pattern in patterns.tolist():
        rest, trends = divmod(pattern, 4)
        rest, kind = divmod(rest, 5)
        rule, high = divmod(rest, 2)
        text = explain_rule(
            rule,
            1 if high else -1,
            POINT_TYPES[kind],
            row,
            run_length,
            trend_length,
            two_in_three,
            (bool(trends & 2), bool(trends & 1)),
            lambda v: f"\0{int(v)}\0",
        )
        found[pattern] = text.split("\0")
    return found


def explain_many(
    rule: np.ndarray,
    direction: np.ndarray,
    kind: np.ndarray,
    trends: np.ndarray,
    segments: np.ndarray,
    figures: np.ndarray,
    labels: Sequence[Callable[[float], str]],
    options: tuple[int, int, str],
) -> tuple[np.ndarray, list[str]]:
    """:func:`explain_rule` for the points of many groups (from :func:`flat_rules`; ``kind``
    their ``POINT_TYPES`` numbers, ``trends`` 2 for a rising trend plus 1 for a falling one),
    each distinct text written once: a trend's once per pattern, the rest once per pattern and
    segment, with ``figures`` (a row of ``FIGURES`` per segment) in its ``labels``. ``options``
    are ``run_length``, ``trend_length`` and ``two_in_three``. Each point's text number (-1
    for none) and the texts."""
    number = np.full(len(rule), -1)
    special = np.flatnonzero(rule >= 0)
    if len(special) == 0:
        return number, []
    r = rule[special]
    pattern = ((r * 2 + (direction[special] > 0)) * 5 + kind[special]) * 4
    pattern += np.where(r == _TREND, trends[special], 0)
    width = len(figures) + 1
    keys = pattern * width + np.where(r == _TREND, 0, segments[special] + 1)
    distinct, number[special] = np.unique(keys, return_inverse=True)
    patterns, owners = np.divmod(distinct, width)
    templates = _templates(np.unique(patterns), *options)
    one_label = len(set(labels)) == 1
    texts: list[str] = []
    edges = np.flatnonzero(np.r_[True, patterns[1:] != patterns[:-1], True])
    for start, end in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True):
        parts = templates[int(patterns[start])]
        if len(parts) == 1:
            texts.append(parts[0])
            continue
        mine = owners[start:end] - 1
        named = []
        for figure in parts[1::2]:
            values = figures[mine, int(figure)].tolist()
            if one_label:
                named.append([labels[0](v) for v in values])
            else:
                named.append([labels[s](v) for s, v in zip(mine.tolist(), values, strict=True)])
        if len(named) == 1:
            texts += [parts[0] + a + parts[2] for a in named[0]]
        else:
            texts += [parts[0] + a + parts[2] + b + parts[4] for a, b in zip(*named, strict=True)]
    return number, texts
