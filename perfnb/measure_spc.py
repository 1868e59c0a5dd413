"""SPC for the measures of a data set: each measure's own figures as a series, its XmR chart,
and the variation and assurance the scorecard shows beside RAG.

A measure's series is its own figure (``period_value``: a month's count, a quarter's rate) at
its own frequency, from its first figure to the end of the report period. With 13 points or more
(``perfnb.spc.MIN_POINTS``) it gets a variation icon, and an assurance icon when it has a target
that each point can be judged against: a level (a percentage, a rate, a snapshot) against the
year's target. A count's target is for the year, not for each month, so counts get no
assurance. The direction comes from the measure's aim: higher is better is ``increase``, lower
``decrease``, a band or no aim ``neutral``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import cast

import numpy as np
import pandas as pd

from perfnb.engine import performance
from perfnb.loader import Dataset
from perfnb.palette import SPC_ASSURANCE_ICONS, SPC_VARIATION_ICONS
from perfnb.periods import Period, PeriodKind, parse_period
from perfnb.polarity import better_sign
from perfnb.spc import MIN_POINTS, SPCWarning, summarise_many, xmr_many
from perfnb.wording import format_value

__all__ = [
    "ASSURANCE_WORDS",
    "SPC_CARD_COLUMNS",
    "VARIATION_WORDS",
    "MeasureSPC",
    "measure_spc",
    "spc_history",
]

SPC_CARD_COLUMNS = ("spc_points", "variation", "assurance", "spc_note")
# the icons' names in words, as tables and the scorecard print them
VARIATION_WORDS = {code: words for code, (_, _, words) in SPC_VARIATION_ICONS.items()}
ASSURANCE_WORDS = {code: words for code, (_, _, words) in SPC_ASSURANCE_ICONS.items()}
_KIND_OF = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
_PLURAL = {"month": "monthly", "quarter": "quarterly", "year": "annual"}


def _improvement(polarity: str) -> str:
    """Which way is an improvement on an XmR chart, as NHSRplotthedots says it: ``increase``
    (higher is better), ``decrease`` (lower is better) or ``neutral`` (band, no aim)."""
    sign = better_sign(polarity)[0]
    return "increase" if sign > 0 else "decrease" if sign < 0 else "neutral"


def spc_history(
    data: Dataset, period: Period, services: Sequence[str] | None = None
) -> pd.DataFrame:
    """Each measure's own figure for every period of its frequency from its first figure to the
    end of ``period``: ``measure_id``, ``period``, ``value`` (in the measure's unit) and
    ``status`` (of the rows it rests on: '' when final), in catalogue then period order."""
    catalogue = data.measures
    if services is not None:
        catalogue = catalogue[catalogue["service"].isin(list(services))]
    values = data.values[data.values["value"].notna() | data.values["numerator"].notna()]
    frames = []
    for frequency, kind in _KIND_OF.items():
        ids = set(catalogue.loc[catalogue["frequency"] == frequency, "measure_id"])
        mine = values[
            values["measure_id"].isin(ids) & values["period_end"].le(pd.Timestamp(period.end))
        ]
        if mine.empty:
            continue
        first = parse_period(str(mine.loc[mine["period_start"].idxmin(), "period"]))
        periods = _periods_of(kind, first, period)
        if not periods:
            continue
        rows = performance(data, periods, list(catalogue["service"].unique()))
        rows = rows[rows["measure_id"].isin(ids)]
        frames.append(rows[["measure_id", "period", "period_value", "period_status"]])
    if not frames:
        return pd.DataFrame(columns=["measure_id", "period", "value", "status"])
    history = pd.concat(frames, ignore_index=True).rename(
        columns={"period_value": "value", "period_status": "status"}
    )
    # from each measure's first figure on
    started = history["value"].notna().groupby(history["measure_id"]).cummax()
    history = history[started]
    order = {m: i for i, m in enumerate(catalogue["measure_id"])}
    history = history.assign(_m=history["measure_id"].map(order)).sort_values(["_m"], kind="stable")
    return history.drop(columns="_m").reset_index(drop=True)


def _periods_of(kind: str, first: Period, last: Period) -> list[Period]:
    """Every period of ``kind`` from the one holding ``first``'s start to the one ending by
    ``last``'s end."""
    month = first.first_fy_month  # of the financial year, 1 = April
    index = {"month": month, "quarter": (month - 1) // 3 + 1, "year": 1}[kind]
    current = Period(cast(PeriodKind, kind), first.fy, index)
    periods = []
    while current.end <= last.end:
        periods.append(current)
        current = current.next()
    return periods


@dataclass
class MeasureSPC:
    """The SPC of a report's measures: ``card`` (``measure_id`` and ``SPC_CARD_COLUMNS``) and
    each charted measure's :func:`perfnb.spc.xmr` result, with the target it was judged on."""

    card: pd.DataFrame
    results: dict[str, pd.DataFrame]
    targets: dict[str, float | None]


def _one_more_place(value: float, unit: str, decimals: int, rate_per: float | None) -> str:
    """An SPC chart's figure: the measure's own, with one more decimal place (limits and means
    fall between the reported figures)."""
    return format_value(value, unit, decimals + 1, rate_per)


def measure_spc(history: pd.DataFrame, card: pd.DataFrame) -> MeasureSPC:
    """Variation and assurance for each measure of ``card`` (the scorecard) from its series in
    ``history`` (:func:`spc_history`); blank with a note where there are too few points, no aim
    or no target each point can be judged against. The charted measures' XmR charts are worked
    out together (:func:`perfnb.spc.xmr_many`), each as :func:`perfnb.spc.xmr` gives it."""
    rows, charted = [], []
    series = dict(tuple(history.groupby("measure_id", sort=False)))
    for measure in card.to_dict("records"):
        measure_id = str(measure["measure_id"])
        points = series.get(measure_id, history.iloc[0:0])
        valued = points["value"].notna().to_numpy()
        if valued.any():  # the series ends at its last figure, not in a run of blanks
            points = points.iloc[: int(valued.nonzero()[0][-1]) + 1]
        count = int(points["value"].notna().sum())
        kind = _KIND_OF.get(str(measure.get("frequency", "")), "period")
        row = {"measure_id": measure_id, "spc_points": count, "variation": "", "assurance": ""}
        rows.append(row)
        # the figure the scorecard shows (an annual measure's latest year), else the period
        shown = str(measure.get("value_period") or "")
        now = parse_period(shown).end if shown else parse_period(str(measure["period"])).start
        last = parse_period(str(points["period"].iloc[-1])) if count else None
        if last is not None and count >= MIN_POINTS and last.end < now:
            # an old series says nothing about now: no icon from a figure years ago
            row["spc_note"] = f"no figure since {last.label}"
            continue
        if count < MIN_POINTS:
            row["spc_note"] = (
                f"{count} {_PLURAL.get(kind, '')} figure{'s' if count != 1 else ''}: SPC needs "
                f"{MIN_POINTS}"
            ).replace("  ", " ")
            continue
        charted.append(_Charted(row, points, measure, kind))
    results, targets = _chart(charted)
    frame = pd.DataFrame(rows, columns=["measure_id", *SPC_CARD_COLUMNS])
    return MeasureSPC(frame, results, targets)


@dataclass
class _Charted:
    """A measure with enough recent points for a chart: its card row (filled in when charted),
    its points, its catalogue row and its kind of period."""

    row: dict
    points: pd.DataFrame
    measure: dict
    kind: str

    @property
    def improvement(self) -> str:
        """The measure's aim as an XmR chart's improvement direction."""
        return _improvement(str(self.measure["polarity"]))

    @property
    def per_period(self) -> bool:
        """Whether the year's target is a target for each point: a running total's (a count's,
        a ytd figure's) is not for each month's or quarter's own figure; for each year it is."""
        return str(self.measure.get("aggregation")) not in ("sum", "ytd") or self.kind == "year"

    @property
    def target(self) -> float | None:
        """The target each point is judged against, if there is one."""
        annual = self.measure.get("annual_target")
        if self.per_period and annual is not None and pd.notna(annual):
            return float(annual)
        return None

    def label(self) -> partial[str]:
        """The chart's figures in the measure's unit, with one more decimal place."""
        measure = self.measure
        rate_per = None if pd.isna(measure.get("rate_per")) else float(measure["rate_per"])
        unit, decimals = str(measure["unit"]), int(measure["decimals"])
        return partial(_one_more_place, unit=unit, decimals=decimals, rate_per=rate_per)


def _chart(charted: list[_Charted]) -> tuple[dict[str, pd.DataFrame], dict[str, float | None]]:
    """The XmR charts of the charted measures, worked out together, each as ``xmr`` gives it
    (with ``status`` for figures that are not final): their icons and notes filled in on their
    card rows; each measure's chart and the target it was judged on."""
    results: dict[str, pd.DataFrame] = {}
    targets: dict[str, float | None] = {}
    if not charted:
        return results, targets
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(len(charted)), [len(c.points) for c in charted]),
            "period": np.concatenate(
                [np.asarray(list(c.points["period"]), dtype=object) for c in charted]
            ),
            "value": np.concatenate([c.points["value"].to_numpy(dtype=float) for c in charted]),
        }
    )
    with warnings.catch_warnings(record=True):  # each series' warnings are in the result
        warnings.simplefilter("always", SPCWarning)
        many = xmr_many(
            frame,
            improvement={i: c.improvement for i, c in enumerate(charted)},
            target={i: c.target for i, c in enumerate(charted)},
            label={i: c.label() for i, c in enumerate(charted)},
        )
    summaries = summarise_many(many)
    # pandas copies a frame's attrs into every slice of it, deeply: read them once, then slice
    # a frame without them (each measure's chart gets its own)
    notes_by_series = many.attrs.get("spc_warnings", {})
    many.attrs = {}
    latest = summaries.drop_duplicates("series", keep="last").set_index("series")
    edges = np.searchsorted(many["series"].to_numpy(), np.arange(len(charted) + 1))
    for i, chart in enumerate(charted):
        result = many.iloc[edges[i] : edges[i + 1], 1:].reset_index(drop=True)
        result.attrs = {"spc": {"improvement": chart.improvement, "target": chart.target}}
        if "status" in chart.points:  # the chart marks a figure that is not final
            result = result.assign(status=chart.points["status"].fillna("").to_numpy())
        summary, row = latest.loc[i], chart.row
        row["variation"] = VARIATION_WORDS[str(summary["variation"])]
        notes = list(notes_by_series.get(i, []))
        if summary["assurance"]:
            row["assurance"] = ASSURANCE_WORDS[str(summary["assurance"])]
        elif chart.improvement == "neutral":
            notes.append("no assurance: neither higher nor lower is better")
        elif not chart.per_period:
            notes.append("no assurance: the target is for the year, not for each period")
        else:
            notes.append("no assurance: no target")
        row["spc_note"] = "; ".join(notes)
        measure_id = row["measure_id"]
        results[measure_id], targets[measure_id] = result, chart.target
    return results, targets
