"""perfnb: quarterly council performance reports from parameterised Jupyter notebooks.

The public API is what a notebook, a script or a scheduler needs: read and check a data set
(or find the sample, ``bundled_sample``), work out its figures, build one service's report, run
every report of a period, and the errors each can raise. Everything else is in its module
(``perfnb.tables``, ``perfnb.charts``, ``perfnb.spc``...); ``docs/architecture.md`` says which
holds what.
"""

from importlib.metadata import PackageNotFoundError, version

from perfnb.bundled import bundled_sample
from perfnb.commentary import CommentaryError
from perfnb.contract import DataError, Problem
from perfnb.engine import performance
from perfnb.loader import Dataset, load_dataset, validate_dataset
from perfnb.pages.action_plan import ActionReport
from perfnb.pages.service import ServiceReport
from perfnb.periods import Period, PeriodError, parse_period
from perfnb.run import OutputBusy, OutputUnwritable, RunError, RunStopped, run_periods, run_reports
from perfnb.scorecard import build_scorecard

try:
    __version__ = version("perfnb")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = [
    "ActionReport",
    "CommentaryError",
    "DataError",
    "Dataset",
    "OutputBusy",
    "OutputUnwritable",
    "Period",
    "PeriodError",
    "Problem",
    "RunError",
    "RunStopped",
    "ServiceReport",
    "__version__",
    "build_scorecard",
    "bundled_sample",
    "load_dataset",
    "parse_period",
    "performance",
    "run_periods",
    "run_reports",
    "validate_dataset",
]
