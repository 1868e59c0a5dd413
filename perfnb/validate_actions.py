"""Checks of the action plans: actions.csv and action_updates.csv.

Updates and activities name a known action; % complete is 0 to 100, does not go backwards
(a warning) and is 100 once the status is Completed (a warning otherwise).
"""

from __future__ import annotations

import pandas as pd

from perfnb.contract import ACTION_STATUS_WORDS, Problem
from perfnb.problem_collector import ProblemCollector
from perfnb.raw_table import RawTable

__all__ = ["check_actions"]


def check_actions(tables: dict[str, RawTable], out: ProblemCollector) -> None:
    """Action plans: updates and activities name a known action; % complete is 0 to 100,
    does not go backwards (a warning) and is 100 when Completed (a warning otherwise)."""
    actions, updates = tables.get("actions"), tables.get("action_updates")
    known: set[str] = set()
    if actions is not None and "action_id" in actions.frame:
        ids = actions.frame["action_id"].astype(str).str.strip()
        known = set(ids)
        if "parent_id" in actions.frame:
            parent = actions.frame["parent_id"].astype(str).str.strip()
            out.add_rows(
                actions,
                (parent != "") & ~parent.isin(known),
                "parent_id",
                "is not an action_id in actions.csv",
            )
            out.add_rows(
                actions, (parent != "") & (parent == ids), "parent_id", "is the action itself"
            )
    if updates is None or "action_id" not in updates.frame:
        return
    ids = updates.frame["action_id"].astype(str).str.strip()
    if actions is None:
        out.add(
            Problem(
                updates.label,
                "has updates but the data set has no actions.csv listing the actions",
                column="action_id",
            )
        )
    else:
        out.add_rows(
            updates,
            (ids != "") & ~ids.isin(known),
            "action_id",
            "is not an action_id in actions.csv",
        )
    if "pct_complete" not in updates.frame:
        return
    pct = updates.number("pct_complete")
    out.add_rows(
        updates, (pct < 0) | (pct > 100), "pct_complete", "is not a percentage from 0 to 100"
    )
    if "status" in updates.frame:
        status = updates.frame["status"].astype(str).str.strip().str.lower()
        done = {w.lower() for w, means in ACTION_STATUS_WORDS.items() if means == "Completed"}
        out.add_rows(
            updates,
            status.isin({"completed", *done}) & (pct < 100),
            "pct_complete",
            "is less than 100 for an action whose status is Completed",
            severity="warning",
        )
    if "period" in updates.frame:
        periods = updates.periods("period")
        order = pd.DataFrame(
            {"id": ids, "start": periods["period_start"], "end": periods["period_end"], "pct": pct}
        ).dropna()
        order = order.sort_values(["id", "end", "start"], kind="stable")
        before = order.groupby("id")["pct"].shift(1)
        backwards = order["pct"] < before
        out.add_rows(
            updates,
            backwards.reindex(updates.frame.index, fill_value=False),
            "pct_complete",
            "is lower than the action's % complete in the period before; is it right?",
            severity="warning",
        )
