"""The report's stylesheet on screen: one file in perfnb's nbconvert template
(``templates/perfnb/report.css``) and the ratings' rules (``perfnb.palette.rag_css``). The
exported page has it in its head (the template); in JupyterLab the report's title block
carries it, so the badges, boxes and contents look as they do on the page."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from perfnb.palette import rag_css

__all__ = ["STYLESHEET", "STYLE_CLASS", "report_css", "style_element"]

STYLESHEET = Path(__file__).parents[1] / "templates" / "perfnb" / "report.css"
# the class of the <style> element a report's first output carries (the exported page takes it
# out: its head has the same rules)
STYLE_CLASS = "perfnb-report-style"


@cache
def report_css() -> str:
    """The report's screen CSS: ``report.css``, then the ratings' and badges' rules."""
    return STYLESHEET.read_text(encoding="utf-8").rstrip() + "\n" + rag_css()


def style_element() -> str:
    """``report_css`` as a ``<style>`` element, for the report's first displayed object."""
    return f'<style class="{STYLE_CLASS}" type="text/css">\n{report_css()}\n</style>'
