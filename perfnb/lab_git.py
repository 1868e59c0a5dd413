"""git's notebook filter for the report templates: ``.gitattributes`` sends
``notebooks/*.ipynb`` through nbstripout as git reads them, so a template run by accident is
committed without its outputs; this sets the filter's commands in a checkout's ``.git/config``,
which git does not take from the repository.

The commands are nbstripout's own (``nbstripout --install``) with ``--keep-id``, as the
pre-commit hook runs it: without it nbstripout renumbers the cells' ids, and every template
would show as changed.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["filter_settings", "install_git_filter", "missing_settings"]


def filter_settings(python: str) -> dict[str, str]:
    """The git settings of the nbstripout filter and diff that ``.gitattributes`` names, run
    by ``python`` (an interpreter with nbstripout)."""
    strip = f'"{Path(python).as_posix()}" -m nbstripout'
    return {
        "filter.nbstripout.clean": f"{strip} --keep-id",
        "filter.nbstripout.smudge": "cat",
        "filter.nbstripout.required": "true",
        "diff.ipynb.textconv": f"{strip} -t",
    }


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )


def _checkout(root: Path) -> bool:
    """Whether ``root`` is the top of a git checkout whose ``.gitattributes`` names the
    nbstripout filter (a perfnb project, not a folder inside another repository)."""
    attributes = root / ".gitattributes"
    if shutil.which("git") is None or not attributes.is_file():
        return False
    if "filter=nbstripout" not in attributes.read_text(encoding="utf-8"):
        return False
    top = _git(root, "rev-parse", "--show-toplevel")
    return top.returncode == 0 and Path(top.stdout.strip()).resolve() == root.resolve()


def missing_settings(root: str | Path, python: str = sys.executable) -> dict[str, str]:
    """The filter's settings that git's configuration (any scope) lacks in checkout ``root``;
    a setting already there, whatever its value, is the user's and stays."""
    root = Path(root)
    return {
        key: value
        for key, value in filter_settings(python).items()
        if _git(root, "config", "--get", key).returncode != 0
    }


def install_git_filter(root: str | Path = ".", python: str = sys.executable) -> list[str]:
    """Sets the filter's missing settings in ``root``'s ``.git/config`` when ``root`` is a
    perfnb checkout and nbstripout is installed; returns what to tell the user (nothing when
    there was nothing to do)."""
    root = Path(root)
    if not _checkout(root):
        return []
    missing = missing_settings(root, python)
    if not missing:
        return []
    if importlib.util.find_spec("nbstripout") is None:
        return [
            "note: nbstripout is not installed, so git does not strip outputs from the "
            "templates (.gitattributes): pip install nbstripout"
        ]
    for key, value in missing.items():
        _git(root, "config", "--local", key, value).check_returncode()
    return [
        "Set git's nbstripout filter in .git/config (.gitattributes): a template's outputs "
        "are never committed."
    ]
