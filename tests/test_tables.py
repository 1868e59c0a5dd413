"""Formatting of figures and the scorecard table: text only, computed upstream."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from conftest import SAMPLE
from perfnb import build_scorecard, format_value, load_dataset, performance, scorecard_table
from perfnb.history import variance_periods
from perfnb.palette import RAG_STYLES
from perfnb.tables import exceptions, exceptions_table, variance_table


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "rate_per", "text"),
    [
        (12.4, "percent", 1, None, "12.4%"),
        (62.0, "percent", 0, None, "62%"),
        (38000.0, "count", 0, None, "38,000"),
        (999999.0, "count", 0, None, "999,999"),
        (1000000.0, "count", 0, None, "1.0m"),
        (1410000.0, "count", 0, None, "1.41m"),
        (1234567.0, "count", 0, None, "1.23m"),
        (9323709.45, "currency", 0, None, "£9.32m"),
        (-2500000.0, "currency", 0, None, "-£2.5m"),
        (560.6, "rate", 1, 100000.0, "560.6 per 100,000"),
        (1200.0, "currency", 0, None, "£1,200"),
        (-1200.0, "currency", 0, None, "-£1,200"),
        (780.0, "days", 0, None, "780 days"),
        (0.125, "ratio", 2, None, "0.12"),
        (math.nan, "percent", 1, None, ""),
        (None, "count", 0, None, ""),
    ],
)
def test_format_value(value, unit, decimals, rate_per, text) -> None:
    """Each unit prints as council reports print it; a missing figure prints as nothing."""
    assert format_value(value, unit, decimals, rate_per) == text


def test_scorecard_table_groups_by_theme_and_shows_notes() -> None:
    """Theme printed once per group; pending rows show their note; targets as councils print."""
    card = build_scorecard(load_dataset(SAMPLE), "2017/18 Q1", services=["Adult Social Care"])
    table = scorecard_table(card).data.set_index("Measure")
    assert list(table.columns) == [
        "Theme",
        "Priority",
        "Description",
        "Aim",
        "RAG",
        "Direction",
        "Year-end target",
        "Target to date",
        "This period",
        "Variance",
        "Same period last year",
        "Compared with",
        "Forecast",
        "Quartile",
        "Variation",
        "Assurance",
    ]
    # nine quarters of each, 2015/16 Q1 to 2017/18 Q1: too few for SPC; annual ones fewer
    assert table.loc["ASCOF-2D", ["Variation", "Assurance"]].tolist() == ["Too few points (9)", ""]
    assert table.loc["ASCOF-4B", "Variation"] == "Too few points (2)"
    themes = list(dict.fromkeys(table["Theme"]))
    assert themes == ["Prevent need", "Reduce need", "Delay need", "Meet need"]
    assert table.loc["ASCOF-1G", "Priority"] == (
        "Effective Support for People with Learning Disabilities"
    )
    assert table.loc["SEQ-MEET", "Year-end target"] == "5 to 9%"
    assert table.loc["ASCOF-2D", "Year-end target"] == "80%"
    assert table.loc["ASCOF-2D", "This period"] == "77.4%"
    assert table.loc["ASCOF-2A2", "Year-end target"] == "630.6 per 100,000"
    # seed 004 prints the full-year forecast it rates this measure on
    assert table.loc["ASCOF-2A2", "This period"] == "560.6 per 100,000 (full year forecast)"
    assert table.loc["ASCOF-4B", "This period"] == "Due May-18"
    assert table.loc["ASCOF-2D", "RAG"] == "Amber"
    assert table.loc["ASCOF-2D", "Variance"] == "-2.6 pts"
    assert table.loc["SEQ-PREVENT", "Variance"] == "0 pts"  # inside its band
    assert table.loc["ASCOF-2D", "Direction"] == "\u25bc Declining"
    assert table.loc["ASCOF-2D", "Compared with"] == "80.2% (2016/17 Q4)"
    assert table.loc["ASCOF-2A1", "Forecast"] == "10.1 per 100,000 (officer forecast)"
    assert table.loc["DTOC-ASC", "Year-end target"] == "TBC"
    # a mean measure's previous figure is 2016/17's average, (700 + 731 + 752 + 793) / 4 = 744
    assert table.loc["DTOC-ASC", "Compared with"] == "744 days (2016/17 average)"
    # rated on its forecast: the previous figure is the 2016/17 outturn, 1.7 + 1.9 + 1.6 + 1.9;
    # a year earlier, the forecast at Q1 was the run rate 1.7 x 4 = 6.8
    assert table.loc["ASCOF-2A1", "Compared with"] == "7.1 per 100,000 (2016/17 outturn)"
    last_year = table.loc["ASCOF-2A1", "Same period last year"]
    assert last_year == "6.8 per 100,000 (2016/17 Q1 forecast)"
    assert table.loc["ASCOF-3D2", "Year-end target"] == "N/A: next survey due 2018/19"


def test_measure_without_target_or_note() -> None:
    """No target and no note: the table says None set rather than leaving a gap."""
    card = build_scorecard(
        load_dataset(SAMPLE), "2017/18 Q1", services=["Communities and Wellbeing"]
    )
    table = scorecard_table(card).data.set_index("Measure")
    assert table.loc["LIB-COMMUNITY-ISSUES", "Year-end target"] == "None set"
    assert table.loc["LIB-VISITS", "Year-end target"] == "1.0m"  # as seed 004 prints it
    assert table.loc["LIB-VISITS", "Variance"] == "-4.7%"
    # 238,200 is judged against the year-end 1.0m profiled to Q1 (seasonal profile): 250,000
    assert table.loc["LIB-VISITS", "Target to date"] == "250,000"
    assert table.loc["HERITAGE-VISITS", "Year-end target"] == "164,500"
    assert table.loc["LIB-VISITS", "Compared with"] == "262,100 (2016/17 Q1)"
    assert table.loc["LIB-VISITS", "Forecast"] == "952,800 (run rate)"
    # an annual measure with no 2017/18 figure yet: the year shown and its note, together
    assert table.loc["LALS-SUCCESS", "This period"] == "96% (2016/17, Academic year 16/17)"


def test_trafford_quartile_is_shown() -> None:
    from test_direction_and_benchmarks import TRAFFORD

    card = build_scorecard(load_dataset(TRAFFORD), "2017/18")
    assert scorecard_table(card).data["Quartile"].tolist() == ["Q4 (14 of 15, 2017/18)"]


# -- tables as the report shows them -------------------------------------------------------

RATIO = {
    "measures.csv": """\
measure_id,name,service,theme,priority,framework,unit,polarity,aggregation,frequency,decimals
SG-1,<script>alert(1)</script>,Care,Safety,Keep people safe,Local,percent,high,ratio,quarterly,1
SG-2,Reviews on time,Care,Safety,Keep people safe,Local,percent,high,last,quarterly,0
SG-3,Visits,Care,Access,,Local,count,high,sum,quarterly,0
""",
    "values.csv": """\
measure_id,period,value,numerator,denominator,note
SG-1,2017/18 Q1,,112,302,
SG-1,2017/18 Q2,,100,250,
SG-2,2017/18 Q1,80,,,
SG-2,2017/18 Q2,60,,,
SG-3,2017/18 Q1,100,,,
SG-3,2017/18 Q2,150,,,
""",
    "targets.csv": """\
measure_id,year,target,band_low,band_high
SG-1,2017/18,40,,
SG-2,2017/18,75,,
SG-3,2017/18,400,,
""",
}


@pytest.fixture
def ratio_data(tmp_path):
    from conftest import write_dataset

    return load_dataset(write_dataset(tmp_path / "ratio", RATIO))


def test_percentage_shows_the_count_behind_it(ratio_data) -> None:
    """112 of 302 is 37.1%: the table prints both, as a member asked in seed 002."""
    card = build_scorecard(ratio_data, "2017/18 Q1")
    table = scorecard_table(card).data.set_index("Measure")
    assert table.loc["SG-1", "This period"] == "37.1% (112 of 302)"
    assert table.loc["SG-2", "This period"] == "80%"  # no numerator: no count


def test_scorecard_html_escapes_data_and_labels_rag(ratio_data) -> None:
    """A measure name's markup is shown as text; each RAG cell has its word and class; one
    captioned table per theme and priority."""
    card = build_scorecard(ratio_data, "2017/18 Q1")
    html = scorecard_table(card).to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<caption>Safety: Keep people safe</caption>" in html
    assert "<caption>Access</caption>" in html
    # SG-1: 37.1% against 40% is -7.25% of target: Red; SG-2 80% against 75%: Green
    assert re.search(r'class="data row0 col3 rag-red" >Red</td>', html)
    assert re.search(r'class="data row1 col3 rag-green" >Green</td>', html)
    assert "td.rag-red" in html and RAG_STYLES["Red"].fill in html


def test_variance_table_is_seed_000(tmp_path) -> None:
    """Help Direct's targets, actuals and whole-per-cent variances, exactly as seed 000 prints
    them (9,500 / 8,017 / -16%; 19,000 / 17,135 / -10%; 13,000 / 10,641 / -18%;
    26,000 / 23,652 / -9%); the CSV flattens the two header rows."""
    rows = performance(load_dataset(SAMPLE), ["2012/13 Q1", "2012/13 Q2"], ["Help Direct"])
    table = variance_table(rows)
    data = table.data.set_index(("", "Measure"))
    q1, q2 = "2012/13 Q1", "2012/13 Q2"
    contacts = data.loc["HD-CONTACTS"]
    assert contacts[("", "Year-end target")] == "38,000"
    assert [contacts[(q1, c)] for c in ("Target", "Actual", "Variance")] == [
        "9,500",
        "8,017",
        "-16%",
    ]
    assert [contacts[(q2, c)] for c in ("Target", "Actual", "Variance")] == [
        "19,000",
        "17,135",
        "-10%",
    ]
    issues = data.loc["HD-ISSUES"]
    assert [issues[(q1, c)] for c in ("Target", "Actual", "Variance")] == [
        "13,000",
        "10,641",
        "-18%",
    ]
    assert [issues[(q2, c)] for c in ("Target", "Actual", "Variance")] == [
        "26,000",
        "23,652",
        "-9%",
    ]
    path = table.save(tmp_path)
    text = path.read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("Measure,Description,Year-end target,2012/13 Q1 Target,")
    assert text[1].endswith('19,000","17,135",-10%')


def test_october_report_adds_the_month_after_the_quarters() -> None:
    """Seed 000 at October 2012: the year to date is 8,017 + 9,118 + 3,580 = 20,715 contacts
    against 38,000 x 7 / 12 = 22,167 (-6.55%), and 10,641 + 13,011 + 5,736 = 29,388 issues
    against 52,000 x 7 / 12 = 30,333 (-3.1%): "the deficit has reduced again (to 7% for
    contacts and 3% for issues)". Q1 and Q2 come first, as the report shows them."""
    assert [p.label for p in variance_periods("2012-10")] == ["2012/13 Q1", "2012/13 Q2", "2012-10"]
    assert [p.label for p in variance_periods("2012-09")] == ["2012/13 Q1", "2012/13 Q2"]
    assert [p.label for p in variance_periods("2017/18 Q3")] == [
        "2017/18 Q1",
        "2017/18 Q2",
        "2017/18 Q3",
    ]
    rows = performance(load_dataset(SAMPLE), variance_periods("2012-10"), ["Help Direct"])
    data = variance_table(rows).data.set_index(("", "Measure"))
    assert list(dict.fromkeys(c[0] for c in data.columns if c[0])) == [
        "2012/13 Q1",
        "2012/13 Q2",
        "Oct 2012",
    ]
    october = [("Oct 2012", c) for c in ("Target", "Actual", "Variance")]
    assert data.loc["HD-CONTACTS", october].tolist() == ["22,167", "20,715", "-7%"]
    assert data.loc["HD-ISSUES", october].tolist() == ["30,333", "29,388", "-3%"]


def test_variance_table_shows_each_figure_once() -> None:
    """A quarterly measure in a monthly report shows its quarter's figure under the quarter,
    not again under the month; an annual survey's year is named beside its figure."""
    data = load_dataset(SAMPLE)
    rows = performance(data, ["2017/18 Q1", "2017-07"], ["Communities and Wellbeing"])
    table = variance_table(rows).data.set_index(("", "Measure"))
    assert table.loc["LIB-VISITS", ("2017/18 Q1", "Actual")] == "238,200"
    assert table.loc["LIB-VISITS", ("Jul 2017", "Actual")] == ""
    assert table.loc["LALS-SUCCESS", ("2017/18 Q1", "Actual")] == "96% (2016/17)"
    assert table.loc["LALS-SUCCESS", ("Jul 2017", "Actual")] == ""


def test_exceptions_are_red_amber_and_changes(ratio_data) -> None:
    """Q2: SG-1's year to date, (112 + 100) / (302 + 250) = 38.4% against 40% (-4.0%), went Red
    to Amber; SG-2 (60 against 75, -20%) went Green to Red; SG-3 (250 against 200 profiled)
    stayed Green and is left out."""
    card = build_scorecard(ratio_data, "2017/18 Q2")
    before = build_scorecard(ratio_data, "2017/18 Q1")
    rows = exceptions(card, before).set_index("measure_id")
    assert list(rows.index) == ["SG-2", "SG-1"]  # Red first
    assert rows.loc["SG-2", ["rag", "previous_rag", "change"]].tolist() == ["Red", "Green", "worse"]
    assert rows.loc["SG-1", ["rag", "previous_rag", "change"]].tolist() == [
        "Amber",
        "Red",
        "better",
    ]
    assert rows.loc["SG-1", "value"] == pytest.approx(100 * 212 / 552)
    table = exceptions_table(card, before, {"SG-2": "Staff **sickness**"}, ["SG-1"])
    data = table.data.set_index("Measure")
    assert data.loc["SG-2", "Previously"] == "Green (2017/18 Q1), now worse"
    assert data.loc["SG-2", "Commentary"] == "Staff **sickness**"
    html = table.to_html()
    assert "<strong>sickness</strong>" in html
    # SG-1 is listed as without commentary, so its cell is flagged; SG-2's is not
    assert re.search(r'class="data row1 col\d+ flag"', html)
    assert not re.search(r'class="data row0 col\d+ flag"', html)


def test_exceptions_keep_a_red_measure_that_is_no_longer_rated(ratio_data) -> None:
    """Red last quarter and Pending now: still listed, as "not rated"; a measure that was not
    rated before has no "Previously" text (not "N/A (2017/18 Q1)" on every row)."""
    card = build_scorecard(ratio_data, "2017/18 Q2")
    before = build_scorecard(ratio_data, "2017/18 Q1")
    card.loc[card["measure_id"] == "SG-3", "rag"] = "Pending"
    before.loc[before["measure_id"] == "SG-3", "rag"] = "Red"
    before.loc[before["measure_id"] == "SG-2", "rag"] = "N/A"
    rows = exceptions(card, before).set_index("measure_id")
    assert list(rows.index) == ["SG-2", "SG-1", "SG-3"]
    assert rows.loc["SG-3", "change"] == "not rated"
    data = exceptions_table(card, before).data.set_index("Measure")
    assert data.loc["SG-3", "Previously"] == "Red (2017/18 Q1), now not rated"
    assert data.loc["SG-2", "Previously"] == ""


def test_exceptions_show_the_first_paragraph_and_link_to_the_rest(ratio_data) -> None:
    """Long commentary is read in the measure's section; the table keeps its first paragraph
    and a link to the section's heading (``id="sg-2"``)."""
    card = build_scorecard(ratio_data, "2017/18 Q2")
    said = "Staff sickness.\r\n\r\nRecruitment starts in **May**.\n\nA third point."
    table = exceptions_table(card, None, {"SG-2": said})
    cell = table.data.set_index("Measure").loc["SG-2", "Commentary"]
    assert cell == "Staff sickness. [More under SG-2.](#sg-2)"
    assert '<a href="#sg-2"' in table.to_html()


def test_exceptions_flag_red_and_amber_without_commentary(ratio_data) -> None:
    """A Red measure with no commentary is flagged in its commentary cell."""
    card = build_scorecard(ratio_data, "2017/18 Q2")
    table = exceptions_table(card, None, {}, ["SG-2"])
    data = table.data.set_index("Measure")
    assert data.loc["SG-2", "Commentary"] == "**Commentary needed:** none written yet."
    assert re.search(r'class="data row0 col\d+ flag"', table.to_html())


def test_empty_exceptions_say_so(ratio_data) -> None:
    card = build_scorecard(ratio_data, "2017/18 Q1")
    card = card[card["rag"] == "Green"]
    table = exceptions_table(card)
    assert table.data.empty
    assert "No measure is Red or Amber" in table.to_html()


def test_table_csv_is_the_printed_text(tmp_path) -> None:
    """tables/<name>.csv holds what the report prints, readable by Excel (BOM)."""
    card = build_scorecard(load_dataset(SAMPLE), "2017/18 Q1", services=["Adult Social Care"])
    path = scorecard_table(card).save(tmp_path / "tables")
    assert path.name == "scorecard.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = frame.set_index("Measure").loc["ASCOF-2D"]
    assert row["This period"] == "77.4%"
    assert row["RAG"] == "Amber"
    assert row["Theme"] == "Delay need"
    assert not list(tmp_path.joinpath("tables").glob(".*"))  # no temporary file left


def test_variance_table_keeps_bands_and_names_forecasts() -> None:
    """Band measures are in it with their band; a measure rated on its forecast says so."""
    rows = performance(load_dataset(SAMPLE), ["2017/18 Q1"], ["Adult Social Care"])
    data = variance_table(rows).data.set_index(("", "Measure"))
    assert data.loc["SEQ-PREVENT", ("2017/18 Q1", "Target")] == "59 to 63%"
    assert data.loc["SEQ-PREVENT", ("2017/18 Q1", "Actual")] == "62%"
    assert data.loc["ASCOF-2A1", ("2017/18 Q1", "Actual")] == (
        "10.1 per 100,000 (full year forecast)"
    )


def test_table_headings_are_marked_up_for_screen_readers() -> None:
    """Column headings carry scope="col" (a period spanning three columns, "colgroup"), each
    row is named by its measure in a row heading, and no heading cell is empty."""
    data = load_dataset(SAMPLE)
    rows = performance(data, ["2012/13 Q1", "2012/13 Q2"], ["Help Direct"])
    html = variance_table(rows).to_html()
    headings = re.findall(r"<th\b[^>]*>.*?</th>", html, flags=re.DOTALL)
    assert headings and all(re.search(r'scope="(col|colgroup|row)"', h) for h in headings)
    assert re.findall(r'<th scope="colgroup"[^>]*colspan="3">([^<]*)</th>', html) == [
        "2012/13 Q1",
        "2012/13 Q2",
    ]
    assert re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', html) == [
        "HD-CONTACTS",
        "HD-ISSUES",
    ]
    assert not re.search(r"<th\b[^>]*>\s*</th>", html)
    card = build_scorecard(data, "2017/18 Q1", services=["Adult Social Care"])
    scorecard = scorecard_table(card).to_html()
    assert scorecard.count('<th scope="row"') == len(card)


def test_scorecard_variation_and_assurance_icons() -> None:
    """A&E's 15 months get SPC beside RAG: four-hour performance is common cause and never
    meets 95% (above its upper limit); attendances have no aim, so no assurance. The HTML
    draws each icon's ring and letter before its words."""
    card = build_scorecard(
        load_dataset(SAMPLE), "2017/18 Q1", services=["Urgent and Emergency Care"]
    )
    table = scorecard_table(card)
    rows = table.data.set_index("Measure")
    assert rows.loc["AE-4HR", ["Variation", "Assurance"]].tolist() == [
        "Common cause",
        "Target never met",
    ]
    assert rows.loc["AE-ATTEND", ["Variation", "Assurance"]].tolist() == ["Common cause", "No aim"]
    html = table.to_html()
    assert (
        '<span class="perfnb-icon" style="border-color: #FAB428" aria-hidden="true">F</span>'
        "Target never met"
    ) in html
    assert '<span class="perfnb-muted">No aim</span>' in html
    row = card.set_index("measure_id").loc["AE-4HR"]
    assert (row["spc_points"], row["spc_note"]) == (15, "")
