"""perfnb: quarterly council performance reports from parameterised Jupyter notebooks."""

from importlib.metadata import PackageNotFoundError, version

from perfnb.contract import DataError, Problem
from perfnb.engine import PERFORMANCE_COLUMNS, performance
from perfnb.loader import Dataset, load_dataset, slugify, validate_dataset
from perfnb.periods import Period, PeriodError, latest_period, parse_period
from perfnb.report import title_block
from perfnb.runner import RunError, RunResult, run_reports
from perfnb.scorecard import build_scorecard
from perfnb.tables import format_value, rag_reasons_table, scorecard_table

try:
    __version__ = version("perfnb")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "PERFORMANCE_COLUMNS",
    "DataError",
    "Dataset",
    "Period",
    "PeriodError",
    "Problem",
    "RunError",
    "RunResult",
    "__version__",
    "build_scorecard",
    "format_value",
    "latest_period",
    "load_dataset",
    "parse_period",
    "performance",
    "rag_reasons_table",
    "run_reports",
    "scorecard_table",
    "slugify",
    "title_block",
    "validate_dataset",
]
