"""A report page's HTML read as the blocks of a Word document: headings, paragraphs of
formatted text, list items, tables, charts and the wide part printed across the page.

What the page shows only on screen is left out: the contents list (Word has its own navigation
pane), the heading anchors' pilcrows, the provenance footer but for one line.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import replace

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from perfnb.pages.word_model import (
    Block,
    Cell,
    FigureBlock,
    Heading,
    Inline,
    Para,
    TableBlock,
    TitleInfo,
    WideBlock,
)
from perfnb.palette import ACTION_STYLES, RAG_STYLES

__all__ = ["page_blocks", "tidy"]


_BLOCK_TAGS = frozenset(
    str.split(
        "p div section header footer main article aside nav h1 h2 h3 h4 h5 h6 ul ol table "
        "figure dl blockquote pre hr details summary"
    )
)
_SKIP_TAGS = frozenset(str.split("style script template head noscript button input select"))
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # HTML's white space: never the no-break space
_RATINGS = {s.css_class: s for s in (*RAG_STYLES.values(), *ACTION_STYLES.values())}
_PARA_KINDS = {
    "perfnb-council": "council",
    "perfnb-reason": "reason",
    "perfnb-muted": "muted",
    "perfnb-empty": "muted",
    "perfnb-needs-commentary": "attention",
}
_CSS_RULE = re.compile(
    r"#(?P<table>[\w-]+) \.col(?P<col>\d+) \{\s*(?P<prop>width|white-space):\s*(?P<value>[^;]+);"
)
_BORDER_COLOUR = re.compile(r"border-color:\s*#([0-9A-Fa-f]{6})")
_EXTERNAL = ("http://", "https://", "mailto:")


def page_blocks(html: str) -> tuple[TitleInfo, list[Block]]:
    """The report's title, council and period, and its blocks in reading order."""
    soup = BeautifulSoup(html, "html.parser")
    reader = _Reader(soup)
    root = soup.body or soup
    return _title_info(soup), reader.blocks(root)


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return list(value) if isinstance(value, list) else str(value or "").split()


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    return " ".join(value) if isinstance(value, list) else str(value or "")


def _text(tag: Tag) -> str:
    """A tag's text, its white space collapsed, without the headings' pilcrow links."""
    parts = [
        str(s)
        for s in tag.find_all(string=True)
        if not isinstance(s, Comment)
        and not any("anchor-link" in _classes(p) for p in s.parents if isinstance(p, Tag))
    ]
    return _SPACES.sub(" ", "".join(parts)).strip()


def _title_info(soup: BeautifulSoup) -> TitleInfo:
    header = soup.find(class_="perfnb-title")
    if not isinstance(header, Tag):
        heading = soup.find("h1")
        return TitleInfo("", _text(heading) if isinstance(heading, Tag) else "", "")
    council = header.find(class_="perfnb-council")
    heading = header.find(["h1", "h2"])
    period = ""
    for paragraph in header.find_all("p"):
        if "perfnb-council" not in _classes(paragraph):
            strong = paragraph.find(["strong", "b"])
            period = _text(strong if isinstance(strong, Tag) else paragraph).rstrip(".")
            break
    return TitleInfo(
        _text(council) if isinstance(council, Tag) else "",
        _text(heading) if isinstance(heading, Tag) else "",
        period,
    )


def tidy(inlines: list[Inline]) -> list[Inline]:
    """Inlines with HTML's white space rules applied: one space between words, none at the
    start or end of a line, empty runs dropped."""
    out: list[Inline] = []
    at_line_start = True
    for item in inlines:
        text = item.text
        if text == "\n":
            if out and out[-1].text != "\n":
                out[-1] = replace(out[-1], text=out[-1].text.rstrip(" "))
            out.append(item)
            at_line_start = True
            continue
        if at_line_start or (out and out[-1].text.endswith(" ")):
            text = text.lstrip(" ")
        if text:
            out.append(replace(item, text=text))
            at_line_start = False
    while out and out[-1].text == "\n":
        out.pop()
    if out:
        out[-1] = replace(out[-1], text=out[-1].text.rstrip(" "))
    return [i for i in out if i.text]


class _Reader:
    """Walks the page once; keeps the places links point to, the tables' column widths from
    the page's CSS, and what the next heading or paragraph must carry."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.targets = {
            _attr(a, "href")[1:] for a in soup.find_all("a") if _attr(a, "href").startswith("#")
        }
        self.pending: list[str] = []
        self.page_break = False
        self.lists = 0
        self.widths: dict[str, dict[int, float]] = {}
        self.nowrap: dict[str, set[int]] = {}
        for style in soup.find_all("style"):
            for rule in _CSS_RULE.finditer(style.get_text()):
                table, col, value = rule["table"], int(rule["col"]), rule["value"].strip()
                if rule["prop"] == "width" and value.endswith("%"):
                    self.widths.setdefault(table, {})[col] = float(value[:-1]) / 100
                elif rule["prop"] == "white-space" and value == "nowrap":
                    self.nowrap.setdefault(table, set()).add(col)

    # -- blocks -----------------------------------------------------------------------------
    def blocks(self, element: Tag, box: str = "") -> list[Block]:
        out: list[Block] = []
        loose: list[NavigableString | Tag] = []
        for child in element.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                loose.append(child)
            elif isinstance(child, Tag) and not self._skipped(child):
                if child.name in _BLOCK_TAGS or (child.name == "img" and _data_png(child)):
                    out.extend(self._paragraph(loose, box=box))
                    loose = []
                    out.extend(self._block(child, box))
                else:
                    loose.append(child)
        out.extend(self._paragraph(loose, box=box))
        return out

    def _skipped(self, tag: Tag) -> bool:
        classes = _classes(tag)
        return (
            tag.name in _SKIP_TAGS
            or "perfnb-contents" in classes
            or "anchor-link" in classes
            or "jp-InputPrompt" in classes
            or "jp-OutputPrompt" in classes
            or _attr(tag, "data-mime-type") == "application/vnd.jupyter.stderr"
        )

    def _block(self, tag: Tag, box: str) -> list[Block]:
        ident = _attr(tag, "id")
        if ident and ident in self.targets:
            self.pending.append(ident)
        classes = _classes(tag)
        name = tag.name
        if "perfnb-wide" in classes:
            inner: list[Block] = [self._table(tag)] if name == "table" else self.blocks(tag, box)
            return [WideBlock(inner)]
        if "perfnb-provenance" in classes:
            return self._provenance(tag)
        if "perfnb-theme" in classes:
            self.page_break = True  # as the page prints: each theme on a new page
        if "perfnb-commentary" in classes:
            box = "commentary"
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            heading = Heading(int(name[1]), _text(tag), self._anchors(), self.page_break)
            self.page_break = False
            return [heading] if heading.text else []
        if name == "p":
            kind = next((k for c, k in _PARA_KINDS.items() if c in classes), "body")
            return self._paragraph(list(tag.children), kind, box)
        if name in ("ul", "ol"):
            self.lists += 1
            return list(self._list(tag, name == "ol", 0, box))
        if name == "table":
            return [self._table(tag)]
        if name in ("figure", "img"):
            figure = self._figure(tag)
            return [figure] if figure else []
        if name == "dl":
            return self._definitions(tag, box)
        if name == "pre":
            text = tag.get_text().rstrip("\n")
            lines = [Inline(line, mono=True) for line in text.split("\n")]
            inlines = [x for line in lines for x in (line, Inline("\n"))][:-1]
            return [Para(inlines, "pre", box, anchors=self._anchors())] if text else []
        if name == "hr":
            return []
        if name == "blockquote":
            box = "quote"
        return self.blocks(tag, box)

    def _anchors(self) -> tuple[str, ...]:
        taken, self.pending = tuple(self.pending), []
        return taken

    def _paragraph(self, nodes: Sequence[object], kind: str = "body", box: str = "") -> list[Block]:
        inlines: list[Inline] = []
        for node in nodes:
            self._inline(node, Inline(""), inlines)
        inlines = tidy(inlines)
        if not inlines:
            return []
        para = Para(inlines, kind, box, anchors=self._anchors(), page_break=self.page_break)
        self.page_break = False
        return [para]

    def _list(self, tag: Tag, ordered: bool, level: int, box: str) -> list[Para]:
        list_id = self.lists
        out: list[Para] = []
        for item in tag.find_all("li", recursive=False):
            first = True
            for block in self.blocks(item, box):
                if isinstance(block, Para) and block.level >= 0:
                    out.append(block)  # a nested list's item
                    continue
                inlines = _as_inlines(block)
                if inlines:
                    out.append(Para(inlines, "body", box, level, ordered, list_id, not first))
                    first = False
        return out

    def _definitions(self, tag: Tag, box: str) -> list[Block]:
        out: list[Block] = []
        for child in tag.find_all(["dt", "dd"], recursive=False):
            kind = "term" if child.name == "dt" else "definition"
            out.extend(self._paragraph(list(child.children), kind, box))
        return out

    def _provenance(self, tag: Tag) -> list[Block]:
        """The provenance footer as one line: when and from what the report was produced."""
        facts = {
            _text(dt): _text(dd)
            for dt in tag.find_all("dt")
            if isinstance(dd := dt.find_next_sibling("dd"), Tag)
        }
        parts = [f"{k} {v}" for k, v in facts.items() if k in ("Produced", "Parameters") and v]
        if not parts:
            return []
        line = "; ".join(parts) + ". The HTML report lists the data files and their checksums."
        return [Para([Inline(line)], "provenance")]

    # -- text -------------------------------------------------------------------------------
    def _inline(self, node: object, fmt: Inline, out: list[Inline]) -> None:
        if isinstance(node, Comment):
            return
        if isinstance(node, NavigableString):
            out.append(replace(fmt, text=_SPACES.sub(" ", str(node))))
            return
        if not isinstance(node, Tag) or self._skipped(node):
            return
        classes = _classes(node)
        name = node.name
        if name == "br":
            out.append(replace(fmt, text="\n"))
            return
        if name == "img":
            alt = _attr(node, "alt")
            out.append(replace(fmt, text=f"[{alt}]" if alt else ""))
            return
        badge = next((_RATINGS[c] for c in classes if c in _RATINGS), None)
        if badge is not None and "perfnb-badge" in classes:
            text, colour = f"\u00a0{_text(node)}\u00a0", badge.text[1:]
            fill, edge = badge.fill[1:], badge.edge[1:]
            out.append(replace(fmt, text=text, bold=True, colour=colour, fill=fill, border=edge))
            return
        if "perfnb-icon" in classes:
            found = _BORDER_COLOUR.search(_attr(node, "style"))
            ring = found.group(1).upper() if found else "595959"
            out.append(replace(fmt, text=f"\u00a0{_text(node)}\u00a0", bold=True, border=ring))
            out.append(replace(fmt, text=" "))
            return
        if name in ("strong", "b"):
            fmt = replace(fmt, bold=True)
        elif name in ("em", "i", "cite", "var"):
            fmt = replace(fmt, italic=True)
        elif name in ("code", "kbd", "samp", "tt"):
            fmt = replace(fmt, mono=True)
        elif name == "a":
            href = _attr(node, "href")
            if href.startswith(_EXTERNAL) or (href.startswith("#") and href[1:] in self.targets):
                fmt = replace(fmt, href=href)
        if "perfnb-muted" in classes:
            fmt = replace(fmt, italic=True, colour="555555")
        for child in node.children:
            self._inline(child, fmt, out)

    # -- tables and figures -----------------------------------------------------------------
    def _table(self, tag: Tag) -> TableBlock:
        anchors = self._anchors()
        caption_tag = tag.find("caption")
        caption = _text(caption_tag) if isinstance(caption_tag, Tag) else ""
        head: list[list[Cell]] = []
        body: list[list[Cell]] = []
        key = ""
        for part in tag.find_all(["thead", "tbody", "tfoot", "tr"], recursive=False):
            rows = [part] if part.name == "tr" else part.find_all("tr", recursive=False)
            if part.name == "tfoot":
                key = " ".join(_text(row) for row in rows).strip()
                continue
            for row in rows:
                cells = [self._cell(c) for c in row.find_all(["th", "td"], recursive=False)]
                target = head if part.name == "thead" else body
                if part.name == "tr" and not body and all(c.header for c in cells):
                    target = head  # a table without thead: its leading rows of headings
                target.append(cells)
        ident = _attr(tag, "id")
        return TableBlock(
            caption,
            head,
            body,
            key,
            dict(self.widths.get(ident, {})),
            frozenset(self.nowrap.get(ident, set())),
            "perfnb-facts" in _classes(tag),
            anchors,
        )

    def _cell(self, tag: Tag) -> Cell:
        classes = _classes(tag)
        rating = next((_RATINGS[c] for c in classes if c in _RATINGS), None)
        content = [c for c in tag.children if not (isinstance(c, str) and not c.strip())]
        only = content[0] if len(content) == 1 else None
        if rating is None and isinstance(only, Tag) and "perfnb-badge" in _classes(only):
            rating = next((_RATINGS[c] for c in _classes(only) if c in _RATINGS), None)
        if rating is not None:
            paras = [Para([Inline(_text(tag) or rating.label)])]  # the word, never colour alone
        else:
            paras = [
                b if isinstance(b, Para) else Para(_as_inlines(b))
                for b in self.blocks(tag)
                if _as_inlines(b)
            ]
        return Cell(
            paras,
            header=tag.name == "th",
            colspan=max(1, int(_attr(tag, "colspan") or 1)),
            rowspan=max(1, int(_attr(tag, "rowspan") or 1)),
            rating=rating,
            flag="flag" in classes,
            numeric="num" in classes,
        )

    def _figure(self, tag: Tag) -> FigureBlock | None:
        image = tag if tag.name == "img" else tag.find("img")
        if not isinstance(image, Tag):
            return None
        png = _data_png(image)
        caption = tag.find("figcaption") if tag.name == "figure" else None
        name = _attr(tag, "data-chart") or _attr(image, "data-chart")
        if not png and not name:
            return None
        title = _text(caption) if isinstance(caption, Tag) else ""
        return FigureBlock(name, _attr(image, "alt"), title, png)


def _data_png(image: Tag) -> bytes:
    """The bytes of an image embedded as a ``data:`` address (PNG or JPEG), else b''."""
    source = _attr(image, "src")
    head, _, data = source.partition(",")
    # an SVG (a chart on the page) is not for Word: it takes the chart's 300 dpi PNG instead
    if not head.startswith(("data:image/png", "data:image/jpeg")) or ";base64" not in head:
        return b""
    try:
        return base64.b64decode(data)
    except ValueError:
        return b""


def _as_inlines(block: Block) -> list[Inline]:
    """A block's text as inlines, for a place that holds only text (a list item, a cell)."""
    if isinstance(block, Para):
        return block.inlines
    if isinstance(block, Heading):
        return [Inline(block.text, bold=True)]
    if isinstance(block, FigureBlock):
        return [Inline(f"[{block.alt or block.title}]", italic=True)]
    if isinstance(block, TableBlock):
        rows = [*block.head, *block.body]
        text = "; ".join(
            " | ".join(" ".join(i.text for p in c.paras for i in p.inlines) for c in row)
            for row in rows
        )
        return [Inline(text)] if text else []
    return [x for b in block.blocks for x in _as_inlines(b)]
