"""Action plans: where each improvement action stands at a period end, and summaries of them.

A committee asks of every action: is it on track, who owns it, is it overdue? For a report
period, :func:`action_progress` gives one row per action (and activity) with the officer's
status and % complete, the progress expected by the period end if the work ran evenly from
start to deadline, the slippage (expected less actual, in percentage points: positive is
behind), whether it is overdue or due in the next period, and a derived rating with its reason:

- ``Cancelled``, ``Completed``: as the officer reports (or 100% complete); with no report, a
  plan that records completion ("Already achieved" or "Review completed September 2003" as
  the timescale, "Achieved" as the outcome) is Completed;
- ``Overdue``: the deadline fell before the period end and it is not completed;
- ``At risk``: the officer says At risk or Off target, it is more than ``at_risk_points``
  behind expected progress, or no progress was reported for the period;
- ``On track``: otherwise.

The officer's status is kept beside the derived rating; ``status_differs`` marks where the
two disagree (an officer's On target for an action that is overdue), as RAG overrides do.
:func:`lead_officers` reads the people a ``lead_officer`` cell names, so that the counts by
lead officer count each person once per action they lead.

The rating rule and its reasons are ``perfnb.action_ratings``, expected progress
``perfnb.expected_progress``, lead officers ``perfnb.officers`` and the summaries and links to
measures ``perfnb.action_summaries``; all of it is imported from here.
"""

from __future__ import annotations

import pandas as pd

from perfnb.action_ratings import (
    ACTION_RAGS,
    AT_RISK_POINTS,
    OFFICER_RATINGS,
    action_reason,
    derived_rating,
    percent_text,
    plan_records_done,
)
from perfnb.action_summaries import (
    action_summary,
    linked_measures,
    outcome_measure_ids,
    overdue_actions,
    services_with_actions,
)
from perfnb.expected_progress import action_starts, dated_updates, expected_pct, lookup_by_id
from perfnb.officers import lead_officers
from perfnb.periods import Period, parse_period

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_RAGS",
    "AT_RISK_POINTS",
    "action_progress",
    "action_summary",
    "lead_officers",
    "linked_measures",
    "outcome_measure_ids",
    "overdue_actions",
    "percent_text",
    "services_with_actions",
]

# output/<period>/actions.csv, in this order (the contract), then the rest
ACTION_COLUMNS = (
    "action_id",
    "title",
    "service",
    "lead_officer",
    "deadline",
    "status",
    "pct_complete",
    "previous_pct_complete",
    "expected_pct",
    "slippage",
    "overdue",
    "due_soon",
    "rag",
    "rag_reason",
)
_MORE_COLUMNS = (
    "theme",
    "authorising_officer",
    "parent_id",
    "start",
    "deadline_date",
    "deadline_kind",
    "resources",
    "outcome_measure",
    "updated_period",
    "reported_this_period",
    "previous_status",
    "previous_period",
    "progress",
    "issues",
    "status_differs",
    "no_update",
    "slipping",
    "period",
)


def action_progress(
    actions: pd.DataFrame,
    updates: pd.DataFrame,
    period: Period | str,
    *,
    at_risk_points: float = AT_RISK_POINTS,
) -> pd.DataFrame:
    """One row per action at the end of ``period`` (the loader's ``actions`` and
    ``action_updates`` frames): ``ACTION_COLUMNS`` then the rest. Percentages are per cent
    complete; ``expected_pct`` assumes even progress from the start (without one, an
    activity's action's start, else the start of the first period it was reported in) to the
    deadline; ``slippage`` is expected less actual in percentage points. An action the plan
    records as done (its timescale or outcome column) is Completed until a report says more."""
    period = parse_period(period)
    end = pd.Timestamp(period.end)
    following = period.next()
    actions = actions.reset_index(drop=True)
    updates = dated_updates(updates, period)
    reported = updates[updates["_end"] <= end].sort_values(["action_id", "_end"], kind="stable")

    latest = reported.groupby("action_id").tail(1).set_index("action_id")
    earlier = reported[reported["_end"] < end]
    # "the period before": the latest update before this period's own
    before = earlier.groupby("action_id").tail(1).set_index("action_id")
    first_start = updates.groupby("action_id")["_start"].min()

    ids = actions["action_id"]
    this_period = lookup_by_id(latest["_own"], ids).fillna(False).astype(bool)
    status = lookup_by_id(latest["status"], ids).fillna("").astype(object)
    pct = lookup_by_id(latest["pct_complete"], ids).astype(float)
    previous = lookup_by_id(before["pct_complete"], ids).astype(float)
    if len(actions):
        previous = previous.where(this_period, pct)  # no new update: last is still the latest

    start = action_starts(actions, first_start)
    deadline = actions["deadline_date"]
    expected = expected_pct(start, deadline, end)
    lowered = status.str.lower()
    # "Not started" with no % written is 0% done: behind when work was already expected
    done = pct.where(~(lowered.eq("not started") & pct.isna()), 0.0)
    slippage = (expected - done).round(1)

    cancelled = lowered.eq("cancelled")
    # what the plan records counts until a report says more
    plan_done = plan_records_done(actions, start, end).where(status.eq(""), "")
    completed = ~cancelled & (lowered.eq("completed") | pct.ge(100) | plan_done.ne(""))
    finished = cancelled | completed
    overdue = ~finished & deadline.notna() & (deadline < end)
    due_soon = (
        ~finished & deadline.notna() & (deadline > end) & (deadline <= pd.Timestamp(following.end))
    )
    officer_worried = lowered.isin(["at risk", "off target"])
    behind = slippage > at_risk_points
    silent = ~this_period & ~finished
    unreported = silent & status.eq("") & start.notna()
    new = unreported & (start >= pd.Timestamp(period.start)) & (start <= end)
    future = unreported & (start > end)  # planned, not begun: nothing is due from it yet
    new = new | future

    rag = derived_rating(
        cancelled=cancelled,
        completed=completed,
        overdue=overdue,
        officer_worried=officer_worried,
        behind=behind,
        silent=silent,
        new=new,
    )
    out = pd.DataFrame(
        {
            "action_id": ids.astype(object),
            "title": actions["title"].astype(object),
            "service": actions["service"].astype(object),
            "lead_officer": actions["lead_officer"].astype(object),
            "deadline": actions["deadline"].astype(object),
            "status": status,
            "pct_complete": pct,
            "previous_pct_complete": previous,
            "expected_pct": expected,
            "slippage": slippage,
            "overdue": overdue.astype(bool),
            "due_soon": due_soon.astype(bool),
            "rag": pd.Series(rag, index=actions.index, dtype=object),
        }
    )
    out["rag_reason"] = [
        action_reason(row, period, at_risk_points, bool(quiet), bool(fresh), bool(late), bool(slow))
        for row, quiet, fresh, late, slow in zip(
            out.assign(deadline_date=deadline, start_date=start, plan_done=plan_done).to_dict(
                "records"
            ),
            silent,
            new,
            future,
            behind,
            strict=True,
        )
    ]
    for name in _MORE_COLUMNS:
        if name in actions:
            out[name] = actions[name]
    out["updated_period"] = lookup_by_id(latest["period"], ids).fillna("").astype(object)
    out["reported_this_period"] = this_period.to_numpy()
    # the status and % complete of the period before, as the officer reported them then
    previous_status = lookup_by_id(before["status"], ids).fillna("").astype(object)
    previous_period = lookup_by_id(before["period"], ids).fillna("").astype(object)
    out["previous_status"] = previous_status.where(this_period, status)
    out["previous_period"] = previous_period.where(this_period, out["updated_period"])
    for name in ("progress", "issues"):  # words of this period's own update only
        words = lookup_by_id(latest[name], ids).fillna("").astype(object)
        out[name] = words.where(this_period, "")
    said = lowered.map(OFFICER_RATINGS).fillna("")
    out["status_differs"] = (said != "") & (said != out["rag"])
    out["no_update"] = (silent & ~new).to_numpy()  # due an update this period, none given
    out["slipping"] = (~finished & behind).to_numpy()  # more than at_risk_points behind
    out["period"] = period.label
    return out.reset_index(drop=True)
