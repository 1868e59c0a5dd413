"""Planning a period's run: every check before anything is written (the period, the services,
the notebooks' parameters, the commentary file), then the jobs to run, the period's tables
(``scorecard.csv``, ``actions.csv``) and what each report's index entry will say.

Planning writes nothing but the period's (empty) folder; ``PeriodPlan.finish`` is given the
jobs' results and returns the manifest and index to write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from perfnb.actions import ACTION_COLUMNS, action_progress, services_with_actions
from perfnb.commentary import (
    Commentary,
    CommentaryError,
    commentary_path,
    commentary_problems,
    load_commentary,
)
from perfnb.files import csv_text
from perfnb.loader import Dataset, slugify
from perfnb.model import action_counts, report_changes, report_counts
from perfnb.output_formats import parse_formats
from perfnb.pages.index import render_index
from perfnb.period_rows import PeriodRows
from perfnb.periods import Period, parse_period
from perfnb.run.job import Job
from perfnb.run.manifest import (
    MANIFEST,
    build_key,
    manifest_reports,
    merge_manifest,
    up_to_date,
    versions,
)
from perfnb.run.notebooks import check_notebook, find_notebooks, report_kind
from perfnb.run.output_lock import unwritable
from perfnb.run.results import JobResult, RunError, RunResult, now
from perfnb.scorecard import build_scorecard, services_with_figures

__all__ = ["PeriodPlan", "RunOptions", "choose_services", "plan_period", "year_quarters"]

# the run's own options, which a notebook parameter given with -p may not set
_OPTIONS = {
    "period": "--period",
    "service": "--service",
    "data_dir": "--data",
    "output_dir": "--out",
}


def _quiet(_: str) -> None:
    """Says nothing: the default ``echo``."""


def _emptied(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s columns and types with no rows, sharing none of its memory (a slice such
    as ``iloc[0:0]`` is a view that keeps every row alive)."""
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in frame.dtypes.items()})


@dataclass(frozen=True)
class RunOptions:
    """How a run goes, besides its periods, data and output folder: the keyword arguments of
    ``run_reports`` and ``run_periods`` (documented there), in one value."""

    services: Sequence[str] | None = None
    notebooks: Sequence[str] | None = None
    notebooks_dir: str | Path = "notebooks"
    parameters: Mapping[str, object] | None = None
    timeout: float | None = None  # seconds a report may take
    echo: Callable[[str], None] = _quiet
    workers: int | None = None
    executor: Executor | None = None
    force: bool = False
    progress: bool = False
    wait: float = 0.0  # seconds to wait for another run's lock on the output folder
    formats: Sequence[str] | None = None  # html, pdf, docx (default: the data set's)
    png: bool = False  # each chart as a 300 dpi PNG too (always with docx)


@dataclass
class PeriodPlan:
    """One period's run, planned: its jobs, the tables to write when it starts, and what
    ``finish`` needs to write its manifest and index once the jobs are done."""

    data: Dataset
    period: Period
    folder: Path
    jobs: list[Job]  # the reports to build
    tables: dict[str, str]  # the period's CSV files by name
    run_info: dict[str, object]  # the manifest's account of the run
    # each report in order: its place in ``jobs``, or its result when it is up to date
    order: list[int | JobResult] = field(default_factory=list)
    echo: Callable[[str], None] = _quiet

    def let_data_go(self) -> None:
        """Keeps of the data set only what ``finish`` reads (its settings and sources): while
        the reports run, the runner holds none of its tables (8 million value rows are
        hundreds of MB, and the end of a big report needs the memory)."""
        data = self.data
        self.data = replace(
            data,
            **{
                name: _emptied(getattr(data, name))
                for name in (
                    "measures", "values", "targets", "overrides", "benchmarks",
                    "annotations", "actions", "action_updates",
                )
            },
        )  # fmt: skip

    def finish(self, ran: Sequence[JobResult]) -> tuple[RunResult, dict[str, str]]:
        """The period's result given its jobs' results (in ``jobs`` order), with the files to
        write: the merged ``manifest.json`` and ``index.html``."""
        results = [ran[item] if isinstance(item, int) else item for item in self.order]
        self.run_info["finished"] = now()
        manifest = merge_manifest(self.folder, self.run_info, results, self.echo)
        written = [n for n in ("scorecard.csv", "actions.csv") if (self.folder / n).exists()]
        index = render_index(
            self.data, self.period, manifest["reports"], self.run_info, tables=written
        )
        files = {MANIFEST: json.dumps(manifest, indent=2), "index.html": index}
        return RunResult(self.period, self.folder, results), files


# -- which services ------------------------------------------------------------------------


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


# -- checks before anything is written -----------------------------------------------------


def _check_notebooks(paths: Sequence[Path], extra: Mapping[str, object]) -> None:
    """Raises ``RunError`` when a ``-p`` parameter sets one of the run's own options, or a
    notebook cannot be given its parameters."""
    clash = [name for name in extra if name in _OPTIONS]
    if clash:
        raise RunError("; ".join(f"{name} is set with {_OPTIONS[name]}, not -p" for name in clash))
    problems = [p for path in paths for p in check_notebook(path, extra)]
    if problems:
        raise RunError("the notebooks cannot be run:\n  " + "\n  ".join(problems))


def _check_keys(planned: Sequence[tuple[Path, str]]) -> None:
    """Raises ``RunError`` when two reports would write the same file."""
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


def _checked_commentary(data: Dataset, period: Period, echo: Callable[[str], None]) -> Commentary:
    """The period's commentary file, read; a file that cannot be read stops the run, a
    section for no known measure is a warning."""
    try:
        commentary = load_commentary(data.path, period)
    except CommentaryError as exc:
        raise RunError(str(exc)) from exc
    where = commentary_path(data.path, period)
    measure_ids = data.measures["measure_id"]
    for problem in commentary_problems(commentary, measure_ids, where, services=data.services):
        echo(f"warning: {problem}")
    return commentary


def _input_hashes(data: Dataset, period: Period) -> dict[str, str]:
    """The SHA-256 of each input file of the period's reports, by path within the data set:
    the data files and the period's commentary (the analysts' words are an input too)."""
    hashes = data.file_hashes()
    commentary_file = commentary_path(data.path, period)
    if commentary_file.is_file():
        hashes[commentary_file.relative_to(data.path).as_posix()] = hashlib.sha256(
            commentary_file.read_bytes()
        ).hexdigest()
    return hashes


def _shown_path(path: Path) -> str:
    """A path as a published report may show it: relative to here, else just its name."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path.name


# -- the plan ------------------------------------------------------------------------------


@dataclass
class _PeriodFigures:
    """What planning works out for the whole period, once for all its reports."""

    tables: dict[str, str] = field(default_factory=dict)
    card: pd.DataFrame = field(default_factory=pd.DataFrame)  # the measures reported
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["service"]))
    live_plans: set[str] = field(default_factory=set)  # services with an update this period
    previous: pd.DataFrame | None = None  # the period before's rows of the measures reported


def _period_figures(
    data: Dataset,
    period: Period,
    whole_card: pd.DataFrame,
    by_kind: Mapping[str, list[str]],
    running: set[str],
    rows: PeriodRows,
) -> _PeriodFigures:
    """The period's tables (each with its kind of report) and the figures the index counts;
    ``rows``: the engine's rows of the period before, every service's, worked out already."""
    found = _PeriodFigures()
    if "measures" in running:
        covered = set(services_with_figures(whole_card)) | set(by_kind["measures"])
        found.card = whole_card[whole_card["service"].isin(covered)]
        found.tables["scorecard.csv"] = csv_text(found.card)
        # what moved since the period before, which the index gives for each report
        previous = period.previous()
        found.previous = build_scorecard(data, previous, sorted(covered), spc=False, rows=rows)
    if "actions" in running:
        # every plan of the period, and any named, as scorecard.csv has every measure's row
        found.live_plans = set(services_with_actions(data.actions, data.action_updates, period))
        covered = found.live_plans | set(by_kind["actions"])
        planned_actions = data.actions[data.actions["service"].isin(covered)]
        found.progress = action_progress(planned_actions, data.action_updates, period)
        columns = [*ACTION_COLUMNS, *(c for c in found.progress.columns if c not in ACTION_COLUMNS)]
        found.tables["actions.csv"] = csv_text(found.progress[columns])
    return found


def _measures_counts(
    service: str,
    period: Period,
    found: _PeriodFigures,
    commentary: Commentary,
    echo: Callable[[str], None],
) -> dict[str, Any] | None:
    """What a service's measures report's index entry says (and the warnings it gives); None
    when the service has no measure in the period, so no report."""
    # a named service whose measures are all outside their from and until has none
    own = found.card[found.card["service"] == service]
    counts = report_counts(own, commentary)
    for measure_id, rag, problem in counts.missing[["measure_id", "rag", "problem"]].itertuples(
        index=False
    ):
        echo(f"warning: {service}: {measure_id} is {rag} and has {problem}")
    if not counts.measures:
        echo(
            f"warning: {service} reports no measure in {period.label}: each is outside its "
            "from and until in measures.csv, so no report is built"
        )
        return None
    if not counts.with_figures:
        echo(
            f"warning: {service} has no figure for {period.label} in any of its "
            f"{counts.measures} measures; its report shows every measure as pending"
        )
    return {
        "measures": counts.measures,
        "with_figures": counts.with_figures,
        "rag_counts": counts.rag_counts,
        "without_commentary": counts.without_commentary,
        "changes": report_changes(own, found.previous, period.previous().label),
    }


def _actions_counts(
    service: str, period: Period, found: _PeriodFigures, echo: Callable[[str], None]
) -> dict[str, Any]:
    """What a service's action plan report's index entry says (and the warning it gives)."""
    own = found.progress[found.progress["service"] == service]
    if service not in found.live_plans:
        echo(
            f"warning: {service} has no action update for {period.label} in any of its "
            f"{len(own)} actions; its action plan report shows them as they last stood"
        )
    return {"rag_counts": {r: n for r, n in action_counts(own).items() if n}}


def plan_period(
    period: Period | None,
    data: Dataset,
    data_dir: str | Path,
    out_dir: str | Path,
    options: RunOptions,
) -> PeriodPlan:
    """Validates and plans one period's run (None: the latest with data) of ``data``, read
    from ``data_dir``, into ``out_dir``; writes nothing but the period's (empty) folder."""
    chosen = period if period is not None else data.latest_period()
    echo = options.echo
    # the period's and the one before's rows, every service's, from one call of the engine
    rows = PeriodRows.work_out(data, [chosen, chosen.previous()])
    whole_card = build_scorecard(data, chosen, rows=rows)
    paths = find_notebooks(options.notebooks_dir, options.notebooks)
    kinds = {path: report_kind(path) for path in paths}
    by_kind = _services_by_kind(whole_card, data, chosen, options.services, set(kinds.values()))
    planned = [(path, service) for path in paths for service in by_kind[kinds[path]]]
    if not planned:
        raise RunError(
            f"none of the notebooks ({', '.join(p.stem for p in paths)}) reports on "
            f"{', '.join(map(repr, options.services or []))}: measures notebooks are run for "
            "services with measures, actions notebooks for services with actions"
        )
    extra = dict(options.parameters or {})
    _check_notebooks(paths, extra)
    commentary = _checked_commentary(data, chosen, echo)
    _check_keys(planned)

    folder = Path(out_dir).resolve() / chosen.slug
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise unwritable(folder, exc) from exc
    hashes = _input_hashes(data, chosen)
    installed = versions()
    run_info: dict[str, object] = {
        "period": chosen.label,
        "data_dir": str(Path(data_dir).resolve()),
        "inputs": hashes,
        "versions": installed,
        "started": now(),
    }
    running = {kinds[p] for p, _ in planned}
    found = _period_figures(data, chosen, whole_card, by_kind, running, rows)
    plan = PeriodPlan(data, chosen, folder, [], found.tables, run_info, echo=echo)
    built_before = manifest_reports(folder)
    produced = dt.datetime.now()  # one time for every report of the period
    try:
        formats = parse_formats(options.formats) if options.formats else data.output_formats
    except ValueError as exc:
        raise RunError(f"--format: {exc}") from exc
    chart_png = options.png or "docx" in formats  # Word's charts are the 300 dpi PNGs
    for path, service in planned:
        kind = kinds[path]
        parameters = {
            "period": chosen.label,
            "service": service,
            "data_dir": str(Path(data_dir).resolve()),
            "output_dir": str(folder.parent),
            **extra,
        }
        what = "action plan" if kind == "actions" else ""
        provenance = {
            "title": " - ".join(x for x in (data.council, service, what, chosen.label) if x),
            "produced": produced.strftime("%d %B %Y %H:%M"),
            "version": installed.get("perfnb", ""),
            "inputs": hashes,
            # what the published footer shows: no output folder, no paths outside the project
            "shown_parameters": {
                "period": chosen.label,
                "service": service,
                "data set": _shown_path(Path(data_dir)),
                **extra,
            },
        }
        if kind == "measures":
            counts = _measures_counts(service, chosen, found, commentary, echo)
            if counts is None:
                continue
        else:
            counts = _actions_counts(service, chosen, found, echo)
        # a report asked for in another format, or with(out) its charts' PNGs, is built again
        asked = {**parameters, "formats": formats, "chart_png": chart_png}
        build = build_key(path, asked, hashes, installed.get("perfnb", ""))
        stamp = produced.isoformat(timespec="minutes")
        # every path a job carries is absolute: a worker elsewhere (a Dask cluster's) runs
        # in a folder of its own, where the run's relative paths lead nowhere
        job = Job(
            path.resolve(),
            service,
            parameters,
            folder,
            provenance,
            kind,
            build,
            **counts,
            produced=stamp,
            formats=formats,
            chart_png=chart_png,
        )
        entry = None if options.force else up_to_date(folder, built_before.get(job.key), build)
        if entry is not None:
            known = {f.name for f in fields(JobResult)}
            unchanged = JobResult(**{k: v for k, v in entry.items() if k in known})
            unchanged.status, unchanged.seconds = "skipped", 0.0
            plan.order.append(unchanged)
            echo(f"unchanged since {entry.get('finished', '')}: {path.name} for {service}")
            continue
        plan.order.append(len(plan.jobs))
        plan.jobs.append(job)
    return plan
