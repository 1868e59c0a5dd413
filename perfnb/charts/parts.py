"""What the charts share: the engine's rows checked and read (blanks, figures in their unit,
statuses), and the parts every chart draws (value axis, titles, legend, RAG markers, ticks).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any, TypedDict, cast

import pandas as pd
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from perfnb.charts.fitting import fitted, legend_columns, wrap_to_width
from perfnb.charts.scale import value_limits
from perfnb.contract import slugify
from perfnb.palette import (
    NOT_FINAL_FACE,
    RAG_STYLES,
    STATUS_MARKERS,
    rag_style,
    status_key,
    status_marker,
)
from perfnb.periods import parse_period
from perfnb.wording import AIM_LABELS, format_value

__all__ = ["POLARITY_TEXT", "unit_label"]

POLARITY_TEXT = {
    **AIM_LABELS,
    # a chart's subtitle says why it has no rating colours
    "none": "Not rated: neither higher nor lower is better",
}

_RAG_LEGEND = {
    "Red": "Red",
    "Amber": "Amber",
    "Green": "Green",
    "N/A": "N/A (not rated)",
    "Pending": "Pending (no figure yet)",
}


def unit_label(unit: str, rate_per: float | None = None) -> str:
    """The value axis label of a unit: ``Per cent``, ``Days``, ``Per 100,000 population``."""
    if unit == "rate":
        per = rate_per if rate_per is not None and not _isnan(rate_per) else 100_000
        return f"Per {per:,.0f} population"
    labels = {"percent": "Per cent", "days": "Days", "count": "Count", "currency": "£"}
    return labels.get(unit, str(unit).capitalize())


def _period_labels(periods: pd.Series, source: str) -> list[str]:
    labels = []
    for number, text in enumerate(periods, start=2):
        try:
            labels.append(parse_period(text).label)
        except ValueError as error:
            raise ValueError(f"{source} row {number}: {error}") from None
    return labels


def _isnan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _number(value: object) -> float | None:
    """A plain float, or None for a blank."""
    if _isnan(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _format(
    value: float | None,
    row: pd.Series | dict[str, Any],
    target: bool = False,
    short: bool = False,
) -> str:
    """A figure in the measure's unit, as the scorecard prints it; a target keeps no decimals
    when it is whole; ``short`` drops "per 100,000" from a rate (for labels on the chart, whose
    axis names the unit)."""
    if value is None:
        return ""
    decimals = int(row["decimals"])
    if target and float(value).is_integer():
        decimals = 0
    unit = "count" if short and row["unit"] == "rate" else row["unit"]
    return format_value(value, unit, decimals, _number(row["rate_per"]))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _one_measure(frame: pd.DataFrame, needed: Sequence[str], caller: str) -> pd.DataFrame:
    """The rows of one measure, checked, with a fresh index."""
    missing = [name for name in needed if name not in frame.columns]
    if missing:
        raise ValueError(
            f"{caller} needs the engine's columns (perfnb.performance); missing: "
            + ", ".join(missing)
        )
    if frame.empty:
        raise ValueError(f"{caller} needs at least one row")
    ids = pd.unique(frame["measure_id"])
    if len(ids) != 1:
        raise ValueError(
            f"{caller} draws one measure, but the rows hold {len(ids)}: "
            + ", ".join(map(str, ids[:5]))
        )
    order = [(p.end, p.start) for p in map(parse_period, frame["period"])]
    return frame.iloc[sorted(range(len(frame)), key=order.__getitem__)].reset_index(drop=True)


def _collapse_repeats(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per figure: consecutive reports showing the same period's figure (an annual
    survey in quarterly reports, a quarter in monthly ones) keep only the latest report's row.
    Also returns the position of each report period's figure among the rows kept."""
    periods = rows["value_period"].where(rows["value_period"] != "", rows["period"])
    keep = periods != periods.shift(-1)
    position = keep.shift(1, fill_value=False).cumsum()
    slots = {str(p): int(i) for p, i in zip(rows["period"], position, strict=True)}
    return rows.assign(value_period=periods)[keep].reset_index(drop=True), slots


def _value_axis(
    ax: Axes,
    unit: str,
    rate_per: float | None,
    largest: float,
    values: Sequence[float | None] | None = None,
) -> None:
    """The value axis: its unit, at most six round steps (1, 2 or 5 times a power of ten;
    whole numbers for counts and days), thousands with commas; with ``values`` (every figure
    and target drawn), its range by :func:`perfnb.charts.scale.value_limits`."""
    ax.set_ylabel(unit_label(unit, rate_per))
    ax.yaxis.set_major_locator(
        MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=unit in ("count", "days"))
    )
    if largest >= 1000:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    else:
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    if values is not None:
        ax.set_ylim(*value_limits(values, unit))


# the room a title is first wrapped to: the figure less the value axis' labels (about an inch);
# the layout wraps it again if the axis takes more
_AXIS_ROOM = 72.0  # points


def _titles(ax: Axes, title: str, subtitle: str) -> None:
    """The title (wrapped) above the plot, and under it a subtitle in plain weight, each
    wrapped to the figure's width in the font drawn (re-wrapped once laid out, if need be)."""
    fig = ax.get_figure(root=True)
    assert fig is not None
    layout = fitted(fig)
    _, _, width, _ = layout.get()["rect"]
    room = fig.get_figwidth() * width * 72 - _AXIS_ROOM
    title_font = FontProperties(
        size=rcParams["axes.titlesize"], weight=rcParams["axes.titleweight"]
    )
    sources = (title, subtitle)
    subtitle = wrap_to_width(subtitle, room, FontProperties(size=rcParams["font.size"]))
    pad = 10.0
    drawn = ax.set_title(
        wrap_to_width(title, room, title_font),
        loc="left",
        pad=pad + 14 * (subtitle.count("\n") + 1),
    )
    note = ax.annotate(
        subtitle,
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        ha="left",
        va="bottom",
        color="#333333",
        annotation_clip=False,
        gid="subtitle",
    )
    # its height is in the title's pad; out of the layout, so that a subtitle too wide for the
    # plot is wrapped (by the layout) rather than the plot squeezed to fit it
    note.set_in_layout(False)
    layout.add_titles(ax, drawn, note, sources, pad)


def _legend(ax: Axes, handles: list[Any]) -> None:
    """The legend under the plot and its axis label (laid out by constrained layout, however
    many lines the period labels take), so labels at the plot's right edge never cover it."""
    if handles:
        fig = ax.get_figure(root=True)
        assert fig is not None
        labels = [str(h.get_label()) for h in handles]
        ax.figure.legend(
            handles=handles,
            loc="outside lower center",
            ncol=legend_columns(labels, fig.get_figwidth() * 72 - 12),
        )


def _rag_handle(rating: str) -> Line2D:
    style = rag_style(rating)
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=style.marker,
        markerfacecolor=style.fill,
        markeredgecolor=style.edge,
        markeredgewidth=1.2,
        label=_RAG_LEGEND.get(style.label, style.label),
    )


class _RagPoint(TypedDict):
    """What :func:`_rag_points` reads of a chart's point."""

    x: int
    value: float | None
    status: str
    rag: str


def _rag_points(ax: Axes, points: Sequence[_RagPoint]) -> None:
    """One marker per valued point, shape and colours from its rating (palette); a figure that
    is not final hollow, in its rating's shape and edge colour (gid ``rag-amber-not-final``)."""
    for rating in RAG_STYLES:
        for hollow in (False, True):
            mine = [
                p
                for p in points
                if p["rag"] == rating and p["value"] is not None and bool(p["status"]) == hollow
            ]
            if not mine:
                continue
            style = rag_style(rating)
            ax.plot(
                [p["x"] for p in mine],
                cast("list[float]", [p["value"] for p in mine]),  # valued points only
                linestyle="none",
                marker=style.marker,
                markersize=9,
                markerfacecolor=NOT_FINAL_FACE if hollow else style.fill,
                markeredgecolor=style.edge,
                markeredgewidth=1.8 if hollow else 1.2,
                zorder=4,
                label=_RAG_LEGEND[rating],
                gid=f"rag-{slugify(rating)}" + ("-not-final" if hollow else ""),
            )


def _figure_status(row: pd.Series | dict[str, Any], column: str = "status") -> str:
    """A figure's status when it is not final (``provisional``...), '' when it is final or the
    rows have no such column."""
    status = row.get(column, "")
    return str(status).strip().lower() if status_marker(status) else ""


def _status_handles(statuses: Sequence[str]) -> list[Line2D]:
    """The legend's key: a hollow point for each status of the chart that is not final, with
    the key's words (``[p] provisional``)."""
    return [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor=NOT_FINAL_FACE,
            markeredgecolor="#333333",
            markeredgewidth=1.8,
            label=status_key([status]),
        )
        for status in STATUS_MARKERS
        if status in set(statuses)
    ]


def _marked_tick(tick: str, status: str) -> str:
    """A period's tick with its figure's marker on its first line: ``Q1 [p]`` over ``2017/18``."""
    marker = status_marker(status)
    if not marker:
        return tick
    first, newline, rest = tick.partition("\n")
    return f"{first} {marker}{newline}{rest}"


def _measures(count: int) -> str:
    return f"{count} measure" if count == 1 else f"{count} measures"


def _rated(rating: str) -> str:
    return "not rated" if rating == "N/A" else f"rated {rating}"


def _rating(value: object) -> str:
    return rag_style("" if _isnan(value) else str(value)).label


def _two_line_tick(label: str) -> str:
    """A period on two short lines, so eight quarters fit side by side: ``Q1`` over
    ``2017/18``, ``Apr`` over ``2017``; a year stays ``2017/18``."""
    period = parse_period(label)
    if period.kind == "quarter":
        return f"Q{period.index}\n{period.year_label}"
    if period.kind == "month":
        return f"{period.start:%b}\n{period.start.year}"
    return period.label
