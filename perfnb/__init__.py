"""perfnb: quarterly council performance reports from parameterised Jupyter notebooks.

The public API is what a notebook, a script or a scheduler needs: read and check a data set
(or find the sample, ``bundled_sample``), work out its figures, build one service's report, run
every report of a period, and the errors each can raise. Everything else is in its module
(``perfnb.tables``, ``perfnb.charts``, ``perfnb.spc``...); ``docs/architecture.md`` says which
holds what.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from perfnb.bundled import bundled_sample
from perfnb.commentary import CommentaryError
from perfnb.contract import DataError, Problem
from perfnb.engine import performance
from perfnb.loader import Dataset, load_dataset, validate_dataset
from perfnb.periods import Period, PeriodError, parse_period
from perfnb.scorecard import build_scorecard

if TYPE_CHECKING:
    from perfnb.pages.action_plan import ActionReport
    from perfnb.pages.service import ServiceReport
    from perfnb.run import (
        OutputBusy,
        OutputUnwritable,
        RunError,
        RunStopped,
        run_periods,
        run_reports,
    )

# imported when first asked for: the pages bring matplotlib and the run papermill, nbformat and
# nbconvert (100 MB and two seconds), which a script that only works out figures never needs
_LATER = {
    "ActionReport": "perfnb.pages.action_plan",
    "ServiceReport": "perfnb.pages.service",
    **dict.fromkeys(
        ("OutputBusy", "OutputUnwritable", "RunError", "RunStopped", "run_periods", "run_reports"),
        "perfnb.run",
    ),
}


def __getattr__(name: str) -> Any:
    """The public names whose modules are heavy, imported on first use (PEP 562)."""
    if name not in _LATER:
        raise AttributeError(f"module 'perfnb' has no attribute {name!r}")
    value = getattr(import_module(_LATER[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, those imported on first use included."""
    return sorted({*globals(), *_LATER})


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
