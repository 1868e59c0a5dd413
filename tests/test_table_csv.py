"""tables/<name>.csv as data (issue 19): numbers as numbers, a figure's status in a column of
its own, commentary as plain text; the page still prints the formatted forms."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

import perfnb
from conftest import SAMPLE
from perfnb.tables import Table
from perfnb.tables.plain import plain_text

# a cell as the page prints a figure: thousands separators, a per cent sign, a marker, points
_PRINTED = re.compile(r"^[-+£]?\d{1,3}(,\d{3})+(\.\d+)?|^[-+]?\d+(\.\d+)?(%| pts)$|\[[prei]\]|^£\d")
# the columns of figures in every table's CSV: each must be read back as numbers
_NUMERIC = {
    "this_period",
    "actual",
    "target_to_date",
    "target_to_date_low",
    "target_to_date_high",
    "year_end_target",
    "year_end_target_low",
    "year_end_target_high",
    "variance",
    "variance_pct",
    "variance_pp",
    "numerator",
    "denominator",
    "rate_per",
    "latest_value",
    "latest_target",
    "latest_variance_pct",
    "latest_variance_pp",
    "last_year_value",
    "compared_value",
    "dot_value",
    "forecast",
    "benchmark_value",
    "rank",
    "n_compared",
    "quartile",
    "comparator_median",
    "value",
    "pct_complete",
    "previous_pct_complete",
    "expected_pct",
    "overdue",
    "at_risk",
    "on_track",
    "completed",
    "cancelled",
    "total",
}


@pytest.fixture(scope="module")
def data() -> perfnb.Dataset:
    return perfnb.load_dataset(SAMPLE)


@pytest.fixture(scope="module")
def adult_social_care(data) -> perfnb.ServiceReport:
    return perfnb.ServiceReport.build(data, "2017/18 Q1", "Adult Social Care")


@pytest.fixture(scope="module")
def help_direct(data) -> perfnb.ServiceReport:
    return perfnb.ServiceReport.build(data, "2012/13 Q2", "Help Direct")


def _read(table: Table) -> pd.DataFrame:
    """The table's CSV as pandas reads it, a blank cell missing (and the rating N/A a word:
    docs/data.md)."""
    raw = table.csv()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def _tables(report: perfnb.ServiceReport) -> list[Table]:
    tables = [
        report.scorecard_table(),
        report.exceptions_table(),
        report.variance_table(),
        report.rag_reasons_table(),
        *report.summary().shown,
    ]
    for measure_id in report.card["measure_id"]:
        tables += report.measure_tables(measure_id)
    return tables


def test_exceptions_csv_has_numbers_and_no_markdown(adult_social_care) -> None:
    """ASCOF-2D: 77.4% against 80%, Amber: this period 77.4, target 80, variance 77.4 - 80 =
    -2.6 points and (77.4 - 80) / 80 = -3.25% of target; the page prints "77.4%" and no
    variance column, and flags the missing commentary in bold."""
    table = adult_social_care.exceptions_table()
    frame = _read(table).set_index("measure_id")
    row = frame.loc["ASCOF-2D"]
    assert isinstance(row["this_period"], float) and row["this_period"] == 77.4
    assert (row["target_to_date"], row["year_end_target"]) == (80, 80)
    assert row["variance_pp"] == pytest.approx(-2.6, abs=1e-9)
    assert row["variance_pct"] == pytest.approx((77.4 - 80) / 80 * 100, abs=1e-9)
    assert (row["unit"], row["rag"], row["previous_rag"], row["previous_why"]) == (
        "percent",
        "Amber",
        "N/A",
        "no target",
    )
    # no commentary written: the flag is True and the commentary blank, not markdown
    assert frame["commentary_needed"].dtype == bool and frame["commentary_needed"].all()
    assert frame["commentary"].isna().all()
    text = table.csv().decode("utf-8-sig")
    assert "**" not in text and "](#" not in text
    # the page is unchanged: printed figures and the bold flag
    printed = table.data.set_index("Measure").loc["ASCOF-2D"]
    assert printed["This period"] == "77.4%"
    assert "<strong>Commentary needed:</strong>" in table.to_html()


def test_exceptions_csv_commentary_is_plain_text(help_direct) -> None:
    """Help Direct's commentary: the page prints its first paragraph with a link to the rest
    (``[More under HD-CONTACTS.](#hd-contacts)``); the CSV has all of it as plain text, its
    list items on lines of their own."""
    table = help_direct.exceptions_table()
    frame = _read(table).set_index("measure_id")
    said = frame.loc["HD-CONTACTS", "commentary"]
    assert said.startswith("The figures show performance at the end of Q2 is still below")
    assert "Recovery measures implemented:\n\n\u2022 Under performance has been" in said
    assert "More under" not in said and "](#" not in said and "**" not in said
    assert not frame["commentary_needed"].any()
    html = table.to_html()
    assert '<a href="#hd-contacts" rel="noopener noreferrer">More under HD-CONTACTS.</a>' in html


def test_scorecard_csv_numbers(help_direct) -> None:
    """HD-CONTACTS at 2012/13 Q2: 17,135 contacts against 19,000 to date (half of 38,000):
    17135 in the CSV, not "17,135"; the variance kept as the engine keeps it (to 9 places),
    not rounded as printed (-9.8%): (17135 - 19000) / 19000 * 100 = -9.8157894737, written
    -9.815789474; -1,865 contacts; a count has no points."""
    table = help_direct.scorecard_table()
    text = table.csv().decode("utf-8-sig")
    assert ",17135," in text and "17,135" not in text and "17135.0" not in text
    assert ",-9.815789474," in text
    frame = _read(table).set_index("measure_id")
    row = frame.loc["HD-CONTACTS"]
    assert row["this_period"] == 17135 and float(row["this_period"]).is_integer()
    assert (row["target_to_date"], row["year_end_target"], row["variance"]) == (
        19000,
        38000,
        -1865,
    )
    assert row["variance_pct"] == pytest.approx((17135 - 19000) / 19000 * 100, abs=1e-8)
    assert pd.isna(row["variance_pp"])
    # the latest position: October's 20,715 against 7/12 of 38,000 = 22,166.67
    assert (row["latest_period"], row["latest_value"]) == ("2012-10", 20715)
    assert row["latest_target"] == pytest.approx(38000 * 7 / 12, abs=1e-6)
    # run rate: 17,135 in half a year is 34,270 in a year
    assert (row["forecast"], row["forecast_method"]) == (34270, "run rate")
    assert (row["rag"], row["direction"], row["aim"]) == ("Red", "improving", "Higher is better")
    assert table.data.set_index("Measure").loc["HD-CONTACTS", "This period"] == "17,135"


def test_scorecard_csv_statuses_are_words_not_markers(adult_social_care) -> None:
    """ASCOF-2D's same period last year, 79.4% (2016/17 Q1), is illustrative: the page prints
    ``79.4% [i]``, the CSV 79.4 with ``illustrative`` beside it; a pending survey has no figure
    and says why."""
    table = adult_social_care.scorecard_table()
    frame = _read(table).set_index("measure_id")
    row = frame.loc["ASCOF-2D"]
    assert (row["last_year_value"], row["last_year_status"], row["last_year_period"]) == (
        79.4,
        "illustrative",
        "2016/17 Q1",
    )
    assert "[i]" in table.data.set_index("Measure").loc["ASCOF-2D", "Same period last year"]
    pending = frame.loc["ASCOF-3D1"]
    assert pd.isna(pending["this_period"]) and pending["this_period_note"] == "Due May-18"
    assert pending["rag"] == "Pending"


@pytest.mark.parametrize("which", ["adult_social_care", "help_direct"])
def test_every_csv_is_data(which, request) -> None:
    """Every table of a report: its figure columns are read back as numbers, and no text cell
    holds a printed figure (``17,135``, ``-9.8%``, ``-2.6 pts``, a marker) or markdown."""
    report = request.getfixturevalue(which)
    for table in _tables(report):
        frame = _read(table)
        assert table.values is not None, table.name
        assert list(frame.columns) == list(table.values.columns), table.name
        for column in frame.columns:
            cells = frame[column].dropna()
            if column in _NUMERIC:
                assert pd.api.types.is_numeric_dtype(frame[column]), (table.name, column)
            elif frame[column].dtype == object:
                printed = cells.astype(str).str.contains(_PRINTED)
                assert not printed.any(), (table.name, column, cells[printed].tolist())
                assert not cells.astype(str).str.contains(r"\*\*|\]\(#").any(), table.name


def test_special_cause_csv(data) -> None:
    """AE-4HR's special cause points: each period's figure a number (the page prints 86.2%)."""
    report = perfnb.ServiceReport.build(data, "2017/18 Q1", "Urgent and Emergency Care")
    table = report.measure_tables("AE-4HR")[0]
    frame = _read(table).set_index("period")
    assert frame.loc["2016-12", "value"] == pytest.approx(86.175945596)
    assert (frame.loc["2016-12", "signal"], frame.loc["2016-12", "rule"]) == (
        "Concern",
        "Below LCL",
    )
    assert table.data.set_index("Period").loc["2016-12", "Figure"] == "86.2%"


def test_action_plan_csvs(data) -> None:
    """Help Direct's plan at 2012/13 Q2: HD-RP-04, due March 2013 and not started, is expected
    to be 92 of 274 days = 33.6% done (tests/test_runner.py works it out), so At risk; the
    counts by theme are whole numbers (1 At risk, 4 On track, 3 Completed, 1 Cancelled)."""
    report = perfnb.ActionReport.build(data, "2012/13 Q2", "Help Direct")
    actions = _read(report.action_table()).set_index("action_id")
    row = actions.loc["HD-RP-04"]
    assert (row["status"], row["expected_pct"], row["rating"]) == ("Not started", 33.6, "At risk")
    assert pd.isna(row["pct_complete"])
    assert (row["deadline"], row["deadline_date"]) == ("March 2013", "2013-03-31")
    assert row["outcome_measure"] == "HD-CONTACTS (Red); HD-ISSUES (Red)"
    assert actions["overdue"].dtype == bool and not actions["overdue"].any()
    assert actions.loc["HD-RP-01", "pct_complete"] == 100
    by_theme = _read(report.summary_tables()[0])
    assert by_theme.to_dict("records") == [
        {
            "theme": "Recovery plan",
            "overdue": 0,
            "at_risk": 1,
            "on_track": 4,
            "completed": 3,
            "cancelled": 1,
            "total": 9,
        }
    ]
    measures = _read(report.linked_measures_table()).set_index("measure_id")
    assert (measures.loc["HD-ISSUES", "this_period"], measures.loc["HD-ISSUES", "variance"]) == (
        23652,
        23652 - 26000,
    )
    reasons = _read(report.action_reasons_table()).set_index("action_id")
    assert reasons.loc["HD-RP-04", "officer_status"] == "Not started"


def test_csv_values_stay_safe_for_excel() -> None:
    """Text that a spreadsheet would run as a formula is neutralised in the data too; negative
    numbers are numbers."""
    values = pd.DataFrame(
        {"name": ['=HYPERLINK("http://evil.example/","x")', "-2 in a name"], "v": [-2.6, 1e6]}
    )
    table = Table("t", "T", pd.DataFrame({"Name": ["a", "b"]}), values=values)
    text = table.csv().decode("utf-8-sig").splitlines()
    assert text == [
        "name,v",
        '"\'=HYPERLINK(""http://evil.example/"",""x"")",-2.6',
        "'-2 in a name,1000000",
    ]


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("**Commentary needed:** none written yet.", "Commentary needed: none written yet."),
        ("First. [More under HD-CONTACTS.](#hd-contacts)", "First. More under HD-CONTACTS."),
        ("*Up* _again_ ~~not~~ `code`", "Up again not code"),
        ("A &amp; B <b>bold</b>", "A & B bold"),
        ("One\nline  \nTwo", "One line\nTwo"),
        ("Para one.\n\n- a\n- b\n\n3. c", "Para one.\n\n\u2022 a\n\u2022 b\n\n3. c"),
        ("<!-- perfnb:draft -->\nWritten.", "Written."),
        ("<div>kept <script>alert(1)</script></div>", "kept"),
        ("![chart](x.png) [site](https://example.org)", "chart site"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n1 | 2"),
        ("", ""),
        (None, ""),
    ],
)
def test_plain_text(markdown, text) -> None:
    assert plain_text(markdown) == text
