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

from perfnb.loader import Dataset
from perfnb.palette import SPC_ASSURANCE_ICONS, SPC_VARIATION_ICONS
from perfnb.period_figures import period_figures
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
    data: Dataset,
    period: Period,
    services: Sequence[str] | None = None,
    *,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Each measure's own figure for every period of its frequency from its first figure to the
    end of ``period``: ``measure_id``, ``period``, ``value`` (in the measure's unit) and
    ``status`` (of the rows it rests on: '' when final), in catalogue then period order; the
    measures of ``services`` (all when None), only those of ``measures`` when given."""
    catalogue = data.measures
    if services is not None:
        catalogue = catalogue[catalogue["service"].isin(list(services))]
    if measures is not None:
        catalogue = catalogue[catalogue["measure_id"].isin(list(measures))]
    values = data.values
    # rows with a figure by the period's end, read as columns: no copy of the values frame
    usable = (values["value"].notna() | values["numerator"].notna()).to_numpy() & values[
        "period_end"
    ].le(pd.Timestamp(period.end)).to_numpy()
    starts = values["period_start"].to_numpy()
    frames = []
    for frequency, kind in _KIND_OF.items():
        ids = catalogue.loc[catalogue["frequency"] == frequency, "measure_id"]
        mine = usable & values["measure_id"].isin(set(ids)).to_numpy()
        if not mine.any():
            continue
        earliest = np.flatnonzero(mine)[np.argmin(starts[mine])]
        first = parse_period(str(values["period"].iloc[earliest]))
        periods = _periods_of(kind, first, period)
        if not periods:
            continue
        frames.append(period_figures(data, periods, list(ids)))
    if not frames:
        return pd.DataFrame(columns=["measure_id", "period", "value", "status"])
    history = pd.concat(frames, ignore_index=True).rename(
        columns={"period_value": "value", "period_status": "status"}
    )
    place = pd.Index(catalogue["measure_id"]).get_indexer(history["measure_id"])
    # from each measure's first figure on
    started = history["value"].notna().groupby(place).cummax().to_numpy()
    order = np.argsort(place[started], kind="stable")
    return history[started].take(order).reset_index(drop=True)


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


def measure_spc(history: pd.DataFrame, card: pd.DataFrame, *, charts: bool = True) -> MeasureSPC:
    """Variation and assurance for each measure of ``card`` (the scorecard) from its series in
    ``history`` (:func:`spc_history`); blank with a note where there are too few points, no aim
    or no target each point can be judged against. The charted measures' XmR charts are worked
    out together (:func:`perfnb.spc.xmr_many`, a batch of series at a time), each as
    :func:`perfnb.spc.xmr` gives it; ``charts=False`` keeps only the card (no chart kept: a
    data set's every measure at once)."""
    series = _Series.of(history)
    rows, charted = [], []
    parsed: dict[str, Period] = {}

    def period_of(label: str) -> Period:
        if label not in parsed:
            parsed[label] = parse_period(label)
        return parsed[label]

    at = series.places(card["measure_id"].astype(str))
    for place, measure in zip(at, card.to_dict("records"), strict=True):
        measure_id = str(measure["measure_id"])
        start, end, count = series.span(place)
        kind = _KIND_OF.get(str(measure.get("frequency", "")), "period")
        row = {"measure_id": measure_id, "spc_points": count, "variation": "", "assurance": ""}
        rows.append(row)
        # the figure the scorecard shows (an annual measure's latest year), else the period
        shown = str(measure.get("value_period") or "")
        now = period_of(shown).end if shown else period_of(str(measure["period"])).start
        last = period_of(str(series.period[end - 1])) if count else None
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
        charted.append(_Charted(row, start, end, measure, kind))
    results: dict[str, pd.DataFrame] = {}
    targets: dict[str, float | None] = {}
    for batch in _batches(charted):
        _chart(series, batch, results, targets, charts)
    frame = pd.DataFrame(rows, columns=["measure_id", *SPC_CARD_COLUMNS])
    return MeasureSPC(frame, results, targets)


_BATCH_POINTS = 500_000  # points charted at once: a batch's results, not a data set's


def _batches(charted: list[_Charted]) -> list[list[_Charted]]:
    """The charted measures in batches of about ``_BATCH_POINTS`` points, in order."""
    batches: list[list[_Charted]] = [[]]
    points = 0
    for chart in charted:
        if batches[-1] and points + chart.end - chart.start > _BATCH_POINTS:
            batches.append([])
            points = 0
        batches[-1].append(chart)
        points += chart.end - chart.start
    return [b for b in batches if b]


@dataclass(frozen=True)
class _Series:
    """``history``'s rows grouped by measure (each measure's rows in their order) as arrays:
    its periods, values and statuses, and where each measure's rows start and end."""

    measures: pd.Index
    edges: np.ndarray  # measure k's rows are edges[k]:edges[k + 1]
    last_valued: np.ndarray  # position of each measure's last figure; -1 for none
    valued_before: np.ndarray  # figures in rows before each position (one more at the end)
    period: np.ndarray
    value: np.ndarray
    status: np.ndarray | None

    @classmethod
    def of(cls, history: pd.DataFrame) -> _Series:
        """The series of ``history`` (``measure_id``, ``period``, ``value``, maybe ``status``)."""
        codes, measures = pd.factorize(history["measure_id"].astype(str).to_numpy(dtype=object))
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
        edges = np.searchsorted(codes, np.arange(len(measures) + 1))
        value = history["value"].to_numpy(dtype=float)[order]
        valued = ~np.isnan(value)
        at = np.where(valued, np.arange(len(value)), -1)
        last = np.full(len(measures), -1)
        if len(value):
            np.maximum.at(last, codes, at)
        status = None
        if "status" in history:
            status = history["status"].fillna("").to_numpy(dtype=object)[order]
        return cls(
            pd.Index(measures),
            edges,
            last,
            np.concatenate([[0], np.cumsum(valued)]),
            history["period"].to_numpy(dtype=object)[order],
            value,
            status,
        )

    def places(self, measure_ids: pd.Series) -> np.ndarray:
        """Each measure's place in ``measures`` (-1 for a measure with no rows)."""
        return self.measures.get_indexer(measure_ids.to_numpy(dtype=object))

    def span(self, place: int) -> tuple[int, int, int]:
        """A measure's rows (start, end) up to its last figure, and how many figures it has."""
        if place < 0:
            return 0, 0, 0
        start, end = int(self.edges[place]), int(self.edges[place + 1])
        if self.last_valued[place] >= 0:  # the series ends at its last figure
            end = int(self.last_valued[place]) + 1
        return start, end, int(self.valued_before[end] - self.valued_before[start])


@dataclass
class _Charted:
    """A measure with enough recent points for a chart: its card row (filled in when charted),
    its rows in the series (start, end), its catalogue row and its kind of period."""

    row: dict
    start: int
    end: int
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


def _chart(
    series: _Series,
    charted: list[_Charted],
    results: dict[str, pd.DataFrame],
    targets: dict[str, float | None],
    charts: bool,
) -> None:
    """The XmR charts of the charted measures, worked out together, each as ``xmr`` gives it
    (with ``status`` for figures that are not final): their icons and notes filled in on their
    card rows; each measure's chart and the target it was judged on added to ``results`` and
    ``targets`` when ``charts``."""
    lengths = np.array([c.end - c.start for c in charted])
    rows = np.concatenate([np.arange(c.start, c.end) for c in charted])
    frame = pd.DataFrame(
        {
            "series": np.repeat(np.arange(len(charted)), lengths),
            "period": series.period[rows],
            "value": series.value[rows],
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
    latest = summaries.drop_duplicates("series", keep="last")
    variation = dict(zip(latest["series"], latest["variation"].astype(str), strict=True))
    assurance = dict(zip(latest["series"], latest["assurance"], strict=True))
    edges = np.concatenate([[0], np.cumsum(lengths)])
    for i, chart in enumerate(charted):
        row = chart.row
        row["variation"] = VARIATION_WORDS[variation[i]]
        notes = list(notes_by_series.get(i, []))
        if assurance[i]:
            row["assurance"] = ASSURANCE_WORDS[str(assurance[i])]
        elif chart.improvement == "neutral":
            notes.append("no assurance: neither higher nor lower is better")
        elif not chart.per_period:
            notes.append("no assurance: the target is for the year, not for each period")
        else:
            notes.append("no assurance: no target")
        row["spc_note"] = "; ".join(notes)
        if not charts:
            continue
        result = many.iloc[edges[i] : edges[i + 1], 1:].reset_index(drop=True)
        result.attrs = {"spc": {"improvement": chart.improvement, "target": chart.target}}
        if series.status is not None:  # the chart marks a figure that is not final
            result = result.assign(status=series.status[chart.start : chart.end])
        measure_id = row["measure_id"]
        results[measure_id], targets[measure_id] = result, chart.target
