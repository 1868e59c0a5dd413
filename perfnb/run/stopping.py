"""How a run stops: on a signal (Ctrl-C, ``SIGTERM``, a closed terminal's ``SIGHUP``), or, in a
worker process, when the run that started it has died (even by ``kill -9``).

A signal is never an exception thrown into the middle of a report. While reports are being
built the signal is recorded (:func:`requested`) and every kernel of this process is
interrupted, then killed if it has not ended within :data:`KERNEL_GRACE` seconds; each report
in progress then ends as "stopped", without publishing anything, and the runner writes the
index and manifest of the reports that had finished before raising :class:`RunStopped`. Before
and after that (reading the data, planning) the signal raises :class:`RunStopped` at once.

A worker watches the process that started it: when that has gone, it kills its kernel, removes
its working folders and exits, so nothing of a dead run goes on to publish a report. What
cannot clean up after itself (a run killed while it built a report in its own process) leaves
folders that the next run removes: :func:`remove_stale_sockets` and :func:`remove_stale_work`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "KERNEL_GRACE",
    "OWNER_FILE",
    "RunStopped",
    "deferred",
    "forwarding",
    "mark_owner",
    "on_signals",
    "parent_alive",
    "publishing",
    "remove_stale_sockets",
    "remove_stale_work",
    "requested",
    "serve_as_worker",
    "signal_name",
    "track_kernel",
    "untrack_kernel",
    "working_folder",
]

KERNEL_GRACE = 1.5  # seconds an interrupted kernel has to end before it is killed
PARENT_POLL = 0.1  # seconds between a worker's looks at whether its run is still there
OWNER_FILE = "perfnb-owner.json"  # in a socket folder: the process it belongs to
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
# what a worker records when the run that started it died: no signal reached it
PARENT_DIED = getattr(signal, "SIGKILL", 9)


class _Process(Protocol):
    pid: int

    def poll(self) -> int | None: ...
    def send_signal(self, signum: int) -> None: ...


class RunStopped(KeyboardInterrupt):
    """A run stopped by a signal: ``signum`` is the signal and ``results`` what the run had
    finished by then (their index and manifest are written). A ``KeyboardInterrupt``, so code
    that stops on Ctrl-C stops on it too."""

    def __init__(self, signum: int, results: list[Any] | None = None) -> None:
        super().__init__(f"stopped by {signal_name(signum)}")
        self.signum = signum
        self.results = list(results or [])

    @property
    def exit_status(self) -> int:
        """The shell's status for a process ended by the signal: 128 + its number."""
        return 128 + self.signum


def signal_name(signum: int) -> str:
    """A signal as a user knows it: ``Ctrl-C (SIGINT)``, ``SIGTERM``..."""
    if signum == signal.SIGINT:
        return "Ctrl-C (SIGINT)"
    if hasattr(signal, "SIGHUP") and signum == signal.SIGHUP:
        return "SIGHUP (its terminal closed)"
    if signum == PARENT_DIED:
        return "the death of the run that started it"
    with contextlib.suppress(ValueError):
        return signal.Signals(signum).name
    return f"signal {signum}"


# -- this process's state --------------------------------------------------------------------------

_signal: int | None = None  # the first stop signal since the run began
_deferred = 0  # how deep in blocks where a signal is recorded, never raised
_forward: Callable[[int], None] | None = None  # passes a signal on to the run's workers
_parent: int | None = None  # in a worker: the process that started it
_kernels: set[_Process] = set()
_folders: set[Path] = set()  # this process's working folders, removed if it has to die
_state = threading.RLock()  # guards the sets above
_publish = threading.Lock()  # held while a report is moved into place


def requested() -> int | None:
    """The signal that asked this process's run to stop, if one has."""
    return _signal


def _request(signum: int) -> None:
    """Records a stop (the first signal wins) and interrupts every kernel, off the signal
    handler (a thread), which must not wait on a process."""
    global _signal
    if _signal is None:
        _signal = signum
    threading.Thread(target=_stop_kernels, daemon=True).start()


def _stop_kernels(at_once: bool = False) -> None:
    """Interrupts each kernel (its cell stops as at a notebook's stop button) and kills those
    still there after ``KERNEL_GRACE`` seconds; with ``at_once``, kills them now."""
    with _state:
        kernels = list(_kernels)
    for kernel in kernels:
        _send(kernel, signal.SIGKILL if at_once and hasattr(signal, "SIGKILL") else signal.SIGINT)
    if at_once or not kernels:
        return
    give_up = time.monotonic() + KERNEL_GRACE
    while time.monotonic() < give_up and any(k.poll() is None for k in kernels):
        time.sleep(0.05)
    for kernel in kernels:
        _send(kernel, getattr(signal, "SIGKILL", signal.SIGTERM))


def _send(kernel: _Process, signum: int) -> None:
    with contextlib.suppress(OSError):  # it may have ended already
        kernel.send_signal(signum)  # a kernel handle never signals a pid it has reaped


def track_kernel(kernel: _Process) -> None:
    """Adds a running kernel (a process handle) to those a stop interrupts; one started after
    the stop is stopped at once."""
    with _state:
        _kernels.add(kernel)
    if _signal is not None:
        threading.Thread(target=_stop_kernels, daemon=True).start()


def untrack_kernel(kernel: _Process) -> None:
    """Forgets a kernel that has been shut down."""
    with _state:
        _kernels.discard(kernel)


@contextlib.contextmanager
def working_folder(path: Path) -> Iterator[Path]:
    """Marks ``path`` as this process's own, to be removed should the process have to die
    (its run gone) while the block runs."""
    with _state:
        _folders.add(path)
    try:
        yield path
    finally:
        with _state:
            _folders.discard(path)


# -- the run's own process -------------------------------------------------------------------


def _handler(signum: int, frame: Any) -> None:
    _request(signum)
    forward = _forward
    if forward is not None:
        with contextlib.suppress(Exception):
            forward(signum)
    if not _deferred:
        raise RunStopped(signum)


@contextlib.contextmanager
def on_signals() -> Iterator[None]:
    """For the block (a run), Ctrl-C, ``SIGTERM`` and ``SIGHUP`` stop the run as this module
    says; the previous handlers come back after. Outside the main thread (where no handler can
    be set) the block runs as it is."""
    global _signal
    _signal = None
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    for signum in STOP_SIGNALS:
        signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, previous in before.items():
            signal.signal(signum, previous)
        _signal = None  # the next run in this process starts afresh


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """In the block a stop signal is recorded and the kernels stopped, but nothing is raised:
    the block's code looks at :func:`requested` where it is safe to stop."""
    global _deferred
    _deferred += 1
    try:
        yield
    finally:
        _deferred -= 1


@contextlib.contextmanager
def forwarding(forward: Callable[[int], None] | None) -> Iterator[None]:
    """For the block, a stop signal is passed on with ``forward(signum)`` (to the run's
    workers, which a signal to this process alone does not reach)."""
    global _forward
    _forward = forward
    try:
        yield
    finally:
        _forward = None


# -- a worker --------------------------------------------------------------------------------


def serve_as_worker() -> None:
    """Makes this process a run's worker: a stop signal stops its report (never raising), and
    when the process that started it has gone, it kills its kernel, removes its working
    folders and exits at once."""
    global _parent, _deferred
    _parent = os.getppid()
    _deferred += 1  # for good: a worker's stop always ends in a stopped report
    if threading.current_thread() is threading.main_thread():
        for signum in STOP_SIGNALS:
            signal.signal(signum, _handler)
    threading.Thread(target=_watch_parent, args=(_parent,), daemon=True).start()


def parent_alive() -> bool:
    """False in a worker whose run has gone; True otherwise."""
    return _parent is None or os.getppid() == _parent


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    _abandon()


def _abandon() -> None:
    """The run is gone: no report may be published from here on (the publishing lock is
    never released), the kernels are killed, the working folders removed, and this process
    ends."""
    global _signal
    _publish.acquire()
    _signal = _signal or PARENT_DIED
    _stop_kernels(at_once=True)
    with _state:
        folders = list(_folders)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)


@contextlib.contextmanager
def publishing() -> Iterator[None]:
    """The block moves a finished report into place: it runs whole or not at all, and not at
    all once the run is stopping or gone (``RunStopped`` is raised instead)."""
    with _publish:
        if _signal is not None or not parent_alive():
            raise RunStopped(_signal or PARENT_DIED)
        yield


# -- what a dead run left behind -------------------------------------------------------------


def _process_start(pid: int) -> str:
    """When process ``pid`` started, in the kernel's clock ticks (Linux), to tell it from a
    later process given the same number; blank where that cannot be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def _alive(pid: int, started: str) -> bool:
    """Whether process ``pid`` (started at ``started``, when known) is still running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: there, but not the one that wrote the marker
        return not started
    except OSError:
        return True
    return not started or _process_start(pid) in ("", started)


def mark_owner(folder: Path) -> None:
    """Records in ``folder`` (a job's socket folder) which process it belongs to, so that a
    later run can tell it is stale once that process has gone."""
    pid = os.getpid()
    owner = {"pid": pid, "started": _process_start(pid), "host": socket.gethostname()}
    (folder / OWNER_FILE).write_text(json.dumps(owner), encoding="utf-8")


def remove_stale_sockets(root: Path) -> list[Path]:
    """Removes the socket folders (``perfnb-*`` in ``root``, the temporary folder) of perfnb
    processes that have died: only folders of this user, with an owner marker written on this
    machine by a process that is no longer running. Returns the folders removed."""
    removed = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in Path(root).glob("perfnb-*"):
        try:
            if not folder.is_dir() or folder.is_symlink():
                continue
            if uid is not None and folder.stat().st_uid != uid:
                continue
            owner = json.loads((folder / OWNER_FILE).read_text(encoding="utf-8"))
            if owner.get("host") != socket.gethostname():
                continue
            if _alive(int(owner["pid"]), str(owner.get("started", ""))):
                continue
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not one of perfnb's markers, or not readable: not ours to remove
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def remove_stale_work(out_root: Path) -> list[Path]:
    """Removes what a run that died left in the period folders of ``out_root``: its reports'
    working folders (``.perfnb-*``) and half-written files (``.<name>.*.tmp``). Only for the
    holder of the output folder's lock, when no other run can be writing there. Returns what
    was removed."""
    removed: list[Path] = []
    try:
        periods = list(Path(out_root).iterdir())
    except OSError:
        return removed
    for period in periods:
        if not period.is_dir() or period.is_symlink() or period.name.startswith("."):
            continue
        for path in period.iterdir():
            if path.is_symlink():
                continue
            if path.name.startswith(".perfnb-") and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.name.startswith(".") and path.name.endswith(".tmp") and path.is_file():
                path.unlink(missing_ok=True)
            else:
                continue
            removed.append(path)
    return removed
