"""A report page from an executed notebook: nbconvert's HTML exporter with perfnb's template,
no code, prompts or papermill cells, the report's stylesheet and its contents list (the
template's preprocessors, ``perfnb.pages.preprocess``); and the stderr a report drops."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from perfnb.pages.preprocess import ContentsPreprocessor, StylePreprocessor

__all__ = [
    "HIDDEN_TAGS",
    "PREPROCESSORS",
    "TEMPLATES",
    "css_string",
    "export_html",
    "strip_for_report",
]

TEMPLATES = Path(__file__).parents[1] / "templates"
# Output of these cells never reaches the HTML (papermill's own cells and the parameters); the
# template's conf.json names them too, for jupyter nbconvert --template perfnb.
HIDDEN_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}
# what the template's conf.json registers after nbconvert's own: the report's stylesheet into
# the page's head, the contents list after page 1's story
PREPROCESSORS = (StylePreprocessor, ContentsPreprocessor)


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
