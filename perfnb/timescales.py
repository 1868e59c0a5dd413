"""Timescales as councils write them in action plans, read as a deadline where they name one.

Seeds 001 and 003 write ``31-Mar-2011``, ``March 2004``, ``Jan - March 2004`` (with an en
dash), ``October 2003``, ``Already achieved``, ``Ongoing`` and ``Business Process
Re-engineering: Jan - March 2004; Service Delivery: April - June 2004``. :func:`parse_timescale`
turns each into a :class:`Timescale`: the last day it names (the end of a month, a quarter or a
financial year; the latest when it names several), which is a deadline, and the first (the
start of the earliest), which is a start; or no date, keeping the words. It never raises.
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
# "Jan - March 2004", "June to Oct 2003": the first month's year is the last's (or the one
# before, for "Nov - Feb 2004")
_MONTH_RANGE = re.compile(
    r"\b"
    + _MONTH.format("m1")
    + r"\s*(?:-|\u2013|\u2014|to)\s*"
    + _MONTH.format("m2")
    + r"[\s\-/,]*(?P<y>\d{4})\b",
    re.IGNORECASE,
)
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
    """A timescale read: ``deadline`` is the last day it names and ``first`` the first (None
    when it names none: "October 2003" is 1 to 31 October); ``kind`` says what it is: ``date``,
    ``achieved`` (done already), ``ongoing``, ``text`` (words with no date) or ``blank``;
    ``text`` is the words as written."""

    text: str
    deadline: dt.date | None
    kind: TimescaleKind
    first: dt.date | None = None  # the first day it names: an action's start

    def __str__(self) -> str:
        return self.text


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


Span = tuple[dt.date, dt.date]  # the first and last day a form names


def _day(year: int, month: int, day: int) -> Span | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date, date


def _month(year: int, month: int) -> Span:
    return dt.date(year, month, 1), _month_end(year, month)


def _spans(text: str) -> list[Span]:
    """Every span of days the text names, each form read once (a matched span of text is not
    read again)."""
    found: list[Span] = []
    rest = text

    def take(pattern: re.Pattern[str], build) -> None:
        nonlocal rest
        for match in pattern.finditer(rest):
            span = build(match)
            if span is not None:
                found.append(span)
        rest = pattern.sub(" ", rest)

    take(_ISO_DATE, lambda m: _day(int(m["y"]), int(m["m"]), int(m["d"])))
    take(
        _DAY_MONTH_YEAR,
        lambda m: _day(_year(m["y"]), _MONTHS[m["m"].lower().rstrip(".")], int(m["d"])),
    )
    take(_NUMERIC_DATE, lambda m: _day(_year(m["y"]), int(m["m"]), int(m["d"])))
    take(_QUARTER, _quarter)
    take(_MONTH_RANGE, _month_range)
    take(_MONTH_YEAR, lambda m: _month(int(m["y"]), _MONTHS[m["m"].lower().rstrip(".")]))
    take(_FINANCIAL_YEAR, _financial_year)
    return found


def _month_range(match: re.Match[str]) -> Span:
    """From the first day of the first month to the last day of the last."""
    first, last = (_MONTHS[match[g].lower().rstrip(".")] for g in ("m1", "m2"))
    year = int(match["y"])
    return dt.date(year - (first > last), first, 1), _month_end(year, last)


def _quarter(match: re.Match[str]) -> Span | None:
    """The three months of financial quarter ``Q3 2003/04`` (October to December 2003)."""
    if _financial_year(match) is None:
        return None
    fy, quarter = int(match["fy"]), int(match["q"])
    month = 3 + 3 * quarter  # Q1 ends in June (6) ... Q4 in March (15 = 3 of the next year)
    year, last = fy + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, last - 2, 1), _month_end(year, last)


def _financial_year(match: re.Match[str]) -> Span | None:
    """1 April to 31 March of the financial year ``2003/04`` (None if the years do not follow)."""
    fy, second = int(match["fy"]), int(match["fy2"])
    if second not in ((fy + 1) % 100, fy + 1):
        return None
    return dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)


def parse_timescale(text: object) -> Timescale:
    """Reads an action's timescale: the last day it names, or what it says instead."""
    words = "" if text is None else " ".join(str(text).split())
    if words.lower() in ("", "nan", "none", "nat"):
        return Timescale("", None, "blank")
    spans = _spans(words)
    if spans:
        return Timescale(words, max(last for _, last in spans), "date", min(f for f, _ in spans))
    if _ACHIEVED.search(words):
        return Timescale(words, None, "achieved")
    if _ONGOING.search(words):
        return Timescale(words, None, "ongoing")
    return Timescale(words, None, "text")
