"""Action plans: timescales as councils write them, expected progress, overdue and the derived
rating, worked out by hand from dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SAMPLE
from perfnb.actions import (
    ACTION_COLUMNS,
    action_progress,
    action_summary,
    lead_officers,
    linked_measures,
    overdue_actions,
    services_with_actions,
)
from perfnb.loader import _typed_actions, load_dataset, validate_dataset
from perfnb.periods import parse_period
from perfnb.timescales import parse_timescale, says_done


@pytest.mark.parametrize(
    ("text", "deadline", "kind"),
    [
        # seed 001
        ("31-Mar-2011", dt.date(2011, 3, 31), "date"),
        # seed 003
        ("April 2004", dt.date(2004, 4, 30), "date"),
        ("October 2003", dt.date(2003, 10, 31), "date"),
        ("Jan \u2013 March 2004", dt.date(2004, 3, 31), "date"),
        (
            "Business Process Re-engineering: Jan \u2013 March 2004; "
            "Service Delivery: April \u2013 June 2004",
            dt.date(2004, 6, 30),
            "date",
        ),
        ("Already achieved", None, "achieved"),
        ("Ongoing", None, "ongoing"),
        # seed 000's recovery plan
        ("Already implemented", None, "achieved"),
        ("Over the coming weeks", None, "text"),
        ("Early 2013", None, "text"),  # no month named: no date guessed
        # other ways councils write them
        ("March 2004", dt.date(2004, 3, 31), "date"),
        ("Sept 2003", dt.date(2003, 9, 30), "date"),
        ("1st April 2004", dt.date(2004, 4, 1), "date"),
        ("31/03/2010", dt.date(2010, 3, 31), "date"),
        ("2010-03-31", dt.date(2010, 3, 31), "date"),
        ("2004/05", dt.date(2005, 3, 31), "date"),
        ("Q3 2003/04", dt.date(2003, 12, 31), "date"),
        ("By the end of Spring", None, "text"),
        ("30 Feb 2004", None, "text"),  # no such day: kept as words, never a crash
        ("", None, "blank"),
        (None, None, "blank"),
    ],
)
def test_timescales_as_councils_write_them(text, deadline, kind) -> None:
    read = parse_timescale(text)
    assert (read.deadline, read.kind) == (deadline, kind)
    assert read.text == ("" if text is None else " ".join(text.split()))


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("October 2003", dt.date(2003, 10, 1)),  # seed 003's plan date, as a start
        ("1-Apr-2009", dt.date(2009, 4, 1)),
        ("Jan \u2013 March 2004", dt.date(2004, 1, 1)),
        ("Q3 2003/04", dt.date(2003, 10, 1)),
        ("2009/10", dt.date(2009, 4, 1)),
        ("Ongoing", None),
    ],
)
def test_a_start_is_the_first_day_named(text, first) -> None:
    assert parse_timescale(text).first == first


@given(st.text(max_size=60))
def test_any_timescale_text_is_read_without_error(text: str) -> None:
    read = parse_timescale(text)
    assert read.kind in ("date", "achieved", "ongoing", "text", "blank")
    assert (read.deadline is not None) == (read.kind == "date")
    assert (read.first is None) == (read.deadline is None)
    assert read.first is None or read.first <= read.deadline
    # every "achieved" timescale records completion; only those and dated ones ever do
    assert read.kind != "achieved" or read.done
    assert not read.done or read.kind in ("achieved", "date")


@pytest.mark.parametrize(
    ("text", "deadline", "done"),
    [
        # seed 003: a review done the month before the plan, and a date to finish by
        ("Review completed September 2003", dt.date(2003, 9, 30), True),
        ("Completed by March 2004", dt.date(2004, 3, 31), False),
        # part achieved, part still due: not done
        (
            "Website and email achieved Leaflet distribution October 2003",
            dt.date(2003, 10, 31),
            False,
        ),
        (
            "Audit: Already achieved.; Supervision Plans by October 2003.",
            dt.date(2003, 10, 31),
            False,
        ),
        ("Already achieved", None, True),
        ("Achieved", None, True),
        ("Done", None, True),
        ("Established", None, True),
        ("Done in May 2003", dt.date(2003, 5, 31), True),
        ("completed on 12 May 2003.", dt.date(2003, 5, 12), True),
        # not done yet, whatever the word
        ("To be completed May 2004", dt.date(2004, 5, 31), False),
        ("Not completed September 2003", dt.date(2003, 9, 30), False),
        ("Not achieved", None, False),
        ("Not yet achieved", None, False),
        ("Completed: March 2004", dt.date(2004, 3, 31), False),
        ("Ongoing", None, False),
        # the past tense with the day or month it was done records it
        ("Completed September 2003", dt.date(2003, 9, 30), True),
        ("Already achieved September 2003", dt.date(2003, 9, 30), True),
        # a deadline written as an instruction or a state to reach: to be done by then
        ("Complete March 2004", dt.date(2004, 3, 31), False),
        ("Complete 31/03/2004", dt.date(2004, 3, 31), False),
        ("Complete 2003/04", dt.date(2004, 3, 31), False),
        ("Implemented April 2004", dt.date(2004, 4, 30), False),
        ("Implement by April 2004", dt.date(2004, 4, 30), False),
        ("In place April 2004", dt.date(2004, 4, 30), False),
        # a quarter or a year is a period to finish in, not the day it was done
        ("Done Q3 2003/04", dt.date(2003, 12, 31), False),
        ("Completed 2003/04", dt.date(2004, 3, 31), False),
        # part done is not done
        ("Partly completed September 2003", dt.date(2003, 9, 30), False),
        ("Achieved in part September 2003", dt.date(2003, 9, 30), False),
        ("Partially achieved", None, False),
        ("Achieved in part", None, False),
        ("Partly completed", None, False),
        ("Funding in place", None, False),
        # with no date, a cell of only such words is done
        ("In place", None, True),
        ("Complete", None, True),
    ],
)
def test_timescales_that_record_completion(text, deadline, done) -> None:
    """A timescale records the work as done when it is only words of completion, or says in
    the past tense (completed, achieved, done) that it was done, with the day or month straight
    after; "by", "to be", "not", "partly", "Complete", "Implemented", "In place" or a quarter or
    year make it a deadline, and words with something more than the record are only words."""
    read = parse_timescale(text)
    assert (read.deadline, read.done) == (deadline, done)
    if deadline is None:  # no date: done words only are "achieved", the rest words
        assert read.kind in (("achieved",) if done else ("text", "ongoing"))


@pytest.mark.parametrize(
    ("text", "only_done"),
    [
        ("Completed", True),
        ("Achieved", True),
        ("achieved.", True),
        ("Already achieved", True),
        (" DONE ", True),
        ("Improved assessment response and service development.", False),
        ("Achieved later this year", False),
        ("Not achieved", False),
        ("", False),
        (None, False),
    ],
)
def test_says_done(text, only_done) -> None:
    assert says_done(text) is only_done


def _actions(*rows: dict) -> pd.DataFrame:
    base = {"title": "An action", "service": "Care", "lead_officer": "A. Officer", "start": ""}
    table = pd.DataFrame([{**base, **row} for row in rows]).astype(str)
    spec = type("Raw", (), {"frame": table})
    return _typed_actions(spec)  # the loader's typing: dates read from the timescales


def _updates(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["action_id", "period", "status", "pct_complete"])
    return frame.assign(progress="", issues="")


def test_expected_progress_and_slippage_on_seed_001_dates() -> None:
    """COR-HSC-AP-29: no start, so it runs from 1 April 2009 (its first report, Q1) to
    31 March 2011: 730 days. By 30 September 2009, 183 of them: 25.07% expected; 50% done is
    24.9 points ahead (slippage -24.9). Last period 25%."""
    actions = _actions({"action_id": "AP-29", "deadline": "31-Mar-2011"})
    updates = _updates(
        ("AP-29", "2009/10 Q1", "On Target", 25), ("AP-29", "2009/10 Q2", "On Target", 50)
    )
    row = action_progress(actions, updates, "2009/10 Q2").iloc[0]
    assert row["expected_pct"] == pytest.approx(25.1)
    assert row["slippage"] == pytest.approx(-24.9)
    assert row["previous_pct_complete"] == 25
    assert (row["overdue"], row["due_soon"], row["rag"]) == (False, False, "On track")
    assert row["rag_reason"] == "On track: 50% complete, 25.1% expected by 30 Sep 2009"
    assert not row["status_differs"]


def test_behind_expected_progress_is_at_risk() -> None:
    """Start 1 April 2009, deadline 31 March 2010 (365 days); at 30 September 2009, 183 days:
    50.1% expected; 30% done is 20.1 points behind, more than 10: At risk, though the officer
    says On target."""
    actions = _actions({"action_id": "X", "start": "1-Apr-2009", "deadline": "31-Mar-2010"})
    updates = _updates(("X", "2009/10 Q2", "on target", 30))
    row = action_progress(actions, updates, "2009/10 Q2").iloc[0]
    assert row["expected_pct"] == pytest.approx(50.1)
    assert row["slippage"] == pytest.approx(20.1)
    assert row["rag"] == "At risk"
    assert row["rag_reason"] == (
        "At risk: 20.1 points behind the 50.1% expected by 30 Sep 2009 (30% complete, more than "
        "10 points behind)"
    )
    assert row["status_differs"]


def test_overdue_due_soon_completed_and_cancelled() -> None:
    """At 2009/10 Q2 (ends 30 September 2009): a deadline of 31 August 2009 not completed is
    overdue; 31 December 2009 is due in Q3 (due soon); completed and cancelled actions are
    neither, whatever their deadline."""
    actions = _actions(
        {"action_id": "LATE", "deadline": "31-Aug-2009"},
        {"action_id": "SOON", "deadline": "December 2009"},
        {"action_id": "DONE", "deadline": "31-Aug-2009"},
        {"action_id": "STOP", "deadline": "31-Aug-2009"},
        {"action_id": "LATER", "deadline": "March 2010"},
    )
    updates = _updates(
        ("LATE", "2009/10 Q2", "On Target", 80),
        ("SOON", "2009/10 Q2", "On Target", 90),
        ("DONE", "2009/10 Q2", "Completed", 100),
        ("STOP", "2009/10 Q2", "Cancelled", 40),
        ("LATER", "2009/10 Q2", "Off Target", 40),
    )
    rows = action_progress(actions, updates, "2009/10 Q2").set_index("action_id")
    assert rows["overdue"].to_dict() == {
        "LATE": True,
        "SOON": False,
        "DONE": False,
        "STOP": False,
        "LATER": False,
    }
    assert rows["due_soon"][rows["due_soon"]].index.tolist() == ["SOON"]
    assert rows["rag"].to_dict() == {
        "LATE": "Overdue",
        "SOON": "On track",
        "DONE": "Completed",
        "STOP": "Cancelled",
        "LATER": "At risk",
    }
    assert rows.loc["LATE", "rag_reason"] == (
        "Overdue: the deadline, 31 Aug 2009, has passed and it is 80% complete"
    )
    assert rows.loc["LATE", "expected_pct"] == 100
    assert rows.loc["LATER", "rag_reason"] == (
        "At risk: the lead officer reports it Off Target (40% complete)"
    )
    assert overdue_actions(rows.reset_index())["action_id"].tolist() == ["LATE"]


def test_no_update_this_period_and_plans_without_updates() -> None:
    """An action last reported in Q1 has no Q2 update: At risk, its Q1 figure carried. Seed 003's
    actions have no updates: "Already achieved" is Completed; a new plan's action starting this
    quarter is On track; "Ongoing" has no deadline and is never overdue."""
    actions = _actions(
        {"action_id": "QUIET", "deadline": "31-Mar-2011"},
        {"action_id": "DONE", "deadline": "Already achieved"},
        {"action_id": "NEW", "start": "October 2003", "deadline": "April 2004"},
        {"action_id": "ONGOING", "start": "October 2003", "deadline": "Ongoing"},
    )
    updates = _updates(("QUIET", "2009/10 Q1", "On Target", 25))
    quiet = action_progress(actions, updates, "2009/10 Q2").set_index("action_id").loc["QUIET"]
    assert (quiet["rag"], quiet["pct_complete"], quiet["updated_period"]) == (
        "At risk",
        25,
        "2009/10 Q1",
    )
    assert quiet["rag_reason"] == "At risk: no progress reported for 2009/10 Q2"
    plan = action_progress(actions, updates, "2003/04 Q3").set_index("action_id")
    assert plan.loc["DONE", "rag"] == "Completed"
    assert plan.loc["DONE", "rag_reason"] == 'Completed: the timescale says "Already achieved"'
    assert plan.loc["NEW", "rag"] == "On track"
    assert not plan.loc["ONGOING", "overdue"] and plan.loc["ONGOING", "rag"] == "On track"


def test_columns_and_summary() -> None:
    actions = _actions(
        {"action_id": "A", "deadline": "31-Aug-2009", "service": "Care"},
        {"action_id": "B", "deadline": "31-Mar-2011", "service": "Care"},
        {"action_id": "C", "deadline": "31-Mar-2011", "service": "Housing"},
    )
    updates = _updates(
        ("A", "2009/10 Q2", "On Target", 50),
        ("B", "2009/10 Q2", "Completed", 100),
        ("C", "2009/10 Q2", "On Target", 50),
    )
    progress = action_progress(actions, updates, "2009/10 Q2")
    assert tuple(progress.columns[: len(ACTION_COLUMNS)]) == ACTION_COLUMNS
    summary = action_summary(progress).set_index("service")
    assert summary.loc["Care"].to_dict() == {
        "Overdue": 1,
        "At risk": 0,
        "On track": 0,
        "Completed": 1,
        "Cancelled": 0,
        "Total": 2,
    }
    assert summary.index.tolist() == ["Care", "Housing"]  # most overdue first


@settings(deadline=None)  # two pandas passes an example: slow on a busy machine, not wrong
@given(
    st.floats(0, 100),
    st.floats(0, 100),
    st.sampled_from(["On Target", "At Risk", "Off Target", "Not started"]),
)
def test_more_progress_never_worsens_the_rating(low: float, high: float, status: str) -> None:
    """Property: with everything else equal, a higher % complete never gives a worse rating."""
    low, high = sorted((low, high))
    order = {"Completed": 0, "On track": 1, "At risk": 2, "Overdue": 3}
    actions = _actions({"action_id": "X", "start": "1-Apr-2009", "deadline": "31-Mar-2010"})
    ratings = [
        action_progress(actions, _updates(("X", "2009/10 Q2", status, pct)), "2009/10 Q2").iloc[0][
            "rag"
        ]
        for pct in (low, high)
    ]
    assert order[ratings[1]] <= order[ratings[0]]


def test_not_started_with_no_percent_is_nothing_done() -> None:
    """Seed 000's Vision article (HD-RP-04): first reported at 2012/13 Q2, so it runs from
    1 July 2012 to 31 March 2013, 274 days; by 30 September, 92 of them: 33.6% expected.
    "Not started" with no % complete is 0% done: 33.6 points behind, At risk. The % stays blank
    in the output, as the officer left it."""
    actions = _actions({"action_id": "HD-RP-04", "deadline": "March 2013"})
    updates = _updates(("HD-RP-04", "2012/13 Q2", "Not started", float("nan")))
    row = action_progress(actions, updates, "2012/13 Q2").iloc[0]
    assert row["expected_pct"] == pytest.approx(round(92 / 274 * 100, 1))
    assert row["slippage"] == pytest.approx(33.6)
    assert pd.isna(row["pct_complete"])
    assert (row["rag"], row["slipping"]) == ("At risk", True)
    assert row["rag_reason"] == (
        "At risk: 33.6 points behind the 33.6% expected by 30 Sep 2012 (not started, more than "
        "10 points behind)"
    )
    # on target with no % given: nothing to measure it by, so not judged behind
    updates = _updates(("HD-RP-04", "2012/13 Q2", "On target", float("nan")))
    row = action_progress(actions, updates, "2012/13 Q2").iloc[0]
    assert (row["rag"], pd.isna(row["slippage"])) == ("On track", True)


def test_previous_status_and_silent_actions() -> None:
    """The previous columns hold the last report before this period's own; an action with no
    update this period keeps its latest report there and is flagged as silent."""
    actions = _actions(
        {"action_id": "BOTH", "deadline": "31-Mar-2011"},
        {"action_id": "QUIET", "deadline": "31-Mar-2011"},
        {"action_id": "GAP", "deadline": "31-Mar-2011"},
    )
    updates = _updates(
        ("BOTH", "2009/10 Q1", "At risk", 10),
        ("BOTH", "2009/10 Q2", "On target", 40),
        ("QUIET", "2009/10 Q1", "On target", 25),
        ("GAP", "2008/09 Q4", "On target", 5),
        ("GAP", "2009/10 Q2", "On target", 30),
    )
    rows = action_progress(actions, updates, "2009/10 Q2").set_index("action_id")
    assert rows.loc[
        "BOTH", ["previous_status", "previous_period", "previous_pct_complete"]
    ].tolist() == [
        "At risk",
        "2009/10 Q1",
        10,
    ]
    assert rows.loc[
        "QUIET", ["previous_status", "previous_period", "previous_pct_complete"]
    ].tolist() == [
        "On target",
        "2009/10 Q1",
        25,
    ]
    assert rows.loc["GAP", "previous_period"] == "2008/09 Q4"
    assert rows["no_update"].to_dict() == {"BOTH": False, "QUIET": True, "GAP": False}
    assert set(rows["period"]) == {"2009/10 Q2"}


def test_linked_measures() -> None:
    """outcome_measure naming measure ids (one, or several split by ; or ,) links the action to
    each measure's scorecard row; free text links nothing."""
    actions = _actions(
        {"action_id": "A", "deadline": "March 2013", "outcome_measure": "HD-CONTACTS; HD-ISSUES"},
        {"action_id": "B", "deadline": "March 2013", "outcome_measure": "HD-ISSUES"},
        {"action_id": "C", "deadline": "March 2013", "outcome_measure": "Reports to DMT"},
        {"action_id": "D", "deadline": "March 2013", "outcome_measure": ""},
    )
    updates = _updates(("A", "2012/13 Q2", "On target", 40), ("B", "2012/13 Q2", "At risk", 10))
    progress = action_progress(actions, updates, "2012/13 Q2")
    card = pd.DataFrame(
        {"measure_id": ["HD-CONTACTS", "HD-ISSUES"], "rag": ["Red", "Amber"], "value": [1.0, 2.0]}
    )
    linked = linked_measures(progress, card)
    assert linked[["action_id", "measure_id", "rag", "action_rag"]].values.tolist() == [
        ["A", "HD-CONTACTS", "Red", "On track"],
        ["A", "HD-ISSUES", "Amber", "On track"],
        ["B", "HD-ISSUES", "Amber", "At risk"],
    ]


def test_services_with_actions() -> None:
    """A service has an action plan to report in a period when one of its actions is updated
    for the period or starts in it."""
    actions = _actions(
        {"action_id": "A", "service": "Care", "deadline": "March 2010"},
        {"action_id": "B", "service": "Housing", "start": "October 2003", "deadline": "2004"},
        {"action_id": "C", "service": "Parks", "deadline": "March 2010"},
    )
    updates = _updates(("A", "2009/10 Q2", "On target", 40), ("C", "2009/10 Q1", "On target", 5))
    assert services_with_actions(actions, updates, parse_period("2009/10 Q2")) == ["Care"]
    assert services_with_actions(actions, updates, parse_period("2009/10 Q1")) == ["Parks"]
    assert services_with_actions(actions, updates, parse_period("2003/04 Q3")) == ["Housing"]
    assert services_with_actions(actions, updates, parse_period("2003/04 Q4")) == []
    assert services_with_actions(actions.iloc[0:0], updates, parse_period("2009/10 Q2")) == []


@pytest.mark.parametrize(("pct", "rag"), [(20, "On track"), (19.9, "At risk")])
def test_exactly_ten_points_behind_is_still_on_track(pct: float, rag: str) -> None:
    """1 April 2009 to 1 December 2010 is 610 days; by 30 September 2009, 183: exactly 30%
    expected. 20% done is exactly 10 points behind, On track; 19.9% is 10.1 behind, At risk;
    the reason says the same as the rating."""
    actions = _actions({"action_id": "X", "start": "1-Apr-2009", "deadline": "1-Dec-2010"})
    row = action_progress(actions, _updates(("X", "2009/10 Q2", "On target", pct)), "2009/10 Q2")
    row = row.iloc[0]
    assert row["expected_pct"] == 30.0
    assert row["slippage"] == pytest.approx(30 - pct)
    assert (row["rag"], row["slipping"]) == (rag, rag == "At risk")
    assert row["rag_reason"].startswith(f"{rag}:")


def test_a_plan_not_yet_begun_and_no_updates_at_all() -> None:
    """An action starting after the period is not "started this period" and owes nothing yet;
    with no updates file and no start, nothing can be expected and nothing breaks."""
    actions = _actions(
        {"action_id": "LATER", "start": "January 2010", "deadline": "March 2010"},
        {"action_id": "UNDATED", "deadline": "March 2010"},
    )
    empty = _updates().astype({"pct_complete": float})
    rows = action_progress(actions, empty, "2009/10 Q2").set_index("action_id")
    assert rows.loc["LATER", ["rag", "expected_pct"]].tolist() == ["On track", 0.0]
    assert rows.loc["LATER", "rag_reason"] == (
        "On track: starts 1 Jan 2010; nothing is due from it yet"
    )
    assert pd.isna(rows.loc["UNDATED", "expected_pct"])
    assert rows.loc["UNDATED", "rag"] == "At risk"  # never reported on, and it should have been
    assert services_with_actions(actions, empty, parse_period("2009/10 Q2")) == []
    assert services_with_actions(actions, empty, parse_period("2009/10 Q4")) == ["Care"]


def test_monthly_and_slug_labelled_updates_count_for_their_quarter() -> None:
    """A September update is 2009/10 Q2's own (it ends the quarter); labels are read in any
    form the period parser reads and given back in the canonical one."""
    actions = _actions({"action_id": "X", "deadline": "31-Mar-2011"})
    updates = _updates(("X", "2009-06", "On target", 20), ("X", "2009-10-Q2", "On target", 45))
    row = action_progress(actions, updates, "2009/10 Q2").iloc[0]
    assert (row["reported_this_period"], row["updated_period"], row["previous_period"]) == (
        True,
        "2009/10 Q2",
        "2009-06",
    )
    monthly = _updates(("X", "2009-09", "On target", 45))
    row = action_progress(actions, monthly, "2009/10 Q2").iloc[0]
    assert (row["reported_this_period"], row["pct_complete"]) == (True, 45)
    assert services_with_actions(actions, monthly, parse_period("2009/10 Q2")) == ["Care"]
    august = _updates(("X", "2009-08", "On target", 45))  # not the quarter's own
    assert services_with_actions(actions, august, parse_period("2009/10 Q2")) == []


# seed 003's cells as printed (data/sample/actions.csv): HJR-33 says "Completed" and HJR-55 and
# HJR-58 "Achieved" in the outcome column; HJR-36's timescale says the review was completed in
# September 2003; HJR-11's "Completed by March 2004" and HJR-74's half-done timescale are
# deadlines. The plan is dated October 2003 and has no progress reports.
SEED_003_DONE = (
    {
        "action_id": "HJR-33",
        "deadline": "October 2003",
        "outcome_measure": "Improved assessment response and service development.; Completed",
    },
    {
        "action_id": "HJR-55",
        "deadline": "Website and email achieved Leaflet distribution October 2003",
        "outcome_measure": "A more accurate reflection of service user and carer experience "
        "of our services.; Achieved",
    },
    {
        "action_id": "HJR-58",
        "deadline": "October 2003",
        "outcome_measure": "Improved longer term service planning and Supporting Best Value..; "
        "Achieved",
    },
    {
        "action_id": "HJR-36",
        "deadline": "Review completed September 2003",
        "outcome_measure": "Improved service response.; Service Monitoring",
    },
    {
        "action_id": "HJR-11",
        "deadline": "Completed by March 2004",
        "outcome_measure": "Consistent outcome based assessment.; DIS Reference 2160 \u2013 2164, "
        "PAF D39, D40.",
    },
    {
        "action_id": "HJR-74",
        "deadline": "Audit: Already achieved.; Supervision Plans by October 2003.",
        "outcome_measure": "Enhanced practice and decision making.; Continue Supervision "
        "monitoring Staff Opinion Survey",
    },
)


@pytest.mark.parametrize("period", ["2003-10", "2003/04 Q3", "2004/05 Q1"])
def test_done_in_the_plan_is_completed_and_never_overdue(period: str) -> None:
    """HJR-33, HJR-55 and HJR-58 (done, says the outcome column) and HJR-36 (review completed
    September 2003) are Completed in October 2003 and stay so, never Overdue, with the plan's
    words in the reason. HJR-11 is due 31 March 2004 and HJR-74's supervision plans 31
    October 2003: neither is done, so each is Overdue once its date has gone."""
    actions = _actions(*({**row, "start": "October 2003"} for row in SEED_003_DONE))
    empty = _updates().astype({"pct_complete": float})
    rows = action_progress(actions, empty, period).set_index("action_id")
    done = ["HJR-33", "HJR-55", "HJR-58", "HJR-36"]
    assert rows.loc[done, "rag"].tolist() == ["Completed"] * 4
    assert not rows.loc[done, "overdue"].any() and not rows.loc[done, "due_soon"].any()
    assert rows.loc[done, "rag_reason"].tolist() == [
        'Completed: the outcome column says "Completed"',
        'Completed: the outcome column says "Achieved"',
        'Completed: the outcome column says "Achieved"',
        'Completed: the timescale says "Review completed September 2003"',
    ]
    late = {"2003-10": [], "2003/04 Q3": ["HJR-74"], "2004/05 Q1": ["HJR-11", "HJR-74"]}
    assert rows.index[rows["overdue"]].tolist() == late[period]
    assert set(rows.loc[["HJR-11", "HJR-74"], "rag"]) <= {"On track", "Overdue"}


def test_a_report_outweighs_the_plans_words() -> None:
    """The plan's own record of completion counts only while nobody has reported: an officer's
    On target 40% is rated from the figures. "Completed March 2004" in a plan whose action
    starts in October 2003 cannot record work done after the plan began: it is a deadline, On
    track at 2003/04 Q3 and Overdue at 2004/05 Q1; with no start to tell, the words are taken
    as written once March 2004 has come."""
    actions = _actions(
        {"action_id": "SAID", "deadline": "March 2004", "outcome_measure": "Achieved"},
        {"action_id": "LATER", "start": "October 2003", "deadline": "Completed March 2004"},
        {"action_id": "UNDATED", "deadline": "Completed March 2004"},
    )
    updates = _updates(("SAID", "2003/04 Q3", "On target", 40))
    rows = action_progress(actions, updates, "2003/04 Q3").set_index("action_id")
    # reported first at 2003/04 Q3, so from 1 October 2003 to 31 March 2004 (183 days); by
    # 31 December, 92 of them: 50.3% expected, and 40% is 10.3 points behind
    assert rows.loc["SAID", ["expected_pct", "rag"]].tolist() == [
        round(92 / 183 * 100, 1),
        "At risk",
    ]
    assert rows.loc["LATER", "rag"] == "On track"
    later = action_progress(actions, updates, "2004/05 Q1").set_index("action_id")
    assert later.loc["LATER", "rag_reason"] == (
        "Overdue: the deadline, 31 Mar 2004, has passed and no % complete is reported"
    )
    assert later.loc["UNDATED", "rag_reason"] == (
        'Completed: the timescale says "Completed March 2004"'
    )


@pytest.mark.parametrize(
    ("deadline", "reason"),
    [
        # read as done before: each is a deadline, passed by 30 June 2004
        ("Complete March 2004", "Overdue: the deadline, 31 Mar 2004, has passed"),
        ("Complete 31/03/2004", "Overdue: the deadline, 31 Mar 2004, has passed"),
        ("Complete 2003/04", "Overdue: the deadline, 31 Mar 2004, has passed"),
        ("Implemented April 2004", "Overdue: the deadline, 30 Apr 2004, has passed"),
        ("In place April 2004", "Overdue: the deadline, 30 Apr 2004, has passed"),
        ("Done Q3 2003/04", "Overdue: the deadline, 31 Dec 2003, has passed"),
        # part of the work, not the action: words with no deadline, never overdue
        ("Partially achieved", "At risk: no progress reported for 2004/05 Q1"),
        ("Achieved in part", "At risk: no progress reported for 2004/05 Q1"),
        ("Partly completed", "At risk: no progress reported for 2004/05 Q1"),
        ("Funding in place", "At risk: no progress reported for 2004/05 Q1"),
    ],
)
def test_a_deadline_written_as_an_instruction_is_not_done(deadline, reason) -> None:
    """With no start and no report, an action is owed a report every period: At risk at
    2003/04 Q3 ("Done Q3 2003/04" is due on its last day, 31 December 2003, so not yet
    overdue). "Complete March 2004" and the like are deadlines: by 2004/05 Q1 (30 June 2004)
    each has passed and the action is Overdue, never Completed. "Partially achieved" and
    "Funding in place" name no date and record no completion of the whole action."""
    actions = _actions({"action_id": "X", "deadline": deadline})
    empty = _updates().astype({"pct_complete": float})
    q3 = action_progress(actions, empty, "2003/04 Q3").iloc[0]
    assert q3["rag_reason"] == "At risk: no progress reported for 2003/04 Q3"
    q1 = action_progress(actions, empty, "2004/05 Q1").iloc[0]
    if reason.startswith("Overdue"):
        reason += " and no % complete is reported"
    assert q1["rag_reason"] == reason


@pytest.mark.parametrize(
    ("deadline", "rag"),
    [
        ("Review completed September 2003", "Completed"),  # HJR-36: the month before
        ("Review completed October 2003", "Completed"),  # the plan's own month
        ("Review completed November 2003", "Overdue"),  # after the plan began: a deadline
    ],
)
def test_a_date_of_completion_counts_when_it_began_by_the_start(deadline, rag) -> None:
    """Seed 003's plan starts its actions on 1 October 2003. A date of completion whose first
    day is on or before the start (September, or October itself) records work already done;
    November 2003 was still to come when the plan began, so it is a deadline, passed by 31
    December 2003 (2003/04 Q3)."""
    actions = _actions({"action_id": "X", "start": "October 2003", "deadline": deadline})
    empty = _updates().astype({"pct_complete": float})
    assert action_progress(actions, empty, "2003/04 Q3").iloc[0]["rag"] == rag


def test_officers_words_for_completed(tiny) -> None:
    """action_updates.csv's status may say Achieved, Already achieved, Complete or Done, in any
    case: each is Completed, and Done at 80% warns as Completed at 80% does."""
    folder = tiny(
        actions="action_id,title,service,lead_officer,deadline\n"
        + "".join(f"A{n},Step {n},Help Desk,A. Officer,March 2018\n" for n in range(1, 6)),
        action_updates="action_id,period,status,pct_complete\n"
        "A1,2017/18 Q1,Achieved,100\n"
        "A2,2017/18 Q1,already achieved,\n"
        "A3,2017/18 Q1,COMPLETE,100\n"
        "A4,2017/18 Q1,Done,80\n"
        "A5,2017/18 Q1,On target,50\n",
    )
    data = load_dataset(folder)
    assert data.action_updates["status"].tolist() == ["Completed"] * 4 + ["On target"]
    rows = action_progress(data.actions, data.action_updates, "2017/18 Q1")
    assert rows["rag"].tolist() == ["Completed"] * 4 + ["On track"]
    assert rows["rag_reason"].tolist()[:2] == [
        "Completed: reported as Completed (100% complete)",
        "Completed: reported as Completed (no % complete reported)",
    ]
    warnings = [str(p) for p in validate_dataset(folder) if p.severity == "warning"]
    assert warnings == [
        "action_updates.csv, row 5, column pct_complete: '80' is less than 100 for an action "
        "whose status is Completed"
    ]


def test_joint_leads_are_each_counted() -> None:
    """Each person a lead_officer cell names counts the action once: split at ;, /, & and
    " and " (never the "and" in Alexander or Sandra), names differing only in spacing or case
    are one person, spelt the way most cells spell them."""
    leads = pd.Series(
        [
            "Stephanie Canham / Henry Lewis",
            "Sue Alexander; stephanie  canham",
            "Henry Lewis & Sandra Anderson",
            "Stephanie Canham and Capacity Planning Group",
            "Stephanie Canham",
            "",
        ]
    )
    assert lead_officers(leads).tolist() == [
        ["Stephanie Canham", "Henry Lewis"],
        ["Sue Alexander", "Stephanie Canham"],
        ["Henry Lewis", "Sandra Anderson"],
        ["Stephanie Canham", "Capacity Planning Group"],
        ["Stephanie Canham"],
        [""],
    ]
    actions = _actions(
        *(
            {"action_id": f"A{n}", "deadline": "March 2010", "lead_officer": lead}
            for n, lead in enumerate(leads, 1)
        )
    )
    updates = _updates(*((f"A{n}", "2009/10 Q2", "On target", 60) for n in range(1, 7)))
    summary = action_summary(action_progress(actions, updates, "2009/10 Q2"), "lead_officer")
    assert summary.set_index("lead_officer")["Total"].to_dict() == {
        "Stephanie Canham": 4,
        "Henry Lewis": 2,
        "": 1,
        "Capacity Planning Group": 1,
        "Sandra Anderson": 1,
        "Sue Alexander": 1,
    }


@pytest.mark.parametrize(
    ("cell", "others", "people"),
    [
        # job titles and firms: a part would be one word, or end or begin with "of", "and"...
        ("Marks & Spencer Liaison", [], ["Marks & Spencer Liaison"]),
        ("Health & Safety Officer", [], ["Health & Safety Officer"]),
        ("Head of Planning and Regeneration", [], ["Head of Planning and Regeneration"]),
        ("Sam Marks and Sons", [], ["Sam Marks and Sons"]),
        (
            "Head of Planning and the Regeneration Team",
            [],
            ["Head of Planning and the Regeneration Team"],
        ),
        # "Economic Development" carries on the post "Director of Planning"
        (
            "Director of Planning and Economic Development",
            [],
            ["Director of Planning and Economic Development"],
        ),
        ("Director of Health & Social Care", [], ["Director of Health & Social Care"]),
        # two posts, or a post and a person who leads alone elsewhere: two leads
        (
            "Head of Planning and Head of Regeneration",
            [],
            [
                "Head of Planning",
                "Head of Regeneration",
            ],
        ),
        (
            "Director of Social Care and Sue Alexander",
            ["Sue Alexander"],
            [
                "Director of Social Care",
                "Sue Alexander",
            ],
        ),
        (
            "Director of Health & Social Care / Sue Alexander",
            [],
            [
                "Director of Health & Social Care",
                "Sue Alexander",
            ],
        ),
        # one word splits off only where it leads alone elsewhere in the plan
        ("DMT / Stephanie Canham", ["DMT"], ["DMT", "Stephanie Canham"]),
        ("DMT / Stephanie Canham", [], ["DMT / Stephanie Canham"]),
        ("Smith / Jones", [], ["Smith / Jones"]),
        # a ";" always separates
        ("Smith; Jones", [], ["Smith", "Jones"]),
        # run together: never a piece "Director of" or "Head of"
        ("Director of Adult Services", ["Adult Services"], ["Director of Adult Services"]),
        (
            "Head of Adult Services Stephanie Canham",
            ["Adult Services", "Stephanie Canham"],
            ["Head of Adult Services", "Stephanie Canham"],
        ),
    ],
)
def test_joint_leads_are_split_only_into_leads(cell, others, people) -> None:
    """Council plans name posts as leads: a cell is split at "/", "&", " and " or a line break
    only where every part could lead in its own right (two words or more, or a name leading
    alone elsewhere in the plan; never a part beginning or ending with "of", "for", "and",
    "the", "to" ...), and not where the part after "and" or "&" carries on a post ("Director of
    Planning" and "Economic Development")."""
    assert lead_officers(pd.Series([cell, *others])).tolist()[0] == people


def test_names_run_together_in_seed_003() -> None:
    """Seed 003's lead officer cells as printed: a cell of names one after another ("Henry
    Lewis Stephanie Canham") is split at the names that lead alone elsewhere in the plan, what
    is left kept as a name of its own; HJR-16 names Stephanie Canham twice and counts once. By
    hand from the seed: Stephanie Canham leads 22 actions alone and shares 10 (HJR-02, 05, 16,
    21, 30, 31, 35, 45, 50, 51): 32; Sue Alexander 25 alone and HJR-02: 26; Henry Lewis 13
    alone and HJR-05, 21, 31, 45, 50, 51: 19."""
    actions = load_dataset(SAMPLE).actions
    plan = actions[actions["action_id"].str.startswith("HJR-")].set_index("action_id")
    people = lead_officers(plan["lead_officer"])
    assert people["HJR-16"] == ["Stephanie Canham", "Capacity Planning Group"]
    assert people["HJR-50"] == ["Henry Lewis", "Stephanie Canham", "Julie Thornby PCT"]
    assert people["HJR-31"] == ["Stephanie Canham", "Henry Lewis", "Mike Thomas"]
    assert people["HJR-30"] == [
        "Stephanie Canham",
        "Herefordshire Centre for Independent Living",
    ]
    assert people["HJR-35"] == ["Stephanie Canham", "Trish Jay (PCT)"]
    counts = people.explode().value_counts()
    assert counts[["Stephanie Canham", "Sue Alexander", "Henry Lewis"]].tolist() == [32, 26, 19]
    assert counts.sum() == 74 + 12  # 10 cells name two people, HJR-31 and HJR-50 three
    # a name is split off only when it leads alone somewhere, and never leaves a single word
    assert lead_officers(pd.Series(["Henry Lewis Jones", "Henry Lewis"])).tolist() == [
        ["Henry Lewis Jones"],
        ["Henry Lewis"],
    ]


def test_an_activity_starts_with_its_action() -> None:
    """Seed 001's activities are printed only in the Q2 report; with no start of their own they
    run from their action's start, 1 April 2009 (its Q1 report): one due 31 March 2010 expects
    183 of 365 days, 50.1%, by 30 September, as its action does, not 92 of 274 from July."""
    actions = _actions(
        {"action_id": "AP-06", "deadline": "31-Mar-2010"},
        {"action_id": "AP-06-A4", "deadline": "31-Mar-2010", "parent_id": "AP-06"},
        {"action_id": "AP-06-A3", "deadline": "31-Dec-2009", "parent_id": "AP-06"},
        {"action_id": "LONE", "deadline": "31-Mar-2010", "parent_id": "ELSEWHERE"},
    )
    updates = _updates(
        ("AP-06", "2009/10 Q1", "On Target", 40),
        ("AP-06", "2009/10 Q2", "On Target", 60),
        ("AP-06-A4", "2009/10 Q2", "On Target", float("nan")),
        ("AP-06-A3", "2009/10 Q2", "On Target", float("nan")),
        ("LONE", "2009/10 Q2", "On Target", float("nan")),
    )
    rows = action_progress(actions, updates, "2009/10 Q2").set_index("action_id")
    assert rows["expected_pct"].to_dict() == {
        "AP-06": round(183 / 365 * 100, 1),
        "AP-06-A4": round(183 / 365 * 100, 1),
        "AP-06-A3": round(183 / 275 * 100, 1),  # 1 April to 31 December 2009: 275 days
        "LONE": round(92 / 274 * 100, 1),  # its action is not in the plan: from 1 July
    }
    assert rows.loc["AP-06-A4", "rag_reason"] == (
        "On track: no % complete reported, 50.1% expected by 30 Sep 2009"
    )
