"""The performance engine: every measure's figure, target, variance, RAG, direction of travel,
forecast and benchmark quartile for one or many reporting periods, in one vectorised pass.

For each measure and report period P the engine finds the measure's reporting period R (P
itself; the latest quarter for a quarterly measure in a monthly report; the year for an annual
measure, or its latest earlier year while this year's figure is not out: ``perfnb.period_codes``),
reads the figures at R, at the period before R and at R a year earlier (``perfnb.figures``),
finds and profiles the target (``perfnb.target_lookup``, ``perfnb.profiles``), forecasts the
year end (``perfnb.forecast``), rates it (``perfnb.rag``), compares it (``perfnb.comparisons``,
``perfnb.direction``) and ranks it (``perfnb.benchmarking``). Its columns are
``PERFORMANCE_COLUMNS`` (``perfnb.performance_columns``). ``docs/method.md`` explains each rule
with worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfnb.comparisons import benchmark_columns, direction_columns, latest_position
from perfnb.figures import series_grid, window_figures
from perfnb.forecast import year_end_forecast
from perfnb.loader import Dataset
from perfnb.performance_columns import PERFORMANCE_COLUMNS
from perfnb.period_codes import (
    KIND_CODE,
    KINDS,
    decode_period_code,
    later_periods,
    period_code,
    period_labels,
    previous_periods,
    reporting_periods,
)
from perfnb.periods import Period, parse_period
from perfnb.rag import apply_overrides, rate_against_target
from perfnb.target_lookup import is_cumulative, target_frame

__all__ = ["PERFORMANCE_COLUMNS", "performance"]


def _reported_in(measures: pd.DataFrame, period: Period) -> np.ndarray:
    """True for the measures reported in ``period``: it ends on or after the start of their
    ``from`` and starts on or before the end of their ``until``."""
    keep = np.ones(len(measures), dtype=bool)
    for name, column in (("from", "from_period"), ("until", "until_period")):
        if column not in measures:
            continue
        labels = measures[column].fillna("").astype(str).to_numpy(dtype=object)
        for label in pd.unique(labels[labels != ""]):
            edge = parse_period(label)
            inside = period.end >= edge.start if name == "from" else period.start <= edge.end
            keep &= (labels != label) | inside
    return keep


def _requests(data: Dataset, periods: Sequence[Period], services) -> pd.DataFrame:
    measures = data.measures
    if services is not None:
        measures = measures[measures["service"].isin(list(services))]
    measures = measures.reset_index(drop=True)
    asked = pd.DataFrame(
        {
            "period": [p.label for p in periods],
            "p_kind": [KIND_CODE[p.kind] for p in periods],
            "p_fy": [p.fy for p in periods],
            "p_index": [p.index for p in periods],
            "_p_order": range(len(periods)),
        }
    )
    # the catalogue's words repeat on every row: as categories they are compared and copied as
    # small integers, not a million strings
    for name in _CATEGORICAL:
        if name not in measures:  # a catalogue built by hand: perfnb's defaults
            measures[name] = {"rag_on": "value", "rag_rule": "tolerance"}.get(name, "")
        measures[name] = measures[name].astype("category")
    requests = asked.merge(measures.assign(_m_order=range(len(measures))), how="cross")
    spans = [c for c in ("from_period", "until_period") if c in measures]
    if spans and (measures[spans] != "").any().any():
        keep = np.concatenate([_reported_in(measures, p) for p in periods])
        order = requests["_p_order"].to_numpy() * len(measures) + requests["_m_order"].to_numpy()
        requests = requests[keep[order]]
    return requests.sort_values(["_p_order", "_m_order"], kind="stable").reset_index(drop=True)


_CATEGORICAL = (
    "service",
    "theme",
    "priority",
    "framework",
    "unit",
    "polarity",
    "aggregation",
    "frequency",
    "green_within",
    "amber_within",
    "dot_basis",
    "dot_stable",
    "rag_on",
    "rag_rule",
)


def _scale(frame: pd.DataFrame) -> np.ndarray:
    """What a ratio is multiplied by: 100 for a percentage, rate_per for a rate, else 1."""
    unit = frame["unit"].to_numpy(dtype=object)
    rate_per = frame["rate_per"].to_numpy(dtype=float)
    return np.where(unit == "percent", 100.0, np.where(unit == "rate", rate_per, 1.0))


def _window_results(data: Dataset, windows: pd.DataFrame, catalogue: pd.Index) -> pd.DataFrame:
    """Figures, targets, forecast and reported value at every window (measure, period)."""
    grid = series_grid(data.reported_values)
    figures = window_figures(grid, windows)
    month = np.select(
        [windows["kind"] == "month", windows["kind"] == "quarter"],
        [windows["index"], 3 * windows["index"]],
        12,
    )
    on_forecast = (windows["rag_on"] == "forecast").to_numpy()
    cumulative = is_cumulative(
        windows["aggregation"].to_numpy(dtype=object), windows["unit"].to_numpy(dtype=object)
    )
    targets = target_frame(
        data.targets,
        catalogue,
        windows["_code"].to_numpy(),
        windows["fy"].to_numpy(),
        windows["kind"].to_numpy(dtype=object),
        month,
        cumulative,
        on_forecast,
        (windows["aggregation"] == "ytd").to_numpy(),
    )
    # a ytd measure with a target for the period (a collection rate's 56.52% at Q2) runs at the
    # rate its targets do: Q2's 58.0% against 56.52% of 95.20% forecasts 58.0 / 56.52 x 95.20
    by_targets = (windows["aggregation"] == "ytd").to_numpy() & (
        targets["period_share"].notna().to_numpy()
    )
    forecast = year_end_forecast(
        windows["aggregation"].reset_index(drop=True),
        figures["ytd_value"].reset_index(drop=True),
        pd.Series(np.where(by_targets, targets["period_share"], targets["share"])),
        figures["figure"].reset_index(drop=True),
        figures["row_forecast"].reset_index(drop=True),
        pd.Series(month == 12),
        cumulative=pd.Series(cumulative | by_targets),
    )
    out = figures.reset_index(drop=True)
    out["forecast"] = forecast["forecast"].to_numpy()
    out["forecast_method"] = forecast["forecast_method"].to_numpy()
    out["value"] = np.where(on_forecast, out["forecast"], out["figure"])
    # each window's own target and band (profiled for counts): for judging its figure in
    # direction of travel, and for the latest position
    for name in targets.columns:
        out[name] = targets[name].to_numpy()
    out["_kind"] = windows["kind"].map(KIND_CODE).to_numpy(dtype=np.int64)
    out["_fy"] = windows["fy"].to_numpy(dtype=np.int64)
    out["_index"] = windows["index"].to_numpy(dtype=np.int64)
    return out


def performance(
    data: Dataset,
    periods: Sequence[Period | str] | Period | str | None = None,
    services: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per measure (of ``services``, all when None) and report period, with every figure
    the scorecard prints; ``periods`` defaults to the data set's latest.

    Figures are in the measure's unit (per cent for percent measures, per ``rate_per`` for
    rates); ``variance_pp`` is in percentage points, ``variance_pct`` in per cent of the target.
    Rows are in period order, then catalogue order.
    """
    if periods is None:
        periods = [data.latest_period()]
    elif isinstance(periods, Period | str):
        periods = [periods]
    chosen = [parse_period(p) for p in periods]
    requests = _requests(data, chosen, services)
    n = len(requests)
    if n == 0:
        return pd.DataFrame(columns=PERFORMANCE_COLUMNS)

    # -- the reporting period, the one before it, the same one a year earlier and, for the
    # latest position, each month and quarter ending within N months after it ------------------
    r_kind, r_fy, r_index = reporting_periods(requests, data.reported_values)
    prev = previous_periods(r_kind, r_fy, r_index)
    last_year = (r_kind, r_fy - 1, r_index)
    later = later_periods(r_kind, r_fy, r_index, requests, data.latest_within_months)
    measure_code = requests["_m_order"].to_numpy(dtype=np.int64)
    asked = [(r_kind, r_fy, r_index), prev, last_year, *later]
    keys = np.concatenate([measure_code * (1 << 20) + period_code(*p) for p in asked])
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    w_kind, w_fy, w_index = decode_period_code(unique_keys % (1 << 20))
    catalogue = data.measures
    if services is not None:
        catalogue = catalogue[catalogue["service"].isin(list(services))]
    catalogue = catalogue.reset_index(drop=True)
    w_measures = catalogue.take(unique_keys // (1 << 20)).reset_index(drop=True)
    windows = pd.DataFrame(
        {
            "measure_id": w_measures["measure_id"].to_numpy(),
            "aggregation": w_measures["aggregation"].to_numpy(),
            "unit": w_measures["unit"].to_numpy(),
            "frequency": w_measures["frequency"].to_numpy(),
            "rag_on": w_measures["rag_on"].to_numpy(),
            "scale": _scale(w_measures),
            "kind": KINDS[w_kind],
            "fy": w_fy,
            "index": w_index,
            "_code": unique_keys // (1 << 20),
        }
    )
    catalogue_ids = pd.Index(catalogue["measure_id"].to_numpy(dtype=object))
    at = _window_results(data, windows, catalogue_ids)

    def rows(k: int, columns: list[str] | None = None) -> pd.DataFrame:
        """The window results of the k-th set of windows asked about (only ``columns``)."""
        frame = at if columns is None else at[columns]
        return frame.take(inverse[k * n : (k + 1) * n]).reset_index(drop=True)

    compared = ["value", "period_value", "status", "period_status", "band_low", "band_high"]
    here, before, year_ago = rows(0), rows(1, compared), rows(2, compared)

    card = requests.drop(columns=["p_kind", "p_index", "_p_order", "_m_order"]).copy()
    card["value_period"] = period_labels(r_kind, r_fy, r_index)
    for name in ("period_value", "ytd_value", "value", "base", "forecast", "forecast_method"):
        card[name] = here[name].to_numpy()
    card["numerator"] = here["numerator"].to_numpy()
    card["denominator"] = here["denominator"].to_numpy()
    card["status"] = here["status"].to_numpy()
    card["period_status"] = here["period_status"].to_numpy()
    card["pending"] = card["value"].isna()
    card["note"] = _notes(
        here,
        card["value_period"],
        card["pending"].to_numpy(),
        (card["rag_on"] == "forecast").to_numpy(),
    )
    aggregation = card["aggregation"].to_numpy(dtype=object)
    on_forecast = (card["rag_on"] == "forecast").to_numpy()
    card["value_basis"] = np.where(
        on_forecast,
        "full year forecast",
        np.select(
            [np.isin(aggregation, ("sum", "ratio", "ytd")), aggregation == "mean"],
            ["year to date", "average to date"],
            "latest",
        ),
    )

    # -- targets: the period's own, else profiled (running totals) or the year's --------------
    annual = (card["frequency"] == "annual").to_numpy()
    target_fy = np.where(annual, requests["p_fy"].to_numpy(dtype=np.int64), r_fy)
    month = np.select([r_kind == 0, r_kind == 1], [r_index, 3 * r_index], 12)
    targets = target_frame(
        data.targets,
        catalogue_ids,
        measure_code,
        target_fy,
        KINDS[r_kind],
        month,
        is_cumulative(aggregation, card["unit"].to_numpy(dtype=object)),
        on_forecast,
        aggregation == "ytd",
    )
    card["target_year"] = period_labels(np.full(n, 2), target_fy, np.ones(n, dtype=np.int64))
    for name in targets.columns.drop(["share", "period_share"]):
        card[name] = targets[name].to_numpy()

    # -- direction of travel: like with like ----------------------------------------------------
    card["previous_value"] = before["value"].to_numpy()
    card["last_year_value"] = year_ago["value"].to_numpy()
    card["previous_status"] = before["status"].to_numpy()
    card["last_year_status"] = year_ago["status"].to_numpy()
    for name, column in direction_columns(card, here, before, year_ago, prev, last_year).items():
        card[name] = column

    # -- variance (below target is negative, whatever the polarity) and RAG -----------------
    rated = rate_against_target(card)
    for name in rated.columns:
        card[name] = rated[name]
    final = apply_overrides(card, data.overrides)
    card["rag"] = final["rag"]
    card["rag_reason"] = final["rag_reason"]
    card["overridden"] = final["overridden"]

    # -- the latest position: the latest figure within N months after the period -------------
    latest = [*compared, "target", "_kind", "_fy", "_index"]
    for name, column in latest_position(
        card, [rows(3 + k, latest) for k in range(len(later))]
    ).items():
        card[name] = column

    # -- benchmarks --------------------------------------------------------------------------
    bench = benchmark_columns(
        data.benchmarks, data.area, card, requests["p_fy"].to_numpy(dtype=np.int64)
    )
    for name in bench.columns:
        card[name] = bench[name].to_numpy()
    for name in ("rate_per", "min_base", "annual_target"):
        card[name] = card[name].astype(float)
    card = card[PERFORMANCE_COLUMNS]
    for name in card.columns:
        if isinstance(card[name].dtype, pd.CategoricalDtype):
            card[name] = card[name].astype("str")
    return card


def _notes(
    here: pd.DataFrame, value_period: pd.Series, pending: np.ndarray, on_forecast: np.ndarray
) -> np.ndarray:
    """R's own note; for a missing figure, which one is missing or how incomplete the year is,
    or, for a measure rated on its forecast, why there is no forecast yet."""
    note = here["note"].to_numpy(dtype=object)
    no_forecast = pending & on_forecast & ~np.isnan(here["figure"].to_numpy(dtype=float))
    expected = here["months_expected"].to_numpy()
    covered = here["months_covered"].to_numpy()
    gap = pending & (expected > 0) & (covered > 0) & (covered < expected)
    out = note.copy()
    gap &= note == ""
    out[gap] = (
        "Year to date incomplete: figures for "
        + covered[gap].astype(str).astype(object)
        + " of "
        + expected[gap].astype(str).astype(object)
        + " months"
    )
    no_forecast &= note == ""
    out[no_forecast] = (
        "No year-end forecast yet: none of the year's target profile is due by "
        + value_period.to_numpy(dtype=object)[no_forecast]
    )
    missing = pending & ~gap & ~no_forecast & (note == "")
    out[missing] = "No figure for " + value_period.to_numpy(dtype=object)[missing]
    return out
