"""Writing output files whole or not at all (a temporary file beside the target, renamed), and
CSV text that is safe to open in a spreadsheet."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

__all__ = [
    "UMASK",
    "csv_text",
    "files_stamp",
    "neutralise_formulas",
    "replace_if_unchanged",
    "write_atomic",
    "write_into",
    "write_together",
]

# a text cell a spreadsheet would read as a formula starts with one of these (OWASP's list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ... unless it is a plain number as perfnb writes them: -9.8, +1,200, -16%
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")

UMASK = os.umask(0)  # read once, at import: os.umask can only be read by setting it
os.umask(UMASK)


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Writes ``data`` to ``path`` through a temporary file in the same folder, renamed into
    place, so a reader never sees half a file; readable as the umask allows (mkstemp's files
    are private, outputs are for sharing). Returns the path."""
    path = Path(path)
    _write_through_temporary(path, data)
    return path


def write_into(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Writes each of ``files`` (name: bytes) into ``folder``, created if need be, each
    through :func:`write_atomic`; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_atomic(folder / name, data) for name, data in files.items()]


def write_together(folder: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Writes ``files`` (name: bytes) into ``folder``, all of them or none: a new folder
    appears with every file in it, or not at all; an existing (empty) folder gets each file
    whole, and those written are removed if a later one fails. Returns their paths."""
    folder = Path(folder)
    if folder.is_dir():
        written: list[Path] = []
        try:
            for name, data in files.items():
                written.append(write_atomic(folder / name, data))
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return written
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        for name, data in files.items():
            write_atomic(staging / name, data)
        os.chmod(staging, 0o777 & ~UMASK)
        os.rename(staging, folder)  # the folder appears with every file, or not at all
    except BaseException:
        for name in files:
            (staging / name).unlink(missing_ok=True)
        if staging.exists():
            staging.rmdir()
        raise
    return [folder / name for name in files]


def replace_if_unchanged(path: str | Path, before: bytes | None, data: bytes) -> bool:
    """Writes ``data`` to ``path`` as :func:`write_atomic` does, unless the file no longer holds
    ``before`` (None: it did not exist), say because an analyst saved it meanwhile; returns
    whether it wrote. A file that was there keeps its mode; its folder is created if need be."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def still_as_read() -> bool:
        return (path.read_bytes() if path.exists() else None) == before

    return _write_through_temporary(path, data, still_as_read, keep_mode=before is not None)


def _write_through_temporary(
    path: Path,
    data: bytes,
    check: Callable[[], bool] | None = None,
    keep_mode: bool = False,
) -> bool:
    """perfnb's one way of writing a file: ``data`` into a temporary file beside ``path``, then,
    if ``check()`` still holds (when given), renamed over it; the temporary file never stays.
    Returns whether ``path`` was written."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if check is not None and not check():
            Path(temporary).unlink(missing_ok=True)
            return False
        os.chmod(temporary, path.stat().st_mode & 0o777 if keep_mode else 0o666 & ~UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def files_stamp(folder: str | Path, pattern: str = "*") -> tuple[tuple[str, int, int], ...]:
    """The files of ``folder`` matching ``pattern`` (``**/*.py`` for every level), by path
    within it, with their sizes (bytes) and modification times (nanoseconds): equal stamps mean
    nothing there has changed. Empty when the folder cannot be read."""
    try:
        root = Path(folder)
        files = [p for p in root.glob(pattern) if p.is_file()]
        return tuple(
            sorted(
                (p.relative_to(root).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
                for p in files
            )
        )
    except OSError:
        return ()


def neutralise_formulas(texts: pd.Series) -> pd.Series:
    """Text cells with a leading ``'`` where a spreadsheet would run them as a formula (they
    begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: OWASP's CSV injection
    rule); numbers (``-9.8``, ``-16%``), blanks and everything else as they are."""
    text = texts.astype(object)
    cells = text.where(text.map(lambda v: isinstance(v, str)), "")
    risky = cells.str.startswith(FORMULA_STARTS) & ~cells.str.strip().str.match(_NUMBER)
    return text.where(~risky, "'" + cells)


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text (no index) with every text cell and heading that a spreadsheet
    would run as a formula neutralised; every CSV perfnb writes goes through here."""
    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            safe[name] = neutralise_formulas(column)
    safe.columns = list(neutralise_formulas(pd.Series([str(c) for c in safe.columns])))
    return safe.to_csv(index=False)
