"""How far along an action is expected to be at a period end, and what it last reported.

Progress is expected to run evenly from the action's start to its deadline, both days counted;
without a start date of its own an activity takes its action's, and otherwise the first day of the
first period the action was reported in. The officer's updates are dated by their period, so that
an update for September counts as the quarter's own.
"""

from __future__ import annotations

import pandas as pd

from perfnb.periods import Period, parse_period

__all__ = ["action_starts", "dated_updates", "expected_pct", "lookup_by_id"]


def action_starts(actions: pd.DataFrame, first_reported: pd.Series) -> pd.Series:
    """Each row's start: its own ``start_date``; else, for an activity, its action's start;
    else the first day of the first period it was reported in (NaT when none)."""
    ids = actions["action_id"].astype(str).tolist()
    own = dict(zip(ids, actions["start_date"], strict=True))
    reported = dict(zip(ids, lookup_by_id(first_reported, actions["action_id"]), strict=True))
    parent_ids = actions["parent_id"] if "parent_id" in actions else pd.Series("", actions.index)
    parents = dict(zip(ids, parent_ids.fillna("").astype(str), strict=True))

    def start(action_id: str, seen: frozenset[str]) -> object:
        if pd.notna(own[action_id]):
            return own[action_id]
        parent = parents[action_id]
        if parent in own and parent not in seen:  # a loop of parents stops where it began
            found = start(parent, seen | {parent})
            if pd.notna(found):
                return found
        return reported[action_id]

    starts = [start(action_id, frozenset({action_id})) for action_id in ids]
    return pd.Series(pd.to_datetime(starts), index=actions.index, dtype="datetime64[ns]")


def expected_pct(start: pd.Series, deadline: pd.Series, end: pd.Timestamp) -> pd.Series:
    """The % complete expected by ``end`` if work ran evenly from ``start`` to ``deadline``
    (whole days, first and last both counted), rounded to one decimal place as printed: 100
    where the deadline is on or before ``end`` (a start or none), else NaN where a date is
    missing."""
    # whole days, first and last both counted: 1 April to 31 March is 365
    span = (deadline - start).dt.days.astype(float) + 1
    elapsed = (end - start).dt.days.astype(float) + 1
    expected = (elapsed / span.where(span > 0) * 100).clip(0, 100)
    expected = expected.where(~(deadline <= end), 100.0)  # due by now: all of it expected
    return expected.round(1)  # as printed; slippage and the rating are judged on these


def dated_updates(updates: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The updates with their period's canonical label, first and last day (``_start``,
    ``_end``) and whether each is the report period's own (``_own``: it ends on the period's
    last day and lies within it, so a September update is 2009/10 Q2's)."""
    updates = updates.copy()
    labels = updates["period"].astype(str)
    parsed = {label: parse_period(label) for label in pd.unique(labels)}
    updates["period"] = labels.map(lambda p: parsed[p].label).astype(object)
    updates["_start"] = pd.to_datetime(labels.map(lambda p: pd.Timestamp(parsed[p].start)))
    updates["_end"] = pd.to_datetime(labels.map(lambda p: pd.Timestamp(parsed[p].end)))
    updates["_own"] = updates["_end"].eq(pd.Timestamp(period.end)) & updates["_start"].ge(
        pd.Timestamp(period.start)
    )
    return updates


def lookup_by_id(by_id: pd.Series, ids: pd.Series) -> pd.Series:
    """``by_id``'s value for each of ``ids`` (missing where it has none), in ``ids``' order."""
    return pd.Series(by_id.reindex(ids.to_numpy()).to_numpy(), index=ids.index)
