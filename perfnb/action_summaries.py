"""Action plans summed up and linked: counts by rating, the overdue actions, the measures the
actions name as outcome measures beside their scorecard rows, and the services with a plan to
report for a period.
"""

from __future__ import annotations

import re

import pandas as pd

from perfnb.action_ratings import ACTION_RAGS
from perfnb.expected_progress import dated_updates
from perfnb.officers import lead_officers
from perfnb.periods import Period

__all__ = [
    "action_summary",
    "linked_measures",
    "outcome_measure_ids",
    "overdue_actions",
    "services_with_actions",
]


def outcome_measure_ids(outcome: object) -> list[str]:
    """The parts of an ``outcome_measure`` cell, split at ``;`` or ``,`` (measure ids where it
    names measures; free text otherwise)."""
    return [part.strip() for part in re.split(r"[;,]", str(outcome or "")) if part.strip()]


def action_summary(progress: pd.DataFrame, by: str = "service") -> pd.DataFrame:
    """Counts of actions by derived rating (``ACTION_RAGS``) for each ``by`` (service, theme
    or lead_officer), with the total and how many are overdue, largest concern first. By
    lead officer, an action led jointly counts once for each person (:func:`lead_officers`)."""
    if by == "lead_officer":
        progress = progress.assign(lead_officer=lead_officers(progress["lead_officer"]))
        progress = progress.explode("lead_officer")
    counts = pd.crosstab(progress[by], progress["rag"]).reindex(columns=list(ACTION_RAGS))
    counts = counts.fillna(0).astype(int)
    counts["Total"] = counts.sum(axis=1)
    counts = counts.sort_values(["Overdue", "At risk", "Total"], ascending=False, kind="stable")
    return counts.reset_index().rename_axis(columns=None)


def overdue_actions(progress: pd.DataFrame) -> pd.DataFrame:
    """The overdue actions, longest overdue first."""
    return progress[progress["overdue"]].sort_values("deadline_date", kind="stable")


def linked_measures(progress: pd.DataFrame, card: pd.DataFrame) -> pd.DataFrame:
    """Actions whose ``outcome_measure`` names measures of ``card`` (a ``measure_id``, or
    several separated by ``;`` or ``,``), one row per action and measure, with the measure's
    row of the scorecard (its ``rag``, figures and reason) beside the action's columns."""
    named = progress[["action_id", "title", "rag", "outcome_measure"]].rename(
        columns={"rag": "action_rag"}
    )
    named = named.assign(measure_id=named["outcome_measure"].map(outcome_measure_ids))
    named = named.explode("measure_id").dropna(subset=["measure_id"])
    known = card.drop_duplicates("measure_id")
    linked = named.merge(known, on="measure_id", how="inner", suffixes=("", "_measure"))
    return linked.drop(columns="outcome_measure").reset_index(drop=True)


def services_with_actions(
    actions: pd.DataFrame, updates: pd.DataFrame, period: Period
) -> list[str]:
    """The services with an action plan to report for ``period``: an action updated for the
    period, or one starting in it (a new plan); in the order actions.csv first names them."""
    if actions.empty:
        return []
    updates = dated_updates(updates, period)
    updated = set(updates.loc[updates["_own"], "action_id"])
    start = actions["start_date"]
    starting = start.ge(pd.Timestamp(period.start)) & start.le(pd.Timestamp(period.end))
    live = actions["action_id"].isin(updated) | starting
    return list(pd.unique(actions.loc[live, "service"]))
