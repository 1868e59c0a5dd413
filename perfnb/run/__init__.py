"""The run: the only part of perfnb that writes a report's files.

``runner`` (``run_reports``, ``run_periods``) plans each period (``plan``), builds its reports
on a pool (``pool``), each in a kernel of its own (``job``, ``kernel``, ``kernel_template``),
publishes them (``export``) and writes the period's ``manifest.json`` (``manifest``) and
index; ``notebooks`` is the parameters contract, ``stopping`` how a run stops, and
``output_lock`` keeps two runs out of one output folder.
"""

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
