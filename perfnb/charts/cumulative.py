"""The year-to-date chart: a running total's year to date against its target to date, with
the annual target and the year-end forecast.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from perfnb.charts.parts import (
    POLARITY_TEXT,
    _collapse_repeats,
    _figure_status,
    _format,
    _legend,
    _marked_tick,
    _number,
    _one_measure,
    _rag_handle,
    _rag_points,
    _RagPoint,
    _rated,
    _rating,
    _status_handles,
    _titles,
    _value_axis,
    unit_label,
)
from perfnb.charts.style import Chart, house_style
from perfnb.contract import slugify
from perfnb.forecast import forecast_verdict
from perfnb.palette import (
    NOT_FINAL_FACE,
    RAG_STYLES,
    rag_style,
    status_key,
    status_key_line,
    with_marker,
)
from perfnb.periods import Period, parse_period

__all__ = ["cumulative_chart", "is_running_total"]


class _CumulativePoint(_RagPoint):
    """A point of :func:`cumulative_chart` (its model's ``points``, less ``row``)."""

    period: str
    tick: str
    value_text: str
    target: float | None
    face: str | None
    edge: str | None
    marker: str | None
    row: int


_CUMULATIVE_COLUMNS = (
    "measure_id",
    "name",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "decimals",
    "period",
    "value_period",
    "ytd_value",
    "target",
    "annual_target",
    "rag",
    "rag_on",
    "forecast",
    "forecast_method",
)


def is_running_total(aggregation: object, unit: object) -> bool:
    """True for a measure whose year to date is a running total through the year, which
    :func:`cumulative_chart` draws: a ``sum`` measure, or a ``ytd`` measure of counts or money
    (docs/method.md section 3). A ytd percentage (a collection rate) is not one."""
    return aggregation == "sum" or (aggregation == "ytd" and unit in _ADDITIVE_UNITS)


_ADDITIVE_UNITS = ("count", "currency")


def cumulative_chart(year: pd.DataFrame) -> Chart:
    """A running total's year to date against its target to date over one financial year (the
    engine's rows for each quarter or month, in order), with the annual target and the
    year-end forecast projected from the latest figure. Values are in the measure's unit.

    The year to date is the engine's ``ytd_value``: a sum measure's figures added up, a ``ytd``
    measure's figure as given (it is the year to date already, so nothing is added). The
    target to date is the year's profiled to each period, or the period's own target
    (``target_basis`` ``period``: the line is then "Target to date"). Rows after the latest
    figure have a blank ``ytd_value``. For a measure rated on its forecast (``rag_on =
    forecast``) the engine does not profile the target, so only the annual target is drawn,
    and the rating is the forecast's: it is printed beside the forecast, and the year-to-date
    points are not coloured by it. Raises ValueError for a measure that is not a running total
    (:func:`is_running_total`).
    """
    rows = _one_measure(year, _CUMULATIVE_COLUMNS, "cumulative_chart")
    first = rows.iloc[0]
    measure_id, name = str(first["measure_id"]), str(first["name"])
    if not is_running_total(str(first["aggregation"]), str(first["unit"])):
        unit = f" of {first['unit']}" if first["aggregation"] == "ytd" else ""
        raise ValueError(
            f"cumulative_chart draws a running total's year to date (a sum measure, or a ytd "
            f"measure of counts or money); {measure_id} has aggregation "
            f"{first['aggregation']!r}{unit}, whose figures are not a running total through the "
            "year (use trend_chart)"
        )
    rows, _ = _collapse_repeats(rows)
    periods = [parse_period(p) for p in rows["value_period"]]
    years = sorted({p.fy for p in periods})
    if len(years) != 1:
        raise ValueError(
            "cumulative_chart draws one financial year, but the rows span "
            + ", ".join(Period("year", y).label for y in years)
        )
    fy = Period("year", years[0])
    unit, polarity = str(first["unit"]), str(first["polarity"])
    rate_per = _number(first["rate_per"])
    profiled = str(rows["rag_on"].iloc[-1]) != "forecast"
    # targets.csv's own targets for periods are set, not profiled from the year's
    set_targets = "target_basis" in rows and bool((rows["target_basis"] == "period").any())

    points: list[_CumulativePoint] = []
    for i, (period, row) in enumerate(zip(periods, rows.to_dict("records"), strict=True)):
        value = _number(row["ytd_value"])
        rating = _rating(row["rag"])
        style = rag_style(rating)
        status = _figure_status(row) if value is not None else ""
        points.append(
            {
                "x": period.last_fy_month,  # months of the financial year elapsed
                "period": period.label,
                "tick": _marked_tick(_tick(period), status),
                "value": value,
                "value_text": with_marker(_format(value, row), status),
                "status": status,
                "target": _number(row["target"]) if profiled else None,
                "rag": rating,
                "face": (NOT_FINAL_FACE if status else style.fill) if value is not None else None,
                "edge": style.edge if value is not None else None,
                "marker": style.marker if value is not None else None,
                "row": i,
            }
        )
    valued = [p for p in points if p["value"] is not None]
    statuses = [p["status"] for p in points]
    annual = next(
        (v for v in (_number(x) for x in rows["annual_target"][::-1]) if v is not None), None
    )
    latest = valued[-1] if valued else None
    forecast = method = None
    if latest is not None:
        row = rows.iloc[latest["row"]]
        forecast = _number(row["forecast"])
        method = str(row["forecast_method"]) if forecast is not None else None
    # a measure rated on its forecast: the rating belongs to the forecast, not the points
    forecast_rag = latest["rag"] if latest is not None and not profiled else ""

    verdict = _verdict(forecast, annual, polarity, first)
    fmethod = f" ({method})" if method else ""
    subtitle_parts = []
    if forecast is not None:
        subtitle_parts.append(f"Year-end forecast {_format(forecast, first)}{fmethod}{verdict}")
    subtitle_parts.append(POLARITY_TEXT.get(polarity, polarity))
    subtitle = ". ".join(subtitle_parts) + "."
    title = f"{name}: year to date against target, {fy.label}"

    with house_style():
        fig = Figure()
        ax = fig.add_subplot()
        handles: list[Any] = []
        latest_label = ""
        targets = [p for p in points if p["target"] is not None]
        if targets:
            ax.plot(
                [0] + [p["x"] for p in targets],
                [0.0] + [p["target"] for p in targets],
                color="C1",
                linewidth=1.6,
                zorder=2,
                gid="profiled-target",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C1",
                    linewidth=1.6,
                    label="Target to date" if set_targets else "Target profiled to date",
                )
            )
        if annual is not None:
            ax.hlines(
                annual, 0, 12, color="C1", linestyles=":", linewidth=1.4, zorder=2, gid="annual"
            )
            ax.annotate(
                f"Annual target {_format(annual, first, True, short=True)}",
                xy=(0, annual),
                xytext=(4, -4),  # under the line: the year to date starts low, at the left
                textcoords="offset points",
                ha="left",
                va="top",
                fontsize="small",
                gid="annual-label",
            )
        if valued:
            assert latest is not None and latest["value"] is not None  # valued[-1]
            ax.plot(
                [0] + [p["x"] for p in valued],
                cast("list[float]", [0.0] + [p["value"] for p in valued]),
                color="C0",
                linewidth=2.2,
                zorder=3,
                gid="ytd",
            )
            handles.append(Line2D([], [], color="C0", linewidth=2.2, label="Year to date"))
            latest_label = with_marker(
                _format(latest["value"], first, short=True), latest["status"]
            )
            if profiled:
                _rag_points(ax, valued)
                drawn = [r for r in RAG_STYLES if any(p["rag"] == r for p in valued)]
                handles.extend(_rag_handle(r) for r in drawn)
                latest_label += f" ({latest['rag']})"
            else:
                for hollow in (False, True):
                    mine = [p for p in valued if bool(p["status"]) == hollow]
                    if not mine:
                        continue
                    ax.plot(
                        [p["x"] for p in mine],
                        cast("list[float]", [p["value"] for p in mine]),
                        linestyle="none",
                        marker="o",
                        markersize=6,
                        color="C0",
                        markerfacecolor=NOT_FINAL_FACE if hollow else "C0",
                        markeredgewidth=1.6 if hollow else 1.0,
                        zorder=4,
                        gid="ytd-points-not-final" if hollow else "ytd-points",
                    )
            if latest["target"] is not None:
                latest_label += f"\ntarget {_format(latest['target'], first, True, short=True)}"
            below = latest["target"] is not None and latest["value"] < latest["target"]
            # on the side away from the target line, and clear of the value axis' labels
            left = not below and latest["x"] > 6
            ax.annotate(
                latest_label,
                xy=(latest["x"], latest["value"]),
                xytext=(-8, 8) if left else (8, -8) if below else (8, 8),
                textcoords="offset points",
                ha="right" if left else "left",
                va="top" if below else "bottom",
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=6,
                gid="latest-label",
            )
        forecast_label = ""
        if forecast is not None and latest is not None and latest["x"] < 12:
            ax.plot(
                [latest["x"], 12],
                cast("list[float]", [latest["value"], forecast]),  # latest is valued[-1]
                color="C4",
                linestyle=(0, (5, 3)),
                linewidth=1.8,
                marker="o",
                markevery=[1],
                markerfacecolor="white",
                markersize=7,
                zorder=3,
                gid="forecast",
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    color="C4",
                    linestyle=(0, (5, 3)),
                    linewidth=1.8,
                    marker="o",
                    markerfacecolor="white",
                    label=f"Forecast{fmethod}",
                )
            )
            forecast_label = f"Forecast\n{_format(forecast, first, short=True)}"
            if forecast_rag:
                forecast_label += f" ({forecast_rag})"
            ax.annotate(
                forecast_label,
                xy=(12, forecast),
                xytext=(8, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontweight="bold",
                zorder=6,
                gid="forecast-label",
            )
        ax.set_xlim(0, 12 + (2.0 if forecast_label else 0.5))
        ticks = [(0, "Start")] + [(p["x"], p["tick"]) for p in points]
        ax.set_xticks([t for t, _ in ticks], [label for _, label in ticks])
        kinds = {p.kind for p in periods}
        what = "Quarter" if kinds == {"quarter"} else "Month" if kinds == {"month"} else "Period"
        ax.set_xlabel(f"{what} of {fy.label} (cumulative to its end)")
        largest = max(
            [abs(v) for v in (annual, forecast) if v is not None]
            + [abs(cast(float, p["value"])) for p in valued]
            + [abs(cast(float, p["target"])) for p in targets],
            default=0.0,
        )
        plotted = [0.0, annual, forecast, *(p["value"] for p in valued)]
        plotted += [p["target"] for p in targets]
        _value_axis(ax, unit, rate_per, largest, plotted)
        _titles(ax, title, subtitle)
        handles.extend(_status_handles(statuses))
        _legend(ax, handles)

    alt = _cumulative_alt(
        name,
        measure_id,
        fy,
        latest,
        annual,
        forecast,
        method,
        verdict,
        first,
        profiled,
        set_targets,
    )
    if status_key_line(statuses):
        alt += f" {status_key_line(statuses)}"
    model = {
        "kind": "cumulative",
        "measure_id": measure_id,
        "name": name,
        "year": fy.label,
        "unit": unit,
        "polarity": polarity,
        "points": [{k: v for k, v in p.items() if k != "row"} for p in points],
        "ytd": [(0, 0.0)] + [(p["x"], p["value"]) for p in valued],
        "profiled_target": [(0, 0.0)] + [(p["x"], p["target"]) for p in targets] if targets else [],
        "annual_target": annual,
        "forecast": forecast,
        "forecast_method": method,
        "forecast_line": [(latest["x"], latest["value"]), (12, forecast)]
        if forecast_label and latest
        else [],
        "forecast_label": forecast_label,
        "latest_label": latest_label,
        "key": status_key(statuses),
        "subtitle": subtitle,
        "y_label": unit_label(unit, rate_per),
        "legend": [h.get_label() for h in handles],
    }
    name_slug = f"cumulative-{slugify(measure_id)}-{fy.slug.lower()}"
    return Chart(name_slug, title, alt, fig, model)


def _tick(period: Period) -> str:
    if period.kind == "quarter":
        return f"Q{period.index}"
    if period.kind == "month":
        return f"{period.start:%b}"
    return "Year"


def _verdict(forecast: float | None, annual: float | None, polarity: str, record: pd.Series) -> str:
    """How the forecast stands against the annual target, in words (`, 3,730 below ...`)."""
    verdict = forecast_verdict(forecast, annual, polarity)
    if verdict is None:
        return ""
    target = _format(annual, record, True)
    if verdict.gap == 0:
        return f", on the annual target of {target}"
    side = "above" if verdict.gap > 0 else "below"
    meets = verdict.meets
    outcome = "" if meets is None else (": on course to meet it" if meets else ": set to miss it")
    return f", {_format(abs(verdict.gap), record)} {side} the annual target of {target}{outcome}"


def _cumulative_alt(
    name: str,
    measure_id: str,
    fy: Period,
    latest: _CumulativePoint | None,
    annual: float | None,
    forecast: float | None,
    method: str | None,
    verdict: str,
    record: pd.Series,
    profiled: bool = True,
    set_targets: bool = False,
) -> str:
    sentences = [f"Line chart: {name} ({measure_id}), year to date against target, {fy.label}."]
    if latest is None:
        sentences.append("No figure for the year yet.")
    else:
        text = f"At {latest['period']} the year to date is {latest['value_text']}"
        if latest["target"] is not None:
            kind = "target to date" if set_targets else "profiled target"
            text += f" against a {kind} of {_format(latest['target'], record, True)}"
        sentences.append(f"{text}, {_rated(latest['rag'])}." if profiled else f"{text}.")
    if annual is not None:
        sentences.append(f"Annual target {_format(annual, record, True)}.")
    else:
        sentences.append("No annual target.")
    if forecast is not None:
        how = f" ({method})" if method else ""
        rated = f", {_rated(latest['rag'])}" if latest is not None and not profiled else ""
        sentences.append(f"Year-end forecast {_format(forecast, record)}{how}{verdict}{rated}.")
    return " ".join(sentences)
