"""The performance engine: every measure's figure, target, variance, RAG, direction of travel,
forecast and benchmark quartile for one or many reporting periods, in one vectorised pass.

For each measure and report period P the engine finds the measure's reporting period R (P
itself; the latest quarter for a quarterly measure in a monthly report; the year for an annual
measure, or its latest earlier year while this year's figure is not out), reads the figures at R,
at the period before R and at R a year earlier (``perfnb.figures``), profiles the target
(``perfnb.profiles``), forecasts the year end (``perfnb.forecast``), rates it (``perfnb.rag``),
compares it (``perfnb.direction``) and ranks it (``perfnb.benchmarking``). ``docs/method.md``
explains each rule with worked examples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfnb.benchmarking import BENCHMARK_COLUMNS, benchmark_positions
from perfnb.direction import direction_of_travel
from perfnb.figures import series_grid, window_figures
from perfnb.forecast import year_end_forecast
from perfnb.loader import Dataset
from perfnb.periods import Period, parse_period
from perfnb.profiles import share_elapsed
from perfnb.rag import apply_overrides, rate_against_target
from perfnb.tolerances import DEFAULT_DOT_STABLE, with_default

__all__ = ["PERFORMANCE_COLUMNS", "performance"]

_KINDS = np.array(["month", "quarter", "year"], dtype=object)
_KIND_CODE = {"month": 0, "quarter": 1, "year": 2}
_LAST = {"month": 12, "quarter": 4, "year": 1}

PERFORMANCE_COLUMNS = [
    # the measure
    "measure_id",
    "name",
    "service",
    "theme",
    "priority",
    "framework",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "frequency",
    "decimals",
    # the figure
    "period",
    "value_period",
    "period_value",
    "ytd_value",
    "value",
    "value_basis",
    "numerator",
    "denominator",
    "base",
    "note",
    "status",
    "pending",
    # the target
    "target_year",
    "annual_target",
    "target",
    "band_low",
    "band_high",
    "annual_band_low",
    "annual_band_high",
    "target_note",
    "variance",
    "variance_pct",
    "variance_pp",
    # the rating
    "rag",
    "rag_computed",
    "rag_reason",
    "rag_on",
    "overridden",
    "shortfall",
    "green_within",
    "amber_within",
    "min_base",
    # direction of travel
    "direction",
    "dot_basis",
    "compared_with",
    "previous_value",
    "last_year_value",
    # forecast
    "forecast",
    "forecast_method",
    # benchmarks
    *BENCHMARK_COLUMNS,
]


def _period_code(kind: np.ndarray, fy: np.ndarray, index: np.ndarray) -> np.ndarray:
    """One integer per period: (fy x 4 + kind) x 16 + index."""
    return (fy.astype(np.int64) * 4 + kind.astype(np.int64)) * 16 + index.astype(np.int64)


def _decode(code: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    index = code % 16
    kind = (code // 16) % 4
    return kind, code // 64, index


def _labels(kind: np.ndarray, fy: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The written form of each period (``2017/18 Q1``), each distinct period named once."""
    codes = _period_code(kind, fy, index)
    uniques, inverse = np.unique(codes, return_inverse=True)
    kinds, years, indexes = _decode(uniques)
    names = [
        Period(str(_KINDS[k]), int(y), int(i)).label
        for k, y, i in zip(kinds, years, indexes, strict=True)
    ]
    return np.array(names, dtype=object)[inverse]


def _previous(kind: np.ndarray, fy: np.ndarray, index: np.ndarray):
    """The period before each one, of the same kind."""
    last = np.select([kind == 0, kind == 1], [12, 4], 1)
    wraps = index <= 1
    return kind, np.where(wraps, fy - 1, fy), np.where(wraps, last, index - 1)


def _reporting_period(
    requests: pd.DataFrame, values: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The period R whose figure each (measure, report period P) row shows."""
    kind = requests["p_kind"].to_numpy(dtype=np.int64).copy()
    fy = requests["p_fy"].to_numpy(dtype=np.int64).copy()
    index = requests["p_index"].to_numpy(dtype=np.int64).copy()
    frequency = requests["frequency"].to_numpy(dtype=object)

    # a quarterly measure in a monthly report shows its latest quarter ended
    quarterly_in_month = (frequency == "quarterly") & (kind == 0)
    quarters_done = index // 3
    kind = np.where(quarterly_in_month, 1, kind)
    fy = np.where(quarterly_in_month & (quarters_done == 0), fy - 1, fy)
    index = np.where(quarterly_in_month, np.where(quarters_done == 0, 4, quarters_done), index)

    # an annual measure shows its year: this year's row (even pending), else its latest year
    annual = frequency == "annual"
    if annual.any():
        years = values.loc[values["period_kind"] == "year", ["measure_id", "fy", "value"]]
        own = pd.MultiIndex.from_arrays([requests["measure_id"].to_numpy(), fy]).isin(
            pd.MultiIndex.from_arrays([years["measure_id"].to_numpy(), years["fy"].to_numpy()])
        )
        valued = years[years["value"].notna()][["measure_id", "fy"]].astype({"fy": "int64"})
        asked = pd.DataFrame(
            {"measure_id": requests["measure_id"].to_numpy(), "fy": fy, "_row": range(len(fy))}
        )
        latest = pd.merge_asof(
            asked.sort_values("fy"),
            valued.assign(_fy=valued["fy"]).sort_values("fy"),
            on="fy",
            by="measure_id",
            direction="backward",
            allow_exact_matches=False,
        ).set_index("_row")["_fy"]
        earlier = latest.reindex(range(len(fy))).to_numpy(dtype=float)
        year_fy = np.where(own | np.isnan(earlier), fy, np.nan_to_num(earlier)).astype(np.int64)
        kind = np.where(annual, 2, kind)
        fy = np.where(annual, year_fy, fy)
        index = np.where(annual, 1, index)
    return kind, fy, index


def _requests(data: Dataset, periods: Sequence[Period], services) -> pd.DataFrame:
    measures = data.measures
    if services is not None:
        measures = measures[measures["service"].isin(list(services))]
    measures = measures.reset_index(drop=True)
    asked = pd.DataFrame(
        {
            "period": [p.label for p in periods],
            "p_kind": [_KIND_CODE[p.kind] for p in periods],
            "p_fy": [p.fy for p in periods],
            "p_index": [p.index for p in periods],
            "_p_order": range(len(periods)),
        }
    )
    # the catalogue's words repeat on every row: as categories they are compared and copied as
    # small integers, not a million strings
    for name in _CATEGORICAL:
        measures[name] = measures[name].astype("category")
    requests = asked.merge(measures.assign(_m_order=range(len(measures))), how="cross")
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
)


def _scale(frame: pd.DataFrame) -> np.ndarray:
    """What a ratio is multiplied by: 100 for a percentage, rate_per for a rate, else 1."""
    unit = frame["unit"].to_numpy(dtype=object)
    rate_per = frame["rate_per"].to_numpy(dtype=float)
    return np.where(unit == "percent", 100.0, np.where(unit == "rate", rate_per, 1.0))


def _targets_at(
    targets: pd.DataFrame, catalogue: pd.Index, code: np.ndarray, fy: np.ndarray
) -> pd.DataFrame:
    """The targets.csv row of each (measure, financial year); blanks where there is none.

    ``code`` is each row's position in ``catalogue`` (the measure_ids asked about)."""
    targets = targets[targets["measure_id"].isin(catalogue)].reset_index(drop=True)
    ids = targets["measure_id"].to_numpy(dtype=object)
    have = catalogue.get_indexer(ids) * 1024 + (targets["fy"].to_numpy(dtype=np.int64) - 1900)
    wanted = np.asarray(code, dtype=np.int64) * 1024 + (np.asarray(fy, dtype=np.int64) - 1900)
    position = pd.Index(have).get_indexer(wanted)
    found = position >= 0

    def column(name: str, blank: object) -> np.ndarray:
        if name not in targets:
            return np.full(len(position), blank, dtype=object if blank == "" else float)
        data = targets[name].to_numpy(dtype=object if blank == "" else float)
        if blank == "":
            data = np.where(pd.isna(data), "", data).astype(object)
        return np.where(found, np.append(data, blank)[position], blank)

    return pd.DataFrame(
        {
            "target": column("target", np.nan),
            "band_low": column("band_low", np.nan),
            "band_high": column("band_high", np.nan),
            "profile": column("profile", ""),
            "target_note": column("note", ""),
        }
    )


def _window_results(data: Dataset, windows: pd.DataFrame, catalogue: pd.Index) -> pd.DataFrame:
    """Figures, forecast and reported value at every window (measure, period)."""
    grid = series_grid(data.values)
    figures = window_figures(grid, windows)
    targets = _targets_at(
        data.targets, catalogue, windows["_code"].to_numpy(), windows["fy"].to_numpy()
    )
    month = np.select(
        [windows["kind"] == "month", windows["kind"] == "quarter"],
        [windows["index"], 3 * windows["index"]],
        12,
    )
    share = share_elapsed(targets["profile"], month)
    forecast = year_end_forecast(
        windows["aggregation"].reset_index(drop=True),
        figures["ytd_value"].reset_index(drop=True),
        pd.Series(share),
        figures["figure"].reset_index(drop=True),
        figures["row_forecast"].reset_index(drop=True),
        pd.Series(month == 12),
    )
    out = figures.reset_index(drop=True)
    out["share"] = share
    out["forecast"] = forecast["forecast"].to_numpy()
    out["forecast_method"] = forecast["forecast_method"].to_numpy()
    on_forecast = (windows["rag_on"] == "forecast").to_numpy()
    out["value"] = np.where(on_forecast, out["forecast"], out["figure"])
    # each window's own band (profiled for counts), for judging its figure in direction of travel
    factor = np.where((windows["aggregation"] == "sum").to_numpy() & ~on_forecast, share, 1.0)
    out["band_low"] = targets["band_low"].to_numpy() * factor
    out["band_high"] = targets["band_high"].to_numpy() * factor
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
    periods = [parse_period(p) for p in periods]
    requests = _requests(data, periods, services)
    n = len(requests)
    if n == 0:
        return pd.DataFrame(columns=PERFORMANCE_COLUMNS)

    # -- the reporting period, the one before it and the same one a year earlier ------------
    r_kind, r_fy, r_index = _reporting_period(requests, data.values)
    prev = _previous(r_kind, r_fy, r_index)
    last_year = (r_kind, r_fy - 1, r_index)
    measure_code = requests["_m_order"].to_numpy(dtype=np.int64)
    keys = np.concatenate(
        [
            measure_code * (1 << 20) + _period_code(r_kind, r_fy, r_index),
            measure_code * (1 << 20) + _period_code(*prev),
            measure_code * (1 << 20) + _period_code(*last_year),
        ]
    )
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    w_kind, w_fy, w_index = _decode(unique_keys % (1 << 20))
    catalogue = data.measures
    if services is not None:
        catalogue = catalogue[catalogue["service"].isin(list(services))]
    catalogue = catalogue.reset_index(drop=True)
    w_measures = catalogue.take(unique_keys // (1 << 20)).reset_index(drop=True)
    windows = pd.DataFrame(
        {
            "measure_id": w_measures["measure_id"].to_numpy(),
            "aggregation": w_measures["aggregation"].to_numpy(),
            "frequency": w_measures["frequency"].to_numpy(),
            "rag_on": w_measures["rag_on"].to_numpy(),
            "scale": _scale(w_measures),
            "kind": _KINDS[w_kind],
            "fy": w_fy,
            "index": w_index,
            "_code": unique_keys // (1 << 20),
        }
    )
    catalogue_ids = pd.Index(catalogue["measure_id"].to_numpy(dtype=object))
    at = _window_results(data, windows, catalogue_ids)
    here = at.take(inverse[:n]).reset_index(drop=True)
    before = at.take(inverse[n : 2 * n]).reset_index(drop=True)
    year_ago = at.take(inverse[2 * n :]).reset_index(drop=True)

    card = requests.drop(columns=["p_kind", "p_index", "_p_order", "_m_order"]).copy()
    card["value_period"] = _labels(r_kind, r_fy, r_index)
    for name in ("period_value", "ytd_value", "value", "base", "forecast", "forecast_method"):
        card[name] = here[name].to_numpy()
    card["numerator"] = here["numerator"].to_numpy()
    card["denominator"] = here["denominator"].to_numpy()
    card["status"] = here["status"].to_numpy()
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
            [aggregation == "sum", aggregation == "ratio", aggregation == "mean"],
            ["year to date", "year to date", "average to date"],
            "latest",
        ),
    )

    # -- targets, profiled to the period for sum measures -----------------------------------
    annual = (card["frequency"] == "annual").to_numpy()
    target_fy = np.where(annual, requests["p_fy"].to_numpy(dtype=np.int64), r_fy)
    targets = _targets_at(data.targets, catalogue_ids, measure_code, target_fy)
    month = np.select([r_kind == 0, r_kind == 1], [r_index, 3 * r_index], 12)
    share = share_elapsed(targets["profile"], month)
    profiled = (aggregation == "sum") & ~on_forecast
    factor = np.where(profiled, share, 1.0)
    card["target_year"] = _labels(np.full(n, 2), target_fy, np.ones(n, dtype=np.int64))
    card["annual_target"] = targets["target"].to_numpy()
    card["target"] = np.round(targets["target"].to_numpy() * factor, 9)
    card["band_low"] = np.round(targets["band_low"].to_numpy() * factor, 9)
    card["band_high"] = np.round(targets["band_high"].to_numpy() * factor, 9)
    card["annual_band_low"] = targets["band_low"].to_numpy()
    card["annual_band_high"] = targets["band_high"].to_numpy()
    card["target_note"] = targets["target_note"].to_numpy()

    # -- variance (below target is negative, whatever the polarity) and RAG -----------------
    rated = rate_against_target(card)
    for name in rated.columns:
        card[name] = rated[name]
    final = apply_overrides(card, data.overrides)
    card["rag"] = final["rag"]
    card["rag_reason"] = final["rag_reason"]
    card["overridden"] = final["overridden"]

    # -- direction of travel -----------------------------------------------------------------
    card["previous_value"] = before["value"].to_numpy()
    card["last_year_value"] = year_ago["value"].to_numpy()
    on_last_year = (card["dot_basis"] == "last_year").to_numpy()
    earlier = np.where(on_last_year, card["last_year_value"], card["previous_value"])
    card["compared_with"] = np.where(on_last_year, _labels(*last_year), _labels(*prev))
    stable = with_default(card["dot_stable"], card["unit"], DEFAULT_DOT_STABLE)
    earlier_band = [
        np.where(on_last_year, year_ago[edge], before[edge]) for edge in ("band_low", "band_high")
    ]
    card["direction"] = direction_of_travel(
        card["value"],
        pd.Series(earlier, index=card.index),
        card["polarity"],
        stable,
        card["band_low"],
        card["band_high"],
        pd.Series(earlier_band[0], index=card.index),
        pd.Series(earlier_band[1], index=card.index),
    )

    # -- benchmarks --------------------------------------------------------------------------
    bench = benchmark_positions(
        data.benchmarks,
        pd.DataFrame(
            {
                "measure_id": card["measure_id"].to_numpy(),
                "fy": requests["p_fy"].to_numpy(dtype=np.int64),
                "polarity": card["polarity"].to_numpy(),
                "decimals": card["decimals"].to_numpy(),
            }
        ),
        data.area,
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
