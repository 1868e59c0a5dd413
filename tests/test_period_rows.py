"""``PeriodRows``: the engine's rows of many periods from one call, handed out as the engine
gives them for any of those periods."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfnb
from perfnb.engine import performance
from perfnb.history import trend_history, trend_periods, year_periods, year_to_date_history
from perfnb.period_rows import PeriodRows
from perfnb.periods import parse_period
from perfnb.scorecard import build_scorecard

SERVICES = ["Adult Social Care"]
PERIOD = parse_period("2016/17 Q3")
WORKED_OUT = [*trend_periods(PERIOD), *year_periods(PERIOD)]


@pytest.fixture(scope="module")
def sample() -> perfnb.Dataset:
    """The sample data set, read once for the module (and let go after it: a later test
    counts the data sets alive)."""
    return perfnb.load_dataset(perfnb.bundled_sample())


@pytest.fixture(scope="module")
def worked_out(sample) -> PeriodRows:
    return PeriodRows.work_out(sample, WORKED_OUT, SERVICES)


@settings(max_examples=25)
@given(periods=st.lists(st.sampled_from(WORKED_OUT), unique=True, min_size=1, max_size=6))
def test_taken_rows_are_the_engines_for_those_periods(sample, worked_out, periods) -> None:
    """Any periods worked out, in any order: the rows ``performance`` gives for them, value
    for value, numbered from 0."""
    pd.testing.assert_frame_equal(
        worked_out.take(periods, SERVICES),
        performance(sample, periods, SERVICES),
        check_exact=True,
    )


def test_each_period_is_worked_out_once_and_one_not_worked_out_is_refused(sample) -> None:
    twice = PeriodRows.work_out(sample, [PERIOD, PERIOD.previous(), PERIOD], SERVICES)
    assert twice.labels == ("2016/17 Q3", "2016/17 Q2")
    measures = (sample.measures["service"] == SERVICES[0]).sum()
    assert len(twice.rows) == 2 * measures
    with pytest.raises(KeyError, match="periods not worked out: 2015/16 Q1"):
        twice.take([PERIOD, parse_period("2015/16 Q1")], SERVICES)
    with pytest.raises(ValueError, match="rows worked out for services"):
        twice.take([PERIOD], None)  # every service's rows were not worked out


def test_the_reports_histories_and_cards_are_the_same_from_worked_out_rows(
    sample, worked_out
) -> None:
    """The scorecard, the trend and the year to date built from rows worked out in one call
    are those built with a call of their own each."""
    pd.testing.assert_frame_equal(
        build_scorecard(sample, PERIOD, SERVICES, spc=False, rows=worked_out),
        build_scorecard(sample, PERIOD, SERVICES, spc=False),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        trend_history(sample, PERIOD, SERVICES, rows=worked_out),
        trend_history(sample, PERIOD, SERVICES),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        year_to_date_history(sample, PERIOD, SERVICES, rows=worked_out),
        year_to_date_history(sample, PERIOD, SERVICES),
        check_exact=True,
    )


def test_rows_of_every_service_hand_out_some_services_rows(sample) -> None:
    """Rows worked out for every service give any of the services' rows as the engine gives
    them for those services alone (the run plans with the period before's rows of the
    services it reports on)."""
    every = PeriodRows.work_out(sample, [PERIOD, PERIOD.previous()])
    services = sorted(set(sample.measures["service"]))
    for chosen in ([services[0]], services[1:], services):
        pd.testing.assert_frame_equal(
            every.take([PERIOD.previous(), PERIOD], chosen),
            performance(sample, [PERIOD.previous(), PERIOD], chosen),
            check_exact=True,
        )
    with pytest.raises(ValueError, match="rows worked out for services"):
        PeriodRows.work_out(sample, [PERIOD], services[:1]).take([PERIOD], services)
