"""``perfnb lab``: JupyterLab on a working copy of a report notebook, never on the template.

The analyst's loop has no side effects on what is committed or published. ``perfnb lab`` copies
``notebooks/<name>.ipynb`` into the project's git-ignored ``work/`` folder as
``work/<name>-<service>-<period>.ipynb``, with its parameters cell's values set (the period, the
service, the data set's folder as seen from ``work/``, and an output folder under ``work/``),
and starts JupyterLab on ``work/`` alone, so the templates cannot be opened there and a what-if
never reaches ``output/``. A working copy that exists already is the analyst's: it is opened as
it is, never overwritten.

The pure parts (the copy's path, its parameters cell, its notebook) are apart from the side
effects (writing the copy, setting git's notebook filter, starting JupyterLab).
"""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from perfnb.actions import services_with_actions
from perfnb.bundled import bundled_notebooks, bundled_sample, project_or_bundled
from perfnb.contract import slugify
from perfnb.files import write_into
from perfnb.lab_git import install_git_filter
from perfnb.loader import Dataset, load_dataset
from perfnb.log import log_line
from perfnb.periods import Period, parse_period
from perfnb.run.notebooks import check_notebook, find_notebooks, report_kind
from perfnb.run.plan import choose_services
from perfnb.run.results import RunError
from perfnb.scorecard import build_scorecard

__all__ = [
    "LAB_OUTPUT",
    "WORK",
    "LabError",
    "WorkingCopy",
    "lab_command",
    "open_lab",
    "parameter_values",
    "plan_working_copy",
    "set_parameters",
    "start_lab",
    "working_copy_name",
    "working_notebook",
    "write_working_copy",
]

WORK = "work"  # the project's git-ignored folder of working copies
LAB_OUTPUT = "output"  # a working copy's output_dir, relative to its folder: work/output


class LabError(RunError):
    """``perfnb lab`` cannot start: JupyterLab is not installed, or a template is unusable."""


@dataclass(frozen=True)
class WorkingCopy:
    """A working copy to open: the template it is made from (read, never written), where it
    goes, and the parameters cell's values it gets."""

    template: Path
    path: Path
    parameters: Mapping[str, str]  # period, service, data_dir, output_dir

    @property
    def folder(self) -> Path:
        """The folder JupyterLab is started on: ``work/``."""
        return self.path.parent


# -- pure: names, values, the notebook ------------------------------------------------------


def working_copy_name(notebook: str, service: str, period: Period) -> str:
    """The working copy's file name: ``scorecard-adult-social-care-2017-18-Q1.ipynb``."""
    return f"{Path(notebook).stem}-{slugify(service)}-{period.slug}.ipynb"


def parameter_values(
    period: Period, service: str, data: str | Path, work: str | Path
) -> dict[str, str]:
    """The parameters cell's values of a working copy in ``work``: the data set as a path
    relative to ``work`` when it is in the project (``work``'s parent folder), else absolute;
    and the output folder ``work/output``, relative to the copy, as the kernel's working folder
    is."""
    data_abs = Path(os.path.abspath(data))
    work_abs = Path(os.path.abspath(work))
    inside = data_abs.is_relative_to(work_abs.parent)
    data_dir = Path(os.path.relpath(data_abs, work_abs)) if inside else data_abs
    return {
        "period": period.label,
        "service": service,
        "data_dir": data_dir.as_posix(),
        "output_dir": LAB_OUTPUT,
    }


def _literal(value: object) -> str:
    """``value`` as Python source, text in double quotes as the templates write it."""
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        if ast.literal_eval(text) == value:
            return text
    return repr(value)


def set_parameters(source: str, values: Mapping[str, object]) -> str:
    """A parameters cell's ``source`` with each name of ``values`` assigned its value: the value
    of its assignment replaced (its annotation and comment kept), or a line added for a name
    the cell does not assign. Nothing else of the cell changes."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    starts = [0]  # each line's offset in the UTF-8 bytes (ast's columns are bytes)
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8")))
    spans: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in values:
            end_line, end_col = value.end_lineno or value.lineno, value.end_col_offset or 0
            begin = starts[value.lineno - 1] + value.col_offset
            spans[target.id] = (begin, starts[end_line - 1] + end_col)
    text = source.encode("utf-8")
    for name, (begin, end) in sorted(spans.items(), key=lambda item: -item[1][0]):
        text = text[:begin] + _literal(values[name]).encode("utf-8") + text[end:]
    result = text.decode("utf-8")
    added = [f"{name} = {_literal(v)}\n" for name, v in values.items() if name not in spans]
    if added and result and not result.endswith("\n"):
        result += "\n"
    return result + "".join(added)


def working_notebook(
    template: nbformat.NotebookNode, values: Mapping[str, object]
) -> nbformat.NotebookNode:
    """A copy of ``template`` whose cell tagged ``parameters`` assigns ``values``; every other
    cell, and the notebook's metadata, as they are. ``template`` is not changed."""
    notebook = copy.deepcopy(template)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise LabError(f"the notebook has {len(cells)} cells tagged 'parameters', not one")
    cells[0].source = set_parameters(cells[0].source, values)
    return notebook


def lab_command(
    working: WorkingCopy, *, browser: bool = True, extra: Sequence[str] = ()
) -> list[str]:
    """The command starting JupyterLab (this Python's) on ``work/`` with the copy open."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={working.folder.resolve()}",
        str(working.path.resolve()),
    ]
    return [*command, *([] if browser else ["--no-browser"]), *extra]


# -- reading: the data set, the template ----------------------------------------------------


def _end(period: Period) -> tuple[object, object]:
    return (period.end, period.start)


def _service(kind: str, data: Dataset, period: Period, service: str | None) -> str:
    """The service named (by name or slug), else the first with figures for the period (a
    measures notebook) or with an action plan in it (an actions notebook)."""
    if kind == "measures":
        card = build_scorecard(data, period)
        return choose_services(card, data, [service] if service else None)[0]
    planned = services_with_actions(data.actions, data.action_updates, period)
    known = list(dict.fromkeys(data.actions["service"])) if len(data.actions) else []
    if service:
        found = {slugify(s): s for s in known}.get(slugify(service))
        if found is None:
            raise RunError(
                f"no service named {service!r} has an action plan in {data.path}; there are: "
                f"{', '.join(known) or 'none'}"
            )
        return found
    if not planned:
        updated = sorted({parse_period(p) for p in data.action_updates["period"]}, key=_end)
        latest = f"; the latest with action updates is {updated[-1].label}" if updated else ""
        raise RunError(f"no service has an action plan for {period.label} in {data.path}{latest}")
    return planned[0]


def plan_working_copy(
    notebook: str = "scorecard",
    *,
    period: str | Period | None = None,
    service: str | None = None,
    data: str | Path | None = None,
    root: str | Path = ".",
    notebooks_dir: str | Path | None = None,
) -> WorkingCopy:
    """The working copy ``perfnb lab`` opens, read from the data set and the template, writing
    nothing: ``root/work/<notebook>-<service>-<period>.ipynb``. The period defaults to the data
    set's latest, the service to the first with figures in it (with an action plan, for an
    actions notebook). ``data`` and ``notebooks_dir`` are relative to the current folder, as on
    the command line; they default to the project's ``root/data/sample`` and
    ``root/notebooks``, else the sample and notebooks installed with perfnb."""
    root = Path(root)
    data, _ = project_or_bundled(
        None if data is None else str(data), str(root / "data" / "sample"), bundled_sample()
    )
    folder, _ = project_or_bundled(
        None if notebooks_dir is None else str(notebooks_dir),
        str(root / "notebooks"),
        bundled_notebooks(),
    )
    template = find_notebooks(folder, [notebook])[0]
    problems = check_notebook(template)
    if problems:
        raise LabError("; ".join(problems))
    dataset = load_dataset(data)
    chosen = parse_period(period) if period is not None else dataset.latest_period()
    name = _service(report_kind(template), dataset, chosen, service)
    work = root / WORK
    return WorkingCopy(
        template=template,
        path=work / working_copy_name(template.stem, name, chosen),
        parameters=parameter_values(chosen, name, data, work),
    )


# -- side effects ---------------------------------------------------------------------------


def write_working_copy(working: WorkingCopy) -> bool:
    """Writes the working copy from its template, unless it exists (the analyst's edits are
    kept); True when it was written. The template is only read."""
    if working.path.exists():
        return False
    template = nbformat.read(working.template, as_version=4)
    notebook = working_notebook(template, working.parameters)
    text = nbformat.writes(notebook) + "\n"
    write_into(working.folder, {working.path.name: text.encode("utf-8")})
    return True


def _require_jupyterlab() -> None:
    """Raises ``LabError`` unless JupyterLab is installed beside perfnb."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise LabError(
            "JupyterLab is not installed in this environment: pip install 'perfnb[lab]' "
            "(make lab installs it)"
        )


def start_lab(
    working: WorkingCopy, *, browser: bool = True, extra: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """Starts JupyterLab on ``work/`` with the working copy open; returns its process."""
    _require_jupyterlab()
    return subprocess.Popen(lab_command(working, browser=browser, extra=extra))


def _wait(process: subprocess.Popen[bytes]) -> int:
    """Waits for JupyterLab to stop: it answers Ctrl-C itself (it asks, or stops on a second
    one, shutting its kernels down), so Ctrl-C here only keeps waiting; a SIGTERM is passed on
    to it, so that stopping ``perfnb lab`` stops JupyterLab and its kernels too."""
    forward = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda *_: process.terminate()) if forward else None
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                continue
    finally:
        if forward:
            signal.signal(signal.SIGTERM, previous)


def open_lab(
    notebook: str = "scorecard",
    *,
    period: str | None = None,
    service: str | None = None,
    data: str | Path | None = None,
    root: str | Path = ".",
    notebooks_dir: str | Path | None = None,
    browser: bool = True,
    extra: Sequence[str] = (),
    echo: Callable[[str], None] = log_line,
) -> int:
    """``perfnb lab``: makes the working copy (or keeps the one there), sets git's notebook
    filter in a perfnb checkout that lacks it, runs JupyterLab until it stops; returns its exit
    status. What it does is said through ``echo`` (the ``perfnb`` logger). Raises
    ``RunError`` (``LabError``), ``PeriodError`` or ``DataError``."""
    _require_jupyterlab()  # before any file is written
    working = plan_working_copy(
        notebook,
        period=period,
        service=service,
        data=data,
        root=root,
        notebooks_dir=notebooks_dir,
    )
    shown = _shown(working.path)
    if write_working_copy(working):
        values = working.parameters
        echo(
            f"Wrote {shown}, a working copy of {_shown(working.template)}: {values['service']}, "
            f"{values['period']}, data {values['data_dir']}, output {_shown(working.folder)}/"
            f"{values['output_dir']}."
        )
    else:
        echo(
            f"{shown} exists: opening it as you left it (its own parameters; delete it for a "
            f"fresh copy of {_shown(working.template)})."
        )
    for line in install_git_filter(root):
        echo(line)
    opening = "" if browser else f"; open the address it prints, then {working.path.name}"
    echo(
        f"Starting JupyterLab on {_shown(working.folder)}/ (Ctrl-C twice stops it{opening}). "
        f"perfnb run builds from {_shown(working.template)}, which Lab does not open."
    )
    return _wait(start_lab(working, browser=browser, extra=extra))


def _shown(path: Path) -> str:
    """``path`` as the user would type it: relative to the current folder when inside it."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
