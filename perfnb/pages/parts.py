"""Pieces every page has: the title block and the counts as labelled badges."""

from __future__ import annotations

import datetime as dt
import os
from html import escape

from IPython.display import HTML

from perfnb.loader import Dataset
from perfnb.pages.report_style import style_element
from perfnb.palette import rag_style, rating_style
from perfnb.periods import Period

__all__ = ["PRODUCED_VARIABLE", "produced_on", "rag_counts_html", "title_block"]

# when perfnb run produced the report (ISO 8601), set in the environment of its kernels, so the
# title block's date is the one the page's footer gives
PRODUCED_VARIABLE = "PERFNB_PRODUCED"


def produced_on() -> dt.date:
    """The day the report is produced: the run's (``PRODUCED_VARIABLE``), else today."""
    given = os.environ.get(PRODUCED_VARIABLE, "")
    try:
        return dt.datetime.fromisoformat(given).date() if given else dt.date.today()
    except ValueError:
        return dt.date.today()


def title_block(
    data: Dataset, period: Period, service: str, kind: str = "performance report"
) -> HTML:
    """The report's heading: council, service and ``kind`` of report, period and the date it
    was produced; with the report's stylesheet, so that in JupyterLab the report looks as the
    exported page does (the page has the stylesheet in its head and drops this copy)."""
    council = escape(data.council)
    produced = produced_on().strftime("%d %B %Y")
    council_line = f'<p class="perfnb-council">{council}</p>' if council else ""
    return HTML(
        f"{style_element()}"
        f'<header class="perfnb-title">'
        f"{council_line}"
        f"<h1>{escape(service)}: {escape(kind)}</h1>"
        f"<p><strong>{escape(period.long_label)}</strong>. Produced {produced}.</p>"
        f"</header>"
    )


def rag_counts_html(counts: dict[str, int]) -> str:
    """The counts as labelled badges, word and colour: ``Red 1``, ``Amber 6``, ``Green 10``...
    (or an action plan's ``Overdue 1``, ``On track 12``...)."""
    badges = [
        f'<span class="perfnb-badge {(rating_style(rag) or rag_style(rag)).css_class}">'
        f"{escape(rag)} {n}</span>"
        for rag, n in counts.items()
    ]
    return f'<span class="perfnb-counts">{" ".join(badges)}</span>'
