"""A report run: ``run_reports`` for one period, ``run_periods`` for several in one pool.

The run owns all the I/O of the reports. It plans every period first (``perfnb.run.plan``:
every check before anything is written), takes the output folder's lock, writes each period's
tables, builds the reports (``perfnb.run.pool``, each one a ``perfnb.run.job``), and writes
each period's ``manifest.json`` and ``index.html``, even when a stop signal ended it early.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from perfnb.files import write_atomic
from perfnb.loader import Dataset, load_dataset
from perfnb.log import log_line
from perfnb.periods import Period, parse_period
from perfnb.raw_table import release_memory
from perfnb.run import stopping
from perfnb.run.job import temporary_root
from perfnb.run.output_lock import output_lock, unwritable
from perfnb.run.plan import PeriodPlan, RunOptions, plan_period
from perfnb.run.pool import run_jobs
from perfnb.run.results import RunError, RunResult, now

__all__ = ["dask_client", "run_periods", "run_reports"]


def run_reports(
    period: str | Period | None = None,
    data_dir: str | Path = "data/sample",
    out_dir: str | Path = "output",
    *,
    services: Sequence[str] | None = None,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: str | Path = "notebooks",
    parameters: Mapping[str, object] | None = None,
    timeout: float | None = None,
    echo: Callable[[str], None] = log_line,
    workers: int | None = None,
    executor: Executor | None = None,
    force: bool = False,
    progress: bool = False,
    wait: float = 0.0,
    formats: Sequence[str] | None = None,
    png: bool = False,
) -> RunResult:
    """Builds every report of ``period`` (default: the latest with data) into ``out_dir``.

    Validates the data and every notebook's parameters first (raising ``DataError`` or
    ``RunError`` before anything is written), then runs each (notebook, service) job; a job that
    fails is reported in the result and the others still run. Jobs run ``workers`` at a time in
    separate processes (default: one per CPU; 1 runs them here, one after another), or on
    ``executor`` (any ``concurrent.futures.Executor``, such as a Dask client's). A report whose
    notebook, parameters, input files and perfnb are unchanged since its last good build is
    not rebuilt (``force`` rebuilds it); ``manifest.json`` records what each was built from.
    ``services`` and ``notebooks`` (file stems) choose among those found; ``parameters`` are
    passed to every notebook besides the four perfnb passes; ``timeout`` is the seconds a
    report may take; ``echo`` is told each line of progress (default: the ``perfnb`` logger,
    at INFO, warnings at WARNING; ``progress``: a bar on stderr).
    ``formats`` are the files each report is written as besides its page (``html``, ``pdf``,
    ``docx``; default: the data set's ``[output] formats``, else the HTML alone). Each chart
    is published as SVG; ``png`` (and ``docx`` among the formats) publishes it as a 300 dpi
    PNG too, ``charts/<service>/<name>.png``.
    """
    options = RunOptions(
        services=services,
        notebooks=notebooks,
        notebooks_dir=notebooks_dir,
        parameters=parameters,
        timeout=timeout,
        echo=echo,
        workers=workers,
        executor=executor,
        force=force,
        progress=progress,
        wait=wait,
        formats=formats,
        png=png,
    )
    return run_with_options([period], data_dir, out_dir, options)[0]


def run_periods(
    periods: Sequence[str | Period | None],
    data_dir: str | Path = "data/sample",
    out_dir: str | Path = "output",
    *,
    services: Sequence[str] | None = None,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: str | Path = "notebooks",
    parameters: Mapping[str, object] | None = None,
    timeout: float | None = None,
    echo: Callable[[str], None] = log_line,
    workers: int | None = None,
    executor: Executor | None = None,
    force: bool = False,
    progress: bool = False,
    wait: float = 0.0,
    formats: Sequence[str] | None = None,
    png: bool = False,
) -> list[RunResult]:
    """Builds every report of each of ``periods`` (None: the latest with data), all the
    periods' jobs in one pool; the options are ``run_reports``'s. Every period is validated and
    planned before anything is written; each gets its own folder, ``manifest.json`` and
    ``index.html``. One run at a time writes to ``out_dir``: another run's lock is waited for up
    to ``wait`` seconds, else ``perfnb.OutputBusy`` names it."""
    options = RunOptions(
        services=services,
        notebooks=notebooks,
        notebooks_dir=notebooks_dir,
        parameters=parameters,
        timeout=timeout,
        echo=echo,
        workers=workers,
        executor=executor,
        force=force,
        progress=progress,
        wait=wait,
        formats=formats,
        png=png,
    )
    return run_with_options(periods, data_dir, out_dir, options)


def dask_client(address: str) -> Any:
    """A client of the Dask cluster at ``address`` (``perfnb[dask]`` installs distributed),
    whose ``get_executor(pure=False)`` runs a run's jobs (``--dask-scheduler``)."""
    try:
        from distributed import Client
    except ImportError:
        raise RunError(
            "--dask-scheduler needs Dask's distributed package: pip install 'perfnb[dask]'"
        ) from None
    try:
        return Client(address, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise RunError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc


def run_with_options(
    periods: Sequence[str | Period | None],
    data_dir: str | Path,
    out_dir: str | Path,
    options: RunOptions,
) -> list[RunResult]:
    """``run_periods`` with its options as one ``RunOptions``: the run itself."""
    if options.workers is not None and options.workers < 1:
        raise RunError(f"--workers must be 1 or more, not {options.workers}")
    data = load_dataset(data_dir)  # read once for every period
    # the periods' text is read here, once; below this everything is a Period
    chosen = list(dict.fromkeys(None if p is None else parse_period(p) for p in periods))

    def plan(data: Dataset) -> list[PeriodPlan]:
        plans = [plan_period(p, data, data_dir, out_dir, options) for p in chosen or [None]]
        # the latest period named and left to default, say: one folder, one plan
        return list({each.period: each for each in plans}.values())

    with stopping.on_signals():
        plans = plan(data)  # every check before the output folder is touched
        with output_lock(out_dir, options.wait, now()) as waited, stopping.deferred():
            _remove_leftovers(Path(out_dir), options.echo)
            if waited:  # another run wrote meanwhile: plan from what it left
                plans = plan(data)
            for each in plans:
                # utf-8-sig: Excel, where most open them, needs the byte-order mark for £ and -
                _write_outputs(each.folder, each.tables, encoding="utf-8-sig")
            for each in plans:
                each.let_data_go()
            del data  # planned: the reports read the data set in their own kernels
            gc.collect()
            release_memory()  # else the freed heap stays this process's for the whole run
            jobs = [job for each in plans for job in each.jobs]
            ran = run_jobs(
                jobs,
                options.timeout,
                options.workers,
                options.executor,
                options.echo,
                options.progress,
            )
            # even when stopped: the reports that finished get their index and manifest
            results, at = [], 0
            for each in plans:
                result, files = each.finish(ran[at : at + len(each.jobs)])
                at += len(each.jobs)
                _write_outputs(each.folder, files)
                results.append(result)
        if (signum := stopping.requested()) is not None:
            raise stopping.RunStopped(signum, results)
    return results


def _write_outputs(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> None:
    """Writes the period's own files atomically; an OS error becomes an ``OutputUnwritable``
    naming the file."""
    for name, text in files.items():
        try:
            write_atomic(folder / name, text.encode(encoding))
        except OSError as exc:
            raise unwritable(folder / name, exc) from exc


def _remove_leftovers(out_root: Path, echo: Callable[[str], None]) -> None:
    """Removes what runs that died left: working folders and half-written files in the
    output folder (whose lock this run holds), and their socket folders."""
    left = stopping.remove_stale_work(out_root) + stopping.remove_stale_sockets(temporary_root())
    if left:
        echo(f"removed {len(left)} folder(s) and file(s) left by a run that was killed")
