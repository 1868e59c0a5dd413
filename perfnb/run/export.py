"""A report page from an executed notebook: nbconvert's HTML exporter with perfnb's template,
no code, prompts or papermill cells, the report's stylesheet and its contents list (the
template's preprocessors, ``perfnb.pages.preprocess``); and the stderr a report drops."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from perfnb.pages.preprocess import ContentsPreprocessor, StylePreprocessor

__all__ = [
    "APART_BYTES",
    "HIDDEN_TAGS",
    "PREPROCESSORS",
    "TEMPLATES",
    "css_string",
    "export_html",
    "export_html_apart",
    "save_for_export",
    "strip_for_report",
]

TEMPLATES = Path(__file__).parents[1] / "templates"
# Output of these cells never reaches the HTML (papermill's own cells and the parameters); the
# template's conf.json names them too, for jupyter nbconvert --template perfnb.
HIDDEN_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
# what the template's conf.json registers after nbconvert's own: the report's stylesheet into
# the page's head, the contents list after page 1's story
PREPROCESSORS = (StylePreprocessor, ContentsPreprocessor)
# a notebook this big is exported by a process of its own: nbconvert reads the whole page into
# a tree (BeautifulSoup) to finish it, about ten times the page's size (1.1 GB for a
# 1,005-measure report's 114 MB), which would stand on all the run holds
APART_BYTES = 32 * 2**20


def strip_for_report(nb: nbformat.NotebookNode) -> list[str]:
    """Removes stderr streams (warnings, logging) from the outputs; returns their text."""
    removed = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                removed.append(str(output.get("text", "")).strip())
            else:
                kept.append(output)
        cell["outputs"] = kept
    return [r for r in removed if r]


@cache
def _report_exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with perfnb's template, made once a process (compiling the
    templates takes longer than exporting a report). The template's conf.json registers its
    preprocessors (``PREPROCESSORS``), as it does for ``jupyter nbconvert --template perfnb``
    (tests/test_nbconvert_template.py checks it)."""
    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    return HTMLExporter(
        config=config,
        template_name="perfnb",
        extra_template_basedirs=[str(TEMPLATES)],
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element: quotes, backslashes,
    angle brackets and line breaks written as CSS escapes."""
    escaped = "".join(f"\\{ord(c):X} " if c in '"\\<>&' or ord(c) < 32 else c for c in text)
    return f'"{escaped}"'


def export_html(nb: nbformat.NotebookNode) -> str:
    """The notebook as a report page: no code, prompts or papermill cells, offline-safe, with
    its contents after page 1's story; its printed pages carry the report's title
    (``nb.metadata.perfnb.title``) in their footer. ``nb`` is left as it is."""
    title = str(nb.metadata.get("perfnb", {}).get("title", ""))
    body, _ = _report_exporter().from_notebook_node(nb, resources={"footer_css": css_string(title)})
    return str(body)


def save_for_export(nb: nbformat.NotebookNode, notebook: Path) -> None:
    """Writes ``nb`` to the file ``notebook`` for :func:`export_html_apart`, its metadata
    beside it as they are (a notebook file sorts their keys, and the page's footer shows the
    report's parameters in their order)."""
    nbformat.write(nb, notebook)
    notebook.with_suffix(".metadata.json").write_text(json.dumps(nb.metadata), encoding="utf-8")


def export_html_apart(notebook: Path, page: Path) -> None:
    """:func:`export_html` of the notebook saved by :func:`save_for_export`, written to
    ``page`` (UTF-8) by a Python process of its own, so that its peak is not the run's: the
    same page, byte for byte. Raises ``RuntimeError`` with the process's last words when it
    fails."""
    command = [sys.executable, "-m", "perfnb.run.export", str(notebook), str(page)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = " ".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"exporting {notebook.name} failed (exit {done.returncode}): {said}")


def main(arguments: list[str]) -> int:
    """``python -m perfnb.run.export NOTEBOOK PAGE``: :func:`export_html_apart`'s other half."""
    notebook, page = (Path(a) for a in arguments)
    nb = nbformat.read(notebook, as_version=4)
    metadata = notebook.with_suffix(".metadata.json").read_text(encoding="utf-8")
    nb.metadata = nbformat.from_dict(json.loads(metadata))
    html = export_html(nb)
    page.write_text(html, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
