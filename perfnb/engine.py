"""The performance engine: every measure's figure, target, variance, RAG, direction of travel,
forecast and benchmark quartile for one or many reporting periods, in one vectorised pass.

For each measure and report period P the engine finds the measure's reporting period R (P
itself; the latest quarter for a quarterly measure in a monthly report; the year for an annual
measure, or its latest earlier year while this year's figure is not out: ``perfnb.period_codes``),
reads the figures at R, at the period before R and at R a year earlier (``perfnb.figures``),
finds and profiles the target (``perfnb.target_lookup``, ``perfnb.profiles``), forecasts the
year end (``perfnb.forecast``), judges it (``perfnb.judging``: ``perfnb.variance``,
``perfnb.rag``, ``perfnb.direction``), compares it (``perfnb.comparisons``) and ranks it
(``perfnb.benchmarking``). Its columns are ``PERFORMANCE_COLUMNS``
(``perfnb.performance_columns``). ``docs/method.md`` explains each rule with worked examples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfnb.card_assembly import (
    TEXT_KINDS,
    Block,
    CardFiller,
    Chunk,
    by_measure,
    chunk_rows,
    chunk_spans,
    hand_out,
    text_out,
)
from perfnb.column_set import Columns, numbers
from perfnb.comparisons import (
    BenchmarkRanks,
    benchmark_ranks,
    latest_position,
    period_coded,
)
from perfnb.engine_catalogue import engine_catalogue, ratio_scale, reported_in, years_read
from perfnb.engine_text import (
    Coded,
    categorical,
    coded,
    system_arrow_memory,
)
from perfnb.figures import SeriesGrid, figure_notes, series_grid
from perfnb.judging import judged_chunk
from perfnb.loader import Dataset
from perfnb.performance_columns import PERFORMANCE_COLUMNS
from perfnb.period_codes import (
    KIND_CODE,
    KINDS,
    decode_period_code,
    later_periods,
    period_code,
    previous_periods,
    reporting_periods,
    windows_asked,
)
from perfnb.periods import Period, parse_period
from perfnb.raw_table import release_memory, small_pages
from perfnb.target_lookup import (
    TARGET_COLUMNS,
    TargetTable,
    is_cumulative,
    target_frame,
    target_table,
)
from perfnb.window_results import window_results

__all__ = ["PERFORMANCE_COLUMNS", "TEXT_KINDS", "performance"]


# the catalogue's columns the card carries as they are
_CATALOGUE_TEXT = (
    "measure_id",
    "name",
    "service",
    "theme",
    "priority",
    "framework",
    "unit",
    "polarity",
    "aggregation",
    "frequency",
    "rag_on",
    "rag_rule",
    "dot_basis",
)
_BASES = np.array(["full year forecast", "year to date", "average to date", "latest"], object)
_KINDS = np.array(KINDS, dtype=object)


def performance(
    data: Dataset,
    periods: Sequence[Period | str] | Period | str | None = None,
    services: Sequence[str] | None = None,
    *,
    text: str = "str",
) -> pd.DataFrame:
    """One row per measure (of ``services``, all when None) and report period, with every figure
    the scorecard prints; ``periods`` defaults to the data set's latest.

    Figures are in the measure's unit (per cent for percent measures, per ``rate_per`` for
    rates); ``variance_pp`` is in percentage points, ``variance_pct`` in per cent of the target.
    Rows are in period order, then catalogue order. Text columns are pandas ``str``; with
    ``text="category"`` they are categoricals (a tenth of the memory for a million rows: the
    same values, compared and filtered as text; ``.astype(str)`` gives plain text).
    """
    if text not in TEXT_KINDS:
        raise ValueError(f"text must be one of {', '.join(TEXT_KINDS)}, not {text!r}")
    with system_arrow_memory(), small_pages():
        return _performance(data, periods, services, text)


def _performance(
    data: Dataset,
    periods: Sequence[Period | str] | Period | str | None,
    services: Sequence[str] | None,
    text: str,
) -> pd.DataFrame:
    """:func:`performance`, its arguments checked."""
    if periods is None:
        periods = [data.latest_period()]
    elif isinstance(periods, Period | str):
        periods = [periods]
    chosen = [parse_period(p) for p in periods]
    catalogue = engine_catalogue(data, services)
    m_count = len(catalogue)
    measure_code = np.tile(np.arange(m_count, dtype=np.int64), len(chosen))
    p_order = np.repeat(np.arange(len(chosen), dtype=np.int64), m_count)
    spans = [c for c in ("from_period", "until_period") if c in catalogue]
    if chosen and spans and (catalogue[spans] != "").any().any():
        keep = np.concatenate([reported_in(catalogue, p) for p in chosen])
        measure_code, p_order = measure_code[keep], p_order[keep]
    if len(measure_code) == 0:
        return pd.DataFrame(columns=PERFORMANCE_COLUMNS)
    ids = pd.Index(catalogue["measure_id"].to_numpy(dtype=object))
    measure = {
        name: coded(catalogue[name]).distinct()
        for name in (*_CATALOGUE_TEXT, "_green_within", "_amber_within", "_dot_stable")
    }
    decimals = catalogue["decimals"].to_numpy()
    # the benchmark ranks depend on the measures and years only: a thread of their own works
    # them out (pandas' joins, mostly outside the GIL) while this one lays out the grid and the
    # chunks; spread over the card's rows at the end, as its other columns are handed out
    early = ThreadPoolExecutor(1, thread_name_prefix="perfnb-benchmarks")
    ranked = early.submit(_benchmarks, data, measure, decimals, chosen, measure_code, p_order)
    early.shutdown(wait=False)  # the thread ends with its one job
    grid = series_grid(data.reported_values, years_read(data, chosen))
    shared = _Shared(
        data,
        measure,
        grid,
        # running totals whose targets are profiled, measure by measure
        is_cumulative(
            catalogue["aggregation"].to_numpy(dtype=object),
            catalogue["unit"].to_numpy(dtype=object),
        ),
        np.array([p.label for p in chosen], dtype=object),
        target_table(data.targets, ids),
        ids,
        grid.measures.get_indexer(ids),
        {
            "scale": ratio_scale(catalogue),
            "rate_per": catalogue["rate_per"].to_numpy(dtype=float),
            "min_base": catalogue["min_base"].to_numpy(dtype=float),
            "decimals": decimals,
        },
    )
    del grid  # held by ``shared`` only: let go with it, before the hand-out
    # a few thousand measures at a time, every period of each: a million rows' intermediate
    # arrays would need gigabytes at once, and a measure's rows compare with its own earlier
    # windows (last quarter, last year), which are then worked out in the same chunk, once
    per_chunk = max(1, CHUNK_ROWS // max(len(chosen), 1))
    card = CardFiller(len(measure_code))
    whole = len(measure_code) == m_count * len(chosen)  # every measure in every period
    # a second thread judges each chunk (direction of travel, variance, RAG and their reasons:
    # ``perfnb.judging``) while this one finds its latest position and works out the next
    # chunk's figures (the two threads as busy as each other); with nothing to judge yet, it
    # makes the first chunk's second half while this thread makes the first
    judging: list[Chunk] = []  # chunks made, their judging not yet written
    measure_spans = chunk_spans(m_count, per_chunk)
    with ThreadPoolExecutor(1, thread_name_prefix="perfnb-rating") as second:
        ahead: Future[Chunk] | None = None
        if len(measure_spans) > 2:
            mine, rows = chunk_rows(*measure_spans[1], measure_code, m_count, len(chosen), whole)
            ahead = second.submit(
                _card, shared, chosen, measure_code[mine], p_order[mine], second, rows, card
            )
        for k, span in enumerate(measure_spans):
            if k == 1 and ahead is not None:
                chunk = ahead.result()
            else:
                mine, rows = chunk_rows(*span, measure_code, m_count, len(chosen), whole)
                chunk = _card(shared, chosen, measure_code[mine], p_order[mine], second, rows, card)
            card.add(chunk.columns, chunk.rows)  # this thread's own columns, at once
            own, chunk.columns = list(chunk.columns), {}
            if k != 1 or ahead is None:  # this thread made one: those judged meanwhile written
                for done in judging:
                    card.write(done.finished(), done.rows)
                judging.clear()
            judging.append(chunk)
        # while the second thread judges the last chunk, the grid goes, and this thread's own
        # columns (the catalogue's, the periods', the targets'), whole now, and the benchmark
        # columns, spread over the rows, are handed out
        blocks = len(chosen) if whole else 1
        columns = card.columns(own)
        columns.update(
            by_measure(
                {
                    **{name: measure[name] for name in _CATALOGUE_TEXT},
                    **{name: shared.numbers[name] for name in ("rate_per", "min_base", "decimals")},
                },
                measure_code,
                Block(0, m_count, m_count, len(chosen)) if whole else None,
            ),
            period=Coded(p_order, shared.period_names),
        )
        del shared
        columns.update(ranked.result().columns())
        text_out(columns, text, blocks)
        for done in judging:
            card.write(done.finished(), done.rows)
        del judging, chunk
    columns.update(card.columns())
    del card  # its arrays are now the columns': each goes once it is handed out
    # the memory the chunks freed is handed back: the hand-out does not stand on it
    release_memory()
    return hand_out(columns, text, blocks)


# card rows worked out at once (about: whole measures): 70,000 until a chunk's working arrays
# took less (7 December 2026); 100,000 is 0.1-0.5 s faster for a million rows, 20-30 MB higher
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class _Shared:
    """What every chunk of a card reads, worked out once: the data set, the catalogue's text
    as codes and its numbers, the values' grid, the running totals, the report periods' labels
    and the targets."""

    data: Dataset
    measure: dict[str, Coded]
    grid: SeriesGrid
    cumulative: np.ndarray
    period_names: np.ndarray
    targets: TargetTable  # the catalogue's targets, keyed by measure position and year
    ids: pd.Index  # the catalogue's measure_ids
    grid_measure: np.ndarray  # each measure's place in the grid's measures; -1 for none
    numbers: dict[str, np.ndarray]  # the catalogue's numbers, and each ratio's scale


def _card(
    shared: _Shared,
    chosen: list[Period],
    measure_code: np.ndarray,
    p_order: np.ndarray,
    second: Executor,
    card_rows: np.ndarray | Block,
    filler: CardFiller,
) -> Chunk:
    """The card's columns (numbers as arrays, text coded, reasons as Arrow strings) for the
    rows (measure, report period) given by position in the catalogue and in ``chosen``, to
    fill ``card_rows``; the judging is left to ``second``, which writes its columns into
    ``filler`` itself."""
    data, measure = shared.data, shared.measure
    cumulative_measure = shared.cumulative
    n = len(measure_code)
    row_text = {name: measure[name].take(measure_code) for name in _ROW_TEXT}
    p_kind = np.array([KIND_CODE[p.kind] for p in chosen], dtype=np.int64)[p_order]
    p_fy = np.array([p.fy for p in chosen], dtype=np.int64)[p_order]
    p_index = np.array([p.index for p in chosen], dtype=np.int64)[p_order]
    requests = Columns(
        {
            "p_kind": p_kind,
            "p_fy": p_fy,
            "p_index": p_index,
            "frequency": row_text["frequency"],
            "measure_id": row_text["measure_id"],
        },
        n,
    )

    # -- the reporting period, the one before it, the same one a year earlier and, for the
    # latest position, each month and quarter ending within N months after it ------------------
    r_kind, r_fy, r_index = reporting_periods(requests, data.reported_values)
    prev = previous_periods(r_kind, r_fy, r_index)
    last_year = (r_kind, r_fy - 1, r_index)
    later = later_periods(r_kind, r_fy, r_index, requests, data.latest_within_months)
    r_code = period_code(r_kind, r_fy, r_index)
    # the rows each set of windows is asked for: all, but for the latest position only those
    # whose later period is not R itself (a quarterly measure's months are its quarter)
    asked = [(r_kind, r_fy, r_index), prev, last_year, *later]
    codes = [period_code(*p) for p in asked]
    positions = [np.arange(n)] * 3 + [np.flatnonzero(c != r_code) for c in codes[3:]]
    inverse, w_code, w_period = windows_asked(
        np.concatenate([measure_code[at] for at in positions]),
        np.concatenate([c[at] for at, c in zip(positions, codes, strict=True)]),
    )
    offsets = np.cumsum([0, *(len(at) for at in positions)])
    w_kind, w_fy, w_index = decode_period_code(w_period)
    windows = Columns(
        {
            # the catalogue's columns at each window, taken by code (a million windows share
            # a few thousand measures): codes, not a million strings
            **{name: measure[name].take(w_code) for name in ("aggregation", "unit", "rag_on")},
            "scale": shared.numbers["scale"][w_code],
            "kind": Coded(w_kind.astype(np.int64, copy=False), _KINDS),
            "fy": w_fy,
            "index": w_index,
            "_code": w_code,
            # the base is printed for R's own windows only, not for those compared with
            "wants_base": np.bincount(inverse[: offsets[1]], minlength=len(w_code)) > 0,
        }
    )
    results = window_results(
        shared.grid, shared.targets, shared.ids, shared.grid_measure, shared.cumulative, windows
    )

    def rows(k: int, columns: list[str]) -> Columns:
        """The window results ``columns`` of the k-th set of windows asked about."""
        return results.take(inverse[offsets[k] : offsets[k + 1]], columns)

    here = rows(0, _HERE)

    # the catalogue's columns the rules read (the card's own are made once, whole, at the end)
    card: dict[str, object] = {name: row_text[name] for name in _CATALOGUE_TEXT if name in row_text}
    for name in ("min_base", "decimals"):
        card[name] = shared.numbers[name][measure_code]
    card["period"] = Coded(p_order, shared.period_names)
    value_period = period_coded(r_code)
    card["value_period"] = value_period
    # the window results' columns as they are: numbers, and text coded (statuses as codes
    # into STATUS_ORDER)
    for name in ("period_value", "ytd_value", "value", "base", "forecast", "forecast_method"):
        card[name] = here[name]
    for name in ("numerator", "denominator", "status", "period_status"):
        card[name] = here[name]
    pending = np.isnan(numbers(here["value"]))
    card["pending"] = pending
    on_forecast = row_text["rag_on"].equals("forecast")
    card["note"] = figure_notes(here, value_period, pending, on_forecast)
    aggregation = row_text["aggregation"]
    card["value_basis"] = Coded(
        np.select(
            [on_forecast, aggregation.isin(("sum", "ratio", "ytd")), aggregation.equals("mean")],
            [0, 1, 2],
            3,
        ).astype(np.int64),
        _BASES,
    )

    # -- targets: the period's own, else profiled (running totals) or the year's --------------
    annual = row_text["frequency"].equals("annual")
    target_fy = np.where(annual, p_fy, r_fy)
    month = np.select([r_kind == 0, r_kind == 1], [r_index, 3 * r_index], 12)
    # R's window was asked exactly this (its measure, year, kind and month): its targets are
    # the row's, but where an annual measure's year is not R's (this year's figure not out)
    other = np.flatnonzero(target_fy != r_fy)
    card["target_year"] = period_coded(period_code(np.full(n, 2), target_fy, np.ones(n, np.int64)))
    if len(other):
        targets = target_frame(
            shared.targets,
            shared.ids,
            measure_code[other],
            target_fy[other],
            r_kind[other],
            month[other],
            cumulative_measure[measure_code][other],
            on_forecast[other],
            aggregation.equals("ytd")[other],
        )
        for name in TARGET_COLUMNS:
            card[name] = _patched(here[name], other, targets[name])
    else:  # every row's target year is R's: R's window has its targets
        for name in TARGET_COLUMNS:
            card[name] = here[name]

    # -- direction of travel (like with like), variance and RAG: judged on the second thread
    # (the windows before and a year before taken there) while this one goes on to the latest
    # position and the next chunk ----------------------------------------------------------------
    card["annual_target"] = np.asarray(card["annual_target"], dtype=float)
    rules = Columns(
        {
            **{name: card[name] for name in _RULE_INPUTS},
            "dot_stable": row_text["_dot_stable"],
        },
        n,
    )
    # the figures read off R's window are the second thread's to write, with its own; this
    # thread writes the catalogue's columns, the periods' and the targets (the writes shared)
    theirs = {name: card.pop(name) for name in _HANDED_ON}
    on_second: dict[str, Future[object]] = {
        "judged": second.submit(
            filler.write_made,
            card_rows,
            judged_chunk,
            rules,
            here,
            theirs,
            rows,
            (prev, last_year),
            (row_text["_green_within"], row_text["_amber_within"]),
            data.overrides,
        )
    }

    # -- the latest position: the latest figure within N months after the period, while the
    # second thread judges -------------------------------------------------------------------------
    latest = ["value", "target", "band_low", "band_high", "status", "_kind", "_fy", "_index"]
    frame = Columns(
        {"_value_code": r_code, "polarity": row_text["polarity"], "unit": row_text["unit"]}, n
    )
    card.update(_latest(frame, rows, positions[3:], latest))
    for name in _BY_MEASURE:  # made once for the whole card (``by_measure``), not per chunk
        card.pop(name, None)
    return Chunk(card, on_second, card_rows)


def _latest(
    frame: Columns,
    rows: Callable[[int, list[str]], Columns],
    later: list[np.ndarray],
    columns: list[str],
) -> dict[str, object]:
    """The latest position of a chunk's rows (``perfnb.comparisons.latest_position``), the
    windows' ``columns`` taken for the rows each later set asks for (``rows``)."""
    return latest_position(
        frame, [(at, rows(3 + k, columns)) for k, at in enumerate(later) if len(at)]
    )


def _patched(
    column: np.ndarray | Coded, rows: np.ndarray, patch: np.ndarray | Coded
) -> np.ndarray | Coded:
    """``column`` with ``patch`` at positions ``rows``: numbers as an array, text coded."""
    if isinstance(column, Coded):
        other = coded(patch)
        codes = column.codes.copy()
        codes[rows] = other.codes + len(column.words)
        return Coded(codes, np.concatenate([column.words, other.words]))
    patched = column.copy()
    patched[rows] = patch
    return patched


def _benchmarks(
    data: Dataset,
    measure: dict[str, Coded],
    decimals: np.ndarray,
    chosen: list[Period],
    measure_code: np.ndarray,
    p_order: np.ndarray,
) -> BenchmarkRanks:
    """The benchmark ranks of every row of the card at once: they depend on the measure and
    the report's financial year only, so each (measure, year) is ranked once, not once per
    chunk of periods."""
    frame = pd.DataFrame(
        {
            **{
                name: categorical(measure[name].take(measure_code))
                for name in ("measure_id", "polarity")
            },
            "decimals": decimals[measure_code],
        },
        copy=False,
    )
    p_fy = np.array([p.fy for p in chosen], dtype=np.int64)[p_order]
    return benchmark_ranks(data.benchmarks, data.area, frame, p_fy)


# the catalogue's text a chunk's rules read, each row's
_ROW_TEXT = (
    "measure_id", "polarity", "unit", "aggregation", "rag_on", "rag_rule", "dot_basis",
    "frequency", "_green_within", "_amber_within", "_dot_stable",
)  # fmt: skip
# the card's columns that are its measures' (and its periods'): made once, whole
_BY_MEASURE = (*_CATALOGUE_TEXT, "rate_per", "min_base", "decimals", "period")
# the window results a row reads at its own period R
_HERE = [
    "period_value", "ytd_value", "figure", "value", "base", "forecast", "forecast_method",
    "numerator", "denominator", "status", "period_status", "note", "months_expected",
    "months_covered", *TARGET_COLUMNS,
]  # fmt: skip
# the card's columns read off R's window, which the second thread writes into the card
_HANDED_ON = (
    "period_value", "ytd_value", "value", "base", "forecast", "forecast_method", "numerator",
    "denominator", "status", "period_status",
)  # fmt: skip
# the card's columns the direction and rating rules read
_RULE_INPUTS = (
    "measure_id", "period", "value_period", "value", "target", "band_low", "band_high",
    "polarity", "unit", "decimals", "aggregation", "rag_on", "rag_rule", "dot_basis",
    "value_basis", "status", "note", "min_base", "base", "target_year", "target_note",
)  # fmt: skip
