"""A kernel manager that starts notebook kernels with the Python that runs perfnb.

papermill picks a kernel by the name in a notebook's metadata, and the kernelspec of that name
can point at any Python on the machine (a user-level ``python3`` kernelspec often does). Reports
must run against the perfnb and pandas the runner itself uses, so the runner starts every kernel
with ``sys.executable``, whatever kernelspecs are installed.

Where the platform has them (not Windows), kernels talk over IPC sockets, not TCP ports: no two
kernels started at once can race for a port (papermill#511), and nothing listens on the network.
Each job gives its kernel its own folder for the sockets: jupyter_client would otherwise name
them ``kernel-ipc-1``, ``-2``... in the working directory, and two kernels starting at once in
other processes pick the same names (the second then never answers).

Kernels are forked from a template process that has already imported ipykernel, pandas,
matplotlib and perfnb (``perfnb.run.kernel_template``, the standard library's forkserver), so a
report does not spend two seconds importing them: each kernel is still a process of its own that
has run nobody's code. ``PERFNB_KERNELS=fresh`` starts every kernel as a new interpreter instead,
as it always is where the platform cannot fork (Windows).

The kernel process's own stderr (ipykernel's log: a KeyboardInterrupt traceback when it is
stopped, start-up warnings) goes to a log file of the job, not the analyst's terminal;
what the notebook's cells print still arrives as cell output.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import typing as t
import uuid
from multiprocessing import forkserver, spawn
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async
from traitlets import CaselessStrEnum, DottedObjectName, Type, default

from perfnb import exhibits
from perfnb.files import files_stamp
from perfnb.run import stopping

if t.TYPE_CHECKING:
    from multiprocessing.context import ForkServerContext

__all__ = ["CurrentPythonKernelManager", "current_python_kernelspec", "forked_kernels"]

KERNELS_VARIABLE = "PERFNB_KERNELS"
TEMPLATE_DATA_VARIABLE = "PERFNB_TEMPLATE_DATA"  # the data set a new template reads ahead
TEMPLATE_MAIN_VARIABLE = "PERFNB_TEMPLATE_MAIN"  # the main script a new template imports
_TEMPLATE = "perfnb.run.kernel_template"
_template_stamp: tuple | None = None  # perfnb's sources when this process's template started


def current_python_kernelspec() -> KernelSpec:
    """An ipykernel spec for the running interpreter."""
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python 3 (perfnb)",
        language="python",
        metadata={"debugger": True},
    )


def forked_kernels() -> bool:
    """Whether kernels are forked from the template (``PERFNB_KERNELS`` unset or ``forked``,
    where the platform has fork and this process may have children: a daemonic process, such
    as a Dask worker, may not) or started as new interpreters (``fresh``)."""
    wanted = os.environ.get(KERNELS_VARIABLE, "forked").strip().lower() or "forked"
    if wanted not in ("forked", "fresh"):
        raise ValueError(f"{KERNELS_VARIABLE} is {wanted!r}: use forked or fresh")
    return (
        wanted == "forked"
        and "forkserver" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def start_kernel_template(
    data_dir: str | Path | None = None,
) -> ForkServerContext:
    """Starts this process's kernel template, if it has none yet, and returns the context that
    forks kernels from it. The template imports (and reads the data set at ``data_dir``, for
    each kernel's first ``load_dataset`` of it) in the background; the first fork waits for
    it. A template started before perfnb's sources changed is replaced."""
    global _template_stamp
    context = multiprocessing.get_context("forkserver")
    if not forked_kernels():
        return context
    stamp = files_stamp(Path(__file__).parents[1], "**/*.py")  # perfnb's sources
    if _template_stamp is not None and stamp != _template_stamp:
        stop = getattr(forkserver._forkserver, "_stop", None)
        if stop is not None:
            stop()
    _template_stamp = stamp
    # the main module too, once there: each kernel would import it again otherwise (as every
    # multiprocessing child does), so scripts that run reports need the __main__ guard. The
    # forkserver's own preload of "__main__" never happens before Python 3.13 (CPython
    # gh-126631: it is never given the script's path), so the template is told it
    context.set_forkserver_preload(["__main__", _TEMPLATE])
    # the server is given this environment when it is started
    main = spawn.get_preparation_data("perfnb-kernel").get("init_main_from_path")
    if main:
        os.environ[TEMPLATE_MAIN_VARIABLE] = str(main)
    if data_dir is not None:
        os.environ[TEMPLATE_DATA_VARIABLE] = str(Path(data_dir).resolve())
    try:
        forkserver.ensure_running()
    finally:
        os.environ.pop(TEMPLATE_DATA_VARIABLE, None)
        os.environ.pop(TEMPLATE_MAIN_VARIABLE, None)
    return context


def _kernel_in_fork(argv: list[str], cwd: str | None, env: dict[str, str], stderr: str | None):
    """The forked process's work (the template has imported ``perfnb.run.kernel_template``)."""
    from perfnb.run.kernel_template import serve_kernel

    serve_kernel(argv, cwd, env, stderr)


class ForkedKernel:
    """``subprocess.Popen``'s face on a kernel forked from the template, for jupyter_client's
    ``LocalProvisioner`` (which polls, waits, signals and kills it)."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self._process = process
        self.pid: int = t.cast(int, process.pid)  # started: it has one
        self._code: int | None = None  # kept once the process is waited for and closed

    @classmethod
    def start(
        cls, argv: list[str], cwd: str | None, env: dict[str, str], stderr: str | None
    ) -> ForkedKernel:
        """Forks a kernel from this process's template (started, importing perfnb, the first
        time; started again when perfnb's sources have changed since)."""
        context = start_kernel_template()
        process = context.Process(
            target=_kernel_in_fork, args=(argv, cwd, env, stderr), name="perfnb-kernel"
        )
        process.start()
        return cls(process)

    @property
    def returncode(self) -> int | None:
        return self.poll()

    def poll(self) -> int | None:
        return self._code if self._code is not None else self._process.exitcode

    def wait(self, timeout: float | None = None) -> int:
        if self._code is None:
            self._process.join(timeout)
            code = self._process.exitcode
            if code is None:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            self._code = code
            self._process.close()
        return self._code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # never signal a pid another process may now have
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ReadyKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, whose wait for a new kernel ends when the kernel
    has answered and gone idle: jupyter_client's own then waits for 0.2 s of silence on IOPub,
    which every report paid."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Waits (at most ``timeout`` seconds) until the kernel has answered a ``kernel_info``
        request on the shell channel and its IOPub channel has carried the request's idle
        status (so IOPub is connected, and holds nothing of it); asks again until then."""
        deadline = time.time() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                reply = None
            answered = reply is not None and reply["msg_type"] == "kernel_info_reply"
            if answered and await self._idle_after(reply["parent_header"].get("msg_id")):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.time() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _idle_after(self, request: str | None) -> bool:
        """Whether IOPub carries the kernel's idle status after ``request``, reading on while
        a message comes within 0.2 s (False: IOPub was not yet connected when it was sent)."""
        while True:
            try:
                message = await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
            except Empty:
                return False
            if (
                message["msg_type"] == "status"
                and message["parent_header"].get("msg_id") == request
                and message["content"].get("execution_state") == "idle"
            ):
                return True


class CurrentPythonKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel is always ipykernel on ``sys.executable``; its
    client is ready as soon as the kernel is (``ReadyKernelClient``), and a kernel's end is
    seen within 10 ms of it (jupyter_client looks every 100 ms)."""

    transport = CaselessStrEnum(
        ["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc", config=True
    )
    client_class = DottedObjectName("perfnb.run.kernel.ReadyKernelClient")
    client_factory = Type(default_value=ReadyKernelClient, klass=AsyncKernelClient)

    stderr_path: t.ClassVar[str | None] = None  # where the kernel process's stderr goes
    ipc_dir: t.ClassVar[str | None] = None  # where its IPC sockets go (a short path: 107 bytes)
    deadline: t.ClassVar[float | None] = None  # time.time() by which the job must be done
    timed_out: t.ClassVar[bool] = False  # set when the kernel was stopped at the deadline
    fresh: t.ClassVar[bool] = False  # a new interpreter even where kernels are forked
    environment: t.ClassVar[dict[str, str]] = {}  # set in the kernel's environment

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = current_python_kernelspec()
        return self._kernel_spec

    @classmethod
    def logging_to(
        cls,
        path: str | Path,
        ipc_dir: str | Path | None = None,
        deadline: float | None = None,
        fresh: bool = False,
        environment: dict[str, str] | None = None,
    ) -> type[CurrentPythonKernelManager]:
        """This manager, for one job: each kernel's stderr appended to ``path``, its IPC
        sockets in ``ipc_dir`` (a folder of its own), the kernel killed at ``deadline``
        (``time.time()``), when the job has taken too long, and with ``fresh``, started as a
        new interpreter, not forked."""
        attributes = {
            "stderr_path": str(path),
            "ipc_dir": str(ipc_dir) if ipc_dir else None,
            "deadline": deadline,
            "timed_out": False,
            "fresh": fresh,
            "environment": dict(environment or {}),
        }
        return type(cls.__name__, (cls,), attributes)

    def _stop_at_deadline(self) -> None:
        """Kills the kernel process when the job's time is up; the run then fails with a dead
        kernel, which the runner reports as the timeout it is."""
        process = getattr(self.provisioner, "process", None) if self.provisioner else None
        if process is None or process.poll() is not None:
            return  # shut down or ended already: never signal a pid another process may reuse
        pid = process.pid
        type(self).timed_out = True
        with contextlib.suppress(OSError):  # it may have ended already
            os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)

    def _fork_kernel(self, argv: list[str], **kw: t.Any) -> None:
        """Starts the kernel as a fork of the template, where the provisioner would start it
        with ``Popen``; the provisioner then manages it as it would that process."""
        provisioner = t.cast(LocalProvisioner, self.provisioner)
        cwd = str(kw["cwd"]) if kw.get("cwd") else None
        env = dict(kw.get("env") or os.environ)
        process = ForkedKernel.start(argv, cwd, env, self.stderr_path)
        provisioner.process = t.cast("subprocess.Popen[t.Any]", process)  # Popen's face
        provisioner.pid = provisioner.pgid = process.pid  # the kernel leads a session of its own
        provisioner.cwd = cwd or os.getcwd()
        self._reconcile_connection_info(provisioner.connection_info)

    @default("connection_file")
    def _connection_file_beside_sockets(self) -> str:
        """The kernel's connection file in its socket folder (not the temporary folder), so
        that a killed run's leftovers are all in the one folder a later run removes."""
        if not self.ipc_dir:
            return ""
        return os.path.join(self.ipc_dir, f"kernel-{uuid.uuid4().hex[:8]}.json")

    def _ip_default(self) -> str:
        if self.transport == "ipc" and self.ipc_dir:
            return os.path.join(self.ipc_dir, "kernel-ipc")
        return super()._ip_default()

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        # the tables and charts the kernel shows carry their files for the run to publish
        kw["env"] = {
            **(kw.get("env") or os.environ),
            exhibits.ENVIRONMENT_VARIABLE: "1",
            **self.environment,
        }
        launcher = [sys.executable, "-m", "ipykernel_launcher"]
        if not self.fresh and forked_kernels() and kernel_cmd[:3] == launcher:
            self._fork_kernel(kernel_cmd[3:], **kw)
        elif self.stderr_path is None or "stderr" in kw:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:
            # the child keeps its own copy of the file descriptor
            with open(self.stderr_path, "ab") as log:
                await super()._async_launch_kernel(kernel_cmd, stderr=log, **kw)
        process = getattr(self.provisioner, "process", None) if self.provisioner else None
        if process is not None:  # a stop (Ctrl-C, the run's end) interrupts it
            stopping.track_kernel(process)
            self._tracked = process
        if self.deadline is not None:
            timer = threading.Timer(max(0.0, self.deadline - time.time()), self._stop_at_deadline)
            timer.daemon = True
            timer.start()
            self._deadline_timer = timer

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        timer = getattr(self, "_deadline_timer", None)
        if timer is not None:
            timer.cancel()
        try:
            await super()._async_shutdown_kernel(now=now, restart=restart)
        finally:
            tracked = getattr(self, "_tracked", None)
            if tracked is not None:
                stopping.untrack_kernel(tracked)

    shutdown_kernel = _async_shutdown_kernel  # AsyncKernelManager binds the base one by name

    async def _async_finish_shutdown(
        self, waittime: float | None = None, pollinterval: float = 0.01, restart: bool = False
    ) -> None:
        await super()._async_finish_shutdown(waittime, pollinterval, restart)
