"""The table of contents of a report, built from its headings: the page's (``add_contents``) or,
as perfnb's nbconvert template makes it, the notebook's (``perfnb.pages.preprocess``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

__all__ = ["STORY", "TITLE", "Heading", "add_contents", "contents_html", "headings"]

TITLE = '<header class="perfnb-title">'
# page 1's story (attributes in any order: nbconvert may sort them)
STORY = re.compile(r'<section\b[^>]*\bclass="perfnb-story"')


@dataclass(frozen=True)
class Heading:
    """A heading of the page: its level (2 or 3), anchor and text."""

    level: int
    anchor: str
    text: str


class _HeadingParser(HTMLParser):
    def __init__(self, levels: tuple[int, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.levels = levels
        self.found: list[Heading] = []
        self._open: tuple[int, str] | None = None
        self._text: list[str] = []
        self._skip = 0  # inside an anchor link (nbconvert's pilcrow)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and int(tag[1]) in self.levels:
            self._open, self._text = (int(tag[1]), attributes.get("id") or ""), []
        elif self._open and tag == "a" and "anchor-link" in (attributes.get("class") or ""):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._open and tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == f"h{self._open[0]}":
            level, anchor = self._open
            text = " ".join("".join(self._text).split())
            if anchor and text:
                self.found.append(Heading(level, anchor, text))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open and not self._skip:
            self._text.append(data)


def headings(html: str, levels: tuple[int, ...] = (2, 3)) -> list[Heading]:
    """The page's headings of ``levels`` that have an id, in page order."""
    parser = _HeadingParser(levels)
    parser.feed(html)
    parser.close()
    return parser.found


def contents_html(found: list[Heading]) -> str:
    """The contents list: a ``<nav>`` of the section (h2) headings, each with its measures (h3)."""
    items: list[str] = []
    open_sub = False
    for heading in found:
        link = f'<a href="#{escape(heading.anchor)}">{escape(heading.text)}</a>'
        if heading.level == 2:
            if open_sub:
                items.append("</ol></li>")
                open_sub = False
            elif items:
                items.append("</li>")
            items.append(f"<li>{link}")
        else:
            if not items:  # a sub-heading before any section heading
                items.append("<li>")
            if not open_sub:
                items.append("<ol>")
                open_sub = True
            items.append(f"<li>{link}</li>")
    if items:
        items.append("</ol></li>" if open_sub else "</li>")
    return (
        '<nav class="perfnb-contents" aria-labelledby="perfnb-contents-heading">'
        '<h2 id="perfnb-contents-heading">Contents</h2>'
        f"<ol>{''.join(items)}</ol></nav>"
    )


def add_contents(html: str) -> str:
    """``html`` with a table of contents of its section (h2) and measure (h3) headings, put
    after page 1's story (``perfnb.pages.story``), else after the report's title block, else
    at the start of the body: for a page made without perfnb's template, whose preprocessor
    (``perfnb.pages.preprocess.ContentsPreprocessor``) puts the contents into the notebook."""
    found = headings(html)
    if not found:
        return html
    nav = contents_html(found)
    story = STORY.search(html)
    if story:  # page 1 is the title and the story; the contents follow them
        at = html.find("</section>", story.end()) + len("</section>")
        return html[:at] + nav + html[at:]
    title = html.find(TITLE)
    if title >= 0:
        end = html.find("</header>", title)
        at = end + len("</header>")
        return html[:at] + nav + html[at:]
    body = re.search(r"<body[^>]*>", html)
    at = body.end() if body else 0
    return html[:at] + nav + html[at:]
