"""What ships inside the package: the report notebooks and the sample data set (in a clone they
are the project's ``notebooks/`` and ``data/sample/``), so that ``pip install perfnb`` and
``perfnb run`` in an empty folder build the sample's reports."""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_notebooks", "bundled_sample", "project_or_bundled"]


_PACKAGE = Path(__file__).parent


def _installed_or_clone(inside: str, in_clone: str) -> Path:
    """``perfnb/<inside>`` as a wheel installs it, else the clone's own folder (an editable
    install maps it there, which ``importlib.resources`` does not follow for data folders)."""
    installed = _PACKAGE / inside
    return installed if installed.is_dir() else _PACKAGE.parent / in_clone


def bundled_notebooks() -> Path:
    """The folder of perfnb's report notebooks, as installed."""
    return _installed_or_clone("notebooks", "notebooks")


def bundled_sample() -> Path:
    """The folder of perfnb's sample data set, as installed."""
    return _installed_or_clone("sample", "data/sample")


def project_or_bundled(given: str | None, default: str, bundled: Path) -> tuple[Path, bool]:
    """The folder a command uses: ``given`` when one was named; else ``default`` (relative to
    the current folder) when it exists there, as in a perfnb project; else ``bundled``. Says
    whether it is the bundled one."""
    if given is not None:
        return Path(given), False
    if Path(default).is_dir():
        return Path(default), False
    return bundled, True
