"""perfnb init: a new data set's workbook, its README sheet, drop-down lists, and no overwriting."""

from __future__ import annotations

import tomllib

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from perfnb import load_dataset, performance
from perfnb.cli import main
from perfnb.contract import FILES, MEASURES

MEASURES_HEADERS = [c.name for c in MEASURES.columns]


def _lists(sheet) -> dict[str, str]:
    """Each drop-down list of a sheet, by its column's header: the list as Excel stores it."""
    headers = [cell.value for cell in sheet[1]]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        for cells in rule.sqref.ranges:
            assert (cells.min_row, cells.max_row) == (2, 5001)
            found[headers[cells.min_col - 1]] = rule.formula1
    return found


def test_init_writes_every_sheet_with_headers_an_example_and_lists(tmp_path, capsys) -> None:
    """Every contract sheet after README, its headers in contract order, one example row,
    drop-down lists on the choice columns."""
    folder = tmp_path / "council"
    assert main(["init", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(f"Wrote {folder / 'perfnb.xlsx'}, ")
    assert sorted(p.name for p in folder.iterdir()) == ["dataset.toml", "perfnb.xlsx"]
    book = load_workbook(folder / "perfnb.xlsx")
    assert book.sheetnames == ["README", *FILES]
    for name, spec in FILES.items():
        rows = list(book[name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.name for c in spec.columns], name
        assert len(rows) == 2, name  # the header and one example
    assert _lists(book["measures"]) == {
        "unit": '"count,percent,rate,score,currency,days,ratio"',
        "polarity": '"high,low,band,none"',
        "aggregation": '"sum,ratio,last,mean,ytd"',
        "frequency": '"monthly,quarterly,annual"',
        "dot_basis": '"previous,last_year"',
        "rag_on": '"value,forecast"',
        "rag_rule": '"tolerance,improving_is_amber"',
    }
    assert _lists(book["values"]) == {
        "status": '"final,provisional,revised,estimated,illustrative"'
    }
    assert _lists(book["overrides"]) == {"rag": '"Red,Amber,Green,N/A"'}
    assert _lists(book["benchmarks"]) == {"is_average": '"yes,no"'}
    assert _lists(book["action_updates"]) == {
        "status": '"Not started,On target,At risk,Off target,Completed,Cancelled"'
    }


def test_wide_layout_has_a_kpis_sheet(tmp_path) -> None:
    """--wide: a kpis sheet (measures columns, then a year's quarters, its target and a note)
    in place of measures, values and targets."""
    folder = tmp_path / "council"
    assert main(["init", "--wide", str(folder)]) == 0
    book = load_workbook(folder / "perfnb.xlsx")
    others = [name for name in FILES if name not in ("measures", "values", "targets")]
    assert book.sheetnames == ["README", "kpis", *others]
    header, example = book["kpis"].iter_rows(values_only=True)
    periods = ["2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4"]
    assert list(header) == [*MEASURES_HEADERS, *periods, "target 2025/26", "note 2025/26 Q2"]
    assert example[0] == "EX-01"
    assert example[len(MEASURES_HEADERS) :] == (88.5, None, None, None, 90, None)
    assert set(_lists(book["kpis"])) == {
        "unit",
        "polarity",
        "aggregation",
        "frequency",
        "dot_basis",
        "rag_on",
        "rag_rule",
    }


@pytest.mark.parametrize("layout", [[], ["--wide"]])
def test_what_init_writes_validates_and_reports(layout, tmp_path, capsys) -> None:
    """perfnb validate passes, with no warning, on what perfnb init wrote, and its example row
    makes a report: 88.5% against 90% (1.5 points, 1.7% short, within 5%) is Amber, overridden
    to Green by the example override."""
    folder = tmp_path / "council"
    assert main(["init", *layout, str(folder)]) == 0
    capsys.readouterr()
    assert main(["validate", "--data", str(folder)]) == 0
    assert capsys.readouterr().out.strip() == f"{folder}: no errors"
    data = load_dataset(folder)
    assert data.council == "Example Council"
    card = performance(data)
    assert card[["measure_id", "period", "value", "target", "rag"]].values.tolist() == [
        ["EX-01", "2025/26 Q1", 88.5, 90.0, "Green"]
    ]
    assert "(computed Amber: within 5% of target" in card.at[0, "rag_reason"]
    assert data.actions["action_id"].tolist() == ["EX-A01"]
    assert data.action_updates["pct_complete"].tolist() == [25.0]


def test_readme_sheet_says_what_every_column_holds(tmp_path) -> None:
    """The README sheet has a row for every sheet's every column, with the contract's
    description (and the choices of a choice column)."""
    folder = tmp_path / "council"
    assert main(["init", str(folder)]) == 0
    rows = list(load_workbook(folder / "perfnb.xlsx")["README"].iter_rows(values_only=True))
    described = {(sheet, column): text for sheet, column, _required, text in rows if column}
    for name, spec in FILES.items():
        for column in spec.columns:
            assert described[(name, column.name)].startswith(column.description)
    assert described[("measures", "unit")] == (
        "How the figure is expressed. One of: count, percent, rate, score, currency, days, ratio."
    )
    required = {(sheet, column): need for sheet, column, need, _text in rows if column}
    assert required[("measures", "measure_id")] == "yes"
    assert required[("measures", "theme")] == "yes (may be blank)"
    assert required[("measures", "priority")] == "no"


TOLERANCES = ["green_within", "amber_within", "dot_stable"]


@pytest.mark.parametrize(("layout", "sheet"), [([], "measures"), (["--wide"], "kpis")])
def test_tolerance_columns_are_text_and_keep_what_is_typed(layout, sheet, tmp_path) -> None:
    """The tolerance columns are formatted as text (Excel's @), the example cell too, so that
    10% typed there is kept as the text 10%, read as 10% of the target; the README says so."""
    folder = tmp_path / "council"
    assert main(["init", *layout, str(folder)]) == 0
    book = load_workbook(folder / "perfnb.xlsx")
    headers = [cell.value for cell in book[sheet][1]]
    for name in TOLERANCES:
        letter = get_column_letter(headers.index(name) + 1)
        assert book[sheet].column_dimensions[letter].number_format == "@", name
        assert book[sheet][f"{letter}2"].number_format == "@", name
    others = [c for c in headers if c not in TOLERANCES and c in MEASURES_HEADERS]
    for name in others:
        letter = get_column_letter(headers.index(name) + 1)
        assert book[sheet].column_dimensions[letter].number_format == "General", name
    # what Excel stores when 10% is typed in a text cell: the text itself
    letter = get_column_letter(headers.index("amber_within") + 1)
    book[sheet][f"{letter}2"] = "10%"
    book.save(folder / "perfnb.xlsx")
    assert load_dataset(folder).measures["amber_within"].tolist() == ["10%"]
    rows = list(book["README"].iter_rows(values_only=True))
    described = {(row[0], row[1]): row[3] for row in rows if len(row) > 3 and row[1]}
    for name in TOLERANCES:
        assert described[(sheet, name)] == (
            f"{MEASURES.column(name).description} The column is formatted as text, so what you "
            "type is kept: 10% is 10% of the target, 2 is 2 in the measure's unit (points for "
            "a percent measure). A cell formatted as a percentage is read as the percentage it "
            "shows: 10% of the target."
        )
    assert (
        "The tolerance columns (green_within, amber_within, dot_stable) are formatted as text: "
        "type 10% for 10% of the target, or 2 for 2 in the measure's unit."
    ) in [row[0] for row in rows]


def test_dataset_toml_and_its_commented_defaults(tmp_path) -> None:
    """dataset.toml names the example council; its [defaults], once uncommented, is valid."""
    folder = tmp_path / "council"
    assert main(["init", str(folder)]) == 0
    text = (folder / "dataset.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"council": "Example Council", "area": "Example Council"}
    uncommented = text.replace("# [defaults]", "[defaults]")
    for line in ('green_within = "0"', 'amber_within = "10%"', 'rag_rule = "tolerance"'):
        assert f"# {line}" in uncommented
        uncommented = uncommented.replace(f"# {line}", line)
    (folder / "dataset.toml").write_text(uncommented, encoding="utf-8")
    assert main(["validate", "--data", str(folder)]) == 0
    settings = load_dataset(folder).settings
    assert settings["defaults"] == {
        "green_within": "0",
        "amber_within": "10%",
        "rag_rule": "tolerance",
    }


def test_init_refuses_to_overwrite(tmp_path, capsys) -> None:
    """A folder with anything in it, or a file, is refused: exit 1, a clear message, nothing
    written or changed."""
    folder = tmp_path / "council"
    folder.mkdir()
    (folder / "perfnb.xlsx").write_bytes(b"the council's own workbook")
    assert main(["init", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"perfnb init: {folder} already exists and is not empty (perfnb.xlsx); perfnb init "
        "never overwrites: name a new folder. Nothing was written.\n"
    )
    assert (folder / "perfnb.xlsx").read_bytes() == b"the council's own workbook"
    assert [p.name for p in folder.iterdir()] == ["perfnb.xlsx"]
    plain = tmp_path / "notes.txt"
    plain.write_text("hello", encoding="utf-8")
    assert main(["init", "--wide", str(plain)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err
    assert plain.read_text(encoding="utf-8") == "hello"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["council", "notes.txt"]


def test_init_into_an_empty_folder_leaves_no_temporary_files(tmp_path) -> None:
    """An empty folder may be filled; a new one is made with its parents; no temporary file
    is left beside either."""
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["init", str(empty)]) == 0
    assert sorted(p.name for p in empty.iterdir()) == ["dataset.toml", "perfnb.xlsx"]
    nested = tmp_path / "councils" / "new"
    assert main(["init", str(nested)]) == 0
    assert sorted(p.name for p in nested.iterdir()) == ["dataset.toml", "perfnb.xlsx"]
    assert [p.name for p in nested.parent.iterdir()] == ["new"]


@pytest.mark.parametrize("exists", [False, True])
def test_a_failed_write_leaves_nothing(exists, tmp_path, monkeypatch, capsys) -> None:
    """When the second file cannot be written, the first is not left behind: a new folder is
    not made, an empty one stays empty, and the command says so (exit 1)."""
    from perfnb import files

    real = files.write_atomic

    def failing(path, data):
        if path.name == "dataset.toml":
            raise OSError(28, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(
        files, "write_atomic", failing
    )  # as perfnb init's files.write_together uses it
    folder = tmp_path / "council"
    if exists:
        folder.mkdir()
    assert main(["init", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"perfnb init: cannot write {folder}: No space left on device. Nothing was written.\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == (["council"] if exists else [])
    if exists:
        assert list(folder.iterdir()) == []
