"""Reporting periods on the UK financial year (April to March).

Three kinds of period, each with a written form (what people type and what reports print) and a
slug (what file and folder names use):

=========  ==============  ==============  ==================================
kind       written form    slug            covers
=========  ==============  ==============  ==================================
quarter    ``2017/18 Q1``  ``2017-18-Q1``  April to June 2017
month      ``2017-04``     ``2017-04``     April 2017 (a calendar month)
year       ``2017/18``     ``2017-18``     1 April 2017 to 31 March 2018
=========  ==============  ==============  ==================================

Everything that takes a period accepts either form. ``YYYY-MM`` is always a month (and a full
date ``2017-06-30`` is the month it falls in). A financial year whose slug would look like a
month, 2000/01 to 2011/12, has the slug ``2011-12-FY`` instead, so that its reports and
December 2011's never share a folder. Years run from 1900/01 to 2199/00.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "PERIOD_COLUMNS",
    "Period",
    "PeriodError",
    "figure_label",
    "latest_period",
    "parse_period",
    "parse_periods",
    "period_columns",
    "period_table",
]

PeriodKind = Literal["month", "quarter", "year"]

# Coarser periods first: when a month, a quarter and a year end on the same day, the quarter is
# the report's natural period (councils report quarterly), then the month, then the year.
_KIND_PREFERENCE: dict[str, int] = {"quarter": 0, "month": 1, "year": 2}

_YEAR = r"(?P<fy>\d{4})\s*[/-]\s*(?P<fy2>\d{2}(?:\d{2})?)"
_QUARTER_RE = re.compile(rf"^{_YEAR}\s*[- ]?\s*Q(?P<q>[1-4])$", re.IGNORECASE)
_QUARTER_FIRST_RE = re.compile(rf"^Q(?P<q>[1-4])\s+{_YEAR}$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?$")
_YEAR_RE = re.compile(rf"^(?:FY\s*)?{_YEAR}(?P<fy_suffix>[- ]?FY)?$", re.IGNORECASE)
_FIRST_YEAR, _LAST_YEAR = 1900, 2199


class PeriodError(ValueError):
    """A text that is not a period perfnb understands."""


@dataclass(frozen=True, order=False)
class Period:
    """One reporting period: a month, a quarter or a financial year.

    ``fy`` is the calendar year in which the financial year starts (2017 for 2017/18); ``index``
    is the month of the financial year (1 = April ... 12 = March), the quarter (1-4), or 1 for a
    year.
    """

    kind: PeriodKind
    fy: int
    index: int = 1

    def __post_init__(self) -> None:
        limit = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if not 1 <= self.index <= limit:
            raise PeriodError(f"{self.kind} index must be 1 to {limit}, not {self.index}")

    # -- names -------------------------------------------------------------------------------
    @property
    def year_label(self) -> str:
        """The financial year written as ``2017/18``."""
        return f"{self.fy}/{(self.fy + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """The written form: ``2017/18 Q1``, ``2017-04`` or ``2017/18``."""
        if self.kind == "quarter":
            return f"{self.year_label} Q{self.index}"
        if self.kind == "month":
            start = self.start
            return f"{start.year}-{start.month:02d}"
        return self.year_label

    @property
    def short_label(self) -> str:
        """The form printed in tables and text: ``2017/18 Q1``, ``Oct 2012`` or ``2017/18``."""
        if self.kind == "month":
            return f"{self.start:%b %Y}"
        return self.label

    @property
    def slug(self) -> str:
        """The form used in file names: ``2017-18-Q1``, ``2017-04`` or ``2017-18``.

        The years 2000/01 to 2011/12 are ``2011-12-FY``: ``2011-12`` is December 2011.
        """
        if self.kind == "month":
            return self.label
        slug = self.label.replace("/", "-").replace(" ", "-")
        if self.kind == "year" and 1 <= (self.fy + 1) % 100 <= 12:
            slug += "-FY"
        return slug

    @property
    def long_label(self) -> str:
        """A heading for reports: ``2017/18 Quarter 1 (April to June 2017)``."""
        if self.kind == "quarter":
            first, last = self.start, self.end
            span = f"{first:%B} to {last:%B %Y}"
            return f"{self.year_label} Quarter {self.index} ({span})"
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        return f"{self.year_label} (April {self.fy} to March {self.fy + 1})"

    def __str__(self) -> str:
        return self.label

    # -- dates -------------------------------------------------------------------------------
    @property
    def start(self) -> dt.date:
        """First day of the period."""
        month0 = self.first_fy_month - 1  # months after April of the financial year
        year, month = self.fy + (3 + month0) // 12, (3 + month0) % 12 + 1
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period."""
        month0 = self.last_fy_month  # the month after the last one, counted from April = 0
        year, month = self.fy + (3 + month0) // 12, (3 + month0) % 12 + 1
        return dt.date(year, month, 1) - dt.timedelta(days=1)

    @property
    def first_fy_month(self) -> int:
        """Month of the financial year (1 = April) in which the period starts."""
        return {"month": self.index, "quarter": 3 * self.index - 2, "year": 1}[self.kind]

    @property
    def last_fy_month(self) -> int:
        """Month of the financial year (1 = April ... 12 = March) in which the period ends."""
        return {"month": self.index, "quarter": 3 * self.index, "year": 12}[self.kind]

    @property
    def year(self) -> Period:
        """The financial year the period falls in."""
        return Period("year", self.fy)

    # -- relations ---------------------------------------------------------------------------
    def contains(self, other: Period) -> bool:
        """True when ``other`` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.index > 1:
            return Period(self.kind, self.fy, self.index - 1)
        last = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        return Period(self.kind, self.fy - 1, last)

    def next(self) -> Period:
        """The period of the same kind just after this one."""
        last = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        if self.index < last:
            return Period(self.kind, self.fy, self.index + 1)
        return Period(self.kind, self.fy + 1, 1)

    def same_period_last_year(self) -> Period:
        """The same month, quarter or year one year earlier."""
        return Period(self.kind, self.fy - 1, self.index)


def _check_year(year: int, text: str) -> None:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise PeriodError(
            f"{text!r} is outside the years perfnb handles ({_FIRST_YEAR}/01 to {_LAST_YEAR}/00)"
        )


def _financial_year(first: str, second: str, text: str) -> int:
    fy = int(first)
    _check_year(fy, text)
    expected = (fy + 1) % (100 if len(second) == 2 else 10000)
    if int(second) != expected:
        want = f"{fy}/{(fy + 1) % 100:02d}"
        raise PeriodError(
            f"{text!r} is not a financial year: the second year must follow the first ({want})"
        )
    return fy


def figure_label(period: Period | str, basis: str = "latest") -> str:
    """What a figure reported at ``period`` covers, for a reader: ``2016/17 Q3`` for a figure of
    the period itself; ``2016/17 full year`` or ``2016/17 Q3 year to date`` for a year to
    date; ``2016/17 average`` or ``... average to date`` for a mean; ``2016/17 outturn`` or
    ``2016/17 Q3 forecast`` for a measure reported by its year-end forecast; ``2016/17 Q3
    alone`` for a period's own figure of a measure reported by its year to date (``period``)."""
    period = parse_period(period)
    if basis == "period" and period.kind != "year":
        return f"{period.short_label} alone"
    if period.kind == "year" or basis not in _BASIS_WORDS:
        return period.short_label
    whole_year, part_year = _BASIS_WORDS[basis]
    if period.last_fy_month == 12:
        return f"{period.year_label} {whole_year}"
    if period.first_fy_month == 1 and basis != "full year forecast":
        return period.short_label  # the first period's figure to date is the period's own
    return f"{period.short_label} {part_year}"


_BASIS_WORDS = {
    "year to date": ("full year", "year to date"),
    "average to date": ("average", "average to date"),
    "full year forecast": ("outturn", "forecast"),
}


def parse_period(value: object) -> Period:
    """Reads a period from its written form, its slug, a ``Period`` or a date (the month).

    Raises ``PeriodError`` with the expected forms when the text is not a period.
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return _month(value.year, value.month)
    return _parse_text(" ".join(str(value).split()))


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    """A period from its written form (spaces normalised), read once a process: the engine's
    frames carry periods as their labels, and every later reader of a label gets the same
    ``Period`` without reading it again. A text that is not a period is not remembered."""
    if match := _QUARTER_RE.match(text) or _QUARTER_FIRST_RE.match(text):
        fy = _financial_year(match["fy"], match["fy2"], text)
        return Period("quarter", fy, int(match["q"]))
    if (match := _MONTH_RE.match(text)) and not text.upper().endswith("FY"):
        year, month = int(match["y"]), int(match["m"])
        if 1 <= month <= 12 and _valid_day(year, month, match["d"]):
            _check_year(year, text)
            return _month(year, month)
    if (match := _YEAR_RE.match(text)) and (
        "/" in text or match["fy_suffix"] or int(match["fy2"]) == (int(match["fy"]) + 1) % 100
    ):
        fy = _financial_year(match["fy"], match["fy2"], text)
        return Period("year", fy)
    raise PeriodError(
        f"{text!r} is not a period: write a quarter as 2017/18 Q1, a month as 2017-04 "
        "or a financial year as 2017/18 (or their slugs 2017-18-Q1, 2017-18)"
    )


def _valid_day(year: int, month: int, day: str | None) -> bool:
    if day is None:
        return True
    try:
        dt.date(year, month, int(day))
    except ValueError:
        return False
    return True


def _month(year: int, month: int) -> Period:
    fy = year if month >= 4 else year - 1
    return Period("month", fy, (month - 4) % 12 + 1)


def parse_periods(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parses a column of periods; returns the ``Period`` objects and a mask of unparseable rows.

    Each distinct text is parsed once, so a million rows with forty periods cost forty parses.
    """
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    parsed = np.empty(len(uniques), dtype=object)
    for i, text in enumerate(uniques):
        try:
            parsed[i] = parse_period(text)
        except PeriodError:
            parsed[i] = None
    periods = pd.Series(parsed.take(codes), index=values.index, dtype=object)
    return periods, periods.isna()


PERIOD_COLUMNS = (
    "period",
    "period_kind",
    "fy",
    "fy_month_first",
    "fy_month_last",
    "period_start",
    "period_end",
)


def period_table(texts: Iterable[object]) -> pd.DataFrame:
    """``period_columns`` of each of ``texts`` in turn (each parsed, so give distinct texts)."""
    rows: list[tuple[object, ...]] = []
    for text in texts:
        try:
            p = parse_period(text)
        except PeriodError:
            rows.append((None, None, -1, -1, -1, pd.NaT, pd.NaT))
            continue
        start, end = pd.Timestamp(p.start), pd.Timestamp(p.end)
        rows.append((p.label, p.kind, p.fy, p.first_fy_month, p.last_fy_month, start, end))
    return pd.DataFrame(rows, columns=list(PERIOD_COLUMNS))


def period_columns(values: pd.Series) -> pd.DataFrame:
    """For a column of periods, one row each: ``period`` (written form), ``period_kind``, ``fy``,
    ``fy_month_first``, ``fy_month_last`` (1 = April), ``period_start`` and ``period_end``; None
    where unparsed."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=False)
    out = period_table(uniques).take(codes).reset_index(drop=True)
    out.index = values.index
    return out


def latest_period(periods: Iterable[Period]) -> Period:
    """The period ending last; a quarter wins over a month or year ending the same day."""
    items = list(periods)
    if not items:
        raise PeriodError("there are no periods to choose from")
    return max(items, key=lambda p: (p.end, -_KIND_PREFERENCE[p.kind]))
