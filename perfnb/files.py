"""Writing output files whole or not at all: a temporary file beside the target, renamed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["UMASK", "files_stamp", "write_atomic"]

UMASK = os.umask(0)  # read once, at import: os.umask can only be read by setting it
os.umask(UMASK)


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Writes ``data`` to ``path`` through a temporary file in the same folder, renamed into
    place, so a reader never sees half a file; readable as the umask allows (mkstemp's files
    are private, outputs are for sharing). Returns the path."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o666 & ~UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def files_stamp(folder: str | Path, pattern: str = "*") -> tuple[tuple[str, int, int], ...]:
    """The files of ``folder`` matching ``pattern`` with their sizes (bytes) and modification
    times (nanoseconds): equal stamps mean nothing there has changed. Empty when the folder
    cannot be read."""
    try:
        files = [p for p in Path(folder).glob(pattern) if p.is_file()]
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files))
    except OSError:
        return ()
