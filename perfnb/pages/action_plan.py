"""A service's action plan report for a period: its tables, its chart and its text.

Seeds 001 (Sefton) and 003 (Herefordshire) are the model. :func:`action_table` is seed 001's
monitoring table (action, lead officer, deadline, status and % complete last period and this
one) with seed 003's resources and outcome measure where a plan has them, grouped by area for
improvement; overdue, slipping and silent actions are highlighted. :func:`action_sections` gives
each action's progress and issues text in full. ``ActionReport`` is the action plan's model
(``perfnb.model.ActionPlanModel``) with a method for each piece of the page; ``perfnb run``
publishes every table and chart a report displays. The tables are built in
``perfnb.tables.actions`` and imported from here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from html import escape
from pathlib import Path
from typing import TypeVar

import pandas as pd
from IPython.display import HTML

from perfnb.actions import AT_RISK_POINTS, percent_text
from perfnb.charts import Chart, action_progress_chart
from perfnb.loader import Dataset, slugify
from perfnb.model import ActionPlanModel, action_counts
from perfnb.pages.parts import rag_counts_html, title_block
from perfnb.palette import rating_style
from perfnb.periods import Period, parse_period
from perfnb.tables import Table
from perfnb.tables.actions import (
    action_reasons_table,
    action_summary_table,
    action_table,
    action_titles,
    linked_measures_table,
    outcome_text,
    overdue_table,
)

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
    for row, title in zip(progress.to_dict("records"), action_titles(progress), strict=True):
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


@dataclass(frozen=True)
class ActionReport(ActionPlanModel):
    """A service's action plan report for a period: its model, and a method for each piece of
    the page."""

    @classmethod
    def build(  # type: ignore[override]
        cls,
        data: Dataset,
        period: Period | str,
        service: str,
        output_dir: str | Path | None = None,
        *,
        at_risk_points: float = AT_RISK_POINTS,
    ) -> ActionReport:
        """Reads and works out everything the service's action plan report needs (the
        period's text, as a notebook's parameters cell has it, is read here). ``output_dir``
        is not used: it is accepted for notebooks written when reports saved their own files."""
        model = ActionPlanModel.build(data, parse_period(period), service, at_risk_points)
        return cls(**{f.name: getattr(model, f.name) for f in fields(ActionPlanModel)})

    def show(self, item: Shown) -> Shown:
        """Returns ``item`` for display. Every table and chart a report displays is published
        by ``perfnb run``; this is kept for notebooks written when it had to be asked."""
        return item

    def title_block(self) -> HTML:
        """The report's heading."""
        return title_block(self.data, self.period, self.service, "action plan")

    def summary(self) -> HTML:
        """The counts of actions by rating, then the overdue, slipping and due-soon actions
        and the ones whose officer's status the rating disagrees with, by id."""
        progress = self.progress
        counts = self.counts
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
        # page 1's story: the contents follow it (perfnb.pages.contents)
        return HTML(
            '<section class="perfnb-story" aria-label="Summary of the period">'
            + "\n".join(parts)
            + "</section>"
        )

    def _has_section(self, action_id: str) -> bool:
        row = self.progress[self.progress["action_id"] == action_id].iloc[0]
        return bool(str(row.get("progress") or "").strip() or str(row.get("issues") or "").strip())

    def action_table(self) -> Table:
        """Seed 001's monitoring table for the service (see :func:`action_table`)."""
        return action_table(self.progress, self.measure_rags)

    def summary_tables(self) -> list[Table]:
        """Counts by rating for each theme (when the plan has themes) and each lead officer."""
        by = ["theme"] if self.progress["theme"].fillna("").ne("").any() else []
        return [action_summary_table(self.progress, b) for b in [*by, "lead_officer"]]

    def progress_chart(self) -> Chart | HTML:
        """% complete against expected progress, or a note when no action reports one; an
        activity is drawn only when it has a % complete (seed 001's have none)."""
        progress = self.progress
        activity = progress["parent_id"].fillna("").ne("")
        progress = progress[~activity | progress["pct_complete"].notna()]
        if progress["pct_complete"].notna().any():
            return action_progress_chart(progress)
        return HTML(
            '<p class="perfnb-muted">No action has a % complete reported for '
            f"{escape(self.period.label)}.</p>"
        )

    def sections(self) -> HTML:
        """Each action's progress and issues text in full."""
        return HTML(action_sections(self.progress))

    def overdue_table(self) -> Table:
        """The actions past their deadline and not completed."""
        return overdue_table(self.progress)

    def linked_measures_table(self) -> Table:
        """The actions whose outcome measure is on the scorecard, with its rating."""
        return linked_measures_table(self.linked)

    def action_reasons_table(self) -> Table:
        """Each action's rating with the rule that produced it, beside the officer's status."""
        return action_reasons_table(self.progress)
