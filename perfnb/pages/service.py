"""A service's report for a period: the report model (``perfnb.model.ServiceModel``) with the
pieces of its page, each a method a notebook cell calls: title block, summary, the tables and
charts, one section per theme and measure.

Each piece is returned for the notebook to display; ``perfnb run`` publishes every table and
chart a report displays (``perfnb.exhibits``), so nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from html import escape
from pathlib import Path
from typing import TypeVar

import pandas as pd
from IPython.display import HTML

from perfnb.charts import (
    Chart,
    cumulative_chart,
    has_trend,
    is_running_total,
    rag_summary_chart,
    spc_chart,
    trend_chart,
)
from perfnb.exhibits import Fragment
from perfnb.loader import Dataset, slugify
from perfnb.markup import render_markdown
from perfnb.model import ServiceModel, rag_counts
from perfnb.pages.parts import title_block
from perfnb.pages.story import story_fragment
from perfnb.palette import (
    RAG_STYLES,
    marked_statuses,
    rag_style,
    status_key_line,
    unbroken_markers,
)
from perfnb.periods import Period, parse_period
from perfnb.story import story
from perfnb.tables import (
    AIM_LABELS,
    DIRECTION_LABELS,
    Table,
    exceptions_table,
    format_target,
    latest_heading,
    latest_text,
    measure_anchor,
    rag_reasons_table,
    scorecard_table,
    special_cause_table,
    target_to_date,
    this_period_text,
    variance_table,
    variance_text,
)

__all__ = [
    "ServiceReport",
    "measure_section",
    "rag_counts",
    "theme_section",
]

Shown = TypeVar("Shown", Table, Chart)

# a theme of more measures than this is shown in parts of this many, each a display of its own:
# a single display of a thousand measures' charts is a message of a hundred MB or more, which
# the kernel copies several times over to send it
MEASURES_PER_PART = 50


def _badge(rag: str) -> str:
    style = rag_style(rag)
    word = rag if rag in RAG_STYLES else "N/A"
    return f'<span class="perfnb-badge {style.css_class}">{escape(word)}</span>'


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    """A measure's figures as a two-column table, each label beside its value (blank ones left
    out), with the key of any marker they carry (``[p]``) in its footer."""
    shown = [(label, value) for label, value in facts if value]
    body = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td>{unbroken_markers(value)}</td></tr>'
        for label, value in shown
    )
    key = status_key_line(marked_statuses(value for _, value in shown))
    foot = (
        f'<tfoot><tr><td class="perfnb-key" colspan="2">{escape(key)}</td></tr></tfoot>'
        if key
        else ""
    )
    return f'<table class="perfnb-facts"><tbody>{body}</tbody>{foot}</table>'


def measure_section(
    row: pd.Series,
    charts: Sequence[Chart] = (),
    commentary: str = "",
    needs_commentary: str = "",
    tables: Sequence[Table] = (),
) -> str:
    """One measure's part of the report: heading, its figures (and its latest position after
    the period, when there is one), the reasons for its rating and its direction of travel,
    its charts and the analyst's commentary (markdown, sanitised), or a flag when a Red or
    Amber measure has none (``needs_commentary`` says what is missing)."""
    measure_id, name = str(row["measure_id"]), str(row["name"])
    latest = latest_heading(row.to_frame().T)
    facts = _facts(
        [
            ("RAG", _badge(str(row["rag"]))),
            ("This period", escape(this_period_text(row))),
            ("Year-end target", escape(format_target(row))),
            ("Target to date", escape(target_to_date(row))),
            ("Variance", escape(variance_text(row))),
            (latest, escape(latest_text(row)) if latest else ""),
            ("Direction", escape(DIRECTION_LABELS.get(str(row["direction"]), ""))),
            ("Aim", escape(AIM_LABELS.get(str(row["polarity"]), ""))),
        ]
    )
    reasons = [row.get("rag_reason"), row.get("direction_reason")]
    reason = "".join(
        f'<p class="perfnb-reason">{escape(str(text))}</p>'
        for text in reasons
        if text is not None and not pd.isna(text) and str(text).strip()
    )
    first_chart = f'<div class="perfnb-measure-chart">{charts[0].to_html()}</div>' if charts else ""
    parts = [
        f'<section class="perfnb-measure" id="measure-{slugify(measure_id)}">',
        # heading, figures, reasons and first chart (beside them) stay on one printed page
        f'<div class="perfnb-measure-head">'
        f'<h3 id="{measure_anchor(measure_id)}">{escape(measure_id)}: {escape(name)}</h3>'
        f'<div class="perfnb-measure-body{" perfnb-with-chart" if charts else ""}">'
        f'<div class="perfnb-measure-figures">{facts}{reason}</div>{first_chart}</div></div>',
    ]
    parts += [chart.to_html() for chart in charts[1:]]
    parts += [table.to_html() for table in tables]
    if needs_commentary:
        parts.append(
            f'<p class="perfnb-needs-commentary"><strong>Commentary needed:</strong> this '
            f"{escape(str(row['rag']))} measure has {escape(needs_commentary)}.</p>"
        )
    if commentary.strip():
        parts.append(f'<div class="perfnb-commentary">{render_markdown(commentary)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def theme_section(theme: str, sections: Sequence[str], *, continued: bool = False) -> str:
    """A theme's measures under its heading (each theme starts a new page of the Word file);
    ``continued``: more of the theme's measures, after an earlier part, with no heading."""
    if continued:
        return '<section class="perfnb-theme-continued">\n' + "\n".join(sections) + "\n</section>"
    anchor = f"theme-{slugify(theme) or 'other'}"
    body = "\n".join(sections)
    return (
        f'<section class="perfnb-theme"><h2 id="{anchor}">{escape(theme)}</h2>\n{body}\n</section>'
    )


@dataclass(frozen=True)
class ServiceReport(ServiceModel):
    """A service's report for a period: its model, and a method for each piece of the page."""

    @classmethod
    def build(
        cls,
        data: Dataset,
        period: Period | str,
        service: str,
        output_dir: str | Path | None = None,
    ) -> ServiceReport:
        """Reads and works out everything the service's report needs for ``period`` (its text,
        as a notebook's parameters cell has it, is read here). ``output_dir`` is not used: it
        is accepted for notebooks written when reports saved their own tables and charts."""
        model = ServiceModel.build(data, parse_period(period), service)
        return cls(**{f.name: getattr(model, f.name) for f in fields(ServiceModel)})

    def show(self, item: Shown) -> Shown:
        """Returns ``item`` for display. Every table and chart a report displays is published
        by ``perfnb run``; this is kept for notebooks written when it had to be asked."""
        return item

    # -- what the page shows ---------------------------------------------------------------
    def title_block(self) -> HTML:
        """The report's heading."""
        return title_block(self.data, self.period, self.service)

    def summary(self) -> Fragment:
        """Page 1's story: the RAG counts and what changed since the period before, the key
        messages (the service's summary commentary, else the period's, then the facts the
        numbers give) and the top exceptions (``perfnb.pages.story``)."""
        commentary = self.commentary.for_service(self.service)  # its own summary, or the period's
        summary = commentary.summary_html()
        written = summary if summary.strip() and not commentary.summary_is_draft else ""
        facts = story(self.card, self.previous, self.period.previous().label)
        return story_fragment(
            facts,
            self.counts.rag_counts,
            written,
            tuple(self.without_commentary["measure_id"]),
        )

    def rag_summary_chart(self) -> Chart:
        """How many measures are at each rating, as a bar chart."""
        return rag_summary_chart(self.card)

    def exceptions_table(self) -> Table:
        """Every Red and Amber measure and every change of rating, with its reason and the
        analysts' commentary."""
        return exceptions_table(
            self.card,
            self.previous,
            self.written_commentary,
            self.without_commentary["measure_id"],
        )

    def scorecard_table(self) -> Table:
        """Every measure of the service, by theme and priority."""
        return scorecard_table(self.card, self.previous)

    def variance_table(self) -> Table:
        """Target, actual and variance for each period of the year so far."""
        return variance_table(self.variance_rows)

    def rag_reasons_table(self) -> Table:
        """Each rating and direction of travel with the rule that produced it."""
        return rag_reasons_table(self.card)

    def measure_charts(self, measure_id: str) -> list[Chart]:
        """The charts of one measure: its trend, and year to date against target for a running
        total (a sum, or a ytd count or sum of money, whose figures are drawn as given)."""
        charts = []
        history = self.history[self.history["measure_id"] == measure_id]
        if has_trend(history):  # at least three figures: fewer are said in words
            charts.append(trend_chart(history, self.data.annotations))
        year = self.year[self.year["measure_id"] == measure_id]
        if (
            len(year)
            and is_running_total(year["aggregation"].iloc[0], year["unit"].iloc[0])
            and year["target"].notna().any()
            and year["ytd_value"].notna().any()
        ):
            charts.append(cumulative_chart(year))
        if self.spc is not None and measure_id in self.spc.results:
            row = self.measure(measure_id)
            charts.append(
                spc_chart(
                    self.spc.results[measure_id],
                    f"{measure_id}: {row['name']}, XmR chart",
                    unit=str(row["unit"]),
                    decimals=int(row["decimals"]),
                    rate_per=None if pd.isna(row["rate_per"]) else float(row["rate_per"]),
                    target=self.spc.targets.get(measure_id),
                    name=f"spc-{slugify(measure_id)}",
                )
            )
        return charts

    def measure_tables(self, measure_id: str) -> list[Table]:
        """A measure's special-cause points, each with the rule that fired, when it has an XmR
        chart."""
        if self.spc is None or measure_id not in self.spc.results:
            return []
        row = self.measure(measure_id)
        table = special_cause_table(
            measure_id,
            self.spc.results[measure_id],
            str(row["unit"]),
            int(row["decimals"]),
            None if pd.isna(row["rate_per"]) else float(row["rate_per"]),
        )
        return [table]

    def theme_sections(self) -> Iterator[Fragment]:
        """One section per theme, each measure with its figures, charts and commentary; each
        section's charts and tables are published with it. Each is made as it is asked for; a
        theme of more than ``MEASURES_PER_PART`` measures comes in parts of that many (the
        first under the theme's heading)."""
        missing = self.without_commentary.set_index("measure_id")["problem"]
        written = self.written_commentary
        themes = self.card["theme"].replace("", "Other measures")
        for theme, rows in self.card.groupby(themes, sort=False):
            for start in range(0, len(rows), MEASURES_PER_PART):
                parts: list[str] = []
                shown: list[Table | Chart] = []
                for _, row in rows.iloc[start : start + MEASURES_PER_PART].iterrows():
                    measure_id = row["measure_id"]
                    # each chart's files made now and its figure let go: a thousand measures'
                    # figures and rasters would need gigabytes
                    charts = [chart.finish() for chart in self.measure_charts(measure_id)]
                    tables = self.measure_tables(measure_id)
                    parts.append(
                        measure_section(
                            row,
                            charts,
                            written.get(measure_id, ""),
                            str(missing.get(measure_id, "")),
                            tables,
                        )
                    )
                    shown += [*charts, *tables]
                html = theme_section(str(theme), parts, continued=start > 0)
                yield Fragment(html, tuple(shown))
