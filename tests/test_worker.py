"""A pool worker's start and what the kernel template imports (``perfnb.run.worker``)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

NOTEBOOK_TOOLS = ("papermill", "nbformat", "nbconvert", "jsonschema")


def _run(script: str) -> list[str]:
    """The lines ``script`` prints, run in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout.splitlines()


def test_a_workers_start_and_the_kernel_template_import_no_notebook_tools() -> None:
    """A worker's start (which asks for its kernel template before anything else) and the
    template (whose imports every report kernel shares) import none of papermill, nbformat,
    nbconvert or jsonschema: the template is not kept waiting for what no kernel uses."""
    script = (
        "import sys\n"
        f"tools = {NOTEBOOK_TOOLS!r}\n"
        "import perfnb.run.worker\n"
        "print(sorted(m for m in tools if m in sys.modules))\n"
        "import perfnb.run.kernel_template\n"
        "print(sorted(m for m in tools if m in sys.modules))\n"
        "print('matplotlib' in sys.modules, 'ipykernel' in sys.modules)\n"
    )
    assert _run(script) == ["[]", "[]", "True True"]


def test_run_names_are_imported_when_first_used() -> None:
    """``perfnb.run``'s public names are all there (and in ``dir``) though the package imports
    none of its modules until one is asked for; an unknown name is an AttributeError."""
    script = (
        "import sys, perfnb.run as run\n"
        "print('perfnb.run.job' in sys.modules, set(run.__all__) <= set(dir(run)))\n"
        "print(run.Job.__module__, run.run_reports.__module__, run.RunStopped.__module__)\n"
        "print('perfnb.run.job' in sys.modules)\n"
        "try:\n    run.nothing\nexcept AttributeError as exc:\n    print(exc)\n"
    )
    assert _run(script) == [
        "False True",
        "perfnb.run.job perfnb.run.runner perfnb.run.stopping",
        "True",
        "module 'perfnb.run' has no attribute 'nothing'",
    ]


@pytest.mark.skipif(
    importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987_syntax not installed"
)
def test_without_iri_grammar_imports_nbformat_without_rfc3987_syntax() -> None:
    """nbformat, imported after ``without_iri_grammar``, validates notebooks as ever (a good
    one passes, one with a cell of an unknown type fails) without importing rfc3987_syntax,
    which a later import still finds; where jsonschema was imported first, nothing changes."""
    script = (
        "import sys\n"
        "from perfnb.run.worker import without_iri_grammar\n"
        "without_iri_grammar()\n"
        "import nbformat\n"
        "from nbformat.v4 import new_code_cell, new_notebook\n"
        "print('rfc3987_syntax' in sys.modules)\n"
        "good = new_notebook(cells=[new_code_cell('1 + 1')])\n"
        "nbformat.validate(good)\n"
        "bad = new_notebook(cells=[new_code_cell('1 + 1')])\n"
        "bad.cells[0]['cell_type'] = 'nothing'\n"
        "try:\n    nbformat.validate(bad)\n    print('valid')\n"
        "except nbformat.ValidationError:\n    print('invalid')\n"
        "import rfc3987_syntax\n"
        "print(rfc3987_syntax.is_valid_syntax('iri', 'https://example.org/a b'))\n"
    )
    assert _run(script) == ["False", "invalid", "False"]
    already = (
        "import sys, jsonschema\n"
        "from perfnb.run.worker import without_iri_grammar\n"
        "without_iri_grammar()\n"
        "print('rfc3987_syntax' in sys.modules)\n"
    )
    assert _run(already) == ["True"]
