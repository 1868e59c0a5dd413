"""A report's table as a native Word table: its caption above it, its heading rows repeated on
each page, each rating's cell in the palette's fill with its word, columns sized to their
content within the page's width, and the key of the markers under it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from docx.document import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.shared import Emu, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from perfnb.pages.word_model import Cell, Para, TableBlock
from perfnb.pages.word_text import border, run_border, shade

__all__ = ["HEADER_FILL", "TABLE_POINTS", "WritePara", "add_table", "column_widths"]

TABLE_POINTS = 8.0  # the size of a table's text
FACTS_POINTS = 8.5
SMALLEST_POINTS = 6.5  # a wide table's text is made smaller to fit the page, down to this
HEADER_FILL = "EDEDED"  # the heading rows' shading
FLAG_FILL, FLAG_EDGE = "FFF4CE", "8C510A"  # a cell that needs the analyst's attention
CELL_MARGIN = Emu(45720)  # 0.05 inch each side of a cell's text
_POINT = 12700  # EMU in a point
# characters' widths in their font size (Arial and Liberation Sans, a little generous), so
# that a column's longest word fits without breaking: (regular, bold)
_WIDTHS = {
    "upper": (0.69, 0.74),
    "lower": (0.52, 0.58),
    "digit": (0.56, 0.56),
    "other": (0.36, 0.4),
}
_WORDS_SHARE = 0.8
_LONG_ROW = 1200  # characters: a row this long may break across pages

# writes a paragraph of the report into a cell: (cell, its first paragraph or None, para, size)
WritePara = Callable[[_Cell, Paragraph | None, Para, Pt], Paragraph]


@dataclass
class _Placed:
    row: int
    col: int
    cell: Cell


def _place(rows: list[list[Cell]]) -> tuple[int, list[_Placed]]:
    """Each cell's row and column in the table's grid, given the column and row spans."""
    taken: set[tuple[int, int]] = set()
    placed: list[_Placed] = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            cell.rowspan = min(cell.rowspan, len(rows) - r)
            placed.append(_Placed(r, c, cell))
            taken |= {(r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan)}
            c += cell.colspan
    columns = max((c for _, c in taken), default=-1) + 1
    return columns, placed


def _text(cell: Cell) -> list[str]:
    return [" ".join(i.text for i in p.inlines if i.text != "\n") for p in cell.paras]


def _width(text: str, bold: bool) -> float:
    """The width of ``text`` in ems, roughly."""
    total = 0.0
    for char in text:
        kind = (
            "upper"
            if char.isupper() or char in "%@&"
            else "lower"
            if char.islower()
            else "digit"
            if char.isdigit()
            else "other"
        )
        total += _WIDTHS[kind][bold]
    return total


def _measure(block: TableBlock, columns: int, placed: list[_Placed]) -> tuple[list[float], ...]:
    """Each column's longest word and longest line, in ems."""
    least = [0.0] * columns
    most = [0.0] * columns
    for item in placed:
        if item.cell.colspan != 1:
            continue
        bold = item.cell.header or item.cell.rating is not None
        for line in _text(item.cell):
            words = line.split(" ") if item.col not in block.nowrap else [line]
            least[item.col] = max(least[item.col], max(_width(word, bold) for word in words))
            most[item.col] = max(most[item.col], _width(line, bold))
    return least, most


def column_widths(
    block: TableBlock, width: int, columns: int, placed: list[_Placed]
) -> tuple[list[int], float]:
    """Each column's width (EMU) in a table ``width`` wide, and the size of its text: the way
    a browser lays out an automatic table, a column gets its longest word at least and its
    longest line at most, the room between shared in proportion; a width the page's CSS gives
    (a share) is kept where it can be. When the longest words do not fit, the text is made
    smaller (down to ``SMALLEST_POINTS``) until they take four fifths of the width."""
    least_em, most_em = _measure(block, columns, placed)
    padding = 2 * CELL_MARGIN + 4 * _POINT
    points = FACTS_POINTS if block.facts else TABLE_POINTS
    # the longest words take at most this share of the width, leaving room for long text
    words_room = _WORDS_SHARE * width
    while (
        points > SMALLEST_POINTS
        and sum(least_em) * points * _POINT + columns * padding > words_room
    ):
        points -= 0.25
    least = [w * points * _POINT + padding for w in least_em]
    most = [max(m * points * _POINT + padding, w) for m, w in zip(most_em, least, strict=True)]
    fixed = {c: max(share * width, least[c]) for c, share in block.widths.items() if c < columns}
    free = [c for c in range(columns) if c not in fixed]
    # a share gives way, down to its own longest word, where the others' words would not fit
    over = sum(fixed.values()) + sum(least[c] for c in free) - width
    slack = {c: fixed[c] - least[c] for c in fixed}
    if over > 0 and sum(slack.values()) > 0:
        cut = min(over, sum(slack.values()))
        fixed = {c: fixed[c] - slack[c] * cut / sum(slack.values()) for c in fixed}
    room = width - sum(fixed.values())
    low, high = sum(least[c] for c in free), sum(most[c] for c in free)
    sizes = dict(fixed)
    if high <= room and block.facts:  # a measure's few facts: as wide as they need
        sizes.update({c: most[c] for c in free})
    elif high <= room:  # everything fits on one line: share the spare room by content
        for c in free:
            sizes[c] = most[c] * room / high if high else room / len(free)
    elif low >= room:  # even the longest words do not fit: shrink them all alike
        for c in free:
            sizes[c] = least[c] * room / low
    else:
        for c in free:
            extra = (most[c] - least[c]) / (high - low) if high > low else 0
            sizes[c] = least[c] + extra * (room - low)
    return [math.floor(sizes[c]) for c in range(columns)], points


def add_table(
    container: Document | _Cell, block: TableBlock, width: int, write: WritePara, document: Document
) -> Table:
    """Appends ``block`` to the document (or cell) ``container`` as a Word table ``width``
    EMU wide, after its caption."""
    add_paragraph = container.add_paragraph
    if block.caption:
        caption = add_paragraph(block.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
    rows = [*block.head, *block.body]
    columns, placed = _place(rows)
    table = container.add_table(rows=len(rows), cols=max(columns, 1))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    widths, points = column_widths(block, width, columns, placed)
    _fix_layout(table, widths)
    size = Pt(points)
    spans = [item for item in placed if item.cell.colspan > 1 or item.cell.rowspan > 1]
    for item in spans:
        last = (item.row + item.cell.rowspan - 1, item.col + item.cell.colspan - 1)
        table.cell(item.row, item.col).merge(table.cell(*last))
    # each grid position's cell, found once (python-docx's table.cell reads the whole table)
    found: dict[tuple[int, int], CT_Tc] = {}
    for r, tr in enumerate(table._tbl.tr_lst):
        c = 0
        for tc in tr.tc_lst:
            found.setdefault((r, c), tc)
            c += tc.grid_span
    for item in placed:
        cell = _Cell(found[(item.row, item.col)], table)
        cell.width = Emu(sum(widths[item.col : item.col + item.cell.colspan]))
        _fill(cell, item.cell, item.row < len(block.head), size, write)
    for index, tr in enumerate(table._tbl.tr_lst):
        properties = tr.get_or_add_trPr()
        long_row = sum(len(t) for c in rows[index] for t in _text(c)) > _LONG_ROW
        if not long_row:
            properties.append(OxmlElement("w:cantSplit"))
        if index < len(block.head):
            properties.append(OxmlElement("w:tblHeader"))  # repeated on each page
    if block.facts:  # a measure's facts stay with what follows them
        for element in table._tbl.iter(qn("w:p")):
            Paragraph(element, table).paragraph_format.keep_with_next = True
    after = add_paragraph(block.key, style="Normal")
    after.paragraph_format.space_before = Pt(2)
    after.paragraph_format.space_after = Pt(8 if block.key else 4)
    for run in after.runs:
        run.font.size = Pt(TABLE_POINTS)
        run.font.italic = True
    if not block.key:  # a small gap, which also keeps the next table apart from this one
        after.paragraph_format.line_spacing = Pt(4)
    return table


def _fix_layout(table: Table, widths: list[int]) -> None:
    """A fixed layout, the columns' widths in the grid, narrow margins in the cells."""
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblLayout")) + properties.findall(qn("w:tblCellMar")):
        properties.remove(old)
    properties.append(OxmlElement("w:tblLayout", {qn("w:type"): "fixed"}))
    total = OxmlElement("w:tblW", {qn("w:w"): str(sum(widths) // 635), qn("w:type"): "dxa"})
    for old in properties.findall(qn("w:tblW")):
        properties.remove(old)
    properties.append(total)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = {qn("w:w"): str(CELL_MARGIN // 635), qn("w:type"): "dxa"}
        margins.append(OxmlElement(f"w:{side}", margin))
    properties.append(margins)
    _order_table_properties(properties)
    for column, size in zip(table.columns, widths, strict=True):
        column.width = Emu(size)


_TBLPR_ORDER = str.split(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription"
)


def _order_table_properties(properties: _Element) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_TBLPR_ORDER)}
    children = list(properties)
    children.sort(key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        properties.append(child)


def _fill(cell: _Cell, span: Cell, in_head: bool, size: Pt, write: WritePara) -> None:
    properties = cell._tc.get_or_add_tcPr()
    rating = span.rating
    cell.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.BOTTOM if in_head else WD_CELL_VERTICAL_ALIGNMENT.TOP
    )
    if in_head:
        shade(properties, HEADER_FILL)
    elif rating is not None:
        shade(properties, rating.fill[1:])
    elif span.flag:
        shade(properties, FLAG_FILL)
        border(properties, FLAG_EDGE, eighths=12)
    first: Paragraph | None = cell.paragraphs[0]
    for para in span.paras or [Para([])]:
        paragraph = write(cell, first, para, size)
        first = None
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(2 if len(span.paras) > 1 else 0)
        if span.numeric and not in_head:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for run in paragraph.runs:
            if span.header or rating is not None:
                run.font.bold = True
            if rating is not None:
                run.font.color.rgb = RGBColor.from_string(rating.text[1:].upper())
                if rating.fill.upper() == "#FFFFFF":  # white like the page: a dashed outline
                    run_border(run, rating.edge[1:], "dashed")
