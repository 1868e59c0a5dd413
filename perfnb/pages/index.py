"""The period's ``index.html``, its cover: each report with its R/A/G counts, what moved since
the period before and links to it in every format built, then how the reports were built
(status, notebook, times) in a smaller section. Drawn with Jinja2 (autoescaped) from
``perfnb/templates/cover/index.html.j2``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from perfnb.loader import Dataset
from perfnb.pages.parts import rag_counts_html
from perfnb.palette import rag_css
from perfnb.periods import Period

__all__ = ["changes_text", "render_index"]

_TEMPLATES = Path(__file__).parents[1] / "templates" / "cover"
# what a report is, by what its notebook reports on (perfnb.run.REPORT_KINDS)
_KIND_TITLES = {"measures": "Performance report", "actions": "Action plan"}
_FORMAT_NAMES = {"html": "Web page", "pdf": "PDF", "docx": "Word"}
_TABLES = ("scorecard.csv", "actions.csv")


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("index.html.j2")


def _readable_time(stamp: str) -> str:
    """``2026-11-22T15:35:34+00:00`` as ``22 Nov 2026 15:35``; anything else as it is."""
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%d %b %Y %H:%M")
    except (TypeError, ValueError):
        return str(stamp or "")


def changes_text(changes: dict) -> str:
    """A report's changes since the period before, as the cover gives them (``3 improving, 7
    declining, 6 stable; ratings 1 better, 0 worse``); '' when none were counted."""
    if not changes:
        return ""
    return (
        f"{changes.get('improving', 0)} improving, {changes.get('declining', 0)} declining, "
        f"{changes.get('stable', 0)} stable; ratings {changes.get('better', 0)} better, "
        f"{changes.get('worse', 0)} worse"
    )


def _stale(report: dict, current: dict) -> str:
    """Where a report's data came from when it is not what the latest run used, else ''."""
    run = report.get("run", {})
    if run.get("inputs") == current.get("inputs") and run.get("data_dir") == current.get(
        "data_dir"
    ):
        return ""
    return str(run.get("data_dir", "another data set"))


def _row(report: dict, current: dict) -> dict:
    """What the cover says of one report (manifest entry)."""
    built = report.get("status", "") == "ok" and bool(report.get("html"))
    good = report.get("last_good") or {}
    page = report.get("html") if built else good.get("html")
    links = []
    if page:
        links.append({"name": _FORMAT_NAMES["html"], "href": page})
    if built:
        for name in report.get("formats") or []:
            suffix = str(name).rsplit(".", 1)[-1]
            links.append({"name": _FORMAT_NAMES.get(suffix, suffix), "href": name})
    counts = report.get("rag_counts") or {}
    cell = report.get("cell")
    error = str(report.get("error") or "") + (f" (cell {cell})" if cell is not None else "")
    return {
        "service": str(report.get("service", "")),
        "kind": _KIND_TITLES.get(str(report.get("kind", "measures")), "Report"),
        "notebook": str(report.get("notebook", "")),
        "page": page,
        "links": links,
        "counts": Markup(rag_counts_html(counts)) if counts else "",
        "missing": list(report.get("without_commentary") or []),
        "changes": changes_text(report.get("changes") or {}),
        "failed": not built,
        "error": error,
        "ipynb": report.get("ipynb") if not built else None,
        "last_good": _readable_time(good.get("finished", "")) if good and not built else "",
        "stale": _stale(report, current),
        "finished": _readable_time(report.get("finished", "")),
    }


def render_index(
    data: Dataset,
    period: Period,
    reports: Sequence[dict],
    current: dict | None = None,
    tables: Sequence[str] = ("scorecard.csv",),
) -> str:
    """The HTML of the period's cover, listing ``reports`` (manifest entries) and linking the
    period's ``tables`` (scorecard.csv, actions.csv); reports built from other inputs than the
    ``current`` run (its ``inputs`` and ``data_dir``) are marked as such."""
    current = current or {}
    rows = [_row(r, current) for r in sorted(reports, key=lambda r: (r["service"], r["notebook"]))]
    return _template().render(
        heading=f"{data.council}: performance reports" if data.council else "Performance reports",
        council=data.council,
        period=period,
        previous_label=period.previous().label,
        rows=rows,
        tables=[(name, name) for name in _TABLES if name in tables],
        rag_css=Markup(rag_css()),
        made=dt.datetime.now(dt.UTC).strftime("%d %B %Y %H:%M UTC"),
    )
