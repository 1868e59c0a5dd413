"""Timescales as councils write them in action plans, read as a deadline where they name one.

Seeds 001 and 003 write ``31-Mar-2011``, ``March 2004``, ``Jan - March 2004`` (with an en
dash), ``October 2003``, ``Already achieved``, ``Ongoing`` and ``Business Process
Re-engineering: Jan - March 2004; Service Delivery: April - June 2004``. :func:`parse_timescale`
turns each into a :class:`Timescale`: the last day it names (the end of a month, a quarter or a
financial year; the latest when it names several), or no date, keeping the words. It never
raises.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Timescale", "parse_timescale"]

TimescaleKind = Literal["date", "achieved", "ongoing", "text", "blank"]

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTHS["sept"] = 9
_MONTH = r"(?P<{}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"

# the forms, most specific first; each match gives one date
_DAY_MONTH_YEAR = re.compile(
    r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*"
    + _MONTH.format("m")
    + r"[\s\-/.,]*(?P<y>\d{4}|\d{2})\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")
_MONTH_YEAR = re.compile(r"\b" + _MONTH.format("m") + r"[\s\-/,]*(?P<y>\d{4})\b", re.IGNORECASE)
_QUARTER = re.compile(
    r"\bQ(?:uarter)?\s*(?P<q>[1-4])\s*(?P<fy>\d{4})\s*/\s*(?P<fy2>\d{2,4})\b", re.IGNORECASE
)
_FINANCIAL_YEAR = re.compile(r"\b(?P<fy>\d{4})\s*/\s*(?P<fy2>\d{2}|\d{4})\b")
_ACHIEVED = re.compile(
    r"\b(already\s+)?(achieved|complete[d]?|done|implemented|in place|established)\b",
    re.IGNORECASE,
)
_ONGOING = re.compile(r"\b(ongoing|on-going|continuous|continuing|rolling|annual(ly)?)\b", re.I)


@dataclass(frozen=True)
class Timescale:
    """A timescale read: ``deadline`` is the last day it names (None when it names none);
    ``kind`` says what it is: ``date``, ``achieved`` (done already), ``ongoing``, ``text``
    (words with no date) or ``blank``; ``text`` is the words as written."""

    text: str
    deadline: dt.date | None
    kind: TimescaleKind

    def __str__(self) -> str:
        return self.text


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _dates(text: str) -> list[dt.date]:
    """Every date the text names, each form read once (a matched span is not read again)."""
    found: list[dt.date] = []
    rest = text

    def take(pattern: re.Pattern[str], build) -> None:
        nonlocal rest
        for match in pattern.finditer(rest):
            date = build(match)
            if date is not None:
                found.append(date)
        rest = pattern.sub(" ", rest)

    take(_ISO_DATE, lambda m: _date(int(m["y"]), int(m["m"]), int(m["d"])))
    take(
        _DAY_MONTH_YEAR,
        lambda m: _date(_year(m["y"]), _MONTHS[m["m"].lower().rstrip(".")], int(m["d"])),
    )
    take(_NUMERIC_DATE, lambda m: _date(_year(m["y"]), int(m["m"]), int(m["d"])))
    take(_QUARTER, _quarter_end)
    take(_MONTH_YEAR, lambda m: _month_end(int(m["y"]), _MONTHS[m["m"].lower().rstrip(".")]))
    take(_FINANCIAL_YEAR, _year_end)
    return found


def _quarter_end(match: re.Match[str]) -> dt.date | None:
    if _year_end(match) is None:
        return None
    fy, quarter = int(match["fy"]), int(match["q"])
    month = 3 + 3 * quarter  # Q1 ends in June (6) ... Q4 in March (15 = 3 of the next year)
    return _month_end(fy + (month - 1) // 12, (month - 1) % 12 + 1)


def _year_end(match: re.Match[str]) -> dt.date | None:
    """31 March closing the financial year ``2003/04`` (None if the years do not follow)."""
    fy, second = int(match["fy"]), int(match["fy2"])
    if second not in ((fy + 1) % 100, fy + 1):
        return None
    return dt.date(fy + 1, 3, 31)


def parse_timescale(text: object) -> Timescale:
    """Reads an action's timescale: the last day it names, or what it says instead."""
    words = "" if text is None else " ".join(str(text).split())
    if words.lower() in ("", "nan", "none", "nat"):
        return Timescale("", None, "blank")
    dates = _dates(words)
    if dates:
        return Timescale(words, max(dates), "date")
    if _ACHIEVED.search(words):
        return Timescale(words, None, "achieved")
    if _ONGOING.search(words):
        return Timescale(words, None, "ongoing")
    return Timescale(words, None, "text")
