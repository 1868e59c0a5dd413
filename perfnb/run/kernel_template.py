"""The template that report kernels are forked from: a process that has imported, once, what
every report kernel imports (ipykernel, IPython, pandas, matplotlib and perfnb).

A fresh ``python -m ipykernel_launcher`` spends about two seconds starting an interpreter and
importing these before a report's first cell can run, and the quarter-end run pays that for
every report. Here the imports are done once, in the server process of the standard library's
``multiprocessing`` forkserver (this module is its preload), and each report's kernel is a
``fork`` of it: a new process with its own memory, which has run none of anyone's code, in
about a tenth of the time. Each kernel then does what ``ipykernel_launcher`` does, in the
working directory, environment and ``sys.path`` a fresh kernel would have.

Only the server imports this module (and ``perfnb.run.kernel`` names it as the preload): importing
it sets ``MPLBACKEND`` as ipykernel does, before matplotlib is imported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
from multiprocessing import forkserver, spawn
from pathlib import Path

__all__ = ["serve_kernel"]

# ipykernel sets this when the kernel starts (unless the user has chosen a backend), before
# matplotlib is imported, which reads it; perfnb has imported matplotlib by now (this module is
# in its package), so the backend is set below as matplotlib would have set it
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

import ipykernel.kernelapp
import IPython.display  # noqa: F401
import matplotlib

import perfnb
import perfnb.pages.action_plan
import perfnb.pages.service

matplotlib.rcParams["backend"] = matplotlib.rcParamsOrig["backend"] = os.environ["MPLBACKEND"]

# the run's data set, read once here for every kernel (each takes it on its first load)
_data_dir = os.environ.pop("PERFNB_TEMPLATE_DATA", "")
if _data_dir:
    perfnb.loader.preload_dataset(_data_dir)


def _import_main(path: str) -> None:
    """Imports the run's main script as multiprocessing imports it into each child (as
    ``__mp_main__``), here once: a kernel forked from here then finds it imported and does not
    run it again. A script that fails to import is left for each kernel to report, as before."""
    if not path or getattr(sys.modules["__main__"], "__file__", None) == path:
        return  # none, or imported by the forkserver itself (Python 3.13 and later)
    current = multiprocessing.current_process()
    current._inheriting = True  # type: ignore[attr-defined]  # as the forkserver's preload does
    try:
        spawn.import_main_path(path)
    except Exception:
        pass
    finally:
        del current._inheriting  # type: ignore[attr-defined]


_import_main(os.environ.pop("PERFNB_TEMPLATE_MAIN", ""))


def _fresh_sys_path() -> list[str]:
    """``sys.path`` as ``python -m ipykernel_launcher`` leaves it: a new interpreter's path
    (``PYTHONPATH``, the standard library, site-packages, ``.pth`` entries) without its first
    entry, the working directory, which the launcher removes (IPython puts ``''`` back)."""
    found = subprocess.run(
        [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(found.stdout)[1:]


FRESH_SYS_PATH = _fresh_sys_path()
_SPEC = importlib.util.find_spec("ipykernel_launcher")
LAUNCHER = (_SPEC.origin if _SPEC is not None else None) or "ipykernel_launcher"


def _name_this_process(name: str) -> None:
    """Sets the process's name as ``ps`` and ``top`` show it (Linux; nothing elsewhere)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(name[:15])


def _let_the_template_go() -> None:
    """Closes this process's end of the pipe that keeps the template running while anyone who
    may ask it for a process is alive (multiprocessing gives one to each child). A kernel asks
    for none, and with it open the template would outlive a run killed by ``kill -9`` as long as
    the kernel did, and the kernel (which ends when the template does) would never end."""
    server = forkserver._forkserver
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
        server._forkserver_alive_fd = None  # type: ignore[attr-defined]  # private, unstubbed


def serve_kernel(argv: list[str], cwd: str | None, env: dict[str, str], stderr: str | None) -> None:
    """Runs an IPython kernel in this forked process until it is shut down: ``argv`` is what
    follows ``-m ipykernel_launcher`` (``-f <connection file>``), ``cwd`` and ``env`` the
    kernel's working directory and environment, ``stderr`` a file its own log is appended to."""
    os.setsid()  # its own session, as jupyter_client starts kernels: no terminal's Ctrl-C
    _let_the_template_go()
    _name_this_process("perfnb-kernel")
    if stderr:
        log = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 2)
        os.close(log)
    if cwd:
        os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path[:] = FRESH_SYS_PATH
    sys.argv = [LAUNCHER, *argv]
    random = sys.modules.get("numpy.random")
    if random is not None:  # numpy's global generator is not reseeded by a fork, as Python's is
        random.seed()
    # what a kernel reads of its environment when ipykernel is imported, read here afresh: the
    # parent it stops with (this process's, the template) is not the template's own
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    ipykernel.kernelapp.IPKernelApp.launch_instance(argv=argv, parent_handle=os.getppid())
