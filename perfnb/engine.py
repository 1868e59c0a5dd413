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
from typing import cast

import numpy as np
import pandas as pd

from perfnb.benchmarking import BENCHMARK_COLUMNS, benchmark_positions
from perfnb.direction import direction_of_travel, direction_reasons
from perfnb.figures import series_grid, window_figures
from perfnb.forecast import year_end_forecast
from perfnb.loader import Dataset
from perfnb.periods import Period, PeriodKind, parse_period
from perfnb.profiles import share_elapsed
from perfnb.rag import apply_overrides, rate_against_target
from perfnb.tolerances import DEFAULT_DOT_STABLE, with_default
from perfnb.variance import variance

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
    "period_status",
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
    "annual_target_note",
    "target_basis",
    "variance",
    "variance_pct",
    "variance_pp",
    # the rating
    "rag",
    "rag_computed",
    "rag_reason",
    "rag_on",
    "rag_rule",
    "overridden",
    "shortfall",
    "green_within",
    "amber_within",
    "min_base",
    # direction of travel
    "direction",
    "direction_reason",
    "dot_basis",
    "compared_with",
    "compared_on",
    "dot_value",
    "compared_value",
    "compared_status",
    "previous_value",
    "previous_status",
    "last_year_value",
    "last_year_status",
    # forecast
    "forecast",
    "forecast_method",
    # benchmarks
    *BENCHMARK_COLUMNS,
    # the latest position: the latest figure within N months after the period
    "latest_period",
    "latest_value",
    "latest_target",
    "latest_variance",
    "latest_variance_pct",
    "latest_variance_pp",
    "latest_status",
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
        Period(cast(PeriodKind, str(_KINDS[k])), int(y), int(i)).label
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
            "p_kind": [_KIND_CODE[p.kind] for p in periods],
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


# units whose year-to-date figures are running totals, so a ytd measure's target is profiled
# through the year as a sum measure's is
_ADDITIVE_UNITS = ("count", "currency")


def _cumulative(aggregation: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """True where the figure is a running total through the year whose target is profiled: sum
    measures, and ytd measures of counts or money."""
    return (aggregation == "sum") | ((aggregation == "ytd") & np.isin(unit, _ADDITIVE_UNITS))


def _targets_at(
    targets: pd.DataFrame,
    catalogue: pd.Index,
    code: np.ndarray,
    fy: np.ndarray,
    month: np.ndarray | None = None,
    kind: np.ndarray | None = None,
    cumulative: np.ndarray | None = None,
    running: np.ndarray | None = None,
) -> pd.DataFrame:
    """The targets of each (measure, financial year, month M of the year): the year's row
    (``target``, ``band_low``, ``band_high``, ``profile``, ``target_note``) and the period row
    that applies at M (``period_target``, ``period_low``, ``period_high``, ``period_note``,
    ``period_month``: NaN where none). A period row applies when it ends at M (of R's own kind
    first); else, for a measure that is not cumulative, the latest before M does: for a ytd
    measure the latest to end by M (a year-to-date target is one for a point in time), for any
    other the latest to start by M (a quarter's target holds for its months and after).

    ``code`` is each row's position in ``catalogue`` (the measure_ids asked about)."""
    targets = targets[targets["measure_id"].isin(catalogue)].reset_index(drop=True)
    n = len(code)
    if month is None:
        month = np.full(n, 12)
    if kind is None:
        kind = np.full(n, "year", dtype=object)
    if cumulative is None:
        cumulative = np.zeros(n, dtype=bool)
    if running is None:
        running = np.ones(n, dtype=bool)
    has_period = (
        targets["period"].fillna("").astype(str).to_numpy() != ""
        if "period" in targets
        else np.zeros(len(targets), bool)
    )
    years, periods = targets[~has_period], targets[has_period].reset_index(drop=True)
    out = _year_rows(years, catalogue, code, fy)
    group = np.asarray(code, dtype=np.int64) * 1024 + (np.asarray(fy, dtype=np.int64) - 1900)
    empty = np.full(n, np.nan)
    found = {"period_target": empty, "period_low": empty, "period_high": empty}
    note, at = np.full(n, "", dtype=object), np.full(n, np.nan)
    if len(periods):
        p_group = catalogue.get_indexer(periods["measure_id"].to_numpy(dtype=object)) * 1024 + (
            periods["fy"].to_numpy(dtype=np.int64) - 1900
        )
        p_month = periods["fy_month_last"].to_numpy(dtype=np.int64)
        p_kind = periods["period_kind"].to_numpy(dtype=object)
        month = np.asarray(month, dtype=np.int64)
        # every period row against every asked row would be too many: look the rows up by key
        # (group, month end), one exact match of the asked kind, then any kind, then (for a
        # measure that is not cumulative) the latest month end before M
        exact_kind = _lookup(
            p_group * 64 + p_month * 4 + _kind_code(p_kind),
            group * 64 + month * 4 + _kind_code(kind),
        )
        exact_any = _lookup(p_group * 64 + p_month * 4, group * 64 + month * 4, p_kind)
        row = np.where(exact_kind >= 0, exact_kind, exact_any)
        by_end = _latest_before(p_group, p_month, group, month)
        p_first = periods["fy_month_first"].to_numpy(dtype=np.int64)
        by_start = _latest_before(p_group, p_first, group, month)
        earlier = np.where(running, by_end, by_start)
        row = np.where((row < 0) & ~cumulative, earlier, row)
        hit = row >= 0
        take = np.where(hit, row, 0)

        def pick(name: str) -> np.ndarray:
            return np.where(hit, periods[name].to_numpy(dtype=float)[take], np.nan)

        found = {
            "period_target": pick("target"),
            "period_low": pick("band_low"),
            "period_high": pick("band_high"),
        }
        notes = periods["note"].fillna("").astype(str).to_numpy(dtype=object)
        note = np.where(hit, notes[take], "")
        at = np.where(hit, p_month[take], np.nan)
    out = out.assign(**found, period_note=note, period_month=at)
    return out


def _kind_code(kind: np.ndarray) -> np.ndarray:
    """0 for a month, 1 for a quarter, 2 for a year (or anything else)."""
    kind = np.asarray(kind, dtype=object)
    return np.select([kind == "month", kind == "quarter"], [0, 1], 2).astype(np.int64)


def _lookup(have: np.ndarray, wanted: np.ndarray, kind: np.ndarray | None = None) -> np.ndarray:
    """Position in ``have`` of each ``wanted`` key, -1 where absent; where keys repeat (a quarter
    and its last month), the quarter's row."""
    order = np.arange(len(have))
    if kind is not None:  # quarters first, so that drop_duplicates keeps them
        order = np.argsort(_kind_code(kind) != 1, kind="stable")
    keys = pd.Series(order, index=have[order])
    keys = keys[~keys.index.duplicated(keep="first")]
    found = pd.Index(keys.index).get_indexer(wanted)
    return np.where(found >= 0, keys.to_numpy()[np.maximum(found, 0)], -1)


def _latest_before(
    p_group: np.ndarray, p_month: np.ndarray, group: np.ndarray, month: np.ndarray
) -> np.ndarray:
    """Position of the period row of the same group ending latest at or before ``month``; -1."""
    rows = pd.DataFrame({"group": p_group, "at": p_month, "_row": np.arange(len(p_group))})
    rows = rows.sort_values(["at", "group"], kind="stable")
    asked = pd.DataFrame({"group": group, "at": month, "_ask": np.arange(len(group))})
    merged = pd.merge_asof(
        asked.sort_values("at", kind="stable"), rows, on="at", by="group", direction="backward"
    )
    out = np.full(len(group), -1, dtype=np.int64)
    ok = merged["_row"].notna().to_numpy()
    out[merged["_ask"].to_numpy()[ok]] = merged["_row"].to_numpy()[ok].astype(np.int64)
    return out


def _year_rows(
    targets: pd.DataFrame, catalogue: pd.Index, code: np.ndarray, fy: np.ndarray
) -> pd.DataFrame:
    """The year's targets.csv row of each (measure, financial year); blanks where there is
    none."""
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
        filler = np.array([blank], dtype=object if blank == "" else float)
        return np.where(found, np.append(data, filler)[position], filler)

    return pd.DataFrame(
        {
            "target": column("target", np.nan),
            "band_low": column("band_low", np.nan),
            "band_high": column("band_high", np.nan),
            "profile": column("profile", ""),
            "target_note": column("note", ""),
        }
    )


def _target_frame(
    targets: pd.DataFrame,
    catalogue: pd.Index,
    code: np.ndarray,
    fy: np.ndarray,
    kind: np.ndarray,
    month: np.ndarray,
    cumulative: np.ndarray,
    on_forecast: np.ndarray,
    ytd: np.ndarray,
) -> pd.DataFrame:
    """The target each figure is judged against, and the year's: ``target``, ``band_low`` and
    ``band_high`` at R (a period's own target row; else, for a cumulative measure, the year's
    profiled to M; else the latest period target before R in the year, else the year's),
    ``annual_target``, ``annual_band_low``, ``annual_band_high`` (the year's row, else the
    period row at the year's end), ``target_note`` (the note of the target used: the period
    row's, else the year's) and ``annual_target_note`` (the year's), ``target_basis``
    (``period``, ``profile`` or ``year``) and ``share`` (of the year's target due by M: the
    period target ending at M over the year's where both are known, else the profile's)."""
    at = _targets_at(
        targets, catalogue, code, fy, month, kind, cumulative & ~on_forecast, ytd & ~on_forecast
    )
    if "period" in targets and targets["period"].fillna("").astype(str).ne("").any():
        year_end = _targets_at(targets, catalogue, code, fy, np.full(len(code), 12), None, None)
    else:  # no period targets: nothing to find at the year's end
        year_end = at.assign(period_month=np.nan)
    ends_year = year_end["period_month"].to_numpy() == 12
    annual = {
        name: np.where(
            np.isnan(at[name].to_numpy(dtype=float)) & ends_year,
            year_end[f"period_{edge}"].to_numpy(dtype=float),
            at[name].to_numpy(dtype=float),
        )
        for name, edge in (("target", "target"), ("band_low", "low"), ("band_high", "high"))
    }
    profile_share = share_elapsed(at["profile"], month)
    period_target = at["period_target"].to_numpy(dtype=float)
    period_low, period_high = (at[c].to_numpy(dtype=float) for c in ("period_low", "period_high"))
    has_period = ~np.isnan(at["period_month"].to_numpy(dtype=float)) & ~on_forecast
    profiled = cumulative & ~on_forecast & ~has_period
    factor = np.where(profiled, profile_share, 1.0)
    # the share of the year's target due by M, from a period target ending at M (not one carried
    # forward from an earlier period), whether or not the figure is rated on its forecast
    ends_at_m = at["period_month"].to_numpy(dtype=float) == np.asarray(month, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        target_share = np.where(
            ends_at_m & (annual["target"] != 0), period_target / annual["target"], np.nan
        )
    share = np.where(np.isnan(target_share) | ~cumulative, profile_share, target_share)
    note = at["period_note"].to_numpy(dtype=object)
    year_note = at["target_note"].to_numpy(dtype=object)
    # a target at the year's end given only as a period row: its note is the year's
    year_note = np.where(
        (year_note == "") & ends_year, year_end["period_note"].to_numpy(dtype=object), year_note
    )
    return pd.DataFrame(
        {
            "target": np.round(np.where(has_period, period_target, annual["target"] * factor), 9),
            "band_low": np.round(np.where(has_period, period_low, annual["band_low"] * factor), 9),
            "band_high": np.round(
                np.where(has_period, period_high, annual["band_high"] * factor), 9
            ),
            "annual_target": annual["target"],
            "annual_band_low": annual["band_low"],
            "annual_band_high": annual["band_high"],
            "target_note": np.where(has_period & (note != ""), note, year_note),
            "annual_target_note": year_note,
            "target_basis": np.select([has_period, profiled], ["period", "profile"], "year"),
            "share": share,
            "period_share": target_share,
        }
    )


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
    cumulative = _cumulative(
        windows["aggregation"].to_numpy(dtype=object), windows["unit"].to_numpy(dtype=object)
    )
    targets = _target_frame(
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
    out["_kind"] = windows["kind"].map(_KIND_CODE).to_numpy(dtype=np.int64)
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
    r_kind, r_fy, r_index = _reporting_period(requests, data.reported_values)
    prev = _previous(r_kind, r_fy, r_index)
    last_year = (r_kind, r_fy - 1, r_index)
    later = _later_periods(r_kind, r_fy, r_index, requests, data.latest_within_months)
    measure_code = requests["_m_order"].to_numpy(dtype=np.int64)
    asked = [(r_kind, r_fy, r_index), prev, last_year, *later]
    keys = np.concatenate([measure_code * (1 << 20) + _period_code(*p) for p in asked])
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
            "unit": w_measures["unit"].to_numpy(),
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

    def rows(k: int, columns: list[str] | None = None) -> pd.DataFrame:
        """The window results of the k-th set of windows asked about (only ``columns``)."""
        frame = at if columns is None else at[columns]
        return frame.take(inverse[k * n : (k + 1) * n]).reset_index(drop=True)

    compared = ["value", "period_value", "status", "period_status", "band_low", "band_high"]
    here, before, year_ago = rows(0), rows(1, compared), rows(2, compared)

    card = requests.drop(columns=["p_kind", "p_index", "_p_order", "_m_order"]).copy()
    card["value_period"] = _labels(r_kind, r_fy, r_index)
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
    targets = _target_frame(
        data.targets,
        catalogue_ids,
        measure_code,
        target_fy,
        _KINDS[r_kind],
        month,
        _cumulative(aggregation, card["unit"].to_numpy(dtype=object)),
        on_forecast,
        aggregation == "ytd",
    )
    card["target_year"] = _labels(np.full(n, 2), target_fy, np.ones(n, dtype=np.int64))
    for name in targets.columns.drop(["share", "period_share"]):
        card[name] = targets[name].to_numpy()

    # -- direction of travel: like with like ----------------------------------------------------
    card["previous_value"] = before["value"].to_numpy()
    card["last_year_value"] = year_ago["value"].to_numpy()
    card["previous_status"] = before["status"].to_numpy()
    card["last_year_status"] = year_ago["status"].to_numpy()
    for name, column in _direction(card, here, before, year_ago, prev, last_year).items():
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
    for name, column in _latest_position(
        card, [rows(3 + k, latest) for k in range(len(later))]
    ).items():
        card[name] = column

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


# aggregations whose reported figure is a year to date (a running total, or a rate over the year
# so far): against the period before, their own figures are compared, never two points of a
# year. A mean's average to date is compared as it is, as seed 004 compares a quarter's delayed
# transfers with last year's average quarter.
_RUNNING = ("sum", "ytd", "ratio")


def _direction(
    card: pd.DataFrame,
    here: pd.DataFrame,
    before: pd.DataFrame,
    year_ago: pd.DataFrame,
    prev: tuple[np.ndarray, np.ndarray, np.ndarray],
    last_year: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, np.ndarray | pd.Series]:
    """Direction of travel, comparing like with like: against the same period last year, the
    figure as reported with last year's at the same point of the year; against the previous
    period, a year-to-date (or average-to-date) figure's own period figures (this quarter's
    with last quarter's), any other figure as reported.

    Returns ``direction``, ``compared_with`` (the earlier period), ``compared_on`` (what the
    figures compared are: the value's basis, or ``period`` for the periods' own figures),
    ``dot_value`` and ``compared_value`` (the two figures), ``compared_status`` and
    ``direction_reason``."""
    on_last_year = (card["dot_basis"] == "last_year").to_numpy()
    running = (
        np.isin(card["aggregation"].to_numpy(dtype=object), _RUNNING)
        & (card["rag_on"] != "forecast").to_numpy()
    )
    own = running & ~on_last_year
    value = card["value"].to_numpy(dtype=float)
    now = np.where(own, here["period_value"].to_numpy(dtype=float), value)
    then = np.where(
        on_last_year,
        year_ago["value"].to_numpy(dtype=float),
        np.where(own, before["period_value"], before["value"]).astype(float),
    )
    band = (card["polarity"] == "band").to_numpy()
    # a period's own figure has no band of its own: a band measure compared so has no direction
    no_band = own & band
    edges = [
        np.where(no_band, np.nan, card[edge].to_numpy(dtype=float))
        for edge in ("band_low", "band_high")
    ]
    earlier_edges = [
        np.where(no_band, np.nan, np.where(on_last_year, year_ago[edge], before[edge]))
        for edge in ("band_low", "band_high")
    ]
    stable = with_default(card["dot_stable"], card["unit"], DEFAULT_DOT_STABLE)
    index = card.index
    direction = direction_of_travel(
        pd.Series(now, index=index),
        pd.Series(then, index=index),
        card["polarity"],
        stable,
        pd.Series(edges[0], index=index),
        pd.Series(edges[1], index=index),
        pd.Series(earlier_edges[0].astype(float), index=index),
        pd.Series(earlier_edges[1].astype(float), index=index),
    )
    compared_with = np.where(on_last_year, _labels(*last_year), _labels(*prev))
    compared_on = np.where(own, "period", card["value_basis"].to_numpy(dtype=object))
    now_status = np.where(
        own, here["period_status"].to_numpy(dtype=object), card["status"].to_numpy(dtype=object)
    )
    then_status = np.where(
        on_last_year, year_ago["status"], np.where(own, before["period_status"], before["status"])
    ).astype(object)
    return {
        "direction": direction,
        "compared_with": compared_with,
        "compared_on": compared_on,
        "dot_value": np.round(now, 9),
        "compared_value": np.round(then, 9),
        "compared_status": then_status,
        "direction_reason": direction_reasons(
            direction.to_numpy(dtype=object),
            card,
            now,
            then,
            compared_with,
            compared_on,
            now_status,
            then_status,
        ),
    }


def _later_periods(
    kind: np.ndarray, fy: np.ndarray, index: np.ndarray, requests: pd.DataFrame, months: int
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For the latest position: each month, then each quarter, ending 1 to ``months`` months
    after R ends (R itself where it cannot have one: a year, an annual measure, a quarterly
    measure's months), latest last within each kind."""
    end = np.select([kind == 0, kind == 1], [index, 3 * index], 12) + fy * 12  # months
    frequency = requests["frequency"].to_numpy(dtype=object)
    none = (kind == 2) | (frequency == "annual")
    out = []
    for step in range(1, months + 1):
        at = end + step
        m_fy, m_index = (at - 1) // 12, (at - 1) % 12 + 1
        own = none | (frequency == "quarterly")
        out.append(
            (
                np.where(own, kind, 0),
                np.where(own, fy, m_fy),
                np.where(own, index, m_index),
            )
        )
        q_end = m_index % 3 == 0
        own = none | ~q_end
        out.append(
            (
                np.where(own, kind, 1),
                np.where(own, fy, m_fy),
                np.where(own, index, np.maximum(m_index // 3, 1)),
            )
        )
    return out


def _latest_position(card: pd.DataFrame, later: list[pd.DataFrame]) -> dict[str, np.ndarray]:
    """The latest figure after R within the months ``later`` covers (month then quarter for
    each month after R, in order): its period, value, target, variance and status; blank where
    there is none."""
    n = len(card)
    out = {
        "latest_period": np.full(n, "", dtype=object),
        "latest_value": np.full(n, np.nan),
        "latest_target": np.full(n, np.nan),
        "latest_band_low": np.full(n, np.nan),
        "latest_band_high": np.full(n, np.nan),
        "latest_status": np.full(n, "", dtype=object),
    }
    value_period = card["value_period"].to_numpy(dtype=object)
    for frame in later:  # later windows overwrite earlier ones: the last one with a figure wins
        label = _labels(
            frame["_kind"].to_numpy(), frame["_fy"].to_numpy(), frame["_index"].to_numpy()
        )
        value = frame["value"].to_numpy(dtype=float)
        found = ~np.isnan(value) & (label != value_period)
        out["latest_period"] = np.where(found, label, out["latest_period"])
        for name, column in (
            ("latest_value", "value"),
            ("latest_target", "target"),
            ("latest_band_low", "band_low"),
            ("latest_band_high", "band_high"),
            ("latest_status", "status"),
        ):
            out[name] = np.where(found, frame[column].to_numpy(), out[name])
    gap = variance(
        pd.Series(out["latest_value"]),
        pd.Series(out["latest_target"]),
        pd.Series(out["latest_band_low"]),
        pd.Series(out["latest_band_high"]),
        card["polarity"].reset_index(drop=True),
        card["unit"].reset_index(drop=True),
    )
    return {
        "latest_period": out["latest_period"],
        "latest_value": out["latest_value"],
        "latest_target": out["latest_target"],
        "latest_variance": gap["variance"].to_numpy(),
        "latest_variance_pct": gap["variance_pct"].to_numpy(),
        "latest_variance_pp": gap["variance_pp"].to_numpy(),
        "latest_status": out["latest_status"],
    }


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
