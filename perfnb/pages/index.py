"""The period's ``index.html``: every report of the period with its R/A/G counts, status and
a link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from perfnb.loader import Dataset
from perfnb.pages.parts import rag_counts_html
from perfnb.palette import rag_css
from perfnb.periods import Period

__all__ = ["render_index"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.sub { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin-top: 1.5rem; }
th, td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid #ccc; }
th { background: #f0f0f0; }
.status-ok { color: #1a5e20; font-weight: 600; }
.status-failed { color: #9b1c1c; font-weight: 600; }
a { color: #0b4f9c; }
footer { margin-top: 2rem; font-size: 0.85rem; color: #444; }
.stale { color: #7a4a00; }
.needs { font-size: 0.85rem; color: #5c3a00; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def _readable_time(stamp: str) -> str:
    """``2026-11-22T15:35:34+00:00`` as ``22 Nov 2026 15:35``; anything else as it is."""
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%d %b %Y %H:%M")
    except (TypeError, ValueError):
        return str(stamp or "")


def _stale_note(report: dict, current: dict, period: Period) -> str:
    """A warning when a report was built from other data than the latest run used."""
    run = report.get("run", {})
    if run.get("inputs") == current.get("inputs") and run.get("data_dir") == current.get(
        "data_dir"
    ):
        return ""
    where = escape(str(run.get("data_dir", "another data set")))
    service = escape(str(report.get("service", "")))
    return (
        f'<br><span class="stale">Built from other data than the latest run ({where}); '
        f"rebuild it with <code>perfnb run --period &quot;{escape(period.label)}&quot; "
        f"--service &quot;{service}&quot;</code> or delete it.</span>"
    )


# what a report is, by what its notebook reports on (perfnb.run.REPORT_KINDS)
_KIND_TITLES = {"measures": "Performance report", "actions": "Action plan"}


def _row(report: dict, current: dict, period: Period) -> str:
    status = report.get("status", "")
    service = escape(str(report.get("service", "")))
    kind = _KIND_TITLES.get(str(report.get("kind", "measures")), "")
    name = escape(str(report.get("notebook", "")))
    notebook = f'{kind}<br><span class="needs">{name}.ipynb</span>' if kind else name
    if status == "ok" and report.get("html"):
        link = f'<a href="{escape(report["html"])}">{service}</a>'
        state = '<span class="status-ok">Built</span>'
    else:
        link = service
        cell = report.get("cell")
        where = f" (cell {cell})" if cell is not None else ""
        detail = escape(str(report.get("error") or "")) + where
        kept = report.get("ipynb")
        notebook_link = f' <a href="{escape(kept)}">executed notebook</a>' if kept else ""
        state = f'<span class="status-failed">Failed</span>: {detail}{notebook_link}'
        good = report.get("last_good")
        if good:
            when = escape(_readable_time(good.get("finished", "")))
            link = f'<a href="{escape(good["html"])}">{service}</a>'
            state += f"<br>The report linked is the last good one, built {when}."
    state += _stale_note(report, current, period)
    finished = escape(_readable_time(report.get("finished", "")))
    counts = report.get("rag_counts") or {}
    ratings = rag_counts_html(counts) if counts else ""
    missing = report.get("without_commentary") or []
    if missing:
        ratings += (
            f'<br><span class="needs">{len(missing)} Red or Amber measure(s) without '
            f"commentary: {escape(', '.join(missing))}</span>"
        )
    return (
        f"<tr><td>{link}</td><td>{notebook}</td><td>{ratings}</td><td>{state}</td>"
        f"<td>{finished}</td></tr>"
    )


_TABLE_TEXT = {
    "scorecard.csv": "the scorecard of every measure is in "
    '<a href="scorecard.csv">scorecard.csv</a>',
    "actions.csv": 'every action, with its rating, is in <a href="actions.csv">actions.csv</a>',
}


def render_index(
    data: Dataset,
    period: Period,
    reports: Sequence[dict],
    current: dict | None = None,
    tables: Sequence[str] = ("scorecard.csv",),
) -> str:
    """The HTML of the period's index page, listing ``reports`` (manifest entries) and linking
    the period's ``tables`` (scorecard.csv, actions.csv); reports built from other inputs than
    the ``current`` run (its ``inputs`` and ``data_dir``) are marked as such."""
    current = current or {}
    council = escape(data.council)
    heading = f"{council}: performance reports" if council else "Performance reports"
    rows = "\n".join(
        _row(r, current, period)
        for r in sorted(reports, key=lambda r: (r["service"], r["notebook"]))
    )
    made = dt.datetime.now(dt.UTC).strftime("%d %B %Y %H:%M UTC")
    said = "; ".join(_TABLE_TEXT[name] for name in tables if name in _TABLE_TEXT)
    linked = f"{said[:1].upper()}{said[1:]}; " if said else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}, {escape(period.label)}</title>
<style>{_CSS}
{rag_css()}</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p class="sub">{escape(period.long_label)}</p>
<table>
<caption class="sub" style="text-align:left">Reports of this period</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Report</th><th scope="col">Ratings</th>
<th scope="col">Status</th><th scope="col">Last run (UTC)</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<p>{linked}what each report was built from is in <a href="manifest.json">manifest.json</a>.</p>
<footer>Index written {escape(made)}.</footer>
</main>
</body>
</html>
"""
