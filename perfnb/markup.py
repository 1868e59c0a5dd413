"""Markup: the analysts' commentary (markdown) made into safe HTML, and text from data made
safe for HTML or for markdown.

Commentary is the one input shown as markup: ``render_markdown`` renders it with mistune and
cleans it with nh3, so markdown works while scripts, event handlers, ``javascript:`` links and
every tag outside a short allow-list are removed. Everything else that comes from data (names,
notes, reasons) is text: ``escape_text`` for HTML, ``markdown_text`` for a markdown draft.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

import mistune
import nh3
import pandas as pd

__all__ = ["escape_text", "markdown_text", "render_markdown"]

_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}
_SCHEMES = {"http", "https", "mailto"}
# removed together with everything inside them, not just their tags
_DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "noscript",
    "template",
    "svg",
    "math",
    "title",
}


def _allowed_url(url: str) -> bool:
    """True for http, https and mailto links and relative ones; every other scheme is refused,
    however it is disguised (entities, percent-escapes, case, spaces, control characters)."""
    text = html.unescape(url)
    for _ in range(3):
        text = unquote(text)
    text = re.sub(r"[\x00-\x20\x7f]", "", text).lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]*):", text)
    return scheme is None or scheme.group(1) in _SCHEMES


class _Renderer(mistune.HTMLRenderer):
    """mistune's renderer with unsafe links reduced to their text, images to their alt text
    and headings no bigger than the report's own (``#`` and ``##`` become ``<h3>``)."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        """A link, or just its text when the URL's scheme is not allowed."""
        if not _allowed_url(url):
            return text
        return super().link(text, url, title)

    def image(self, text: str, url: str, title: str | None = None) -> str:
        """Images are not shown: their alt text is."""
        return text

    def heading(self, text: str, level: int, **attrs: object) -> str:
        """A heading of level 3 or smaller."""
        return super().heading(text, max(level, 3), **attrs)


_MARKDOWN = mistune.create_markdown(
    renderer=_Renderer(escape=False), plugins=["table", "strikethrough", "url"]
)


def render_markdown(text: str | None) -> str:
    """Commentary markdown as safe HTML.

    mistune renders the markdown (tables, ~~strikethrough~~ and bare links included); nh3 then
    keeps only paragraphs, emphasis, lists, links (http, https, mailto; opened with
    ``rel="noopener noreferrer"``), code, quotes, headings 3 to 6, tables, line breaks and rules.
    Scripts, styles, frames, event handlers, comments (the draft marker too) and every other
    tag or attribute are removed.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    rendered = _MARKDOWN(str(text))
    return nh3.clean(
        str(rendered),
        tags=_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
    ).strip()


def escape_text(text: object) -> str:
    """Plain text from data (names, notes, reasons) made safe for HTML: ``<`` shows as ``<``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return html.escape(str(text), quote=True)


def markdown_text(text: object) -> str:
    """Text from data as markdown that shows it as written: one line, special characters
    escaped, no line-start syntax (``#``, ``-``, ``1.``)."""
    line = " ".join(str(text if text is not None and not pd.isna(text) else "").split())
    line = re.sub(r"([\\`*_\[\]<>~])", r"\\\1", line)
    line = re.sub(r"^([#=+|-])", r"\\\1", line)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
