"""The loader's validation: every problem found at once, each message naming where and what."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfnb import DataError, load_dataset, validate_dataset
from perfnb.validation import MAX_LISTED


def messages(folder: Path, severity: str = "error") -> list[str]:
    return [str(p) for p in validate_dataset(folder) if p.severity == severity]


def test_the_tiny_data_set_is_valid(tiny) -> None:
    """The baseline the other tests mutate has no problems at all."""
    assert validate_dataset(tiny()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"values": [("M1,2017/18 Q1,100,", "M1,2017/18 Q1,abc,")]},
            "values.csv, row 2, column value: 'abc' is not a number; expected a number, or a "
            "blank value with a note while the figure is pending",
            id="text-where-number",
        ),
        pytest.param(
            {"values": [("", "M9,2017/18 Q1,5,")]},
            "values.csv, row 5, column measure_id: 'M9' is not a measure_id in measures.csv",
            id="unknown-measure-in-values",
        ),
        pytest.param(
            {"targets": [("", "M7,2017/18,5,,")]},
            "targets.csv, row 5, column measure_id: 'M7' is not a measure_id in measures.csv",
            id="unknown-measure-in-targets",
        ),
        pytest.param(
            {"values": [("", "M1,2017-18-Q1,101,")]},
            "values.csv, row 5, column period: '2017-18-Q1' repeats measure_id M1 and period "
            "2017/18 Q1, already on row 2",
            id="duplicate-measure-period-written-differently",
        ),
        pytest.param(
            {
                "measures": [
                    ("", "M1,Contacts again,Help Desk,Access,Local,count,high,sum,quarterly")
                ]
            },
            "measures.csv, row 5, column measure_id: 'M1' repeats measure_id M1, already on row 2",
            id="duplicate-measure-id",
        ),
        pytest.param(
            {"values": [("M1,2017/18 Q1,100,", "M1,2017/18 Q5,100,")]},
            "values.csv, row 2, column period: '2017/18 Q5' is not a period; expected a quarter "
            "such as 2017/18 Q1, a month such as 2017-04 or a financial year such as 2017/18",
            id="unparseable-period",
        ),
        pytest.param(
            {"targets": [("M1,2017/18,400", "M1,2017/18 Q1,400")]},
            "targets.csv, row 2, column year: '2017/18 Q1' is not a financial year; expected a "
            "year such as 2017/18",
            id="quarter-where-year",
        ),
        pytest.param(
            {"values": [("M2,2017/18 Q1,55.5,", "M2,2017/18 Q1,155.5,")]},
            "values.csv, row 3, column value: '155.5' is outside 0-100 for a percent measure",
            id="percent-over-100",
        ),
        pytest.param(
            {"targets": [("M2,2017/18,60,,", "M2,2017/18,-1,,")]},
            "targets.csv, row 3, column target: '-1' is outside 0-100 for a percent measure",
            id="percent-target-below-0",
        ),
        pytest.param(
            {"measures": [("Local,count,high", "Local,people,high")]},
            "measures.csv, row 2, column unit: 'people' is not one of the allowed values; "
            "expected one of count, percent, rate, score, currency, days, ratio",
            id="unknown-unit",
        ),
        pytest.param(
            {"measures": [("count,high,sum", "count,up,sum")]},
            "measures.csv, row 2, column polarity: 'up' is not one of the allowed values; "
            "expected one of high, low, band, none",
            id="unknown-polarity",
        ),
        pytest.param(
            {"measures": [("count,high,sum", "count,high,total")]},
            "measures.csv, row 2, column aggregation: 'total' is not one of the allowed values; "
            "expected one of sum, ratio, last, mean, ytd",
            id="unknown-aggregation",
        ),
        pytest.param(
            {"measures": [("sum,quarterly", "sum,weekly")]},
            "measures.csv, row 2, column frequency: 'weekly' is not one of the allowed values; "
            "expected one of monthly, quarterly, annual",
            id="unknown-frequency",
        ),
        pytest.param(
            {"measures": [("M1,Contacts,", "M1,42,")]},
            "measures.csv, row 2, column name: '42' is a number where text was expected; are "
            "the columns shifted?",
            id="number-where-text",
        ),
        pytest.param(
            {"measures": [("M1,Contacts,", "M1,,")]},
            "measures.csv, row 2, column name: is blank; expected the name",
            id="blank-name",
        ),
        pytest.param(
            {"targets": [("M3,2017/18,,10,14", "M3,2017/18,,14,10")]},
            "targets.csv, row 4, column band_low: '14' is above band_high; expected low <= high",
            id="band-low-above-high",
        ),
        pytest.param(
            {"targets": [("M3,2017/18,,10,14", "M3,2017/18,,10,")]},
            "targets.csv, row 4, column band_high: is blank; a band needs both band_low and "
            "band_high",
            id="band-one-edge",
        ),
        pytest.param(
            {"targets": [("M3,2017/18,,10,14", "M3,2017/18,12,,")]},
            "targets.csv, row 4, column target: '12' is a single target for a band measure; "
            "expected band_low and band_high",
            id="band-measure-single-target",
        ),
        pytest.param(
            {"targets": [("M1,2017/18,400,,", "M1,2017/18,TBC,,")]},
            "targets.csv, row 2, column target: 'TBC' is not a number; expected a number such "
            "as 12.5",
            id="tbc-target",
        ),
        pytest.param(
            {"values": "measure_id,value,note\nM1,100,\n"},
            "values.csv, column period: is missing; the file's columns are: measure_id, value, "
            "note",
            id="missing-column",
        ),
    ],
)
def test_each_problem_is_named_precisely(tiny, changes, expected) -> None:
    """One broken cell gives exactly one error, naming file, row, column, value and expectation."""
    assert messages(tiny(**changes)) == [expected]


def test_missing_file(tiny) -> None:
    """A required file that is not there is named, with where perfnb looked."""
    folder = tiny()
    (folder / "targets.csv").unlink()
    assert messages(folder) == [
        f"targets.csv: is missing from {folder}; expected targets.csv or a workbook perfnb.xlsx"
    ]


def test_not_a_folder(tmp_path) -> None:
    """A data path that does not exist says so instead of failing deep inside pandas."""
    missing = tmp_path / "nope"
    assert messages(missing) == [
        f"{missing}: is not a folder; run perfnb from the project folder, or pass --data with "
        "the data set's folder"
    ]


def test_relative_data_folder_says_where_it_looked(tmp_path, monkeypatch) -> None:
    """Run from the wrong folder, the message names the folder perfnb looked in."""
    monkeypatch.chdir(tmp_path)
    assert messages(Path("data/sample")) == [
        f"data/sample: is not a folder in {tmp_path}; run perfnb from the project folder, or "
        "pass --data with the data set's folder"
    ]


def test_workbook_with_another_name_is_pointed_out(tiny) -> None:
    """No CSVs but 'Performance data Q1.xlsx': the message says to rename it."""
    folder = tiny()
    for name in ("measures.csv", "values.csv", "targets.csv"):
        (folder / name).unlink()
    (folder / "Performance data Q1.xlsx").write_bytes(b"")
    assert messages(folder)[0] == (
        f"measures.csv: is missing from {folder}; expected measures.csv or a workbook "
        "perfnb.xlsx (found Performance data Q1.xlsx: a workbook must be named perfnb.xlsx)"
    )


def test_every_problem_is_reported_at_once(tiny) -> None:
    """Three independent mistakes in three files: all three are reported, in file order."""
    folder = tiny(
        measures=[("count,high,sum", "count,up,sum")],
        values=[("M2,2017/18 Q1,55.5,", "M2,2017/18 Q1,x,")],
        targets=[("M3,2017/18,,10,14", "M3,2017/18,,14,10")],
    )
    found = messages(folder)
    assert len(found) == 3
    assert [m.split(",")[0] for m in found] == ["measures.csv", "values.csv", "targets.csv"]


def test_load_raises_data_error_listing_everything(tiny) -> None:
    """load_dataset refuses bad data with one DataError that carries every problem."""
    folder = tiny(values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,abc,"), ("", "M9,2017/18 Q1,1,")])
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith(f"2 problem(s) in the data set {folder}:\n  values.csv")


def test_pending_value_with_note_is_not_a_problem(tiny) -> None:
    """A blank figure with a note ('Due May-18') is pending: no error, no warning."""
    folder = tiny(values=[("M2,2017/18 Q1,55.5,", "M2,2017/18 Q1,,Due May-18")])
    assert validate_dataset(folder) == []
    values = load_dataset(folder).values
    row = values[values["measure_id"] == "M2"].iloc[0]
    assert row["pending"] and row["note"] == "Due May-18"


def test_blank_value_without_note_is_a_warning(tiny) -> None:
    """A blank figure with no note still loads (as pending) but the analyst is told."""
    folder = tiny(values=[("M2,2017/18 Q1,55.5,", "M2,2017/18 Q1,,")])
    assert messages(folder) == []
    assert messages(folder, "warning") == [
        "values.csv, row 3, column value: is blank with no note; it is shown as pending. Add a "
        "note such as 'Due May-18' to say when it is due"
    ]


def test_blank_lines_keep_row_numbers(tiny) -> None:
    """A blank line in the middle is skipped, and later rows keep their spreadsheet numbers."""
    folder = tiny(values="measure_id,period,value,note\nM1,2017/18 Q1,100,\n\nM2,2017/18 Q1,x,\n")
    assert messages(folder) == [
        "values.csv, row 4, column value: 'x' is not a number; expected a number, or a blank "
        "value with a note while the figure is pending"
    ]


def test_many_identical_problems_are_counted_not_listed(tiny) -> None:
    """Hundreds of rows with the same fault list the first few, then a count of the rest."""
    rows = "".join(f"M1,2017/18 Q1,bad{i}\n" for i in range(MAX_LISTED + 10))
    folder = tiny(values="measure_id,period,value\n" + rows)
    found = [m for m in messages(folder) if "is not a number" in m]
    assert len(found) == MAX_LISTED
    assert "values.csv, column value: ... and 10 more row(s) with the same problem" in messages(
        folder
    )


def test_unreadable_csv_is_named(tiny) -> None:
    """A file pandas cannot parse is reported as that file, not as a traceback."""
    folder = tiny(values='measure_id,period,value\nM1,"2017/18 Q1,100\n')
    found = messages(folder)
    assert found and found[0].startswith("values.csv: could not be read as CSV:")


def test_services_that_would_share_a_file_name(tiny) -> None:
    """'Help Desk' and 'Help-Desk' would write the same report file: refused, naming both."""
    folder = tiny(measures=[("M2,Reviews on time,Help Desk", "M2,Reviews on time,Help-Desk")])
    assert messages(folder) == [
        "measures.csv, row 3, column service: 'Help-Desk' gives the same report file name "
        "(help-desk) as 'Help Desk'; rename one of them"
    ]


def test_many_warnings_stay_warnings(tiny) -> None:
    """Thirty pending rows without notes are warnings, summary included: the data still loads."""
    rows = "".join(f"M1,{1960 + i}/{(1961 + i) % 100:02d} Q1,,\n" for i in range(MAX_LISTED + 5))
    folder = tiny(values=[("", rows.rstrip("\n"))])
    assert messages(folder) == []
    assert messages(folder, "warning")[-1] == (
        "values.csv, column value: ... and 5 more row(s) with the same problem"
    )
    load_dataset(folder)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"values": "measure_id,period,value,Value ,note\nM1,2017/18 Q1,1,2,\n"},
            "values.csv: has the column value twice (columns C and D); keep one",
            id="repeated-header-after-normalising",
        ),
        pytest.param(
            {"values": "measure_id,period,value,value\nM1,2017/18 Q1,1,2\n"},
            "values.csv: has the column value twice (columns C and D); keep one",
            id="repeated-header",
        ),
        pytest.param(
            {"values": ""},
            "values.csv: is empty; expected a header row with measure_id, period, value",
            id="empty-file",
        ),
        pytest.param(
            {"values": "\n\n"},
            "values.csv: is empty; expected a header row with measure_id, period, value",
            id="blank-lines-only",
        ),
        pytest.param(
            {"values": "measure_id,period,,value\nM1,2017/18 Q1,x,1\n"},
            "values.csv: column C has figures but no header",
            id="figures-without-header",
        ),
        pytest.param(
            {"values": "measure_id,period,value\nM1,2017/18 Q1,100,\nM2,2017/18 Q1,55.5,\n"},
            "values.csv: could not be read as CSV: Error tokenizing data. C error: Expected 3 "
            "fields in line 2, saw 4",
            id="trailing-commas",
        ),
        pytest.param(
            {"targets": [("M1,2017/18,400", "M1,9999/00,400")]},
            "targets.csv, row 2, column year: '9999/00' is not a financial year; expected a "
            "year such as 2017/18",
            id="year-out-of-range",
        ),
        pytest.param(
            {"values": [("M1,2017/18 Q1,100,", "M1,2017/18 Q1,1e400,")]},
            "values.csv, row 2, column value: '1e400' is not a number; expected a number, or a "
            "blank value with a note while the figure is pending",
            id="infinite",
        ),
        pytest.param(
            {
                "measures": "measure_id,name,service,theme,framework,unit,polarity,aggregation,"
                "frequency,decimals\nM1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly,"
                "1e20\nM2,Reviews,Help Desk,Access,Local,percent,high,last,quarterly,1\n"
                "M3,Share,Care,Safety,Local,percent,band,last,quarterly,1\n"
            },
            "measures.csv, row 2, column decimals: '1e20' is more than 6; expected 0 to 6 "
            "decimal places",
            id="decimals-too-many",
        ),
        pytest.param(
            {"values": "measure_id,period,value,numerator,denominator\nM2,2017/18 Q1,55.5,-5,10\n"},
            "values.csv, row 2, column numerator: '-5' is below zero; expected a count of 0 or "
            "more",
            id="negative-numerator",
        ),
        pytest.param(
            {"values": [("M1,2017/18 Q1,100,", "M1,2017/18 Q1,100%,")]},
            "values.csv, row 2, column value: '100%' has a % sign but the measure's unit is not "
            "percent; check the unit in measures.csv",
            id="percent-sign-on-count",
        ),
    ],
)
def test_awkward_input_gets_a_message_not_a_traceback(tiny, changes, expected) -> None:
    """Odd files and cells found in real spreadsheets each give one clear error."""
    assert messages(tiny(**changes)) == [expected]


def test_negative_count_is_a_warning(tiny) -> None:
    """A count below zero is suspicious but possible (a net change): a warning, not an error."""
    folder = tiny(values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,-3,")])
    assert messages(folder) == []
    assert messages(folder, "warning") == [
        "values.csv, row 2, column value: '-3' is below zero, which a count, number of days or "
        "rate rarely is; check the sign"
    ]


def test_numbered_theme_is_a_warning(tiny) -> None:
    """A theme written as a number may be deliberate: warned about, not refused."""
    folder = tiny(measures=[("Care,Safety,", "Care,2,")])
    assert messages(folder) == []
    assert messages(folder, "warning") == [
        "measures.csv, row 4, column theme: '2' is a number where text was expected; are the "
        "columns shifted?"
    ]


def test_future_period_is_a_warning(tiny) -> None:
    """A period that has not started yet (2107/08 for 2017/18) is probably a typo: warned."""
    folder = tiny(values=[("", "M1,2107/08 Q1,5,")])
    assert messages(folder, "warning") == [
        "values.csv, row 5, column period: '2107/08 Q1' starts after today; is the year right?"
    ]


# -- the engine's inputs: ratio measures, overrides, benchmarks, rag_on ------------------------


def _engine_files(tiny, **files: str) -> Path:
    folder = tiny()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "measures.csv": "measure_id,name,service,theme,framework,unit,polarity,"
                "aggregation,frequency\nR,Reviews,S,T,Local,percent,high,ratio,quarterly\n",
                "values.csv": "measure_id,period,value,numerator,denominator\n"
                "R,2017/18 Q1,30,30,\n",
                "targets.csv": "measure_id,year,target\n",
            },
            "values.csv, row 2, column denominator: is missing for a ratio measure; its year to "
            "date is the sum of numerators over the sum of denominators, so every figure needs "
            "its denominator",
            id="ratio-without-denominator",
        ),
        pytest.param(
            {"benchmarks.csv": "measure_id,year,area,value,is_average\nM1,2016/17,A,5,maybe\n"},
            "benchmarks.csv, row 2, column is_average: 'maybe' is not yes or no; expected yes, "
            "no or blank",
            id="benchmark-flag",
        ),
        pytest.param(
            {"benchmarks.csv": "measure_id,year,area,value,quartile\nM1,2016/17,A,5,5\n"},
            "benchmarks.csv, row 2, column quartile: '5' is not a quartile; expected 1 to 4",
            id="benchmark-quartile",
        ),
        pytest.param(
            {"benchmarks.csv": "measure_id,year,area,value\nM1,2016/17 Q1,A,5\n"},
            "benchmarks.csv, row 2, column year: '2016/17 Q1' is not a financial year; expected "
            "a year such as 2017/18",
            id="benchmark-year",
        ),
        pytest.param(
            {"overrides.csv": "measure_id,period,rag,reason\nM9,2017/18 Q1,R,Because\n"},
            "overrides.csv, row 2, column measure_id: 'M9' is not a measure_id in measures.csv",
            id="override-unknown-measure",
        ),
        pytest.param(
            {
                "measures.csv": "measure_id,name,service,theme,framework,unit,polarity,"
                "aggregation,frequency,rag_on\nM1,Contacts,S,T,Local,count,high,sum,quarterly,"
                "outturn\n",
                "values.csv": "measure_id,period,value\nM1,2017/18 Q1,5\n",
                "targets.csv": "measure_id,year,target\n",
            },
            "measures.csv, row 2, column rag_on: 'outturn' is not one of the allowed values; "
            "expected one of value, forecast",
            id="rag-on",
        ),
        pytest.param(
            {"annotations.csv": "measure_id,period,text\nM9,2017/18 Q1,Plan started\n"},
            "annotations.csv, row 2, column measure_id: 'M9' is not a measure_id in measures.csv",
            id="annotation-unknown-measure",
        ),
        pytest.param(
            {"annotations.csv": "measure_id,period,text\nM1,Spring 2017,Plan started\n"},
            "annotations.csv, row 2, column period: 'Spring 2017' is not a period; expected a "
            "quarter such as 2017/18 Q1, a month such as 2017-04 or a financial year such as "
            "2017/18",
            id="annotation-period",
        ),
        pytest.param(
            {"annotations.csv": "measure_id,period,text\nM1,2017/18 Q1,\n"},
            "annotations.csv, row 2, column text: is blank; expected the text",
            id="annotation-blank-text",
        ),
    ],
)
def test_engine_input_errors(tiny, files, expected) -> None:
    assert messages(_engine_files(tiny, **files)) == [expected]


def test_ratio_figure_from_counts_is_not_pending(tiny) -> None:
    """A ratio row with a numerator and denominator has its figure (30 of 60); only a row with
    neither is pending."""
    folder = _engine_files(
        tiny,
        **{
            "measures.csv": "measure_id,name,service,theme,framework,unit,polarity,"
            "aggregation,frequency\nR,Reviews,S,T,Local,percent,high,ratio,quarterly\n",
            "values.csv": "measure_id,period,value,numerator,denominator\n"
            "R,2017/18 Q1,,30,60\nR,2017/18 Q2,,,\n",
            "targets.csv": "measure_id,year,target\n",
        },
    )
    assert messages(folder, "warning") == [
        "values.csv, row 3, column value: is blank with no note; it is shown as pending. Add "
        "a note such as 'Due May-18' to say when it is due"
    ]


def test_benchmark_area_not_in_the_file_warns(tiny) -> None:
    folder = _engine_files(
        tiny,
        **{
            "benchmarks.csv": "measure_id,year,area,value\nM1,2016/17,Trafford,5\n",
            "dataset.toml": 'area = "Traford"\n',
        },
    )
    assert messages(folder, "warning") == [
        "benchmarks.csv, column area: has no rows for the area 'Traford' named in dataset.toml, "
        "so no quartile can be worked out; check the spelling"
    ]


ACTIONS_CSV = """action_id,title,service,lead_officer,deadline,parent_id
AP-1,Open the new front door,Help Desk,A. Officer,31-Mar-2018,
AP-1a,Train the staff,Help Desk,B. Officer,Ongoing,AP-1
AP-2,Review the strategy,Help Desk,A. Officer,March 2018,AP-9
"""

UPDATES_CSV = """action_id,period,status,pct_complete,progress,issues
AP-1,2017/18 Q1,On Target,50,,
AP-1,2017/18 Q2,on target,40,,
AP-1a,2017/18 Q1,Completed,90,,
AP-3,2017/18 Q1,On target,10,,
AP-2,2017/18 Q1,Off target,120,,
AP-2,2017/18 Q2,Finished,50,,
"""


def test_action_plans_are_checked_by_row(tiny) -> None:
    """Unknown actions and parents, % outside 0 to 100 and an unknown status are errors named
    by file, row and column; % going backwards and Completed under 100% are warnings."""
    folder = tiny(actions=ACTIONS_CSV, action_updates=UPDATES_CSV)
    assert messages(folder) == [
        "action_updates.csv, row 7, column status: 'Finished' is not one of the allowed values; "
        "expected one of Not started, On target, At risk, Off target, Completed, Cancelled, "
        "Achieved, Already achieved, Complete, Done",
        "actions.csv, row 4, column parent_id: 'AP-9' is not an action_id in actions.csv",
        "action_updates.csv, row 5, column action_id: 'AP-3' is not an action_id in actions.csv",
        "action_updates.csv, row 6, column pct_complete: '120' is not a percentage from 0 to 100",
    ]
    assert messages(folder, "warning") == [
        "action_updates.csv, row 4, column pct_complete: '90' is less than 100 for an action "
        "whose status is Completed",
        "action_updates.csv, row 3, column pct_complete: '40' is lower than the action's % "
        "complete in the period before; is it right?",
        "action_updates.csv, row 7, column pct_complete: '50' is lower than the action's % "
        "complete in the period before; is it right?",
    ]


def test_updates_without_actions_are_an_error(tiny) -> None:
    folder = tiny(action_updates=UPDATES_CSV)
    assert (
        "action_updates.csv, column action_id: has updates but the data set has no actions.csv "
        "listing the actions" in messages(folder)
    )
