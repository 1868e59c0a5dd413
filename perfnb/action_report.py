"""A service's action plan report for a period: its tables, its chart and its text.

Seeds 001 (Sefton) and 003 (Herefordshire) are the model. :func:`action_table` is seed 001's
monitoring table (action, lead officer, deadline, status and % complete last period and this
one) with seed 003's resources and outcome measure where a plan has them, grouped by area for
improvement; overdue, slipping and silent actions are highlighted. :func:`action_sections` gives
each action's progress and issues text in full. ``ActionReport.build`` does the reading;
everything after it is pure, and ``show`` saves tables as CSV and charts as PNG and SVG beside
the report, as ``ServiceReport.show`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TypeVar

import pandas as pd
from IPython.display import HTML

from perfnb.actions import (
    ACTION_RAGS,
    AT_RISK_POINTS,
    action_progress,
    action_summary,
    linked_measures,
    outcome_measure_ids,
    overdue_actions,
    percent_text,
)
from perfnb.charts import Chart, action_progress_chart
from perfnb.loader import Dataset, slugify
from perfnb.palette import rating_style
from perfnb.periods import Period, parse_period
from perfnb.report import rag_counts_html, save_beside_report, title_block
from perfnb.scorecard import build_scorecard
from perfnb.tables import Table, target_to_date, this_period_text, variance_text

__all__ = [
    "ActionReport",
    "action_counts",
    "action_reasons_table",
    "action_sections",
    "action_summary_table",
    "action_table",
    "linked_measures_table",
    "outcome_text",
    "overdue_table",
]

Shown = TypeVar("Shown", Table, Chart)


def action_counts(progress: pd.DataFrame) -> dict[str, int]:
    """How many actions have each derived rating, in ``ACTION_RAGS`` order (none left out)."""
    counts = progress["rag"].value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in ACTION_RAGS}


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


def _titles(progress: pd.DataFrame) -> pd.Series:
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
            "actions", "Actions", pd.DataFrame(), empty_text="This service has no actions."
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
        ("", "Title"): _titles(progress),
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
    if "outcome_measure" in progress:
        columns[("", "Outcome measure")] = progress["outcome_measure"].map(
            lambda text: outcome_text(text, measure_rags)
        )
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
    )


def _badge(rag: str) -> str:
    style = rating_style(rag)
    css = style.css_class if style else "rag-na"
    return f'<span class="perfnb-badge {css}">{escape(rag)}</span>'


def _paragraphs(text: str) -> str:
    """Plain text as escaped paragraphs, one per line of the source."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def action_sections(progress: pd.DataFrame) -> str:
    """Each action with progress or issues reported this period: its heading, rating, status,
    % complete and deadline, the reason for its rating, and the text in full."""
    parts = []
    for row, title in zip(progress.to_dict("records"), _titles(progress), strict=True):
        progress_text, issues = str(row.get("progress") or ""), str(row.get("issues") or "")
        if not (progress_text.strip() or issues.strip()):
            continue
        facts = [
            ("Rating", _badge(str(row["rag"]))),
            ("Status", escape(str(row["status"] or ""))),
            ("% complete", escape(percent_text(row["pct_complete"]))),
            ("Expected", escape(percent_text(row["expected_pct"]))),
            ("Deadline", escape(str(row["deadline"] or ""))),
            ("Lead officer", escape(str(row["lead_officer"] or ""))),
            ("Authorising officer", escape(str(row.get("authorising_officer") or ""))),
        ]
        shown = [(label, value) for label, value in facts if value]
        head = "".join(f'<th scope="col">{escape(label)}</th>' for label, _ in shown)
        body = "".join(f"<td>{value}</td>" for _, value in shown)
        anchor = f"action-{slugify(str(row['action_id']))}"
        section = [
            f'<section class="perfnb-action" id="{anchor}">',
            f'<div class="perfnb-measure-head"><h3>{escape(str(row["action_id"]))}: '
            f"{escape(str(title))}</h3>",
            f'<table class="perfnb-facts"><thead><tr>{head}</tr></thead>'
            f"<tbody><tr>{body}</tr></tbody></table>",
            f'<p class="perfnb-reason">{escape(str(row["rag_reason"]))}</p></div>',
        ]
        if progress_text.strip():
            section.append(f"<h4>Progress</h4>{_paragraphs(progress_text)}")
        if issues.strip():
            section.append(
                f"<h4>Issues affecting progress and corrective actions</h4>{_paragraphs(issues)}"
            )
        section.append("</section>")
        parts.append("\n".join(section))
    if not parts:
        return '<p class="perfnb-muted">No progress was reported for this period.</p>'
    return "\n".join(parts)


@dataclass
class ActionReport:
    """Everything one service's action plan report shows for a period, read once."""

    data: Dataset
    period: Period
    service: str
    output_dir: Path | None
    progress: pd.DataFrame  # perfnb.action_progress: one row per action of the service
    card: pd.DataFrame  # the scorecard rows of the measures actions name as outcome measures
    at_risk_points: float = AT_RISK_POINTS
    saved: list[Path] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        data: Dataset,
        period: Period | str,
        service: str,
        output_dir: str | Path | None = None,
        *,
        at_risk_points: float = AT_RISK_POINTS,
    ) -> ActionReport:
        """Reads and works out everything the service's action plan report needs."""
        period = parse_period(period)
        actions = data.actions[data.actions["service"] == service]
        progress = action_progress(
            actions, data.action_updates, period, at_risk_points=at_risk_points
        )
        named = {m for text in progress["outcome_measure"] for m in outcome_measure_ids(text)}
        measures = data.measures.loc[data.measures["measure_id"].isin(named), "service"]
        card = (
            build_scorecard(data, period, list(pd.unique(measures)))
            if len(measures)
            else pd.DataFrame(columns=["measure_id", "rag", "period"])
        )
        card = card[card["measure_id"].isin(named)] if len(card) else card
        return cls(
            data=data,
            period=period,
            service=service,
            output_dir=Path(output_dir) if output_dir is not None else None,
            progress=progress,
            card=card,
            at_risk_points=at_risk_points,
        )

    def show(self, item: Shown) -> Shown:
        """Saves a table (CSV) or chart (PNG and SVG) beside the report; returns it."""
        self.saved += save_beside_report(item, self.output_dir, self.period, self.service)
        return item

    @property
    def measure_rags(self) -> dict[str, str]:
        """The current rating of each measure an action names."""
        return dict(zip(self.card["measure_id"], self.card["rag"].fillna(""), strict=True))

    @property
    def linked(self) -> pd.DataFrame:
        """The actions linked to measures, with each measure's scorecard row."""
        return linked_measures(self.progress, self.card)

    def title_block(self) -> HTML:
        """The report's heading."""
        return title_block(self.data, self.period, self.service, "action plan")

    def summary(self) -> HTML:
        """The counts of actions by rating, then the overdue, slipping and due-soon actions
        and the ones whose officer's status the rating disagrees with, by id."""
        progress = self.progress
        counts = {rag: n for rag, n in action_counts(progress).items() if n}
        activities = int(progress["parent_id"].fillna("").ne("").sum())
        actions = len(progress) - activities
        counted = f"{actions} action{'s' if actions != 1 else ''}"
        if activities:  # each is rated like an action, and counted with them
            counted += f" and {activities} activit{'ies' if activities != 1 else 'y'}"
        parts = [f'<p class="perfnb-summary-counts">{counted}: {rag_counts_html(counts)}</p>']
        following = self.period.next().short_label
        lists = [
            ("overdue", progress["overdue"]),
            (
                f"more than {self.at_risk_points:g} points behind expected progress",
                progress["slipping"],
            ),
            ("without an update this period", progress["no_update"]),
            (f"due in {following}", progress["due_soon"]),
            ("rated differently from the lead officer's status", progress["status_differs"]),
        ]
        items = []
        for words, chosen in lists:
            ids = list(progress.loc[chosen.astype(bool), "action_id"])
            if ids:
                items.append(
                    f"<li><strong>{len(ids)}</strong> {escape(words)}: "
                    + ", ".join(
                        f'<a href="#action-{slugify(i)}">{escape(i)}</a>'
                        if self._has_section(i)
                        else escape(i)
                        for i in ids
                    )
                    + "</li>"
                )
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
        return HTML("\n".join(parts))

    def _has_section(self, action_id: str) -> bool:
        row = self.progress[self.progress["action_id"] == action_id].iloc[0]
        return bool(str(row.get("progress") or "").strip() or str(row.get("issues") or "").strip())

    def action_table(self) -> Table:
        """Seed 001's monitoring table for the service (see :func:`action_table`)."""
        return action_table(self.progress, self.measure_rags)

    def summary_tables(self) -> list[Table]:
        """Counts by rating for each theme (when the plan has themes) and each lead officer."""
        by = ["theme"] if self.progress["theme"].fillna("").ne("").any() else []
        return [self.show(action_summary_table(self.progress, b)) for b in [*by, "lead_officer"]]

    def progress_chart(self) -> Chart | HTML:
        """% complete against expected progress, or a note when no action reports one; an
        activity is drawn only when it has a % complete (seed 001's have none)."""
        progress = self.progress
        activity = progress["parent_id"].fillna("").ne("")
        progress = progress[~activity | progress["pct_complete"].notna()]
        if progress["pct_complete"].notna().any():
            return self.show(action_progress_chart(progress))
        return HTML(
            '<p class="perfnb-muted">No action has a % complete reported for '
            f"{escape(self.period.label)}.</p>"
        )

    def sections(self) -> HTML:
        """Each action's progress and issues text in full."""
        return HTML(action_sections(self.progress))
