"""The scorecard frame: the figure each measure reports for a period, beside its target."""

from __future__ import annotations

import math

import pytest

from conftest import SAMPLE
from perfnb import build_scorecard, load_dataset
from perfnb.scorecard import SCORECARD_COLUMNS, services_with_figures


@pytest.fixture(scope="module")
def q1():
    """The sample's 2017/18 Q1 scorecard for every service, indexed by measure."""
    return build_scorecard(load_dataset(SAMPLE), "2017/18 Q1").set_index("measure_id")


@pytest.mark.parametrize(
    ("measure", "value", "target"),
    [
        # seed 004, 2017/18 Q1 column and year-end target column
        ("ASCOF-2D", 77.4, 80.0),
        ("ASCOF-1C1A", 92.5, 97.0),
        ("ASCOF-1G", 79.9, 80.0),
        ("LIB-VISITS", 238200.0, 1000000.0),
        ("LIB-ELOANS", 30300.0, 100200.0),
        ("SG-OUTCOMES", 94.6, 85.0),
    ],
)
def test_seed_004_figures(q1, measure: str, value: float, target: float) -> None:
    """The sample's Q1 figures and year-end targets are seed 004's own."""
    assert q1.loc[measure, "value"] == value
    assert q1.loc[measure, "annual_target"] == target


def test_band_targets(q1) -> None:
    """Seed 004's 'Meet need' sequels: 10.9% against a 5-9% band."""
    row = q1.loc["SEQ-MEET"]
    assert (row["value"], row["band_low"], row["band_high"]) == (10.9, 5.0, 9.0)
    assert math.isnan(row["target"])


def test_pending_survey_keeps_its_note(q1) -> None:
    """ASCOF 4B is 'Due May-18': pending, never zero, and its target still shown."""
    row = q1.loc["ASCOF-4B"]
    assert row["pending"] and math.isnan(row["value"])
    assert row["note"] == "Due May-18"
    assert row["target"] == 90.0


def test_annual_measure_shows_latest_year(q1) -> None:
    """LALS success rate has no 2017/18 figure yet: the 2016/17 academic year's 96% is shown."""
    row = q1.loc["LALS-SUCCESS"]
    assert (row["value"], row["value_period"], row["note"]) == (
        96.0,
        "2016/17",
        "Academic year 16/17",
    )


def test_measure_without_figure_says_so(q1) -> None:
    """Help Direct has nothing in 2017/18 Q1: pending with a note, not a blank or a zero."""
    row = q1.loc["HD-CONTACTS"]
    assert row["pending"] and row["note"] == "No figure for 2017/18 Q1"


def test_help_direct_quarter_two() -> None:
    """Seed 000: Q2 2012/13 discrete contacts are 17,135 - 8,017 = 9,118; annual target 38,000."""
    card = build_scorecard(load_dataset(SAMPLE), "2012-13-Q2", services=["Help Direct"])
    assert card["measure_id"].tolist() == ["HD-CONTACTS", "HD-ISSUES"]
    assert card["period_value"].tolist() == [9118.0, 23652.0 - 10641.0]
    assert card["value"].tolist() == [17135.0, 23652.0]  # the year to date, as seed 000 prints
    assert card["annual_target"].tolist() == [38000.0, 52000.0]
    assert set(card["period"]) == {"2012/13 Q2"}


def test_columns_and_order(q1) -> None:
    """The frame has the documented columns, rows in measures.csv order."""
    card = build_scorecard(load_dataset(SAMPLE), "2017/18 Q1", services=["Adult Social Care"])
    assert list(card.columns) == SCORECARD_COLUMNS
    assert card["measure_id"].iloc[0] == "SEQ-PREVENT"
    assert set(card["service"]) == {"Adult Social Care"}
    assert len(card) == 21


def test_own_year_row_wins_over_earlier_years(tiny) -> None:
    """An annual measure with a pending row for this year shows pending, not last year's figure."""
    folder = tiny(
        measures=[
            (
                "M2,Reviews on time,Help Desk,Access,Local,percent,high,last,quarterly",
                "M2,Survey,Help Desk,Access,Local,percent,high,last,annual",
            )
        ],
        values=[("M2,2017/18 Q1,55.5,", "M2,2016/17,50,\nM2,2017/18,,Due May-18")],
    )
    row = build_scorecard(load_dataset(folder), "2017/18 Q2").set_index("measure_id").loc["M2"]
    assert row["pending"] and row["note"] == "Due May-18" and row["value_period"] == "2017/18"


UEC = "Urgent and Emergency Care"  # monthly A&E figures, April 2016 to June 2017


@pytest.mark.parametrize(
    ("period", "services"),
    [
        ("2017/18 Q1", ["Adult Social Care", "Communities and Wellbeing", UEC]),
        ("2012/13 Q2", ["Help Direct"]),
        ("2012-10", ["Help Direct"]),
        # only annual measures have 2016/17 rows: the surveys and LALS's academic year
        # and A&E's twelve months of 2016/17 make its year
        ("2016/17", ["Adult Social Care", "Communities and Wellbeing", UEC]),
        ("2017/18", []),  # no figure is for the whole year 2017/18 yet
        # a monthly report for June 2017 shows the quarterly measures' Q1, which ends in June
        ("2017-06", ["Adult Social Care", "Communities and Wellbeing", UEC]),
        ("2017-05", [UEC]),  # ... but only A&E's monthly figures end in May
    ],
)
def test_services_with_figures(period, services) -> None:
    """A service counts only if some figure is for the period itself, not an older year."""
    card = build_scorecard(load_dataset(SAMPLE), period)
    assert services_with_figures(card) == services


def test_target_note_is_carried(q1) -> None:
    """A target written as TBC (no number) keeps its word for the report."""
    assert q1.loc["DTOC-ASC", "target_note"] == "TBC"
    assert q1.loc["ASCOF-2D", "target_note"] == ""


# -- the rating in the period before, and why a measure had none ------------------------------

BEFORE = {
    "measures.csv": """\
measure_id,name,service,theme,priority,framework,unit,polarity,aggregation,frequency,decimals
M-RATED,Rated both years,Care,Safety,,Local,percent,high,last,quarterly,0
M-NEW-TARGET,Target from 2017/18,Care,Safety,,Local,percent,high,last,quarterly,0
M-LATE,Figure late at Q4,Care,Safety,,Local,percent,high,last,quarterly,0
M-NO-AIM,No aim,Care,Safety,,Local,count,none,sum,quarterly,0
M-BAND,Band from 2017/18,Care,Safety,,Local,percent,band,last,quarterly,0
""",
    "values.csv": """\
measure_id,period,value,note
M-RATED,2016/17 Q4,70,
M-RATED,2017/18 Q1,60,
M-NEW-TARGET,2016/17 Q4,50,
M-NEW-TARGET,2017/18 Q1,55,
M-LATE,2016/17 Q4,,Due May-17
M-LATE,2017/18 Q1,40,
M-NO-AIM,2016/17 Q4,5,
M-NO-AIM,2017/18 Q1,6,
M-BAND,2016/17 Q4,12,
M-BAND,2017/18 Q1,14,
""",
    "targets.csv": """\
measure_id,year,target,band_low,band_high
M-RATED,2016/17,65,,
M-RATED,2017/18,65,,
M-NEW-TARGET,2017/18,60,,
M-LATE,2016/17,50,,
M-LATE,2017/18,50,,
M-BAND,2017/18,,12,16
""",
}


@pytest.fixture
def before_data(tmp_path):
    from conftest import write_dataset

    return load_dataset(write_dataset(tmp_path / "before", BEFORE))


def test_previous_rating_and_why_there_was_none(before_data) -> None:
    """At 2016/17 Q4, by the rules of perfnb.rag: M-RATED 70 against 65 is Green (60 now is
    Red: worse); M-NEW-TARGET had no 2016/17 target (N/A: no target); M-LATE had a target but
    no figure (Pending, with its note); M-NO-AIM has no polarity (N/A: no aim); M-BAND has no
    band for 2016/17 (a band measure without its band: no target)."""
    from perfnb.scorecard import with_previous

    card = build_scorecard(before_data, "2017/18 Q1", spc=False)
    previous = build_scorecard(before_data, "2016/17 Q4", spc=False)
    rows = with_previous(card, previous).set_index("measure_id")
    got = rows[["previous_rag", "previous_why", "previous_note", "change"]]
    assert got.to_dict("index") == {
        "M-RATED": {
            "previous_rag": "Green",
            "previous_why": "",
            "previous_note": "",
            "change": "worse",
        },
        "M-NEW-TARGET": dict(previous_rag="N/A", previous_why="no target", previous_note="")
        | {"change": ""},
        "M-LATE": dict(previous_rag="Pending", previous_why="no figure")
        | {"previous_note": "Due May-17", "change": ""},
        "M-NO-AIM": dict(previous_rag="N/A", previous_why="no aim", previous_note="")
        | {"change": ""},
        "M-BAND": dict(previous_rag="N/A", previous_why="no target", previous_note="")
        | {"change": ""},
    }
    assert set(rows["previous_period"]) == {"2016/17 Q4"}


def test_previously_in_words_in_the_scorecard_and_exceptions(before_data) -> None:
    """Every measure has its previous rating in words; "Not rated (no target)" only where
    there was no target; a measure absent from the period before says so."""
    from perfnb.tables import exceptions_table, scorecard_table

    card = build_scorecard(before_data, "2017/18 Q1", spc=False)
    previous = build_scorecard(before_data, "2016/17 Q4", spc=False)
    shown = scorecard_table(card, previous).data.set_index("Measure")["Previously"]
    assert shown.to_dict() == {
        "M-RATED": "Green in 2016/17 Q4, now worse",
        "M-NEW-TARGET": "Not rated (no target) in 2016/17 Q4",
        "M-LATE": "Pending (Due May-17) in 2016/17 Q4",
        "M-NO-AIM": "Not rated (no aim) in 2016/17 Q4",
        "M-BAND": "Not rated (no target) in 2016/17 Q4",
    }
    columns = list(scorecard_table(card, previous).data.columns)
    assert columns[columns.index("RAG") + 1] == "Previously"
    assert "Previously" not in scorecard_table(card).data.columns  # no period before given
    # M-RATED is Red now: an exception, and so is M-NEW-TARGET (55 against 60 is Red)
    table = exceptions_table(card, previous).data.set_index("Measure")["Previously"]
    assert table["M-RATED"] == "Green in 2016/17 Q4, now worse"
    assert table["M-NEW-TARGET"] == "Not rated (no target) in 2016/17 Q4"
    # a measure the period before did not report at all
    without = previous[previous["measure_id"] != "M-RATED"]
    shown = scorecard_table(card, without).data.set_index("Measure")["Previously"]
    assert shown["M-RATED"] == "Not reported in 2016/17 Q4"
