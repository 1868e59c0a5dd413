"""Report tables built from the engine's frame: formatting only, no arithmetic of their own.

Each builder returns a ``Table``: the text exactly as the report prints it (``Table.data``), its
HTML, rendered with pandas' Styler, and its rows as data (``Table.values``: numbers as numbers,
statuses and ratings as words, commentary as plain text), written to ``tables/<name>.csv``.
Every text that comes from data is HTML-escaped; the one exception is commentary, which is
markdown rendered and sanitised by ``perfnb.markup.render_markdown``. RAG cells carry the
rating's word as well as its colour (``perfnb.palette``). A figure that is not final is printed
with its marker (``77.4% [p]``, ``perfnb.palette.STATUS_MARKERS``; in the CSV its status is a
column of its own), and a table with a marked figure has the key in its footer (``Key: [p]
provisional.``), which a browser repeats at the foot of each printed page the table spans.

One module a table: ``table`` (the ``Table`` object, its HTML and CSV), ``scorecard``,
``variance``, ``exception_table``, ``reasons``, ``special_cause`` and ``actions``; ``values``
and ``action_values`` build the tables' data, ``plain`` reduces commentary to plain text. The
words in the cells come from ``perfnb.wording`` (the latest position's from
``perfnb.wording_latest``), and which measures are exceptions from ``perfnb.exceptions``; both
are re-exported here, as they were once defined here.
"""

from __future__ import annotations

from perfnb.exceptions import exceptions
from perfnb.tables.exception_table import exceptions_table, lead_paragraph, measure_anchor
from perfnb.tables.reasons import rag_reasons_table
from perfnb.tables.scorecard import SCORECARD_FIGURES, scorecard_table
from perfnb.tables.special_cause import special_cause_table
from perfnb.tables.table import Table
from perfnb.tables.variance import variance_table
from perfnb.wording import (
    AIM_LABELS,
    DIRECTION_LABELS,
    count_behind,
    format_count,
    format_target,
    format_value,
    own_figure_label,
    target_text,
    target_to_date,
    this_period_text,
    variance_text,
)
from perfnb.wording_latest import latest_heading, latest_text

__all__ = [
    "AIM_LABELS",
    "DIRECTION_LABELS",
    "SCORECARD_FIGURES",
    "Table",
    "count_behind",
    "exceptions",
    "exceptions_table",
    "format_count",
    "format_target",
    "format_value",
    "latest_heading",
    "latest_text",
    "lead_paragraph",
    "measure_anchor",
    "own_figure_label",
    "rag_reasons_table",
    "scorecard_table",
    "special_cause_table",
    "target_text",
    "target_to_date",
    "this_period_text",
    "variance_table",
    "variance_text",
]
