"""Many reports at once: the jobs of a run on a pool of worker processes (or one after another
here, or on a given ``concurrent.futures`` executor), with a progress bar, results in the
order given, and a stop signal passed on to the workers."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from tqdm import tqdm

from perfnb.run import stopping, worker
from perfnb.run.job import Job, run_job, temporary_root
from perfnb.run.kernel import start_kernel_template
from perfnb.run.results import JobResult

__all__ = ["WORKER_GRACE", "default_workers", "run_jobs"]


def default_workers() -> int:
    """How many reports to build at once by default: one per CPU."""
    return os.cpu_count() or 1


def run_jobs(
    jobs: list[Job],
    timeout: float | None,
    workers: int | None,
    executor: Executor | None,
    echo: Callable[[str], None],
    progress: bool = False,
) -> list[JobResult]:
    """Runs every job and returns the results in the order given. One job at a time here
    when ``workers`` is 1 or there is one job; else on ``executor``, or on a pool of
    ``workers`` processes (default: one per CPU) that is shut down at the end. Each job writes
    only its own temporary folder and files, so they never touch each other's outputs. With
    ``progress``, a bar over the jobs on stderr (for a terminal; plain lines otherwise)."""
    bar = (
        tqdm(total=len(jobs), desc="reports", unit="report", file=sys.stderr, leave=True)
        if progress and jobs
        else None
    )

    def say(line: str) -> None:
        with contextlib.suppress(OSError):  # a closed terminal: the run still finishes
            (echo if bar is None else bar.write)(line)

    running: dict[str, str] = {}  # the cell each running report is at, for the bar
    lock = threading.Lock()

    def show_cell(key: str, number: int, total: int) -> None:
        with lock:
            running[key] = f"{key} cell {number}/{total}"
            if bar is not None:
                bar.set_postfix_str("; ".join(running.values()))

    def finish(number: int, result: JobResult) -> JobResult:
        where = f" at cell {result.cell}" if result.cell is not None else ""
        period = jobs[number].parameters["period"]
        say(
            f"  {result.notebook} for {result.service} ({period}): {result.status} "
            f"in {result.seconds:.1f}s" + (f": {result.error}{where}" if result.error else "")
        )
        if bar is not None:
            # a terminal closed under the run (SIGHUP) fails every write: the run goes on
            with lock, contextlib.suppress(OSError):
                running.pop(result.key, None)
                bar.set_postfix_str("; ".join(running.values()), refresh=False)
                bar.update(1)
        return result

    if bar is None:
        for job in jobs:
            echo(f"running {job.notebook.name} for {job.service} ({job.parameters['period']})")
    try:
        return _run_all(
            jobs, timeout, workers, executor, finish, on_cell=None if bar is None else show_cell
        )
    finally:
        if bar is not None:
            with contextlib.suppress(OSError):
                bar.close()


def _signal_workers(pool: Executor, signum: int) -> None:
    """Sends ``signum`` to each worker process of ``pool``: a signal to this process alone (a
    ``kill``, not a terminal's Ctrl-C) does not reach them."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            os.kill(process.pid, signum)


def _absolute(job: Job) -> Job:
    """``job`` with its paths made absolute here, where the run started: its notebook, its
    period folder and its data folder. A worker elsewhere (a Dask cluster's, started in a
    folder of its own or on another machine) would resolve a relative one against its own."""
    parameters = dict(job.parameters)
    for name in ("data_dir", "output_dir"):
        if isinstance(parameters.get(name), str | Path) and str(parameters[name]):
            parameters[name] = str(Path(str(parameters[name])).resolve())
    return replace(
        job, notebook=job.notebook.resolve(), folder=job.folder.resolve(), parameters=parameters
    )


def _longest_first(jobs: list[Job]) -> list[int]:
    """The jobs' positions, the biggest reports (most measures or actions) first, so that no
    long report starts last while the other workers sit idle."""
    return sorted(range(len(jobs)), key=lambda number: -jobs[number].size)


# how long a stopped run waits for its workers to hand back their reports before killing them
WORKER_GRACE = 3.5


def _stopped(job: Job) -> JobResult:
    """The result of a job that a stop kept from starting."""
    return job.result("stopped", error="not started: stopped")


def _run_all(
    jobs: list[Job],
    timeout: float | None,
    workers: int | None,
    executor: Executor | None,
    finish: Callable[[int, JobResult], JobResult],
    on_cell: Callable[[str, int, int], None] | None = None,
) -> list[JobResult]:
    """The jobs, here one after another or on a pool; results in the order given. Each job's
    cells are told to ``on_cell`` as they start, here and from this function's own pool (not
    from another executor's). A stop signal (``perfnb.run.stopping``) ends the jobs running as
    "stopped" and starts no more: their results are "stopped" too."""
    workers = default_workers() if workers is None else workers
    jobs = [_absolute(job) for job in jobs]
    data_dirs = {str(job.parameters.get("data_dir", "")) for job in jobs}
    data_dir = data_dirs.pop() if len(data_dirs) == 1 else None
    # decided here, where the run started, for this process's workers too; another executor's
    # workers (a Dask cluster's, on other machines) use their own
    temporary = temporary_root()
    results: dict[int, JobResult] = {}
    if executor is None and (workers == 1 or len(jobs) <= 1):
        with contextlib.suppress(Exception):
            start_kernel_template(data_dir)
        for number, job in enumerate(jobs):
            if stopping.requested() is not None:
                break
            built = run_job(job, timeout=timeout, on_cell=on_cell, temporary=temporary)
            results[number] = finish(number, built)
        return [results.get(n) or _stopped(jobs[n]) for n in range(len(jobs))]
    own = executor is None
    context = multiprocessing.get_context("spawn")
    cells = context.SimpleQueue() if own and on_cell is not None else None
    pool = executor or ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=worker.start_worker,
        initargs=(data_dir, cells),
    )
    if cells is not None:
        threading.Thread(target=_read_cells, args=(cells, on_cell), daemon=True).start()
    forward = partial(_signal_workers, pool) if own else None
    try:
        with stopping.forwarding(forward):
            futures = {}
            for number in _longest_first(jobs):
                if stopping.requested() is not None:
                    break
                future = pool.submit(
                    run_job,
                    jobs[number],
                    timeout=timeout,
                    on_cell=None if cells is None else worker.send_cell,
                    temporary=temporary if own else None,
                )
                futures[future] = number
            pending, give_up = set(futures), None
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    if not future.cancelled():
                        number = futures[future]
                        results[number] = finish(number, _outcome(future, jobs[number]))
                if stopping.requested() is None:
                    continue
                if give_up is None:  # those not started never will be
                    for future in pending:
                        future.cancel()
                    give_up = time.monotonic() + WORKER_GRACE
                elif time.monotonic() > give_up:  # a worker that does not stop is killed
                    if own:
                        _signal_workers(pool, getattr(signal, "SIGKILL", signal.SIGTERM))
                    break
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)
        if cells is not None:
            cells.put(None)  # the reader's end
    return [results.get(n) or _stopped(jobs[n]) for n in range(len(jobs))]


def _outcome(future: Any, job: Job) -> JobResult:
    """A finished job's result; "stopped" for one that a stop broke off (its worker gone)."""
    try:
        return future.result()
    except Exception:
        if stopping.requested() is not None:
            return _stopped(job)
        raise


def _read_cells(cells: Any, on_cell: Callable[[str, int, int], None]) -> None:
    """Passes the workers' cells to ``on_cell`` until the run's end (None)."""
    while (item := cells.get()) is not None:
        with contextlib.suppress(Exception):
            on_cell(*item)


# -- a run -----------------------------------------------------------------------------------
