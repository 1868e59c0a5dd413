"""Runs the report notebooks for a period: papermill executes, nbconvert exports HTML.

The runner owns all the I/O of a report run. For each (notebook, service) job it checks the
notebook's parameters cell against what it will pass, executes the notebook in a fresh kernel
into a temporary folder, exports HTML without code, and only then moves both files into place,
so a failed or interrupted run never leaves a half-written report over a good one. It also
writes the period's ``scorecard.csv``, ``manifest.json`` (what was built from what) and
``index.html``.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, fields
from functools import cache, partial
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import nbformat
import pandas as pd
import papermill
from nbclient.exceptions import DeadKernelError
from nbconvert import HTMLExporter
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from tqdm import tqdm
from traitlets.config import Config

from perfnb import stopping
from perfnb.action_report import action_counts
from perfnb.actions import ACTION_COLUMNS, action_progress, services_with_actions
from perfnb.commentary import (
    CommentaryError,
    commentary_path,
    commentary_problems,
    load_commentary,
    missing_commentary,
)
from perfnb.contents import add_contents
from perfnb.files import csv_text, write_atomic
from perfnb.index_page import render_index
from perfnb.kernel import CurrentPythonKernelManager, start_kernel_template
from perfnb.loader import Dataset, load_dataset, slugify
from perfnb.output_lock import output_lock, unwritable
from perfnb.palette import rag_css
from perfnb.periods import Period, parse_period
from perfnb.report import rag_counts
from perfnb.scorecard import build_scorecard, has_figure, services_with_figures

__all__ = [
    "REPORT_KINDS",
    "REQUIRED_PARAMETERS",
    "JobResult",
    "RunError",
    "RunResult",
    "check_notebook",
    "choose_services",
    "default_workers",
    "export_html",
    "find_notebooks",
    "parse_parameter",
    "report_kind",
    "run_periods",
    "run_reports",
    "year_quarters",
]

REQUIRED_PARAMETERS = ("period", "service", "data_dir", "output_dir")
# what a notebook reports on (its metadata's perfnb.report), so which services it is run for:
# measures, the services with figures for the period; actions, those with an action plan in it
REPORT_KINDS = ("measures", "actions")
TEMPLATES = Path(__file__).parent / "templates"
MANIFEST = "manifest.json"
PUBLISHED_FOLDERS = ("tables", "charts")  # what a notebook writes beside its report
# Output of these cells never reaches the HTML (papermill's own cells and the parameters).
HIDDEN_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
WATCHED_PACKAGES = (
    "perfnb",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "openpyxl",
)


class RunError(Exception):
    """The run cannot start: a bad period, service, notebook or parameter. Nothing was written."""


@dataclass
class JobResult:
    """What happened to one (notebook, service) report."""

    notebook: str
    service: str
    # "ok", "failed", "skipped" (unchanged since its last good build) or "stopped" (the run was
    # stopped by a signal before it finished: nothing of it published)
    status: str
    seconds: float
    html: str | None = None  # file name within the period folder
    ipynb: str | None = None
    error: str | None = None
    cell: int | None = None  # position of the failing cell in the notebook (1 = first cell)
    started: str = ""
    finished: str = ""
    warnings: list[str] = field(default_factory=list)
    measures: int = 0  # measures of the service in the report
    with_figures: int = 0  # of which have a figure for the period itself
    rag_counts: dict[str, int] = field(default_factory=dict)  # Red, Amber, Green, N/A
    without_commentary: list[str] = field(default_factory=list)  # Red/Amber measure ids
    files: list[str] = field(default_factory=list)  # tables and charts, relative to the folder
    kind: str = "measures"  # what the notebook reports on: REPORT_KINDS
    build: str = ""  # what it was built from: notebook, parameters, inputs, perfnb (a digest)

    @property
    def key(self) -> str:
        """The report's file stem: ``<notebook>-<service-slug>``."""
        return f"{self.notebook}-{slugify(self.service)}"


@dataclass
class RunResult:
    """Everything one ``run_reports`` call produced."""

    period: Period
    folder: Path
    jobs: list[JobResult]

    @property
    def ok(self) -> bool:
        """True when every report was built (or was already up to date)."""
        return all(job.status in ("ok", "skipped") for job in self.jobs)

    def summary(self) -> str:
        """A plain-text table: notebook, service, status, seconds, error with its cell."""
        rows = [("notebook", "service", "status", "seconds", "error")]
        for job in self.jobs:
            where = f"cell {job.cell}: " if job.cell is not None else ""
            error = f"{where}{job.error}" if job.error else ""
            rows.append((job.notebook, job.service, job.status, f"{job.seconds:.1f}", error))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = []
        for r in rows:
            lines.append(
                "  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=False))
                + ("  " + r[4] if r[4] else "")
            )
        failed = sum(job.status == "failed" for job in self.jobs)
        skipped = sum(job.status == "skipped" for job in self.jobs)
        stopped = sum(job.status == "stopped" for job in self.jobs)
        built = len(self.jobs) - failed - skipped - stopped
        lines.append(
            f"{built} of {len(self.jobs)} report(s) built in {self.folder}"
            + (f"; {skipped} unchanged since their last build, not rebuilt" if skipped else "")
            + (f"; {failed} failed" if failed else "")
            + (f"; {stopped} stopped before they finished" if stopped else "")
        )
        return "\n".join(lines)


# -- notebooks and their parameters ----------------------------------------------------------


def find_notebooks(folder: str | Path, names: Sequence[str] | None = None) -> list[Path]:
    """The report notebooks in ``folder`` (all, or those named by file stem), sorted by name."""
    folder = Path(folder)
    found = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    if not found:
        raise RunError(
            f"no notebooks (*.ipynb) in {folder}; run perfnb from the project folder or pass "
            "--notebooks DIR"
        )
    if not names:
        return list(found.values())
    unknown = [n for n in names if Path(n).stem not in found]
    if unknown:
        raise RunError(
            f"no notebook named {', '.join(unknown)} in {folder}; there are: {', '.join(found)}"
        )
    return [found[Path(n).stem] for n in names]


def check_notebook(path: Path, extra: Mapping[str, object] | None = None) -> list[str]:
    """Problems with running ``path``: no parameters cell, a required or passed name missing."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError) as exc:  # NotJSONError is a ValueError
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return [f"{path}: is not a readable notebook ({reason})"]
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        return [
            f"{path}: no cell is tagged 'parameters'; perfnb passes "
            f"{', '.join(REQUIRED_PARAMETERS)} into that cell"
        ]
    declared = papermill.inspect_notebook(str(path))
    problems = [
        f"{path}: the parameters cell does not declare {name!r} "
        f"(perfnb passes {', '.join(REQUIRED_PARAMETERS)})"
        for name in REQUIRED_PARAMETERS
        if name not in declared
    ]
    problems += [
        f"{path}: {name!r} is not a parameter of this notebook; it declares "
        f"{', '.join(declared) or 'none'}"
        for name in extra or {}
        if name not in declared
    ]
    return problems


def report_kind(path: Path) -> str:
    """What a notebook reports on, from its metadata (``"perfnb": {"report": "actions"}``):
    ``measures`` (the default) or ``actions``."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError):
        return "measures"  # check_notebook names the problem
    kind = nb.metadata.get("perfnb", {}).get("report", "measures")
    if kind not in REPORT_KINDS:
        raise RunError(
            f"{path}: its metadata says it reports on {kind!r}; perfnb knows "
            f"{', '.join(REPORT_KINDS)}"
        )
    return str(kind)


def parse_parameter(text: str) -> tuple[str, object]:
    """Reads ``name=value`` from the command line; the value as a Python literal, else text."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise RunError(f"parameter {text!r} is not of the form name=value")
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError):
        value = raw
    return name.strip(), value


# -- one job ---------------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    found = {}
    for name in WATCHED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _strip_for_report(nb: nbformat.NotebookNode) -> list[str]:
    """Removes stderr streams (warnings, logging) from the outputs; returns their text."""
    removed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                removed.append(str(output.get("text", "")).strip())
            else:
                kept.append(output)
        cell["outputs"] = kept
    return [r for r in removed if r]


@cache
def _report_exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with perfnb's template, made once a process (compiling the
    templates takes longer than exporting a report)."""
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    return HTMLExporter(
        config=config,
        template_name="perfnb",
        extra_template_basedirs=[str(TEMPLATES)],
    )


def export_html(nb: nbformat.NotebookNode) -> str:
    """The notebook as a report page: no code, prompts or papermill cells, offline-safe."""
    body, _ = _report_exporter().from_notebook_node(nb, resources={"rag_css": rag_css()})
    return add_contents(body)


def _publish_files(staged: Path, folder: Path) -> list[str]:
    """Moves the tables and charts a job wrote under ``staged`` into ``folder``, file by file
    (other reports' files stay); returns their paths relative to ``folder``."""
    moved = []
    for kind in PUBLISHED_FOLDERS:
        for path in sorted((staged / kind).rglob("*")):
            if path.is_file():
                relative = path.relative_to(staged)
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moved.append(relative.as_posix())
    return moved


def _write_outputs(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> None:
    """Writes the period's own files atomically; an OS error becomes an ``OutputUnwritable``
    naming the file."""
    for name, text in files.items():
        try:
            write_atomic(folder / name, text.encode(encoding))
        except OSError as exc:
            raise unwritable(folder / name, exc) from exc


class CellReportingEngine(NBClientEngine):
    """papermill's nbclient engine that also tells ``on_cell(number, total)`` as each cell of
    the notebook starts (numbers from 1, papermill's parameters cell included)."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: NotebookExecutionManager,
        kernel_name: str,
        on_cell: Callable[[int, int], None] | None = None,
        **kwargs: Any,
    ) -> Any:
        if on_cell is not None:
            started = nb_man.cell_start
            total = len(nb_man.nb.cells)

            def cell_start(cell: nbformat.NotebookNode, cell_index: int | None = None, **kw: Any):
                started(cell, cell_index, **kw)
                if cell_index is not None:
                    on_cell(cell_index + 1, total)

            nb_man.cell_start = cell_start
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register("perfnb", CellReportingEngine)

# where a pool worker sends its jobs' cells (set by _start_worker), for the main progress bar
_cells_queue: Any = None


def _send_cell(key: str, number: int, total: int) -> None:
    """Tells the run's progress bar (in the process that started the pool) of a job's cell."""
    if _cells_queue is not None:
        with contextlib.suppress(Exception):  # progress is never worth failing a report for
            _cells_queue.put((key, number, total))


# a Unix socket's path is at most 107 bytes: a socket folder's root leaves room for
# "/perfnb-xxxxxxxx/kernel-ipc-NN"
_MAX_ROOT = 70


def temporary_root() -> Path:
    """Where a run's temporary folders (its kernels' socket folders) go: ``TMPDIR`` as it is
    when the run starts (not as this process first read it), else the system's temporary
    folder; the latter too when ``TMPDIR`` is too long a path for a socket."""
    named = os.environ.get("TMPDIR", "")
    if named and Path(named).is_dir() and len(str(Path(named).resolve())) <= _MAX_ROOT:
        return Path(named).resolve()
    return Path(tempfile.gettempdir())


def run_job(
    notebook: Path,
    service: str,
    parameters: dict[str, object],
    folder: Path,
    provenance: dict[str, object],
    *,
    timeout: float | None = None,
    on_cell: Callable[[str, int, int], None] | None = None,
    temporary: str | Path | None = None,
) -> JobResult:
    """Executes one notebook for one service and exports it; never raises for a notebook error.
    ``on_cell(report, number, total)`` is told of each cell as it starts; the kernel's socket
    folder goes in ``temporary`` (default: :func:`temporary_root`)."""
    result = JobResult(notebook.stem, service, "failed", 0.0, started=_now())
    if stopping.requested() is not None or not stopping.parent_alive():
        # queued before the run was stopped: never started
        result.status, result.finished = "stopped", result.started
        return result
    stem = result.key
    start = time.perf_counter()
    work: Path | None = None
    executed = folder / f".{stem}.executing.ipynb"
    running: list[int] = []  # the cell the kernel is running (1-based, papermill's included)

    def cell_started(number: int, total: int) -> None:
        running[:] = [number]
        if on_cell is not None:
            on_cell(stem, number, total)

    # the kernel's sockets: a folder of this job's own, with a path short enough for a socket,
    # marked as this process's so that a later run can remove it should this one be killed
    sockets = Path(tempfile.mkdtemp(prefix="perfnb-", dir=temporary or temporary_root()))
    try:
        stopping.mark_owner(sockets)
        work = Path(tempfile.mkdtemp(dir=folder, prefix=f".perfnb-{stem}-"))
        executed = work / f"{stem}.ipynb"
        # the notebook writes its tables and charts under a staging output folder; they are
        # moved beside the report only once the whole report has been built
        staging = work / "output"
        deadline = time.time() + timeout if timeout else None
        with stopping.working_folder(work), stopping.working_folder(sockets):
            for attempt in (1, 2):
                # a second start is a new interpreter: whatever stopped a forked kernel, not that
                manager = CurrentPythonKernelManager.logging_to(
                    work / "kernel.log", sockets, deadline, fresh=attempt == 2
                )
                try:
                    papermill.execute_notebook(
                        str(notebook),
                        str(executed),
                        parameters={**parameters, "output_dir": str(staging)},
                        kernel_name="python3",
                        kernel_manager_class=manager,
                        engine_name="perfnb",
                        on_cell=cell_started,
                        progress_bar=False,
                        cwd=str(notebook.parent),
                        execution_timeout=timeout,  # no cell may take longer than the whole job
                    )
                    break
                except Exception as exc:
                    if stopping.requested() is not None:
                        raise stopping.RunStopped(stopping.requested() or 0) from exc
                    if manager.timed_out:
                        raise TimeoutError(
                            f"the report took longer than {timeout:g} s (--timeout) and was stopped"
                        ) from exc
                    if attempt == 2 or _ran_a_cell(executed):
                        raise
                    # the kernel died before running a cell (a start-up failure): once more
                    result.warnings.append(f"the kernel failed to start ({exc}); started it again")
            nb = nbformat.read(executed, as_version=4)
            result.warnings += _strip_for_report(nb)
            nb.metadata["title"] = provenance.get("title", stem)
            nb.metadata["perfnb"] = {**nb.metadata.get("perfnb", {}), **provenance}
            html = export_html(nb)
            (work / f"{stem}.html").write_text(html, encoding="utf-8")
            # whole or not at all, and never once the run is stopping or gone: tables and
            # charts first, so the new report goes live only once its files are in place
            with stopping.publishing():
                result.files = _publish_files(staging / folder.name, folder)
                os.replace(executed, folder / f"{stem}.ipynb")
                os.replace(work / f"{stem}.html", folder / f"{stem}.html")
                (folder / f"{stem}.failed.ipynb").unlink(missing_ok=True)
        result.status, result.html, result.ipynb = "ok", f"{stem}.html", f"{stem}.ipynb"
    except stopping.RunStopped as exc:  # Ctrl-C or the like: nothing of it is published
        result.status = "stopped"
        result.error = f"stopped by {stopping.signal_name(exc.signum)}"
    except papermill.PapermillExecutionError as exc:
        result.error = f"{exc.ename}: {exc.evalue}"
        result.cell = _failed_cell_position(executed)
        _keep_failed(executed, folder, stem, result)
    except Exception as exc:  # a dead kernel, a timeout, an export failure: report, go on
        result.error = f"{type(exc).__name__}: {exc}".strip()
        if running and not isinstance(exc, TimeoutError):
            result.cell = _analyst_position(executed, running[0])
            if isinstance(exc, DeadKernelError):  # the cell it ran is said beside the error
                result.error = f"the kernel died ({result.error})"
        if work is not None and (said := _last_lines(work / "kernel.log")):
            result.error += f" (the kernel's last words: {said})"
        _keep_failed(executed, folder, stem, result)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(sockets, ignore_errors=True)
        result.seconds = time.perf_counter() - start
        result.finished = _now()
    return result


def _ran_a_cell(executed: Path) -> bool:
    """Whether papermill got as far as running a cell of the executed notebook."""
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return False
    # a cell that ran has a start time (papermill marks even unrun cells completed when the
    # kernel never started)
    return any(
        cell.metadata.get("papermill", {}).get("start_time") is not None
        for cell in nb.cells
        if cell.cell_type == "code"
    )


def _analyst_position(executed: Path, number: int) -> int | None:
    """Cell ``number`` of the executed notebook (1-based, papermill's injected-parameters cell
    included) as the analyst's notebook numbers it; None for papermill's own cell."""
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    position = 0
    for at, cell in enumerate(nb.cells, start=1):
        tags = set(cell.metadata.get("tags", []))
        if tags & {"injected-parameters", "papermill-error-cell-tag"}:
            if at == number:
                return None
            continue
        position += 1
        if at == number:
            return position
    return None


def _failed_cell_position(executed: Path) -> int | None:
    """Where the failing cell is in the analyst's notebook: 1-based, not counting papermill's
    injected-parameters and error-marker cells (which the analyst's notebook does not have)."""
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    position = 0
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if tags & {"injected-parameters", "papermill-error-cell-tag"}:
            continue
        position += 1
        if cell.metadata.get("papermill", {}).get("status") == "failed":
            return position
    return None


def _last_lines(path: Path, count: int = 3) -> str:
    """The last ``count`` non-blank lines of a log file, joined; blank when there is none."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return " | ".join([line.strip() for line in lines if line.strip()][-count:])


def _keep_failed(executed: Path, folder: Path, stem: str, result: JobResult) -> None:
    """Keeps the executed notebook (with papermill's error markers) as ``<stem>.failed.ipynb``."""
    try:
        if executed.exists():
            os.replace(executed, folder / f"{stem}.failed.ipynb")
            result.ipynb = f"{stem}.failed.ipynb"
    except OSError:  # the failure is already recorded; losing the copy must not hide it
        result.ipynb = None


# -- incremental builds ----------------------------------------------------------------------------


@cache
def _package_digest() -> str:
    """A digest of perfnb's own code and templates: a change to either rebuilds every report,
    as a new version does."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *TEMPLATES.rglob("*"), *root.rglob("*.mplstyle")]):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_key(
    notebook: Path, parameters: Mapping[str, object], inputs: Mapping[str, str], version: str
) -> str:
    """What a report is built from, as one digest: the notebook's bytes, its parameters (not
    the output folder), the input files' hashes and perfnb (version and code)."""
    shown = {k: v for k, v in parameters.items() if k != "output_dir"}
    payload = {
        "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "parameters": shown,
        "inputs": dict(inputs),
        "perfnb": [version, _package_digest()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _manifest_reports(folder: Path) -> dict[str, dict]:
    """The reports of the period's manifest by key; none when there is no readable one."""
    try:
        return {r["key"]: r for r in json.loads((folder / MANIFEST).read_text())["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _up_to_date(folder: Path, entry: dict | None, build: str) -> dict | None:
    """A report's manifest ``entry`` when its last build was good, from the same ``build``,
    and its files are all still there; else None."""
    if not entry or entry.get("status") != "ok" or entry.get("build") != build:
        return None
    names = [entry.get("html"), entry.get("ipynb"), *entry.get("files", [])]
    if not all(name and (folder / name).is_file() for name in names):
        return None
    return entry


# -- many jobs ---------------------------------------------------------------------------------


def default_workers() -> int:
    """How many reports to build at once by default: one per CPU."""
    return os.cpu_count() or 1


def _execute(
    specs: list[tuple[tuple, dict[str, object]]],
    timeout: float | None,
    workers: int | None,
    executor: Executor | None,
    echo: Callable[[str], None],
    progress: bool = False,
) -> list[JobResult]:
    """Runs every job (``run_job`` arguments and the counts to set on its result) and returns
    the results in the order given. One job at a time here when ``workers`` is 1 or there is
    one job; else on ``executor``, or on a pool of ``workers`` processes (default: one per CPU)
    that is shut down at the end. Each job writes only its own temporary folder and files, so
    they never touch each other's outputs. With ``progress``, a bar over the jobs on stderr
    (for a terminal; plain lines otherwise)."""
    bar = (
        tqdm(total=len(specs), desc="reports", unit="report", file=sys.stderr, leave=True)
        if progress and specs
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
        args, counts = specs[number]
        for name, value in counts.items():
            setattr(result, name, value)
        where = f" at cell {result.cell}" if result.cell is not None else ""
        say(
            f"  {result.notebook} for {result.service} ({args[2]['period']}): {result.status} "
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
        for path, service, params, *_ in (args for args, _ in specs):
            echo(f"running {path.name} for {service} ({params['period']})")
    try:
        return _run_all(
            specs, timeout, workers, executor, finish, on_cell=None if bar is None else show_cell
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


def _start_worker(data_dir: str | None = None, cells: Any = None) -> None:
    """A pool process's start on its jobs: it becomes a run's worker (a stop signal stops its
    report; it exits when the run that started it dies), and its kernel template imports (and
    reads the data set at ``data_dir``) while it goes on (a template that cannot start is
    reported by the first job that needs it); its jobs' cells go to ``cells``, a queue, when
    given."""
    global _cells_queue
    stopping.serve_as_worker()
    if cells is not None:
        _cells_queue = cells
    with contextlib.suppress(Exception):
        start_kernel_template(data_dir)


def _longest_first(specs: list[tuple[tuple, dict[str, object]]]) -> list[int]:
    """The jobs' positions, the biggest reports (most measures or actions) first, so that no
    long report starts last while the other workers sit idle."""

    def size(number: int) -> int:
        counts = specs[number][1]
        if "measures" in counts:
            return int(cast(int, counts["measures"]))
        return sum(cast(Mapping[str, int], counts.get("rag_counts") or {}).values())

    return sorted(range(len(specs)), key=lambda number: -size(number))


# how long a stopped run waits for its workers to hand back their reports before killing them
WORKER_GRACE = 3.5


def _stopped(args: tuple) -> JobResult:
    """The result of a job that a stop kept from starting."""
    notebook, service = args[0], args[1]
    return JobResult(Path(notebook).stem, service, "stopped", 0.0, error="not started: stopped")


def _run_all(
    specs: list[tuple[tuple, dict[str, object]]],
    timeout: float | None,
    workers: int | None,
    executor: Executor | None,
    finish: Callable[[int, JobResult], JobResult],
    on_cell: Callable[[str, int, int], None] | None = None,
) -> list[JobResult]:
    """The jobs, here one after another or on a pool; results in the order given. Each job's
    cells are told to ``on_cell`` as they start, here and from this function's own pool (not
    from another executor's). A stop signal (``perfnb.stopping``) ends the jobs running as
    "stopped" and starts no more: their results are "stopped" too."""
    workers = default_workers() if workers is None else workers
    data_dirs = {str(args[2].get("data_dir", "")) for args, _ in specs}
    data_dir = data_dirs.pop() if len(data_dirs) == 1 else None
    # decided here, where the run started, for this process's workers too; another executor's
    # workers (a Dask cluster's, on other machines) use their own
    temporary = temporary_root()
    results: dict[int, JobResult] = {}
    if executor is None and (workers == 1 or len(specs) <= 1):
        with contextlib.suppress(Exception):
            start_kernel_template(data_dir)
        for number, (args, _) in enumerate(specs):
            if stopping.requested() is not None:
                break
            job = run_job(*args, timeout=timeout, on_cell=on_cell, temporary=temporary)
            results[number] = finish(number, job)
        return [results.get(n) or _stopped(specs[n][0]) for n in range(len(specs))]
    own = executor is None
    context = multiprocessing.get_context("spawn")
    cells = context.SimpleQueue() if own and on_cell is not None else None
    pool = executor or ProcessPoolExecutor(
        max_workers=min(workers, len(specs)),
        mp_context=context,
        initializer=_start_worker,
        initargs=(data_dir, cells),
    )
    if cells is not None:
        threading.Thread(target=_read_cells, args=(cells, on_cell), daemon=True).start()
    forward = partial(_signal_workers, pool) if own else None
    try:
        with stopping.forwarding(forward):
            futures = {}
            for number in _longest_first(specs):
                if stopping.requested() is not None:
                    break
                future = pool.submit(
                    run_job,
                    *specs[number][0],
                    timeout=timeout,
                    on_cell=None if cells is None else _send_cell,
                    temporary=temporary if own else None,
                )
                futures[future] = number
            pending, give_up = set(futures), None
            while pending:
                done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in done:
                    if not future.cancelled():
                        number = futures[future]
                        results[number] = finish(number, _outcome(future, specs[number][0]))
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
    return [results.get(n) or _stopped(specs[n][0]) for n in range(len(specs))]


def _outcome(future: Any, args: tuple) -> JobResult:
    """A finished job's result; "stopped" for one that a stop broke off (its worker gone)."""
    try:
        return future.result()
    except Exception:
        if stopping.requested() is not None:
            return _stopped(args)
        raise


def _read_cells(cells: Any, on_cell: Callable[[str, int, int], None]) -> None:
    """Passes the workers' cells to ``on_cell`` until the run's end (None)."""
    while (item := cells.get()) is not None:
        with contextlib.suppress(Exception):
            on_cell(*item)


# -- a run -----------------------------------------------------------------------------------


def _named(names: Sequence[str], known: Sequence[str], where: str) -> list[str]:
    """``names`` as services of ``known``, each matched by name or slug, without repeats; an
    unknown one is an error naming ``where`` was looked."""
    by_slug = {slugify(s): s for s in known}
    chosen = [s if s in known else by_slug.get(slugify(s), "") for s in names]
    unknown = [given for given, found in zip(names, chosen, strict=True) if not found]
    if unknown:
        raise RunError(
            f"no service named {', '.join(map(repr, unknown))} in {where}; there are: "
            f"{', '.join(known)}"
        )
    return list(dict.fromkeys(chosen))


def choose_services(card: pd.DataFrame, data: Dataset, services: Sequence[str] | None) -> list[str]:
    """The services to report on: those named (by name or slug), else those with figures."""
    if services:
        return _named(services, data.services, f"{data.path}/measures.csv")
    chosen = services_with_figures(card)
    if not chosen:
        raise RunError(
            f"no service has figures for {card['period'].iloc[0]} in {data.path}; the latest "
            f"period with data is {data.latest_period().label}"
        )
    return chosen


def _named_services(data: Dataset, services: Sequence[str]) -> list[str]:
    """The services named (by name or slug) among those with measures or actions."""
    known = list(dict.fromkeys([*data.services, *pd.unique(data.actions["service"])]))
    files = "measures.csv or actions.csv" if len(data.actions) else "measures.csv"
    return _named(services, known, f"{data.path}/{files}")


def _services_by_kind(
    card: pd.DataFrame,
    data: Dataset,
    period: Period,
    services: Sequence[str] | None,
    kinds: set[str],
) -> dict[str, list[str]]:
    """The services each kind of notebook is run for: those named (a measures notebook for
    those with measures, an actions notebook for those with actions), else those with figures
    for the period and those with an action plan in it."""
    planned = set(data.actions["service"])
    if services:
        named = _named_services(data, services)
        return {
            "measures": [s for s in named if s in set(data.services)],
            "actions": [s for s in named if s in planned],
        }
    chosen = {
        "measures": services_with_figures(card),
        "actions": services_with_actions(data.actions, data.action_updates, period),
    }
    if not any(chosen[kind] for kind in kinds):
        what = "figures" if kinds == {"measures"} else "figures or an action plan"
        what = "an action plan" if kinds == {"actions"} else what
        raise RunError(
            f"no service has {what} for {period.label} in {data.path}; the latest period "
            f"with data is {data.latest_period().label}"
        )
    return chosen


def _shown_path(path: Path) -> str:
    """A path as a published report may show it: relative to here, else just its name."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path.name


def _remove_within(folder: Path, name: object, echo: Callable[[str], None]) -> None:
    """Deletes ``folder/name`` if it is a file inside ``folder``; a manifest's path that leads
    out of it (``../x``, an absolute path, a link out) is data, never an instruction: refused,
    with a warning."""
    root = folder.resolve()
    target = (folder / str(name)).resolve()
    if not target.is_relative_to(root) or target == root:
        echo(f"warning: {MANIFEST} names {name!r}, outside {folder}: not deleted")
        return
    if target.is_file():
        target.unlink(missing_ok=True)


def _merge_manifest(
    folder: Path,
    run: dict[str, object],
    jobs: list[JobResult],
    echo: Callable[[str], None] = lambda _: None,
) -> dict:
    """The period's manifest: this run's jobs replace earlier entries for the same reports."""
    reports = _manifest_reports(folder)
    for job in jobs:
        if job.status in ("skipped", "stopped"):  # its entry stands, if it has one
            continue
        entry = {"key": job.key, **asdict(job), "run": run}
        before = reports.get(job.key, {})
        if job.status == "ok":  # tables and charts this report no longer has
            for stale in set(before.get("files", [])) - set(job.files):
                _remove_within(folder, stale, echo)
        if job.status != "ok":
            good = before if before.get("status") == "ok" else before.get("last_good")
            if good and (folder / good["html"]).exists():
                entry["last_good"] = {k: good[k] for k in ("html", "finished", "run") if k in good}
        reports[job.key] = entry
    return {**run, "reports": sorted(reports.values(), key=lambda r: r["key"])}


@dataclass
class _Prepared:
    """One period's run, planned: its jobs, the tables to write when it starts, and how to
    finish it (manifest and index) once its jobs are done."""

    period: Period
    folder: Path
    specs: list[tuple[tuple, dict[str, object]]]  # the jobs to run
    tables: dict[str, str]
    finish: Callable[[list[JobResult]], RunResult]  # given the run jobs' results

    def start(self) -> None:
        # utf-8-sig: Excel, where most people open it, needs the byte-order mark for £ and dashes
        _write_outputs(self.folder, self.tables, encoding="utf-8-sig")


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
    echo: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
    executor: Executor | None = None,
    force: bool = False,
    progress: bool = False,
    wait: float = 0.0,
) -> RunResult:
    """Builds every report of ``period`` (default: the latest with data) into ``out_dir``.

    Validates the data and every notebook's parameters first (raising ``DataError`` or
    ``RunError`` before anything is written), then runs each (notebook, service) job; a job that
    fails is reported in the result and the others still run. Jobs run ``workers`` at a time in
    separate processes (default: one per CPU; 1 runs them here, one after another), or on
    ``executor`` (any ``concurrent.futures.Executor``, such as a Dask client's). A report whose
    notebook, parameters, input files and perfnb are unchanged since its last good build is
    not rebuilt (``force`` rebuilds it); ``manifest.json`` records what each was built from.
    """
    return run_periods(
        [period],
        data_dir,
        out_dir,
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
    )[0]


def year_quarters(year: str | Period, data: Dataset | None = None) -> list[Period]:
    """The quarters of financial ``year`` (``2017/18``), those with data when ``data`` is
    given (the year's later quarters are not reported yet)."""
    chosen = parse_period(year)
    if chosen.kind != "year":
        raise RunError(f"--year takes a financial year such as 2017/18, not {chosen.label}")
    quarters = [parse_period(f"{chosen.label} Q{n}") for n in range(1, 5)]
    if data is not None:
        reported = {p for p in data.periods() if p.kind in ("month", "quarter")}
        ends = {p.end for p in reported}  # a month ending a quarter reports it too
        quarters = [q for q in quarters if q in reported or q.end in ends]
        if not quarters:
            raise RunError(f"no figure in {chosen.label}: no quarter of it has data")
    return quarters


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
    echo: Callable[[str], None] = lambda _: None,
    workers: int | None = None,
    executor: Executor | None = None,
    force: bool = False,
    progress: bool = False,
    wait: float = 0.0,
) -> list[RunResult]:
    """Builds every report of each of ``periods`` (None: the latest with data), all the
    periods' jobs in one pool. Every period is validated and planned before anything is
    written; each gets its own folder, ``manifest.json`` and ``index.html``. One run at a time
    writes to ``out_dir``: another run's lock is waited for up to ``wait`` seconds, else
    ``perfnb.output_lock.OutputBusy`` names it."""
    if workers is not None and workers < 1:
        raise RunError(f"--workers must be 1 or more, not {workers}")
    chosen = list(dict.fromkeys(periods)) or [None]
    data = load_dataset(data_dir)  # read once for every period

    def plan() -> list:
        prepared = [
            _prepare_period(
                period,
                data_dir,
                out_dir,
                services=services,
                notebooks=notebooks,
                notebooks_dir=notebooks_dir,
                parameters=parameters,
                echo=echo,
                force=force,
                data=data,
            )
            for period in chosen
        ]
        labels = [p.period.label for p in prepared]
        if len(set(labels)) != len(labels):  # "2017/18 Q1" and its slug, say
            prepared = list({p.period.label: p for p in prepared}.values())
        return prepared

    with stopping.on_signals():
        prepared = plan()  # every check before the output folder is touched
        with output_lock(out_dir, wait, _now()) as waited, stopping.deferred():
            _remove_leftovers(Path(out_dir), echo)
            if waited:  # another run wrote meanwhile: plan from what it left
                prepared = plan()
            for each in prepared:
                each.start()
            specs = [spec for each in prepared for spec in each.specs]
            jobs = _execute(specs, timeout, workers, executor, echo, progress)
            # even when stopped: the reports that finished get their index and manifest
            results, at = [], 0
            for each in prepared:
                mine = jobs[at : at + len(each.specs)]
                at += len(each.specs)
                results.append(each.finish(mine))
        if (signum := stopping.requested()) is not None:
            raise stopping.RunStopped(signum, results)
    return results


def _remove_leftovers(out_root: Path, echo: Callable[[str], None]) -> None:
    """Removes what runs that died left: working folders and half-written files in the
    output folder (whose lock this run holds), and their socket folders."""
    left = stopping.remove_stale_work(out_root) + stopping.remove_stale_sockets(temporary_root())
    if left:
        echo(f"removed {len(left)} folder(s) and file(s) left by a run that was killed")


def _prepare_period(
    period: str | Period | None,
    data_dir: str | Path,
    out_dir: str | Path,
    *,
    services: Sequence[str] | None,
    notebooks: Sequence[str] | None,
    notebooks_dir: str | Path,
    parameters: Mapping[str, object] | None,
    echo: Callable[[str], None],
    force: bool = False,
    data: Dataset | None = None,
) -> _Prepared:
    """Validates and plans one period's run (``data``: the data set at ``data_dir``, when it
    has been read already); writes nothing but its (empty) folder."""
    data = load_dataset(data_dir) if data is None else data
    chosen_period = parse_period(period) if period is not None else data.latest_period()
    whole_card = build_scorecard(data, chosen_period)
    paths = find_notebooks(notebooks_dir, notebooks)
    kinds = {path: report_kind(path) for path in paths}
    by_kind = _services_by_kind(whole_card, data, chosen_period, services, set(kinds.values()))
    planned = [(path, service) for path in paths for service in by_kind[kinds[path]]]
    if not planned:
        raise RunError(
            f"none of the notebooks ({', '.join(p.stem for p in paths)}) reports on "
            f"{', '.join(map(repr, services or []))}: measures notebooks are run for services "
            "with measures, actions notebooks for services with actions"
        )
    extra = dict(parameters or {})
    options = {
        "period": "--period",
        "service": "--service",
        "data_dir": "--data",
        "output_dir": "--out",
    }
    clash = [name for name in extra if name in options]
    if clash:
        raise RunError("; ".join(f"{name} is set with {options[name]}, not -p" for name in clash))
    problems = [p for path in paths for p in check_notebook(path, extra)]
    if problems:
        raise RunError("the notebooks cannot be run:\n  " + "\n  ".join(problems))

    commentary_file = commentary_path(data.path, chosen_period)
    try:
        commentary = load_commentary(data.path, chosen_period)
    except CommentaryError as exc:
        raise RunError(str(exc)) from exc
    for problem in commentary_problems(commentary, data.measures["measure_id"], commentary_file):
        echo(f"warning: {problem}")

    keys: dict[str, tuple[str, str]] = {}
    for path, service in planned:
        key = f"{path.stem}-{slugify(service)}"
        if key in keys:
            other = keys[key]
            raise RunError(
                f"{path.name} for {service} and {other[0]}.ipynb for {other[1]} would both "
                f"write {key}.html; rename the notebook or the service"
            )
        keys[key] = (path.stem, service)

    out_root = Path(out_dir).resolve()
    folder = out_root / chosen_period.slug
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(folder, exc) from exc
    hashes = data.file_hashes()
    if commentary_file.is_file():  # the analysts' words are an input of the report too
        hashes[commentary_file.relative_to(data.path).as_posix()] = hashlib.sha256(
            commentary_file.read_bytes()
        ).hexdigest()
    versions = _versions()
    run_info: dict[str, object] = {
        "period": chosen_period.label,
        "data_dir": str(Path(data_dir).resolve()),
        "inputs": hashes,
        "versions": versions,
        "started": _now(),
    }
    tables: dict[str, str] = {}
    counted = pd.DataFrame(columns=["size", "sum"])
    running = {kinds[path] for path, _ in planned}  # each period table with its reports
    if "measures" in running:
        covered = set(services_with_figures(whole_card)) | set(by_kind["measures"])
        card = whole_card[whole_card["service"].isin(covered)]
        tables["scorecard.csv"] = csv_text(card)
        counted = (
            card.assign(figure=has_figure(card)).groupby("service")["figure"].agg(["size", "sum"])
        )
    live_plans: set[str] = set()
    progress = pd.DataFrame(columns=["service"])
    if "actions" in running:
        # every plan of the period, and any named, as scorecard.csv has every measure's row
        live_plans = set(services_with_actions(data.actions, data.action_updates, chosen_period))
        covered = live_plans | set(by_kind["actions"])
        planned_actions = data.actions[data.actions["service"].isin(covered)]
        progress = action_progress(planned_actions, data.action_updates, chosen_period)
        columns = [*ACTION_COLUMNS, *(c for c in progress.columns if c not in ACTION_COLUMNS)]
        tables["actions.csv"] = csv_text(progress[columns])

    # first what each job needs and what to warn about, then the jobs (on ``executor`` when
    # given, else ``workers`` processes, else here), then their counts for the index
    specs: list[tuple[tuple, dict[str, object]]] = []
    order: list[int | JobResult] = []  # each job: its place in specs, or its skipped result
    built_before = _manifest_reports(folder)
    for path, service in planned:
        kind = kinds[path]
        params = {
            "period": chosen_period.label,
            "service": service,
            "data_dir": str(Path(data_dir).resolve()),
            "output_dir": str(out_root),
            **extra,
        }
        what = "action plan" if kind == "actions" else ""
        provenance = {
            "title": " - ".join(x for x in (data.council, service, what, chosen_period.label) if x),
            "produced": dt.datetime.now().strftime("%d %B %Y %H:%M"),
            "version": versions.get("perfnb", ""),
            "inputs": hashes,
            # what the published footer shows: no output folder, no paths outside the project
            "shown_parameters": {
                "period": chosen_period.label,
                "service": service,
                "data set": _shown_path(Path(data_dir)),
                **extra,
            },
        }
        counts: dict[str, object] = {"kind": kind}
        if kind == "measures":
            # a named service whose measures are all outside their from and until has none
            measures, with_figures = (
                int(n) for n in counted.reindex([service], fill_value=0).iloc[0]
            )
            service_card = card[card["service"] == service]
            missing = missing_commentary(service_card, commentary)
            for measure_id, rag, problem in missing[["measure_id", "rag", "problem"]].itertuples(
                index=False
            ):
                echo(f"warning: {service}: {measure_id} is {rag} and has {problem}")
            if not measures:
                echo(
                    f"warning: {service} reports no measure in {chosen_period.label}: each is "
                    "outside its from and until in measures.csv, so no report is built"
                )
                continue
            if not with_figures:
                echo(
                    f"warning: {service} has no figure for {chosen_period.label} in any of its "
                    f"{measures} measures; its report shows every measure as pending"
                )
            counts.update(
                measures=measures,
                with_figures=with_figures,
                rag_counts=rag_counts(service_card),
                without_commentary=list(missing["measure_id"]),
            )
        else:
            own = progress[progress["service"] == service]
            if service not in live_plans:
                echo(
                    f"warning: {service} has no action update for {chosen_period.label} in any "
                    f"of its {len(own)} actions; its action plan report shows them as they last "
                    "stood"
                )
            counts["rag_counts"] = {r: n for r, n in action_counts(own).items() if n}
        key = f"{path.stem}-{slugify(service)}"
        counts["build"] = build_key(path, params, hashes, versions.get("perfnb", ""))
        built = None if force else built_before.get(key)
        entry = _up_to_date(folder, built, str(counts["build"]))
        if entry is not None:
            known = {f.name for f in fields(JobResult)}
            unchanged = JobResult(**{k: v for k, v in entry.items() if k in known})
            unchanged.status, unchanged.seconds = "skipped", 0.0
            order.append(unchanged)
            echo(f"unchanged since {entry.get('finished', '')}: {path.name} for {service}")
            continue
        order.append(len(specs))
        specs.append(((path, service, params, folder, provenance), counts))

    def finish(ran: list[JobResult]) -> RunResult:
        jobs = [ran[item] if isinstance(item, int) else item for item in order]
        run_info["finished"] = _now()
        manifest = _merge_manifest(folder, run_info, jobs, echo)
        written = [name for name in ("scorecard.csv", "actions.csv") if (folder / name).exists()]
        _write_outputs(
            folder,
            {
                MANIFEST: json.dumps(manifest, indent=2),
                "index.html": render_index(
                    data, chosen_period, manifest["reports"], run_info, tables=written
                ),
            },
        )
        return RunResult(chosen_period, folder, jobs)

    return _Prepared(chosen_period, folder, specs, tables, finish)
