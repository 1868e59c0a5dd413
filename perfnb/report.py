"""A service's report for a period: the frames it is built from, and the pieces of the page
that are not tables or charts (title block, summary, one section per theme and measure).

``ServiceReport.build`` does all the reading; everything after it is pure. ``show`` saves a
table as CSV in ``tables/`` and a chart as PNG and SVG in ``charts/`` beside the report, and
returns it for the notebook to display.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TypeVar

import pandas as pd
from IPython.display import HTML

from perfnb.charts import Chart, cumulative_chart, is_running_total, spc_chart, trend_chart
from perfnb.commentary import Commentary, load_commentary, missing_commentary
from perfnb.engine import performance
from perfnb.history import trend_history, variance_periods, year_to_date_history
from perfnb.loader import Dataset, slugify
from perfnb.markup import render_markdown
from perfnb.measure_spc import MeasureSPC, measure_spc, spc_history
from perfnb.palette import (
    RAG_STYLES,
    marked_statuses,
    rag_style,
    rating_style,
    status_key_line,
    unbroken_markers,
)
from perfnb.periods import Period, parse_period
from perfnb.rag import RAG_LABELS
from perfnb.scorecard import build_scorecard, with_spc
from perfnb.tables import (
    AIM_LABELS,
    DIRECTION_LABELS,
    Table,
    format_target,
    latest_heading,
    latest_text,
    measure_anchor,
    special_cause_table,
    target_to_date,
    this_period_text,
    variance_text,
)

__all__ = [
    "ServiceReport",
    "measure_section",
    "rag_counts",
    "rag_counts_html",
    "save_beside_report",
    "theme_section",
    "title_block",
]

Shown = TypeVar("Shown", Table, Chart)


def title_block(
    data: Dataset, period: Period | str, service: str, kind: str = "performance report"
) -> HTML:
    """The report's heading: council, service and ``kind`` of report, period and the date it
    was produced."""
    period = parse_period(period)
    council = escape(data.council)
    produced = dt.date.today().strftime("%d %B %Y")
    council_line = f'<p class="perfnb-council">{council}</p>' if council else ""
    return HTML(
        f'<header class="perfnb-title">'
        f"{council_line}"
        f"<h1>{escape(service)}: {escape(kind)}</h1>"
        f"<p><strong>{escape(period.long_label)}</strong>. Produced {produced}.</p>"
        f"</header>"
    )


def save_beside_report(
    item: Table | Chart, output_dir: Path | None, period: Period, service: str
) -> list[Path]:
    """Writes a table as ``<output_dir>/<period>/tables/<service>/<name>.csv`` or a chart as
    ``charts/<service>/<name>.png`` and ``.svg``; nothing when there is no ``output_dir``."""
    if output_dir is None:
        return []
    kind = "tables" if isinstance(item, Table) else "charts"
    saved = item.save(output_dir / period.slug / kind / slugify(service))
    return saved if isinstance(saved, list) else [saved]


def rag_counts(card: pd.DataFrame) -> dict[str, int]:
    """How many measures are Red, Amber, Green, N/A (not rated) and Pending (figure not yet
    available); anything else counts as N/A."""
    ratings = card["rag"].where(card["rag"].isin(RAG_LABELS), "N/A")
    counts = ratings.value_counts()
    return {rag: int(counts.get(rag, 0)) for rag in RAG_LABELS}


def rag_counts_html(counts: dict[str, int]) -> str:
    """The counts as labelled badges, word and colour: ``Red 1``, ``Amber 6``, ``Green 10``...
    (or an action plan's ``Overdue 1``, ``On track 12``...)."""
    badges = [
        f'<span class="perfnb-badge {(rating_style(rag) or rag_style(rag)).css_class}">'
        f"{escape(rag)} {n}</span>"
        for rag, n in counts.items()
    ]
    return f'<span class="perfnb-counts">{" ".join(badges)}</span>'


def _badge(rag: str) -> str:
    style = rag_style(rag)
    word = rag if rag in RAG_STYLES else "N/A"
    return f'<span class="perfnb-badge {style.css_class}">{escape(word)}</span>'


def _facts(facts: Sequence[tuple[str, str]]) -> str:
    """A one-row table of a measure's figures, label over value (blank ones left out), with
    the key of any marker they carry (``[p]``) in its footer."""
    shown = [(label, value) for label, value in facts if value]
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label, _ in shown)
    body = "".join(f"<td>{unbroken_markers(value)}</td>" for _, value in shown)
    key = status_key_line(marked_statuses(value for _, value in shown))
    foot = (
        f'<tfoot><tr><td class="perfnb-key" colspan="{len(shown)}">{escape(key)}</td></tr></tfoot>'
        if key
        else ""
    )
    return (
        f'<table class="perfnb-facts"><thead><tr>{head}</tr></thead>'
        f"<tbody><tr>{body}</tr></tbody>{foot}</table>"
    )


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
    first_chart = charts[0].to_html() if charts else ""
    parts = [
        f'<section class="perfnb-measure" id="measure-{slugify(measure_id)}">',
        # heading, figures, reason and first chart stay on one printed page
        f'<div class="perfnb-measure-head">'
        f'<h3 id="{measure_anchor(measure_id)}">{escape(measure_id)}: {escape(name)}</h3>'
        f"{facts}{reason}{first_chart}</div>",
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


def theme_section(theme: str, sections: Sequence[str]) -> str:
    """A theme's measures under its heading; each theme starts a new printed page."""
    anchor = f"theme-{slugify(theme) or 'other'}"
    body = "\n".join(sections)
    return (
        f'<section class="perfnb-theme"><h2 id="{anchor}">{escape(theme)}</h2>\n{body}\n</section>'
    )


@dataclass
class ServiceReport:
    """Everything one service's report shows for a period, read once."""

    data: Dataset
    period: Period
    service: str
    output_dir: Path | None
    card: pd.DataFrame  # the scorecard: one row per measure
    previous: pd.DataFrame  # the scorecard of the period before
    history: pd.DataFrame  # recent periods of each measure, for trend charts
    year: pd.DataFrame  # every period of the financial year, for year-to-date charts
    commentary: Commentary
    variance_rows: pd.DataFrame  # the engine's rows of each quarter so far (and a month's own)
    spc: MeasureSPC | None = None  # XmR charts of the measures with 13 figures or more
    saved: list[Path] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        data: Dataset,
        period: Period | str,
        service: str,
        output_dir: str | Path | None = None,
    ) -> ServiceReport:
        """Reads and works out everything the service's report needs for ``period``."""
        period = parse_period(period)
        services = [service]
        card = build_scorecard(data, period, services, spc=False)
        spc = measure_spc(spc_history(data, period, services), card) if len(card) else None
        return cls(
            data=data,
            period=period,
            service=service,
            output_dir=Path(output_dir) if output_dir is not None else None,
            card=with_spc(card, spc),
            previous=build_scorecard(data, period.previous(), services, spc=False),
            history=trend_history(data, period, services),
            year=year_to_date_history(data, period, services),
            commentary=load_commentary(data.path, period),
            variance_rows=performance(data, variance_periods(period), services),
            spc=spc,
        )

    # -- where things go -------------------------------------------------------------------
    def show(self, item: Shown) -> Shown:
        """Saves a table (``tables/<service>/<name>.csv``) or chart (``charts/<service>/
        <name>.png`` at 300 dpi and ``.svg``) beside the report; returns it for display."""
        self.saved += save_beside_report(item, self.output_dir, self.period, self.service)
        return item

    # -- what the page shows ---------------------------------------------------------------
    def title_block(self) -> HTML:
        """The report's heading."""
        return title_block(self.data, self.period, self.service)

    @property
    def written_commentary(self) -> dict[str, str]:
        """The analysts' commentary by measure: sections with text of their own (an untouched
        generated draft is not published)."""
        return {
            measure_id: text
            for measure_id, text in self.commentary.sections.items()
            if self.commentary.has_commentary(measure_id)
        }

    @property
    def without_commentary(self) -> pd.DataFrame:
        """Red and Amber measures with no commentary, or only the generated draft."""
        return missing_commentary(self.card, self.commentary)

    def summary(self) -> HTML:
        """The RAG counts and the analysts' summary (the commentary file's ``## Summary``)."""
        counts = rag_counts(self.card)
        total = len(self.card)
        parts = [
            f'<p class="perfnb-summary-counts">{total} measures: {rag_counts_html(counts)}</p>'
        ]
        missing = self.without_commentary
        if len(missing):
            names = ", ".join(escape(m) for m in missing["measure_id"])
            parts.append(
                f'<p class="perfnb-needs-commentary"><strong>Commentary needed</strong> for '
                f"{len(missing)} Red or Amber measure(s): {names}.</p>"
            )
        summary = self.commentary.summary_html()
        if summary.strip() and not self.commentary.summary_is_draft:
            parts.append(f'<div class="perfnb-commentary">{summary}</div>')
        else:  # nothing written, or only the generated draft: not published as if it were
            parts.append('<p class="perfnb-muted">No summary has been written for this period.</p>')
        return HTML("\n".join(parts))

    def measure_charts(self, measure_id: str) -> list[Chart]:
        """The charts of one measure: its trend, and year to date against target for a running
        total (a sum, or a ytd count or sum of money, whose figures are drawn as given)."""
        charts = []
        history = self.history[self.history["measure_id"] == measure_id]
        if history["value"].notna().any():
            charts.append(self.show(trend_chart(history, self.data.annotations)))
        year = self.year[self.year["measure_id"] == measure_id]
        if (
            len(year)
            and is_running_total(year["aggregation"].iloc[0], year["unit"].iloc[0])
            and year["target"].notna().any()
            and year["ytd_value"].notna().any()
        ):
            charts.append(self.show(cumulative_chart(year)))
        if self.spc is not None and measure_id in self.spc.results:
            row = self.card[self.card["measure_id"] == measure_id].iloc[0]
            charts.append(
                self.show(
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
            )
        return charts

    def measure_tables(self, measure_id: str) -> list[Table]:
        """A measure's special-cause points, each with the rule that fired, when it has an XmR
        chart."""
        if self.spc is None or measure_id not in self.spc.results:
            return []
        row = self.card[self.card["measure_id"] == measure_id].iloc[0]
        table = special_cause_table(
            measure_id,
            self.spc.results[measure_id],
            str(row["unit"]),
            int(row["decimals"]),
            None if pd.isna(row["rate_per"]) else float(row["rate_per"]),
        )
        return [self.show(table)]

    def theme_sections(self) -> list[HTML]:
        """One section per theme, each measure with its figures, charts and commentary."""
        missing = self.without_commentary.set_index("measure_id")["problem"]
        sections = []
        themes = self.card["theme"].replace("", "Other measures")
        for theme, rows in self.card.groupby(themes, sort=False):
            parts = [
                measure_section(
                    row,
                    self.measure_charts(row["measure_id"]),
                    self.written_commentary.get(row["measure_id"], ""),
                    str(missing.get(row["measure_id"], "")),
                    self.measure_tables(row["measure_id"]),
                )
                for _, row in rows.iterrows()
            ]
            sections.append(HTML(theme_section(str(theme), parts)))
        return sections
