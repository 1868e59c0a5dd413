"""The report as a Word document, for the committee clerk who pastes from it: a report page's
HTML (as ``perfnb run`` exports it) turned into a python-docx ``Document``.

Headings keep Word's heading styles (the navigation pane lists them); tables are Word tables
whose heading rows repeat on each page and whose rating cells carry the palette's fill and
their word; charts are the 300 dpi PNGs with their alt text; commentary keeps its bold,
italics, lists and links. The page is A4 portrait; the wide scorecard prints in a landscape
section. The footer gives council, report, period and ``Page n of N``.

The renderer writes no file: the run saves the document it returns.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Length, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from perfnb.pages.word_blocks import page_blocks
from perfnb.pages.word_model import (
    Block,
    FigureBlock,
    Heading,
    Para,
    TableBlock,
    TitleInfo,
    WideBlock,
)
from perfnb.pages.word_tables import add_table
from perfnb.pages.word_text import (
    add_bookmark,
    add_field,
    add_inlines,
    bookmark_name,
    border,
    ensure_hyperlink_style,
    numbered_list,
    set_numbering,
    shade,
)

__all__ = ["CHART_WIDTH", "ChartPng", "word_document"]

# the 300 dpi PNG of the chart a page's <figure data-chart="name"> shows; None: use the page's
# image if it is a PNG (a chart's SVG is not for Word)
ChartPng = Callable[[str], bytes | None]

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)  # A4
MARGIN = Cm(2.0)
WIDE_MARGIN = Cm(1.5)  # the landscape pages' sides, for the scorecard's many columns
CHART_WIDTH = Cm(16.0)
FONT = "Arial"  # LibreOffice shows Liberation Sans, metric-compatible
BODY_POINTS = 10.5
TEXT_COLOUR = "1A1A1A"
ACCENT = "0B4F9C"  # the commentary's rule, as on the page
COMMENTARY_FILL = "F5F8FC"
ATTENTION_FILL, ATTENTION_EDGE = "FFF4CE", "8C510A"
_LEAD_IN = 400  # characters: a paragraph this short after a heading stays with what follows
# (size, colour, space before, space after) of Heading 1 to 6
_HEADINGS = {
    1: (20, TEXT_COLOUR, 0, 6),
    2: (15, ACCENT, 18, 6),
    3: (12, TEXT_COLOUR, 14, 4),
    4: (11, "333333", 10, 3),
    5: (10.5, "333333", 8, 2),
    6: (10.5, "333333", 8, 2),
}


def word_document(html: str, chart_png: ChartPng) -> Document:
    """The report page ``html`` as a Word document: headings, tables, charts (``chart_png(name)``
    gives a chart's 300 dpi PNG, or None for the one embedded in the page) and commentary,
    A4 portrait with the wide scorecard on landscape pages, and a footer."""
    title, blocks = page_blocks(html)
    document = docx.Document()
    _house_style(document)
    properties = document.core_properties
    properties.title = title.title
    properties.subject = title.period
    properties.author = title.council or "perfnb"
    properties.comments = "Produced by perfnb from the report's HTML page"
    _Writer(document, title, chart_png).write(blocks)
    return document


def _house_style(document: Document) -> None:
    """Arial throughout, the headings in the report's colours, a plain caption style."""
    ensure_hyperlink_style(document)
    styles = document.styles
    normal = styles["Normal"]
    _font(normal, BODY_POINTS, TEXT_COLOUR)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.1
    language = OxmlElement("w:lang", {qn("w:val"): "en-GB"})
    normal.element.get_or_add_rPr().append(language)
    for level, (size, colour, before, after) in _HEADINGS.items():
        style = styles[f"Heading {level}"]
        _font(style, size, colour, bold=True)
        style.font.italic = False
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = True
    caption = styles["Caption"]
    _font(caption, 9.5, TEXT_COLOUR, bold=True)
    caption.paragraph_format.space_before = Pt(8)
    caption.paragraph_format.space_after = Pt(3)
    footer_tabs = styles["Footer"].element.pPr.find(qn("w:tabs"))
    if footer_tabs is not None:  # the template's, for a letter page: each section sets its own
        footer_tabs.getparent().remove(footer_tabs)
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3", "List Number", "List Number 2"):
        styles[name].paragraph_format.space_after = Pt(3)


def _font(style: object, points: float, colour: str, bold: bool | None = None) -> None:
    """A style's font: Arial (its theme fonts removed, which would win), size and colour."""
    font = style.font  # type: ignore[attr-defined]
    font.name = FONT
    font.size = Pt(points)
    font.color.rgb = RGBColor.from_string(colour)
    if bold is not None:
        font.bold = bold
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme"):
            del fonts.attrib[attribute]
    fonts.set(qn("w:cs"), FONT)
    fonts.set(qn("w:eastAsia"), FONT)
    colour_element = style.element.rPr.find(qn("w:color"))  # type: ignore[attr-defined]
    for attribute in ("themeColor", "themeShade", "themeTint"):
        colour_element.attrib.pop(qn(f"w:{attribute}"), None)


def _landscape_runs(blocks: list[Block]) -> Iterator[tuple[bool, list[Block]]]:
    """The blocks in runs of one orientation: a wide block is landscape, and so are the
    heading and paragraphs that lead into it, so a heading never sits alone on a page."""
    wide = [isinstance(b, WideBlock) for b in blocks]
    for index, block in enumerate(blocks):
        if not isinstance(block, WideBlock):
            continue
        back = index - 1
        while back >= 0 and isinstance(blocks[back], Para) and not wide[back]:
            back -= 1
        if back >= 0 and isinstance(blocks[back], Heading) and not wide[back]:
            for lead in range(back, index):
                wide[lead] = True
    start = 0
    for index in range(1, len(blocks) + 1):
        if index == len(blocks) or wide[index] != wide[start]:
            yield wide[start], blocks[start:index]
            start = index


def _anchors(blocks: list[Block]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, (Heading, Para, TableBlock)):
            yield from block.anchors
        if isinstance(block, WideBlock):
            yield from _anchors(block.blocks)
        if isinstance(block, TableBlock):
            cells = [c for row in [*block.head, *block.body] for c in row]
            yield from _anchors([p for c in cells for p in c.paras])


class _Writer:
    def __init__(self, document: Document, title: TitleInfo, chart_png: ChartPng) -> None:
        self.document = document
        self.title = title
        self.chart_png = chart_png
        self.bookmarks: set[str] = set()
        self.bookmark_ids = 0
        self.lists: dict[int, int] = {}  # a numbered list of the page -> its Word numbering
        self.section_start = True
        self.after_heading = False
        self.width: Length = Emu(PAGE_WIDTH - 2 * MARGIN)

    def write(self, blocks: list[Block]) -> None:
        self.bookmarks = {bookmark_name(a) for a in _anchors(blocks)}
        for number, (landscape, run) in enumerate(_landscape_runs(blocks)):
            if number == 0:
                section = self.document.sections[0]
            else:
                section = self.document.add_section(WD_SECTION.NEW_PAGE)
            self._page(section, landscape)
            for block in run:
                self._block(block)
        if not blocks:
            self._page(self.document.sections[0], False)

    # -- pages ------------------------------------------------------------------------------
    def _page(self, section: Section, landscape: bool) -> None:
        side = WIDE_MARGIN if landscape else MARGIN
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width = PAGE_HEIGHT if landscape else PAGE_WIDTH
        section.page_height = PAGE_WIDTH if landscape else PAGE_HEIGHT
        section.left_margin = section.right_margin = side
        section.top_margin = MARGIN
        section.bottom_margin = Cm(2.2)
        section.header_distance = Cm(1.0)
        section.footer_distance = Cm(1.0)
        self.width = Emu(section.page_width - 2 * side)
        self.section_start = True
        self._footer(section)

    def _footer(self, section: Section) -> None:
        """Council, report and period on the left, ``Page n of N`` on the right."""
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        size = Pt(8)
        parts = [self.title.council, self.title.title, self.title.period]
        left = paragraph.add_run(" \u00b7 ".join(p for p in parts if p))
        left.font.size = size
        paragraph.paragraph_format.tab_stops.add_tab_stop(self.width, WD_TAB_ALIGNMENT.RIGHT)
        paragraph.add_run("\tPage ").font.size = size
        add_field(paragraph, "PAGE", "1", size)
        paragraph.add_run(" of ").font.size = size
        add_field(paragraph, "NUMPAGES", "1", size)
        properties = paragraph._p.get_or_add_pPr()
        border(properties, "888888", sides=("top",), eighths=4, space=4)
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string("444444")

    # -- blocks -----------------------------------------------------------------------------
    def _block(self, block: Block) -> None:
        if isinstance(block, Heading):
            self._heading(block)
        elif isinstance(block, Para):
            paragraph = self.para(self.document, None, block, None)
            if self.after_heading and sum(len(i.text) for i in block.inlines) < _LEAD_IN:
                paragraph.paragraph_format.keep_with_next = True  # a heading's short lead-in
        elif isinstance(block, TableBlock):
            self._bookmark_paragraph(block.anchors)
            add_table(self.document, block, int(self.width), self.para, self.document)
        elif isinstance(block, FigureBlock):
            self._figure(block)
        elif isinstance(block, WideBlock):
            for inner in block.blocks:
                self._block(inner)
        self.section_start = False
        self.after_heading = isinstance(block, Heading)

    def _heading(self, block: Heading) -> None:
        paragraph = self.document.add_heading(block.text, level=min(block.level, 9))
        if block.page_break and not self.section_start:
            paragraph.paragraph_format.page_break_before = True
        self._bookmark(paragraph, block.anchors)

    def _bookmark(self, paragraph: Paragraph, anchors: tuple[str, ...]) -> None:
        for anchor in anchors:
            self.bookmark_ids += 1
            add_bookmark(paragraph, bookmark_name(anchor), self.bookmark_ids)

    def _bookmark_paragraph(self, anchors: tuple[str, ...]) -> None:
        """A table's anchors go on a small paragraph before it (a table has no bookmark)."""
        if anchors:
            paragraph = self.document.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            self._bookmark(paragraph, anchors)

    def para(
        self, container: Document | _Cell, first: Paragraph | None, para: Para, size: Length | None
    ) -> Paragraph:
        """Writes ``para`` into ``container`` (the document, a cell), into ``first`` when
        given (a cell's own first paragraph)."""
        paragraph = first or container.add_paragraph()
        fmt = paragraph.paragraph_format
        if para.level >= 0:
            self._list_item(paragraph, para)
        kind = para.kind
        size = {
            "council": Pt(13),
            "reason": Pt(9.5),
            "provenance": Pt(8),
            "pre": Pt(9),
        }.get(kind, size)
        add_inlines(paragraph, para.inlines, self.bookmarks, size)
        runs = paragraph.runs
        properties = paragraph._p.get_or_add_pPr()
        if kind in ("council", "reason", "provenance"):
            for run in runs:
                run.font.color.rgb = RGBColor.from_string("333333")
        if kind == "reason":
            fmt.space_after = Pt(3)
            fmt.keep_with_next = True
        elif kind in ("muted", "key"):
            for run in runs:
                run.font.italic = True
                run.font.color.rgb = RGBColor.from_string("555555")
        elif kind == "attention":
            shade(properties, ATTENTION_FILL)
            border(properties, ATTENTION_EDGE, eighths=12, space=4)
            fmt.left_indent = fmt.right_indent = Pt(5)
        elif kind == "provenance":
            border(properties, "888888", sides=("top",), space=4)
            fmt.space_before = Pt(18)
        elif kind == "term":
            for run in runs:
                run.font.bold = True
            fmt.space_after = Pt(0)
            fmt.keep_with_next = True
        elif kind == "definition":
            fmt.left_indent = Cm(0.6)
        elif kind == "council":
            fmt.space_after = Pt(2)
        if para.box:
            colour, eighths = (ACCENT, 24) if para.box == "commentary" else ("888888", 18)
            border(properties, colour, sides=("left",), eighths=eighths, space=8)
            if para.box == "commentary":
                shade(properties, COMMENTARY_FILL)
            # the rule in line with the text's left edge; a list item indented within it
            depth = min(para.level, 2) + 1 if para.level >= 0 else 0
            fmt.left_indent = Pt(12 + 18 * depth)
            if para.level >= 0 and not para.continued:
                fmt.first_line_indent = Pt(-18)
        if para.page_break and not self.section_start and isinstance(container, Document):
            fmt.page_break_before = True
        self._bookmark(paragraph, para.anchors)
        return paragraph

    def _list_item(self, paragraph: Paragraph, para: Para) -> None:
        depth = min(para.level, 2)
        suffix = f" {depth + 1}" if depth else ""
        if para.continued:
            paragraph.style = self.document.styles[f"List Continue{suffix}"]
            return
        name = f"List {'Number' if para.ordered else 'Bullet'}{suffix}"
        paragraph.style = self.document.styles[name]
        if para.ordered:
            key = para.list_id * 10 + depth
            if key not in self.lists:
                self.lists[key] = numbered_list(self.document, name)
            set_numbering(paragraph, self.lists[key])

    def _figure(self, block: FigureBlock) -> None:
        """The chart's 300 dpi PNG (or the page's own PNG), as wide as the page allows and
        at most 16 cm, described by its alt text; with neither (a page's SVG, and no PNG
        made), its alt text in italics, so no chart goes missing unsaid."""
        png = (self.chart_png(block.name) if block.name else None) or block.png
        if not png:
            words = block.alt or block.title
            if words:
                self.document.add_paragraph().add_run(f"[{words}]").italic = True
            return
        image = Image.from_blob(png)
        natural = Emu(int(image.px_width / (image.horz_dpi or 72) * 914400))
        width = Emu(min(int(CHART_WIDTH), int(self.width), natural))
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(8)
        paragraph.paragraph_format.keep_together = True
        shape = paragraph.add_run().add_picture(io.BytesIO(png), width=width)
        properties = shape._inline.docPr
        properties.set("descr", block.alt)
        if block.title:
            properties.set("title", block.title)
        if block.name:
            properties.set("name", block.name)
