"""The run: the only part of perfnb that writes a report's files.

``runner`` (``run_reports``, ``run_periods``) plans each period (``plan``), builds its reports
on a pool (``pool``), each in a kernel of its own (``job``, ``kernel``, ``kernel_template``),
publishes them (``export``) and writes the period's ``manifest.json`` (``manifest``) and
index; ``notebooks`` is the parameters contract, ``stopping`` how a run stops, and
``output_lock`` keeps two runs out of one output folder.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from perfnb.run.job import Job, run_job, temporary_root
    from perfnb.run.notebooks import (
        REPORT_KINDS,
        REQUIRED_PARAMETERS,
        check_notebook,
        find_notebooks,
        parse_parameter,
        report_kind,
    )
    from perfnb.run.output_lock import OutputBusy, OutputUnwritable
    from perfnb.run.plan import RunOptions, choose_services, year_quarters
    from perfnb.run.pool import default_workers
    from perfnb.run.results import JobResult, RunError, RunResult
    from perfnb.run.runner import dask_client, run_periods, run_reports, run_with_options
    from perfnb.run.stopping import RunStopped

# each name's module, imported when the name is first asked for: the package is imported with
# any of its modules, and the kernel template (``kernel_template``) and a pool worker's start
# (``worker``) must not pay for papermill, nbformat and nbconvert, which they never use
_LATER = {
    **dict.fromkeys(("Job", "run_job", "temporary_root"), "perfnb.run.job"),
    **dict.fromkeys(
        (
            "REPORT_KINDS",
            "REQUIRED_PARAMETERS",
            "check_notebook",
            "find_notebooks",
            "parse_parameter",
            "report_kind",
        ),
        "perfnb.run.notebooks",
    ),
    **dict.fromkeys(("OutputBusy", "OutputUnwritable"), "perfnb.run.output_lock"),
    **dict.fromkeys(("RunOptions", "choose_services", "year_quarters"), "perfnb.run.plan"),
    "default_workers": "perfnb.run.pool",
    **dict.fromkeys(("JobResult", "RunError", "RunResult"), "perfnb.run.results"),
    **dict.fromkeys(
        ("dask_client", "run_periods", "run_reports", "run_with_options"), "perfnb.run.runner"
    ),
    "RunStopped": "perfnb.run.stopping",
}


def __getattr__(name: str) -> Any:
    """The run's public names, each imported from its module on first use (PEP 562)."""
    if name not in _LATER:
        raise AttributeError(f"module 'perfnb.run' has no attribute {name!r}")
    value = getattr(import_module(_LATER[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, those imported on first use included."""
    return sorted({*globals(), *_LATER})


__all__ = [
    "REPORT_KINDS",
    "REQUIRED_PARAMETERS",
    "Job",
    "JobResult",
    "OutputBusy",
    "OutputUnwritable",
    "RunError",
    "RunOptions",
    "RunResult",
    "RunStopped",
    "check_notebook",
    "choose_services",
    "dask_client",
    "default_workers",
    "find_notebooks",
    "parse_parameter",
    "report_kind",
    "run_job",
    "run_periods",
    "run_reports",
    "run_with_options",
    "temporary_root",
    "year_quarters",
]
