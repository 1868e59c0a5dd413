"""The SPC chart: an XmR chart of :func:`perfnb.spc.xmr`'s result in the Making Data Count
style, with its variation and assurance icons.
"""

from __future__ import annotations

import math
from typing import Any, cast

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from perfnb.charts.fitting import legend_columns, text_width, wrap_to_width
from perfnb.charts.parts import (
    _figure_status,
    _isnan,
    _marked_tick,
    _status_handles,
    _titles,
    _value_axis,
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
from perfnb.periods import parse_period
from perfnb.spc import summarise
from perfnb.wording import format_value

__all__ = ["spc_chart"]


_ICON_WIDTH = 0.085  # of the figure's width: an icon and its caption
_CAPTION_SIZE = 7.5


def _icon(fig: Figure, x: float, colour: str, letter: str, words: str, gid: str) -> None:
    """A round icon with its letter (the shape MDC's icons take, drawn here), its words under
    it, wrapped to the icon's own width so two captions side by side never meet."""
    ax = fig.add_axes((x, 0.80, _ICON_WIDTH, 0.13), gid=gid)
    ax.set_aspect("equal")
    ax.set_xlim(-1.2, 1.2)
    ax.set_ylim(-1.2, 1.2)
    ax.axis("off")
    ax.add_patch(Circle((0, 0), 1, facecolor="white", edgecolor=colour, lw=3))
    ax.text(0, 0, letter, ha="center", va="center", fontsize=14, fontweight="bold", color=colour)
    room = _ICON_WIDTH * fig.get_figwidth() * 72 - 6  # points, a little apart
    caption = wrap_to_width(words, room, FontProperties(size=_CAPTION_SIZE))
    fig.text(x + _ICON_WIDTH / 2, 0.785, caption, ha="center", va="top", fontsize=_CAPTION_SIZE)


def _month_ticks(labels: list[str], statuses: list[str], room: float) -> dict[int, str]:
    """The ticks shown, by position: as many periods as fit side by side in ``room`` points
    (every second, third... counted back from the latest, which is always named), each a
    month (``Apr``) or quarter (``Q1``) with its year under it where the year changes
    (``Apr`` over ``2016``), so no two run together."""
    try:
        periods = [parse_period(label) for label in labels]
    except ValueError:
        periods = []
    if not periods:
        words = labels
        firsts, years = labels, [""] * len(labels)
    else:
        firsts = [
            f"{p.start:%b}"
            if p.kind == "month"
            else f"Q{p.index}"
            if p.kind == "quarter"
            else p.label
            for p in periods
        ]
        years = [
            str(p.start.year) if p.kind == "month" else p.year_label if p.kind == "quarter" else ""
            for p in periods
        ]
        words = [f"{f}\n{y}" for f, y in zip(firsts, years, strict=True)]
    font = FontProperties(size=rcParams["xtick.labelsize"])
    widest = max(
        (text_width(_marked_tick(w, s), font) for w, s in zip(words, statuses, strict=True)),
        default=0,
    )
    n = len(labels)
    step = max(1, math.ceil(n * (widest + 8) / max(room, 1.0)))
    shown = [x for x in range(n) if (n - 1 - x) % step == 0]
    ticks = {}
    year = None
    for x in shown:
        text = firsts[x] if years[x] == year else f"{firsts[x]}\n{years[x]}"
        year = years[x]
        ticks[x] = _marked_tick(text.strip("\n"), statuses[x])
    return ticks


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
        # the plot is about the figure's width less the icons' fifth and the value axis' inch
        room = (0.80 * fig.get_figwidth() - 1.0) * 72
        ticks = _month_ticks(labels, statuses, room)
        ax.set_xticks(list(ticks), list(ticks.values()))
        ax.set_xlim(-0.8, len(x) - 0.2)
        limits = rows[["value", "mean", "lpl", "upl"]].to_numpy(dtype=float).ravel().tolist()
        _value_axis(ax, unit, rate_per, largest, [*limits, target])
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
        _icon(fig, 0.815, colour, letter, words, "icon-variation")
        if assurance:
            colour, letter, words = SPC_ASSURANCE_ICONS[str(assurance)]
            _icon(fig, 0.815 + _ICON_WIDTH + 0.01, colour, letter, words, "icon-assurance")
        keys = [str(h.get_label()) for h in handles]
        columns = legend_columns(keys, fig.get_figwidth() * 72 - 12)
        fig.legend(handles=handles, loc="outside lower center", ncol=columns)

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
        "ticks": ticks,
        "key": status_key(statuses),
    }
    return Chart(name or f"spc-{slugify(title)[:60]}", title, alt, fig, model)
