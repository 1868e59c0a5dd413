"""The engine's windows: a window is one (measure, period) pair a card row reads (its reporting
period R, the period before, the same period a year earlier, the months and quarters after it
for the latest position), worked out once however many rows read it. This module gives every
window's figures (``perfnb.figures``), targets (``perfnb.target_lookup``), year-end forecast
(``perfnb.forecast``) and the value the measure is rated on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.engine_text import coded
from perfnb.figures import SeriesGrid, window_figures
from perfnb.forecast import year_end_forecast
from perfnb.target_lookup import TargetTable, target_frame

__all__ = ["window_results"]

# the window figures' text columns, kept as categoricals
_TEXT_OUT = ("note", "status", "period_status")


def window_results(
    grid: SeriesGrid,
    targets: TargetTable,
    ids: pd.Index,
    grid_measure: np.ndarray,
    cumulative: np.ndarray,
    windows: pd.DataFrame,
) -> pd.DataFrame:
    """Figures, targets, forecast and the value rated (the forecast for a measure rated on
    it, else the figure; in the measure's unit) at every window. ``windows`` has ``_code``
    (the measure's place in the catalogue, whose ``ids``, places in ``grid.measures``
    (``grid_measure``, -1 for none) and running-total flags (``cumulative``) are given),
    aggregation, unit, rag_on, scale, kind (categorical of ``KINDS``), fy, index and
    wants_base."""
    code = windows["_code"].to_numpy()
    figures = window_figures(grid, windows.assign(grid_measure=grid_measure[code]))
    kind = windows["kind"].cat.codes.to_numpy()  # KINDS: month, quarter, year
    index = windows["index"].to_numpy()
    month = np.select([kind == 0, kind == 1], [index, 3 * index], 12)
    aggregation = coded(windows["aggregation"])
    on_forecast = coded(windows["rag_on"]).equals("forecast")
    is_ytd = aggregation.equals("ytd")
    running = cumulative[code]
    target = target_frame(
        targets,
        ids,
        code,
        windows["fy"].to_numpy(),
        kind,
        month,
        running,
        on_forecast,
        is_ytd,
    )
    # a ytd measure with a target for the period (a collection rate's 56.52% at Q2) runs at the
    # rate its targets do: Q2's 58.0% against 56.52% of 95.20% forecasts 58.0 / 56.52 x 95.20
    by_targets = is_ytd & target["period_share"].notna().to_numpy()
    forecast = year_end_forecast(
        windows["aggregation"].reset_index(drop=True),
        figures["ytd_value"].reset_index(drop=True),
        pd.Series(np.where(by_targets, target["period_share"], target["share"])),
        figures["figure"].reset_index(drop=True),
        figures["row_forecast"].reset_index(drop=True),
        pd.Series(month == 12),
        cumulative=pd.Series(running | by_targets),
    )
    out = {name: figures[name].to_numpy() for name in figures.columns if name not in _TEXT_OUT}
    out.update({name: figures[name].array for name in _TEXT_OUT})
    out["forecast"] = forecast["forecast"].to_numpy()
    out["forecast_method"] = forecast["forecast_method"].array
    out["value"] = np.where(on_forecast, out["forecast"], out["figure"])
    # each window's own target and band (profiled for counts): for judging its figure in
    # direction of travel, and for the latest position
    for name in target.columns:
        out[name] = target[name].array
    out["_kind"] = kind.astype(np.int64)
    out["_fy"] = windows["fy"].to_numpy(dtype=np.int64)
    out["_index"] = index.astype(np.int64)
    return pd.DataFrame(out, copy=False)  # fresh arrays: no copy into one block
