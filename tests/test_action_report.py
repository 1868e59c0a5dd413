"""The action plan report on the sample's real plans: seed 001 (Sefton, 2009/10 Q2, its 21
actions and 43 activities) and seed 000's recovery plan (Help Direct, 2012/13 Q2), with figures
checked against the seeds."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import SAMPLE
from perfnb import ActionReport, load_dataset
from perfnb.charts import action_progress_chart
from perfnb.pages.action_plan import (
    action_counts,
    action_reasons_table,
    action_sections,
    action_summary_table,
    action_table,
    linked_measures_table,
    outcome_text,
    overdue_table,
)


@pytest.fixture(scope="module")
def sefton() -> ActionReport:
    return ActionReport.build(load_dataset(SAMPLE), "2009/10 Q2", "Health and Social Care")


@pytest.fixture(scope="module")
def help_direct() -> ActionReport:
    return ActionReport.build(load_dataset(SAMPLE), "2012/13 Q2", "Help Direct")


def _actions_only(progress: pd.DataFrame) -> pd.DataFrame:
    """The actions of a plan, without their activities."""
    return progress[progress["parent_id"].fillna("").eq("")].reset_index(drop=True)


def _row(table, action_id: str) -> pd.Series:
    frame = table.data
    return frame[frame[("", "Action")] == action_id].iloc[0]


def test_monitoring_table_in_seed_001_shape(sefton) -> None:
    """Action, lead, deadline, then status and % complete for Q1 and Q2 as seed 001 prints
    them (COR-HSC-AP-29: On Target 25 in Quarter 1, On Target 50 in Quarter 2), expected
    progress and the rating."""
    table = sefton.action_table()
    shown = [c for c in table.data.columns if table.data[c].astype(str).str.strip().ne("").any()]
    assert shown == [
        ("", "Action"),
        ("", "Title"),
        ("", "Lead officer"),
        ("", "Deadline"),
        ("2009/10 Q1", "Status"),
        ("2009/10 Q1", "% complete"),
        ("2009/10 Q2", "Status"),
        ("2009/10 Q2", "% complete"),
        ("", "Expected"),
        ("", "Rating"),
    ]
    row = _row(table, "COR-HSC-AP-29")
    assert row.tolist()[:10] == [
        "COR-HSC-AP-29",
        "To implement issues arising from the JSNA, based on the views of the public as part of "
        "the analysis of engagement and consultation.",
        "Peter Pattenden",
        "31-Mar-2011",
        "On target",
        "25%",
        "On target",
        "50%",
        "25.1%",  # 183 of 730 days
        "On track",
    ]
    assert len(table.data) == 21 + 43  # seed 001's actions and their activities
    assert table.wide


# seed 001's activities due before 30 September 2009 that it prints as On Target, not Completed
LATE_ACTIVITIES = [
    "COR-HSC-AP-29-A2",  # 30-Jun-2009
    "DSP-HSC-AP-06-A1",  # 30-Apr-2009
    "DSP-HSC-AP-06-A2",  # 30-Jun-2009
    "DSP-HSC-AP-06-A5",  # 31-May-2009
    "DSP-HSC-AP-08-A1",  # 30-Apr-2009
    "DSP-HSC-AP-08-A3",  # 30-Apr-2009
    "DSP-HSC-AP-08-A4",  # 30-Apr-2009
    "DSP-HSC-AP-09-A1",  # 30-Jun-2009, as are A2 and A3
    "DSP-HSC-AP-09-A2",
    "DSP-HSC-AP-09-A3",
    "DSP-HSC-AP-10-A3",  # 30-Apr-2009
    "DSP-HSC-AP-11-A2",  # 31-Aug-2009
    "DSP-HSC-AP-14-A3",  # 30-Jun-2009
]


def test_overdue_slipping_and_disputed_actions_are_highlighted(sefton) -> None:
    """DSP-HSC-AP-09 was due 30-Jun-2009: its deadline is flagged, as are the 13 activities
    seed 001 prints On Target past their deadlines. DSP-HSC-AP-13 (due 31-Oct-2009: 183 of 214
    days gone, 85.5% expected) is 50% complete, 35.5 points behind: its % complete is flagged,
    and its On target status, which the rating disputes. Activities have no % complete, so
    none is behind."""
    table = sefton.action_table()
    flags = table.flags.set_index(table.data[("", "Action")])
    flagged = {
        column: sorted(flags.index[flags[column]])
        for column in flags.columns
        if flags[column].any()
    }
    assert flagged[("", "Deadline")] == sorted(["DSP-HSC-AP-09", *LATE_ACTIVITIES])
    # more than 10 points behind: AP-05 40% of 50.1%, AP-08 60% and AP-09 70% of the 100% due
    # by now, AP-13 50% of 85.5%
    assert flagged[("2009/10 Q2", "% complete")] == [
        "DSP-HSC-AP-05",
        "DSP-HSC-AP-08",
        "DSP-HSC-AP-09",
        "DSP-HSC-AP-13",
    ]
    assert flagged[("2009/10 Q2", "Status")] == sorted(
        ["DSP-HSC-AP-05", "DSP-HSC-AP-08", "DSP-HSC-AP-09", "DSP-HSC-AP-13", *LATE_ACTIVITIES]
    )
    assert _row(table, "DSP-HSC-AP-13")[("", "Expected")] == f"{round(183 / 214 * 100, 1)}%"
    html = table.to_html()
    assert html.count(' flag"') == (1 + 13) + 4 + (4 + 13)
    assert "action-overdue" in html and "action-at-risk" in html


def test_summary_counts_and_lists(sefton) -> None:
    """21 actions: DSP-HSC-AP-09 overdue; AP-05 (40% of 50.1%), AP-08 and AP-13 behind or
    overdue; AP-02 completed; the other 16 (with the drug-treatment action, AP-16) on track.
    43 activities: 13 overdue, 3 completed (AP-02's two, AP-17's mobile clinic), 27 on track.
    Due in Q3: AP-13 and four activities (AP-05-A1, AP-13-A1, AP-14-A2 due 31 October, AP-06-A3
    due 31 December)."""
    html = sefton.summary().data
    assert "21 actions and 43 activities:" in html
    for badge in ("Overdue 14", "At risk 3", "On track 43", "Completed 4"):
        assert badge in html
    assert "Cancelled" not in html  # no cancelled action: no empty badge
    assert "<strong>14</strong> overdue: " in html
    assert '<a href="#action-dsp-hsc-ap-09">DSP-HSC-AP-09</a>' in html
    assert "<strong>5</strong> due in 2009/10 Q3" in html
    assert "<strong>17</strong> rated differently from the lead officer" in html


def test_counts_by_lead_officer_from_seed_001(sefton) -> None:
    """Seed 001's lead officers, actions and activities together, counted from the seed:
    Robina Critchley leads 5 actions (AP-06, 08, 09, 15, 16) and 10 activities (COR-29's
    second, AP-06's first and fourth, AP-08's four, AP-09's three), 9 of them overdue (AP-09
    and the 8 activities) and AP-08 at risk; Bob McConnell 13 actions and AP-07's 3 activities,
    AP-05 and AP-13 at risk and AP-02 completed; Martin Murphy 11 activities (AP-10, 11, 12,
    13, 14), 3 overdue; Peter Pattenden 3 actions and 4 activities; Margaret Milne 6
    activities, 3 completed; Derek Jones 5, 2 overdue; John Hill 3; Barry Robinson 1. Most
    overdue first."""
    table = action_summary_table(sefton.progress, "lead_officer").data.set_index("Lead officer")
    assert table[["Overdue", "At risk", "On track", "Completed", "Total"]].values.tolist() == [
        [9, 1, 5, 0, 15],
        [3, 0, 8, 0, 11],
        [2, 0, 3, 0, 5],
        [0, 2, 13, 1, 16],
        [0, 0, 7, 0, 7],
        [0, 0, 3, 3, 6],
        [0, 0, 3, 0, 3],
        [0, 0, 1, 0, 1],
    ]
    assert table.index.tolist() == [
        "Robina Critchley",
        "Martin Murphy",
        "Derek Jones",
        "Bob McConnell",
        "Peter Pattenden",
        "Margaret Milne",
        "John Hill",
        "Barry Robinson",
    ]


def test_overdue_table(sefton) -> None:
    """Longest overdue first: the five activities due 30 April 2009, then 31 May, the seven
    rows due 30 June (DSP-HSC-AP-09 among them), and 31 August."""
    data = overdue_table(sefton.progress).data
    assert data["Deadline"].tolist() == ["30-Apr-2009"] * 5 + ["31-May-2009"] + [
        "30-Jun-2009"
    ] * 7 + ["31-Aug-2009"]
    assert data.set_index("Action").loc["DSP-HSC-AP-09"].tolist() == [
        "To develop and implement a 'No Wrong Door' policy with regard to access to services.",
        "Robina Critchley",
        "30-Jun-2009",
        "70%",
    ]
    assert data.set_index("Action").loc["DSP-HSC-AP-06-A1", "% complete"] == ""


def test_progress_chart_shows_each_action_against_expected(sefton, help_direct) -> None:
    """A bar per action with a % complete, a tick at the expected %; cancelled actions and
    those with neither figure are left out (Help Direct: the three completed and HD-RP-04)."""
    chart = sefton.progress_chart()  # activities have no % complete: actions only
    bars = {bar["action_id"]: bar for bar in chart.model["bars"]}
    assert len(bars) == 21 and not any(action.endswith(("-A1", "-A2")) for action in bars)
    assert (bars["DSP-HSC-AP-13"]["pct_complete"], bars["DSP-HSC-AP-13"]["expected_pct"]) == (
        50,
        85.5,
    )
    assert bars["DSP-HSC-AP-09"]["rag"] == "Overdue"
    assert "DSP-HSC-AP-09 70% complete, 100% expected (Overdue)" in chart.alt
    chart.close()
    chart = action_progress_chart(help_direct.progress)
    assert [bar["action_id"] for bar in chart.model["bars"]] == [
        "HD-RP-01",
        "HD-RP-02",
        "HD-RP-03",
        "HD-RP-04",
    ]
    assert "HD-RP-04 no % complete given, 33.6% expected (At risk)" in chart.alt
    chart.close()
    with pytest.raises(ValueError, match="needs an action with a % complete"):
        action_progress_chart(help_direct.progress.iloc[4:6])


def test_recovery_plan_linked_to_its_measures(help_direct) -> None:
    """Seed 000's recovery plan is there to lift HD-CONTACTS and HD-ISSUES, both Red at Q2:
    17,135 contacts against 19,000 (-9.8%) and 23,652 issues against 26,000 (-9.0%), as the
    seed's table shows (it rounds to -10% and -9%)."""
    table = linked_measures_table(help_direct.linked)
    rows = table.data.set_index("Measure")
    assert rows.loc[
        "HD-CONTACTS", ["RAG", "This period", "Target to date", "Variance"]
    ].tolist() == [
        "Red",
        "17,135",
        "19,000",
        f"{(17135 - 19000) / 19000 * 100:.1f}%",
    ]
    assert rows.loc["HD-ISSUES", ["RAG", "This period", "Variance"]].tolist() == [
        "Red",
        "23,652",
        f"{(23652 - 26000) / 26000 * 100:.1f}%",
    ]
    actions = rows.loc["HD-CONTACTS", "Actions"]
    assert actions.startswith("HD-RP-01 (Completed); HD-RP-02 (Completed); HD-RP-03 (Completed)")
    assert "HD-RP-04 (At risk)" in actions and "HD-RP-06 (Cancelled)" in actions
    monitoring = help_direct.action_table()
    assert _row(monitoring, "HD-RP-05")[("", "Outcome measure")] == (
        "HD-CONTACTS (Red); HD-ISSUES (Red)"
    )
    assert "<caption>Recovery plan</caption>" in monitoring.to_html()


def test_outcome_text() -> None:
    rags = {"HD-CONTACTS": "Red", "NEW": ""}
    assert outcome_text("HD-CONTACTS", rags) == "HD-CONTACTS (Red)"
    assert outcome_text("NEW", rags) == "NEW (not rated)"
    assert outcome_text("Reports to DMT", rags) == "Reports to DMT"
    assert outcome_text("HD-CONTACTS; Reports to DMT", rags) == "HD-CONTACTS; Reports to DMT"
    assert outcome_text("", rags) == ""


def test_sections_give_progress_and_issues_in_full(help_direct) -> None:
    """Each action with words this period gets a section with its text in full, escaped;
    the cancelled Council Tax leaflet shows the District Councils' reason as its issue."""
    html = action_sections(help_direct.progress)
    assert html.count('<section class="perfnb-action"') == 9
    assert (
        "District Councils are taking a different approach this year due to legislative changes"
        in html
    )
    assert "<h4>Issues affecting progress and corrective actions</h4>" in html
    progress = help_direct.progress.copy()
    progress.loc[0, "progress"] = "<script>alert(1)</script>"
    assert "&lt;script&gt;" in action_sections(progress)
    quiet = progress.assign(progress="", issues="")
    assert "No progress was reported" in action_sections(quiet)


def test_reasons_table_keeps_the_officers_status(sefton) -> None:
    table = action_reasons_table(sefton.progress)
    row = table.data.set_index("Action").loc["DSP-HSC-AP-09"]
    assert row.tolist() == [
        "Overdue",
        "On target",
        "Overdue: the deadline, 30 Jun 2009, has passed and it is 70% complete",
    ]
    assert table.flags["Officer's status"].sum() == 4 + 13  # and the late activities


def test_new_plan_without_updates(tmp_path) -> None:
    """Seed 003 (Herefordshire) in its month, October 2003: 74 actions starting then, no % yet,
    so no chart. Three name a month already gone (June, August, September 2003: HJR-27, 43,
    37) and are overdue; HJR-36's "Review completed September 2003" is done. 17 are
    Completed: the 13 whose timescale says Already achieved, Achieved or Established, HJR-36,
    and HJR-33, 55 and 58, whose outcome column says Completed or Achieved. The other 54 are
    starting, 10 of them due in October itself (the 13 due then less HJR-33, 55 and 58)."""
    report = ActionReport.build(
        load_dataset(SAMPLE), "2003-10", "Social Care and Strategic Housing", tmp_path
    )
    progress = report.progress.set_index("action_id")
    assert len(progress) == 74
    assert sorted(progress.index[progress["overdue"]]) == ["HJR-27", "HJR-37", "HJR-43"]
    assert progress.loc["HJR-27", "rag_reason"] == (
        "Overdue: the deadline, 30 Jun 2003, has passed and no % complete is reported"
    )
    assert action_counts(report.progress) == {
        "Overdue": 3,
        "At risk": 0,
        "On track": 54,
        "Completed": 17,
        "Cancelled": 0,
    }
    others = progress[~progress["overdue"]]
    assert set(others["rag"]) == {"On track", "Completed"}
    completed = others[others["rag"] == "Completed"]
    said = completed["rag_reason"].str.extract(r"^Completed: the (timescale|outcome column)")[0]
    assert sorted(completed.index[said.eq("outcome column")]) == ["HJR-33", "HJR-55", "HJR-58"]
    assert said.eq("timescale").sum() == 13 + 1  # HJR-36 too
    assert progress.loc["HJR-33", "rag_reason"] == 'Completed: the outcome column says "Completed"'
    starting = others.loc[others["rag"] == "On track"]
    due_now = starting["deadline_date"].eq(pd.Timestamp("2003-10-31"))
    assert due_now.sum() == 10
    assert (
        starting.loc[due_now, "rag_reason"]
        .eq("On track: started this period and due by 31 Oct 2003; no progress reported")
        .all()
    )
    assert (
        starting.loc[~due_now, "rag_reason"]
        .eq("On track: started this period; no progress due yet")
        .all()
    )
    assert "No action has a % complete reported" in report.progress_chart().data
    tables = report.summary_tables()
    assert [t.name for t in tables] == ["actions-by-theme", "actions-by-lead-officer"]
    # the files the run publishes for them
    assert sorted(name for t in tables for name in t.exhibit().files) == [
        "actions-by-lead-officer.csv",
        "actions-by-theme.csv",
    ]


def test_activities_follow_their_action(sefton) -> None:
    """An activity (parent_id set) is listed straight after its action, saying whose it is;
    one whose action is not in the plan stays where it is."""
    progress = _actions_only(sefton.progress).iloc[:3].copy()
    extra = progress.iloc[[0, 0, 0]].copy()
    extra["action_id"] = ["ACT-1", "ACT-2", "ORPHAN"]
    extra["title"] = ["First step", "Second step", "Lost step"]
    extra["parent_id"] = ["COR-HSC-AP-30", "COR-HSC-AP-29", "NOWHERE"]
    table = action_table(pd.concat([progress, extra], ignore_index=True))
    assert table.data[("", "Action")].tolist() == [
        "COR-HSC-AP-29",
        "ACT-2",
        "COR-HSC-AP-30",
        "ACT-1",
        "COR-HSC-AP-31",
        "ORPHAN",
    ]
    titles = table.data.set_index(("", "Action"))[("", "Title")]
    assert titles["ACT-1"] == "Activity of COR-HSC-AP-30: First step"
    assert titles["ORPHAN"] == "Activity of NOWHERE: Lost step"
    flags = table.flags.set_index(table.data[("", "Action")])
    assert flags.index.tolist() == table.data[("", "Action")].tolist()


def test_a_service_without_actions_gets_an_empty_report() -> None:
    """Opened for a service with no actions, every part of the notebook still shows."""
    report = ActionReport.build(load_dataset(SAMPLE), "2017/18 Q1", "Adult Social Care")
    assert report.progress.empty
    assert "This service has no actions." in report.action_table().to_html()
    assert "0 actions" in report.summary().data
    assert "No action has a % complete" in report.progress_chart().data
    for table in (
        *report.summary_tables(),
        overdue_table(report.progress),
        action_reasons_table(report.progress),
        linked_measures_table(report.linked),
    ):
        assert table.to_html()
    assert "No progress was reported" in report.sections().data


def test_activities_take_their_actions_theme_and_are_counted(sefton) -> None:
    """An activity with no theme sits under its action's; an activity of an activity follows
    it; the summary counts actions and activities apart."""
    progress = _actions_only(sefton.progress).iloc[:2].copy()
    progress["theme"] = ["Access", "Quality"]
    extra = progress.iloc[[0, 0]].copy()
    extra["action_id"] = ["STEP-1", "STEP-1a"]
    extra["parent_id"] = ["COR-HSC-AP-30", "STEP-1"]
    extra["theme"] = ["", ""]
    both = pd.concat([extra.iloc[[1]], progress, extra.iloc[[0]]], ignore_index=True)
    table = action_table(both)
    assert table.data[("", "Action")].tolist() == [
        "COR-HSC-AP-29",
        "COR-HSC-AP-30",
        "STEP-1",
        "STEP-1a",
    ]
    assert table.data[("", "Theme")].tolist() == ["Access", "Quality", "Quality", "Quality"]
    report = ActionReport(sefton.data, sefton.period, sefton.service, both, sefton.card)
    assert "2 actions and 2 activities:" in report.summary().data


def test_the_drug_treatment_action_and_its_missed_milestone(sefton) -> None:
    """Seed 001's drug-treatment action (the sample's DSP-HSC-AP-16: the seed prints no code)
    is On Target, 25% at Q1 and 50% at Q2, due 31-Mar-2010: 50% of the 50.1% expected is 0.1
    points behind, On track, as its lead officer says. Its progress text reports the missed
    monthly milestone, in full in its section; "not achieved" there never makes it Completed.
    Its three activities (John Hill, due 31-Mar-2010, On Target) follow it."""
    row = sefton.progress.set_index("action_id").loc["DSP-HSC-AP-16"]
    assert (row["status"], row["pct_complete"], row["previous_pct_complete"]) == (
        "On target",
        50,
        25,
    )
    assert (row["rag"], row["status_differs"]) == ("On track", False)
    assert row["rag_reason"] == "On track: 50% complete, 50.1% expected by 30 Sep 2009"
    assert row["title"] == (
        "become a pilo \u0393) has been successful in a bid to ogramme', which will test out new"
    )
    assert row["progress"].startswith(
        "Latest data shows us that Sefton has not achieved its monthly milestone for numbers in "
        "Effective Treatment."
    )
    section = sefton.sections().data
    start = section.index('id="action-dsp-hsc-ap-16"')
    own = section[start : section.index("</section>", start)]
    assert "not achieved its monthly milestone" in own and "within 24 hours." in own
    assert "On track: 50% complete, 50.1% expected by 30 Sep 2009" in own
    table = sefton.action_table().data
    actions = table[("", "Action")].tolist()
    at = actions.index("DSP-HSC-AP-16")
    assert actions[at : at + 5] == [
        "DSP-HSC-AP-16",
        "DSP-HSC-AP-16-A1",
        "DSP-HSC-AP-16-A2",
        "DSP-HSC-AP-16-A3",
        "DSP-HSC-AP-17",
    ]
    assert _row(sefton.action_table(), "DSP-HSC-AP-16-A3")[("", "Title")] == (
        "Activity of DSP-HSC-AP-16: To improve outcomes for service users."
    )


def test_seed_001_activities_as_printed(sefton) -> None:
    """Each activity is a row under its action with the seed's lead officer, deadline and Q2
    status, no % complete, and its comments as its progress: AP-17's mobile clinic is printed
    Completed; AP-06's carers pilot, due 30-Apr-2009 and printed On Target, is Overdue; an
    activity due 31-Mar-2010 expects 50.1% by 30 September, as its action does."""
    rows = sefton.progress.set_index("action_id")
    activities = rows[rows["parent_id"].fillna("").ne("")]
    assert len(activities) == 43
    assert activities["pct_complete"].isna().all()
    assert activities["parent_id"].value_counts().sort_index().tolist() == [
        2,  # COR-HSC-AP-29
        3,  # DSP-HSC-AP-01
        2,
        1,  # 04
        1,
        5,  # 06
        3,
        4,  # 08
        3,
        3,  # 10
        3,
        1,  # 12
        1,
        3,  # 14
        3,
        3,  # 16
        2,
    ]
    clinic = rows.loc["DSP-HSC-AP-17-A2"]
    assert (clinic["lead_officer"], clinic["deadline"], clinic["status"], clinic["rag"]) == (
        "Margaret Milne",
        "31-Mar-2010",
        "Completed",
        "Completed",
    )
    assert clinic["title"].startswith("o improve access to services")  # as printed
    carers = rows.loc["DSP-HSC-AP-06-A1"]
    assert (carers["rag"], carers["status"], carers["progress"]) == (
        "Overdue",
        "On target",
        "Carers Panel continues. Financial resources agreed and allocated.",
    )
    assert rows.loc["DSP-HSC-AP-07-A1", "expected_pct"] == round(183 / 365 * 100, 1)
