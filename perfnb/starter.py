"""``perfnb init DIR``: a new data set to fill in, as one workbook ``perfnb.xlsx``.

The workbook has a sheet for every table of the contract (:data:`perfnb.contract.FILES`), each
with its headers, one example row and drop-down lists on its choice columns, and a ``README``
sheet saying what every column holds (from the contract's own descriptions, so it never
disagrees with validation). The wide layout (``wide=True``) has one ``kpis`` sheet
(:mod:`perfnb.wide`) in place of ``measures``, ``values`` and ``targets``. Beside it goes a
small ``dataset.toml``. The example rows make a data set that validates and reports.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from perfnb.contract import ACTION_STATUSES, FILES, RULE_COLUMNS, FileSpec
from perfnb.files import write_together
from perfnb.wide import KPIS, LONG_TABLES

__all__ = ["InitError", "dataset_toml", "starter_workbook", "write_starter"]

WORKBOOK = "perfnb.xlsx"
SETTINGS = "dataset.toml"
README = "README"
# the rows a drop-down list covers, below the header
LIST_ROWS = 5000
_EXAMPLE_YEAR = "2025/26"
_EXAMPLE_QUARTERS = [f"{_EXAMPLE_YEAR} Q{q}" for q in range(1, 5)]

# one example row per sheet; a column not named here is left blank
EXAMPLES: dict[str, dict[str, object]] = {
    "measures": {
        "measure_id": "EX-01",
        "name": "Example: % of complaints answered within 10 working days",
        "service": "Example Service",
        "theme": "Customer care",
        "priority": "Responsive services",
        "framework": "Local",
        "unit": "percent",
        "polarity": "high",
        "aggregation": "last",
        "frequency": "quarterly",
        "decimals": 1,
        "amber_within": "5%",
    },
    "values": {
        "measure_id": "EX-01",
        "period": _EXAMPLE_QUARTERS[0],
        "value": 88.5,
        "numerator": 177,
        "denominator": 200,
        "status": "final",
    },
    "targets": {"measure_id": "EX-01", "year": _EXAMPLE_YEAR, "target": 90},
    "overrides": {
        "measure_id": "EX-01",
        "period": _EXAMPLE_QUARTERS[0],
        "rag": "Green",
        "reason": "Example: the new complaints system's first quarter; recovered in July",
        "by": "Head of Service",
    },
    "benchmarks": {
        "measure_id": "EX-01",
        "year": _EXAMPLE_YEAR,
        "area": "Example Council",
        "value": 88.5,
        "is_average": "no",
    },
    "annotations": {
        "measure_id": "EX-01",
        "period": _EXAMPLE_QUARTERS[0],
        "text": "Example: new complaints system",
    },
    "actions": {
        "action_id": "EX-A01",
        "title": "Example: train every complaints handler in the new system",
        "service": "Example Service",
        "theme": "Customer care",
        "lead_officer": "Complaints Manager",
        "authorising_officer": "Head of Service",
        "start": "April 2025",
        "deadline": "31-Mar-2026",
        "resources": "Within existing resources",
        "outcome_measure": "EX-01",
    },
    "action_updates": {
        "action_id": "EX-A01",
        "period": _EXAMPLE_QUARTERS[0],
        "status": "On target",
        "pct_complete": 25,
        "progress": "Example: 12 of 48 handlers trained",
    },
}
# the kpis sheet's columns after the measures columns, with the example row's cells: the
# year's four quarters (only the first has its figure yet), the year's target, a note
KPIS_PERIODS: dict[str, object] = {
    _EXAMPLE_QUARTERS[0]: 88.5,
    _EXAMPLE_QUARTERS[1]: None,
    _EXAMPLE_QUARTERS[2]: None,
    _EXAMPLE_QUARTERS[3]: None,
    f"target {_EXAMPLE_YEAR}": 90,
    f"note {_EXAMPLE_QUARTERS[1]}": None,
}
# dataset.toml's commented-out [defaults]: a council's "Amber within 10% of target" rule
RULE_EXAMPLES = {"green_within": '"0"', "amber_within": '"10%"', "rag_rule": '"tolerance"'}
# drop-down lists that differ from the column's choices: the words people write, not every
# spelling the loader accepts (R, na; Done for Completed)
LISTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("overrides", "rag"): ("Red", "Amber", "Green", "N/A"),
    ("action_updates", "status"): ACTION_STATUSES,
}
# Excel's number format for text: what is typed is kept as typed
TEXT_FORMAT = "@"
# the README's word on the tolerance columns (formatted as text)
TOLERANCE_NOTE = (
    "The column is formatted as text, so what you type is kept: 10% is 10% of the target, 2 is "
    "2 in the measure's unit (points for a percent measure). A cell formatted as a percentage "
    "is read as the percentage it shows: 10% of the target."
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="595959")


class InitError(Exception):
    """The data set cannot be written where asked (it would overwrite something)."""


def _required(spec: FileSpec, name: str) -> str:
    """``yes``, ``yes (may be blank)`` or ``no``, as docs/data.md says it."""
    column = spec.column(name)
    if not column.required:
        return "no"
    return "yes (may be blank)" if column.blank_ok else "yes"


def _choices(sheet: str, spec: FileSpec, name: str) -> tuple[str, ...]:
    """The drop-down list of a column: its choices, yes/no for a flag, none otherwise."""
    column = spec.column(name)
    if (sheet, name) in LISTS:
        return LISTS[(sheet, name)]
    if column.kind == "choice":
        return column.choices
    if column.kind == "flag":
        return ("yes", "no")
    return ()


def _describe(sheet: str, spec: FileSpec, name: str) -> str:
    """What a column holds, with its choices."""
    text = spec.column(name).description
    if spec.column(name).kind == "tolerance":
        return f"{text} {TOLERANCE_NOTE}"
    choices = _choices(sheet, spec, name)
    return f"{text} One of: {', '.join(choices)}." if choices else text


def _tables(wide: bool) -> list[tuple[str, FileSpec]]:
    """The sheets of the workbook after README, in the contract's order."""
    specs = [(name, spec) for name, spec in FILES.items() if not (wide and name in LONG_TABLES)]
    return [("kpis", KPIS), *specs] if wide else specs


def _fill_sheet(
    sheet: Worksheet, name: str, spec: FileSpec, extra: Mapping[str, object] | None = None
) -> None:
    """Headers, the example row, drop-down lists and widths of one table's sheet; ``extra``
    columns (the kpis sheet's periods) after the contract's, with their example cells."""
    extra = extra or {}
    example = EXAMPLES["measures" if name == "kpis" else name]
    headers = [c.name for c in spec.columns] + list(extra)
    sheet.append(headers)
    sheet.append([example.get(h) for h in headers[: len(spec.columns)]] + list(extra.values()))
    for position, header in enumerate(headers, start=1):
        letter = get_column_letter(position)
        sheet.cell(1, position).font = _HEADER_FONT
        sheet.cell(1, position).fill = _HEADER_FILL
        sheet.cell(2, position).font = _EXAMPLE_FONT
        width = max(len(header), len(str(sheet.cell(2, position).value or "")))
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 50)
        if position <= len(spec.columns) and spec.column(header).kind == "tolerance":
            # as text, so that 10% stays the relative tolerance typed (Excel would store 0.1)
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT
            sheet.cell(2, position).number_format = TEXT_FORMAT
        choices = _choices(name, spec, header) if position <= len(spec.columns) else ()
        if choices:
            listed = DataValidation(
                type="list",
                formula1=f'"{",".join(choices)}"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=header,
                error=f"Expected one of {', '.join(choices)}",
            )
            listed.add(f"{letter}2:{letter}{LIST_ROWS + 1}")
            sheet.add_data_validation(listed)
    sheet.freeze_panes = "A2"


def _tolerance_columns() -> list[str]:
    """The measures columns holding a tolerance (formatted as text)."""
    return [c.name for c in FILES["measures"].columns if c.kind == "tolerance"]


def _fill_readme(sheet: Worksheet, tables: list[tuple[str, FileSpec]], wide: bool) -> None:
    """The README sheet: how to use the workbook, then every sheet and column."""
    lines = [
        "perfnb data set",
        "Replace the example rows (in grey italics) with your own, then check the workbook with "
        "perfnb validate --data <this folder>; docs/data.md in perfnb is the full contract.",
        "Headers are matched in any case; columns of your own are kept. Sheets perfnb does not "
        "know, such as this one, are ignored. A drop-down list offers each choice column's values.",
        f"The tolerance columns ({', '.join(_tolerance_columns())}) are formatted as text: "
        "type 10% for 10% of the target, or 2 for 2 in the measure's unit.",
    ]
    if wide:
        lines.append(
            "The kpis sheet has one row per measure: the measures columns, then a column per "
            "period holding its figures (2025/26 Q1, 2025-06 or 2025/26), target columns "
            "(target 2025/26 Q1, target 2025/26) and note columns (note 2025/26 Q1). Add a "
            "column for each period; a blank figure is no figure. Headers such as Q1 25/26, "
            "Actual 2025/26 Q1, Target 2025/26 Q1 (%) and Jun-25 are read too; a date on a "
            "quarter's last day (30/06/2025) is that quarter for a quarterly measure. A header "
            "with no year (Q1 Actual) is an error."
        )
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["sheet", "column", "required", "what it holds"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for name, spec in tables:
        optional = "" if spec.required or name == "kpis" else " Optional: delete it if unused."
        sheet.append([name, "", "", f"{spec.description}{optional}"])
        sheet.cell(sheet.max_row, 1).font = _HEADER_FONT
        for column in spec.columns:
            sheet.append(
                [
                    name,
                    column.name,
                    _required(spec, column.name),
                    _describe(name, spec, column.name),
                ]
            )
        if name == "kpis":
            sheet.append(["kpis", "<period>", "no", "The figure of that period: 2025/26 Q1."])
            sheet.append(
                [
                    "kpis",
                    "target <period>",
                    "no",
                    "The target at a quarter or month, or the "
                    "year-end target: target 2025/26 Q1, target 2025/26.",
                ]
            )
            sheet.append(
                [
                    "kpis",
                    "note <period>",
                    "no",
                    "A note on that period's figure; with a blank "
                    "figure it says why it is pending: Due May-26.",
                ]
            )
    for letter, width in zip("ABCD", (16, 22, 18, 100), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=header_row + 1, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def starter_workbook(wide: bool = False) -> bytes:
    """The bytes of a new ``perfnb.xlsx``: README, then every table's sheet (``kpis`` in place
    of measures, values and targets when ``wide``)."""
    book = Workbook()
    tables = _tables(wide)
    _fill_readme(book.active, tables, wide)
    book.active.title = README
    for name, spec in tables:
        extra = KPIS_PERIODS if name == "kpis" else {}
        _fill_sheet(book.create_sheet(name), name, spec, extra)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset_toml() -> str:
    """A new ``dataset.toml``: the council's name and a commented-out ``[defaults]`` table."""
    lines = [
        "# perfnb data set settings (docs/data.md, dataset.toml)",
        'council = "Example Council"   # printed in report titles and on the index page',
        'area = "Example Council"      # this council as the benchmarks sheet names it',
        "",
        "# One rule for the whole council: a measure whose rule cell is blank takes the value",
        f"# here. Any of {', '.join(RULE_COLUMNS)}.",
        "# Remove the # signs to use them.",
        "# [defaults]",
        *(f"# {name} = {value}" for name, value in RULE_EXAMPLES.items()),
        "",
    ]
    return "\n".join(lines)


def _refusal(folder: Path) -> str | None:
    """Why ``folder`` may not be written (it is a file, or a folder with files), or None."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file, not a folder"
    if folder.is_dir():
        found = sorted(p.name for p in folder.iterdir())
        if found:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            return (
                f"{folder} already exists and is not empty ({shown}); perfnb init never "
                "overwrites: name a new folder"
            )
    return None


def write_starter(folder: str | Path, wide: bool = False) -> list[Path]:
    """Writes a new data set in ``folder`` (which must not exist, or be empty): ``perfnb.xlsx``
    and ``dataset.toml``, both or neither. Returns their paths; raises ``InitError``."""
    folder = Path(folder)
    reason = _refusal(folder)
    if reason:
        raise InitError(reason)
    files = {WORKBOOK: starter_workbook(wide), SETTINGS: dataset_toml().encode("utf-8")}
    return write_together(folder, files)
