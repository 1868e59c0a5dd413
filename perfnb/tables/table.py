"""The report table: its printed text and its HTML, drawn with pandas' Styler, and its data.

A ``Table`` holds the text exactly as the report prints it (``Table.data``) and draws it as
HTML; ``tables/<name>.csv`` is written from its data (``Table.values``: numbers as numbers,
words as words, commentary as plain text; ``docs/data.md`` lists each file's columns), or from
the printed text for a table that has none. Every text that comes from data is
HTML-escaped; the one exception is commentary, which is markdown rendered and sanitised by
``perfnb.markup.render_markdown``. RAG cells carry the rating's word as well as its colour
(``perfnb.palette``). A table with a figure that is not final has the key of its markers in its
footer (``Key: [p] provisional.``), which a browser repeats at the foot of each printed page
the table spans.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from perfnb.exhibits import Exhibit, display_bundle
from perfnb.files import csv_text, write_into
from perfnb.markup import render_markdown
from perfnb.palette import (
    ACTION_STYLES,
    RAG_STYLES,
    SPC_ICON_PROPS,
    marked_statuses,
    rag_css_props,
    rating_style,
    spc_icon_html,
    status_key_line,
    unbroken_markers,
)

__all__ = ["Table"]


@dataclass
class Table:
    """A report table: its printed text (``data``) and how it is drawn in HTML.

    ``group_by`` columns split the HTML into one captioned table per group (seed 004 repeats
    its header under each corporate priority); the CSV keeps them as columns. ``markdown``
    columns hold commentary source, rendered to sanitised HTML. ``rag`` columns hold a rating
    (Red, Amber, Green, N/A, Pending) drawn in its palette colour. ``values`` is the table as
    data, for its CSV: columns named as data (``this_period``, ``variance_pct``), numbers as
    numbers (NaN for none), a figure's status in a column of its own, plain text.
    """

    name: str  # file stem of tables/<name>.csv
    title: str
    data: pd.DataFrame
    group_by: tuple[str | tuple[str, ...], ...] = ()
    rag: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()  # right-aligned figure columns
    markdown: tuple[str, ...] = ()
    # True where a cell needs the analyst's attention (columns of data; highlighted)
    flags: pd.DataFrame | None = field(default=None, repr=False)
    empty_text: str = "Nothing to show."
    widths: Mapping[str, str] = field(default_factory=dict)  # column -> CSS width, e.g. "30%"
    hide_empty: bool = True  # columns blank in every row are left out of the HTML (not the CSV)
    row_header: str | None = "Measure"  # the column whose cells name their row (th scope=row)
    wide: bool = False  # printed on landscape pages (too many columns for portrait A4)
    nowrap: tuple[str, ...] = ()  # columns whose cells never break (codes like COR-HSC-AP-29)
    icons: tuple[str, ...] = ()  # SPC icon columns: their words drawn after the icon's ring
    # the table as data, written to its CSV in place of the printed text (None: the text)
    values: pd.DataFrame | None = field(default=None, repr=False)

    def _styler(self, frame: pd.DataFrame, caption: str, uuid: str) -> Styler:
        shown = frame.drop(columns=list(self.group_by)).reset_index(drop=True)
        if self.hide_empty:  # judged on the whole table, so grouped tables keep one layout
            blank = [c for c in shown.columns if (self.data[c].astype(str).str.strip() == "").all()]
            shown = shown.drop(columns=blank)
        text_columns = [
            c for c in shown.columns if c not in self.markdown and _leaf(c) not in self.icons
        ]
        styler = (
            shown.style.hide(axis="index")
            .set_uuid(uuid)
            .set_caption(escape(caption))
            .set_table_attributes(f'class="perfnb-table perfnb-{self.name}"')
            .format(unbroken_markers, escape="html", subset=text_columns or None)
            .format_index(escape="html", axis="columns")
        )
        icon_columns = [c for c in shown.columns if _leaf(c) in self.icons]
        if icon_columns:
            styler = styler.format(spc_icon_html, subset=icon_columns)
        if self.markdown:
            styler = styler.format(render_markdown, subset=list(self.markdown))
        # classes, not per-cell CSS: one rule per rating, and the words stay in the cells
        classes = pd.DataFrame("", index=shown.index, columns=shown.columns, dtype=object)
        for column in shown.columns:
            if _leaf(column) in self.numeric:
                classes[column] = "num"
            if _leaf(column) in self.rag:
                classes[column] = shown[column].map(
                    lambda rag: style.css_class if (style := rating_style(rag)) else ""
                )
        if self.flags is not None:
            flags = self.flags.loc[frame.index].reset_index(drop=True)
            for column in flags.columns.intersection(classes.columns, sort=False):
                classes[column] = classes[column].where(~flags[column], "flag")
        widths = [
            {"selector": f".col{i}", "props": f"width: {self.widths[_leaf(column)]};"}
            for i, column in enumerate(shown.columns)
            if _leaf(column) in self.widths
        ]
        widths += [
            {"selector": f".col{i}", "props": "white-space: nowrap;"}
            for i, column in enumerate(shown.columns)
            if _leaf(column) in self.nowrap
        ]
        return styler.set_td_classes(classes).set_table_styles([*_TABLE_CSS, *widths])

    def to_html(self) -> str:
        """The table as HTML: one table, or one per group under its caption."""
        if self.data.empty:
            return f'<p class="perfnb-empty">{escape(self.empty_text)}</p>'
        if self.group_by:
            html = self._grouped_html()
        else:
            html = self._html(self.data, self.title, self.name)
        return f'<div class="perfnb-wide">{html}</div>' if self.wide else html

    def _grouped_html(self) -> str:
        parts = []
        groups = self.data.groupby(list(self.group_by), sort=False, dropna=False)
        for number, (keys, frame) in enumerate(groups, start=1):
            keys = keys if isinstance(keys, tuple) else (keys,)
            caption = ": ".join(str(k) for k in keys if str(k))
            parts.append(self._html(frame, caption, f"{self.name}-{number}"))
        return "\n".join(parts)

    def _html(self, frame: pd.DataFrame, caption: str, uuid: str) -> str:
        styler = self._styler(frame, caption, uuid)
        columns = [_leaf(c) for c in styler.data.columns]
        row_header = columns.index(self.row_header) if self.row_header in columns else None
        html = _header_scopes(styler.to_html(), row_header)
        return _with_key(html, self.key(frame), len(columns))

    def key(self, frame: pd.DataFrame | None = None) -> str:
        """The key of the markers printed in ``frame`` (the whole table when None): ``Key: [p]
        provisional.``; '' when every figure is final. Commentary is not searched."""
        frame = self.data if frame is None else frame
        texts = frame.drop(columns=[c for c in self.markdown if c in frame.columns])
        return status_key_line(marked_statuses(texts.to_numpy().ravel()))

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, Any]:
        """What a notebook shows for the table: :meth:`to_html`, with its CSV for ``perfnb
        run`` to publish."""
        return display_bundle(self.to_html(), [self])

    def _repr_html_(self) -> str:
        return self.to_html()

    def csv(self) -> bytes:
        """The table as CSV (UTF-8 with a byte-order mark, for Excel): its ``values`` when it
        has them, each number written plainly to 15 significant digits (``17135``, ``-2.6``,
        ``-9.81578947368421``; blank for none), else its printed text, a grouped table's column
        headings joined into one line."""
        frame = self.data.copy() if self.values is None else _plain_numbers(self.values)
        if isinstance(frame.columns, pd.MultiIndex):
            frame.columns = [" ".join(p for p in map(str, c) if p) for c in frame.columns]
        return csv_text(frame).encode("utf-8-sig")

    def exhibit(self) -> Exhibit:
        """The file a report publishes for the table: ``<name>.csv``."""
        return Exhibit("tables", {f"{self.name}.csv": self.csv()})

    def save(self, folder: str | Path) -> Path:
        """Writes ``<folder>/<name>.csv`` (UTF-8 with BOM, for Excel) atomically; returns it."""
        return write_into(folder, self.exhibit().files)[0]


def _plain_numbers(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` with each float written as a reader would: no exponent, no trailing ``.0``,
    15 significant digits (a float's, so ``77.4 - 80`` is ``-2.6``), '' for NaN."""

    def plain(number: float) -> str:
        if pd.isna(number):
            return ""
        text = np.format_float_positional(float(f"{number:.15g}"), trim="-")
        return "0" if text == "-0" else text

    frame = values.copy()
    for name in frame.columns:
        if pd.api.types.is_float_dtype(frame[name].dtype):
            frame[name] = frame[name].map(plain).astype(object)
    return frame


_TABLE_CSS = [
    {"selector": "caption", "props": "text-align: left; font-weight: bold;"},
    {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
    {"selector": "td", "props": "text-align: left; vertical-align: top;"},
    {"selector": "tbody th", "props": "vertical-align: top;"},
    {"selector": "td.num", "props": "text-align: right;"},
    {"selector": "span.perfnb-icon", "props": SPC_ICON_PROPS},
    # a cell that needs the analyst's attention: light yellow, a dark outline visible in grey
    {"selector": "td.flag", "props": "background-color: #FFF4CE; outline: 2px solid #8C510A;"},
    # the key of the markers of figures that are not final, under the last row
    {
        "selector": "tfoot td.perfnb-key",
        "props": "border-top: 1px solid #595959; color: #1a1a1a; font-size: 0.95em;",
    },
    *(
        {"selector": f"td.{s.css_class}", "props": rag_css_props(s)}
        for s in (*RAG_STYLES.values(), *ACTION_STYLES.values())
    ),
]


_EMPTY_HEADING = re.compile(r"<th ([^>]*)>\s*</th>")
_COLUMN_HEADING = re.compile(r'<th (id="[^"]*" class="col_heading[^"]*" ?)(colspan="\d+")?')


def _with_key(html: str, key: str, columns: int) -> str:
    """The table with ``key`` in a footer row across its ``columns`` (a browser prints a table's
    footer at the foot of each page it spans); unchanged when there is no key."""
    head, found, tail = html.rpartition("</table>")
    if not key or not found:
        return html
    footer = (
        f'<tfoot><tr><td class="perfnb-key" colspan="{columns}">{escape(key)}</td></tr></tfoot>'
    )
    return f"{head}{footer}{found}{tail}"


def _header_scopes(html: str, row_header: int | None) -> str:
    """Marks Styler's headings up for screen readers: ``scope="col"`` on column headings,
    ``scope="colgroup"`` on a heading spanning several (a period over Target, Actual and
    Variance), the row's name in column ``row_header`` as ``<th scope="row">``; an empty
    heading cell becomes a plain cell."""
    html = _EMPTY_HEADING.sub(r"<td \1></td>", html)
    html = _COLUMN_HEADING.sub(
        lambda m: f'<th scope="{"colgroup" if m[2] else "col"}" {m[1]}{m[2] or ""}', html
    )
    if row_header is not None:
        html = re.sub(
            rf'<td (id="[^"]*" class="data row\d+ col{row_header}\b[^"]*" ?)>(.*?)</td>',
            r'<th scope="row" \1>\2</th>',
            html,
            flags=re.DOTALL,
        )
    return html


def _leaf(column: str | tuple[str, ...]) -> str:
    """The lowest header of a column (the column itself unless headers are stacked)."""
    return column[-1] if isinstance(column, tuple) else column


# -- a card's rows as a column of printed cells ----------------------------------------------


def _texts(card: pd.DataFrame, column: str) -> pd.Series:
    """A text column of the card, blank where missing (or where the card has no such column)."""
    if column not in card.columns:
        return pd.Series("", index=card.index, dtype=object)
    return card[column].fillna("").astype(str).astype(object)


def _cells(card: pd.DataFrame, build: Callable[[pd.Series], str]) -> pd.Series:
    """``build``'s text for each row of ``card``, one cell a row (none for an empty card)."""
    if card.empty:
        return pd.Series([], dtype=object)
    return card.apply(build, axis=1).astype(object)
