"""The action progress chart: each action's % complete against the progress expected by the
period end, in the colour and hatching of its rating.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from perfnb.charts.fitting import shorten
from perfnb.charts.parts import _isnan, _legend, _titles
from perfnb.charts.style import Chart, house_style
from perfnb.contract import slugify
from perfnb.palette import ACTION_STYLES

__all__ = ["action_progress_chart"]

_ACTION_CHART_COLUMNS = ("action_id", "pct_complete", "expected_pct", "rag", "period")


def action_progress_chart(progress: pd.DataFrame) -> Chart:
    """Each action's % complete (a bar in its rating's colour and hatching) against the %
    expected by the period end (a black tick), from ``perfnb.action_progress``; actions with
    neither a % complete nor an expected % (and cancelled ones) are left out. Each bar is
    labelled by its action's code and short title (:func:`_short_title`)."""
    missing = [c for c in _ACTION_CHART_COLUMNS if c not in progress.columns]
    if missing:
        raise ValueError(
            "action_progress_chart needs perfnb.action_progress's columns; missing: "
            + ", ".join(missing)
        )
    shown = progress[
        (progress["pct_complete"].notna() | progress["expected_pct"].notna())
        & progress["rag"].ne("Cancelled")
    ]
    if shown.empty:
        raise ValueError("action_progress_chart needs an action with a % complete or expected %")
    periods = list(pd.unique(progress["period"]))
    if len(periods) != 1:
        raise ValueError(
            f"action_progress_chart shows one report period, but the rows hold {len(periods)}"
        )
    period = str(periods[0])
    services = list(pd.unique(progress["service"])) if "service" in progress.columns else []
    prefix = f"{services[0]}: " if len(services) == 1 else ""
    title = f"{prefix}% complete against expected progress, {period}"
    rows = shown.to_dict("records")
    labels = [str(r["action_id"]) for r in rows]
    names = [_short_title(r) for r in rows]
    drawn_ratings = [r for r in ACTION_STYLES if any(row["rag"] == r for row in rows)]

    bars = []
    with house_style():
        width, _ = matplotlib.rcParams["figure.figsize"]
        fig = Figure(figsize=(width, max(2.8, 1.8 + 0.3 * len(rows))))
        ax = fig.add_subplot()
        y = list(range(len(rows)))
        for i, row in enumerate(rows):
            style = ACTION_STYLES.get(str(row["rag"]), ACTION_STYLES["On track"])
            done = None if _isnan(row["pct_complete"]) else float(row["pct_complete"])
            expected = None if _isnan(row["expected_pct"]) else float(row["expected_pct"])
            if done is not None:
                (bar,) = ax.barh(
                    i,
                    done,
                    height=0.62,
                    color=style.fill,
                    edgecolor=style.edge,
                    linewidth=0.8,
                    hatch=style.hatch or None,
                    gid=f"bar-{slugify(labels[i])}",
                    zorder=2,
                )
                bar.set_hatchcolor(style.text)
            if expected is not None:
                ax.plot(
                    [expected, expected],
                    [i - 0.42, i + 0.42],
                    color="#111111",
                    linewidth=2.2,
                    solid_capstyle="butt",
                    zorder=3,
                    gid=f"expected-{slugify(labels[i])}",
                )
            if done is None:
                started = str(row.get("status")).lower() != "not started"
                text = "no % given" if started else "not started"
            else:
                text = f"{done:g}%"
            # the figure just past its bar, or past the tick when the tick would cover it
            at = done or 0
            if expected is not None and at <= expected <= at + 8:
                at = expected
            ax.text(
                at + 1.5,
                i,
                text,
                ha="left",
                va="center",
                color="#333333",
            )
            bars.append(
                {
                    "action_id": labels[i],
                    "label": names[i],
                    "pct_complete": done,
                    "expected_pct": expected,
                    "rag": str(row["rag"]),
                    "face": style.fill,
                    "hatch": style.hatch,
                }
            )
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 112)
        ax.set_xticks(range(0, 101, 20))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Per cent complete")
        _titles(
            ax,
            title,
            "Bars: % complete reported by the lead officer, in the colour of the action's "
            "rating. Black tick: % expected by the period end if the work ran evenly from start "
            "to deadline.",
        )
        handles: list[Any] = [
            Patch(
                facecolor=ACTION_STYLES[r].fill,
                edgecolor=ACTION_STYLES[r].edge,
                hatch=ACTION_STYLES[r].hatch or None,
                label=r,
            )
            for r in drawn_ratings
        ]
        handles.append(Line2D([], [], color="#111111", linewidth=2.2, label="Expected"))
        _legend(ax, handles)
        for patch in fig.legends[0].get_patches():
            patch.set_hatchcolor("#111111")

    described = []
    for bar in bars:
        done_text = (
            "no % complete given"
            if bar["pct_complete"] is None
            else (f"{bar['pct_complete']:g}% complete")
        )
        expected_text = (
            f", {bar['expected_pct']:g}% expected" if bar["expected_pct"] is not None else ""
        )
        described.append(f"{bar['action_id']} {done_text}{expected_text} ({bar['rag']})")
    alt = f"Bar chart: {title}. " + "; ".join(described) + "."
    model = {"kind": "action_progress", "period": period, "bars": bars}
    slug = "-".join(slugify(s) for s in [*([services[0]] if prefix else []), period])
    return Chart(f"action-progress-{slug}", title, alt, fig, model)


_TITLE_LENGTH = 32  # characters of an action's title beside its code on the chart


def _short_title(row: dict[str, Any]) -> str:
    """``COR-HSC-AP-29 Implement issues arising from…``: the code, then the action's title
    (``title``) without a leading "To " and cut at a word boundary to ``_TITLE_LENGTH``
    characters; the code alone when there is no title."""
    code = str(row["action_id"])
    title = "" if _isnan(row.get("title")) else " ".join(str(row.get("title")).split())
    if title[:3].lower() == "to " and len(title) > 3:
        title = title[3].upper() + title[4:]
    return f"{code} {shorten(title, _TITLE_LENGTH)}".strip()
