"""Periods on the UK financial year: parsing, names, dates and relations."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from perfnb.periods import (
    Period,
    PeriodError,
    figure_label,
    latest_period,
    parse_period,
    parse_periods,
)


@pytest.mark.parametrize(
    ("text", "kind", "label", "slug"),
    [
        ("2017/18 Q1", "quarter", "2017/18 Q1", "2017-18-Q1"),
        ("2017-18-Q1", "quarter", "2017/18 Q1", "2017-18-Q1"),
        ("2017/18q4", "quarter", "2017/18 Q4", "2017-18-Q4"),
        ("Q2 2012/13", "quarter", "2012/13 Q2", "2012-13-Q2"),
        ("  2017/18   Q1 ", "quarter", "2017/18 Q1", "2017-18-Q1"),
        ("2017/2018 Q3", "quarter", "2017/18 Q3", "2017-18-Q3"),
        ("2017-04", "month", "2017-04", "2017-04"),
        ("2012-10", "month", "2012-10", "2012-10"),
        ("2018-3", "month", "2018-03", "2018-03"),
        ("2017/18", "year", "2017/18", "2017-18"),
        ("2017-18", "year", "2017/18", "2017-18"),
        ("1999/00", "year", "1999/00", "1999-00"),
    ],
)
def test_parse_written_form_and_slug(text: str, kind: str, label: str, slug: str) -> None:
    """Both the written form and the slug parse to the same period, which names itself back."""
    period = parse_period(text)
    assert (period.kind, period.label, period.slug) == (kind, label, slug)
    assert parse_period(period.slug) == period
    assert parse_period(period.label) == period


def test_year_month_clash_reads_as_month() -> None:
    """2009-10 is October 2009, not the slug of 2009/10: YYYY-MM is always a month."""
    assert parse_period("2009-10") == Period("month", 2009, 7)
    assert parse_period("2009/10") == Period("year", 2009)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2017/18 Q1", dt.date(2017, 4, 1), dt.date(2017, 6, 30)),
        ("2017/18 Q3", dt.date(2017, 10, 1), dt.date(2017, 12, 31)),
        ("2017/18 Q4", dt.date(2018, 1, 1), dt.date(2018, 3, 31)),
        ("2018-02", dt.date(2018, 2, 1), dt.date(2018, 2, 28)),
        ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29)),
        ("2017-12", dt.date(2017, 12, 1), dt.date(2017, 12, 31)),
        ("2017/18", dt.date(2017, 4, 1), dt.date(2018, 3, 31)),
    ],
)
def test_start_and_end_dates(text: str, start: dt.date, end: dt.date) -> None:
    """Quarters and months fall on the April-March year; leap Februaries end on the 29th."""
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


def test_months_of_the_financial_year() -> None:
    """January 2018 is month 10 of 2017/18; March closes the year; April opens the next."""
    assert parse_period("2018-01") == Period("month", 2017, 10)
    assert parse_period("2018-03").last_fy_month == 12
    assert parse_period("2018-04") == Period("month", 2018, 1)
    assert parse_period("2017/18 Q3").first_fy_month == 7
    assert parse_period("2017/18 Q3").last_fy_month == 9


def test_dates_and_timestamps_are_months() -> None:
    """A date (as Excel gives a month cell) is the month it falls in."""
    assert parse_period(dt.date(2012, 10, 1)).label == "2012-10"
    assert parse_period(pd.Timestamp("2017-04-30")).label == "2017-04"


def test_previous_and_last_year() -> None:
    """Previous steps back one period across year ends; last year keeps the index."""
    assert parse_period("2017/18 Q1").previous().label == "2016/17 Q4"
    assert parse_period("2017-04").previous().label == "2017-03"
    assert parse_period("2017/18").previous().label == "2016/17"
    assert parse_period("2017/18 Q2").same_period_last_year().label == "2016/17 Q2"


def test_long_label() -> None:
    """Report headings spell the months out."""
    assert parse_period("2017/18 Q1").long_label == "2017/18 Quarter 1 (April to June 2017)"
    assert parse_period("2012-10").long_label == "October 2012"


def test_contains() -> None:
    """A quarter contains its months; a year its quarters; not the other way round."""
    q1 = parse_period("2017/18 Q1")
    assert q1.contains(parse_period("2017-05"))
    assert not q1.contains(parse_period("2017-07"))
    assert parse_period("2017/18").contains(q1)
    assert not q1.contains(parse_period("2017/18"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2017/19",
            "'2017/19' is not a financial year: the second year must follow the first (2017/18)",
        ),
        (
            "2017/18 Q5",
            "'2017/18 Q5' is not a period: write a quarter as 2017/18 Q1, a month as "
            "2017-04 or a financial year as 2017/18 (or their slugs 2017-18-Q1, "
            "2017-18)",
        ),
        (
            "2017-13",
            "'2017-13' is not a period: write a quarter as 2017/18 Q1, a month as "
            "2017-04 or a financial year as 2017/18 (or their slugs 2017-18-Q1, "
            "2017-18)",
        ),
        (
            "",
            "'' is not a period: write a quarter as 2017/18 Q1, a month as 2017-04 or a "
            "financial year as 2017/18 (or their slugs 2017-18-Q1, 2017-18)",
        ),
    ],
)
def test_bad_periods_say_what_is_expected(text: str, message: str) -> None:
    """An unreadable period names itself and the forms that are accepted."""
    with pytest.raises(PeriodError) as caught:
        parse_period(text)
    assert str(caught.value) == message


def test_latest_period_prefers_the_quarter() -> None:
    """June 2017, Q1 2017/18 and an earlier year: the quarter ending on the same day wins."""
    periods = [parse_period(t) for t in ("2016/17", "2017-06", "2017/18 Q1", "2017-05")]
    assert latest_period(periods).label == "2017/18 Q1"
    assert latest_period([parse_period("2012-10"), parse_period("2012/13 Q2")]).label == "2012-10"
    with pytest.raises(PeriodError):
        latest_period([])


def test_parse_periods_marks_bad_rows() -> None:
    """A column parses each distinct text once and flags the rows it could not read."""
    periods, bad = parse_periods(pd.Series(["2017/18 Q1", "junk", "2017-18-Q1", ""]))
    assert bad.tolist() == [False, True, False, True]
    assert periods[0] == periods[2] == Period("quarter", 2017, 1)


def test_years_whose_slug_looks_like_a_month() -> None:
    """2011/12's slug is 2011-12-FY, so its reports never share December 2011's folder."""
    year = parse_period("2011/12")
    assert year.slug == "2011-12-FY"
    assert parse_period("2011-12-FY") == year
    assert parse_period("2011-12").kind == "month"
    assert parse_period("2012/13").slug == "2012-13"
    assert parse_period("2000/01").slug == "2000-01-FY"


def test_full_dates_are_their_month_and_years_have_a_range() -> None:
    """2017-06-30 is June 2017; 9999/00 is refused instead of crashing later."""
    assert parse_period("2017-06-30").label == "2017-06"
    with pytest.raises(PeriodError) as caught:
        parse_period("9999/00")
    assert str(caught.value) == (
        "'9999/00' is outside the years perfnb handles (1900/01 to 2199/00)"
    )


@pytest.mark.parametrize(
    ("period", "basis", "label"),
    [
        ("2016/17 Q3", "latest", "2016/17 Q3"),
        ("2012-10", "latest", "Oct 2012"),
        ("2016/17", "year to date", "2016/17"),
        # a year to date at the first period is that period's own figure
        ("2016/17 Q1", "year to date", "2016/17 Q1"),
        ("2012-04", "year to date", "Apr 2012"),
        ("2016/17 Q2", "year to date", "2016/17 Q2 year to date"),
        ("2016/17 Q4", "year to date", "2016/17 full year"),
        ("2017-03", "year to date", "2016/17 full year"),
        ("2016/17 Q4", "average to date", "2016/17 average"),
        ("2016/17 Q3", "average to date", "2016/17 Q3 average to date"),
        ("2016/17 Q1", "full year forecast", "2016/17 Q1 forecast"),
        ("2016/17 Q4", "full year forecast", "2016/17 outturn"),
    ],
)
def test_figure_label_says_what_a_figure_covers(period: str, basis: str, label: str) -> None:
    assert figure_label(period, basis) == label


def test_short_label_names_the_month() -> None:
    assert parse_period("2012-10").short_label == "Oct 2012"
    assert parse_period("2017/18 Q1").short_label == "2017/18 Q1"


def test_next_period_wraps_at_the_year_end() -> None:
    assert parse_period("2009/10 Q2").next().label == "2009/10 Q3"
    assert parse_period("2009/10 Q4").next().label == "2010/11 Q1"
    assert parse_period("2010-03").next().label == "2010-04"
    assert parse_period("2009/10").next().label == "2010/11"
    assert parse_period("2009/10 Q4").next().previous() == parse_period("2009/10 Q4")


@pytest.mark.parametrize(
    ("period", "label"),
    [("2022/23 Q2", "2022/23 Q2 alone"), ("2022-09", "Sep 2022 alone"), ("2022/23", "2022/23")],
)
def test_a_periods_own_figure_is_named_alone(period, label) -> None:
    """Beside a year to date, a period's own figure is "alone"; a year is its own figure."""
    assert figure_label(period, "period") == label
