"""Report tables built from the engine's frame: formatting only, no arithmetic of their own.

Each builder returns a ``Table``: the text exactly as the report prints it (``Table.data``, also
written to ``tables/<name>.csv`` for reuse) and its HTML, rendered with pandas' Styler. Every
text that comes from data is HTML-escaped; the one exception is commentary, which is markdown
rendered and sanitised by ``perfnb.markup.render_markdown``. RAG cells carry the rating's
word as well as its colour (``perfnb.palette``). A figure that is not final is printed with its
marker (``77.4% [p]``, ``perfnb.palette.STATUS_MARKERS``), in the CSV as on the page, and a table
with a marked figure has the key in its footer (``Key: [p] provisional.``), which a browser
repeats at the foot of each printed page the table spans.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from perfnb.contract import slugify
from perfnb.files import csv_text, write_atomic
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
    with_marker,
)
from perfnb.periods import Period, figure_label, parse_period
from perfnb.rag import RATINGS

__all__ = [
    "AIM_LABELS",
    "DIRECTION_LABELS",
    "Table",
    "count_behind",
    "exceptions",
    "exceptions_table",
    "format_count",
    "format_target",
    "format_value",
    "latest_heading",
    "latest_text",
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

AIM_LABELS = {
    "high": "Higher is better",
    "low": "Lower is better",
    "band": "Within band",
    "none": "No aim",
}


def format_value(
    value: float | None, unit: str, decimals: int = 0, rate_per: float | None = None
) -> str:
    """A figure as a report prints it: ``12.4%``, ``38,000``, ``1.41m``, ``140.4 per 100,000``,
    ``£1,200``; counts and money of a million or more in millions (``£9.32m``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit in ("count", "currency") and abs(value) >= 1_000_000:
        # millions as seed 004 prints them: 1.0m, 1.41m (two places at most, one at least)
        number = f"{value / 1_000_000:,.2f}"
        number = (number[:-1] if number.endswith("0") else number) + "m"
    else:
        number = f"{value:,.{int(decimals)}f}"
    if unit == "percent":
        return f"{number}%"
    if unit == "currency":
        return f"-£{number[1:]}" if number.startswith("-") else f"£{number}"
    if unit == "rate" and rate_per:
        return f"{number} per {rate_per:,.0f}"
    if unit == "days":
        return f"{number} days"
    return number


# Words with an arrow, so direction never rests on colour or a symbol alone.
DIRECTION_LABELS = {
    "improving": "\u25b2 Improving",
    "declining": "\u25bc Declining",
    "stable": "\u25ba Stable",
    "up": "\u25b2 Up",
    "down": "\u25bc Down",
    "same": "\u25ba Same",
    "": "",
}


# an entered target keeps up to this many decimal places, more than its measure's if need be
_ENTERED_PLACES = 3


def _target_decimals(value: float, decimals: int, entered: bool = False) -> int:
    """Targets are usually round: 80 prints as 80%, not 80.0%; 630.6 keeps its decimals. A
    target as targets.csv gives it (``entered``, not profiled) keeps the places it was given,
    up to three: a collection rate's 30.97% is not printed as 31.0%."""
    value = float(value)
    if value.is_integer():
        return 0
    decimals = int(decimals)
    if entered:  # the fewest places, from the measure's own, that give the target exactly
        for places in range(decimals, _ENTERED_PLACES + 1):
            if abs(round(value, places) - value) < 1e-9:
                return places
    return decimals


def _text(row: pd.Series, column: str) -> str:
    """A text column of a card row, stripped; '' when it is missing or blank."""
    text = row.get(column)
    return (
        "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text).strip()
    )


def _target_note(row: pd.Series) -> str:
    """targets.csv's note of the year's target (``Maintain 16/17``, ``TBC``): the card's
    ``annual_target_note``, or ``target_note`` for a card without it; '' when there is none."""
    if "annual_target_note" in row.index:
        return _text(row, "annual_target_note")
    return _text(row, "target_note")


def _period_note(row: pd.Series) -> str:
    """The note of a period's own target (``target_basis`` is ``period``) when it is not the
    year's: ``Phased for the new system`` beside Q2's 54%; '' otherwise."""
    if "annual_target_note" not in row.index or _text(row, "target_basis") != "period":
        return ""
    note = _text(row, "target_note")
    return "" if note == _target_note(row) else note


def _target_figure(
    row: pd.Series,
    target: float | None,
    low: float | None,
    high: float | None,
    entered: bool = True,
) -> str:
    """A target as printed: the band ``low`` to ``high`` when both are given (``59 to 63%``),
    else ``target`` (``19,000``); '' when there is neither. ``entered`` targets keep the places
    targets.csv gives them; profiled ones are printed to the measure's decimals."""
    unit, decimals, rate_per = row["unit"], row["decimals"], row.get("rate_per")
    if low is not None and high is not None and pd.notna(low) and pd.notna(high):
        places = max(
            _target_decimals(low, decimals, entered), _target_decimals(high, decimals, entered)
        )
        return (
            f"{format_value(low, 'count', places)} to {format_value(high, unit, places, rate_per)}"
        )
    if target is None or pd.isna(target):
        return ""
    return format_value(target, unit, _target_decimals(target, decimals, entered), rate_per)


def _entered(row: pd.Series) -> bool:
    """True when a row's ``target`` is targets.csv's own (a period's or the year's), not
    profiled from the year's; a card without ``target_basis`` says so by ``target`` being the
    annual one."""
    basis = _text(row, "target_basis")
    if basis:
        return basis != "profile"
    return bool(pd.notna(row.get("target")) and row.get("target") == row.get("annual_target"))


def format_target(row: pd.Series) -> str:
    """The year-end target of a scorecard row: a figure or a band with the year's note from
    targets.csv beside it (``164,500 (Maintain 16/17)``), the note alone (TBC), or None set."""
    text = _target_figure(
        row, row.get("annual_target"), row.get("annual_band_low"), row.get("annual_band_high")
    )
    note = _target_note(row)
    if not text:
        return note or "None set"
    return f"{text} ({note})" if note else text


# -- the table object ------------------------------------------------------------------------


@dataclass
class Table:
    """A report table: its printed text (``data``) and how it is drawn in HTML.

    ``group_by`` columns split the HTML into one captioned table per group (seed 004 repeats
    its header under each corporate priority); the CSV keeps them as columns. ``markdown``
    columns hold commentary source, rendered to sanitised HTML. ``rag`` columns hold a rating
    (Red, Amber, Green, N/A, Pending) drawn in its palette colour.
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

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, folder: str | Path) -> Path:
        """Writes ``<folder>/<name>.csv`` (UTF-8 with BOM, for Excel) atomically; returns it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        frame = self.data.copy()
        if isinstance(frame.columns, pd.MultiIndex):
            frame.columns = [" ".join(p for p in map(str, c) if p) for c in frame.columns]
        text = csv_text(frame)
        return write_atomic(folder / f"{self.name}.csv", text.encode("utf-8-sig"))


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


# -- cells -----------------------------------------------------------------------------------


def format_count(value: float) -> str:
    """A numerator or denominator: whole numbers with commas (112), else one place (2.5)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def count_behind(row: pd.Series) -> str:
    """The people behind a percentage or rate, `` (112 of 302)``, when the row has its
    numerator and denominator (not for a forecast); blank otherwise."""
    if (
        row["unit"] in ("percent", "rate")
        and pd.notna(row.get("numerator"))
        and pd.notna(row.get("denominator"))
        and row.get("value_basis") != "full year forecast"
    ):
        return f" ({format_count(row['numerator'])} of {format_count(row['denominator'])})"
    return ""


def _status(row: pd.Series, column: str) -> object:
    """A figure's status from the card's ``column`` (``status``, ``previous_status``...); a
    card without the column has final figures."""
    return row.get(column, "")


def this_period_text(row: pd.Series) -> str:
    """The period's figure as printed: the note when pending, the marker of a figure that is
    not final (``[p]``), the count behind a percentage, the basis (full year forecast) and the
    period shown when it is not the report's own."""
    if row["pending"]:
        return row["note"] or "Pending"
    text = format_value(row["value"], row["unit"], row["decimals"], row.get("rate_per"))
    text = with_marker(text, _status(row, "status"))
    text += count_behind(row)
    if row.get("value_basis") == "full year forecast":
        text += " (full year forecast)"
    said = [row["note"]] if row["note"] else []
    if row["value_period"] and row["value_period"] != row["period"]:
        said.insert(0, parse_period(row["value_period"]).short_label)
    return f"{text} ({', '.join(said)})" if said else text


def variance_text(row: pd.Series, places: int = 1) -> str:
    """Percentage points for a percentage, per cent of target (to ``places``) otherwise."""
    if row["unit"] == "percent" and pd.notna(row["variance_pp"]):
        text = f"{row['variance_pp']:+.{int(row['decimals'])}f} pts"
    elif pd.notna(row["variance_pct"]):
        text = f"{row['variance_pct']:+.{places}f}%"
    else:
        return ""
    # on target (or inside a band) is 0, not +0 or -0
    return text.lstrip("+-") if float(text.split()[0].rstrip("%")) == 0 else text


def _actual(row: pd.Series) -> str:
    """The figure alone, or why there is none (``Due May-18``); a forecast says so, and so
    does a figure of another period (an annual survey's year)."""
    if pd.notna(row["pending"]) and bool(row["pending"]):
        return row["note"] or "Pending"
    text = with_marker(_figure(row, "value"), _status(row, "status"))
    if text and row.get("value_basis") == "full year forecast":
        text += " (full year forecast)"
    if text and row["value_period"] and row["value_period"] != row["period"]:
        text += f" ({parse_period(row['value_period']).short_label})"
    return text


def target_to_date(row: pd.Series) -> str:
    """The target the period's figure was judged against (the card's ``target``, or its band),
    whenever the year-end target does not say it already: a count's target profiled to the
    period (19,000 of 38,000 at Q2), a period's own target (a collection rate's 56.52% at Q2,
    a band of 60 to 65% beside the year's 59 to 63%), any target when there is no year-end
    one. A period's own target carries its note when the note is not the year's (``54%
    (Phased for the new system)``); such a note with no target stands for it. Blank when the
    figure was judged against the year-end target itself."""
    note = _period_note(row)
    pairs = (
        ("target", "annual_target"),
        ("band_low", "annual_band_low"),
        ("band_high", "annual_band_high"),
    )
    if not note and all(_same(row.get(a), row.get(b)) for a, b in pairs):
        return ""
    text = target_text(row)
    return _with_note(text, note) if text else note


def _same(a: float | None, b: float | None) -> bool:
    """True when two targets are equal, or both missing."""
    missing_a = a is None or pd.isna(a)
    missing_b = b is None or pd.isna(b)
    if a is None or b is None or missing_a or missing_b:
        return missing_a and missing_b
    return abs(float(a) - float(b)) < 1e-9


def target_text(row: pd.Series) -> str:
    """The target a row's figure was judged against as printed: its band (``60 to 65%``) or
    its target, to the places targets.csv gives (``56.52%``) or, profiled, to the measure's
    (``22,167``); '' when it has none."""
    return _target_figure(
        row, row.get("target"), row.get("band_low"), row.get("band_high"), _entered(row)
    )


def _figure(row: pd.Series, column: str) -> str:
    return format_value(row[column], row["unit"], row["decimals"], row.get("rate_per"))


def own_figure_label(period: Period | str) -> str:
    """What a period's own figure covers when it is set beside others' year to date:
    ``2022/23 Q1 alone``, ``Sep 2022 alone``; a year is its own (``2021/22``)."""
    return figure_label(period, "period")


def _compared(row: pd.Series) -> str:
    """The figure the direction of travel compares with, its marker, and what it covers: ``744
    (2016/17 average)`` for a mean measure's previous year, not the bare ``2016/17 Q4``. When
    the periods' own figures were compared (``compared_on`` is ``period``), both are given, as
    the figure printed is the year to date: ``31.0% (2022/23 Q1 alone; 26.0% in 2022/23 Q2
    alone)``; in the first period of the year, whose year to date is its own figure, only the
    earlier one is (``87.6% (2016/17 Q4 alone)``)."""
    own = False
    if "compared_value" in row.index:  # the engine's own choice (like with like)
        column, status = "compared_value", _status(row, "compared_status")
        own = row.get("compared_on") == "period"
        basis = "period" if own else row["value_basis"]
    else:
        on_last_year = row["dot_basis"] == "last_year"
        column = "last_year_value" if on_last_year else "previous_value"
        status = _status(row, "last_year_status" if on_last_year else "previous_status")
        basis = row["value_basis"]
    figure = with_marker(_figure(row, column), status)
    if not figure or not row["compared_with"]:
        return ""
    if not own:
        return f"{figure} ({figure_label(row['compared_with'], basis)})"
    now = with_marker(_figure(row, "dot_value"), _status(row, "period_status"))
    earlier = own_figure_label(row["compared_with"])
    shown = row["value_period"] or row["period"]
    if not now or parse_period(shown).first_fy_month == 1:  # Q1's year to date is its own
        return f"{figure} ({earlier})"
    return f"{figure} ({earlier}; {now} in {own_figure_label(shown)})"


def _last_year(row: pd.Series) -> str:
    """The same period a year earlier, named as seed 004 does: ``262,100 (2016/17 Q1)``, or
    ``6.8 (2016/17 Q1 forecast)`` for a measure reported by its forecast."""
    figure = with_marker(_figure(row, "last_year_value"), _status(row, "last_year_status"))
    if not figure:
        return ""
    shown = parse_period(row["value_period"] or row["period"]).same_period_last_year()
    return f"{figure} ({figure_label(shown, row['value_basis'])})"


def _forecast(row: pd.Series) -> str:
    if row["forecast_method"] not in ("officer forecast", "run rate"):
        return ""
    return f"{_figure(row, 'forecast')} ({row['forecast_method']})"


def _quartile(row: pd.Series) -> str:
    if pd.isna(row["quartile"]):
        return ""
    text = f"Q{int(row['quartile'])}"
    if pd.notna(row["rank"]):
        text += f" ({int(row['rank'])} of {int(row['n_compared'])}, {row['benchmark_year']})"
    return text


# -- the latest position: a measure's latest figure after the report's period ----------------


def _latest_period(row: pd.Series) -> str:
    """The period of a row's latest position (``2012-10``), '' when it has none (no column, a
    blank period or no figure)."""
    period = row.get("latest_period")
    if period is None or pd.isna(period) or not str(period).strip():
        return ""
    value = row.get("latest_value")
    return "" if value is None or pd.isna(value) else str(period).strip()


def latest_heading(card: pd.DataFrame) -> str:
    """The heading of the latest position's column: ``Latest (Oct 2012)`` when every measure's
    latest figure is for one period, ``Latest`` when they differ (each cell then names its
    period), '' when no row has a latest position (the column is left out)."""
    if card.empty or "latest_period" not in card.columns:
        return ""
    periods = {p for p in (_latest_period(row) for _, row in card.iterrows()) if p}
    if not periods:
        return ""
    if len(periods) == 1:
        return f"Latest ({parse_period(periods.pop()).short_label})"
    return "Latest"


def _latest_row(row: pd.Series) -> pd.Series:
    """The row with its latest position in place of the period's figure, target, variance and
    status, so the period's formatting prints it."""
    latest = {
        "value": row.get("latest_value"),
        "target": row.get("latest_target"),
        "variance": row.get("latest_variance"),
        "variance_pct": row.get("latest_variance_pct"),
        "variance_pp": row.get("latest_variance_pp"),
        "status": row.get("latest_status", ""),
    }
    return pd.concat([row.drop(list(latest), errors="ignore"), pd.Series(latest, dtype=object)])


def _on_forecast(row: pd.Series) -> bool:
    """True for a measure rated on its year-end forecast, whose figures (the latest position's
    too) are forecasts."""
    return row.get("rag_on") == "forecast" or row.get("value_basis") == "full year forecast"


def latest_text(row: pd.Series, named: bool = False, places: int = 1) -> str:
    """A measure's latest position as the scorecard prints it: the figure with its marker and
    its variance (``20,715 (-6.5%)``, points for a percentage), the period first when ``named``
    (``Oct 2012: 20,715 (-6.5%)``); a measure rated on its forecast gives the forecast made
    then, and says so (``1,236 full year forecast (+3.0%)``); '' when it has none."""
    period = _latest_period(row)
    if not period:
        return ""
    latest = _latest_row(row)
    text = with_marker(_figure(latest, "value"), latest["status"])
    if _on_forecast(row):
        text += " full year forecast"
    variance = variance_text(latest, places=places)
    text = f"{text} ({variance})" if variance else text
    return f"{parse_period(period).short_label}: {text}" if named else text


def _texts(card: pd.DataFrame, column: str) -> pd.Series:
    """A text column of the card, blank where missing (or where the card has no such column)."""
    if column not in card.columns:
        return pd.Series("", index=card.index, dtype=object)
    return card[column].fillna("").astype(str).astype(object)


def _cells(card: pd.DataFrame, build: Callable[[pd.Series], str]) -> pd.Series:
    if card.empty:
        return pd.Series([], dtype=object)
    return card.apply(build, axis=1).astype(object)


# -- the tables ------------------------------------------------------------------------------

SCORECARD_FIGURES = (
    "Year-end target",
    "Target to date",
    "This period",
    "Variance",
    "Same period last year",
    "Compared with",
    "Forecast",
    "Quartile",
)


def scorecard_table(card: pd.DataFrame) -> Table:
    """The scorecard as seed 004 lays it out: one table per theme and priority, each row a
    measure with its aim, RAG, direction, year-end target, this period's figure (with the count
    behind a percentage), variance (points for percentages, per cent of target otherwise), the
    same period last year, the figure the direction compares with, forecast and quartile; and,
    when the data has figures after the period, each measure's latest position beside its
    variance (``Latest (Oct 2012)``). A figure that is not final carries its marker."""
    card = card.reset_index(drop=True)
    latest = _latest_column(card)
    table = pd.DataFrame(
        {
            "Theme": card["theme"].replace("", "Other measures").astype(object),
            "Priority": card["priority"].fillna("").astype(object),
            "Measure": card["measure_id"].astype(object),
            "Description": card["name"].astype(object),
            "Aim": card["polarity"].map(AIM_LABELS).astype(object),
            "RAG": card["rag"].astype(object),
            "Direction": card["direction"].map(DIRECTION_LABELS).fillna("").astype(object),
            "Year-end target": _cells(card, format_target),
            "Target to date": _cells(card, target_to_date),
            "This period": _cells(card, this_period_text),
            "Variance": _cells(card, variance_text),
            **latest,
            "Same period last year": _cells(card, _last_year),
            "Compared with": _cells(card, _compared),
            "Forecast": _cells(card, _forecast),
            "Quartile": _cells(card, _quartile),
            "Variation": _cells(card, _variation),
            "Assurance": _cells(card, _assurance),
        }
    )
    period = card["period"].iloc[0] if len(card) else ""
    return Table(
        "scorecard",
        f"Scorecard, {period}",
        table,
        group_by=("Theme", "Priority"),
        rag=("RAG",),
        numeric=(*SCORECARD_FIGURES, *latest),
        empty_text="No measures.",
        wide=True,
        icons=("Variation", "Assurance"),
    )


def _latest_column(card: pd.DataFrame) -> dict[str, pd.Series]:
    """The scorecard's latest position column, headed by its period, or none when no measure
    has a figure after the report's period."""
    heading = latest_heading(card)
    if not heading:
        return {}
    named = heading == "Latest"
    return {heading: _cells(card, lambda row: latest_text(row, named=named))}


def _variation(row: pd.Series) -> str:
    """SPC's variation icon in words, or why there is none (too few figures)."""
    if "variation" not in row or not row["variation"] or pd.isna(row["variation"]):
        points = row.get("spc_points")
        return f"Too few points ({int(points)})" if points is not None and pd.notna(points) else ""
    return str(row["variation"])


def _assurance(row: pd.Series) -> str:
    """SPC's assurance icon in words, or (where there is variation) why there is none."""
    if "assurance" in row and row["assurance"] and pd.notna(row["assurance"]):
        return str(row["assurance"])
    if "variation" not in row or not row["variation"] or pd.isna(row["variation"]):
        return ""
    note = str(row.get("spc_note") or "")
    if "neither higher nor lower" in note:
        return "No aim"
    if "for the year" in note:
        return "Yearly target only"
    return "No target"


def special_cause_table(
    measure_id: str,
    result: pd.DataFrame,
    unit: str = "count",
    decimals: int = 0,
    rate_per: float | None = None,
) -> Table:
    """A measure's special-cause points from its XmR chart (``perfnb.spc.xmr``): the period,
    the figure (in the measure's ``unit`` and ``decimals``), improvement or concern, the rule in
    NHSRplotthedots' words and why in plain English."""
    special = result[~result["point_type"].isin(["common_cause", "missing"])]
    kinds = {
        "special_cause_improvement": "Improvement",
        "special_cause_concern": "Concern",
        "special_cause_neutral_high": "High",
        "special_cause_neutral_low": "Low",
    }
    table = pd.DataFrame(
        {
            "Period": special["period"].astype(str).astype(object),
            "Figure": special["value"].map(lambda v: format_value(v, unit, decimals, rate_per)),
            "Signal": special["point_type"].map(kinds).astype(object),
            "Rule": special["special_cause_type"].astype(object),
            "Why": special["explanation"].astype(object),
        }
    ).reset_index(drop=True)
    return Table(
        f"special-cause-{slugify(measure_id)}",
        f"{measure_id}: special cause points",
        table,
        numeric=("Figure",),
        empty_text="Every point is common cause variation: no signal in the series.",
        row_header="Period",
    )


def rag_reasons_table(card: pd.DataFrame) -> Table:
    """How each rating was reached: measure, RAG and the engine's reason, one row each, and
    how its direction of travel was judged (which figures, and whether one is not final)."""
    table = pd.DataFrame(
        {
            "Measure": card["measure_id"].astype(object),
            "Description": card["name"].astype(object),
            "RAG": card["rag"].astype(object),
            "How it was rated": card["rag_reason"].astype(object),
            "Direction of travel": _texts(card, "direction_reason"),
        }
    ).reset_index(drop=True)
    period = card["period"].iloc[0] if len(card) else ""
    return Table("rag-reasons", f"How each rating was reached, {period}", table, rag=("RAG",))


def exceptions(card: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``card`` a committee is asked about: every Red and Amber measure, and every
    measure whose rating moved between Red, Amber and Green since ``previous`` (the engine's
    rows for the period before), or that was Red or Amber and is now not rated (Pending, N/A),
    which a committee would otherwise lose sight of. Adds ``previous_rag``, ``previous_period``
    and ``change`` (``worse``, ``better``, ``not rated`` or ``""``); Red first, then Amber,
    then Green, then the rest, in catalogue order."""
    card = card.reset_index(drop=True)
    before = pd.Series("", index=card.index, dtype=object)
    before_period = pd.Series("", index=card.index, dtype=object)
    if previous is not None and len(previous):
        earlier = previous.drop_duplicates("measure_id").set_index("measure_id")
        before = card["measure_id"].map(earlier["rag"]).fillna("").astype(object)
        before_period = card["measure_id"].map(earlier["period"]).fillna("").astype(object)
    rank = {"Red": 0, "Amber": 1, "Green": 2}
    now, was = card["rag"].map(rank), before.map(rank)
    moved = now.notna() & was.notna() & (now != was)
    change = pd.Series("", index=card.index, dtype=object)
    change[moved & (now < was)] = "worse"
    change[moved & (now > was)] = "better"
    lapsed = now.isna() & before.isin(["Red", "Amber"])
    change[lapsed] = "not rated"
    chosen = card["rag"].isin(["Red", "Amber"]) | moved | lapsed
    out = card.assign(previous_rag=before, previous_period=before_period, change=change)[chosen]
    order = out["rag"].map(rank).fillna(3)
    return out.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def measure_anchor(measure_id: str) -> str:
    """The id of a measure's heading in the report (``ASCOF-2D`` is ``ascof-2d``), which the
    exceptions table links to."""
    return slugify(measure_id)


def lead_paragraph(text: str, measure_id: str) -> str:
    """The first paragraph of a measure's commentary (markdown), with a link to the rest in
    the measure's own section when there is more: the exceptions table stays a summary."""
    paragraphs = [p for p in text.strip().replace("\r\n", "\n").split("\n\n") if p.strip()]
    if len(paragraphs) <= 1:
        return text.strip()
    return f"{paragraphs[0]} [More under {measure_id}.](#{measure_anchor(measure_id)})"


def exceptions_table(
    card: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    commentary: Mapping[str, str] | None = None,
    without_commentary: Collection[str] = (),
) -> Table:
    """Exceptions: each Red and Amber measure and each change of rating, with its reason and
    the analyst's commentary (markdown); measures in ``without_commentary`` are flagged."""
    rows = exceptions(card, previous).reset_index(drop=True)
    commentary = commentary or {}
    missing = set(without_commentary)

    def was(row: pd.Series) -> str:
        if row["previous_rag"] not in RATINGS:  # "N/A (2016/17 Q4)" on every row says nothing
            return ""
        text = f"{row['previous_rag']} ({parse_period(row['previous_period']).short_label})"
        return f"{text}, now {row['change']}" if row["change"] else text

    def said(row: pd.Series) -> str:
        text = lead_paragraph(commentary.get(row["measure_id"], ""), row["measure_id"])
        if row["measure_id"] in missing or not text:
            flag = "**Commentary needed:** none written yet."
            if text:
                flag = "**Commentary needed:** only the generated draft so far.\n\n" + text
            return flag
        return text

    table = pd.DataFrame(
        {
            "Measure": rows["measure_id"].astype(object),
            "Description": rows["name"].astype(object),
            "RAG": rows["rag"].astype(object),
            "Previously": _cells(rows, was),
            "This period": _cells(rows, this_period_text),
            "Target to date": _cells(rows, target_to_date),
            "Year-end target": _cells(rows, format_target),
            "Why": rows["rag_reason"].astype(object),
            "Commentary": _cells(rows, said),
        }
    )
    flags = pd.DataFrame(
        {"Commentary": rows["measure_id"].isin(missing) & rows["rag"].isin(["Red", "Amber"])}
    )
    period = card["period"].iloc[0] if len(card) else ""
    return Table(
        "exceptions",
        f"Exceptions, {period}: Red and Amber measures and changes of rating",
        table,
        rag=("RAG",),
        numeric=("This period", "Target to date", "Year-end target"),
        markdown=("Commentary",),
        flags=flags,
        widths={"Commentary": "34%", "Why": "16%", "Description": "14%"},
        empty_text="No measure is Red or Amber and no rating changed since the previous period.",
    )


def variance_table(rows: pd.DataFrame) -> Table:
    """Seed 000's table: for each measure with a target, each period's target, actual and
    variance (per cent of target, or percentage points for percentages), side by side.

    ``rows`` are the engine's rows of several report periods (say Q1 and Q2 of a year, or
    :func:`perfnb.history.variance_periods`). Each figure is shown once, under the first
    period that reports it: a quarterly measure's Q2 is not repeated under October. When the
    last period's rows have a latest position (a figure after the period), it follows as a
    period of its own, ``Latest (Oct 2012)``; a measure rated on its forecast says its figures
    are forecasts. targets.csv's note of the year is printed beside the year-end target, and a
    period's own target's note beside that period's target when it is not the year's.
    """
    has_target = rows["target"].notna() | rows["annual_target"].notna()
    rows = rows[has_target | (rows["band_low"].notna() & rows["band_high"].notna())]
    periods: Sequence[str] = list(pd.unique(rows["period"]))
    measures = rows.drop_duplicates("measure_id")
    columns: dict[tuple[str, str], pd.Series] = {
        ("", "Measure"): measures["measure_id"].astype(object),
        ("", "Description"): measures["name"].astype(object),
        ("", "Year-end target"): _cells(measures, format_target),
    }
    latest = _at_period(rows, periods[-1], measures) if periods else measures
    shown = rows["value_period"].where(rows["value_period"] != "", rows["period"])
    rows = rows[~rows.assign(_shown=shown).duplicated(["measure_id", "_shown"])]
    for period in periods:
        at = _at_period(rows, period, measures)
        at = at.fillna({"value_period": "", "note": "", "pending": False, "unit": ""})
        heading = parse_period(period).short_label
        columns[(heading, "Target")] = _cells(
            at, lambda r: _with_note(target_text(r), _period_note(r))
        )
        columns[(heading, "Actual")] = _cells(at, _actual)
        # seed 000 prints variance in whole per cent (-16%)
        columns[(heading, "Variance")] = _cells(at, lambda r: variance_text(r, places=0))
    latest_head = latest_heading(latest)
    if latest_head:
        named = latest_head == "Latest"
        latest = latest.apply(_latest_row, axis=1)
        columns[(latest_head, "Target")] = _cells(latest, _latest_target)
        columns[(latest_head, "Actual")] = _cells(latest, lambda r: _latest_actual(r, named))
        columns[(latest_head, "Variance")] = _cells(
            latest, lambda r: variance_text(r, places=0) if _latest_period(r) else ""
        )
    table = pd.DataFrame(columns).reset_index(drop=True)
    table.columns = pd.MultiIndex.from_tuples(table.columns)
    numeric = ("Year-end target", "Target", "Actual", "Variance")
    return Table(
        "variance",
        "Target, actual and variance by period",
        table,
        numeric=numeric,
        empty_text="No measure has a target.",
        wide=len(periods) + bool(latest_head) > 2,
    )


def _at_period(rows: pd.DataFrame, period: str, measures: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``period``, one per measure of ``measures`` in its order and index (blank
    where a measure has none)."""
    at = rows[rows["period"] == period].set_index("measure_id").reindex(measures["measure_id"])
    return at.assign(measure_id=at.index).set_index(measures.index)


def _with_note(text: str, note: str) -> str:
    return f"{text} ({note})" if text and note else text


def _latest_target(row: pd.Series) -> str:
    """The target of a latest position (its ``target`` is the latest one: ``_latest_row``)."""
    if not _latest_period(row) or pd.isna(row.get("target")):
        return ""
    target = row["target"]
    return format_value(
        target, row["unit"], _target_decimals(target, row["decimals"]), row.get("rate_per")
    )


def _latest_actual(row: pd.Series, named: bool) -> str:
    """A latest position's figure with its marker, what it is when it is a forecast and its
    period when the column's heading does not name it (``20,715 (Oct 2012)``, ``1,236 (full
    year forecast, Oct 2022)``)."""
    period = _latest_period(row)
    if not period:
        return ""
    text = with_marker(_figure(row, "value"), row["status"])
    said = ["full year forecast"] if _on_forecast(row) else []
    if named:
        said.append(parse_period(period).short_label)
    return f"{text} ({', '.join(said)})" if said else text
