"""Timescales as councils write them in action plans, read as a deadline where they name one.

Seeds 001 and 003 write ``31-Mar-2011``, ``March 2004``, ``Jan - March 2004`` (with an en
dash), ``October 2003``, ``Already achieved``, ``Ongoing`` and ``Business Process
Re-engineering: Jan - March 2004; Service Delivery: April - June 2004``. :func:`parse_timescale`
turns each into a :class:`Timescale`: the last day it names (the end of a month, a quarter or a
financial year; the latest when it names several), which is a deadline, and the first (the
start of the earliest), which is a start; or no date, keeping the words. It never raises.

Some timescales record that the work is done: a cell that is only such words (``Already
achieved``, ``Completed``, ``Done``, ``Established``, no date), or one that says in the past
tense that it was completed, achieved or done on a day or in a month, with nothing after
(``Review completed September 2003``). :attr:`Timescale.done` says so. A date after the words
otherwise makes a deadline, as a plan's author means it: ``Complete March 2004``, ``In place
April 2004``, ``Implemented April 2004``, ``Completed by March 2004`` and ``Done Q3 2003/04``
are to be done by then; ``Partially achieved`` and ``Funding in place`` are not the whole
action done. :func:`says_done` tells whether a cell is only such words (seed 003's outcome
column says ``Achieved``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Timescale", "parse_timescale", "says_done"]

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
# the words that record completion, when a cell is nothing else: "Already achieved",
# "Completed", "Done", "Established", "In place"
_DONE_WORDS = r"(?:already\s+)?(?:achieved|complete[d]?|done|implemented|in\s+place|established)"
_ONLY_DONE = re.compile(r"\s*" + _DONE_WORDS + r"[\s.!]*", re.IGNORECASE)
# the past tense that records when it was done, straight before the day or month: "Review
# completed September 2003" ("Complete", "In place" or "Implemented" with a date is a deadline)
_DONE_ON = re.compile(
    r"(?:\b(?P<before>[a-z]+)\s+)?\b(?:already\s+)?(?:completed|achieved|done)\b", re.IGNORECASE
)
# words before it that make it not done, or not all done: "not achieved", "to be completed",
# "partly completed"
_NOT_YET = (
    "not",
    "never",
    "yet",
    "be",
    "to",
    "until",
    "unless",
    "if",
    "once",
    "when",
    "partly",
    "partially",
    "part",
    "half",
    "mostly",
    "largely",
    "nearly",
    "almost",
    "substantially",
)
# what follows "Review completed" when it is the date it was done: "September 2003", "in May"
_DONE_WHEN = re.compile(r"\s+(?:(?:in|on)\s+)?(?P<when>\S.*)", re.IGNORECASE)
_ONGOING = re.compile(r"\b(ongoing|on-going|continuous|continuing|rolling|annual(ly)?)\b", re.I)


@dataclass(frozen=True)
class Timescale:
    """A timescale read: ``deadline`` is the last day it names and ``first`` the first (None
    when it names none: "October 2003" is 1 to 31 October); ``kind`` says what it is: ``date``,
    ``achieved`` (done already), ``ongoing``, ``text`` (words with no date) or ``blank``;
    ``text`` is the words as written; ``done`` that it records the work as done: every
    ``achieved`` one, and a ``date`` one that gives the date it was done ("Review completed
    September 2003"; never "Completed by March 2004")."""

    text: str
    deadline: dt.date | None
    kind: TimescaleKind
    first: dt.date | None = None  # the first day it names: an action's start
    done: bool = False  # it records that the work is done (already, or on its date)

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
    return _read(text)[0]


def _read(text: str) -> tuple[list[Span], str]:
    """The spans of days the text names, and the text left when they are taken out."""
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
    return found, rest


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
        last, first = max(last for _, last in spans), min(f for f, _ in spans)
        return Timescale(words, last, "date", first, done=len(spans) == 1 and _done_on(words))
    if says_done(words):
        return Timescale(words, None, "achieved", done=True)
    if _ONGOING.search(words):
        return Timescale(words, None, "ongoing")
    return Timescale(words, None, "text")


def _done_on(words: str) -> bool:
    """Whether a timescale naming one date says the work was done then: the past tense of a
    word of completion straight before a day or a month, and nothing after it ("Review
    completed September 2003", "Done in May 2003"), not a deadline ("Complete March 2004",
    "Completed by March 2004", "To be completed May 2004", "Done Q3 2003/04": a quarter or a
    year is a period to finish in, not the day it was done)."""
    for match in _DONE_ON.finditer(words):
        if (match["before"] or "").lower() in _NOT_YET:
            continue
        when = _DONE_WHEN.fullmatch(words[match.end() :])
        if when is not None:
            spans, rest = _read(when["when"])
            if len(spans) == 1 and _day_or_month(spans[0]) and not rest.strip(" .,;:"):
                return True
    return False


def _day_or_month(span: Span) -> bool:
    """Whether a span is one day or one calendar month."""
    first, last = span
    return first == last or (first.day == 1 and last == _month_end(first.year, first.month))


def says_done(text: object) -> bool:
    """Whether a cell is only words that record completion: ``Achieved``, ``Completed``,
    ``Already achieved``, ``Done`` (any case, a full stop allowed)."""
    return text is not None and bool(_ONLY_DONE.fullmatch(str(text)))
