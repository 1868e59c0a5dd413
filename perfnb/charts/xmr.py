"""The SPC chart: an XmR chart of :func:`perfnb.spc.xmr`'s result in the Making Data Count
style, with its variation and assurance icons.
"""

from __future__ import annotations

from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from perfnb.charts.parts import (
    _figure_status,
    _isnan,
    _marked_tick,
    _status_handles,
    _titles,
    _two_line_tick,
    _value_axis,
    _wrap,
)
from perfnb.charts.style import Chart, house_style
from perfnb.contract import slugify
from perfnb.palette import (
    NOT_FINAL_FACE,
    SPC_ASSURANCE_ICONS,
    SPC_STYLES,
    SPC_TARGET_COLOUR,
    SPC_VARIATION_ICONS,
    status_key,
    status_key_line,
)
from perfnb.spc import summarise
from perfnb.wording import format_value

__all__ = ["spc_chart"]


def _icon(fig: Figure, x: float, colour: str, letter: str, words: str, gid: str) -> None:
    """A round icon with its letter (the shape MDC's icons take, drawn here), words under it."""
    ax = fig.add_axes((x, 0.80, 0.07, 0.13), gid=gid)
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.axis("off")
    ax.add_patch(Circle((0, 0), 1, facecolor="white", edgecolor=colour, lw=3))
    ax.text(0, 0, letter, ha="center", va="center", fontsize=14, fontweight="bold", color=colour)
    fig.text(x + 0.035, 0.785, _wrap(words, 13), ha="center", va="top", fontsize=7.5)


def spc_chart(
    result: pd.DataFrame,
    title: str,
    *,
    unit: str = "count",
    decimals: int = 0,
    rate_per: float | None = None,
    target: float | None = None,
    summary: pd.DataFrame | None = None,
    name: str | None = None,
) -> Chart:
    """An XmR chart in the Making Data Count style from :func:`perfnb.spc.xmr` (with periods):
    the values joined in grey, each point coloured and shaped by its type, the mean solid, the
    process limits dashed (each rebase group its own), the target in red, and the variation and
    assurance icons drawn at the top right (from :func:`perfnb.spc.summarise`). When ``result``
    has a ``status`` column, a figure that is not final is drawn hollow, its tick marked."""
    if "period" not in result.columns:
        raise ValueError("spc_chart needs the periods: pass periods to perfnb.spc.xmr")
    rows = result.reset_index(drop=True)
    summary = summarise(rows, target) if summary is None else summary
    latest = summary.iloc[-1] if len(summary) else None
    labels = [str(p) for p in rows["period"]]
    valued = rows["point_type"] != "missing"
    statuses = [
        _figure_status(row) if shown else ""
        for row, shown in zip(rows.to_dict("records"), valued, strict=True)
    ]
    try:
        ticks = [
            _marked_tick(_two_line_tick(p), status)
            for p, status in zip(labels, statuses, strict=True)
        ]
    except ValueError:
        ticks = labels
    x = np.arange(len(rows))
    hollow = pd.Series([bool(status) for status in statuses], index=rows.index)
    largest = float(np.nanmax(np.abs(rows[["value", "upl"]].to_numpy(dtype=float))))
    variation = str(latest["variation"]) if latest is not None else "common_cause"
    assurance = latest["assurance"] if latest is not None else None
    trial = bool(rows["trial_limits"].any())
    with house_style():
        width, _ = matplotlib.rcParams["figure.figsize"]
        fig = Figure(figsize=(width, 4.2))
        ax = fig.add_subplot()
        ax.plot(
            x[valued], rows.loc[valued, "value"], color="#7B7D7D", lw=1.4, zorder=2, gid="values"
        )
        for group, members in rows.groupby("rebase_group", sort=True):
            span = [members.index.min() - 0.4, members.index.max() + 0.4]
            first = members.iloc[0]
            ax.plot(span, [first["mean"]] * 2, color="#000000", lw=1.2, gid=f"mean-{group}")
            for limit in ("lpl", "upl"):  # not "name": that is the chart's file name
                ax.plot(
                    span,
                    [first[limit]] * 2,
                    color="#7B7D7D",
                    lw=1.2,
                    linestyle=(0, (5, 3)),
                    gid=f"{limit}-{group}",
                )
        if target is not None and not _isnan(target):
            ax.axhline(target, color=SPC_TARGET_COLOUR, lw=1.6, gid="target", zorder=1)
        handles: list[Any] = []
        for kind, (colour, marker, words) in SPC_STYLES.items():
            mine = valued & (rows["point_type"] == kind)
            if not mine.any():
                continue
            for open_face in (False, True):
                these = mine & (hollow == open_face)
                if not these.any():
                    continue
                ax.plot(
                    x[these],
                    rows.loc[these, "value"],
                    linestyle="none",
                    marker=marker,
                    markersize=6.5,
                    markerfacecolor=NOT_FINAL_FACE if open_face else colour,
                    markeredgecolor="#333333" if kind == "common_cause" else colour,
                    markeredgewidth=1.4 if open_face else 0.6,
                    zorder=4,
                    gid=f"points-{kind}" + ("-not-final" if open_face else ""),
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker=marker,
                    markerfacecolor=colour,
                    markeredgecolor=colour,
                    label=words,
                )
            )
        handles.append(Line2D([], [], color="#000000", lw=1.2, label="Mean"))
        handles.append(
            Line2D([], [], color="#7B7D7D", lw=1.2, linestyle=(0, (5, 3)), label="Process limits")
        )
        if target is not None and not _isnan(target):
            handles.append(Line2D([], [], color=SPC_TARGET_COLOUR, lw=1.6, label="Target"))
        handles.extend(_status_handles(statuses))
        step = max(1, len(x) // 12)
        ax.set_xticks(x[::step], [ticks[i] for i in x[::step]])
        ax.set_xlim(-0.8, len(x) - 0.2)
        _value_axis(ax, unit, rate_per, largest)
        note = "Trial limits: fewer than 13 points. " if trial else ""
        _titles(
            ax,
            title,
            f"{note}XmR chart: points outside the dashed process limits, or in a run, trend or "
            "2-of-3 pattern, are special cause; the rest is common cause variation.",
        )
        # the house style lays figures out with constrained layout
        cast(ConstrainedLayoutEngine, fig.get_layout_engine()).set(rect=(0, 0, 0.80, 1))
        colour, letter, words = SPC_VARIATION_ICONS[variation]
        _icon(fig, 0.81, colour, letter, words, "icon-variation")
        if assurance:
            colour, letter, words = SPC_ASSURANCE_ICONS[str(assurance)]
            _icon(fig, 0.905, colour, letter, words, "icon-assurance")
        ax.figure.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), 4))

    def say(value: float) -> str:
        return format_value(value, unit, decimals + 1, rate_per)

    special = rows[valued & (rows["point_type"] != "common_cause")]
    points = "; ".join(
        f"{period}: {kind.replace('_', ' ')} ({rule})"
        for period, kind, rule in zip(
            special["period"], special["point_type"], special["special_cause_type"], strict=True
        )
    )
    first = rows.iloc[-1]
    alt = (
        f"SPC chart: {title}. {int(valued.sum())} points from {labels[0]} to {labels[-1]}; mean "
        f"{say(first['mean'])}, process limits {say(first['lpl'])} to {say(first['upl'])}. "
        f"Variation: {SPC_VARIATION_ICONS[variation][2].lower()}."
        + (f" Assurance: {SPC_ASSURANCE_ICONS[str(assurance)][2].lower()}." if assurance else "")
        + (f" Special cause: {points}." if points else " No special cause.")
        + (f" {status_key_line(statuses)}" if status_key_line(statuses) else "")
    )
    model = {
        "kind": "spc",
        "periods": labels,
        "values": [None if _isnan(v) else float(v) for v in rows["value"]],
        "point_types": list(rows["point_type"]),
        "variation": variation,
        "assurance": assurance,
        "target": target,
        "trial_limits": trial,
        "statuses": statuses,
        "key": status_key(statuses),
    }
    return Chart(name or f"spc-{slugify(title)[:60]}", title, alt, fig, model)
