"""Reading a data set: CSV or Excel, encodings, typed columns, settings, what it contains."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from conftest import SAMPLE, TINY
from perfnb import load_dataset, parse_period, performance, validate_dataset


def workbook_from_csv(folder: Path, files: dict[str, str], percent_cells=()) -> Path:
    """Writes perfnb.xlsx with one sheet per CSV text; numbers stored as numbers."""
    book = Workbook()
    book.remove(book.active)
    for name, text in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            cells = []
            for cell in row:
                try:
                    cells.append(float(cell) if cell.strip() else None)
                except ValueError:
                    cells.append(cell)
            sheet.append(cells)
    for sheet_name, ref, value in percent_cells:
        cell = book[sheet_name][ref]
        cell.value = value
        cell.number_format = "0.0%"
    folder.mkdir(parents=True, exist_ok=True)
    book.save(folder / "perfnb.xlsx")
    return folder


def test_excel_workbook_loads_like_the_csv_files(tiny, tmp_path) -> None:
    """perfnb.xlsx with the same sheets gives the same typed frames as the CSV files."""
    from_csv = load_dataset(tiny())
    from_xlsx = load_dataset(workbook_from_csv(tmp_path / "xl", TINY))
    for name in ("measures", "values", "targets"):
        pd.testing.assert_frame_equal(getattr(from_csv, name), getattr(from_xlsx, name))


def test_excel_percent_cells_are_read_as_per_cent(tmp_path) -> None:
    """A cell formatted 55.5% holds 0.555 in Excel; perfnb reads 55.5, the value people see."""
    folder = workbook_from_csv(tmp_path / "xl", TINY, percent_cells=[("values", "C3", 0.555)])
    values = load_dataset(folder).values
    assert values.loc[values["measure_id"] == "M2", "value"].item() == pytest.approx(55.5)


# TINY's measures with the three tolerance columns, blank
TOLERANCE_MEASURES = (
    TINY["measures.csv"]
    .replace("frequency\n", "frequency,green_within,amber_within,dot_stable\n")
    .replace("quarterly\n", "quarterly,,,\n")
)


@pytest.mark.parametrize(
    ("stored", "number_format", "shown"),
    [(0.05, "0%", "5%"), (0.1, "0%", "10%"), (0.125, "0.0%", "12.5%"), (2, "General", "2")],
)
def test_excel_tolerance_typed_as_a_percentage_is_relative(
    stored, number_format, shown, tmp_path
) -> None:
    """A tolerance typed as 5% in Excel (stored 0.05, formatted as a percentage) is read as
    the relative tolerance 5%, in every tolerance column; a plain 2 stays 2 (points)."""
    files = dict(TINY, **{"measures.csv": TOLERANCE_MEASURES})
    cells = [("measures", f"{col}3", stored) for col in "JKL"]  # M2's three tolerances
    folder = workbook_from_csv(tmp_path / "xl", files, percent_cells=cells)
    book = load_workbook(folder / "perfnb.xlsx")
    for col in "JKL":
        book["measures"][f"{col}3"].number_format = number_format
    book.save(folder / "perfnb.xlsx")
    m2 = load_dataset(folder).measures.set_index("measure_id").loc["M2"]
    assert (m2["green_within"], m2["amber_within"], m2["dot_stable"]) == (shown, shown, shown)


def test_excel_tolerance_of_5_percent_rates_as_5_percent_of_target(tmp_path) -> None:
    """M2's 55.5% (typed as a percentage too) against 60 misses by 4.5 points, 7.5% of the
    target: with amber_within typed as 5% in Excel that is beyond 5%, Red (read as 5 points it
    would be Amber). The figure formatted as a percentage is still 55.5."""
    files = dict(TINY, **{"measures.csv": TOLERANCE_MEASURES})
    cells = [("measures", "K3", 0.05), ("values", "C3", 0.555)]
    data = load_dataset(workbook_from_csv(tmp_path / "xl", files, percent_cells=cells))
    card = performance(data, "2017/18 Q1").set_index("measure_id")
    assert card.at["M2", "value"] == pytest.approx(55.5)
    assert card.at["M2", "rag"] == "Red"
    assert card.at["M2", "rag_reason"].startswith("Red: more than 5% from target")


def test_excel_errors_name_the_sheet(tmp_path) -> None:
    """Problems in a workbook say which sheet and which spreadsheet row."""
    files = dict(TINY)
    files["values.csv"] = files["values.csv"].replace("M2,2017/18 Q1,55.5", "M2,2017/18 Q1,lots")
    problems = [str(p) for p in validate_dataset(workbook_from_csv(tmp_path / "xl", files))]
    assert problems == [
        "perfnb.xlsx, sheet values, row 3, column value: 'lots' is not a number; expected a "
        "number, or a blank value with a note while the figure is pending"
    ]


def test_excel_missing_sheet(tmp_path) -> None:
    """A workbook without a required sheet lists the sheets it has."""
    files = {k: v for k, v in TINY.items() if k != "targets.csv"}
    problems = [str(p) for p in validate_dataset(workbook_from_csv(tmp_path / "xl", files))]
    assert problems == [
        "perfnb.xlsx: has no sheet named 'targets'; its sheets are: measures, values"
    ]


def test_windows_1252_csv_with_pound_sign(tiny) -> None:
    """A CSV saved by Excel on Windows (cp1252, with £) loads; the pound sign survives."""
    folder = tiny()
    text = TINY["measures.csv"].replace("Contacts", "Spend (£)")
    (folder / "measures.csv").write_bytes(text.encode("cp1252"))
    assert load_dataset(folder).measures.loc[0, "name"] == "Spend (£)"


def test_utf8_bom_and_messy_headers(tiny) -> None:
    """A byte-order mark and headers typed as 'Measure ID ' are normalised."""
    folder = tiny()
    text = TINY["values.csv"].replace("measure_id,period", " Measure_ID ,Period")
    (folder / "values.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert list(load_dataset(folder).values["measure_id"]) == ["M1", "M2", "M3"]


def test_numbers_as_spreadsheets_export_them(tiny) -> None:
    """38,000 and 55.5% and £1,200 are numbers; the thousands comma is not a decimal point."""
    folder = tiny(
        values="measure_id,period,value\n"
        'M1,2017/18 Q1,"38,000"\nM2,2017/18 Q1,55.5%\nM3,2017/18 Q1,12\n'
    )
    values = load_dataset(folder).values.set_index("measure_id")["value"]
    assert values.to_dict() == {"M1": 38000.0, "M2": 55.5, "M3": 12.0}


def test_extra_columns_are_kept(tiny) -> None:
    """Columns the contract does not name (a source, a comment) travel with the data."""
    folder = tiny(values="measure_id,period,value,source\nM1,2017/18 Q1,100,seed 000\n")
    assert load_dataset(folder).values.loc[0, "source"] == "seed 000"


def test_typed_columns(tiny) -> None:
    """Periods are written canonically with their year and months; defaults fill gaps."""
    data = load_dataset(tiny(values=[("M1,2017/18 Q1", "M1,2017-18-Q1")]))
    row = data.values.iloc[0]
    assert (row["period"], row["period_kind"], row["fy"]) == ("2017/18 Q1", "quarter", 2017)
    assert (row["fy_month_first"], row["fy_month_last"]) == (1, 3)
    measures = data.measures.set_index("measure_id")
    assert measures.loc["M1", "decimals"] == 0  # count
    assert measures.loc["M2", "decimals"] == 1  # percent
    assert measures.loc["M3", "service_slug"] == "care"
    assert data.targets.set_index("measure_id").loc["M3", ["band_low", "band_high"]].tolist() == [
        10.0,
        14.0,
    ]


def test_rate_per_defaults_to_100000_for_rates_only(tiny) -> None:
    """A rate without rate_per is per 100,000; other units have no rate_per."""
    data = load_dataset(tiny(measures=[("Local,count,high", "Local,rate,low")]))
    rate_per = data.measures.set_index("measure_id")["rate_per"]
    assert rate_per["M1"] == 100000.0
    assert pd.isna(rate_per["M2"])


def test_sample_data_set_settings_and_hashes() -> None:
    """The sample names its council; its hashes are the files' SHA-256."""
    data = load_dataset(SAMPLE)
    assert data.council == "Sample Council"
    digest = hashlib.sha256((SAMPLE / "values.csv").read_bytes()).hexdigest()
    assert data.file_hashes()["values.csv"] == digest
    assert set(data.file_hashes()) == {
        "measures.csv",
        "values.csv",
        "targets.csv",
        "annotations.csv",
        "actions.csv",
        "action_updates.csv",
        "benchmarks.csv",
        "dataset.toml",
    }


def test_sample_latest_period_and_services() -> None:
    """The sample's latest period is 2017/18 Q1; its services in catalogue order."""
    data = load_dataset(SAMPLE)
    assert data.latest_period() == parse_period("2017/18 Q1")
    assert data.services == [
        "Adult Social Care",
        "Communities and Wellbeing",
        "Help Direct",
        "Urgent and Emergency Care",
    ]


def test_sample_is_valid_without_warnings() -> None:
    """The embedded sample is clean: no errors and no warnings."""
    assert validate_dataset(SAMPLE) == []


def test_latest_period_ignores_pending_rows(tiny) -> None:
    """A pending row for a later period does not make that period the latest with data."""
    folder = tiny(values=[("", "M2,2017/18 Q2,,Due Oct-17")])
    assert load_dataset(folder).latest_period().label == "2017/18 Q1"


def test_periods_of_the_sample() -> None:
    """Dataset.periods lists every period with a row, oldest first, without repeats."""
    periods = [p.label for p in load_dataset(SAMPLE).periods()]
    assert periods[0] == "2011/12 Q1"
    # June 2017 ends with Q1 and starts after it; the year ends last
    assert periods[-3:] == ["2017/18 Q1", "2017-06", "2017/18"]
    assert len(periods) == len(set(periods))


def test_excel_formula_without_saved_result(tmp_path) -> None:
    """A formula a program wrote but Excel never calculated is an error, not a pending blank."""
    folder = workbook_from_csv(tmp_path / "xl", TINY)
    from openpyxl import load_workbook

    book = load_workbook(folder / "perfnb.xlsx")
    book["values"]["C2"] = "=50+50"
    book.save(folder / "perfnb.xlsx")
    assert [str(p) for p in validate_dataset(folder)] == [
        "perfnb.xlsx, sheet values, row 2, column value: '=50+50' is a formula whose result was "
        "never saved; open the workbook in Excel and save it, or paste the values"
    ]


def test_excel_dates_in_period_cells_are_months(tmp_path) -> None:
    """A period cell holding a date (30/06/2017 or 01/06/2017) is read as its month."""
    import datetime as dt

    files = dict(TINY)
    # monthly figures need monthly measures (a month of a quarterly one is an error)
    files["measures.csv"] = TINY["measures.csv"].replace("quarterly", "monthly")
    files["values.csv"] = "measure_id,period,value\nM1,2017-05,10\nM2,2017-06,20\n"
    folder = workbook_from_csv(tmp_path / "xl", files)
    from openpyxl import load_workbook

    book = load_workbook(folder / "perfnb.xlsx")
    book["values"]["B2"] = dt.datetime(2017, 5, 1)
    book["values"]["B3"] = dt.datetime(2017, 6, 30)
    book.save(folder / "perfnb.xlsx")
    assert load_dataset(folder).values["period"].tolist() == ["2017-05", "2017-06"]


def test_latest_period_ignores_annual_rows(tiny) -> None:
    """A 2017/18 survey result does not make the whole year 2017/18 the default period."""
    folder = tiny(values=[("", "M2,2017/18,61,")])
    assert load_dataset(folder).latest_period().label == "2017/18 Q1"
    only_years = tiny(values="measure_id,period,value\nM2,2016/17,61\nM2,2017/18,62\n")
    assert load_dataset(only_years).latest_period().label == "2017/18"


def test_workbook_and_csv_files_together_is_a_warning(tiny) -> None:
    """Both perfnb.xlsx and CSV files: the workbook is used, and the analyst is told."""
    folder = tiny()
    workbook_from_csv(folder, TINY)
    warnings = [str(p) for p in validate_dataset(folder) if p.severity == "warning"]
    assert warnings == [
        "perfnb.xlsx: is used; the CSV files beside it (measures.csv, values.csv, targets.csv) "
        "are ignored. Keep one or the other"
    ]


_AWKWARD_CSV = (
    "\ufeffmeasure_id, period ,value,note,\n"
    'M1,2017/18 Q1,"1,234","says ""late"", then, more",\n'
    "\n"
    '  M2 ,2017/18 Q2,12.5%,"two\nlines",\n'
    "M3,2017/18 Q3,,Café £5 \u2013 ok,x\n"
    ",,,,\n"
)


@pytest.mark.parametrize(
    ("text", "arrow"),
    [
        (_AWKWARD_CSV, True),
        (_AWKWARD_CSV + "M4,2017/18 Q4\n", False),  # a short row: Arrow cannot, pandas can
        ("measure_id\tperiod\tvalue\nM1\t2017/18 Q1\t3\n", True),  # tab-separated
    ],
)
def test_a_large_csv_is_read_by_arrow_cell_for_cell_as_pandas_reads_it(
    text: str, arrow: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV of a megabyte or more is read by Arrow (no Python string per cell); every cell,
    blank line, quote, embedded newline and byte-order mark is read as pandas reads it."""
    from perfnb import input_files

    path = tmp_path / "values.csv"
    path.write_bytes(text.encode("utf-8"))
    by_pandas = input_files._read_csv(path)
    monkeypatch.setattr(input_files, "ARROW_FROM_BYTES", 0)
    by_arrow = input_files._read_csv(path)
    assert by_arrow.shape == by_pandas.shape
    assert by_arrow.astype(object).values.tolist() == by_pandas.astype(object).values.tolist()
    assert by_arrow.iloc[0, 0] == "measure_id"  # the byte-order mark is not a cell's text
    sep = "\t" if "\t" in text else ","
    assert (input_files._read_csv_arrow(path, sep) is not None) == arrow


def test_a_table_kept_as_codes_only_gives_the_same_numbers_texts_and_periods(
    tmp_path: Path,
) -> None:
    """Typing lets a file's cells go and reads each column's distinct texts: after
    ``keep_codes_only`` a column's numbers, texts and periods are as they were read."""
    from perfnb.input_files import read_tables

    shutil.copytree(SAMPLE, tmp_path / "data")
    tables, _, _ = read_tables(tmp_path / "data")
    table = tables["values"]
    cells = table.frame.copy()
    # worked out from the cells as read, without the table's own conversions
    expected_value = pd.to_numeric(cells["value"].str.strip().replace("", None), errors="coerce")
    expected_ids = cells["measure_id"].str.strip().tolist()
    table.keep_codes_only(["measure_id", "period", "value"])
    assert {"measure_id", "period", "value"}.isdisjoint(table.frame.columns)
    assert "note" in table.frame.columns  # the others are kept as read
    np.testing.assert_array_equal(table.number("value").to_numpy(), expected_value.to_numpy())
    codes, texts = table.distinct("measure_id")
    assert texts.take(codes).tolist() == expected_ids
    labels = table.periods("period")["period"]
    assert labels.tolist() == [str(parse_period(t).label) for t in cells["period"].str.strip()]
