"""``perfnb lab``: a working copy of a notebook in the git-ignored ``work/`` folder, its
parameters set, the template never written; git's nbstripout filter on the templates; and real
JupyterLab, driven by Playwright with Debian's Chromium, running the working copy with nothing
changed in the checkout or in ``output/``.

The browser test is skipped when JupyterLab (``pip install 'perfnb[lab]'``), Chromium or git is
missing, except in CI (``CI`` set), where it must run. Its screenshot is kept in
``$PERFNB_BROWSER_ARTIFACTS`` when that is set.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import hashlib
import importlib.util
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT, SAMPLE
from perfnb import load_dataset
from perfnb.bundled import bundled_notebooks, bundled_sample
from perfnb.lab import (
    WorkingCopy,
    lab_command,
    parameter_values,
    plan_working_copy,
    set_parameters,
    working_notebook,
    write_working_copy,
)
from perfnb.lab_git import filter_settings, install_git_filter
from perfnb.periods import parse_period
from perfnb.run import RunError, check_notebook
from perfnb.scorecard import build_scorecard, services_with_figures

GIT = shutil.which("git")
# where the screenshot goes, resolved now: the tests change folder (make test gives a relative
# path, output/browser-test, which would otherwise land in the checkout the test makes)
ARTIFACTS = (
    Path(os.environ["PERFNB_BROWSER_ARTIFACTS"]).resolve()
    if os.environ.get("PERFNB_BROWSER_ARTIFACTS")
    else None
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAB = importlib.util.find_spec("jupyterlab") is not None
needs_git = pytest.mark.skipif(GIT is None and not os.environ.get("CI"), reason="git is missing")


def _special_files(folder: str, names: list[str]) -> list[str]:
    """Names in ``folder`` that are neither files nor folders (a kernel's socket)."""
    return [n for n in names if not (Path(folder, n).is_file() or Path(folder, n).is_dir())]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's notebooks, sample data, ignore and attributes files and
    output/README.md in a folder of its own, which is the current folder; git's user-level and
    system configuration hidden."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    for template in NOTEBOOKS.glob("*.ipynb"):  # not another run's sockets beside them
        shutil.copy2(template, root / "notebooks" / template.name)
    shutil.copytree(SAMPLE, root / "data" / "sample", ignore=_special_files)
    for name in (".gitignore", ".gitattributes", "output/README.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    monkeypatch.chdir(root)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return root


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def checkout(project: Path) -> Path:
    """The project copy as a git checkout with everything committed."""
    git(project, "init", "-q")
    git(project, "config", "user.name", "perfnb tests")
    git(project, "config", "user.email", "tests@perfnb.invalid")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the project")
    assert git(project, "status", "--porcelain") == ""
    return project


def assigned(source: str) -> dict[str, object]:
    """The names a cell assigns, with their values."""
    values = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            values[target.id] = ast.literal_eval(node.value)
    return values


# -- the parameters cell ---------------------------------------------------------------------


def test_set_parameters_changes_only_the_values() -> None:
    """Each value is replaced where it stands, its annotation and comment kept; a name the cell
    does not assign gets a line of its own; text with quotes and accents survives."""
    source = (
        'period: str = "2017/18 Q1"  # the period — a quarter\n'
        "service = 'Adult Social Care'  # the service\n"
        "# a comment line\n"
        "threshold: float = 0.5\n"
    )
    values = {"period": "2012/13 Q2", "service": 'Help "Direct" — Café', "data_dir": "../d"}
    result = set_parameters(source, values)
    assert assigned(result) == {**values, "threshold": 0.5}
    lines = result.splitlines()
    assert lines[0] == 'period: str = "2012/13 Q2"  # the period — a quarter'
    assert lines[1].endswith("  # the service")
    assert lines[2:4] == ["# a comment line", "threshold: float = 0.5"]
    assert lines[4] == 'data_dir = "../d"'
    assert set_parameters(source, {}) == source


def test_working_notebook_sets_the_parameters_and_keeps_the_rest() -> None:
    template = nbformat.read(NOTEBOOKS / "scorecard.ipynb", as_version=4)
    before = copy.deepcopy(template)
    values = {"period": "2016/17 Q4", "service": "Urgent and Emergency Care"}
    notebook = working_notebook(template, values)
    assert template == before  # not changed
    assert assigned(notebook.cells[0].source) == {**assigned(template.cells[0].source), **values}
    assert notebook.cells[0].metadata == template.cells[0].metadata
    assert notebook.cells[1:] == template.cells[1:]
    assert notebook.metadata == template.metadata


# -- the working copy ------------------------------------------------------------------------


def test_the_working_copy_defaults_to_the_latest_period_and_first_service(project: Path) -> None:
    """Run from the project folder as ``perfnb lab`` is: the data set's latest period, its first
    service with figures; the copy in work/, data_dir reaching the data set from there and
    output_dir inside work/."""
    working = plan_working_copy()
    data = load_dataset(SAMPLE)
    period = data.latest_period()
    service = services_with_figures(build_scorecard(data, period))[0]
    assert (period.label, service) == ("2017/18 Q1", "Adult Social Care")
    assert working.template == Path("notebooks/scorecard.ipynb")
    assert working.path == Path("work/scorecard-adult-social-care-2017-18-Q1.ipynb")
    values = working.parameters
    assert (values["period"], values["service"]) == (period.label, service)
    folder = working.path.parent.resolve()
    assert (folder / values["data_dir"]).resolve() == (project / "data" / "sample").resolve()
    output = (folder / values["output_dir"]).resolve()
    assert output.is_relative_to(project / "work")
    assert not output.is_relative_to(project / "output")


def test_the_working_copy_is_written_and_the_template_only_read(project: Path) -> None:
    template = project / "notebooks" / "scorecard.ipynb"
    before = template.read_bytes()
    working = plan_working_copy(period="2016/17 Q4", service="urgent-and-emergency-care")
    assert working.path.name == "scorecard-urgent-and-emergency-care-2016-17-Q4.ipynb"
    assert write_working_copy(working) is True
    assert template.read_bytes() == before  # byte for byte
    written = nbformat.read(working.path, as_version=4)
    nbformat.validate(written)
    assert check_notebook(working.path) == []
    assert assigned(written.cells[0].source) == {
        "period": "2016/17 Q4",
        "service": "Urgent and Emergency Care",
        "data_dir": "../data/sample",
        "output_dir": "output",
    }
    assert written.cells[1:] == nbformat.read(template, as_version=4).cells[1:]


def test_an_existing_working_copy_is_kept(project: Path) -> None:
    """The analyst's edits stay: the copy is opened as it is, not written again."""
    working = plan_working_copy()
    assert write_working_copy(working)
    edited = working.path.read_text(encoding="utf-8").replace("2017/18 Q1", "2016/17 Q3")
    working.path.write_text(edited, encoding="utf-8")
    assert write_working_copy(plan_working_copy()) is False
    assert working.path.read_text(encoding="utf-8") == edited


def test_an_actions_notebook_opens_on_a_service_with_an_action_plan(project: Path) -> None:
    working = plan_working_copy("actions", period="2009/10 Q2")
    assert working.parameters["service"] == "Health and Social Care"
    assert working.path.name == "actions-health-and-social-care-2009-10-Q2.ipynb"
    with pytest.raises(RunError, match="the latest with action updates is"):
        plan_working_copy("actions", period="2017/18 Q1")


def test_unknown_notebook_or_service_is_refused(project: Path) -> None:
    with pytest.raises(RunError, match="no notebook named budget"):
        plan_working_copy("budget")
    with pytest.raises(RunError, match="no service named 'Libraries'"):
        plan_working_copy(service="Libraries")
    assert not (project / "work").exists()


def test_a_data_set_outside_the_project_is_given_by_its_absolute_path(tmp_path: Path) -> None:
    period = parse_period("2017/18 Q1")
    work = tmp_path / "project" / "work"
    inside = parameter_values(period, "S", tmp_path / "project" / "council" / "data", work)
    assert inside["data_dir"] == "../council/data"
    outside = parameter_values(period, "S", tmp_path / "data", work)
    assert outside["data_dir"] == (tmp_path / "data").as_posix()
    assert outside["output_dir"] == "output"


def test_outside_a_project_the_installed_notebook_and_sample_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``perfnb lab`` in an empty folder: perfnb's own notebook and sample, the working copy in
    ./work/ and the sample given by its absolute path."""
    monkeypatch.chdir(tmp_path)
    working = plan_working_copy()
    assert working.template == bundled_notebooks() / "scorecard.ipynb"
    assert working.path == Path("work/scorecard-adult-social-care-2017-18-Q1.ipynb")
    assert working.parameters["data_dir"] == bundled_sample().resolve().as_posix()


def test_lab_is_started_on_the_work_folder_with_the_copy() -> None:
    working = WorkingCopy(Path("notebooks/s.ipynb"), Path("work/s-x-2017-18-Q1.ipynb"), {})
    command = lab_command(working, browser=False, extra=["--port=9999"])
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={Path('work').resolve()}" in command
    assert str(working.path.resolve()) in command
    assert command[-2:] == ["--no-browser", "--port=9999"]
    assert "--no-browser" not in lab_command(working)


# -- git -------------------------------------------------------------------------------------


def test_work_is_ignored_and_templates_go_through_nbstripout() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "work/" in ignored
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "notebooks/*.ipynb filter=nbstripout" in attributes
    assert "notebooks/*.ipynb diff=ipynb" in attributes
    hook = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "nbstripout --keep-id" in hook  # the filter strips as the hook does
    assert filter_settings("py")["filter.nbstripout.clean"].endswith("--keep-id")


@needs_git
def test_the_git_filter_keeps_outputs_out_of_a_template(checkout: Path) -> None:
    """Set once in .git/config; the committed templates stay clean to git; a template run and
    saved with outputs is still unchanged to git (nothing to commit); work/ is ignored."""
    pytest.importorskip("nbstripout")
    assert install_git_filter(checkout)
    assert install_git_filter(checkout) == []  # set already: nothing to do
    for key, value in filter_settings(sys.executable).items():
        assert git(checkout, "config", "--local", "--get", key).strip() == value
    template = checkout / "notebooks" / "scorecard.ipynb"
    os.utime(template)  # git reads it again, through the filter
    assert git(checkout, "status", "--porcelain") == ""
    run = nbformat.read(template, as_version=4)
    run.cells[1].outputs = [nbformat.v4.new_output("stream", text="ran\n")]
    run.cells[1].execution_count = 1
    run.cells[0].source = run.cells[0].source.replace("Adult Social Care", "Urgent Care")
    nbformat.write(run, template)
    changed = git(checkout, "diff")
    assert "Urgent Care" in changed and "ran" not in changed  # its outputs never reach git
    git(checkout, "checkout", "--", "notebooks")
    (checkout / "work").mkdir()
    (checkout / "work" / "copy.ipynb").write_text("{}", encoding="utf-8")
    assert git(checkout, "status", "--porcelain") == ""


@needs_git
def test_the_git_filter_is_set_only_in_a_perfnb_checkout(project: Path, tmp_path: Path) -> None:
    assert install_git_filter(project) == []  # not a checkout
    git(project, "init", "-q")
    git(project, "config", "filter.nbstripout.clean", "my-own-stripper")
    install_git_filter(project)
    assert git(project, "config", "--get", "filter.nbstripout.clean").strip() == "my-own-stripper"
    inside = project / "data"
    assert install_git_filter(inside) == []  # a folder inside the checkout is not the project


# -- real JupyterLab in a real browser ---------------------------------------------------------

# the flags this machine's closed network needs (as tests/test_browser.py)
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
# Lab's settings for the test: every cell rendered (no windowing), no news fetched
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
PATIENCE = 300_000  # ms: a 2-core machine starts Lab and runs the report slowly


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its hash."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _cli_has_lab() -> bool:
    from perfnb.cli import build_parser

    with contextlib.redirect_stderr(io.StringIO()):
        try:
            build_parser().parse_args(["lab", "--no-browser"])
        except SystemExit:
            return False
    return True


def _lab_process(root: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``perfnb lab --no-browser`` in ``root`` (the library's ``open_lab`` until the command
    has it)."""
    if _cli_has_lab():
        command = [sys.executable, "-m", "perfnb.cli", "lab", "--no-browser"]
    else:
        code = "import sys; from perfnb.lab import open_lab; sys.exit(open_lab(browser=False))"
        command = [sys.executable, "-c", code]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _api(port: int, token: str, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


def _skip_without_lab() -> None:
    """Skips without JupyterLab or Chromium, except in CI, where both must be there."""
    if not os.environ.get("CI"):
        if not LAB:
            pytest.skip("JupyterLab is not installed (pip install 'perfnb[lab]')")
        if CHROMIUM is None:
            pytest.skip("Chromium is not installed (make test installs it)")
    pytest.importorskip("nbstripout")


@contextlib.contextmanager
def _running_lab(root: Path, tmp_path: Path) -> Iterator[tuple[int, str]]:
    """``perfnb lab`` running in ``root`` on a free port with a token of its own, its Jupyter
    configuration, settings and runtime files in the test's folder; shut down after."""
    jupyter = tmp_path / "jupyter"
    for name, settings in LAB_SETTINGS.items():
        path = jupyter / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings), encoding="utf-8")
    config = jupyter / "config" / "jupyter_server_config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"ServerApp": {"allow_root": True}}), encoding="utf-8")  # CI
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_TOKEN": token,
        "JUPYTER_PORT": str(port),
        "JUPYTER_PORT_RETRIES": "0",
        "JUPYTER_CONFIG_DIR": str(jupyter / "config"),
        "JUPYTER_DATA_DIR": str(jupyter / "data"),
        "JUPYTER_RUNTIME_DIR": str(jupyter / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(jupyter / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(jupyter / "workspaces"),
        "IPYTHONDIR": str(jupyter / "ipython"),
    }
    log = tmp_path / "lab.log"
    process = _lab_process(root, env, log)
    try:
        for _ in range(PATIENCE // 1000):
            assert process.poll() is None, log.read_text(errors="replace")
            with contextlib.suppress(OSError):
                _api(port, token, "/api/status")
                break
            time.sleep(1)
        else:
            pytest.fail(f"JupyterLab did not answer: {log.read_text(errors='replace')}")
        yield port, token
        _api(port, token, "/api/shutdown", method="POST")  # its kernels too
        assert process.wait(timeout=120) == 0, log.read_text(errors="replace")
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stops what is left of ``perfnb lab``'s process group (JupyterLab and its kernels, after
    a failed test): SIGTERM, which JupyterLab answers by shutting down, then SIGKILL."""

    def alive() -> bool:
        process.poll()  # reaps perfnb lab itself
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    for signal_number, patience in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        if not alive():
            return
        os.killpg(process.pid, signal_number)
        for _ in range(patience):
            if not alive():
                return
            time.sleep(1)


def test_a_report_runs_in_jupyterlab_and_changes_nothing(checkout: Path, tmp_path: Path) -> None:
    """The done-when of issue 19: ``perfnb lab`` opens the working copy in real JupyterLab; all
    its cells run and show the report's badges; then the template is unchanged byte for byte,
    git has nothing to commit (work/ is ignored) and output/ is as it was."""
    _skip_without_lab()
    sync_api = pytest.importorskip("playwright.sync_api")
    templates = {p.name: p.read_bytes() for p in (checkout / "notebooks").glob("*.ipynb")}
    output_before = _snapshot(checkout / "output")
    working = checkout / "work" / "scorecard-adult-social-care-2017-18-Q1.ipynb"
    artifacts = ARTIFACTS or tmp_path
    artifacts.mkdir(parents=True, exist_ok=True)
    with _running_lab(checkout, tmp_path) as (port, token):
        assert working.is_file()
        listing = _api(port, token, "/api/contents")  # Lab sees work/ alone: no template
        assert [item["name"] for item in listing["content"]] == [working.name]  # type: ignore[index]
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.set_default_timeout(PATIENCE)
            tab.goto(f"http://127.0.0.1:{port}/lab/tree/{working.name}?token={token}")
            notebook = tab.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
            notebook.wait_for()
            cells = nbformat.read(working, as_version=4).cells
            count = sum(c.cell_type == "code" for c in cells)
            tab.wait_for_function(
                "n => document.querySelectorAll("
                "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell').length === n",
                arg=count,
            )
            _wait_for_idle_kernel(port, token)
            tab.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            tab.locator('li[data-command="runmenu:run-all"]').click()
            tab.wait_for_function(
                """n => {
                    const prompts = [...document.querySelectorAll(
                        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
                    const ran = p => /\\[\\d+\\]/.test(p.textContent);
                    return prompts.length === n && prompts.every(ran);
                }""",
                arg=count,
                timeout=PATIENCE,
            )
            _wait_for_idle_kernel(port, token)
            badges = notebook.locator(".perfnb-badge")
            assert badges.count() >= 3
            badges.first.scroll_into_view_if_needed()
            tab.screenshot(path=str(artifacts / "lab.png"))
            style = badges.first.evaluate(
                "e => { const s = getComputedStyle(e); "
                "return {background: s.backgroundColor, padding: s.paddingLeft}; }"
            )
            (artifacts / "lab-badge-style.json").write_text(json.dumps(style), encoding="utf-8")
            tab.keyboard.press("Control+s")  # the working copy saved, with its outputs
            tab.wait_for_function(
                "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)')"
                ".title?.classList?.contains('jp-mod-dirty')",
            )
            _wait_for_saved_outputs(working)
            browser.close()
    saved = nbformat.read(working, as_version=4)
    outputs = [o for c in saved.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert assigned(saved.cells[0].source)["output_dir"] == "output"
    for name, data in templates.items():
        assert (checkout / "notebooks" / name).read_bytes() == data, name
    assert git(checkout, "status", "--porcelain") == ""
    assert "!! work/" in git(checkout, "status", "--porcelain", "--ignored").splitlines()
    assert _snapshot(checkout / "output") == output_before


def _wait_for_idle_kernel(port: int, token: str) -> None:
    """Waits until the server has a kernel and every kernel is idle."""
    for _ in range(PATIENCE // 1000):
        kernels = _api(port, token, "/api/kernels")
        if kernels and all(k["execution_state"] == "idle" for k in kernels):  # type: ignore[attr-defined]
            return
        time.sleep(1)
    pytest.fail(f"the kernel never became idle: {kernels}")


def _wait_for_saved_outputs(path: Path) -> None:
    for _ in range(120):
        with contextlib.suppress(ValueError, OSError):
            saved = nbformat.read(path, as_version=4)
            if any(c.get("outputs") for c in saved.cells):
                return
        time.sleep(0.5)
    pytest.fail(f"{path.name} was not saved with its outputs")
