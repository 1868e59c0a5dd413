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

The kernel process's own stderr (ipykernel's log: a KeyboardInterrupt traceback when it is
stopped, start-up warnings) goes to a log file of the job, not the analyst's terminal;
what the notebook's cells print still arrives as cell output.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import typing as t
from pathlib import Path

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import CaselessStrEnum

__all__ = ["CurrentPythonKernelManager", "current_python_kernelspec"]


def current_python_kernelspec() -> KernelSpec:
    """An ipykernel spec for the running interpreter."""
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python 3 (perfnb)",
        language="python",
        metadata={"debugger": True},
    )


class CurrentPythonKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose kernel is always ipykernel on ``sys.executable``."""

    transport = CaselessStrEnum(
        ["tcp", "ipc"], default_value="tcp" if os.name == "nt" else "ipc", config=True
    )

    stderr_path: t.ClassVar[str | None] = None  # where the kernel process's stderr goes
    ipc_dir: t.ClassVar[str | None] = None  # where its IPC sockets go (a short path: 107 bytes)
    deadline: t.ClassVar[float | None] = None  # time.time() by which the job must be done
    timed_out: t.ClassVar[bool] = False  # set when the kernel was stopped at the deadline

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
    ) -> type[CurrentPythonKernelManager]:
        """This manager, for one job: each kernel's stderr appended to ``path``, its IPC
        sockets in ``ipc_dir`` (a folder of its own), and the kernel killed at ``deadline``
        (``time.time()``), when the job has taken too long."""
        attributes = {
            "stderr_path": str(path),
            "ipc_dir": str(ipc_dir) if ipc_dir else None,
            "deadline": deadline,
            "timed_out": False,
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

    def _ip_default(self) -> str:
        if self.transport == "ipc" and self.ipc_dir:
            return os.path.join(self.ipc_dir, "kernel-ipc")
        return super()._ip_default()

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        if self.stderr_path is None or "stderr" in kw:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:
            # the child keeps its own copy of the file descriptor
            with open(self.stderr_path, "ab") as log:
                await super()._async_launch_kernel(kernel_cmd, stderr=log, **kw)
        if self.deadline is not None:
            timer = threading.Timer(max(0.0, self.deadline - time.time()), self._stop_at_deadline)
            timer.daemon = True
            timer.start()
            self._deadline_timer = timer

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        timer = getattr(self, "_deadline_timer", None)
        if timer is not None:
            timer.cancel()
        await super()._async_shutdown_kernel(now=now, restart=restart)

    shutdown_kernel = _async_shutdown_kernel  # AsyncKernelManager binds the base one by name
