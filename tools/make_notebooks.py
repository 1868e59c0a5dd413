"""Writes the report notebook templates in notebooks/ (clean: no outputs, no counts).

The notebooks are the source of truth and can be edited in JupyterLab; this script is how they
were first laid out, kept so the structure is reviewable as code.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = """\
period: str = "2017/18 Q1"  # reporting period: 2017/18 Q1 (quarter), 2017-04 (month) or 2017/18
service: str = "Adult Social Care"  # the service this report covers (measures.csv, service)
data_dir: str = "../data/sample"  # the data set folder: CSV files or perfnb.xlsx
output_dir: str = "../output"  # where reports, tables and charts are written"""


def scorecard() -> nbformat.NotebookNode:
    cells = [
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(
            "from IPython.display import display\n\n"
            "import perfnb\n\n"
            "data = perfnb.load_dataset(data_dir)\n"
            "report = perfnb.ServiceReport.build(data, period, service, output_dir)\n"
            "report.title_block()"
        ),
        new_markdown_cell(
            "## Summary\n\n"
            "How many measures are Red, Amber and Green this period, and the analysts' summary."
        ),
        new_code_cell("report.summary()"),
        new_code_cell("report.show(perfnb.rag_summary_chart(report.card))"),
        new_markdown_cell(
            "## Exceptions\n\n"
            "Every Red and Amber measure, and every measure whose rating changed since the "
            "previous period, with the reason for its rating and the analysts' commentary."
        ),
        new_code_cell(
            "report.show(\n"
            "    perfnb.exceptions_table(\n"
            "        report.card,\n"
            "        report.previous,\n"
            "        report.written_commentary,\n"
            '        report.without_commentary["measure_id"],\n'
            "    )\n"
            ")"
        ),
        new_markdown_cell(
            "## Scorecard\n\n"
            "Every measure of the service, grouped by theme and priority. *This period* is the "
            "year to date for counts, the latest figure for percentages and snapshots (with the "
            "count behind a percentage), and the full-year forecast where a measure is rated on "
            "it; annual measures (surveys, academic years) show their latest year, and a figure "
            "not yet available says why, for example *Due May-18*. *Variance* is in percentage "
            "points (pts) for percentages and in per cent of the target otherwise. *Compared "
            "with* is the figure the direction of travel compares against: the previous "
            "quarter, or the same quarter last year for counts."
        ),
        new_code_cell("report.show(perfnb.scorecard_table(report.card))"),
        new_markdown_cell(
            "## Target, actual and variance\n\n"
            "Each period of the year so far for every measure with a target: the target "
            "profiled to the period, the actual and the variance (per cent of target, or "
            "percentage points for percentages)."
        ),
        new_code_cell("report.show(perfnb.variance_table(report.variance_rows))"),
        new_code_cell("for section in report.theme_sections():\n    display(section)"),
        new_markdown_cell(
            "## How each rating was reached\n\n"
            "Each rating with the rule that produced it: the tolerance it was judged with, an "
            "officer's override and its reason, or why a measure is not rated."
        ),
        new_code_cell("report.show(perfnb.rag_reasons_table(report.card))"),
    ]
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"  # stable ids: regenerating the notebook changes nothing
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    nbformat.write(scorecard(), ROOT / "notebooks" / "scorecard.ipynb")
