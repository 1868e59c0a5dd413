"""Benchmark quartiles: where our area ranks among comparable areas on published figures.

``benchmarks.csv`` holds published figures by measure, financial year and area (ASCOF returns,
CIPFA nearest neighbours). Rows flagged ``is_average`` (England, the region) are shown but not
ranked. For each measure, the latest benchmark year up to the report's year in which our area
(``area`` in ``dataset.toml``) has a figure is used. Rank 1 is the best: the highest figure when
higher is better, the lowest when lower is better; tied areas share the better rank. The quartile
is ``ceil(4 x rank / n)`` (1 = best quarter) unless the publisher gives one for our area; with
fewer than four areas compared there are no quarters to speak of, and the quartile is blank.
Measures with a band or no polarity are not ranked. A ``note`` on our area's row (``TBC``: the
publisher's quartile is awaited) is carried as ``benchmark_note`` for the report to print where
there is no quartile. The averages' figures are rounded as every figure of a report is
(``perfnb.wording.fixed_text``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.polarity import better_sign
from perfnb.wording import fixed_text

__all__ = ["BENCHMARK_COLUMNS", "benchmark_positions"]

MIN_COMPARED = 4  # fewer areas than quarters: no quartile of our own making

BENCHMARK_COLUMNS = [
    "benchmark_year",
    "benchmark_value",
    "rank",
    "n_compared",
    "quartile",
    "comparator_median",
    "benchmark_averages",
    "benchmark_note",
]


def _empty(requests: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=requests.index)
    for column in BENCHMARK_COLUMNS:
        text = column in ("benchmark_year", "benchmark_averages", "benchmark_note")
        out[column] = "" if text else np.nan
    return out


def benchmark_positions(
    benchmarks: pd.DataFrame, requests: pd.DataFrame, area: str
) -> pd.DataFrame:
    """Our rank, quartile and the comparators' median for each request row.

    ``benchmarks`` is the loader's frame (measure_id, year, fy, area, value, is_average,
    quartile); ``requests`` has measure_id, fy (the report's year), polarity and decimals.
    Returns the ``BENCHMARK_COLUMNS`` aligned to ``requests``; figures in the measure's unit.
    """
    area_key = area.strip().casefold()
    rows = benchmarks[benchmarks["value"].notna()]
    if not area_key or rows.empty or requests.empty:
        return _empty(requests)
    ranked = rows[~rows["is_average"]].copy()
    is_ours = ranked["area"].str.strip().str.casefold() == area_key
    ours = ranked.loc[is_ours, ["measure_id", "fy", "year", "value", "quartile"]]
    note = ranked.loc[is_ours, "note"] if "note" in ranked else pd.Series("", index=ours.index)
    ours = ours.assign(note=note.fillna("").astype(str).str.strip())
    if ours.empty:
        return _empty(requests)

    # the latest benchmark year up to the report's year in which our area has a figure
    # rows by position, whatever the requests' index is (named, or not 0 to n-1)
    wanted = requests[["measure_id", "fy"]].reset_index(drop=True)
    wanted["_row"] = np.arange(len(wanted))
    wanted["fy"] = wanted["fy"].astype("int64")
    ours = ours.assign(fy=ours["fy"].astype("int64"), _bench_fy=ours["fy"].astype("int64"))
    chosen = pd.merge_asof(
        wanted.sort_values("fy"),
        ours.sort_values("fy"),
        on="fy",
        by="measure_id",
        direction="backward",
    ).set_index("_row")
    chosen = chosen.reindex(range(len(requests)))

    # ranks within every (measure, year): best first by polarity, ties share the better rank
    polarity = requests.drop_duplicates("measure_id").set_index("measure_id")["polarity"]
    sign = -better_sign(ranked["measure_id"].map(polarity))  # the best first
    keyed = ranked.assign(_key=ranked["value"] * sign, _ours=is_ours)
    group = keyed.groupby(["measure_id", "fy"], sort=False)
    keyed["_rank"] = group["_key"].rank(method="min")
    keyed["_n"] = group["value"].transform("count")
    others = keyed[~keyed["_ours"]]
    medians = others.groupby(["measure_id", "fy"])["value"].median().rename("_median")
    mine = keyed[keyed["_ours"]].set_index(["measure_id", "fy"])[["_rank", "_n"]]

    key = pd.MultiIndex.from_arrays(
        [chosen["measure_id"].to_numpy(), chosen["_bench_fy"].fillna(-1).astype("int64")]
    )
    rank = mine["_rank"].reindex(key).to_numpy(dtype=float)
    n = mine["_n"].reindex(key).to_numpy(dtype=float)
    median = medians.reindex(key).to_numpy(dtype=float)
    given = chosen["quartile"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        computed = np.where(n >= MIN_COMPARED, np.ceil(4 * rank / n), np.nan)
    quartile = np.where(np.isnan(given), computed, given)

    out = pd.DataFrame(index=requests.index)
    out["benchmark_year"] = chosen["year"].fillna("").to_numpy(dtype=object)
    out["benchmark_value"] = chosen["value"].to_numpy(dtype=float)
    out["rank"] = rank
    out["n_compared"] = n
    out["quartile"] = quartile
    out["comparator_median"] = median
    out["benchmark_averages"] = _averages(rows, chosen, requests)
    out["benchmark_note"] = chosen["note"].fillna("").to_numpy(dtype=object)
    unranked = np.isnan(better_sign(requests["polarity"]))  # band and none: no best
    for column in ("rank", "n_compared", "quartile", "comparator_median"):
        out.loc[unranked, column] = np.nan
    return out


def _averages(rows: pd.DataFrame, chosen: pd.DataFrame, requests: pd.DataFrame) -> np.ndarray:
    """The average rows (England, region) of each request's benchmark year, as text, in the
    order of their names; built once per measure and year, then looked up."""
    averages = rows[rows["is_average"]].sort_values("area")
    out = np.full(len(requests), "", dtype=object)
    if averages.empty:
        return out
    decimals = dict(
        zip(requests["measure_id"].to_numpy(), requests["decimals"].to_numpy(), strict=True)
    )
    measures = pd.Index(pd.unique(averages["measure_id"].to_numpy(dtype=object)))
    text = {}
    for (measure, fy), group in averages.groupby(["measure_id", "fy"], sort=False):
        places = int(decimals.get(measure, 1))
        items = zip(group["area"], group["value"], strict=True)
        key = measures.get_loc(measure) * 1024 + int(fy) - 1900
        text[key] = "; ".join(f"{a} {fixed_text(v, places)}" for a, v in items)
    code = measures.get_indexer(chosen["measure_id"].to_numpy(dtype=object))
    bench_fy = chosen["_bench_fy"].to_numpy(dtype=float)
    found = (code >= 0) & ~np.isnan(bench_fy)
    keys = np.where(found, code * 1024 + np.nan_to_num(bench_fy).astype(np.int64) - 1900, -1)
    lookup = pd.Series(list(text.values()), index=list(text.keys()), dtype=object)
    return lookup.reindex(keys).fillna("").to_numpy(dtype=object)
