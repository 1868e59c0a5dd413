"""The ``perfnb`` command line: ``perfnb validate``, ``perfnb run``, ``perfnb commentary`` and
``perfnb init``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from perfnb import __version__
from perfnb.bundled import bundled_notebooks, bundled_sample, project_or_bundled
from perfnb.commentary import (
    CommentaryError,
    commentary_path,
    commentary_problems,
    load_commentary,
    missing_commentary,
    scaffold_commentary,
)
from perfnb.contract import DataError, Problem
from perfnb.loader import load_dataset, validate_dataset
from perfnb.log import log_line, logger, show_on_stderr
from perfnb.output_formats import parse_formats
from perfnb.periods import PeriodError, parse_period
from perfnb.scorecard import build_scorecard
from perfnb.starter import InitError, write_starter

if TYPE_CHECKING:
    from perfnb.run import RunStopped

# the run (papermill, nbconvert, matplotlib: 2 s, 100 MB): imported by the commands that run

__all__ = ["main"]


def _print_problems(problems: Sequence[Problem], folder: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    for p in warnings:
        print(f"warning: {p}", file=sys.stderr)
    if errors:
        print(f"{len(errors)} error(s) in the data set {folder}:", file=sys.stderr)
        for p in errors:
            print(f"  {p}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    problems = validate_dataset(args.data)
    _print_problems(problems, args.data)
    if any(p.severity == "error" for p in problems):
        return 1
    print(f"{args.data}: no errors" + (f", {len(problems)} warning(s)" if problems else ""))
    return 0


def _formats(text: str) -> tuple[str, ...]:
    """``--format``'s value, checked (argparse reports the error)."""
    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _say(line: str) -> None:
    """Tells the user on stderr, if anyone is there: a terminal closed under a run (SIGHUP)
    fails every write, and the run must still finish its index."""
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    from perfnb.run.worker import without_iri_grammar

    without_iri_grammar()  # this process is perfnb's own: nbformat without a second's grammars
    from perfnb import run as perfnb_run

    try:
        periods: list = [parse_period(p) for p in args.period or []]
        for year in args.year or []:
            periods += perfnb_run.year_quarters(year, load_dataset(args.data))
        parameters = dict(perfnb_run.parse_parameter(p) for p in args.param)
        client = perfnb_run.dask_client(args.dask_scheduler) if args.dask_scheduler else None
        executor = client.get_executor(pure=False) if client is not None else None
        results = perfnb_run.run_periods(
            periods or [None],
            args.data,
            args.out,
            services=args.service,
            notebooks=args.notebook,
            notebooks_dir=args.notebooks,
            parameters=parameters,
            timeout=args.timeout,
            echo=log_line,
            workers=args.workers,
            force=args.force,
            progress=sys.stderr.isatty()
            and args.verbosity >= 0,  # a bar on a terminal, plain lines in a log (CI)
            executor=executor,
            wait=args.wait,
            formats=args.format,
            png=args.png,
        )
        if client is not None:
            client.close()
    except DataError as exc:
        _print_problems(exc.problems, exc.folder)
        print("Nothing was run: correct the data and run again.", file=sys.stderr)
        return 1
    except (perfnb_run.OutputBusy, perfnb_run.OutputUnwritable) as exc:
        print(f"perfnb run: {exc}", file=sys.stderr)
        return 1
    except (perfnb_run.RunError, PeriodError) as exc:
        print(f"perfnb run: {exc}", file=sys.stderr)
        return 2
    except perfnb_run.RunStopped as exc:
        _say_stopped(exc)
        return exc.exit_status
    except KeyboardInterrupt:
        print(
            "perfnb run: interrupted. Reports finished before it are in place; none was left "
            "half-written, and no kernel is left running.",
            file=sys.stderr,
        )
        return 130
    for result in results:
        print(result.summary())
        print(f"Open {result.folder / 'index.html'}")
    return 0 if all(result.ok for result in results) else 1


def _say_stopped(stopped: RunStopped) -> None:
    """What a stopped run tells its user: what finished, where, and that nothing is left."""
    jobs = [job for result in stopped.results for job in result.jobs]
    done = sum(job.status in ("ok", "failed") for job in jobs)
    lines = [
        f"perfnb run: interrupted: {stopped}. "
        + (
            f"{done} of {len(jobs)} report(s) had finished; they are in place and in "
            "index.html and manifest.json. "
            if stopped.results
            else "Nothing was written. "
        )
        + "No report was left half-written, and no kernel is left running."
    ]
    lines += [f"Open {result.folder / 'index.html'}" for result in stopped.results]
    with contextlib.suppress(OSError):  # a closed terminal (SIGHUP) has no one to tell
        print("\n".join(lines), file=sys.stderr)


def _commentary(args: argparse.Namespace) -> int:
    from perfnb.run import RunError, choose_services

    try:
        data = load_dataset(args.data)
        period = parse_period(args.period) if args.period else data.latest_period()
        whole = build_scorecard(data, period)
        services = choose_services(whole, data, args.service)
    except DataError as exc:
        _print_problems(exc.problems, exc.folder)
        print("Nothing was written: correct the data and run again.", file=sys.stderr)
        return 1
    except (PeriodError, RunError) as exc:
        print(f"perfnb commentary: {exc}", file=sys.stderr)
        return 2
    card = whole[whole["service"].isin(services)]
    path = commentary_path(data.path, period)  # beside a workbook given as a file
    try:
        added = scaffold_commentary(card, path)
        commentary = load_commentary(data.path, period)
    except (CommentaryError, OSError) as exc:
        print(f"perfnb commentary: {exc}", file=sys.stderr)
        return 1
    source = data.sources.get("measures")
    catalogue = "measures.csv"
    if source is not None and source.suffix != ".csv":
        catalogue = f"{source.name}, sheet measures"
    measure_ids = data.measures["measure_id"]
    for message in commentary_problems(
        commentary, measure_ids, path, catalogue, services=data.services
    ):
        print(f"warning: {message}", file=sys.stderr)
    if added:
        print(f"Added {len(added)} section(s) to {path}: {', '.join(added)}")
    else:
        print(f"{path} already has a section for every measure")
    missing = missing_commentary(card, commentary)
    if len(missing):
        print(
            f"{len(missing)} Red or Amber measure(s) still need commentary: "
            + ", ".join(missing["measure_id"])
        )
    return 0


def _init(args: argparse.Namespace) -> int:
    try:
        written = write_starter(args.folder, wide=args.wide)
    except InitError as exc:
        print(f"perfnb init: {exc}. Nothing was written.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"perfnb init: cannot write {args.folder}: {exc.strerror or exc}. Nothing was written.",
            file=sys.stderr,
        )
        return 1
    layout = "a kpis sheet, a row per measure" if args.wide else "a sheet per table"
    print(f"Wrote {', '.join(str(p) for p in written)}: {layout}, each with an example row.")
    print(
        "Replace the example rows with your own (the README sheet says what each column "
        f"holds), then check them: perfnb validate --data {args.folder}"
    )
    return 0


_DATA_HELP = (
    "data set folder (default: data/sample, when the current folder has one; else the sample "
    "data set installed with perfnb)"
)


def _lab(args: argparse.Namespace) -> int:
    from perfnb.lab import open_lab
    from perfnb.run import RunError

    try:
        return open_lab(
            args.notebook,
            period=args.period,
            service=args.service,
            data=args.data,
            notebooks_dir=args.notebooks,
            browser=not args.no_browser,
        )
    except DataError as exc:
        _print_problems(exc.problems, exc.folder)
        print("Nothing was written: correct the data and run again.", file=sys.stderr)
        return 1
    except (RunError, PeriodError) as exc:  # LabError is a RunError
        print(f"perfnb lab: {exc}", file=sys.stderr)
        return 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``perfnb`` command."""
    parser = argparse.ArgumentParser(
        prog="perfnb",
        description="Build a council's quarterly performance reports from its data set.",
    )
    parser.add_argument("--version", action="version", version=f"perfnb {__version__}")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=0,
        help="say more: every step of the run (its debug log)",
    )
    noise.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        help="say less: warnings and errors only, no progress",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser(
        "validate",
        help="check a data set and list every problem",
        description="Check a data set against the contract in docs/data.md. Exits 1 if there "
        "are errors.",
    )
    validate.add_argument("--data", default=None, help=_DATA_HELP)
    validate.set_defaults(func=_validate)

    run = sub.add_parser(
        "run",
        help="build the reports of a period",
        description="Validate the data, then execute every report notebook for every service "
        "of the period and export it to HTML in OUT/<period>/.",
    )
    run.add_argument(
        "--period",
        action="append",
        help="2017/18 Q1, 2017-04, 2017/18 or a slug such as "
        "2017-18-Q1 (default: the latest period with data); repeat it for several periods",
    )
    run.add_argument(
        "--year",
        action="append",
        metavar="YEAR",
        help="every quarter of financial year YEAR (2017/18) that has data; repeatable",
    )
    run.add_argument("--data", default=None, help=_DATA_HELP)
    run.add_argument("--out", default="output", help="output folder (default: %(default)s)")
    run.add_argument(
        "--service",
        action="extend",
        nargs="+",
        metavar="S",
        help="build only this service's reports (repeatable; default: every "
        "service with figures in the period, and every service with an action plan in it)",
    )
    run.add_argument(
        "--notebook",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="run only this notebook, by file name without .ipynb (repeatable)",
    )
    run.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="folder of report notebooks (default: notebooks, when the current folder has one; "
        "else the notebooks installed with perfnb)",
    )
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra notebook parameter; it must be in the notebook's parameters cell",
    )
    run.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="stop a report that takes longer than this to build (it is marked failed; the "
        "others still run)",
    )
    run.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help=f"build N reports at once, each in its own process (default: the CPU count, "
        f"{os.cpu_count() or 1} here, as perfnb.run.pool.default_workers; 1 builds them one "
        "after another)",
    )
    run.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run the jobs on the Dask cluster at ADDRESS (tcp://host:8786) instead of local "
        "processes; each worker needs perfnb installed and the data path (perfnb[dask])",
    )
    run.add_argument(
        "--format",
        type=_formats,
        metavar="FORMATS",
        help="write each report as these, separated by commas: html (the page, always), pdf "
        "(printed by headless Chromium) and docx (Word); default: the data set's "
        "dataset.toml [output] formats, else html",
    )
    run.add_argument(
        "--png",
        action="store_true",
        help="publish each chart as a 300 dpi PNG too, charts/<service>/<name>.png, for "
        "pasting into other documents (always with docx); else each chart is SVG alone",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rebuild every report, even one whose notebook, parameters, data and perfnb are "
        "unchanged since its last good build (those are skipped otherwise)",
    )
    run.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another run is writing to the output folder, wait up to this long for it "
        "to finish (default 0: stop at once, naming it)",
    )
    run.set_defaults(func=_run)

    commentary = sub.add_parser(
        "commentary",
        help="add a drafted commentary section for every measure of a period",
        description="Create DATA/commentary/<period>.md, or extend it, with a section for every "
        "measure that has none, each holding a draft written from the figures for you to edit. "
        "Text already in the file is never changed. See docs/commentary.md.",
    )
    commentary.add_argument(
        "--period",
        help="2017/18 Q1, 2017-04, 2017/18 or a slug such as "
        "2017-18-Q1 (default: the latest period with data)",
    )
    commentary.add_argument("--data", default=None, help=_DATA_HELP)
    commentary.add_argument(
        "--service",
        action="extend",
        nargs="+",
        metavar="S",
        help="add sections for this service's measures only (repeatable; default: every "
        "service with figures in the period)",
    )
    commentary.set_defaults(func=_commentary)

    init = sub.add_parser(
        "init",
        help="write a new data set to fill in",
        description="Write FOLDER/perfnb.xlsx, a workbook with a sheet per table of the data "
        "contract (its headers, an example row, drop-down lists, and a README sheet saying "
        "what each column holds), and FOLDER/dataset.toml. FOLDER must not exist, or be "
        "empty: nothing is ever overwritten. See docs/data.md.",
    )
    init.add_argument("folder", metavar="FOLDER", help="the new data set's folder")
    init.add_argument(
        "--wide",
        action="store_true",
        help="one kpis sheet, a row per measure and a column per period, in place of the "
        "measures, values and targets sheets",
    )
    init.set_defaults(func=_init)

    lab = sub.add_parser(
        "lab",
        help="open a report notebook in JupyterLab, as a working copy",
        description="Copy a report notebook to work/<notebook>-<service>-<period>.ipynb "
        "(work/ is git-ignored) with its parameters cell set: the period, the service, the data "
        "set, and an output folder under work/. Then start JupyterLab on work/ with the copy "
        "open. A copy already there is opened as you left it; delete it for a fresh one. The "
        "templates in notebooks/ and the reports in output/ are never changed. In a git "
        "checkout it also sets git's nbstripout filter for the templates (.gitattributes) in "
        ".git/config when that lacks it. Needs JupyterLab: pip install 'perfnb[lab]'.",
    )
    lab.add_argument(
        "--period",
        help="2017/18 Q1, 2017-04, 2017/18 or a slug such as 2017-18-Q1 (default: the latest "
        "period with data)",
    )
    lab.add_argument(
        "--service",
        metavar="S",
        help="the service, by name or slug (default: the first with figures in the period; "
        "for an actions notebook, the first with an action plan in it)",
    )
    lab.add_argument(
        "--notebook",
        default="scorecard",
        metavar="NAME",
        help="the notebook, by file name without .ipynb (default: %(default)s)",
    )
    lab.add_argument("--data", default=None, help=_DATA_HELP)
    lab.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="folder of report notebooks (default: notebooks, when the current folder has one; "
        "else the notebooks installed with perfnb)",
    )
    lab.add_argument(
        "--no-browser",
        action="store_true",
        help="do not open a browser; open the address JupyterLab prints",
    )
    lab.set_defaults(func=_lab)
    return parser


def _project_folders(args: argparse.Namespace) -> None:
    """``--data`` and ``--notebooks`` as given, else the project's own (``data/sample``,
    ``notebooks``), else those installed with perfnb (said on stderr)."""
    if hasattr(args, "data"):
        args.data, bundled = project_or_bundled(args.data, "data/sample", bundled_sample())
        if bundled and args.func is _commentary:  # it writes: never into the installed package
            args.data = Path("data/sample")  # said missing, as any folder that is not there
        elif bundled:
            logger.info(f"no data/sample here: using the sample data set in {args.data}")
    if hasattr(args, "notebooks"):
        args.notebooks, bundled = project_or_bundled(
            args.notebooks, "notebooks", bundled_notebooks()
        )
        if bundled:
            logger.info(f"no notebooks folder here: using perfnb's notebooks in {args.notebooks}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``perfnb`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler = show_on_stderr(args.verbosity)
    try:
        _project_folders(args)
        return args.func(args)
    finally:
        logger.removeHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
