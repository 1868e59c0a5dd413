"""Report kernels forked from the kernel template: each is a kernel as a fresh one would be."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from test_runner import make_notebook

from perfnb import run_reports
from perfnb.loader import load_dataset, preload_dataset
from perfnb.run.export import export_html
from perfnb.run.job import Job
from perfnb.run.kernel import ForkedKernel, forked_kernels
from perfnb.run.pool import _longest_first

pytestmark = pytest.mark.skipif(
    not forked_kernels(), reason="kernels are forked only where the platform has fork"
)

INLINE = "module://matplotlib_inline.backend_inline"

# what a report's code can see of the process it runs in
LOOK_AROUND = """
import json, os, sys
import matplotlib
import numpy
seen = {
    "cwd": os.getcwd(),
    "path": sys.path,
    "argv": sys.argv[1:2],
    "marker": os.environ.get("PERFNB_TEST_MARKER"),
    "parent": os.environ.get("JPY_PARENT_PID") == str(os.getppid()),
    "backend": matplotlib.get_backend(),
    "names": sorted(n for n in globals() if not n.startswith("_")),
    "random": numpy.random.random(),
    "comm": open("/proc/self/comm").read().strip() if os.path.exists("/proc/self/comm") else "",
}
print(json.dumps(seen))
"""


def _printed(folder: Path, stem: str) -> dict:
    """What the report's last cell printed, as JSON."""
    nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
    return json.loads(nb.cells[-1].outputs[0]["text"])


def _look_around(tiny, tmp_path: Path, name: str, monkeypatch, kernels: str) -> dict[str, dict]:
    monkeypatch.setenv("PERFNB_KERNELS", kernels)
    monkeypatch.setenv("PERFNB_TEST_MARKER", f"marker-{kernels}")
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "look", LOOK_AROUND)
    result = run_reports(None, tiny(), tmp_path / name, notebooks_dir=notebooks, workers=1)
    assert result.ok, result.summary()
    return {job.service: _printed(result.folder, job.key) for job in result.jobs}


def test_a_forked_kernel_sees_what_a_fresh_one_does(tiny, tmp_path, monkeypatch) -> None:
    """Working directory, sys.path, arguments, environment, matplotlib's backend and the names
    defined are those of a new interpreter's kernel; only the process name and the random
    state (drawn afresh in each kernel) differ."""
    forked = _look_around(tiny, tmp_path, "forked", monkeypatch, "forked")
    fresh = _look_around(tiny, tmp_path, "fresh", monkeypatch, "fresh")
    assert set(forked) == {"Help Desk", "Care"}
    for service in forked:
        mine, theirs = forked[service], fresh[service]
        assert mine["marker"] == "marker-forked" and theirs["marker"] == "marker-fresh"
        assert mine["parent"] and theirs["parent"]
        assert (mine["backend"], theirs["backend"]) == (INLINE, INLINE)
        for key in ("cwd", "path", "argv", "names"):
            assert mine[key] == theirs[key], key
        assert mine["cwd"] == str(tmp_path / "nb")
        assert "pd" not in mine["names"] and "perfnb" not in mine["names"]
        if sys.platform == "linux":
            assert mine["comm"] == "perfnb-kernel"
    # each kernel draws its own random numbers, as separate interpreters do
    assert forked["Help Desk"]["random"] != forked["Care"]["random"]


def test_pyplot_figures_show_in_a_forked_kernel(tiny, tmp_path) -> None:
    """matplotlib's inline backend works in a forked kernel: a pyplot figure is shown."""
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "plot", "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])")
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, workers=1, services=["Care"]
    )
    assert result.ok, result.summary()
    nb = nbformat.read(result.folder / "plot-care.ipynb", as_version=4)
    assert any("image/png" in out.get("data", {}) for out in nb.cells[-1].outputs)


def test_a_kernel_that_cannot_be_forked_is_started_fresh(tiny, tmp_path, monkeypatch) -> None:
    """When forking fails, the job's second start is a new interpreter, and the report is
    built, with a warning."""

    def cannot(*args, **kwargs):
        raise OSError("no fork for you")

    monkeypatch.setattr(ForkedKernel, "start", cannot)
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "card", "print('hello')")
    result = run_reports(
        None, tiny(), tmp_path / "out", notebooks_dir=notebooks, workers=1, services=["Care"]
    )
    assert result.ok, result.summary()
    assert any("no fork for you" in w for w in result.jobs[0].warnings)


def test_kernels_setting_is_checked(monkeypatch) -> None:
    monkeypatch.setenv("PERFNB_KERNELS", "fresh")
    assert not forked_kernels()
    monkeypatch.setenv("PERFNB_KERNELS", "sometimes")
    with pytest.raises(ValueError, match="PERFNB_KERNELS is 'sometimes': use forked or fresh"):
        forked_kernels()


def test_a_preloaded_data_set_is_taken_once_and_only_while_unchanged(tiny) -> None:
    """``load_dataset`` takes the data set read ahead (the same tables), once; after that,
    or when a file has changed since, it reads the files."""
    folder = tiny()
    preload_dataset(folder)
    first = load_dataset(folder)
    second = load_dataset(folder)
    assert first.path == Path(folder) and second.path == Path(folder)
    assert first.values.equals(second.values) and first.values is not second.values
    preload_dataset(folder)
    values = Path(folder) / "values.csv"
    text = values.read_text()
    values.write_text(text.replace("M1,2017/18 Q1,100,", "M1,2017/18 Q1,250,"))
    stat = values.stat()
    os.utime(values, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    changed = load_dataset(folder)
    assert 250 in changed.values["value"].tolist() and 100 in first.values["value"].tolist()


def test_one_exporter_serves_every_report(sample_run_html) -> None:
    """The exporter is made once a process: a report exported after another is what it is
    exported alone."""
    first, second = sample_run_html
    alone = export_html(second)
    export_html(first)
    assert export_html(second) == alone


@pytest.fixture(scope="module")
def sample_run_html(tmp_path_factory):
    from conftest import SAMPLE

    out = tmp_path_factory.mktemp("out")
    result = run_reports(
        "2012/13 Q2", SAMPLE, out, workers=1, notebooks_dir=Path(__file__).parents[1] / "notebooks"
    )
    assert result.ok, result.summary()
    return [nbformat.read(result.folder / job.ipynb, as_version=4) for job in result.jobs]


def test_biggest_reports_are_started_first() -> None:
    def job(kind: str, **counts) -> Job:
        return Job(Path("card.ipynb"), "Help Desk", {}, Path("out"), {}, kind, **counts)

    jobs = [
        job("measures", measures=3),
        job("actions", rag_counts={"On track": 4, "Overdue": 5}),
        job("measures", measures=21),
        job("actions", rag_counts={}),
    ]
    assert _longest_first(jobs) == [2, 1, 0, 3]


def test_a_forked_kernel_answers_as_popen_does(tmp_path) -> None:
    """poll, wait, returncode and kill, as jupyter_client's provisioner uses them, before and
    after the process has ended (and been closed)."""
    import signal

    log = tmp_path / "kernel.log"
    kernel = ForkedKernel.start(["-f", str(tmp_path / "missing.json")], str(tmp_path), {}, str(log))
    assert kernel.pid > 0
    kernel.kill()
    code = kernel.wait(timeout=30)
    assert code in (-signal.SIGKILL, 1)  # killed, or ended first on the missing file
    assert kernel.poll() == kernel.returncode == kernel.wait() == code
    kernel.kill()  # an ended kernel is never signalled


# what a report's code sees of its kernel's memory: the data set's size, and the kernel's own
# (private) memory before and after it loads the data set, in KiB
PRIVATE_MEMORY = """
import json
import perfnb

def private_kib():
    with open("/proc/self/smaps_rollup") as rollup:
        return sum(int(line.split()[1]) for line in rollup if line.startswith("Private_"))

before = private_kib()
data = perfnb.load_dataset(data_dir)
after = private_kib()
tables = (data.values, data.targets, data.measures)
size = sum(int(t.memory_usage(deep=True).sum()) for t in tables) // 1024
print(json.dumps({"before": before, "after": after, "size": size, "rows": len(data.values)}))
"""


@pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists(), reason="needs Linux's /proc/<pid>/smaps_rollup"
)
def test_a_kernel_shares_the_templates_data_set_and_does_not_copy_it(
    tmp_path, run_temporary
) -> None:
    """The template reads the run's data set once; a kernel's load_dataset takes it, sharing the
    template's memory (copy-on-write): its own memory grows by a small part of the data's size,
    where reading the files itself would add all of it and more. The run is a process of its
    own, as ``perfnb run`` is: a template already started in this one read another data set."""
    import subprocess

    import numpy as np
    import pandas as pd

    data = tmp_path / "data"
    data.mkdir()
    measures, quarters = 4000, 100
    ids = [f"M{i:05d}" for i in range(measures)]
    pd.DataFrame(
        {
            "measure_id": ids,
            "name": [f"Measure {i}" for i in range(measures)],
            "service": "Care",
            "theme": "Theme",
            "framework": "Local",
            "unit": "count",
            "polarity": "high",
            "aggregation": "sum",
            "frequency": "quarterly",
        }
    ).to_csv(data / "measures.csv", index=False)
    labels = [f"{1990 + q // 4}/{(1991 + q // 4) % 100:02d} Q{q % 4 + 1}" for q in range(quarters)]
    pd.DataFrame(
        {
            "measure_id": np.repeat(ids, quarters),
            "period": np.tile(labels, measures),
            "value": np.arange(measures * quarters) % 97,
        }
    ).to_csv(data / "values.csv", index=False)
    pd.DataFrame({"measure_id": ids, "year": "2013/14", "target": 50}).to_csv(
        data / "targets.csv", index=False
    )
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "memory", PRIVATE_MEMORY)
    run = subprocess.run(
        [sys.executable, "-m", "perfnb.cli", "run", "--data", str(data), "--out",
         str(tmp_path / "out"), "--notebooks", str(notebooks), "--workers", "1"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    (built,) = (tmp_path / "out").glob("*/memory-care.ipynb")
    seen = _printed(built.parent, "memory-care")
    assert seen["rows"] == measures * quarters
    assert seen["size"] > 20_000  # KiB: enough that a copy could not hide
    assert seen["after"] - seen["before"] < seen["size"] / 4


def test_the_template_has_imported_what_every_report_kernel_uses() -> None:
    """``import perfnb`` leaves the report classes until they are used; the kernel template
    imports them, so each forked kernel has them already instead of importing them again."""
    import subprocess

    script = (
        "import sys, perfnb.run.kernel_template\n"
        "print(all(m in sys.modules for m in "
        "('perfnb.pages.service', 'perfnb.pages.action_plan', 'matplotlib.figure')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "True"


MAIN_SCRIPT = """
import multiprocessing, os, sys
with open(os.environ["PERFNB_TEST_IMPORTS"], "a") as log:
    log.write(multiprocessing.current_process().name + "\\n")
if __name__ == "__main__":
    from perfnb import run_reports
    result = run_reports(None, sys.argv[1], sys.argv[2], notebooks_dir=sys.argv[3], workers=1)
    sys.exit(0 if result.ok and len(result.jobs) == 2 else 1)
"""


def test_a_script_that_runs_reports_is_imported_by_the_template_not_by_each_kernel(
    tiny, tmp_path, run_temporary
) -> None:
    """The script that runs the reports is imported once more, by the kernel template, and by
    none of the report kernels forked from it (Python 3.11 and 3.12's forkserver would have
    each import it again: CPython gh-126631)."""
    import subprocess

    script, log = tmp_path / "build.py", tmp_path / "imports.txt"
    script.write_text(MAIN_SCRIPT, encoding="utf-8")
    notebooks = tmp_path / "nb"
    make_notebook(notebooks, "one", "print(1)")
    done = subprocess.run(
        [sys.executable, str(script), str(tiny()), str(tmp_path / "out"), str(notebooks)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "PERFNB_TEST_IMPORTS": str(log)}, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # the run itself, then its kernel template (a process of its own making); no kernel
    assert log.read_text().splitlines() == ["MainProcess", "MainProcess"]
