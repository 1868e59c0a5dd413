"""Page 1 of a service's report: the counts and what changed since the period before, the key
messages (the analysts' summary, then the facts perfnb states from the numbers) and the top
exceptions. ``perfnb.story`` works the facts out; this words and lays them out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

from perfnb.exhibits import Fragment
from perfnb.pages.parts import rag_counts_html
from perfnb.story import Story
from perfnb.tables import Table, measure_anchor
from perfnb.tables.table import _cells
from perfnb.tables.values import (
    figure_values,
    previous_values,
    target_values,
    texts,
    variance_values,
)
from perfnb.wording import previously_text, target_to_date, this_period_text, variance_text

__all__ = ["changes_sentence", "facts_list", "story_fragment", "top_exceptions_table"]


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _measures(rows: pd.DataFrame, detail: str = "") -> str:
    """Linked measure ids and names, each with ``detail`` (a column of ``rows``) in brackets."""
    parts = []
    for _, row in rows.iterrows():
        measure_id = str(row["measure_id"])
        text = f'<a href="#{measure_anchor(measure_id)}">{escape(measure_id)}</a> ' + escape(
            str(row["name"])
        )
        if detail and str(row[detail]):
            text += f" ({escape(str(row[detail]))})"
        parts.append(text)
    return "; ".join(parts)


def changes_sentence(story: Story) -> str:
    """What moved since the period before, in one sentence (plain text)."""
    direction = (
        f"{story.improving} improving, {story.declining} declining and {story.stable} stable"
    )
    if story.changed_rating:
        ratings = (
            f"{_plural(story.changed_rating, 'rating')} changed "
            f"({story.rated_better} better, {story.rated_worse} worse)"
        )
    else:
        ratings = "no rating changed between Red, Amber and Green"
    newly = (
        f"; {_plural(story.not_rated_before, 'measure')} rated now had no rating then"
        if story.not_rated_before
        else ""
    )
    return f"Since {story.previous_period}: {direction} by direction of travel; {ratings}{newly}."


def facts_list(story: Story) -> str:
    """The facts perfnb states from the numbers, as a list (HTML)."""
    items = []
    if len(story.turned_red):
        items.append(
            f"<strong>Turned Red</strong> since {escape(story.previous_period)}: "
            f"{_measures(story.turned_red)}."
        )
    else:
        items.append(f"No measure turned Red since {escape(story.previous_period)}.")
    if len(story.shortfalls):
        short = story.shortfalls.assign(
            _detail=_cells(story.shortfalls, lambda row: f"variance {variance_text(row)}")
        )
        items.append(f"<strong>Furthest short of target</strong>: {_measures(short, '_detail')}.")
    else:
        items.append("No Red or Amber measure is short of its target.")
    if len(story.forecast_misses):
        misses = story.forecast_misses.assign(
            _detail=_cells(story.forecast_misses, _forecast_against_target)
        )
        items.append(
            "<strong>Forecast to miss the year-end target</strong>: "
            f"{_measures(misses, '_detail')}."
        )
    return '<ul class="perfnb-key-facts">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _forecast_against_target(row: pd.Series) -> str:
    decimals = int(row["decimals"]) if pd.notna(row["decimals"]) else 1
    return (
        f"forecast {float(row['forecast']):,.{decimals}f} against "
        f"{float(row['annual_target']):,.{decimals}f}"
    )


def top_exceptions_table(story: Story) -> Table:
    """The first exceptions (Red, then Amber, then changes of rating), in brief; its CSV has
    the same rows as data."""
    rows = story.top_exceptions.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "Measure": rows["measure_id"].astype(object),
            "Description": rows["name"].astype(object),
            "RAG": rows["rag"].astype(object),
            "Previously": _cells(rows, previously_text),
            "This period": _cells(rows, this_period_text),
            "Target to date": _cells(rows, target_to_date),
            "Variance": _cells(rows, variance_text),
        }
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
            **variance_values(rows),
        },
        index=rows.index,
    )
    return Table(
        "top-exceptions",
        "Top exceptions (all are listed under Exceptions)",
        table,
        rag=("RAG",),
        numeric=("This period", "Target to date", "Variance"),
        nowrap=("Measure",),
        empty_text="No measure is Red or Amber and no rating changed since the period before.",
        values=values,
    )


def story_fragment(
    story: Story,
    counts: dict[str, int],
    summary_html: str,
    needs_commentary: Sequence[str] = (),
) -> Fragment:
    """Page 1's story: counts and changes, key messages (``summary_html``, the analysts'
    summary, or '' when none was written, then the facts) and the top exceptions; the Red and
    Amber measures in ``needs_commentary`` are flagged."""
    total = sum(counts.values())
    parts = [
        '<section class="perfnb-story" aria-label="Summary of the period">',
        f'<p class="perfnb-summary-counts">{_plural(total, "measure")}: '
        f"{rag_counts_html(counts)}</p>",
        f'<p class="perfnb-changes">{escape(changes_sentence(story))}</p>',
        "<h3>Key messages</h3>",
    ]
    if needs_commentary:
        names = ", ".join(escape(m) for m in needs_commentary)
        parts.append(
            f'<p class="perfnb-needs-commentary"><strong>Commentary needed</strong> for '
            f"{_plural(len(needs_commentary), 'Red or Amber measure')}: {names}.</p>"
        )
    if summary_html.strip():
        parts.append(f'<div class="perfnb-commentary">{summary_html}</div>')
    else:  # nothing written, or only the generated draft: not published as if it were
        parts.append('<p class="perfnb-muted">No summary has been written for this period.</p>')
    parts.append(facts_list(story))
    table = top_exceptions_table(story)
    parts += [table.to_html(), "</section>"]
    return Fragment("\n".join(parts), (table,))
