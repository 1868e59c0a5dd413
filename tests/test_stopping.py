"""Runs that die cleanly (issue 16): whatever stops ``perfnb run`` (kill -9, SIGTERM, Ctrl-C),
nothing of it goes on running or publishing, what finished is indexed, and the next run removes
what a killed one left; a dead kernel names its cell; a read-only output folder is an error."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_runner import _kernels, _processes_with, make_notebook

from conftest import TINY, write_dataset
from perfnb import run_reports
from perfnb.run.stopping import (
    OWNER_FILE,
    RunStopped,
    mark_owner,
    remove_stale_sockets,
    remove_stale_work,
)

needs_proc = pytest.mark.skipif(
    not Path("/proc").is_dir(), reason="reads /proc to find the run's processes"
)
PERIOD = "2017-18-Q1"


def _start_run(tmp_path: Path, notebooks: Path, workers: int, out: str = "out"):
    """``perfnb run`` in a process of its own, every process of it marked in its environment
    (as its children inherit it); its socket folders under TMPDIR (the test's own)."""
    data = write_dataset(tmp_path / "data", TINY)
    run_id = uuid.uuid4().hex  # unique: another checkout's tests run this test too
    marker = f"PERFNB_TEST_RUN={run_id}"
    run = subprocess.Popen(
        [sys.executable, "-m", "perfnb.cli", "run", "--data", str(data), "--out",
         str(tmp_path / out), "--notebooks", str(notebooks), "--workers", str(workers)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PERFNB_TEST_RUN": run_id},
    )  # fmt: skip
    return run, marker


def _wait_for(condition, seconds: float = 120, step: float = 0.2) -> bool:
    """Polls ``condition`` until it holds or ``seconds`` have passed; whether it held."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _gone_within(marker: str, seconds: float) -> set[int]:
    """The processes of the run still there after ``seconds`` (none, once all have ended)."""
    _wait_for(lambda: not _processes_with(marker), seconds, 0.1)
    return _processes_with(marker)


def _leftovers(tmp_path: Path, temporary: Path) -> list[str]:
    """What a run may leave behind: working folders and half-written files in the period
    folder, its kernels' socket folders in the temporary folder. (Not multiprocessing's own
    pymp-* folder, which Python leaves after any program killed outright.)"""
    folder = tmp_path / "out" / PERIOD
    found = [p.name for p in folder.glob(".perfnb-*")] + [p.name for p in folder.glob(".*.tmp")]
    return found + [p.name for p in temporary.glob("perfnb-*")]


@needs_proc
@pytest.mark.parametrize("workers", [2, 1])
def test_kill_9_leaves_nothing_running_and_publishes_nothing(tmp_path, run_temporary, workers):
    """kill -9 of a run building two reports (in two workers, or here one at a time): within 5
    seconds no process of the run is left (workers, kernel templates, kernels), neither report
    is published afterwards, and the next run removes the working and socket folders left."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "import time\ntime.sleep(12)\nprint('done')")
    run, marker = _start_run(tmp_path, notebooks, workers)
    try:
        assert _wait_for(lambda: len(_kernels(marker)) >= 1), "no kernel started"
        if workers == 2:
            assert _wait_for(lambda: len(_kernels(marker)) >= 2), "the second kernel did not start"
        run.kill()  # SIGKILL: the run has no say
        run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    left = _gone_within(marker, 5)
    assert left == set(), f"still running 5 s after kill -9: {left}"
    folder = tmp_path / "out" / PERIOD
    killed_left = _leftovers(tmp_path, run_temporary)
    time.sleep(15)  # past when the reports (12 s of sleep) would have been published
    assert sorted(p.name for p in folder.glob("card-*")) == []
    assert not (folder / "index.html").exists()
    if workers == 1:  # the run built it in its own process: it could not clean up
        assert any(name.startswith(".perfnb-card-") for name in killed_left), killed_left
        assert any(name.startswith("perfnb-") for name in killed_left), killed_left

    quick = tmp_path / "quick"
    make_notebook(quick, "card", "print('done')")
    again, _ = _start_run(tmp_path, quick, 1)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert _leftovers(tmp_path, run_temporary) == []
    assert sorted(p.name for p in folder.glob("card-*.html")) == [
        "card-care.html",
        "card-help-desk.html",
    ]


@needs_proc
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_signal_ends_the_run_in_5_seconds_keeping_what_finished(
    tmp_path, run_temporary, signum, status
):
    """SIGINT or SIGTERM to the run while one report is built and another is still running:
    the run exits within 5 seconds with 128 + the signal, no traceback; the finished report
    is in place and in index.html and manifest.json, the stopped one nowhere; no process or
    temporary folder of the run is left."""
    notebooks = tmp_path / "nb"
    make_notebook(
        notebooks, "card", "import time\nif service == 'Care':\n    time.sleep(600)\nprint('done')"
    )
    run, marker = _start_run(tmp_path, notebooks, 2)
    folder = tmp_path / "out" / PERIOD
    try:
        assert _wait_for(lambda: (folder / "card-help-desk.html").exists(), 180), "not built"
        assert _wait_for(lambda: len(_kernels(marker)) >= 1), "Care's kernel is not running"
        time.sleep(1)
        sent = time.monotonic()
        run.send_signal(signum)
        _, err = run.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == status, err
    assert took < 5, f"the run took {took:.1f} s to stop"
    assert "Traceback" not in err and "Task exception" not in err, err
    assert "interrupted" in err and "1 of 2 report(s) had finished" in err, err
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [(r["service"], r["status"]) for r in manifest["reports"]] == [("Help Desk", "ok")]
    index = (folder / "index.html").read_text()
    assert "card-help-desk.html" in index and "card-care.html" not in index
    assert sorted(p.name for p in folder.glob("card-*")) == [
        "card-help-desk.html",
        "card-help-desk.ipynb",
    ]
    assert _gone_within(marker, 5) == set()
    assert _leftovers(tmp_path, run_temporary) == []


def test_a_stop_raises_run_stopped_with_the_finished_reports(tiny, tmp_path) -> None:
    """From Python, a stop (here SIGTERM sent by a notebook cell to the run's own process,
    built one at a time) raises RunStopped, a KeyboardInterrupt carrying each period's result:
    the report before it built, the one that sent it stopped, the one after never started."""
    notebooks = tmp_path / "nb"
    make_notebook(
        notebooks,
        "card",
        f"import os, signal\nif service == 'Care':\n    os.kill({os.getpid()}, signal.SIGTERM)\n"
        "    import time; time.sleep(60)",
    )
    data = tiny(
        measures=[("", "M4,Calls,Adults,Access,Local,count,high,sum,quarterly")],
        values=[("", "M4,2017/18 Q1,7,")],
    )
    with pytest.raises(RunStopped) as caught:
        run_reports(None, data, tmp_path / "out", notebooks_dir=notebooks, workers=1)
    stopped = caught.value
    assert isinstance(stopped, KeyboardInterrupt)
    assert stopped.signum == signal.SIGTERM and stopped.exit_status == 143
    [result] = stopped.results
    # in measures.csv's order
    assert [(j.service, j.status) for j in result.jobs] == [
        ("Help Desk", "ok"),
        ("Care", "stopped"),
        ("Adults", "stopped"),
    ]
    assert result.jobs[2].error == "not started: stopped"
    manifest = json.loads((result.folder / "manifest.json").read_text())
    assert [r["service"] for r in manifest["reports"]] == ["Help Desk"]
    assert not (result.folder / "card-care.failed.ipynb").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers put back


def test_a_dead_kernel_names_the_cell_it_was_running(tiny, tmp_path) -> None:
    """A kernel killed by its third cell (out of memory, say): the report fails at cell 3
    (the analyst's numbering: the parameters cell is the first), saying the kernel died."""
    notebooks = tmp_path / "nb"
    make_notebook(
        notebooks, "card", "x = 1", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    )
    result = run_reports(None, tiny(), tmp_path / "out", notebooks_dir=notebooks, workers=1)
    for job in result.jobs:
        assert job.status == "failed"
        assert job.cell == 3
        assert job.error.startswith("the kernel died (DeadKernelError"), job.error
    assert "cell 3: the kernel died" in result.summary()


def _read_only_run(tmp_path: Path, out: Path) -> subprocess.CompletedProcess:
    """``perfnb run`` into ``out`` made read-only: by a read-only bind mount in a mount
    namespace of its own as root (whom permissions do not stop), else by its mode."""
    data = write_dataset(tmp_path / "data", TINY)
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "print('done')")
    command = [sys.executable, "-m", "perfnb.cli", "run", "--data", str(data), "--out", str(out),
               "--notebooks", str(notebooks), "--workers", "1"]  # fmt: skip
    if os.geteuid() != 0:
        out.chmod(0o555)
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=300)
        finally:
            out.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare to make a folder read-only for root")
    mount = f"mount --bind -o ro {out} {out}"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("this machine cannot mount a folder read-only")
    script = f"{mount} && exec " + " ".join(f"'{part}'" for part in command)
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_output_folder_is_an_error(tmp_path, existing) -> None:
    """--out on a read-only folder: exit 1 with one line naming what could not be written,
    and why; no traceback. With its period folder already there, the lock is what fails."""
    out = tmp_path / "out"
    out.mkdir()
    if existing:
        (out / PERIOD).mkdir()
    done = _read_only_run(tmp_path, out)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    named = out / PERIOD if not existing else out / ".perfnb.lock"
    assert f"perfnb run: cannot write {named}: " in done.stderr, done.stderr
    assert ("Read-only file system" in done.stderr) or ("Permission denied" in done.stderr)


def _dead_pid() -> int:
    """The number of a process that has ended (and been reaped)."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(ended.stdout)


def test_only_dead_runs_socket_folders_are_removed(tmp_path) -> None:
    """Of the socket folders in a temporary folder, only those marked by a process that has
    ended, on this machine, are removed: not a live one's, not another machine's, not one
    without perfnb's marker, not anything not named perfnb-* (multiprocessing's pymp-*)."""
    root = tmp_path / "tmp"

    def folder(name: str, owner: dict | None) -> Path:
        path = root / name
        path.mkdir(parents=True)
        (path / "kernel-ipc-1").write_text("")
        if owner is not None:
            (path / OWNER_FILE).write_text(json.dumps(owner))
        return path

    host = socket.gethostname()
    dead = folder("perfnb-dead", {"pid": _dead_pid(), "started": "", "host": host})
    live = folder("perfnb-live", None)
    mark_owner(live)  # this process: alive
    reused = folder("perfnb-reused", {"pid": os.getpid(), "started": "1", "host": host})
    elsewhere = folder("perfnb-other", {"pid": _dead_pid(), "started": "", "host": host + "x"})
    unmarked = folder("perfnb-unmarked", None)
    stranger = folder("other-dead", {"pid": _dead_pid(), "started": "", "host": host})
    multiprocessing = folder("pymp-dead", {"pid": _dead_pid(), "started": "", "host": host})
    removed = remove_stale_sockets(root)
    assert sorted(removed) == sorted([dead, *([reused] if _has_start_times() else [])])
    for kept in (live, elsewhere, unmarked, stranger, multiprocessing):
        assert kept.is_dir()


def _has_start_times() -> bool:
    """Whether processes' start times can be read (Linux), which tell a reused number."""
    return Path(f"/proc/{os.getpid()}/stat").is_file()


def test_a_dead_runs_work_in_the_output_folder_is_removed(tmp_path) -> None:
    """Working folders (.perfnb-*) and half-written files (.<name>.<random>.tmp) in the period
    folders go; the lock, the reports and anything else stay."""
    out = tmp_path / "out"
    period = out / PERIOD
    (period / ".perfnb-card-care-abc123").mkdir(parents=True)
    (period / ".perfnb-card-care-abc123" / "card-care.ipynb").write_text("{}")
    (period / ".index.html.x1y2.tmp").write_text("<half")
    for name in ("card-care.html", "manifest.json", "notes.tmp"):
        (period / name).write_text("x")
    (out / ".perfnb.lock").write_text("")
    (out / ".perfnb-not-in-a-period").mkdir()
    removed = remove_stale_work(out)
    assert sorted(p.name for p in removed) == [".index.html.x1y2.tmp", ".perfnb-card-care-abc123"]
    assert sorted(p.name for p in period.iterdir()) == [
        "card-care.html",
        "manifest.json",
        "notes.tmp",
    ]
    assert (out / ".perfnb.lock").exists() and (out / ".perfnb-not-in-a-period").is_dir()


@needs_proc
def test_a_closed_terminal_stops_the_run_as_sighup(tmp_path, run_temporary) -> None:
    """The terminal of a run closes (its window shut, an SSH session dropped) while one report
    is built and another runs: the run ends with 129 (SIGHUP), though it can no longer write to
    its terminal; the finished report is indexed; nothing of the run is left."""
    import fcntl
    import select
    import termios

    notebooks = tmp_path / "nb"
    make_notebook(
        notebooks, "card", "import time\nif service == 'Care':\n    time.sleep(600)\nprint('done')"
    )
    data = write_dataset(tmp_path / "data", TINY)
    master, terminal = os.openpty()
    run_id = uuid.uuid4().hex  # unique: another checkout's tests run this test too
    marker = f"PERFNB_TEST_RUN={run_id}"

    def own_terminal() -> None:  # a session of its own, with the terminal as its controlling one
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    run = subprocess.Popen(
        [sys.executable, "-m", "perfnb.cli", "run", "--data", str(data), "--out",
         str(tmp_path / "out"), "--notebooks", str(notebooks), "--workers", "2"],
        stdin=terminal, stdout=terminal, stderr=terminal, preexec_fn=own_terminal,
        env={**os.environ, "PERFNB_TEST_RUN": run_id},
    )  # fmt: skip
    os.close(terminal)
    folder = tmp_path / "out" / PERIOD
    shown = b""
    try:
        give_up = time.monotonic() + 180
        while not (folder / "card-help-desk.html").exists() and time.monotonic() < give_up:
            if select.select([master], [], [], 0.2)[0]:  # the progress bar, read as a terminal
                with contextlib.suppress(OSError):
                    shown += os.read(master, 65536)
        assert (folder / "card-help-desk.html").exists(), shown.decode(errors="replace")
        assert _wait_for(lambda: len(_kernels(marker)) >= 1), "Care's kernel is not running"
        os.close(master)  # the terminal goes: its session leader, the run, gets SIGHUP
        assert run.wait(timeout=60) == 129
    finally:
        if run.poll() is None:
            run.kill()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [(r["service"], r["status"]) for r in manifest["reports"]] == [("Help Desk", "ok")]
    assert _gone_within(marker, 5) == set()
    assert _leftovers(tmp_path, run_temporary) == []
