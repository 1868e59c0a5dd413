"""The blocks of the report's Word file, read from its page: headings, paragraphs of
formatted text (``Inline`` runs), list items, tables of cells, charts and the wide part."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from perfnb.palette import RagStyle

__all__ = [
    "Block",
    "Cell",
    "FigureBlock",
    "Heading",
    "Inline",
    "Para",
    "TableBlock",
    "TitleInfo",
    "WideBlock",
]


@dataclass(frozen=True)
class Inline:
    """A run of text and its formatting; colours are ``RRGGBB``. A ``text`` of ``"\\n"`` is a
    line break."""

    text: str
    bold: bool = False
    italic: bool = False
    mono: bool = False
    colour: str = ""
    fill: str = ""  # shading behind the text (a rating's badge)
    border: str = ""  # a box round the text (a badge, an SPC icon's letter)
    href: str = ""  # an external address, or '#id' of a place in the report


@dataclass
class Para:
    """A paragraph. ``kind``: body, council, reason, muted, attention, key, provenance, term,
    definition, pre. ``box``: commentary or quote when it is inside one. A list item has a
    ``level`` (0 outermost) and the ``list_id`` of its list, numbered when ``ordered``."""

    inlines: list[Inline]
    kind: str = "body"
    box: str = ""
    level: int = -1
    ordered: bool = False
    list_id: int = 0
    continued: bool = False  # a later paragraph of a list item: indented, no bullet
    anchors: tuple[str, ...] = ()
    page_break: bool = False


@dataclass
class Heading:
    level: int
    text: str
    anchors: tuple[str, ...] = ()
    page_break: bool = False


@dataclass
class Cell:
    paras: list[Para]
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    rating: RagStyle | None = None
    flag: bool = False  # needs the analyst's attention
    numeric: bool = False


@dataclass
class TableBlock:
    caption: str
    head: list[list[Cell]]
    body: list[list[Cell]]
    key: str = ""  # the key of the markers of figures that are not final
    widths: dict[int, float] = field(default_factory=dict)  # column -> share of the width
    nowrap: frozenset[int] = frozenset()
    facts: bool = False  # a measure's or action's facts, under its heading
    anchors: tuple[str, ...] = ()


@dataclass
class FigureBlock:
    name: str  # the chart's name (data-chart); '' when the page does not say
    alt: str
    title: str
    png: bytes  # the image embedded in the page


@dataclass
class WideBlock:
    """Blocks printed across the page (landscape): the scorecard."""

    blocks: list[Block]


Block: TypeAlias = Heading | Para | TableBlock | FigureBlock | WideBlock


@dataclass(frozen=True)
class TitleInfo:
    council: str
    title: str
    period: str
