"""The wide layout: kpis.csv or a kpis sheet, one row per measure and a column per period."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from openpyxl import Workbook, load_workbook

from conftest import write_dataset
from perfnb import load_dataset, performance, validate_dataset
from perfnb.cli import main
from perfnb.scorecard import build_scorecard
from perfnb.wide import classify_header

# the same figures twice: as a kpis sheet (with targets.csv beside it for the band measure)
# and in the long files. 2016/17 Q2's column comes last, out of time order, on purpose.
KPIS = """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,amber_within,\
Comments,2017/18 Q1,2017/18 Q2,note 2017/18 Q2,target 2017/18,target 2017/18 Q1,\
target 2017/18 Q2,2016/17 Q2
M1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly,,phone and email,100,120,,400,,,90
M2,Collection rate,Help Desk,Income,Local,percent,high,ytd,quarterly,,,30.5,55,,95.2,30.97,56.52,54
M3,Share of sequels,Care,Safety,Local,percent,band,last,quarterly,,,12,,Due Nov,,,,11
M4,Reviews late,Care,Safety,Local,percent,low,last,quarterly,10%,,5,6,,4,,,7
"""
BAND_TARGETS = """\
measure_id,year,target,band_low,band_high
M3,2017/18,,10,14
"""
LONG = {
    "measures.csv": """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,amber_within,comments
M1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly,,phone and email
M2,Collection rate,Help Desk,Income,Local,percent,high,ytd,quarterly,,
M3,Share of sequels,Care,Safety,Local,percent,band,last,quarterly,,
M4,Reviews late,Care,Safety,Local,percent,low,last,quarterly,10%,
""",
    "values.csv": """\
measure_id,period,value,note
M1,2016/17 Q2,90,
M1,2017/18 Q1,100,
M1,2017/18 Q2,120,
M2,2016/17 Q2,54,
M2,2017/18 Q1,30.5,
M2,2017/18 Q2,55,
M3,2016/17 Q2,11,
M3,2017/18 Q1,12,
M3,2017/18 Q2,,Due Nov
M4,2016/17 Q2,7,
M4,2017/18 Q1,5,
M4,2017/18 Q2,6,
""",
    "targets.csv": """\
measure_id,year,period,target,band_low,band_high
M1,2017/18,,400,,
M2,2017/18,,95.2,,
M2,,2017/18 Q1,30.97,,
M2,,2017/18 Q2,56.52,,
M3,2017/18,,,10,14
M4,2017/18,,4,,
""",
}

# a small kpis sheet for the error tests: rows 2 to 4 of the sheet
SMALL = """\
measure_id,name,service,theme,framework,Unit,polarity,aggregation,frequency,2022/23 Q1,\
2022/23 Q2,target 2022/23,note 2022/23 Q2
K1,Calls answered,Contact Centre,Access,Local,count,high,sum,quarterly,1200,,5000,
K2,Complaints on time,Contact Centre,Access,Local,percent,high,last,quarterly,81.5,,85,Due Aug
K3,Visits,Libraries,Culture,Local,count,high,sum,quarterly,300,310,1200,
"""


def add_column(text: str, header: str, *cells: str) -> str:
    """A CSV text with one more column: its header, then ``cells`` down its rows (blank
    after them)."""
    lines = text.splitlines()
    rows = [*cells, *[""] * (len(lines) - 1 - len(cells))]
    return (
        "\n".join(f"{line},{cell}" for line, cell in zip(lines, [header, *rows], strict=True))
        + "\n"
    )


def _rows(text: str) -> list[list[object]]:
    """A CSV's rows with numbers as numbers, as a person types them into Excel."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None)
    rows = []
    for row in frame.itertuples(index=False):
        cells: list[object] = []
        for cell in row:
            try:
                cells.append(float(cell) if cell.strip() else None)
            except ValueError:
                cells.append(cell)
        rows.append(cells)
    return rows


def write_form(folder: Path, form: str, kpis: str, others: dict[str, str] | None = None) -> Path:
    """A data set holding ``kpis`` as kpis.csv (``form`` csv) or as the kpis sheet of
    perfnb.xlsx (``form`` xlsx), with ``others`` as CSV files or sheets beside it."""
    files = {"kpis.csv": kpis, **(others or {})}
    if form == "csv":
        return write_dataset(folder, files)
    book = Workbook()
    book.remove(book.active)
    for name, text in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for row in _rows(text):
            sheet.append(row)
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "perfnb.xlsx")
    return folder


LABEL = {"csv": "kpis.csv", "xlsx": "perfnb.xlsx, sheet kpis"}
# how to head a column, as every header error says it
HOW = (
    "head a figure column with its period: a quarter (2022/23 Q1), a month (2022-06) or a "
    "financial year (2022/23); a target column with target and its period (target 2022/23 Q1, "
    "target 2022/23); a note column with note and its period (note 2022/23 Q1)"
)


def _report_notebook(folder: Path) -> Path:
    """A report notebook that does nothing but take perfnb's parameters."""
    params = 'period = "2017/18 Q2"\nservice = "Help Desk"\ndata_dir = "data"\noutput_dir = "out"'
    nb = new_notebook(cells=[new_code_cell(params, metadata={"tags": ["parameters"]})])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / "scorecard.ipynb")
    return folder


def test_wide_and_long_give_byte_identical_scorecard(tmp_path, capsys) -> None:
    """perfnb run on a kpis sheet and on its long equivalent writes the same scorecard.csv,
    byte for byte; its figures are the ones worked out by hand."""
    wide = write_dataset(tmp_path / "wide", {"kpis.csv": KPIS, "targets.csv": BAND_TARGETS})
    long = write_dataset(tmp_path / "long", LONG)
    notebooks = _report_notebook(tmp_path / "notebooks")
    written = []
    for name, folder in (("wide", wide), ("long", long)):
        out = tmp_path / f"out-{name}"
        args = ["run", "--data", str(folder), "--out", str(out), "--period", "2017/18 Q2"]
        code = main([*args, "--notebooks", str(notebooks), "--workers", "1"])
        assert code == 0, capsys.readouterr()
        written.append((out / "2017-18-Q2" / "scorecard.csv").read_bytes())
    assert written[0] == written[1]
    card = pd.read_csv(io.BytesIO(written[0])).set_index("measure_id")
    assert list(card.index) == ["M1", "M2", "M3", "M4"]
    # M1: year to date 100 + 120 = 220 against 400 x 6/12 = 200, 10% over: Green
    assert (card.at["M1", "value"], card.at["M1", "target"]) == (220, 200)
    assert card.at["M1", "rag"] == "Green"
    # M4 (lower is better): 6 against 4 is 2 points, 50% of the target, beyond 10%: Red
    assert (card.at["M4", "value"], card.at["M4", "target"], card.at["M4", "rag"]) == (6, 4, "Red")


def test_kpis_rows_become_long_rows(tmp_path) -> None:
    """A figure gives a values row, a blank figure none unless its note says why; a target
    header with a year gives a year's target, with a quarter a period target."""
    data = load_dataset(write_dataset(tmp_path / "wide", {"kpis.csv": SMALL}))
    text = {"measure_id": str, "period": str, "note": str}  # categorical: compared as text
    values = data.values[["measure_id", "period", "value", "note"]].astype(text)
    expected = pd.DataFrame(
        {
            "measure_id": ["K1", "K2", "K2", "K3", "K3"],
            "period": ["2022/23 Q1", "2022/23 Q1", "2022/23 Q2", "2022/23 Q1", "2022/23 Q2"],
            "value": [1200.0, 81.5, float("nan"), 300.0, 310.0],
            "note": ["", "", "Due Aug", "", ""],
        }
    )
    pd.testing.assert_frame_equal(values.reset_index(drop=True), expected, check_dtype=False)
    assert data.values["pending"].tolist() == [False, False, True, False, False]
    targets = data.targets[["measure_id", "year", "target"]]
    assert targets.values.tolist() == [
        ["K1", "2022/23", 5000.0],
        ["K2", "2022/23", 85.0],
        ["K3", "2022/23", 1200.0],
    ]
    assert data.measures["measure_id"].tolist() == ["K1", "K2", "K3"]
    assert data.measures["unit"].tolist() == ["count", "percent", "count"]
    assert list(data.file_hashes()) == ["kpis.csv"]  # a run rebuilds when kpis.csv changes


def test_period_target_header_gives_a_period_row(tmp_path) -> None:
    """target 2022/23 Q1 is the target at that quarter: a targets row with that period."""
    kpis = SMALL.replace("target 2022/23,", "target 2022/23 Q1,")
    data = load_dataset(write_dataset(tmp_path / "wide", {"kpis.csv": kpis}))
    rows = data.targets[["measure_id", "period", "target"]].values.tolist()
    assert rows == [
        ["K1", "2022/23 Q1", 5000.0],
        ["K2", "2022/23 Q1", 85.0],
        ["K3", "2022/23 Q1", 1200.0],
    ]


def test_kpis_sheet_in_excel_reads_as_kpis_csv(tmp_path) -> None:
    """A kpis sheet of perfnb.xlsx, figures typed as numbers, gives kpis.csv's frames and card."""
    from_csv = load_dataset(
        write_form(tmp_path / "csv", "csv", KPIS, {"targets.csv": BAND_TARGETS})
    )
    from_xlsx = load_dataset(
        write_form(tmp_path / "xlsx", "xlsx", KPIS, {"targets.csv": BAND_TARGETS})
    )
    for name in ("measures", "values", "targets"):
        pd.testing.assert_frame_equal(getattr(from_csv, name), getattr(from_xlsx, name))
    pd.testing.assert_frame_equal(
        build_scorecard(from_csv, "2017/18 Q2", spc=False),
        build_scorecard(from_xlsx, "2017/18 Q2", spc=False),
    )


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_cell_errors_name_the_sheet_row_and_header(form, tmp_path) -> None:
    """A bad figure, target or measures cell names the kpis file or sheet, the row and the
    column header as written."""
    kpis = (
        SMALL.replace("quarterly,300,310", "quarterly,abc,310")
        .replace("81.5,,85,", "81.5,,TBC,")
        .replace("Local,percent,high", "Local,Percentage,high")
    )
    label = LABEL[form]
    problems = [str(p) for p in validate_dataset(write_form(tmp_path / "d", form, kpis))]
    assert problems == [
        f"{label}, row 3, column Unit: 'Percentage' is not one of the allowed values; expected "
        "one of count, percent, rate, score, currency, days, ratio",
        f"{label}, row 4, column 2022/23 Q1: 'abc' is not a number; expected a number, or a blank "
        "value with a note while the figure is pending",
        f"{label}, row 3, column target 2022/23: 'TBC' is not a number; expected a number such "
        "as 12.5",
    ]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_header_errors_name_the_header(form, tmp_path) -> None:
    """A header that looks like a period but is not one, and a period given twice, are errors
    naming the header as written; the columns read still are checked."""
    kpis = add_column(SMALL, "2022/23 Q5", "1")
    kpis = add_column(kpis, "target 2022/23 Q9", "2")
    kpis = add_column(kpis, "2022/23 q1", "1201")
    label = LABEL[form]
    problems = [str(p) for p in validate_dataset(write_form(tmp_path / "d", form, kpis))]
    how = (
        "head a figure column with its period: a quarter (2022/23 Q1), a month (2022-06) or a "
        "financial year (2022/23); a target column with target and its period (target 2022/23 "
        "Q1, target 2022/23); a note column with note and its period (note 2022/23 Q1)"
    )
    assert problems == [
        f"{label}, row 1, column 2022/23 Q5: is not a period perfnb reads; {how}",
        f"{label}, row 1, column target 2022/23 Q9: is not a period perfnb reads; {how}",
        f"{label}, row 1, column 2022/23 q1: repeats the period of column 2022/23 Q1 (columns "
        "J and P); keep one",
    ]


def test_a_period_written_two_ways_is_repeated(tmp_path) -> None:
    """2022/23 Q1 and its slug 2022-23-Q1 head the same period: an error, as is a target
    period given twice."""
    kpis = add_column(add_column(SMALL, "2022-23-Q1", "1201"), "Target 2022-23", "5001")
    problems = [str(p) for p in validate_dataset(write_dataset(tmp_path / "d", {"kpis.csv": kpis}))]
    assert problems == [
        "kpis.csv, row 1, column 2022-23-Q1: repeats the period of column 2022/23 Q1 (columns J "
        "and N); keep one",
        "kpis.csv, row 1, column Target 2022-23: repeats the target of column target 2022/23 "
        "(columns L and O); keep one",
    ]


def test_measure_in_both_forms_is_an_error(tmp_path) -> None:
    """A measure in measures.csv and in kpis.csv is one error, at the kpis row."""
    folder = write_dataset(
        tmp_path / "d",
        {
            "kpis.csv": SMALL,
            "measures.csv": "measure_id,name,service,theme,framework,unit,polarity,aggregation,"
            "frequency\nL1,Other,Contact Centre,Access,Local,count,high,sum,quarterly\n"
            "K2,Complaints on time,Contact Centre,Access,Local,percent,high,last,quarterly\n",
        },
    )
    problems = [str(p) for p in validate_dataset(folder)]
    assert problems == [
        "kpis.csv, row 3, column measure_id: 'K2' is also a measure of measures.csv (row 3); "
        "give each measure in one form, a row of kpis.csv or of measures.csv, not both"
    ]


def test_kpis_beside_long_files(tmp_path) -> None:
    """kpis.csv adds to the long files: their measures and figures stay, a kpis measure may
    have figures in values.csv, and a figure given in both is a repeat naming both files."""
    measures = (
        "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency\n"
        "L1,Other,Contact Centre,Access,Local,count,high,sum,quarterly\n"
    )
    values = "measure_id,period,value\nL1,2022/23 Q1,7\nK3,2022/23 Q3,320\n"
    files = {"kpis.csv": SMALL, "measures.csv": measures, "values.csv": values}
    data = load_dataset(write_dataset(tmp_path / "ok", files))
    assert data.measures["measure_id"].tolist() == ["L1", "K1", "K2", "K3"]
    k3 = data.values[data.values["measure_id"] == "K3"]
    assert k3[["period", "value"]].values.tolist() == [
        ["2022/23 Q3", 320.0],
        ["2022/23 Q1", 300.0],
        ["2022/23 Q2", 310.0],
    ]
    files["values.csv"] = values + "K1,2022/23 Q1,1199\n"
    problems = [str(p) for p in validate_dataset(write_dataset(tmp_path / "dup", files))]
    assert problems == [
        "kpis.csv, row 2, column 2022/23 Q1: '2022/23 Q1' repeats measure_id K1 and period "
        "2022/23 Q1, already on values.csv, row 4"
    ]


def test_unknown_headers_are_kept_and_near_misses_warned(tmp_path) -> None:
    """A header of the user's own is kept in the measures; one that begins with a period but
    says more (2022/23 Q1 RAG) is kept with a warning that it is not read as figures."""
    kpis = add_column(add_column(SMALL, "Lead officer", "A. Khan"), "2022/23 Q1 RAG", "G", "A")
    folder = write_dataset(tmp_path / "d", {"kpis.csv": kpis})
    problems = validate_dataset(folder)
    assert [p.severity for p in problems] == ["warning"]
    assert str(problems[0]).startswith(
        "kpis.csv, row 1, column 2022/23 Q1 RAG: is kept as a column of its own, not read as "
        "figures; to read it, head a figure column with its period"
    )
    measures = load_dataset(folder).measures
    assert measures["lead_officer"].tolist() == ["A. Khan", "", ""]
    assert measures["2022/23_q1_rag"].tolist() == ["G", "A", ""]


def test_kpis_missing_a_measures_column(tmp_path) -> None:
    """A kpis sheet without a required measures column says so and reads no rows."""
    kpis = SMALL.replace("frequency,", "freq,")
    problems = [str(p) for p in validate_dataset(write_dataset(tmp_path / "d", {"kpis.csv": kpis}))]
    assert problems == [
        "kpis.csv, column frequency: is missing; the columns are: measure_id, name, service, "
        "theme, framework, Unit, polarity, aggregation, freq, 2022/23 Q1, 2022/23 Q2, target "
        "2022/23, note 2022/23 Q2"
    ]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_bad_kpis_stop_validate_and_run(form, tmp_path, capsys) -> None:
    """perfnb validate and perfnb run exit 1 on a bad kpis cell, print it, no traceback, and
    run writes nothing."""
    folder = write_form(tmp_path / "d", form, SMALL.replace("1200,,5000", "12OO,,5000"))
    line = (
        f"  {LABEL[form]}, row 2, column 2022/23 Q1: '12OO' is not a number; expected a number, "
        "or a blank value with a note while the figure is pending"
    )
    assert main(["validate", "--data", str(folder)]) == 1
    captured = capsys.readouterr()
    assert line in captured.err.splitlines()
    assert "Traceback" not in captured.err + captured.out
    out = tmp_path / "out"
    assert main(["run", "--data", str(folder), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert line in captured.err.splitlines()
    assert "Nothing was run" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not out.exists()


def test_workbook_with_only_a_kpis_sheet_and_a_readme(tmp_path) -> None:
    """perfnb.xlsx needs no measures, values or targets sheet when it has kpis; a sheet perfnb
    does not know (README) is ignored."""
    folder = write_form(tmp_path / "d", "xlsx", SMALL, {"README.csv": "what\nnotes for people\n"})
    assert validate_dataset(folder) == []
    assert load_dataset(folder).measures["measure_id"].tolist() == ["K1", "K2", "K3"]


def test_unreadable_kpis_csv_is_the_one_problem(tmp_path) -> None:
    """A kpis.csv that cannot be parsed is reported as such; the long files it stands in for
    are not reported missing."""
    kpis = SMALL.replace("1200,,5000", "1,200,,5000")  # an unquoted thousands comma
    problems = [str(p) for p in validate_dataset(write_dataset(tmp_path / "d", {"kpis.csv": kpis}))]
    assert problems == [
        "kpis.csv: could not be read as CSV: Error tokenizing data. C error: Expected 13 fields "
        "in line 2, saw 14"
    ]


def test_excel_month_headers_typed_as_dates(tmp_path) -> None:
    """In Excel a month's column may be headed by a date (1 June 2022): it is that month."""
    book = Workbook()
    sheet = book.active
    sheet.title = "kpis"
    head = ["measure_id", "name", "service", "theme", "framework", "unit", "polarity"]
    sheet.append([*head, "aggregation", "frequency", dt.date(2022, 5, 1), dt.date(2022, 6, 30)])
    sheet.append(["C1", "Calls", "Contact", "Access", "Local", "count", "high", "sum", "monthly"])
    sheet["J2"], sheet["K2"] = 410, "many"
    (tmp_path / "d").mkdir()
    book.save(tmp_path / "d" / "perfnb.xlsx")
    problems = [str(p) for p in validate_dataset(tmp_path / "d")]
    assert problems == [
        "perfnb.xlsx, sheet kpis, row 2, column 2022-06-30: 'many' is not a number; expected a "
        "number, or a blank value with a note while the figure is pending"
    ]
    sheet["K2"] = 395
    book.save(tmp_path / "d" / "perfnb.xlsx")
    values = load_dataset(tmp_path / "d").values
    assert values[["period", "value"]].values.tolist() == [["2022-05", 410.0], ["2022-06", 395.0]]


def test_many_bad_cells_are_counted_by_file(tmp_path) -> None:
    """Forty bad figures in ten rows: 25 listed (row by row, each naming its header), then a
    count of the other 15 naming the kpis file, not a column it does not have."""
    quarters = ",".join(f"2022/23 Q{q}" for q in range(1, 5))
    head = f"measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,{quarters}"
    rows = [f"K{i},Calls,Contact,Access,Local,count,high,sum,quarterly,x,x,x,x" for i in range(10)]
    folder = write_dataset(tmp_path / "d", {"kpis.csv": "\n".join([head, *rows]) + "\n"})
    problems = [str(p) for p in validate_dataset(folder)]
    assert len(problems) == 26
    assert problems[0].startswith("kpis.csv, row 2, column 2022/23 Q1: 'x' is not a number")
    assert problems[4].startswith("kpis.csv, row 3, column 2022/23 Q1: 'x' is not a number")
    assert problems[24].startswith("kpis.csv, row 8, column 2022/23 Q1: 'x' is not a number")
    assert problems[-1] == "kpis.csv: ... and 15 more row(s) with the same problem"


def test_repeated_target_and_service_name_point_at_the_kpis_cell(tmp_path) -> None:
    """A kpis target that repeats a targets.csv row, and a kpis service whose report file name
    clashes with measures.csv's, are named at the kpis row and header."""
    measures = (
        "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency\n"
        "L1,Other,Contact-Centre,Access,Local,count,high,sum,quarterly\n"
    )
    targets = "measure_id,year,target\nK1,2022/23,5001\n"
    files = {"kpis.csv": SMALL, "measures.csv": measures, "targets.csv": targets}
    problems = [str(p) for p in validate_dataset(write_dataset(tmp_path / "d", files))]
    assert problems == [
        "kpis.csv, row 2, column service: 'Contact Centre' gives the same report file name "
        "(contact-centre) as 'Contact-Centre'; rename one of them",
        "kpis.csv, row 2, column target 2022/23: '2022/23' repeats measure_id K1 and year "
        "2022/23, already on targets.csv, row 2",
    ]


@pytest.mark.parametrize(
    ("header", "role", "period", "kind"),
    [
        ("Q1 2022/23", "figure", "2022/23 Q1", "quarter"),
        ("Q1 22/23", "figure", "2022/23 Q1", "quarter"),
        ("22-23 Q4", "figure", "2022/23 Q4", "quarter"),
        ("Quarter 2 2022/23", "figure", "2022/23 Q2", "quarter"),
        ("Actual 2022/23 Q1", "figure", "2022/23 Q1", "quarter"),
        ("2022/23 Q1 Actual", "figure", "2022/23 Q1", "quarter"),
        ("Q1 2022/23 Actual", "figure", "2022/23 Q1", "quarter"),
        ("Outturn 2022/23", "figure", "2022/23", "year"),
        ("Actual Jun-22", "figure", "2022-06", "month"),
        ("Apr-22", "figure", "2022-04", "month"),
        ("April 2022", "figure", "2022-04", "month"),
        ("Apr-Jun 2022", "figure", "2022/23 Q1", "quarter"),
        ("Oct-Dec 22", "figure", "2022/23 Q3", "quarter"),
        ("Jan-Mar 2023", "figure", "2022/23 Q4", "quarter"),  # January 2023 is in 2022/23
        ("Jan-Mar 2022/23", "figure", "2022/23 Q4", "quarter"),
        ("Target 2022/23 (Q1)", "target", "2022/23 Q1", "quarter"),
        ("Target 2022/23 Q1 (%)", "target", "2022/23 Q1", "quarter"),
        ("2022/23 Q1 Target", "target", "2022/23 Q1", "quarter"),
        ("Target Q1 2022/23", "target", "2022/23 Q1", "quarter"),
        ("Target 22/23", "target", "2022/23", "year"),
        ("2022/23 Target (£000s)", "target", "2022/23", "year"),
        ("Notes Q2 2022/23", "note", "2022/23 Q2", "quarter"),
        ("01/06/2022", "figure", "2022-06", "month"),
    ],
)
def test_council_headers_are_read(header, role, period, kind) -> None:
    """The headers councils write name a period perfnb reads: a quarter first or last, a
    two-digit year, Actual or Outturn for the figure, a target in any word order, a unit in
    brackets, a month by name, a quarter by its months."""
    column = classify_header(0, header)
    assert (column.role, column.name, column.kind) == (role, period, kind)
    assert (column.quarter, column.year) == ("", "")


@pytest.mark.parametrize(
    ("header", "month", "quarter", "year"),
    [
        ("30/06/2022", "2022-06", "2022/23 Q1", ""),
        ("30-Sep-22", "2022-09", "2022/23 Q2", ""),
        ("2022-12-31", "2022-12", "2022/23 Q3", ""),  # how perfnb reads an Excel date header
        ("31 Mar 2023", "2023-03", "2022/23 Q4", "2022/23"),
        ("31/05/2022", "2022-05", "", ""),  # not a quarter's last day: the month only
        ("29/06/2022", "2022-06", "", ""),
    ],
)
def test_a_date_header_on_a_quarters_last_day(header, month, quarter, year) -> None:
    """A date header is its month, and, on a quarter's last day, also the quarter (and on 31
    March the year) it ends, for the rows of quarterly (annual) measures."""
    column = classify_header(0, header)
    assert (column.role, column.name, column.kind) == ("figure", month, "month")
    assert (column.quarter, column.year) == (quarter, year)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "Q1 Actual",
            "names the quarter Q1 but not its year, so its figures cannot be read; head it with "
            "the financial year too, such as 2022/23 Q1",
        ),
        (
            "Actual Q1",
            "names the quarter Q1 but not its year, so its figures cannot be read; head it with "
            "the financial year too, such as 2022/23 Q1",
        ),
        (
            "Target Q2",
            "names the quarter Q2 but not its year, so its targets cannot be read; head it with "
            "the financial year too, such as target 2022/23 Q2",
        ),
        (
            "Q3 Target",
            "names the quarter Q3 but not its year, so its targets cannot be read; head it with "
            "the financial year too, such as target 2022/23 Q3",
        ),
        (
            "Jun Actual",
            "names the month Jun but not its year, so its figures cannot be read; head it with "
            "the financial year too, such as 2022-06",
        ),
        (
            "Apr-Jun",
            "names the months Apr-Jun but not its year, so its figures cannot be read; head it "
            "with the financial year too, such as 2022/23 Q1",
        ),
        ("Apr-May 2022", f"is not a period perfnb reads; {HOW}"),  # not a quarter
        ("Q1 22/24", f"is not a period perfnb reads; {HOW}"),
        ("31/06/2022", f"is not a period perfnb reads; {HOW}"),
        ("Q1 2022", f"is not a period perfnb reads; {HOW}"),  # a calendar year's Q1?
    ],
)
def test_headers_perfnb_cannot_read_are_errors(header, message) -> None:
    """A header naming a quarter or month without its year, or a period that does not exist,
    is an error saying how to head it: its figures are never dropped without a word."""
    column = classify_header(0, header)
    assert (column.role, column.name) == ("error", message)


@pytest.mark.parametrize(
    ("header", "what"),
    [("2022/23 Q1 RAG", "figures"), ("Target 2022/23 Q1 RAG", "targets"), ("Q1 RAG", "figures")],
)
def test_headers_with_a_period_and_more_are_warned(header, what) -> None:
    """A header that names a period and says more is kept as a column of its own, with a
    warning naming what it is not read as."""
    column = classify_header(0, header)
    assert column.role == "warning"
    assert column.name == f"is kept as a column of its own, not read as {what}; to read it, {HOW}"


@pytest.mark.parametrize("header", ["Target", "Annual target", "Year end target"])
def test_a_target_header_without_a_period_is_warned(header) -> None:
    """Target, Annual target: kept as the user's own column, with a warning to name its year."""
    column = classify_header(0, header)
    assert column.role == "warning"
    assert column.name.startswith("is kept as a column of its own, not read as targets: it names")


# a council's own headers: a two-digit year, Actual before the period, a date header at the end
# of Q3 (a quarter for the quarterly measures, December for the monthly one), a target with a
# unit note, the year's target with the word after, a month by name
COUNCIL = """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,Q1 22/23,\
Actual 2022/23 Q2,31/12/2022,Target 2022/23 Q1 (%),2022/23 Target,Jun-22
C1,Calls answered,Contact,Access,Local,count,high,sum,quarterly,1200,1300,1250,,5000,
C2,Complaints on time,Contact,Access,Local,percent,high,last,quarterly,81.5,83,84,85,90,
C3,Visits,Libraries,Culture,Local,count,high,sum,monthly,,,410,,4800,400
"""


def _with_header(folder: Path, cell: str, value: object) -> Path:
    """The data set's perfnb.xlsx with one header cell of its kpis sheet replaced."""
    book = load_workbook(folder / "perfnb.xlsx")
    book["kpis"][cell] = value
    book.save(folder / "perfnb.xlsx")
    return folder


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_councils_headers_read_as_written(form, tmp_path) -> None:
    """A council's sheet validates and gives these rows, worked from its cells: in Excel the
    Q3 column is headed by the date 31 December 2022, typed as a date."""
    folder = write_form(tmp_path / "d", form, COUNCIL)
    if form == "xlsx":
        _with_header(folder, "L1", dt.datetime(2022, 12, 31))
    assert validate_dataset(folder) == []
    data = load_dataset(folder)
    assert data.values[["measure_id", "period", "value"]].values.tolist() == [
        ["C1", "2022/23 Q1", 1200.0],
        ["C1", "2022/23 Q2", 1300.0],
        ["C1", "2022/23 Q3", 1250.0],
        ["C2", "2022/23 Q1", 81.5],
        ["C2", "2022/23 Q2", 83.0],
        ["C2", "2022/23 Q3", 84.0],
        ["C3", "2022-12", 410.0],
        ["C3", "2022-06", 400.0],
    ]
    assert data.targets[["measure_id", "year", "period", "target"]].values.tolist() == [
        ["C1", "2022/23", "", 5000.0],
        ["C2", "2022/23", "2022/23 Q1", 85.0],
        ["C2", "2022/23", "", 90.0],
        ["C3", "2022/23", "", 4800.0],
    ]


DATED = """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,30/06/2022,\
target 2022/23
Q1M,Calls answered,Contact,Access,Local,count,high,sum,quarterly,1200,4000
MON,Visits,Libraries,Culture,Local,count,high,sum,monthly,400,4800
"""


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_quarter_end_date_header_is_the_quarter_of_a_quarterly_measure(form, tmp_path) -> None:
    """A column headed 30 June 2022 (in Excel, a date) holds Q1's figure for a quarterly
    measure, not June's: 1200 against 4000 x 3/12 = 1000 is Green, not "Pending: figures for
    1 of 3 months". For a monthly measure it is June: 1 of Q1's 3 months, pending."""
    folder = write_form(tmp_path / "d", form, DATED)
    if form == "xlsx":
        _with_header(folder, "J1", dt.datetime(2022, 6, 30))
    assert validate_dataset(folder) == []
    data = load_dataset(folder)
    assert data.values[["measure_id", "period"]].values.tolist() == [
        ["Q1M", "2022/23 Q1"],
        ["MON", "2022-06"],
    ]
    card = performance(data, "2022/23 Q1").set_index("measure_id")
    assert (card.at["Q1M", "value"], card.at["Q1M", "target"]) == (1200, 1000)
    assert card.at["Q1M", "rag"] == "Green"
    assert card.at["MON", "rag"] == "Pending"
    assert card.at["MON", "rag_reason"].endswith("figures for 1 of 3 months")


FINER = """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency,2022/23 Q1,\
Jun-22,note 2022-06,2022/23
Q1M,Calls answered,Contact,Access,Local,count,high,sum,quarterly,1200,410,,
SUR,Residents satisfied,Contact,Access,Local,percent,high,last,annual,81.5,,,80
Q2M,Visits,Libraries,Culture,Local,count,high,sum,quarterly,300,,Due Jul,
"""


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_figure_finer_than_its_measure_is_an_error(form, tmp_path, capsys) -> None:
    """A month's figure (or note) for a quarterly measure, and a quarter's for an annual one,
    are errors naming the row and header and saying how to head it; validate exits 1. In Excel
    the month is headed by the date 1 June 2022, which perfnb reads as 2022-06."""
    folder = write_form(tmp_path / "d", form, FINER)
    header = "Jun-22"
    if form == "xlsx":
        _with_header(folder, "K1", dt.datetime(2022, 6, 1))
        header = "2022-06"
    label = LABEL[form]
    problems = [str(p) for p in validate_dataset(folder)]
    assert problems == [
        f"{label}, row 2, column {header}: '410' is a figure for the month 2022-06, but the "
        "measure is quarterly; head the column with the quarter, 2022/23 Q1, or make the "
        "measure monthly",
        f"{label}, row 3, column 2022/23 Q1: '81.5' is a figure for the quarter 2022/23 Q1, but "
        "the measure is annual; head the column with the year, 2022/23, or change the "
        "measure's frequency",
        f"{label}, row 4, column note 2022-06: 'Due Jul' is a note for the month 2022-06, but "
        "the measure is quarterly; head the column with the quarter, 2022/23 Q1, or make the "
        "measure monthly",
    ]
    assert main(["validate", "--data", str(folder)]) == 1
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_month_target_of_a_quarterly_measure_names_its_header(form, tmp_path) -> None:
    """A target headed by a month, for a quarterly measure, is the contract's error, located
    at the kpis row and header."""
    kpis = add_column(SMALL, "Target Jun-22", "300")
    problems = [str(p) for p in validate_dataset(write_form(tmp_path / "d", form, kpis))]
    assert problems == [
        f"{LABEL[form]}, row 2, column Target Jun-22: '2022-06' is a month, but the measure is "
        "quarterly and has no monthly figures; give the target at a quarter such as 2017/18 Q2"
    ]


def test_kpis_tolerance_typed_as_a_percentage_in_excel(tmp_path) -> None:
    """In Excel, an amber_within typed as 10% (stored 0.1, formatted 0%) is 10% of the target:
    M4's 6 against 4 (lower is better) misses by 2, 50% of the target, beyond 10%: Red (read
    as 10 points it would be Amber). A figure formatted as a percentage (30.5%, stored 0.305)
    is still the per cent shown, 30.5."""
    folder = write_form(tmp_path / "d", "xlsx", KPIS, {"targets.csv": BAND_TARGETS})
    book = load_workbook(folder / "perfnb.xlsx")
    sheet = book["kpis"]
    sheet["J5"], sheet["J5"].number_format = 0.1, "0%"  # M4's amber_within
    sheet["L3"], sheet["L3"].number_format = 0.305, "0.0%"  # M2's 2017/18 Q1
    book.save(folder / "perfnb.xlsx")
    data = load_dataset(folder)
    assert data.measures.set_index("measure_id").at["M4", "amber_within"] == "10%"
    values = data.values.set_index(["measure_id", "period"])
    assert values.at[("M2", "2017/18 Q1"), "value"] == pytest.approx(30.5)
    card = performance(data, "2017/18 Q2").set_index("measure_id")
    assert card.at["M4", "rag"] == "Red"
