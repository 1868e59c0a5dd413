"""A pool worker's start, kept apart from the pool and the job (whose modules import papermill,
nbformat and nbconvert): a worker asks for its kernel template first, and imports what runs a
report while the template imports what a kernel needs, the two side by side.

Only perfnb's own processes call ``without_iri_grammar``: the ``perfnb`` command and a pool
worker (both before they import nbformat).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from perfnb.run import stopping
from perfnb.run.kernel import start_kernel_template

__all__ = ["send_cell", "start_worker", "without_iri_grammar"]

# where this worker sends its jobs' cells (set by start_worker), for the run's progress bar
_cells_queue: Any = None


def send_cell(key: str, number: int, total: int) -> None:
    """Tells the run's progress bar (in the process that started the pool) of a job's cell."""
    if _cells_queue is not None:
        with contextlib.suppress(Exception):  # progress is never worth failing a report for
            _cells_queue.put((key, number, total))


def start_worker(data_dir: str | None = None, cells: Any = None) -> None:
    """A pool process's start on its jobs: it becomes a run's worker (a stop signal stops its
    report; it exits when the run that started it dies), its jobs' cells go to ``cells``, a
    queue, when given, and its kernel template imports (and reads the data set at
    ``data_dir``) while the worker goes on to its first job (a template that cannot start is
    reported by the first job that needs it)."""
    global _cells_queue
    stopping.serve_as_worker()
    if cells is not None:
        _cells_queue = cells
    with contextlib.suppress(Exception):
        start_kernel_template(data_dir)
    without_iri_grammar()  # the first job imports nbformat, while the template imports


def without_iri_grammar() -> None:
    """Imports jsonschema (nbformat's validator) without ``rfc3987_syntax``, whose import
    compiles some 35 Lark grammars (a second on a 2-core machine, in every process that
    imports nbformat) for jsonschema's ``iri`` format checks, which no notebook schema uses
    (jsonschema#1428). Nothing is done where jsonschema is already imported; a later
    ``import rfc3987_syntax`` works as ever."""
    if "jsonschema" in sys.modules:
        return
    absent = "rfc3987_syntax" not in sys.modules
    if absent:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # importing it fails
    try:
        import jsonschema  # noqa: F401
    except ImportError:  # nbformat will say so when it is imported
        pass
    finally:
        if absent and "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None:
            del sys.modules["rfc3987_syntax"]
