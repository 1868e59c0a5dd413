"""The notebook contract: which notebooks a run finds, the parameters cell each must have, what
each reports on (its metadata's ``perfnb.report``), and ``name=value`` parameters from the
command line."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
import papermill

from perfnb.run.results import RunError

__all__ = [
    "REPORT_KINDS",
    "REQUIRED_PARAMETERS",
    "check_notebook",
    "find_notebooks",
    "parse_parameter",
    "report_kind",
]

REQUIRED_PARAMETERS = ("period", "service", "data_dir", "output_dir")
# what a notebook reports on (its metadata's perfnb.report), so which services it is run for:
# measures, the services with figures for the period; actions, those with an action plan in it
REPORT_KINDS = ("measures", "actions")


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
