"""What a run tells its caller: one report's outcome (``JobResult``), one period's
(``RunResult``), and ``RunError``, the run that cannot start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from perfnb.loader import slugify
from perfnb.periods import Period

__all__ = ["JobResult", "RunError", "RunResult", "now"]


class RunError(Exception):
    """The run cannot start: a bad period, service, notebook or parameter. Nothing was written."""


def now() -> str:
    """The time now in UTC, to the second, as ISO 8601 text (the manifest's times)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


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
    formats: list[str] = field(default_factory=list)  # its PDF and Word files, when made
    # measures improving, declining, stable; ratings better, worse, since the period before
    changes: dict[str, int] = field(default_factory=dict)
    # the SHA-256 of each file it published (page, notebook, tables, charts, formats) by path
    # relative to the folder, as it wrote them: a file changed since rebuilds the report
    hashes: dict[str, str] = field(default_factory=dict)

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
