"""A report page from an executed notebook: nbconvert's HTML exporter with perfnb's template,
no code, prompts or papermill cells, the contents list added; and the stderr a report drops."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from perfnb.pages.contents import add_contents
from perfnb.palette import rag_css

__all__ = ["HIDDEN_TAGS", "TEMPLATES", "css_string", "export_html", "strip_for_report"]

TEMPLATES = Path(__file__).parents[1] / "templates"
# Output of these cells never reaches the HTML (papermill's own cells and the parameters).
HIDDEN_TAGS = {"parameters", "injected-parameters", "papermill-error-cell-tag"}


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
    templates takes longer than exporting a report)."""
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
    """The notebook as a report page: no code, prompts or papermill cells, offline-safe; its
    printed pages carry the report's title (``nb.metadata.perfnb.title``) in their footer."""
    title = str(nb.metadata.get("perfnb", {}).get("title", ""))
    resources = {"rag_css": rag_css(), "footer_css": css_string(title)}
    body, _ = _report_exporter().from_notebook_node(nb, resources=resources)
    return add_contents(body)
