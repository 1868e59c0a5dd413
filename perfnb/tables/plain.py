"""Commentary as plain text, for a table's CSV: the analysts' markdown reduced to the words a
reader sees on the page, with no markup.

The markdown is parsed as ``perfnb.markup.render_markdown`` parses it (mistune, with tables,
strikethrough and bare links), into its syntax tree, and only the text is kept: a link is its
text (``[More under HD-CONTACTS.](#hd-contacts)`` is ``More under HD-CONTACTS.``), an image its
alt text, bold, italics and code lose their marks, HTML its tags (a script or style its
content too) and comments (the draft marker) are dropped. Paragraphs, headings and quotes are
separated by a blank line, list items start a line of their own (``• `` or ``1. ``), a table's
cells are joined by `` | ``, a hard line break is kept and a soft one is a space.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import mistune
import nh3
import pandas as pd

__all__ = ["plain_text"]

_PARSE = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "url"])
# dropped with everything inside them, as perfnb.markup drops them from the page
_DROPPED = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}

Token = Mapping[str, Any]


def plain_text(text: object) -> str:
    """``text`` (markdown) as the plain text a reader sees: no ``**``, no ``](#...)``, no tags;
    '' for a blank or missing text."""
    if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
        return ""
    tokens = _PARSE(str(text).replace("\r\n", "\n"))
    return _blocks(tokens if isinstance(tokens, list) else []).strip()


def _blocks(tokens: Iterable[Token]) -> str:
    parts = [_block(token) for token in tokens]
    return "\n\n".join(p for p in parts if p.strip())


def _block(token: Token) -> str:
    kind = token.get("type", "")
    if kind in ("paragraph", "heading", "block_text"):
        return _inline(token.get("children", []))
    if kind == "block_code":
        return str(token.get("raw", "")).rstrip("\n")
    if kind == "block_quote":
        return _blocks(token.get("children", []))
    if kind == "block_html":
        return _untagged(str(token.get("raw", "")))
    if kind == "list":
        return _list(token)
    if kind == "table":
        return _table(token)
    return ""  # blank lines, rules


def _list(token: Token) -> str:
    attrs = token.get("attrs", {})
    ordered = bool(attrs.get("ordered"))
    start = int(attrs.get("start") or 1)
    lines = []
    for number, item in enumerate(token.get("children", []), start=start):
        body = "\n".join(
            _block(child) for child in item.get("children", []) if _block(child).strip()
        )
        lines.append(f"{number}. {body}" if ordered else f"\u2022 {body}")
    return "\n".join(lines)


def _table(token: Token) -> str:
    rows = []
    for part in token.get("children", []):
        cells = part.get("children", [])
        if part.get("type") == "table_head":  # the head's cells are its children
            cells = [part]
        for row in cells:
            rows.append(" | ".join(_inline(c.get("children", [])) for c in row.get("children", [])))
    return "\n".join(rows)


def _inline(tokens: Iterable[Token]) -> str:
    out = []
    for token in tokens:
        kind = token.get("type", "")
        if kind == "text":
            out.append(html.unescape(str(token.get("raw", ""))))
        elif kind == "codespan":
            out.append(str(token.get("raw", "")))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "linebreak":
            out.append("\n")
        elif kind == "inline_html":
            continue  # a tag (its text is in the tokens around it) or a comment
        else:  # strong, emphasis, strikethrough, link, image: their text
            out.append(_inline(token.get("children", [])))
    return "".join(out)


def _untagged(raw: str) -> str:
    """A block of HTML as its text: tags and comments removed, scripts and styles with their
    content."""
    cleaned = nh3.clean(raw, tags=set(), clean_content_tags=_DROPPED, strip_comments=True)
    return " ".join(html.unescape(cleaned).split())
