"""One run at a time per output folder: a lock file in it, held while a run writes there.

A second run into the same folder waits up to ``wait`` seconds for the first to finish, and
otherwise stops naming the first run's process. The lock is the operating system's (filelock), so
a run that died, even by ``kill -9``, leaves no lock behind: the next run takes it over.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from perfnb.files import write_atomic

__all__ = ["LOCK_FILE", "OutputBusy", "OutputUnwritable", "output_lock", "unwritable"]

LOCK_FILE = ".perfnb.lock"
_HOLDER = ".perfnb.lock.json"  # who holds it: the lock file itself is truncated by each waiter


class OutputBusy(RuntimeError):
    """Another run holds the output folder's lock."""


class OutputUnwritable(RuntimeError):
    """The output folder (or a file in it) cannot be written: read-only, not ours, full."""


def unwritable(path: Path, exc: OSError) -> OutputUnwritable:
    """The error for ``path``, which could not be written, in words: the reason, and a hint
    when the file may be open elsewhere."""
    hint = ""
    if isinstance(exc, PermissionError) and path.is_file():
        hint = " (is it open in another program?)"
    return OutputUnwritable(f"cannot write {path}: {exc.strerror or exc}{hint}")


def _holder(folder: Path) -> str:
    """The run holding ``folder``'s lock, in words, as it recorded itself."""
    try:
        holder = json.loads((folder / _HOLDER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "another perfnb run"
    return f"perfnb run (process {holder.get('pid')}, started {holder.get('started', '?')})"


@contextmanager
def output_lock(folder: str | Path, wait: float = 0.0, started: str = "") -> Iterator[bool]:
    """Holds ``folder``'s lock (creating the folder) for the block; yields True when it had to
    wait for another run (whose writes the caller should then read afresh). Raises
    ``OutputBusy`` naming the other run when it is still busy after ``wait`` seconds."""
    folder = Path(folder)
    lock = FileLock(folder / LOCK_FILE)
    waited = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=0)
    except Timeout:
        waited = True
        try:
            lock.acquire(timeout=max(wait, 0.0))
        except Timeout:
            raise OutputBusy(
                f"{folder} is in use by {_holder(folder)}; wait for it to finish, or run again "
                "with --wait SECONDS"
            ) from None
    except OSError as exc:
        raise unwritable(folder / LOCK_FILE if folder.is_dir() else folder, exc) from exc
    try:
        me = {"pid": os.getpid(), "started": started, "argv": sys.argv}
        try:
            write_atomic(folder / _HOLDER, json.dumps(me).encode("utf-8"))
        except OSError as exc:
            raise unwritable(folder / _HOLDER, exc) from exc
        yield waited
    finally:
        (folder / _HOLDER).unlink(missing_ok=True)
        lock.release()
