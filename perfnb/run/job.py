"""One report: a notebook executed for one service in a fresh kernel (papermill), exported as
HTML (nbconvert) and published into the period folder whole or not at all.

``run_job`` never raises for the notebook's own failure: a failing cell, a dead kernel, a
timeout or a stop are all in the ``JobResult`` it returns.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.iorw import write_ipynb

from perfnb.exhibits import PRINT_IMAGES_VARIABLE, Exhibit
from perfnb.loader import slugify
from perfnb.pages.parts import PRODUCED_VARIABLE
from perfnb.pages.preprocess import ContentsPreprocessor
from perfnb.run import export, stopping
from perfnb.run.export import export_html, strip_for_report
from perfnb.run.kernel import CurrentPythonKernelManager
from perfnb.run.pdf import print_pdf
from perfnb.run.publish import (
    publish_files,
    take_cell_exhibits,
    take_exhibits,
    write_exhibits,
)
from perfnb.run.results import JobResult, now

__all__ = ["Job", "run_job", "temporary_root"]


@dataclass(frozen=True)
class Job:
    """One report to build: ``notebook`` run for ``service`` with ``parameters`` and published
    into the period's ``folder``, with what the index and manifest say of it (worked out when
    the run was planned)."""

    notebook: Path
    service: str
    parameters: Mapping[str, object]  # what the notebook's parameters cell is given
    folder: Path
    provenance: Mapping[str, object]  # title, date, version and inputs the page shows
    kind: str = "measures"  # what the notebook reports on: REPORT_KINDS
    build: str = ""  # what it is built from: notebook, parameters, inputs, perfnb (a digest)
    measures: int = 0  # measures of the service in the report
    with_figures: int = 0  # of which have a figure for the period itself
    rag_counts: Mapping[str, int] = field(default_factory=dict)  # by rating
    without_commentary: tuple[str, ...] = ()  # Red/Amber measures with no commentary
    produced: str = ""  # when the run produced it (ISO 8601), for the title block's date
    formats: tuple[str, ...] = ("html",)  # the files it is written as: perfnb.output_formats
    chart_png: bool = False  # its charts published as 300 dpi PNG too (--png, or for Word)
    changes: Mapping[str, int] = field(default_factory=dict)  # moved since the period before

    @property
    def key(self) -> str:
        """The report's file stem: ``<notebook>-<service-slug>``."""
        return f"{self.notebook.stem}-{slugify(self.service)}"

    @property
    def size(self) -> int:
        """How big the report is: its measures, or for an action plan its actions."""
        return self.measures if self.kind == "measures" else sum(self.rag_counts.values())

    def result(self, status: str, **outcome: Any) -> JobResult:
        """A result of this job with ``status``, the planned counts and ``outcome``'s fields."""
        return JobResult(
            notebook=self.notebook.stem,
            service=self.service,
            status=status,
            seconds=outcome.pop("seconds", 0.0),
            measures=self.measures,
            with_figures=self.with_figures,
            rag_counts=dict(self.rag_counts),
            without_commentary=list(self.without_commentary),
            changes=dict(self.changes),
            kind=self.kind,
            build=self.build,
            **outcome,
        )


class CellReportingEngine(NBClientEngine):
    """papermill's nbclient engine that also tells ``on_cell(number, total)`` as each cell of
    the notebook starts (numbers from 1, papermill's parameters cell included), and takes each
    cell's exhibits (``perfnb.exhibits``) out of its outputs into ``exhibits`` as they arrive,
    before papermill saves the notebook: they never reach a file, and a cell that shows a
    thousand charts never holds them all as base64 text."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: NotebookExecutionManager,
        kernel_name: str,
        on_cell: Callable[[int, int], None] | None = None,
        exhibits: list[Exhibit] | None = None,
        **kwargs: Any,
    ) -> Any:
        running: list[int] = []  # the index of the cell running
        started = nb_man.cell_start
        total = len(nb_man.nb.cells)

        def cell_start(cell: nbformat.NotebookNode, cell_index: int | None = None, **kw: Any):
            started(cell, cell_index, **kw)
            if cell_index is not None:
                running[:] = [cell_index]
                if on_cell is not None:
                    on_cell(cell_index + 1, total)

        nb_man.cell_start = cell_start
        if exhibits is not None:
            completed, autosave = nb_man.cell_complete, nb_man.autosave_cell

            def cell_complete(
                cell: nbformat.NotebookNode, cell_index: int | None = None, **kw: Any
            ) -> None:
                exhibits.extend(take_cell_exhibits(cell, (cell_index or 0) + 1))
                completed(cell, cell_index, **kw)

            def output_arrived() -> Any:
                # papermill's client calls this after each message the kernel sends
                if running:
                    at = running[0]
                    exhibits.extend(take_cell_exhibits(nb_man.nb.cells[at], at + 1))
                return autosave()

            nb_man.cell_complete = cell_complete
            nb_man.autosave_cell = output_arrived
        return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)


papermill_engines.register("perfnb", CellReportingEngine)

IOPUB_SECONDS = 120  # how long a cell's outputs may take to arrive once it has run

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
    job: Job,
    *,
    timeout: float | None = None,
    on_cell: Callable[[str, int, int], None] | None = None,
    temporary: str | Path | None = None,
) -> JobResult:
    """Executes ``job``'s notebook for its service and exports it; never raises for a notebook
    error. ``on_cell(report, number, total)`` is told of each cell as it starts; the kernel's
    socket folder goes in ``temporary`` (default: :func:`temporary_root`)."""
    notebook, folder, provenance = job.notebook, job.folder, job.provenance
    result = job.result("failed", started=now())
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
        # the tables and charts it shows (taken from each cell's outputs as it completes), and
        # any file it writes under its output folder, are staged here; they are moved beside
        # the report only once the whole report has been built
        staging = work / "output"
        exhibits: list[Exhibit] = []
        deadline = time.time() + timeout if timeout else None
        # the kernel's own variables: when the report was produced, and whether its charts
        # are drawn as 300 dpi PNG too (said either way: never inherited from the shell)
        environment = {PRINT_IMAGES_VARIABLE: "1" if job.chart_png else "0"}
        if job.produced:
            environment[PRODUCED_VARIABLE] = job.produced
        with stopping.working_folder(work), stopping.working_folder(sockets):
            for attempt in (1, 2):
                exhibits.clear()  # a second start runs every cell again
                # a second start is a new interpreter: whatever stopped a forked kernel, not that
                manager = CurrentPythonKernelManager.logging_to(
                    work / "kernel.log",
                    sockets,
                    deadline,
                    fresh=attempt == 2,
                    environment=environment,
                )
                try:
                    papermill.execute_notebook(
                        str(notebook),
                        str(executed),
                        parameters={**job.parameters, "output_dir": str(staging)},
                        kernel_name="python3",
                        kernel_manager_class=manager,
                        engine_name="perfnb",
                        on_cell=cell_started,
                        exhibits=exhibits,
                        progress_bar=False,
                        cwd=str(notebook.parent),
                        execution_timeout=timeout,  # no cell may take longer than the whole job
                        # a cell's last output may be tens of MB (a thousand measures' charts):
                        # nbclient's 4 s to receive it failed a 1,005-measure report
                        iopub_timeout=IOPUB_SECONDS,
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
            running.clear()  # every cell ran: what fails from here is no cell's
            nb = nbformat.read(executed, as_version=4)
            # the tables and charts it showed, into the staging folder (any output the engine
            # did not see complete is taken out of the notebook here)
            late = take_exhibits(nb)
            # the published notebook has its contents list, so that it opens in JupyterLab
            # looking as its page does (the page's export makes the same list)
            ContentsPreprocessor().preprocess(nb, {})
            write_ipynb(nb, str(executed))
            write_exhibits([*exhibits, *late], staging / folder.name, job.service)
            result.warnings += strip_for_report(nb)
            nb.metadata["title"] = provenance.get("title", stem)
            nb.metadata["perfnb"] = {**nb.metadata.get("perfnb", {}), **provenance}
            page = work / f"{stem}.html"
            if executed.stat().st_size > export.APART_BYTES:  # the notebook let go first
                export.save_for_export(nb, work / f"{stem}.page.ipynb")
                del nb
                gc.collect()
                try:
                    export.export_html_apart(work / f"{stem}.page.ipynb", page)
                except RuntimeError:
                    if stopping.requested() is not None:  # Ctrl-C reached it too
                        raise stopping.RunStopped(stopping.requested() or 0) from None
                    raise
                html = page.read_text(encoding="utf-8")
            else:
                html = export_html(nb)
                page.write_text(html, encoding="utf-8")
            # the PDF and the Word file, from the page; one that fails fails the report, and
            # the page, tables and charts are still published
            made, failures = write_formats(job, html, work, staging / folder.name, timeout)
            # whole or not at all, and never once the run is stopping or gone: tables and
            # charts first, so the new report goes live only once its files are in place
            with stopping.publishing():
                result.files = publish_files(staging / folder.name, folder)
                for name in made:
                    os.replace(work / name, folder / name)
                os.replace(executed, folder / f"{stem}.ipynb")
                os.replace(work / f"{stem}.html", folder / f"{stem}.html")
                (folder / f"{stem}.failed.ipynb").unlink(missing_ok=True)
        result.status, result.html, result.ipynb = "ok", f"{stem}.html", f"{stem}.ipynb"
        result.formats = made
        if failures:
            result.status, result.error = "failed", "; ".join(failures)
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
        result.finished = now()
    return result


def write_formats(
    job: Job, html: str, work: Path, staged: Path, timeout: float | None
) -> tuple[list[str], list[str]]:
    """Writes ``job``'s report as each of its formats besides the page (``<stem>.pdf``,
    ``<stem>.docx``) into ``work``, from the exported page ``html`` (already at
    ``work/<stem>.html``) and the charts staged under ``staged``; returns the files written
    and, for each format that failed, what went wrong."""
    stem = job.key
    made: list[str] = []
    failures: list[str] = []
    for kind in job.formats:
        if kind == "html":
            continue
        try:
            if kind == "pdf":
                print_pdf(
                    work / f"{stem}.html", work / f"{stem}.pdf", work / "chromium", timeout or 300.0
                )
            elif kind == "docx":
                from perfnb.pages.word import word_document  # python-docx, loaded when asked

                charts = staged / "charts" / slugify(job.service)
                document = word_document(html, partial(_chart_png, charts))
                document.save(str(work / f"{stem}.docx"))
            made.append(f"{stem}.{kind}")
        except Exception as exc:  # one format's failure is the report's, named as such
            failures.append(f"the {kind.upper()} file could not be made: {exc}")
    return made, failures


def _chart_png(folder: Path, name: str) -> bytes | None:
    """The 300 dpi PNG of the chart ``name`` staged in ``folder``, or None."""
    path = folder / f"{name}.png"
    return path.read_bytes() if path.is_file() else None


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
            _without_exhibits(executed)
            os.replace(executed, folder / f"{stem}.failed.ipynb")
            result.ipynb = f"{stem}.failed.ipynb"
    except OSError:  # the failure is already recorded; losing the copy must not hide it
        result.ipynb = None


# -- incremental builds ----------------------------------------------------------------------------


def _without_exhibits(executed: Path) -> None:
    """Takes the tables' and charts' files out of an executed notebook kept for the analyst
    (they are not published, and would make it many times bigger)."""
    try:
        nb = nbformat.read(executed, as_version=4)
        if take_exhibits(nb):
            write_ipynb(nb, str(executed))
    except (OSError, ValueError):  # kept as it is: the failure matters more than its size
        return
