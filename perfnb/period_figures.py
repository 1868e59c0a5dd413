"""Each measure's own figure for many periods, and nothing else: the series SPC charts.

:func:`perfnb.performance` works out everything a scorecard prints (targets, RAG, direction,
reasons) for every row; a measure's SPC series needs only its figure for each period of its
frequency, for every period of its history. ``period_figures`` gives those figures exactly as
``performance`` gives its ``period_value`` and ``period_status`` (the same reporting period R,
the same grid of values: ``perfnb.figures``), at a fraction of the cost and memory: 8 million
measure-periods need a few arrays of 8 million numbers, not 8 million scorecard rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfnb.engine_catalogue import ratio_scale, reported_in
from perfnb.engine_text import categorical, coded
from perfnb.figures import STATUS_ORDER, series_grid, window_figures
from perfnb.loader import Dataset
from perfnb.period_codes import KIND_CODE, KINDS, reporting_periods
from perfnb.periods import Period, parse_period

__all__ = ["period_figures"]

CHUNK_ROWS = 200_000  # measure-periods worked out at once: every measure, a few periods


def period_figures(
    data: Dataset, periods: Sequence[Period | str], measure_ids: Sequence[str]
) -> pd.DataFrame:
    """The figure of each measure of ``measure_ids`` (in catalogue order) for each period of
    ``periods``, as :func:`perfnb.performance` gives it: ``measure_id``, ``period``,
    ``period_value`` (in the measure's unit: per cent for percent measures) and
    ``period_status`` (``''`` when final), in period then catalogue order; a measure outside
    its ``from`` and ``until`` has no row for the period."""
    chosen = [parse_period(p) for p in periods]
    catalogue = data.measures[data.measures["measure_id"].isin(list(measure_ids))]
    catalogue = catalogue.reset_index(drop=True)
    m_count = len(catalogue)
    measure_code = np.tile(np.arange(m_count, dtype=np.int64), len(chosen))
    p_order = np.repeat(np.arange(len(chosen), dtype=np.int64), m_count)
    spans = [c for c in ("from_period", "until_period") if c in catalogue]
    if chosen and spans and (catalogue[spans] != "").any().any():
        keep = np.concatenate([reported_in(catalogue, p) for p in chosen])
        measure_code, p_order = measure_code[keep], p_order[keep]
    ids, frequency = coded(catalogue["measure_id"]), coded(catalogue["frequency"])
    aggregation = coded(catalogue["aggregation"])
    scale = ratio_scale(catalogue)
    values = data.reported_values
    if m_count < data.measures["measure_id"].nunique():  # only these measures' rows
        values = values[values["measure_id"].isin(catalogue["measure_id"])]
    grid = series_grid(values)
    grid_measure = grid.measures.get_indexer(catalogue["measure_id"].to_numpy(dtype=object))
    p_kind = np.array([KIND_CODE[p.kind] for p in chosen], dtype=np.int64)
    p_fy = np.array([p.fy for p in chosen], dtype=np.int64)
    p_index = np.array([p.index for p in chosen], dtype=np.int64)
    value = np.empty(len(measure_code))
    status = np.empty(len(measure_code), dtype=np.int8)
    per_chunk = max(1, CHUNK_ROWS // max(m_count, 1))
    for first in range(0, len(chosen), per_chunk):
        rows = np.flatnonzero((p_order >= first) & (p_order < first + per_chunk))
        code, order = measure_code[rows], p_order[rows]
        requests = pd.DataFrame(
            {
                "p_kind": p_kind[order],
                "p_fy": p_fy[order],
                "p_index": p_index[order],
                "frequency": categorical(frequency.take(code)),
                "measure_id": categorical(ids.take(code)),
            }
        )
        r_kind, r_fy, r_index = reporting_periods(requests, values)
        windows = pd.DataFrame(
            {
                "aggregation": categorical(aggregation.take(code)),
                "scale": scale[code],
                "kind": pd.Categorical.from_codes(r_kind, categories=pd.Index(KINDS, dtype=object)),
                "fy": r_fy,
                "index": r_index,
                "grid_measure": grid_measure[code],
            }
        )
        figures = window_figures(grid, windows)
        value[rows] = figures["period_value"]
        status[rows] = figures["period_status"].codes
    labels = pd.Index([p.label for p in chosen], dtype=object)
    return pd.DataFrame(
        {
            "measure_id": ids.take(measure_code).to_str(),
            "period": pd.Categorical.from_codes(p_order, labels).astype(str),
            "period_value": value,
            "period_status": np.array(STATUS_ORDER, dtype=object)[status],
        }
    )
