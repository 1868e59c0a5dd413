"""perfnb: quarterly council performance reports from parameterised Jupyter notebooks."""

from importlib.metadata import PackageNotFoundError, version

from perfnb import spc
from perfnb.action_report import (
    ActionReport,
    action_reasons_table,
    action_summary_table,
    action_table,
    linked_measures_table,
    overdue_table,
)
from perfnb.actions import (
    ACTION_COLUMNS,
    action_progress,
    action_summary,
    linked_measures,
    overdue_actions,
    services_with_actions,
)
from perfnb.charts import (
    Chart,
    action_progress_chart,
    cumulative_chart,
    rag_summary_chart,
    spc_chart,
    trend_chart,
)
from perfnb.commentary import (
    Commentary,
    CommentaryError,
    commentary_path,
    draft_commentary,
    load_commentary,
    missing_commentary,
    parse_commentary,
    scaffold_commentary,
)
from perfnb.contract import DataError, Problem
from perfnb.engine import PERFORMANCE_COLUMNS, performance
from perfnb.history import trend_history, year_to_date_history
from perfnb.loader import Dataset, load_dataset, slugify, validate_dataset
from perfnb.markup import escape_text, render_markdown
from perfnb.palette import ACTION_STYLES, RAG_STYLES, rag_style
from perfnb.periods import Period, PeriodError, figure_label, latest_period, parse_period
from perfnb.report import ServiceReport, rag_counts, title_block
from perfnb.runner import RunError, RunResult, run_reports
from perfnb.scorecard import build_scorecard
from perfnb.tables import (
    Table,
    exceptions,
    exceptions_table,
    format_value,
    rag_reasons_table,
    scorecard_table,
    variance_table,
)
from perfnb.timescales import Timescale, parse_timescale

try:
    __version__ = version("perfnb")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_STYLES",
    "PERFORMANCE_COLUMNS",
    "RAG_STYLES",
    "ActionReport",
    "Chart",
    "Commentary",
    "CommentaryError",
    "DataError",
    "Dataset",
    "Period",
    "PeriodError",
    "Problem",
    "RunError",
    "RunResult",
    "ServiceReport",
    "Table",
    "Timescale",
    "__version__",
    "action_progress",
    "action_progress_chart",
    "action_reasons_table",
    "action_summary",
    "action_summary_table",
    "action_table",
    "build_scorecard",
    "commentary_path",
    "cumulative_chart",
    "draft_commentary",
    "escape_text",
    "exceptions",
    "exceptions_table",
    "figure_label",
    "format_value",
    "latest_period",
    "linked_measures",
    "linked_measures_table",
    "load_commentary",
    "load_dataset",
    "missing_commentary",
    "overdue_actions",
    "overdue_table",
    "parse_commentary",
    "parse_period",
    "parse_timescale",
    "performance",
    "rag_counts",
    "rag_reasons_table",
    "rag_style",
    "rag_summary_chart",
    "render_markdown",
    "run_reports",
    "scaffold_commentary",
    "scorecard_table",
    "services_with_actions",
    "slugify",
    "spc",
    "spc_chart",
    "title_block",
    "trend_chart",
    "trend_history",
    "validate_dataset",
    "variance_table",
    "year_to_date_history",
]
