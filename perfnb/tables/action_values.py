"""The action plan's tables as data, for their CSVs (``perfnb.tables.actions`` prints them):
% complete as numbers (``50``, not ``50%``), dates as ISO dates beside the deadline as the
plan words it, the highlights (overdue, slipping, status differs, no update) as True or False,
ratings and statuses as words, a previous figure's period in a column of its own."""

from __future__ import annotations

import pandas as pd

from perfnb.actions import ACTION_RAGS
from perfnb.tables.values import (
    figure_values,
    numbers,
    target_values,
    texts,
    variance_values,
)

__all__ = [
    "action_reasons_values",
    "action_summary_values",
    "action_values",
    "linked_measures_values",
    "overdue_values",
    "rating_column",
]


def rating_column(rating: str) -> str:
    """A rating as a column name of the counts: ``At risk`` is ``at_risk``."""
    return rating.strip().lower().replace(" ", "_")


def _flags(rows: pd.DataFrame, column: str) -> pd.Series:
    if column not in rows.columns:
        return pd.Series(False, index=rows.index, dtype=bool)
    return rows[column].fillna(False).astype(bool)


def _dates(rows: pd.DataFrame, column: str) -> pd.Series:
    """A date column as ISO dates (``2010-03-31``), '' where there is none."""
    if column not in rows.columns:
        return texts(rows, column)
    dates = pd.to_datetime(rows[column], errors="coerce")
    return dates.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def action_values(progress: pd.DataFrame, outcomes: pd.Series | None = None) -> pd.DataFrame:
    """The monitoring table as data, one row per action or activity in the table's order:
    its theme, ids, title, officer, deadline (as written, and as a date), the period before's
    status and % complete (and which period that was), this period's (blank when not
    reported), the % expected, the rating, resources and outcome measure (``outcomes``, as
    printed, with each measure's rating), and the highlights."""
    reported = _flags(progress, "reported_this_period")
    columns = {
        "theme": texts(progress, "theme"),
        "action_id": texts(progress, "action_id"),
        "parent_id": texts(progress, "parent_id"),
        "title": texts(progress, "title"),
        "lead_officer": texts(progress, "lead_officer"),
        "deadline": texts(progress, "deadline"),
        "deadline_date": _dates(progress, "deadline_date"),
        "previous_period": texts(progress, "previous_period"),
        "previous_status": texts(progress, "previous_status"),
        "previous_pct_complete": numbers(progress, "previous_pct_complete"),
        "period": texts(progress, "period"),
        "status": texts(progress, "status").where(reported, ""),
        "pct_complete": numbers(progress, "pct_complete").where(reported),
        "expected_pct": numbers(progress, "expected_pct"),
        "rating": texts(progress, "rag"),
        "resources": texts(progress, "resources"),
        "outcome_measure": outcomes if outcomes is not None else texts(progress, "outcome_measure"),
        "overdue": _flags(progress, "overdue"),
        "slipping": _flags(progress, "slipping"),
        "status_differs": _flags(progress, "status_differs"),
        "no_update": _flags(progress, "no_update"),
    }
    return pd.DataFrame(columns, index=progress.index).reset_index(drop=True)


def action_summary_values(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """The counts by ``by`` as data: ``by`` (theme, lead_officer or service), one column of
    whole numbers per rating (``at_risk``) and ``total``."""
    ratings = [r for r in (*ACTION_RAGS, "Total") if r in counts.columns]
    frame = counts[[by, *ratings]].copy()
    frame[ratings] = frame[ratings].astype(int)
    return frame.rename(columns={r: rating_column(r) for r in ratings}).reset_index(drop=True)


def overdue_values(late: pd.DataFrame) -> pd.DataFrame:
    """The overdue actions as data, longest overdue first: the deadline as written and as a
    date, % complete as a number."""
    return pd.DataFrame(
        {
            "action_id": texts(late, "action_id"),
            "title": texts(late, "title"),
            "lead_officer": texts(late, "lead_officer"),
            "deadline": texts(late, "deadline"),
            "deadline_date": _dates(late, "deadline_date"),
            "pct_complete": numbers(late, "pct_complete"),
        },
        index=late.index,
    ).reset_index(drop=True)


def action_reasons_values(progress: pd.DataFrame) -> pd.DataFrame:
    """How each action's rating was reached, as data, with ``status_differs`` (True where the
    officer's status and the rating disagree)."""
    return pd.DataFrame(
        {
            "action_id": texts(progress, "action_id"),
            "rating": texts(progress, "rag"),
            "officer_status": texts(progress, "status"),
            "rag_reason": texts(progress, "rag_reason"),
            "status_differs": _flags(progress, "status_differs"),
        },
        index=progress.index,
    ).reset_index(drop=True)


def linked_measures_values(linked: pd.DataFrame) -> pd.DataFrame:
    """The measures the actions support as data: each measure's rating, figure, target and
    variance (``perfnb.tables.values``) and its actions with their ratings (``HD-RP-01
    (Completed); HD-RP-04 (At risk)``)."""
    if "measure_id" not in linked.columns:
        linked = linked.assign(measure_id=pd.Series([], dtype=object))
    first = linked.drop_duplicates("measure_id")
    actions = (
        {
            measure_id: "; ".join(
                f"{a} ({r})" for a, r in zip(group["action_id"], group["action_rag"], strict=True)
            )
            for measure_id, group in linked.groupby("measure_id", sort=False)
        }
        if len(linked)
        else {}
    )
    return pd.DataFrame(
        {
            "measure_id": texts(first, "measure_id"),
            "name": texts(first, "name"),
            "unit": texts(first, "unit"),
            "period": texts(first, "period"),
            "rag": texts(first, "rag"),
            **figure_values(first),
            **target_values(first),
            **variance_values(first),
            "actions": first["measure_id"].map(actions).fillna("").astype(object),
        },
        index=first.index,
    ).reset_index(drop=True)
