"""The exceptions table: each measure a committee is asked about (``perfnb.exceptions``
decides which), with its figures, why it was rated so and the analyst's commentary.

Named ``exception_table``, not ``exceptions``, so that ``perfnb.tables.exceptions`` stays the
function (``perfnb.exceptions.exceptions``), never this module.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from perfnb.contract import slugify
from perfnb.exceptions import EXCEPTION_RATINGS, exceptions
from perfnb.scorecard import with_previous
from perfnb.tables.plain import plain_text
from perfnb.tables.table import Table, _cells
from perfnb.tables.values import (
    figure_values,
    previous_values,
    target_values,
    texts,
    variance_values,
    year_end_target_values,
)
from perfnb.wording import format_target, previously_text, target_to_date, this_period_text

__all__ = ["exceptions_table", "lead_paragraph", "measure_anchor"]


def measure_anchor(measure_id: str) -> str:
    """The id of a measure's heading in the report (``ASCOF-2D`` is ``ascof-2d``), which the
    exceptions table links to."""
    return slugify(measure_id)


def lead_paragraph(text: str, measure_id: str) -> str:
    """The first paragraph of a measure's commentary (markdown), with a link to the rest in
    the measure's own section when there is more: the exceptions table stays a summary."""
    paragraphs = [p for p in text.strip().replace("\r\n", "\n").split("\n\n") if p.strip()]
    if len(paragraphs) <= 1:
        return text.strip()
    return f"{paragraphs[0]} [More under {measure_id}.](#{measure_anchor(measure_id)})"


def exceptions_table(
    card: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    commentary: Mapping[str, str] | None = None,
    without_commentary: Collection[str] = (),
) -> Table:
    """Exceptions: each Red and Amber measure and each change of rating, with its rating in
    the period before (or why it had none: ``Not rated (no target) in 2016/17 Q4``), its
    reason and the analyst's commentary (markdown); measures in ``without_commentary`` are
    flagged. Its CSV has the same rows as data, the whole commentary as plain text."""
    rows = exceptions(card, previous)
    # why a measure was not rated before (no target, no figure...), for its "Previously"
    before = with_previous(card, previous).loc[rows.index]
    rows = rows.assign(
        previous_period=before["previous_period"],
        previous_why=before["previous_why"],
        previous_note=before["previous_note"],
    ).reset_index(drop=True)
    commentary = commentary or {}
    missing = set(without_commentary)

    def needed(row: pd.Series) -> bool:
        return row["measure_id"] in missing or not commentary.get(row["measure_id"], "").strip()

    def said(row: pd.Series) -> str:
        text = lead_paragraph(commentary.get(row["measure_id"], ""), row["measure_id"])
        if needed(row):
            flag = "**Commentary needed:** none written yet."
            if text:
                flag = "**Commentary needed:** only the generated draft so far.\n\n" + text
            return flag
        return text

    table = pd.DataFrame(
        {
            "Measure": rows["measure_id"].astype(object),
            "Description": rows["name"].astype(object),
            "RAG": rows["rag"].astype(object),
            "Previously": _cells(rows, previously_text),
            "This period": _cells(rows, this_period_text),
            "Target to date": _cells(rows, target_to_date),
            "Year-end target": _cells(rows, format_target),
            "Why": rows["rag_reason"].astype(object),
            "Commentary": _cells(rows, said),
        }
    )
    flags = pd.DataFrame(
        {"Commentary": rows["measure_id"].isin(missing) & rows["rag"].isin(EXCEPTION_RATINGS)}
    )
    values = pd.DataFrame(
        {
            "measure_id": texts(rows, "measure_id"),
            "name": texts(rows, "name"),
            "unit": texts(rows, "unit"),
            "period": texts(rows, "period"),
            "rag": texts(rows, "rag"),
            **previous_values(rows),
            **figure_values(rows),
            **target_values(rows),
            **year_end_target_values(rows),
            **variance_values(rows),
            "rag_reason": texts(rows, "rag_reason"),
            # a flag, as the page prints it: no commentary, or only the generated draft
            "commentary_needed": rows.apply(needed, axis=1).astype(bool)
            if len(rows)
            else pd.Series([], dtype=bool),
            "commentary": rows["measure_id"].map(lambda m: plain_text(commentary.get(m, ""))),
        },
        index=rows.index,
    )
    period = card["period"].iloc[0] if len(card) else ""
    return Table(
        "exceptions",
        f"Exceptions, {period}: Red and Amber measures and changes of rating",
        table,
        rag=("RAG",),
        numeric=("This period", "Target to date", "Year-end target"),
        markdown=("Commentary",),
        flags=flags,
        values=values,
        widths={"Commentary": "34%", "Why": "16%", "Description": "14%"},
        empty_text="No measure is Red or Amber and no rating changed since the previous period.",
    )
