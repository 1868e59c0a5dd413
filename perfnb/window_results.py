"""The engine's windows: a window is one (measure, period) pair a card row reads (its reporting
period R, the period before, the same period a year earlier, the months and quarters after it
for the latest position), worked out once however many rows read it. This module gives every
window's figures (``perfnb.figures``), targets (``perfnb.target_lookup``), year-end forecast
(``perfnb.forecast``) and the value the measure is rated on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.column_set import Columns, numbers
from perfnb.engine_text import Coded, coded
from perfnb.figures import SeriesGrid, window_figures
from perfnb.forecast import METHOD_WORDS, forecast_arrays
from perfnb.target_lookup import TargetTable, target_frame

__all__ = ["window_results"]


def window_results(
    grid: SeriesGrid,
    targets: TargetTable,
    ids: pd.Index,
    grid_measure: np.ndarray,
    cumulative: np.ndarray,
    windows: Columns,
) -> Columns:
    """Figures, targets, forecast and the value rated (the forecast for a measure rated on
    it, else the figure; in the measure's unit) at every window, text coded. ``windows`` has
    ``_code`` (the measure's place in the catalogue, whose ``ids``, places in
    ``grid.measures`` (``grid_measure``, -1 for none) and running-total flags (``cumulative``)
    are given), aggregation, unit, rag_on, scale, kind (codes into ``KINDS``), fy, index and
    wants_base."""
    code = numbers(windows["_code"], np.int64)
    figures = window_figures(grid, windows.assign(grid_measure=grid_measure[code]))
    kind = coded(windows["kind"]).codes  # KINDS: month, quarter, year
    index = numbers(windows["index"], np.int64)
    fy = numbers(windows["fy"], np.int64)
    month = np.select([kind == 0, kind == 1], [index, 3 * index], 12)
    aggregation = coded(windows["aggregation"])
    on_forecast = coded(windows["rag_on"]).equals("forecast")
    is_ytd = aggregation.equals("ytd")
    running = cumulative[code]
    target = target_frame(targets, ids, code, fy, kind, month, running, on_forecast, is_ytd)
    # a ytd measure with a target for the period (a collection rate's 56.52% at Q2) runs at the
    # rate its targets do: Q2's 58.0% against 56.52% of 95.20% forecasts 58.0 / 56.52 x 95.20
    period_share = numbers(target["period_share"])
    by_targets = is_ytd & ~np.isnan(period_share)
    forecast, method = forecast_arrays(
        numbers(figures["ytd_value"]),
        np.where(by_targets, period_share, numbers(target["share"])),
        numbers(figures["figure"]),
        numbers(figures["row_forecast"]),
        month == 12,
        running | by_targets,
    )
    out = figures.to_dict()
    out["forecast"] = forecast
    out["forecast_method"] = Coded(method.astype(np.int64), METHOD_WORDS)
    out["value"] = np.where(on_forecast, forecast, numbers(figures["figure"]))
    # each window's own target and band (profiled for counts): for judging its figure in
    # direction of travel, and for the latest position
    out.update(target.to_dict())
    out["_kind"] = kind.astype(np.int64)
    out["_fy"] = fy
    out["_index"] = index
    return Columns(out, len(code))
