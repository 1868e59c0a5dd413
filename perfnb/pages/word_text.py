"""Word's formatted text for the report's Word file: runs, hyperlinks, bookmarks, fields,
shading and borders, and numbered lists that start again at 1 (python-docx has no call for
these; they are written as WordprocessingML)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Length, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml.etree import _Element

from perfnb.pages.word_model import Inline

__all__ = [
    "HYPERLINK_STYLE",
    "add_bookmark",
    "add_field",
    "add_inlines",
    "bookmark_name",
    "border",
    "ensure_hyperlink_style",
    "numbered_list",
    "run_border",
    "set_numbering",
    "shade",
]

HYPERLINK_STYLE = "Hyperlink"
MONO_FONT = "Liberation Mono"
_BOOKMARK_CHARS = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str) -> str:
    """Word's name for the place ``#anchor`` links to: letters, digits and ``_``, at most 40
    characters, hidden from Word's bookmark list (a leading ``_``)."""
    return ("_" + _BOOKMARK_CHARS.sub("_", anchor))[:40]


def add_inlines(
    paragraph: Paragraph,
    inlines: Iterable[Inline],
    bookmarks: set[str],
    size: Length | None = None,
) -> None:
    """Appends ``inlines`` to ``paragraph`` as runs; a link to an http(s) or mailto address is a
    hyperlink, a link to a bookmarked place an internal one, any other link plain text."""
    part = paragraph.part
    for item in inlines:
        target: _Element = paragraph._p
        if item.href.startswith("#") and bookmark_name(item.href[1:]) in bookmarks:
            target = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark_name(item.href[1:])})
            paragraph._p.append(target)
        elif item.href and not item.href.startswith("#"):
            rel = part.relate_to(item.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            declared = {"w": nsmap["w"], "r": nsmap["r"]}
            target = OxmlElement("w:hyperlink", {qn("r:id"): rel}, nsdecls=declared)
            paragraph._p.append(target)
        run = paragraph.add_run()
        if item.text == "\n":
            run.add_break()
        else:
            run.text = item.text
        _format(run, item, size)
        if target is not paragraph._p:
            run.style = HYPERLINK_STYLE
            target.append(run._r)


def _format(run: Run, item: Inline, size: Length | None) -> None:
    font = run.font
    if item.bold:
        font.bold = True
    if item.italic:
        font.italic = True
    if item.mono:
        font.name = MONO_FONT
    if item.colour:
        font.color.rgb = RGBColor.from_string(item.colour.upper())
    if size is not None:
        font.size = size
    if item.border:
        run_border(run, item.border)
    if item.fill:
        _insert_in_order(run._r.get_or_add_rPr(), _shd(item.fill), _RPR_ORDER)


def run_border(run: Run, colour: str, style: str = "single") -> None:
    """A box round a run's text (``style`` single, dashed...), like the page's badges."""
    box = OxmlElement(
        "w:bdr",
        {qn("w:val"): style, qn("w:sz"): "4", qn("w:space"): "0", qn("w:color"): colour.upper()},
    )
    _insert_in_order(run._r.get_or_add_rPr(), box, _RPR_ORDER)


# the order of a run's properties that come after those python-docx sets (CT_RPr's sequence)
_RPR_ORDER = str.split(
    "w:rStyle w:rFonts w:b w:bCs w:i w:iCs w:caps w:smallCaps w:strike w:dstrike w:outline "
    "w:shadow w:emboss w:imprint w:noProof w:snapToGrid w:vanish w:webHidden w:color w:spacing "
    "w:w w:kern w:position w:sz w:szCs w:highlight w:u w:effect w:bdr w:shd w:fitText "
    "w:vertAlign w:rtl w:cs w:em w:lang w:eastAsianLayout w:specVanish w:oMath"
)
# a paragraph's properties, and a table cell's, in their schema order
_PPR_ORDER = str.split(
    "w:pStyle w:keepNext w:keepLines w:pageBreakBefore w:framePr w:widowControl w:numPr "
    "w:suppressLineNumbers w:pBdr w:shd w:tabs w:suppressAutoHyphens w:kinsoku w:wordWrap "
    "w:overflowPunct w:topLinePunct w:autoSpaceDE w:autoSpaceDN w:bidi w:adjustRightInd "
    "w:snapToGrid w:spacing w:ind w:contextualSpacing w:mirrorIndents w:suppressOverlap w:jc "
    "w:textDirection w:textAlignment w:textboxTightWrap w:outlineLvl w:divId w:cnfStyle w:rPr "
    "w:sectPr w:pPrChange"
)
_TCPR_ORDER = str.split(
    "w:cnfStyle w:tcW w:gridSpan w:hMerge w:vMerge w:tcBorders w:shd w:noWrap w:tcMar "
    "w:textDirection w:tcFitText w:vAlign w:hideMark"
)


def _insert_in_order(parent: _Element, child: _Element, order: list[str]) -> None:
    """Puts ``child`` into ``parent`` where the schema's sequence ``order`` wants it,
    replacing one of the same name."""
    tag = child.tag
    for old in parent.findall(tag):
        parent.remove(old)
    rank = {qn(name): i for i, name in enumerate(order)}
    mine = rank.get(tag, len(order))
    for index, sibling in enumerate(parent):
        if rank.get(sibling.tag, len(order)) > mine:
            parent.insert(index, child)
            return
    parent.append(child)


def _shd(fill: str) -> _Element:
    return OxmlElement(
        "w:shd", {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill.upper()}
    )


def shade(properties: _Element, fill: str) -> None:
    """Shades a paragraph (pPr) or table cell (tcPr) in ``fill`` (``RRGGBB``)."""
    order = _TCPR_ORDER if properties.tag == qn("w:tcPr") else _PPR_ORDER
    _insert_in_order(properties, _shd(fill), order)


def border(
    properties: _Element,
    colour: str,
    sides: Iterable[str] = ("top", "left", "bottom", "right"),
    style: str = "single",
    eighths: int = 4,
    space: int = 0,
) -> None:
    """Borders on ``sides`` of a paragraph (pPr) or table cell (tcPr): ``style`` (single,
    dashed...), ``eighths`` of a point wide, ``colour`` ``RRGGBB``."""
    is_cell = properties.tag == qn("w:tcPr")
    name = "w:tcBorders" if is_cell else "w:pBdr"
    box = properties.find(qn(name))
    if box is None:
        box = OxmlElement(name)
        _insert_in_order(properties, box, _TCPR_ORDER if is_cell else _PPR_ORDER)
    order = ["top", "left", "start", "bottom", "right", "end", "insideH", "insideV", "between"]
    for side in sides:
        edge = OxmlElement(
            f"w:{side}",
            {qn("w:val"): style, qn("w:sz"): str(eighths), qn("w:space"): str(space)}
            | {qn("w:color"): colour.upper()},
        )
        _insert_in_order(box, edge, [f"w:{s}" for s in order])


def add_bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    """Marks the whole of ``paragraph`` as the bookmark ``name``."""
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): str(ident), qn("w:name"): name})
    end = OxmlElement("w:bookmarkEnd", {qn("w:id"): str(ident)})
    properties = paragraph._p.pPr
    paragraph._p.insert(1 if properties is not None else 0, start)
    paragraph._p.append(end)


def add_field(paragraph: Paragraph, instruction: str, shown: str, size: Length | None) -> None:
    """A field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice work out when they lay the
    document out; ``shown`` until they do."""

    def run_with(*children: _Element) -> None:
        run = paragraph.add_run()
        if size is not None:
            run.font.size = size
        for child in children:
            run._r.append(child)

    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "begin"}))
    code = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
    code.text = f" {instruction} "
    run_with(code)
    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "separate"}))
    text = OxmlElement("w:t")
    text.text = shown
    run_with(text)
    run_with(OxmlElement("w:fldChar", {qn("w:fldCharType"): "end"}))


def numbered_list(document: Document, style: str) -> int:
    """A new numbering of the list style ``style`` (List Number...) that starts at 1: the id
    to give its items, so each numbered list of the report counts from 1 again."""
    style_numbering = document.styles[style].element.pPr.numPr
    numbering = document.part.numbering_part.element
    old = numbering.num_having_numId(style_numbering.numId.val)
    num = numbering.add_num(old.abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def set_numbering(paragraph: Paragraph, num_id: int, level: int = 0) -> None:
    """Makes ``paragraph`` an item of the list ``num_id`` at ``level``."""
    properties = paragraph._p.get_or_add_pPr()
    numbering = properties.get_or_add_numPr()
    numbering.get_or_add_ilvl().val = level
    numbering.get_or_add_numId().val = num_id


def ensure_hyperlink_style(document: Document) -> None:
    """The character style of links (blue, underlined), which python-docx's template lacks."""
    if HYPERLINK_STYLE in [s.name for s in document.styles]:
        return
    style = document.styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    style.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    style.font.underline = True
