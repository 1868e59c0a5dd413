"""House rules: clean notebook templates, matching dependency lists, documented contract."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

import perfnb
from conftest import NOTEBOOKS, ROOT
from perfnb.contract import FILES


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_templates_are_committed_clean(path) -> None:
    """No outputs and no execution counts in a template; one cell tagged 'parameters'."""
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


def _requirement(text: str) -> tuple[str, str]:
    name, _, version = re.match(r"^([A-Za-z0-9_.\-]+)\s*(>=\s*([\w.]+))?", text).groups()
    return name.lower().replace("_", "-"), version or ""


def _environment(name: str) -> tuple[dict[str, str], list[str]]:
    """An environment file's packages (conda-forge's, then the pip: list's) by name, with
    their minimum versions, and its pip: list."""
    env = yaml.safe_load((ROOT / name).read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = [d for d in env["dependencies"] if isinstance(d, str)]
    listed += [d for d in pip_section if not d.startswith("-")]
    packages = dict(_requirement(d) for d in listed)
    return {k: v for k, v in packages.items() if k not in ("python", "pip")}, pip_section


def test_environment_files_list_the_same_packages_as_pyproject() -> None:
    """Conda and pip users get the same packages at the same minimum versions: an analyst's
    environment.yml has perfnb's dependencies and JupyterLab (the lab extra), and
    environment-dev.yml adds the dev and dask extras; both install the project itself."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    analyst = dict(map(_requirement, [*project["dependencies"], *extras["lab"]]))
    developer = {**analyst, **dict(map(_requirement, [*extras["dev"], *extras["dask"]]))}
    for name, wanted in (("environment.yml", analyst), ("environment-dev.yml", developer)):
        packages, pip_section = _environment(name)
        assert packages == wanted, name
        assert pip_section[-1] == "--editable .", name  # the project itself, from this folder
    assert "pytest" not in _environment("environment.yml")[0]


def test_docs_describe_every_column_of_the_contract() -> None:
    """docs/data.md names every file and column the loader knows."""
    text = (ROOT / "docs" / "data.md").read_text()
    for spec in FILES.values():
        assert f"`{spec.filename}`" in text
        for column in spec.columns:
            assert f"`{column.name}`" in text, f"{spec.filename}: {column.name}"


def test_public_api_is_explicit() -> None:
    """Everything in perfnb.__all__ exists, and each public callable has a docstring."""
    for name in perfnb.__all__:
        obj = getattr(perfnb, name)
        if callable(obj):
            assert obj.__doc__, name


def test_importing_perfnb_leaves_the_pages_and_the_run_until_they_are_used() -> None:
    """``import perfnb`` (the engine, the loader) and the ``perfnb`` command do not bring
    matplotlib, papermill, nbformat or nbconvert: a script that works out figures, and
    ``perfnb validate``, do not pay for them; the names that need them are still there, and
    ``dir(perfnb)`` lists them."""
    import subprocess
    import sys

    heavy = ("matplotlib", "papermill", "nbformat", "nbconvert", "docx")
    script = (
        "import sys, perfnb, perfnb.cli\n"  # the command too: `perfnb validate` starts light
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
        "assert {'ServiceReport', 'run_reports'} <= set(dir(perfnb))\n"
        "print(perfnb.RunError.__module__, 'matplotlib' in sys.modules)\n"
        "from perfnb import ServiceReport\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.split("\n")[:3] == ["[]", "perfnb.run.results False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        perfnb.nothing  # noqa: B018


def test_no_hypothesis_test_has_a_deadline() -> None:
    """The suite's hypothesis profile has no deadline, and no test sets one: time is never
    what a property test checks, and a busy machine must not fail it."""
    from hypothesis import settings

    assert settings().deadline is None
    for path in Path(__file__).parent.glob("test_*.py"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        assert "deadline=" not in text.replace("deadline=None", ""), path.name


def _perfnb_imports() -> dict[str, set[str]]:
    """Each module of perfnb (dotted, subpackages' too; a package by its ``__init__``) with the
    perfnb modules it imports (anywhere in it, a function's deferred import too), read from its
    source. The package's own ``__init__`` (the public API, which imports everything) is left
    out."""
    import ast

    package = Path(perfnb.__file__).parent

    def dotted(path: Path) -> str:
        parts = path.relative_to(package.parent).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    files = {dotted(path): path for path in package.rglob("*.py")}
    del files["perfnb"]
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("perfnb"):
                # "from perfnb.run import stopping" imports a module; "from perfnb.run import
                # run_reports" the package's own name
                module = node.module or ""
                submodules = {f"{module}.{a.name}" for a in node.names} & set(files)
                whole = len(submodules) < len(node.names)
                found |= submodules | ({module} if whole else set())
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = (found & set(files)) - {name}
    return graph


def test_no_import_cycle_in_the_package() -> None:
    """perfnb's modules import one another one way only: no module reaches itself through the
    modules it imports (commentary and tables did, through rendering markdown)."""
    graph = _perfnb_imports()
    # the graph is read at all, subpackages too
    assert "perfnb.markup" in graph["perfnb.pages.service"]
    assert "perfnb.run.job" in graph["perfnb.run.pool"]

    def reaches(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(graph[start])
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo += graph[name]
        return seen

    assert [name for name in sorted(graph) if name in reaches(name)] == []


# perfnb's layers, each reading only itself and the ones before it (docs/architecture.md); a
# new module is put in one, or this test says where it is missing
LAYERS = {
    "foundation": "polarity files periods period_codes timescales contract raw_table "
    "problem_collector markup palette exhibits output_formats log integer_keys",
    "inputs": "loader input_files workbook typed_tables validation validate_files "
    "validate_measures validate_values validate_targets validate_actions wide wide_headers "
    "starter testing commentary_format bundled",
    "engine": "figures profiles target_lookup variance tolerances rag direction comparisons "
    "forecast benchmarking engine performance_columns history scorecard exceptions spc "
    "spc_limits special_causes spc_summary measure_spc actions action_ratings "
    "expected_progress officers action_summaries commentary commentary_drafts wording "
    "wording_latest story spc_batch engine_text figure_text rag_reasons card_assembly "
    "period_figures figure_sums engine_catalogue period_rows window_results judging column_set",
    "model": "model",
    "renderers": "tables charts pages",
    "run": "run cli lab lab_git",
}


def test_the_flow_is_one_way() -> None:
    """inputs -> engine -> report model -> renderers -> run: no module imports a later layer
    (an engine rule never reaches for a table, a renderer never for the run)."""
    order = list(LAYERS)
    layer = {name: order.index(kind) for kind, names in LAYERS.items() for name in names.split()}
    graph = _perfnb_imports()

    def of(module: str) -> int:
        top = module.split(".")[1]
        assert top in layer, f"{module} is in no layer of tests/test_project.py's LAYERS"
        return layer[top]

    backwards = [
        f"{module} ({order[of(module)]}) imports {used} ({order[of(used)]})"
        for module in sorted(graph)
        for used in sorted(graph[module])
        if of(used) > of(module)
    ]
    assert backwards == []
    assert of("perfnb.run.job") > of("perfnb.pages.service") > of("perfnb.model")


# the operating system's calls that write, move or delete a file or folder
_WRITES = {
    "write_text", "write_bytes", "mkdir", "unlink", "rmdir", "touch", "rmtree", "chmod",
    "replace", "rename", "remove", "mkdtemp", "mkstemp", "symlink_to", "copyfile", "move",
}  # fmt: skip
# perfnb's own writers (files.py) and who may call them: what a user asks to be written (a
# table's or chart's save, perfnb init, a test data set) and the commentary file's scaffold
_WRITERS = {"write_atomic", "replace_if_unchanged", "write_into", "write_together"}
_MAY_CALL_WRITERS = {
    "perfnb.tables.table",
    "perfnb.charts.style",
    "perfnb.starter",
    "perfnb.testing",
    "perfnb.commentary",
    "perfnb.lab",
}


def _writes(path: Path) -> set[str]:
    """The writing calls in a module's source: OS calls by name, and open() to write."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = func.value if isinstance(func, ast.Attribute) else None
        if name in ("replace", "rename", "remove") and not (
            isinstance(owner, ast.Name) and owner.id in ("os", "shutil")
        ):
            continue  # str.replace, DataFrame.rename...
        if name in _WRITES or name in _WRITERS:
            found.add(name)
        if name == "open" and any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and set(a.value) & set("wax+")
            for a in [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
        ):
            found.add("open")
    return found


def test_only_the_run_writes_files() -> None:
    """Files are written, moved and deleted by the run (perfnb/run/) and files.py alone; other
    modules write only through files.py, and only where a user asks for it."""
    package = Path(perfnb.__file__).parent
    wrong = {}
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        if module.startswith("perfnb.run.") or module == "perfnb.files":
            continue
        allowed = _WRITERS if module in _MAY_CALL_WRITERS else set()
        if extra := _writes(path) - allowed:
            wrong[module] = sorted(extra)
    assert wrong == {}
    assert _writes(package / "run" / "job.py") >= {"replace", "rmtree"}  # the scan finds them


def test_no_module_is_over_500_lines() -> None:
    """A module small enough to read in one sitting: none of perfnb's is over 500 lines."""
    package = Path(perfnb.__file__).parent
    long = {
        str(path.relative_to(package)): n
        for path in package.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


def test_no_test_looks_at_the_system_temporary_folder() -> None:
    """No test reads where the system's temporary folder is, or looks in /tmp: another run or
    checkout on the machine puts things there. A test uses its own folder (tmp_path,
    run_temporary), pointing Python's temporary folder at one when that is the subject."""
    for path in Path(__file__).parent.glob("*.py"):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text(encoding="utf-8")
        for looking in ("gettempdir(", '"/tmp', "'/tmp"):
            assert looking not in text, f"{path.name} has {looking}"
