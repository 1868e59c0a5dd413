"""A service's action plan as tables: seed 001's monitoring table (with seed 003's resources and
outcome measures where a plan has them), counts by rating, the overdue actions, how each rating
was reached, and the measures the actions support. Each is a ``perfnb.tables.Table``, built
from :func:`perfnb.action_progress` rows and nothing else, with its rows as data for its CSV
(``perfnb.tables.action_values``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from perfnb.actions import (
    ACTION_RAGS,
    action_summary,
    outcome_measure_ids,
    overdue_actions,
    percent_text,
)
from perfnb.loader import slugify
from perfnb.periods import parse_period
from perfnb.tables import Table, target_to_date, this_period_text, variance_text
from perfnb.tables.action_values import (
    action_reasons_values,
    action_summary_values,
    action_values,
    linked_measures_values,
    overdue_values,
)

__all__ = [
    "action_reasons_table",
    "action_summary_table",
    "action_table",
    "action_titles",
    "linked_measures_table",
    "outcome_text",
    "overdue_table",
]


def outcome_text(outcome: str, measure_rags: Mapping[str, str]) -> str:
    """An action's outcome measure as printed: measure ids with their current rating
    (``HD-CONTACTS (Red)``), free text as written."""
    parts = outcome_measure_ids(outcome)
    if parts and all(p in measure_rags for p in parts):
        return "; ".join(f"{p} ({measure_rags[p] or 'not rated'})" for p in parts)
    return str(outcome or "")


def _previous_label(progress: pd.DataFrame) -> str:
    """The period the "previous" columns show: the one most actions were last reported in."""
    here = progress["period"].iloc[0] if len(progress) else ""
    earlier = progress["previous_period"][progress["previous_period"].ne(here)]
    earlier = earlier[earlier.ne("")]
    return str(earlier.mode().iloc[0]) if len(earlier) else ""


def _activities_under_actions(progress: pd.DataFrame) -> pd.DataFrame:
    """The rows in plan order, each activity (a row with a ``parent_id``) straight after the
    action (or activity) it belongs to, and under its theme when it has none of its own; an
    activity whose action is not in the plan stays where it is."""
    progress = progress.reset_index(drop=True)
    if "parent_id" not in progress or not progress["parent_id"].fillna("").ne("").any():
        return progress
    parent = progress["parent_id"].fillna("").astype(str)
    ids = progress["action_id"].astype(str)
    known = set(ids)
    children: dict[str, list[int]] = {}
    tops = []
    for position, (action_id, owner) in enumerate(zip(ids, parent, strict=True)):
        if owner and owner in known and owner != action_id:
            children.setdefault(owner, []).append(position)
        else:
            tops.append(position)
    order: list[int] = []
    seen: set[int] = set()

    def visit(position: int) -> None:
        if position in seen:  # a loop of parents (validation reports it) is listed once
            return
        seen.add(position)
        order.append(position)
        for child in children.get(ids[position], []):
            visit(child)

    for position in tops:
        visit(position)
    order += [p for p in range(len(progress)) if p not in seen]
    ordered = progress.iloc[order].reset_index(drop=True)
    if "theme" in ordered:  # an activity without a theme sits under its action's
        theme = ordered["theme"].fillna("").astype(str).tolist()
        by_id = dict(zip(ordered["action_id"].astype(str), range(len(ordered)), strict=True))
        for i, owner in enumerate(ordered["parent_id"].fillna("").astype(str)):
            if not theme[i] and owner in by_id:
                theme[i] = theme[by_id[owner]]
        ordered["theme"] = theme
    return ordered


def action_titles(progress: pd.DataFrame) -> pd.Series:
    """Each row's title; an activity's says whose: ``Activity of COR-HSC-AP-29: ...``."""
    titles = progress["title"].astype(object)
    if "parent_id" not in progress:
        return titles
    parent = progress["parent_id"].fillna("").astype(str)
    return titles.where(parent.eq(""), "Activity of " + parent + ": " + titles)


def action_table(progress: pd.DataFrame, measure_rags: Mapping[str, str] | None = None) -> Table:
    """Seed 001's monitoring table from ``perfnb.action_progress``: action, title, lead officer,
    deadline, the officer's status and % complete last period and this period, the % expected
    by the period end and the derived rating; seed 003's resources and outcome measure where
    the plan has them (a measure id shown with its rating from ``measure_rags``); one table per
    theme. Highlighted: an overdue deadline, a % complete more than the at-risk points behind,
    a status the rating disagrees with, and a missing update."""
    measure_rags = measure_rags or {}
    if progress.empty:
        return Table(
            "actions",
            "Actions",
            pd.DataFrame(),
            empty_text="This service has no actions.",
            values=action_values(progress),
        )
    progress = _activities_under_actions(progress)
    here = str(progress["period"].iloc[0]) if len(progress) else ""
    this_label = parse_period(here).short_label if here else "This period"
    before = _previous_label(progress)
    before_label = parse_period(before).short_label if before else "Previous"
    reported_now = progress["reported_this_period"].astype(bool)
    elsewhere = progress["previous_period"].ne(before) & progress["previous_period"].ne("")
    previous_pct = progress["previous_pct_complete"].map(percent_text)
    # a previous figure from another period than the column's says which
    previous_pct = previous_pct.where(
        ~elsewhere | previous_pct.eq(""),
        previous_pct + " (" + progress["previous_period"] + ")",
    )
    status_now = progress["status"].where(reported_now, "")
    status_now = status_now.where(~progress["no_update"], "No update")
    columns: dict[tuple[str, str], pd.Series] = {
        ("", "Theme"): progress["theme"].fillna("").replace("", "Actions").astype(object)
        if "theme" in progress
        else pd.Series("Actions", index=progress.index, dtype=object),
        ("", "Action"): progress["action_id"].astype(object),
        ("", "Title"): action_titles(progress),
        ("", "Lead officer"): progress["lead_officer"].fillna("").astype(object),
        ("", "Deadline"): progress["deadline"].fillna("").astype(object),
        (before_label, "Status"): progress["previous_status"].where(
            progress["previous_period"].ne(""), ""
        ),
        (before_label, "% complete"): previous_pct.where(progress["previous_period"].ne(""), ""),
        (this_label, "Status"): status_now.astype(object),
        (this_label, "% complete"): progress["pct_complete"]
        .map(percent_text)
        .where(reported_now, ""),
        ("", "Expected"): progress["expected_pct"].map(percent_text),
        ("", "Rating"): progress["rag"].astype(object),
    }
    if "resources" in progress:
        columns[("", "Resources")] = progress["resources"].fillna("").astype(object)
    outcomes = None
    if "outcome_measure" in progress:
        outcomes = progress["outcome_measure"].map(lambda text: outcome_text(text, measure_rags))
        columns[("", "Outcome measure")] = outcomes
    values = action_values(progress, outcomes)
    table = pd.DataFrame(columns)
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    flags = pd.DataFrame(False, index=table.index, columns=table.columns)
    flags[("", "Deadline")] = progress["overdue"].to_numpy()
    flags[(this_label, "% complete")] = progress["slipping"].to_numpy()
    flags[(this_label, "Status")] = (progress["status_differs"] | progress["no_update"]).to_numpy()
    themed = progress["theme"].fillna("").ne("").any() if "theme" in progress else False
    if not themed:
        table = table.drop(columns=[("", "Theme")])
        flags = flags.drop(columns=[("", "Theme")])
    # the data has the columns the table prints: a theme, resources, outcome measures
    unused = ["theme"] if not themed else []
    unused += [c for c in ("resources", "outcome_measure") if c not in progress]
    values = values.drop(columns=unused)
    return Table(
        "actions",
        f"Actions, {here}",
        table,
        group_by=(("", "Theme"),) if themed else (),
        rag=("Rating",),
        numeric=("% complete", "Expected"),
        flags=flags,
        empty_text="This service has no actions.",
        widths={"Title": "28%"},
        row_header="Action",
        wide=True,
        nowrap=("Action",),
        values=values,
    )


def action_summary_table(progress: pd.DataFrame, by: str = "theme") -> Table:
    """How many actions have each rating for each ``by`` (theme, lead_officer or service),
    the largest concern first."""
    names = {"theme": "Theme", "lead_officer": "Lead officer", "service": "Service"}
    heading = names.get(by, by)
    named = progress[by].fillna("").replace("", "Not named" if by == "lead_officer" else "None")
    counts = action_summary(progress.assign(**{by: named}), by)
    table = counts.rename(columns={by: heading}).astype({r: int for r in ACTION_RAGS})
    here = progress["period"].iloc[0] if len(progress) else ""
    return Table(
        f"actions-by-{slugify(by)}",
        f"Actions by {heading.lower()}, {here}",
        table.astype(object),
        numeric=(*ACTION_RAGS, "Total"),
        row_header=heading,
        values=action_summary_values(counts, by),
    )


def overdue_table(progress: pd.DataFrame) -> Table:
    """The overdue actions, longest overdue first: deadline, lead officer and % complete."""
    late = overdue_actions(progress)
    here = progress["period"].iloc[0] if len(progress) else ""
    table = pd.DataFrame(
        {
            "Action": late["action_id"].astype(object),
            "Title": late["title"].astype(object),
            "Lead officer": late["lead_officer"].fillna("").astype(object),
            "Deadline": late["deadline"].astype(object),
            "% complete": late["pct_complete"].map(percent_text),
        }
    ).reset_index(drop=True)
    return Table(
        "overdue-actions",
        f"Overdue actions, {here}",
        table,
        numeric=("% complete",),
        empty_text="No action is overdue.",
        row_header="Action",
        values=overdue_values(late),
    )


def action_reasons_table(progress: pd.DataFrame) -> Table:
    """How each action's rating was reached, beside the lead officer's own status (highlighted
    where the two disagree)."""
    table = pd.DataFrame(
        {
            "Action": progress["action_id"].astype(object),
            "Rating": progress["rag"].astype(object),
            "Officer's status": progress["status"].fillna("").astype(object),
            "How it was rated": progress["rag_reason"].astype(object),
        }
    ).reset_index(drop=True)
    flags = pd.DataFrame(False, index=table.index, columns=table.columns)
    flags["Officer's status"] = progress["status_differs"].to_numpy()
    here = progress["period"].iloc[0] if len(progress) else ""
    return Table(
        "action-reasons",
        f"How each action's rating was reached, {here}",
        table,
        rag=("Rating",),
        flags=flags,
        row_header="Action",
        values=action_reasons_values(progress),
    )


def linked_measures_table(linked: pd.DataFrame) -> Table:
    """The KPIs the actions are meant to move (``perfnb.linked_measures``): each measure's
    current rating and figures, and the actions linked to it with their ratings."""
    rows = []
    for measure_id, group in linked.groupby("measure_id", sort=False):
        row = group.iloc[0]
        rows.append(
            {
                "Measure": measure_id,
                "Description": row["name"],
                "RAG": row["rag"],
                "This period": this_period_text(row),
                "Target to date": target_to_date(row),
                "Variance": variance_text(row),
                "Actions": "; ".join(
                    f"{a} ({r})"
                    for a, r in zip(group["action_id"], group["action_rag"], strict=True)
                ),
            }
        )
    columns = [
        "Measure",
        "Description",
        "RAG",
        "This period",
        "Target to date",
        "Variance",
        "Actions",
    ]
    here = linked["period"].iloc[0] if len(linked) else ""
    return Table(
        "action-measures",
        f"Measures the actions support, {here}",
        pd.DataFrame(rows, columns=columns).astype(object),
        rag=("RAG",),
        numeric=("This period", "Target to date", "Variance"),
        empty_text="No action names a measure of measures.csv as its outcome measure.",
        values=linked_measures_values(linked),
    )
