"""Each figure set beside others: an earlier figure of its own (direction of travel, like with
like), the latest figure after its period (the latest position) and comparable areas' figures
(benchmark quartiles), as columns the engine joins to its rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from perfnb.benchmarking import benchmark_positions
from perfnb.column_set import Columns, numbers
from perfnb.direction import DIRECTION_CODES, direction_codes, direction_reasons
from perfnb.engine_text import Coded, coded, select_coded, texts
from perfnb.figures import STATUS_ORDER
from perfnb.integer_keys import sorted_unique
from perfnb.period_codes import decode_period_code, period_code, period_labels
from perfnb.variance import variance_arrays

__all__ = [
    "BenchmarkRanks",
    "benchmark_columns",
    "benchmark_ranks",
    "direction_columns",
    "latest_position",
    "period_coded",
    "status_codes",
]

# aggregations whose reported figure is a year to date (a running total, or a rate over the year
# so far): against the period before, their own figures are compared, never two points of a
# year. A mean's average to date is compared as it is, as seed 004 compares a quarter's delayed
# transfers with last year's average quarter.
_RUNNING = ("sum", "ytd", "ratio")


def direction_columns(
    card: pd.DataFrame | Columns,
    here: pd.DataFrame | Columns,
    before: pd.DataFrame | Columns,
    year_ago: pd.DataFrame | Columns,
    prev: Coded,
    last_year: Coded,
) -> dict[str, np.ndarray | Coded | pa.Array]:
    """Direction of travel, comparing like with like: against the same period last year, the
    figure as reported with last year's at the same point of the year; against the previous
    period, a year-to-date (or average-to-date) figure's own period figures (this quarter's
    with last quarter's), any other figure as reported. ``prev`` and ``last_year`` are the
    labels of the periods before and a year before each row's (coded).

    Returns ``direction``, ``compared_with`` (the earlier period), ``compared_on`` (what the
    figures compared are: the value's basis, or ``period`` for the periods' own figures),
    ``dot_value`` and ``compared_value`` (the two figures), ``compared_status`` and
    ``direction_reason``; text coded, the reason as Arrow strings."""
    on_last_year = coded(card["dot_basis"]).equals("last_year")
    running = coded(card["aggregation"]).isin(_RUNNING) & ~coded(card["rag_on"]).equals("forecast")
    own = running & ~on_last_year
    value = numbers(card["value"])
    now = np.where(own, numbers(here["period_value"]), value)
    then = np.where(
        on_last_year,
        numbers(year_ago["value"]),
        np.where(own, before["period_value"], before["value"]).astype(float),
    )
    polarity = coded(card["polarity"])
    band = polarity.equals("band")
    # a period's own figure has no band of its own: a band measure compared so has no direction
    no_band = own & band
    edges = [np.where(no_band, np.nan, numbers(card[edge])) for edge in ("band_low", "band_high")]
    earlier_edges = [
        np.where(
            no_band,
            np.nan,
            np.where(on_last_year, numbers(year_ago[edge]), numbers(before[edge])),
        )
        for edge in ("band_low", "band_high")
    ]
    direction = direction_codes(
        now,
        then,
        polarity,
        card["dot_stable"],
        edges[0],
        edges[1],
        earlier_edges[0],
        earlier_edges[1],
    )
    compared_with = select_coded([on_last_year], [last_year], prev)
    compared_on = select_coded(
        [own], [Coded.constant("period", len(own))], coded(card["value_basis"])
    )
    status = status_codes(here["period_status"]), status_codes(card["status"])
    now_status = np.where(own, *status)
    then_status = np.where(
        on_last_year,
        status_codes(year_ago["status"]),
        np.where(own, status_codes(before["period_status"]), status_codes(before["status"])),
    )
    statuses = np.array(STATUS_ORDER, dtype=object)
    reason = (
        direction,
        numbers(card["decimals"], int),
        coded(card["unit"]),
        polarity,
        now,
        then,
        coded(card["value_period"]),
        compared_with,
        compared_on,
        Coded(now_status, statuses),
        Coded(then_status, statuses),
    )
    return {
        "direction": Coded(direction, DIRECTION_CODES),
        "compared_with": compared_with,
        "compared_on": compared_on,
        "dot_value": np.round(now, 9),
        "compared_value": np.round(then, 9),
        "compared_status": Coded(then_status, statuses),
        "direction_reason": direction_reasons(*reason),
    }


def status_codes(column: pd.Series | Coded) -> np.ndarray:
    """Each row's status as its place in ``STATUS_ORDER`` (0, final, for anything else)."""
    text = coded(column)
    places = {status: place for place, status in enumerate(STATUS_ORDER)}
    return np.array([places.get(w, 0) for w in text.words] or [0], dtype=np.int64)[text.codes]


def latest_position(
    card: pd.DataFrame | Columns, later: list[tuple[np.ndarray, pd.DataFrame | Columns]]
) -> dict[str, object]:
    """The latest figure after R within the months ``later`` covers (month then quarter for
    each month after R, in order; each the rows it is asked for, by position, and their
    windows): its period, value, target, variance and status; blank where there is none.
    ``card`` has ``_value_code`` (R's period code)."""
    n = len(card)
    latest = np.full(n, -1, dtype=np.int64)  # period code of the latest figure; -1 for none
    out = {
        "latest_value": np.full(n, np.nan),
        "latest_target": np.full(n, np.nan),
        "latest_band_low": np.full(n, np.nan),
        "latest_band_high": np.full(n, np.nan),
    }
    status = np.zeros(n, dtype=np.int64)
    value_code = numbers(card["_value_code"], np.int64)
    # later windows overwrite earlier ones: the last one with a figure wins
    for asked, frame in later:
        code = period_code(*(numbers(frame[name], np.int64) for name in ("_kind", "_fy", "_index")))
        value = numbers(frame["value"])
        found = ~np.isnan(value) & (code != value_code[asked])
        rows = asked[found]
        latest[rows] = code[found]
        for name, column in (
            ("latest_value", "value"),
            ("latest_target", "target"),
            ("latest_band_low", "band_low"),
            ("latest_band_high", "band_high"),
        ):
            out[name][rows] = numbers(frame[column])[found]
        status[rows] = status_codes(frame["status"])[found]
    gap = variance_arrays(
        out["latest_value"],
        out["latest_target"],
        out["latest_band_low"],
        out["latest_band_high"],
        coded(card["polarity"]).equals("band"),
        coded(card["unit"]).equals("percent"),
    )
    return {
        "latest_period": period_coded(latest),
        "latest_value": out["latest_value"],
        "latest_target": out["latest_target"],
        "latest_variance": gap["variance"],
        "latest_variance_pct": gap["variance_pct"],
        "latest_variance_pp": gap["variance_pp"],
        "latest_status": Coded(status, np.array(STATUS_ORDER, dtype=object)),
    }


def period_coded(codes: np.ndarray) -> Coded:
    """Period codes (``perfnb.period_codes``; -1 for none) as their labels, coded: each
    distinct period named once."""
    codes = np.asarray(codes, dtype=np.int64)
    if not len(codes):
        return Coded(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    low = int(codes.min())
    uniques, at = sorted_unique(codes - low, int(codes.max()) - low + 1)  # a few dozen periods
    uniques = uniques + low
    valid = uniques >= 0
    labels = np.full(len(uniques), "", dtype=object)
    if valid.any():
        labels[valid] = period_labels(*decode_period_code(uniques[valid]))
    return Coded(at.astype(np.int64), labels)


def benchmark_columns(
    benchmarks: pd.DataFrame, area: str, card: pd.DataFrame, fy: np.ndarray
) -> dict[str, np.ndarray | Coded]:
    """Where each row's measure ranks among comparable areas in ``benchmarks`` (the latest
    benchmark year up to ``fy``, the report period's financial year): ``BENCHMARK_COLUMNS``,
    one row per row of ``card`` (text coded), worked out once per measure and year."""
    return benchmark_ranks(benchmarks, area, card, fy).columns()


@dataclass(frozen=True)
class BenchmarkRanks:
    """:func:`benchmark_columns` before it is spread over the card's rows: one row of
    ``found`` per (measure, year) asked, and the card rows each is for (a card's million rows
    ask about a few hundred thousand)."""

    found: pd.DataFrame
    rows: np.ndarray  # the card rows whose measure has a benchmark
    at: np.ndarray  # each such row's row of ``found``
    n: int  # the card's rows

    def columns(self) -> dict[str, np.ndarray | Coded]:
        """``BENCHMARK_COLUMNS``, one row per card row (text coded; blank without one)."""
        out: dict[str, np.ndarray | Coded] = {}
        for name in self.found.columns:
            column = self.found[name]
            if name in ("benchmark_year", "benchmark_averages", "benchmark_note"):
                text = coded(np.append(texts(column), ""))  # the last word: a blank row's
                codes = np.full(self.n, text.codes[-1], dtype=np.int64)
                codes[self.rows] = text.codes[:-1][self.at]
                out[name] = Coded(codes, text.words)
            else:
                numbers = np.full(self.n, np.nan)
                numbers[self.rows] = column.to_numpy(dtype=float)[self.at]
                out[name] = numbers
        return out


def benchmark_ranks(
    benchmarks: pd.DataFrame, area: str, card: pd.DataFrame, fy: np.ndarray
) -> BenchmarkRanks:
    """:func:`benchmark_columns`, each (measure, year) ranked, not yet spread over the rows."""
    measure = coded(card["measure_id"])
    # only the rows of measures with a benchmark row are looked up: the others are blank
    ids = pd.Index(pd.unique(benchmarks["measure_id"].to_numpy(dtype=object)))
    benchmarked = ids.get_indexer(measure.words) >= 0  # by hash: np.isin of texts is quadratic
    rows = np.flatnonzero(benchmarked[measure.codes]) if len(measure.words) else np.zeros(0, int)
    key = measure.codes[rows] * 4096 + (np.asarray(fy, dtype=np.int64)[rows] - 1900)
    at, uniques = pd.factorize(key)
    first = np.full(len(uniques), -1, dtype=np.int64)
    first[at[::-1]] = np.arange(len(at) - 1, -1, -1)
    first = rows[first]
    asked = pd.DataFrame(
        {
            "measure_id": measure.take(first).objects(),
            "fy": np.asarray(fy, dtype=np.int64)[first],
            "polarity": texts(card["polarity"])[first],
            "decimals": card["decimals"].to_numpy()[first],
        }
    )
    return BenchmarkRanks(benchmark_positions(benchmarks, asked, area), rows, at, len(card))
