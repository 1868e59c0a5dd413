"""perfnb's nbconvert template as ``jupyter nbconvert --to html --template perfnb`` uses it: its
preprocessors (the report's stylesheet into the page's head, the contents after page 1's
story), no code or prompts without any configuration; and the stylesheet the report's title
block carries into JupyterLab."""

from __future__ import annotations

import re
from types import SimpleNamespace

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from perfnb.pages.contents import Heading
from perfnb.pages.parts import title_block
from perfnb.pages.preprocess import (
    ContentsPreprocessor,
    StylePreprocessor,
    notebook_headings,
)
from perfnb.pages.report_style import STYLE_CLASS, report_css, style_element
from perfnb.periods import parse_period
from perfnb.run.export import PREPROCESSORS, TEMPLATES, _report_exporter, export_html

TITLE = (
    '<header class="perfnb-title"><p class="perfnb-council">Sample Council</p>'
    "<h1>Care: performance report</h1></header>"
)
STORY = (
    '<section aria-label="Summary of the period" class="perfnb-story">'
    '<p class="perfnb-summary-counts">3 measures: <span class="perfnb-badge rag-red">Red 1</span>'
    "</p></section>"
)
THEME = (
    '<section class="perfnb-theme"><h2 id="theme-prevent">Prevent need</h2>'
    '<h3 id="m-1">M-1: Reablement <a class="anchor-link" href="#m-1">¶</a></h3>'
    '<h3 id="m-2">M-2: Carers&#x27; contact</h3><h4 id="m-2-more">not listed</h4></section>'
)


def result(html: str, kind: str = "execute_result") -> nbformat.NotebookNode:
    data = {"text/html": html, "text/plain": "<IPython.core.display.HTML object>"}
    if kind == "execute_result":
        return new_output(kind, data=data, execution_count=1)
    return new_output(kind, data=data)


def report_notebook(*, story: bool = True, title: bool = True) -> nbformat.NotebookNode:
    """A report notebook as papermill leaves it: parameters, the title block (with its
    stylesheet), page 1's story, a markdown section, a theme's sections."""
    cells = [
        new_code_cell('period = "2017/18 Q1"', metadata={"tags": ["parameters"]}),
        new_code_cell(
            "report = perfnb.ServiceReport.build(data, period, service)\nreport.title_block()",
            outputs=[result(style_element() + TITLE)] if title else [],
            execution_count=1,
        ),
        new_markdown_cell("## Summary"),
        new_code_cell(
            "report.summary()", outputs=[result(STORY)] if story else [], execution_count=2
        ),
        new_markdown_cell("## Exceptions\n\nEvery Red and Amber measure."),
        new_code_cell(
            "for section in report.theme_sections():\n    display(section)",
            outputs=[result(THEME, "display_data")],
            execution_count=3,
        ),
    ]
    return new_notebook(cells=cells)


def contents_of(nb: nbformat.NotebookNode) -> list[tuple[int, int]]:
    """Where the contents lists are: (cell, output) positions."""
    return [
        (c, o)
        for c, cell in enumerate(nb.cells)
        for o, output in enumerate(cell.get("outputs", []))
        if '<nav class="perfnb-contents"' in str(output.get("data", {}).get("text/html", ""))
    ]


def test_the_notebook_headings_are_the_markdown_and_html_ones() -> None:
    """Markdown headings get the ids nbconvert gives them; an HTML output's h2 and h3 with an
    id are read without nbconvert's pilcrow; h4 and the h1 are not contents."""
    assert notebook_headings(report_notebook()) == [
        Heading(2, "Summary", "Summary"),
        Heading(2, "Exceptions", "Exceptions"),
        Heading(2, "theme-prevent", "Prevent need"),
        Heading(3, "m-1", "M-1: Reablement"),
        Heading(3, "m-2", "M-2: Carers' contact"),
    ]


def test_the_contents_go_after_page_1s_story() -> None:
    nb, _ = ContentsPreprocessor(enabled=True)(report_notebook(), {})
    assert contents_of(nb) == [(3, 1)]  # the story's cell, after its output
    nav = nb.cells[3].outputs[1]
    assert nav.output_type == "display_data"
    html = nav.data["text/html"]
    assert html.startswith(
        '<nav class="perfnb-contents" aria-labelledby="perfnb-contents-heading">'
    )
    assert re.findall(r'href="#([^"]+)"', html) == [
        "Summary",
        "Exceptions",
        "theme-prevent",
        "m-1",
        "m-2",
    ]
    # the measures nest under their theme
    assert '<li><a href="#theme-prevent">Prevent need</a><ol><li><a href="#m-1">' in html
    # made again, not twice
    again, _ = ContentsPreprocessor(enabled=True)(nb, {})
    assert contents_of(again) == [(3, 1)]


def test_without_a_story_the_contents_follow_the_title_else_lead() -> None:
    nb, _ = ContentsPreprocessor(enabled=True)(report_notebook(story=False), {})
    assert contents_of(nb) == [(1, 1)]
    nb, _ = ContentsPreprocessor(enabled=True)(report_notebook(story=False, title=False), {})
    assert contents_of(nb) == [(0, 0)]
    assert nb.cells[0].source == ""  # a cell of its own, before the parameters
    assert len(contents_of(ContentsPreprocessor(enabled=True)(nb, {})[0])) == 1
    empty = new_notebook(cells=[new_markdown_cell("No headings here.")])
    assert contents_of(ContentsPreprocessor(enabled=True)(empty, {})[0]) == []


def test_the_page_has_the_stylesheet_once_in_its_head() -> None:
    nb, resources = StylePreprocessor(enabled=True)(report_notebook(), {})
    assert resources["perfnb_css"] == report_css()
    assert nb.cells[1].outputs[0].data["text/html"] == TITLE


def user_exporter() -> HTMLExporter:
    """The exporter ``jupyter nbconvert --to html --template perfnb`` makes for a user with
    the template installed: no configuration."""
    return HTMLExporter(template_name="perfnb", extra_template_basedirs=[str(TEMPLATES)])


def test_the_template_gives_the_report_without_code_and_with_its_contents() -> None:
    html, _ = user_exporter().from_notebook_node(report_notebook())
    body = html[html.index("<body") :]
    # no code, no prompts, no parameters
    for code in ("title_block()", "report.summary()", "theme_sections", "2017/18 Q1"):
        assert code not in html
    assert "jp-InputArea-editor" not in body and "jp-InputPrompt" not in body
    assert "In&nbsp;[" not in body and "Out[" not in body
    assert body.count("jp-mod-noInput") == 3  # the parameters cell is gone
    # the contents after the story, before the sections it lists
    assert (
        body.index("perfnb-story")
        < body.index('<nav aria-labelledby="perfnb-contents-heading" class="perfnb-contents">')
        < body.index('id="Exceptions"')
    )
    assert '<a href="#m-2">' in body
    # the stylesheet in the head, once; the print rules with it; no provenance to give
    head = html[: html.index("</head>")]
    assert STYLE_CLASS not in html
    assert head.count(".perfnb-badge {") == 1 and ".rag-red {" in head
    assert "@media print" in head and "@page { size: A4" in head
    assert "perfnb-provenance" not in body


def test_perfnb_run_exports_with_the_templates_preprocessors() -> None:
    exporter = _report_exporter()
    registered = [type(p) for p in exporter._preprocessors]
    assert [p for p in registered if p in PREPROCESSORS] == list(PREPROCESSORS)
    nb = report_notebook()
    nb.metadata["perfnb"] = {"produced": "06 December 2026 06:34", "version": "0"}
    before = nbformat.writes(nb)
    html = export_html(nb)
    assert nbformat.writes(nb) == before  # the notebook is left as it was
    assert html.count('class="perfnb-contents"') == 1 and "perfnb-provenance" in html
    assert STYLE_CLASS not in html and "title_block" not in html


def test_the_title_block_carries_the_reports_stylesheet_for_jupyterlab() -> None:
    council = SimpleNamespace(council="Sample Council")
    block = title_block(council, parse_period("2017/18 Q1"), "Care").data  # type: ignore[arg-type]
    style = re.match(rf'<style class="{STYLE_CLASS}" type="text/css">(.*?)</style>', block, re.S)
    assert style and "<header" not in style.group(1)
    css = style.group(1)
    assert ".perfnb-badge {" in css and ".rag-red {" in css and ".perfnb-needs-commentary {" in css
    assert ".perfnb-commentary {" in css and ".perfnb-contents {" in css
    assert block.index("</style>") < block.index('<header class="perfnb-title">')


@pytest.mark.parametrize("css", [report_css()])
def test_the_stylesheet_restyles_no_part_of_jupyterlab(css: str) -> None:
    """In JupyterLab a <style> in an output applies to the whole page: every rule names the
    report's own classes (perfnb-, its ratings') or JupyterLab's rendered output, and no
    print or page rule is in it (those are the template's)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "@page" not in css and "@media print" not in css
    selectors = [
        s.strip()
        for m in re.finditer(r"([^{}]+)\{", css)
        for s in m.group(1).split(",")
        if not s.strip().startswith("@media")
    ]
    assert selectors
    own = re.compile(r"^(span)?\.(perfnb-|rag-|action-)|^\.jp-RenderedHTMLCommon ")
    assert [s for s in selectors if not own.match(s)] == []
    assert not [s for s in selectors if re.search(r"\.jp-(Notebook|Cell)\b|^body\b", s)]
