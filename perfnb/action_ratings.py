"""The rating rule for an action at a period end, and the sentence that gives its reason.

The derived rating is the first that applies: ``Cancelled`` or ``Completed`` as the officer
reports (or 100% complete, or a plan that records completion); ``Overdue`` when the deadline fell
before the period end; ``At risk`` when the officer says At risk or Off target, the action is more
than ``AT_RISK_POINTS`` behind expected progress, or no progress was reported for the period;
``On track`` otherwise. ``OFFICER_RATINGS`` says what rating an officer's own status amounts to.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from perfnb.periods import Period
from perfnb.timescales import parse_timescale, says_done

__all__ = [
    "ACTION_RAGS",
    "AT_RISK_POINTS",
    "OFFICER_RATINGS",
    "action_reason",
    "derived_rating",
    "percent_text",
    "plan_records_done",
]

ACTION_RAGS = ("Overdue", "At risk", "On track", "Completed", "Cancelled")
AT_RISK_POINTS = 10.0  # percentage points behind expected progress that make an action At risk

# the rating an officer's status amounts to, to see where officer and figures disagree
OFFICER_RATINGS = {
    "on target": "On track",
    "at risk": "At risk",
    "off target": "At risk",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


def _day(value: object) -> str:
    """``30 Sep 2009``."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def percent_text(value: float | None) -> str:
    """A percentage as action plans print it: ``50%``, ``25.1%``; blank when there is none."""
    if value is None or pd.isna(value):
        return ""
    return f"{round(float(value), 1):g}%"


def _outcome_done(outcome: object) -> str:
    """The words of an ``outcome_measure`` cell that record completion, where the cell or one
    of its paragraphs (parts separated by ``;``) is only such words (seed 003's
    "Improved assessment response and service development.; Completed"); else blank."""
    parts = [part.strip() for part in str(outcome or "").split(";")]
    return next((part for part in parts if says_done(part)), "")


def plan_records_done(actions: pd.DataFrame, start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Where the plan itself records an action as done by ``end``, the words that say so, for
    its reason: the timescale ("Already achieved"; "Review completed September 2003" once that
    month has come) or the outcome column ("Achieved"); blank elsewhere. A timescale's date of
    completion counts only if it began by the action's ``start`` (when it has one): a plan
    cannot record as done work dated after it began, so "Completed March 2004" in a plan
    starting in October 2003 is a deadline."""
    said = []
    rows = zip(actions["deadline"], actions["outcome_measure"], start, strict=True)
    for deadline, outcome, began in rows:
        timescale = parse_timescale(deadline)
        words = _outcome_done(outcome)
        dated = timescale.deadline is not None
        recorded = timescale.done and (
            not dated
            or (
                timescale.deadline <= end.date()
                and (pd.isna(began) or timescale.first <= pd.Timestamp(began).date())
            )
        )
        if recorded:
            said.append(f'the timescale says "{timescale.text}"')
        elif words:
            said.append(f'the outcome column says "{words}"')
        else:
            said.append("")
    return pd.Series(said, index=actions.index, dtype=object)


def derived_rating(
    *,
    cancelled: pd.Series,
    completed: pd.Series,
    overdue: pd.Series,
    officer_worried: pd.Series,
    behind: pd.Series,
    silent: pd.Series,
    new: pd.Series,
) -> np.ndarray:
    """Each action's derived rating (``ACTION_RAGS``), the first that applies: Cancelled,
    Completed, Overdue, At risk (``officer_worried``: the officer says At risk or Off target;
    ``behind`` expected progress; ``silent``: no update this period, unless the action is
    ``new`` and nothing is due from it yet), else On track."""
    return np.select(
        [cancelled, completed, overdue, officer_worried, behind, silent & ~new],
        ["Cancelled", "Completed", "Overdue", "At risk", "At risk", "At risk"],
        "On track",
    )


def action_reason(
    row: dict[str, Any],
    period: Period,
    points: float,
    silent: bool,
    new: bool,
    future: bool,
    behind: bool,
) -> str:
    """Why an action has its rating, in a sentence a committee can read."""
    rag, status = row["rag"], str(row["status"])
    pct, expected = row["pct_complete"], row["expected_pct"]
    deadline = row["deadline_date"]
    if pd.notna(pct):
        done = f"{percent_text(pct)} complete"
    else:
        done = "not started" if status.lower() == "not started" else "no % complete reported"
    if rag == "Cancelled":
        return "Cancelled: reported as cancelled"
    if rag == "Completed":
        if status.lower() == "completed" or (pd.notna(pct) and pct >= 100):
            return f"Completed: reported as {status or 'complete'} ({done})"
        return f"Completed: {row['plan_done']}"
    if rag == "Overdue":
        state = {
            "not started": "it has not started",
            "no % complete reported": "no % complete is reported",
        }.get(done, f"it is {done}")
        return f"Overdue: the deadline, {_day(deadline)}, has passed and {state}"
    if status.lower() in ("at risk", "off target"):
        return f"At risk: the lead officer reports it {status} ({done})"
    if behind:
        return (
            f"At risk: {round(float(row['slippage']), 1):g} points behind the "
            f"{percent_text(expected)} expected by {_day(period.end)} ({done}, more than "
            f"{points:g} points behind)"
        )
    if silent and not new:
        return f"At risk: no progress reported for {period.short_label}"
    if future:
        return f"On track: starts {_day(row['start_date'])}; nothing is due from it yet"
    if new and pd.notna(deadline) and deadline <= pd.Timestamp(period.end):
        return f"On track: started this period and due by {_day(deadline)}; no progress reported"
    if new:
        return "On track: started this period; no progress due yet"
    if pd.isna(deadline):
        return f"On track: {done}; no deadline ({row['deadline'] or 'none given'})"
    if pd.isna(expected):
        return f"On track: {done}"
    return f"On track: {done}, {percent_text(expected)} expected by {_day(period.end)}"
