"""Pieces of a report page that are not tables or charts: the title block."""

from __future__ import annotations

import datetime as dt
from html import escape

from IPython.display import HTML

from perfnb.loader import Dataset
from perfnb.periods import Period, parse_period

__all__ = ["title_block"]


def title_block(data: Dataset, period: Period | str, service: str) -> HTML:
    """The report's heading: council, service, period and the date it was produced."""
    period = parse_period(period)
    council = escape(data.council)
    produced = dt.date.today().strftime("%d %B %Y")
    council_line = f"<p>{council}</p>" if council else ""
    return HTML(
        f'<header class="perfnb-title">'
        f"{council_line}"
        f"<h1>{escape(service)}: performance report</h1>"
        f"<p><strong>{escape(period.long_label)}</strong>. Produced {produced}.</p>"
        f"</header>"
    )
