"""The performance engine's column contract: the columns of :func:`perfnb.engine.performance`,
in order, as the scorecard, its tables and ``docs/data.md`` read them.
"""

from __future__ import annotations

from perfnb.benchmarking import BENCHMARK_COLUMNS

__all__ = ["PERFORMANCE_COLUMNS"]

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
