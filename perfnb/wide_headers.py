"""What each header of a kpis sheet means: a measures column, a period's figure, target or note.

``classify_header`` reads one header, or finds it wrong (an error or a warning); ``kpis_columns``
reads the header row and lists its problems, for :mod:`perfnb.wide` to turn the rows into
measures, values and targets.

Headers are read as councils write them (``Q1 22/23``, ``2022/23 Q1 Actual``, ``Target
2022/23 (Q1)``, ``Apr-Jun 2022``, ``Jun-22``, a date); one that names a period perfnb cannot
place (``Q1 Actual``: no year) is an error, never a column silently kept. A date on a
quarter's last day also names the quarter (``KpisColumn.quarter``), and on the year's last
day the year, for the figures of a quarterly or annual measure.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from perfnb.contract import Problem
from perfnb.periods import Period, PeriodError, parse_period

__all__ = ["KpisColumn", "Role", "classify_header", "kpis_columns"]


Role = Literal["measure", "figure", "target", "note", "error", "warning"]

# a word that says what a period's column holds, anywhere in its header: 2022/23 Q1 Actual,
# Target Q1 2022/23, note 2022/23 Q2, 2022/23 Outturn
_ROLE_WORDS: dict[str, Role] = {
    "target": "target",
    "targets": "target",
    "note": "note",
    "notes": "note",
    "actual": "figure",
    "actuals": "figure",
    "outturn": "figure",
}
_ROLE_RE = re.compile(r"(?<![a-z0-9])(?:targets?|notes?|actuals?|outturn)(?![a-z0-9])", re.I)
# what a target column may say instead of its period: Target, Annual target, Year end target
_NO_PERIOD = ("", "annual", "yearly", "year end", "year-end", "full year", "full-year")
_WHAT = {"figure": "figures", "target": "targets", "note": "notes"}
# a unit in brackets at the end of a header, ignored (the measure's unit column says it):
# Target 2022/23 Q1 (%), 2022/23 Q1 (£000s), Q2 2022/23 (days)
_UNIT_NOTE_RE = re.compile(
    r"\s*\(\s*(?:%|per\s*cent|percent(?:age)?|£[^()]*|\$[^()]*|days?|no\.?|nos\.?|number"
    r"|count|rate|score|ratio|per\s+[\d,]+[^()]*)\s*\)$",
    re.IGNORECASE,
)
_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_SPAN = r"\s*(?:-|\u2013|\u2014|to)\s*"  # a hyphen, an en or em dash, or "to"
# a date: 30/06/2022, 30-06-22, 30 Jun 2022, 30-Jun-22 (day first, as in the UK), 2022-06-30
_DMY_RE = re.compile(r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})$")
_D_MON_Y_RE = re.compile(
    rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s/_-]*(?P<mon>{_MONTHS})\.?[\s/_,-]*(?P<y>\d{{4}}|\d{{2}})$",
    re.IGNORECASE,
)
_ISO_DATE_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
# a month by name: Jun-22, June 2022, Jun 22 (the month, as Excel's mmm-yy shows it)
_MONTH_NAME_RE = re.compile(rf"^(?P<mon>{_MONTHS})\.?[\s/_-]*(?P<y>\d{{4}}|\d{{2}})$", re.I)
# a quarter by its months: Apr-Jun 2022, April to June 2022, Jan-Mar 2023, Jan-Mar 2022/23
_MONTH_SPAN_RE = re.compile(
    rf"^(?P<a>{_MONTHS})\.?{_SPAN}(?P<b>{_MONTHS})\.?[\s/_,-]*"
    r"(?:(?P<fy>\d{4})\s*[/-]\s*(?P<fy2>\d{2}(?:\d{2})?)|(?P<y>\d{4}|\d{2}))$",
    re.IGNORECASE,
)
# a financial year written with two digits, 22/23 or 22-23 (read as 2022/23)
_SHORT_YEAR_RE = re.compile(r"(?<![\d/.-])(?P<a>\d{2})\s*(?P<sep>[/-])\s*(?P<b>\d{2})(?![\d/.-])")
_QUARTER_WORD_RE = re.compile(r"(?<![a-z])(?:quarter|qtr)\s*(?P<q>[1-4])(?![0-9])", re.I)
_BRACKETED_QUARTER_RE = re.compile(r"\(\s*(?P<q>q\s*[1-4])\s*\)", re.IGNORECASE)
# a quarter or months named without a year: Q1, Jun, Apr-Jun
_YEARLESS_RE = re.compile(
    rf"^(?:(?P<q>q\s*[1-4])|(?P<mon>{_MONTHS})\.?(?P<span>{_SPAN}(?:{_MONTHS})\.?)?)$",
    re.IGNORECASE,
)
# texts a reader takes for a period: a year-led form (2022/23 Q5, 2022-13, 2022/24, FY 2022),
# a quarter with no year (Q1), a month by name (Apr-22, April 2022), a date or a two-digit year
_PERIOD_SHAPED_RE = re.compile(
    r"^(?:(?:fy\s*|q\s*\d+\s*)?\d{4}(?:[\s/_-]+\d+|[\s/_-]*q\s*\d+|[\s/_-]*fy)*"
    r"|q\s*\d+"
    r"|q\s*\d+[\s_-]*\d{2}\s*[/-]\s*\d{2}|\d{2}\s*[/-]\s*\d{2}[\s_-]*q\s*\d+"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    rf"|(?:\d{{1,2}}[\s/_-]*)?(?:{_MONTHS})\.?(?:{_SPAN}(?:{_MONTHS})\.?)?(?:[\s/_,-]*\d{{2,4}})*)$",
    re.IGNORECASE,
)
_HOW_TO_HEAD = (
    "head a figure column with its period: a quarter (2022/23 Q1), a month (2022-06) or a "
    "financial year (2022/23); a target column with target and its period (target 2022/23 Q1, "
    "target 2022/23); a note column with note and its period (note 2022/23 Q1)"
)


@dataclass(frozen=True)
class KpisColumn:
    """What one header of a kpis sheet means."""

    position: int  # 0-based column of the sheet
    header: str  # as written, surrounding spaces removed
    role: Role
    name: str = ""  # a measures column's normalised name; the period's label; a problem's text
    # the period as written in the header (its label when perfnb reads it only here, as
    # Q1 22/23), for the derived period/year cell
    period: str = ""
    kind: str = ""  # the period's kind: quarter, month or year
    # a header that is a date on a quarter's last day (30/06/2022): the quarter, and the year
    # when it is the year's last day, which it means for a quarterly (annual) measure
    quarter: str = ""
    year: str = ""


def _normalise_header(text: str) -> str:
    """A header as perfnb matches it: ``Measure ID`` is ``measure_id``."""
    return re.sub(r"\s+", "_", text.strip().lower())


def _parse(text: str) -> Period | None:
    """The period ``text`` names, or None."""
    try:
        return parse_period(text)
    except PeriodError:
        return None


def _year(text: str) -> int:
    """A calendar year written with four digits or two (22 is 2022)."""
    return int(text) if len(text) == 4 else 2000 + int(text)


def _date(text: str) -> dt.date | None:
    """The date ``text`` writes (day first), or None."""
    match = _DMY_RE.match(text) or _ISO_DATE_RE.match(text)
    if match:
        month = int(match["m"])
    elif match := _D_MON_Y_RE.match(text):
        month = _MONTH_NUMBERS[match["mon"][:3].lower()]
    else:
        return None
    try:
        return dt.date(_year(match["y"]), month, int(match["d"]))
    except ValueError:
        return None


def _long_years(text: str) -> str:
    """``text`` with each two-digit financial year written out: Q1 22/23 is Q1 2022/23."""

    def long(match: re.Match[str]) -> str:
        first, second = int(match["a"]), int(match["b"])
        if second != (first + 1) % 100:
            return match[0]
        return f"{2000 + first}{match['sep']}{match['b']}"

    return _SHORT_YEAR_RE.sub(long, text)


def _read_period(text: str) -> tuple[Period, dt.date | None] | None:
    """The period a header's text names, and the date it writes if it is one; None when it
    names none. Beside :func:`perfnb.periods.parse_period`'s forms it reads a date (the month
    it falls in), a month by name (Jun-22), a quarter by its months (Apr-Jun 2022), a quarter
    in brackets (2022/23 (Q1)), Quarter 1, and two-digit years (Q1 22/23)."""
    read = _read_any_period(text)
    if read is None or _parse(read[0].label) is None:  # beyond the years perfnb reads
        return None
    return read


def _read_any_period(text: str) -> tuple[Period, dt.date | None] | None:
    """:func:`_read_period`, its year not checked."""
    if day := _date(text):
        return parse_period(day), day
    if match := _MONTH_NAME_RE.match(text):
        month = _MONTH_NUMBERS[match["mon"][:3].lower()]
        return parse_period(dt.date(_year(match["y"]), month, 1)), None
    text = _long_years(_BRACKETED_QUARTER_RE.sub(r"\g<q>", _QUARTER_WORD_RE.sub(r"Q\g<q>", text)))
    text = " ".join(text.split())
    if period := _parse(text):
        return period, None
    if match := _MONTH_SPAN_RE.match(text):
        first = _MONTH_NUMBERS[match["a"][:3].lower()]
        last = _MONTH_NUMBERS[match["b"][:3].lower()]
        if first not in (1, 4, 7, 10) or last != first + 2:
            return None
        if match["fy"]:
            fy = _parse(f"{match['fy']}/{match['fy2']}")
            if fy is None:
                return None
            start = fy.fy
        else:
            year = _year(match["y"])
            start = year if first >= 4 else year - 1
        return Period("quarter", start, (first - 4) % 12 // 3 + 1), None
    return None


def _split_role(text: str) -> tuple[Role | None, str]:
    """The role a header's one role word gives (None without one, or with several) and the
    rest of the header, its unit note removed."""
    words = list(_ROLE_RE.finditer(text))
    role: Role | None = None
    if len(words) == 1:
        word = words[0]
        role = _ROLE_WORDS[word[0].lower()]
        before, after = text[: word.start()].rstrip(" :_-"), text[word.end() :].lstrip(" :_-")
        text = f"{before} {after}"
    text = _UNIT_NOTE_RE.sub("", " ".join(text.split()))
    return role, " ".join(text.split())


def _embedded_period(words: list[str]) -> bool:
    """True when the words begin or end with a period (or a quarter without its year) and
    have more words besides."""
    for cut in range(1, len(words)):
        for part in (" ".join(words[:cut]), " ".join(words[cut:])):
            if _read_period(part) or re.fullmatch(r"q\s*[1-4]", part, re.IGNORECASE):
                return True
    return False


def _yearless(match: re.Match[str], role: Role) -> str:
    """The message for a header naming a quarter or months but no year (Q1 Actual)."""
    prefix = "" if role == "figure" else f"{role} "
    if match["q"]:
        quarter = match["q"].replace(" ", "").upper()
        what, example = f"the quarter {quarter}", f"{prefix}2022/23 {quarter}"
    elif match["span"]:
        what, example = f"the months {match[0]}", f"{prefix}2022/23 Q1"
    else:
        what, example = f"the month {match[0]}", f"{prefix}2022-06"
    return (
        f"names {what} but not its year, so its {_WHAT[role]} cannot be read; head it with the "
        f"financial year too, such as {example}"
    )


def classify_header(position: int, header: str) -> KpisColumn:
    """What a kpis header means: a measures column (or a column of the user's own, kept), a
    period's figure, target or note, or a problem (``role`` error or warning, ``name`` its
    message). A word anywhere says what the column holds (target, note; actual or outturn for
    the figure, as is a period alone); a unit in brackets at the end is ignored."""
    text = " ".join(header.split())
    word, rest = _split_role(text)
    role: Role = word or "figure"
    read = _read_period(rest) if rest else None
    if read is not None:
        period, day = read
        written = rest if _parse(rest) == period else period.label
        quarter = year = ""
        last_day = day is not None and (day + dt.timedelta(days=1)).day == 1
        if last_day and period.index % 3 == 0:  # the last day of June, September, ...
            quarter = Period("quarter", period.fy, period.index // 3).label
            year = period.year_label if period.index == 12 else ""
        return KpisColumn(position, header, role, period.label, written, period.kind, quarter, year)
    if yearless := _YEARLESS_RE.match(rest):
        return KpisColumn(position, header, "error", _yearless(yearless, role))
    if _PERIOD_SHAPED_RE.match(rest):
        return KpisColumn(
            position, header, "error", f"is not a period perfnb reads; {_HOW_TO_HEAD}"
        )
    if word == "target" and rest.lower() in _NO_PERIOD:
        return KpisColumn(
            position,
            header,
            "warning",
            "is kept as a column of its own, not read as targets: it names no period; "
            "head it target 2022/23 for the year's target or target 2022/23 Q1 for a quarter's",
        )
    if _embedded_period(rest.split()):
        return KpisColumn(
            position,
            header,
            "warning",
            f"is kept as a column of its own, not read as {_WHAT[role]}; to read it, "
            f"{_HOW_TO_HEAD}",
        )
    return KpisColumn(position, header, "measure", _normalise_header(header))


def kpis_columns(headers: list[str], label: str) -> tuple[list[KpisColumn], list[Problem]]:
    """Every header's meaning, and the problems of the header row: a header that looks like a
    period but is not one, a column or period given twice (the second is not read)."""
    columns: list[KpisColumn] = []
    from openpyxl.utils import get_column_letter  # openpyxl only when a kpis sheet is read

    problems: list[Problem] = []
    seen: dict[tuple[str, str], KpisColumn] = {}
    for position, header in enumerate(headers):
        if not header:
            continue
        column = classify_header(position, header)
        if column.role in ("error", "warning"):
            severity: Literal["error", "warning"] = "error" if column.role == "error" else "warning"
            problems.append(Problem(label, column.name, 1, header, severity=severity))
            if column.role == "error":
                continue
            column = KpisColumn(position, header, "measure", _normalise_header(header))
        key = (column.role, column.name)
        if key in seen:
            first = seen[key]
            what = {"measure": "column", "figure": "period"}.get(column.role, column.role)
            letters = (
                f"{get_column_letter(first.position + 1)} and {get_column_letter(position + 1)}"
            )
            problems.append(
                Problem(
                    label,
                    f"repeats the {what} of column {first.header} (columns {letters}); keep one",
                    1,
                    header,
                )
            )
            continue
        seen[key] = column
        columns.append(column)
    return columns, problems
