"""Report charts: pure functions from the engine's frames (``perfnb.performance``) to charts.

Five charts, each returned as a :class:`Chart` (title, alt text, matplotlib figure and the plain
data it was drawn from):

- :func:`trend_chart`: one measure over recent periods, each point marked by its RAG rating,
  with its target (a line, or a shaded band), the same period last year (dashed), the latest
  figure and its variance written on the chart, the polarity stated, and analysts' annotations
  (``annotations.csv``: ``measure_id, period, text``) drawn at their period;
- :func:`cumulative_chart`: a running total's year to date (a ``sum`` measure's, or a ``ytd``
  measure's of counts or money, drawn as given) against its target to date, with the annual
  target and the year-end forecast (will we hit the annual target?);
- :func:`rag_summary_chart`: the count of Red, Amber, Green, N/A and Pending ratings per theme;
- :func:`action_progress_chart`: each action's % complete against the progress expected by the
  period end, its bar drawn in the colour and hatching of its derived rating;
- :func:`spc_chart`: an XmR chart of :func:`perfnb.spc.xmr`'s result in the Making Data Count
  style, with its variation and assurance icons.

Every chart uses one house style, ``perfnb/styles/perfnb.mplstyle`` (see :func:`house_style`),
and the RAG palette of ``perfnb.palette``: colour, plus a marker shape per rating in line charts
and a hatching per rating in bars, so a chart reads in black and white too. A figure that is not
final (``status`` provisional, revised, estimated or illustrative) is drawn hollow, in its
rating's shape and edge colour, its period's tick and its label carry the marker (``Q1 [p]``),
and the legend gives the key in ``perfnb.palette``'s words. Text that comes from
the data (names, notes, annotations) is drawn as plain text, never as mathtext, and escaped in
HTML. Figures are made with ``matplotlib.figure.Figure`` rather than pyplot, so a notebook shows
a chart once (through :meth:`Chart._repr_html_`), never a second time through the inline backend.

One module per chart (``trend``, ``cumulative``, ``rag_summary``, ``action_progress``, ``xmr`` for
:func:`spc_chart`); ``style`` holds the house style and :class:`Chart`, ``parts`` what the charts
share, ``trend_series`` what a trend draws (each period's own figure) and whether a measure has
one (:func:`has_trend`: three figures or more), ``scale`` the value axis rule
(:func:`value_limits`) and ``fitting`` text wrapped to the figure, measured in its font.
Import from ``perfnb.charts``: the names below are its public ones.
"""

from __future__ import annotations

from perfnb.charts.action_progress import action_progress_chart
from perfnb.charts.cumulative import cumulative_chart, is_running_total
from perfnb.charts.parts import POLARITY_TEXT, unit_label
from perfnb.charts.rag_summary import rag_summary_chart
from perfnb.charts.scale import value_limits
from perfnb.charts.style import EMBED_DPI, PRINT_DPI, STYLE_PATH, Chart, house_style
from perfnb.charts.trend import ANNOTATION_COLUMNS, trend_chart
from perfnb.charts.trend_series import MIN_TREND_FIGURES, has_trend
from perfnb.charts.xmr import spc_chart

# the SPC palette, imported from here by tests (perfnb.charts always exposed it)
from perfnb.palette import SPC_STYLES as SPC_STYLES

__all__ = [
    "ANNOTATION_COLUMNS",
    "EMBED_DPI",
    "MIN_TREND_FIGURES",
    "POLARITY_TEXT",
    "PRINT_DPI",
    "STYLE_PATH",
    "Chart",
    "action_progress_chart",
    "cumulative_chart",
    "has_trend",
    "house_style",
    "is_running_total",
    "rag_summary_chart",
    "spc_chart",
    "trend_chart",
    "unit_label",
    "value_limits",
]
