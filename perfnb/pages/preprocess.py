"""The nbconvert preprocessors of perfnb's template (``templates/perfnb/conf.json``): the
report's stylesheet into the page's head, and the contents list into the notebook after page
1's story. ``jupyter nbconvert --to html --template perfnb`` runs them as ``perfnb run`` does."""

from __future__ import annotations

import re
from typing import Any

import nbformat
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor

from perfnb.pages.contents import STORY, TITLE, Heading, contents_html, headings
from perfnb.pages.report_style import STYLE_CLASS, report_css

__all__ = ["CONTENTS_KEY", "ContentsPreprocessor", "StylePreprocessor", "notebook_headings"]

# what marks the contents list's output (and the cell made for it when the notebook has no
# title block) in its metadata: {"perfnb": {"contents": true}}
CONTENTS_KEY = "contents"
_STYLE = re.compile(rf'<style class="{STYLE_CLASS}"[^>]*>.*?</style>\s*', re.DOTALL)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _markdown_html(source: str, attachments: dict[str, Any] | None = None) -> str:
    """Markdown as nbconvert's HTML exporter renders it (headings with its ids)."""
    renderer = IPythonRenderer(escape=False, attachments=attachments or {})
    return str(MarkdownWithMath(renderer=renderer).render(source))


def _output_html(output: nbformat.NotebookNode) -> str:
    """The HTML an output shows on the page: its HTML, else its markdown rendered."""
    data = output.get("data") or {}
    if "text/html" in data:
        return _text(data["text/html"])
    if "text/markdown" in data:
        return _markdown_html(_text(data["text/markdown"]))
    return ""


def notebook_headings(nb: nbformat.NotebookNode, levels: tuple[int, ...] = (2, 3)) -> list[Heading]:
    """The headings of ``levels`` with an id that the notebook's page shows, in page order:
    its markdown cells' (``## Summary``) and its HTML outputs' (``<h2 id=...>``)."""
    found: list[Heading] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            html = _markdown_html(_text(cell.source), cell.get("attachments"))
            found += headings(html, levels)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                found += headings(_output_html(output), levels)
    return found


def _is_contents(item: nbformat.NotebookNode) -> bool:
    mark = (item.get("metadata") or {}).get("perfnb")
    return isinstance(mark, dict) and bool(mark.get(CONTENTS_KEY))


class StylePreprocessor(Preprocessor):
    """Puts the report's screen stylesheet (``report_style.report_css``) into
    ``resources["perfnb_css"]``, which the template writes into the page's head, and takes out
    of the outputs the copy the title block carries for JupyterLab: the page has it once."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        resources["perfnb_css"] = report_css()
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data") or {}
                if "text/html" in data and STYLE_CLASS in _text(data["text/html"]):
                    data["text/html"] = _STYLE.sub("", _text(data["text/html"]))
        return nb, resources


class ContentsPreprocessor(Preprocessor):
    """Adds the contents list (``contents.contents_html``) of the page's section (h2) and
    measure (h3) headings as an output after page 1's story (``perfnb.pages.story``), else
    after the report's title block, else in a cell of its own at the start. A contents list
    the notebook has already is made again."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        nb.cells = [cell for cell in nb.cells if not _is_contents(cell)]
        for cell in nb.cells:
            if "outputs" in cell:
                cell.outputs = [output for output in cell.outputs if not _is_contents(output)]
        found = notebook_headings(nb)
        if found:
            _place(nb, contents_output(found))
        return nb, resources


def contents_output(found: list[Heading]) -> nbformat.NotebookNode:
    """The contents list as a display output, marked as perfnb's (``CONTENTS_KEY``)."""
    return nbformat.v4.new_output(
        "display_data",
        data={"text/html": contents_html(found), "text/plain": "Contents"},
        metadata={"perfnb": {CONTENTS_KEY: True}},
    )


def _place(nb: nbformat.NotebookNode, contents: nbformat.NotebookNode) -> None:
    """Puts ``contents`` after the story's output, else the title block's, else first."""
    for found in (lambda html: STORY.search(html) is not None, lambda html: TITLE in html):
        for cell in nb.cells:
            outputs = cell.get("outputs", [])
            for at, output in enumerate(outputs):
                if found(_output_html(output)):
                    outputs.insert(at + 1, contents)
                    return
    cell = nbformat.v4.new_code_cell(outputs=[contents], metadata={"perfnb": {CONTENTS_KEY: True}})
    nb.cells.insert(0, cell)
