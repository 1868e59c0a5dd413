"""The trend chart: one measure's figures over recent report periods, marked by RAG, with its
target or band, the same period last year and analysts' annotations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from perfnb.charts.parts import (
    POLARITY_TEXT,
    _collapse_repeats,
    _figure_status,
    _format,
    _isnan,
    _legend,
    _marked_tick,
    _number,
    _one_measure,
    _period_labels,
    _rag_handle,
    _rag_points,
    _RagPoint,
    _rated,
    _rating,
    _status_handles,
    _titles,
    _two_line_tick,
    _value_axis,
    _wrap,
    unit_label,
)
from perfnb.charts.style import Chart, house_style
from perfnb.charts.trend_series import _lines, _runs, _steps, own_figures, resets_each_year
from perfnb.contract import slugify
from perfnb.palette import (
    NOT_FINAL_FACE,
    RAG_STYLES,
    rag_style,
    status_key,
    status_key_line,
    with_marker,
)
from perfnb.periods import parse_period
from perfnb.wording import variance_text

__all__ = ["ANNOTATION_COLUMNS", "trend_chart"]

ANNOTATION_COLUMNS = ("measure_id", "period", "text")

_BASIS_LINE = {
    "year to date": "Year to date",
    "average to date": "Average to date",
    "full year forecast": "Full year forecast",
}
_BASIS_NOTE = {
    "year to date": "Figures are year to date",
    "average to date": "Figures are averages to date",
    "full year forecast": "Figures are full-year forecasts",
}


class _TrendPoint(_RagPoint):
    """A point of :func:`trend_chart` (its model's ``points``)."""

    period: str
    report_period: str
    value_text: str
    face: str | None
    edge: str | None
    marker: str | None
    target: float | None
    band: tuple[float | None, float | None]
    last_year: float | None
    last_year_status: str
    note: str


_TREND_COLUMNS = (
    "measure_id",
    "name",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "decimals",
    "period",
    "value_period",
    "value",
    "value_basis",
    "note",
    "target",
    "band_low",
    "band_high",
    "variance_pp",
    "variance_pct",
    "rag",
    "last_year_value",
)


def trend_chart(history: pd.DataFrame, annotations: pd.DataFrame | None = None) -> Chart:
    """One measure's figures over recent report periods (the engine's rows, in period order):
    points marked by RAG, its target or band, last year dashed, the latest figure labelled.

    Values are in the measure's unit. Consecutive reports that show the same period's figure
    are drawn once, at that period. A period with no figure keeps its place, marked "Pending".
    A year to date that starts again each April (``sum`` and ``ytd`` measures) is drawn as each
    period's own figure (:func:`perfnb.charts.trend_series.own_figures`), against the period's
    own target, in one colour: its rating is the year to date's, which
    :func:`perfnb.charts.cumulative_chart` draws. ``annotations`` rows (``measure_id, period,
    text``) of this measure are drawn as a dotted line with their text at their period; those
    at periods outside the chart are left out. The value axis follows
    :func:`perfnb.charts.scale.value_limits`.

    A measure with fewer than three figures has no trend to draw: the caller asks
    :func:`perfnb.charts.has_trend` first (the chart is still drawn when asked for).
    """
    rows, slots = _collapse_repeats(_one_measure(history, _TREND_COLUMNS, "trend_chart"))
    own = resets_each_year(rows)
    rows = own_figures(rows)
    latest = rows.iloc[-1]
    measure_id, name = str(latest["measure_id"]), str(latest["name"])
    unit, polarity = str(latest["unit"]), str(latest["polarity"])
    rate_per = _number(latest["rate_per"])
    labels = [str(p) for p in rows["value_period"]]
    n = len(rows)

    points: list[_TrendPoint] = []
    for i, row in rows.iterrows():
        value = _number(row["value"])
        rating = _rating(row["rag"])
        style = rag_style(rating)
        drawn = value is not None
        status = _figure_status(row) if drawn else ""
        last_year_value = _number(row["last_year_value"])
        points.append(
            {
                "x": int(i),
                "period": labels[int(i)],
                "report_period": str(row["period"]),
                "value": value,
                "value_text": with_marker(_format(value, row), status),
                "status": status,
                "rag": rating,
                "face": (NOT_FINAL_FACE if status else style.fill) if drawn else None,
                "edge": style.edge if drawn else None,
                "marker": style.marker if drawn else None,
                "target": _number(row["target"]),
                "band": (_number(row["band_low"]), _number(row["band_high"])),
                "last_year": last_year_value,
                "last_year_status": _figure_status(row, "last_year_status")
                if last_year_value is not None
                else "",
                "note": "" if _isnan(row["note"]) else str(row["note"]),
            }
        )
    valued = [p for p in points if p["value"] is not None]
    latest_point = valued[-1] if valued else None
    statuses = [p["status"] for p in points] + [p["last_year_status"] for p in points]

    basis = str(latest["value_basis"]) if not _isnan(latest["value_basis"]) else ""
    kinds = {parse_period(label).kind for label in labels}
    each = "quarter" if kinds == {"quarter"} else "month" if kinds == {"month"} else "period"
    subtitle_parts = [POLARITY_TEXT.get(polarity, polarity)]
    if own:
        subtitle_parts.append(f"Each {each}'s own figure, not the year to date")
    elif basis in _BASIS_NOTE:
        subtitle_parts.append(_BASIS_NOTE[basis])
    subtitle = f"{measure_id}. " + ". ".join(subtitle_parts) + "."

    with house_style():
        fig = Figure()
        ax = fig.add_subplot()
        handles: list[Any] = []

        xs: Sequence[float]
        # the runs hold only the points with a band (both ends) or a target
        band_runs = _runs([p["x"] for p in points if None not in p["band"]])
        for run in band_runs:
            xs, lows = _steps(run, cast("list[float]", [points[i]["band"][0] for i in run]))
            _, highs = _steps(run, cast("list[float]", [points[i]["band"][1] for i in run]))
            ax.fill_between(xs, lows, highs, color="C3", linewidth=0, zorder=1, gid="band")
        if band_runs:
            handles.append(Patch(facecolor="C3", label="Target band"))

        target_runs = _runs([p["x"] for p in points if p["target"] is not None])
        for run in target_runs:
            xs, ys = _steps(run, cast("list[float]", [points[i]["target"] for i in run]))
            ax.plot(xs, ys, color="C1", linewidth=1.6, zorder=2, gid="target")
        if target_runs:
            handles.append(Line2D([], [], color="C1", linewidth=1.6, label="Target"))

        last_year = [p["last_year"] for p in points]
        years = [0] * n  # each period's own figure: one line across the years
        if any(v is not None for v in last_year):
            for k, (xs, ys) in enumerate(_lines(last_year, years)):
                ax.plot(
                    xs,
                    ys,
                    color="C2",
                    linestyle=(0, (4, 2.5)),
                    linewidth=1.6,
                    marker="o",
                    markersize=3,
                    zorder=2,
                    gid=f"last-year-{k}",
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C2",
                    linestyle=(0, (4, 2.5)),
                    linewidth=1.6,
                    marker="o",
                    markersize=3,
                    label="Same period last year",
                )
            )
            hollow = [p for p in points if p["last_year_status"]]
            if hollow:  # last year's figures that are not final, hollow on the dashed line
                ax.plot(
                    [p["x"] for p in hollow],
                    # only a figure has a status: each of these has last year's figure
                    cast("list[float]", [p["last_year"] for p in hollow]),
                    linestyle="none",
                    marker="o",
                    markersize=5,
                    markerfacecolor=NOT_FINAL_FACE,
                    markeredgecolor="C2",
                    markeredgewidth=1.4,
                    zorder=3,
                    gid="last-year-not-final",
                )

        lines = [line for line in _lines([p["value"] for p in points], years) if len(line[0]) > 1]
        for k, (xs, ys) in enumerate(lines):
            ax.plot(xs, ys, color="C0", linewidth=2.2, zorder=3, gid=f"figure-{k}")
        line_label = f"{each.capitalize()}'s own figure" if own else _BASIS_LINE.get(basis)
        if lines:
            handles.append(Line2D([], [], color="C0", linewidth=2.2, label=line_label or "Figure"))
        if valued and own:  # the rating is the year to date's, not these figures'
            _own_points(ax, points)
        elif valued:
            _rag_points(ax, points)
            drawn_ratings = [r for r in RAG_STYLES if any(p["rag"] == r for p in valued)]
            handles.extend(_rag_handle(r) for r in drawn_ratings)
        handles.extend(_status_handles(statuses))

        # a period with no figure keeps its place on the axis, its tick saying why (when the
        # axis has room: a crowded axis is turned and thinned, the latest period always named)
        ticks = [_marked_tick(_two_line_tick(p["period"]), p["status"]) for p in points]
        crowded = n * max(len(line) for tick in ticks for line in tick.split("\n")) > 64
        pending_texts = []
        for p in points:
            if p["value"] is None:
                words = "Pending" if p["rag"] == "Pending" else "No figure"
                if p["note"] and len(p["note"]) <= 18 and not p["note"].startswith("No figure"):
                    words += f": {p['note']}"
                if not crowded:
                    ticks[p["x"]] += f"\n({words})"
                pending_texts.append({"x": p["x"], "period": p["period"], "text": words})
        step = math.ceil(n / 16)
        shown = [x for x in range(n) if (n - 1 - x) % step == 0]
        ax.set_xticks(shown, [ticks[x] for x in shown])
        if crowded:
            ax.tick_params(axis="x", labelrotation=40)
            for tick in ax.get_xticklabels():
                tick.set_horizontalalignment("right")
                tick.set_rotation_mode("anchor")
        plotted = [
            v
            for p in points
            for v in (p["value"], p["target"], p["last_year"], *p["band"])
            if v is not None
        ]
        _value_axis(ax, unit, rate_per, max(map(abs, plotted), default=0.0), plotted)
        ax.set_xlabel("Period")
        _titles(ax, name, subtitle)

        # the latest figure, its rating and variance, written beside its point
        label_text = ""
        right = n - 0.5
        if latest_point is not None:
            row = rows.iloc[latest_point["x"]]
            figure = with_marker(
                _format(latest_point["value"], row, short=True), latest_point["status"]
            )
            label_text = figure if own else f"{figure} ({latest_point['rag']})"
            variance = "" if own else variance_text(row)
            if latest_point["band"][0] is not None and latest_point["band"][1] is not None:
                inside = not variance or variance.lstrip("+-").split()[0].rstrip("%") == "0"
                label_text += "\nwithin band" if inside else f"\n{variance} outside band"
            elif variance:
                label_text += f"\n{variance} vs target"
            at_end = latest_point["x"] == n - 1
            ax.annotate(
                label_text,
                xy=(latest_point["x"], latest_point["value"]),
                xytext=(11, 0) if at_end else (0, 12),
                textcoords="offset points",
                ha="left" if at_end else "center",
                va="center" if at_end else "bottom",
                fontsize="medium",
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=6,
                gid="latest-label",
            )
            if at_end:
                right = n - 0.5 + 1.6  # room for the label
        ax.set_xlim(-0.5, right)

        drawn_notes, ignored = _annotations(ax, annotations, measure_id, slots, labels)

        _legend(ax, handles)

    alt = _trend_alt(
        name, measure_id, polarity, basis, points, rows, drawn_notes, each if own else ""
    )
    if status_key_line(statuses):
        alt += f" {status_key_line(statuses)}"
    model = {
        "kind": "trend",
        "measure_id": measure_id,
        "name": name,
        "unit": unit,
        "polarity": polarity,
        "periods": labels,
        "points": points,
        "target": [p["target"] for p in points],
        "band": [p["band"] for p in points],
        "last_year": last_year,
        "latest_label": label_text,
        "ticks": ticks,
        "key": status_key(statuses),
        "pending": pending_texts,
        "annotations": drawn_notes,
        "annotations_ignored": ignored,
        "y_label": unit_label(unit, rate_per),
        "subtitle": subtitle,
        "legend": [h.get_label() for h in handles],
    }
    return Chart(f"trend-{slugify(measure_id)}", name, alt, fig, model)


def _annotations(
    ax: Axes,
    annotations: pd.DataFrame | None,
    measure_id: str,
    slots: dict[str, int],
    labels: list[str],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Draws this measure's annotations at their periods; returns those drawn and ignored."""
    if annotations is None or annotations.empty:
        return [], []
    missing = [name for name in ANNOTATION_COLUMNS if name not in annotations.columns]
    if missing:
        raise ValueError(f"annotations need the columns {', '.join(ANNOTATION_COLUMNS)}")
    mine = annotations[annotations["measure_id"].astype(str) == measure_id]
    mine = mine[~mine["text"].isna() & (mine["text"].astype(str).str.strip() != "")]
    # a report period, or the period of the figure it showed, finds its place on the axis
    slot = {**slots, **{label: i for i, label in enumerate(labels)}}
    drawn: dict[int, list[str]] = {}
    ignored = []
    for period, text in zip(
        _period_labels(mine["period"].astype(str), "annotations"),
        mine["text"].astype(str).str.strip(),
        strict=True,
    ):
        if period in slot:
            drawn.setdefault(slot[period], []).append(text)
        else:
            ignored.append({"period": period, "text": text})
    across = blended_transform_factory(ax.transData, ax.transAxes)
    if drawn:  # headroom above the figures for the notes' text
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + (high - low) * 0.22 * min(len(drawn), 3))
    out = []
    for k, (x, texts) in enumerate(sorted(drawn.items())):
        text = "; ".join(texts)
        ax.axvline(x, color="C5", linestyle=":", linewidth=1.3, zorder=1, gid=f"annotation-{k}")
        left_side = x > 0 and x >= len(labels) / 2
        ax.text(
            x - 0.06 if left_side else x + 0.06,
            0.97 - 0.16 * (k % 3),
            _wrap(text, 24),
            transform=across,
            ha="right" if left_side else "left",
            va="top",
            fontsize="small",
            fontstyle="italic",
            color="#222222",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85},
            zorder=5,
        )
        out.append({"x": x, "period": labels[x], "text": text})
    return out, ignored


def _trend_alt(
    name: str,
    measure_id: str,
    polarity: str,
    basis: str,
    points: list[_TrendPoint],
    rows: pd.DataFrame,
    notes: list[dict[str, Any]],
    own: str = "",
) -> str:
    """The screen-reader description: the latest figure, target, variance and rating first;
    for each ``own`` period's own figure (``quarter``), the figures and targets only."""
    first, last = points[0]["period"], points[-1]["period"]
    span = first if first == last else f"{first} to {last}"
    sentences = [f"Line chart: {name} ({measure_id}), {span}."]
    sentences.append(f"{POLARITY_TEXT.get(polarity, polarity)}.")
    if own:
        sentences.append(f"Each {own}'s own figure, not the year to date.")
    elif basis in _BASIS_NOTE:
        sentences.append(f"{_BASIS_NOTE[basis]}.")
    valued = [p for p in points if p["value"] is not None]
    if valued:
        p = valued[-1]
        row = rows.iloc[p["x"]]
        text = f"Latest, {p['period']}: {p['value_text']}"
        low, high = p["band"]
        if low is not None and high is not None:
            text += f" against a target band of {_format(low, row, True)} to "
            text += f"{_format(high, row, True)}"
        elif p["target"] is not None:
            text += f" against a target of {_format(p['target'], row, True)}"
        variance = "" if own else variance_text(row)
        if variance:
            text += f" (variance {variance})"
        sentences.append(f"{text}." if own else f"{text}, {_rated(p['rag'])}.")
        if p["last_year"] is not None:
            last_year = with_marker(_format(p["last_year"], row), p["last_year_status"])
            sentences.append(f"Same period last year: {last_year}.")
    if points[-1]["value"] is None:
        note = f" ({points[-1]['note']})" if points[-1]["note"] else ""
        sentences.append(f"{points[-1]['period']}: no figure yet{note}.")
    earlier = valued[:-1]
    if earlier:
        sentences.append(
            "Earlier: "
            + "; ".join(
                f"{p['period']} {p['value_text']}" + ("" if own else f" ({p['rag']})")
                for p in earlier
            )
            + "."
        )
    for annotation in notes:
        sentences.append(f"Note at {annotation['period']}: {annotation['text']}.")
    return " ".join(sentences)


def _own_points(ax: Axes, points: list[_TrendPoint]) -> None:
    """Each period's own figure as a plain point in the line's colour (hollow when not final):
    the rating belongs to the year to date."""
    for hollow in (False, True):
        mine = [p for p in points if p["value"] is not None and bool(p["status"]) == hollow]
        if mine:
            ax.plot(
                [p["x"] for p in mine],
                cast("list[float]", [p["value"] for p in mine]),
                linestyle="none",
                marker="o",
                markersize=7,
                color="C0",
                markerfacecolor=NOT_FINAL_FACE if hollow else "C0",
                markeredgewidth=1.6 if hollow else 1.0,
                zorder=4,
                gid="own-points-not-final" if hollow else "own-points",
            )
