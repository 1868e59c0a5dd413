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
            "not yet available says why, for example *Due May-18*. A figure that is not final "
            "carries a marker such as *[p]*, explained in the key under its table, and a "
            "target's note (*Maintain 16/17*) is printed beside it. *Variance* is in percentage "
            "points (pts) for percentages and in per cent of the target otherwise. When the "
            "data already has figures for the months after the period, *Latest* gives each "
            "measure's latest position and its variance. *Compared "
            "with* is the figure the direction of travel compares against: the same quarter "
            "last year for a year to date (counts, collection rates), so that a figure is never "
            "compared with one at another point of the year, or the previous quarter; against "
            "the previous quarter a year to date is compared on each quarter's figure *alone*. "
            "*Variation* and *Assurance* "
            "are the Making Data Count icons of the measure's XmR chart: whether its latest "
            "figure is a signal or common cause variation, and whether its target will be met "
            "reliably; a measure needs 13 figures of its own for them, and each measure that "
            "has them gets its XmR chart below."
        ),
        new_code_cell("report.show(perfnb.scorecard_table(report.card))"),
        new_markdown_cell(
            "## Target, actual and variance\n\n"
            "Each period of the year so far for every measure with a target: the target for "
            "the period (the council's own target for it, or the year's profiled to it), the "
            "actual and the variance (per cent of target, or "
            "percentage points for percentages), then the latest position after the period "
            "when there is one."
        ),
        new_code_cell("report.show(perfnb.variance_table(report.variance_rows))"),
        new_code_cell("for section in report.theme_sections():\n    display(section)"),
        new_markdown_cell(
            "## How each rating was reached\n\n"
            "Each rating with the rule that produced it: the tolerance it was judged with, an "
            "officer's override and its reason, or why a measure is not rated; and how each "
            "direction of travel was judged, with the figures compared."
        ),
        new_code_cell("report.show(perfnb.rag_reasons_table(report.card))"),
    ]
    return _notebook(cells, "measures")


ACTION_PARAMETERS = """\
period: str = "2009/10 Q2"  # reporting period: 2009/10 Q2 (quarter), 2009-10 (month) or 2009/10
service: str = "Health and Social Care"  # the service whose actions it covers (actions.csv)
data_dir: str = "../data/sample"  # the data set folder: CSV files or perfnb.xlsx
output_dir: str = "../output"  # where reports, tables and charts are written"""


def actions() -> nbformat.NotebookNode:
    cells = [
        new_code_cell(ACTION_PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(
            "from IPython.display import display\n\n"
            "import perfnb\n\n"
            "data = perfnb.load_dataset(data_dir)\n"
            "report = perfnb.ActionReport.build(data, period, service, output_dir)\n"
            "report.title_block()"
        ),
        new_markdown_cell(
            "## Summary\n\n"
            "How many actions are overdue, at risk, on track, completed and cancelled at the "
            "end of the period, by the rating perfnb works out from each action's deadline, "
            "% complete and the lead officer's status."
        ),
        new_code_cell("report.summary()"),
        new_code_cell("for table in report.summary_tables():\n    display(table)"),
        new_markdown_cell("## Overdue actions\n\nActions past their deadline and not completed."),
        new_code_cell("report.show(perfnb.overdue_table(report.progress))"),
        new_markdown_cell(
            "## Action plan\n\n"
            "Every action with its lead officer and deadline, the lead officer's status and % "
            "complete last period and this period, and the % *expected* by the end of the "
            "period if the work ran evenly from its start to its deadline. Highlighted: a "
            "deadline that has passed, a % complete more than 10 points behind expected, a "
            "status the rating disagrees with, and an action with no update this period."
        ),
        new_code_cell("report.show(report.action_table())"),
        new_markdown_cell("## Progress against expected"),
        new_code_cell("report.progress_chart()"),
        new_markdown_cell(
            "## Measures the actions support\n\n"
            "Actions whose outcome measure is a measure of the scorecard, with that measure's "
            "rating this period."
        ),
        new_code_cell("report.show(perfnb.linked_measures_table(report.linked))"),
        new_markdown_cell(
            "## Progress and issues\n\n"
            "The lead officers' progress reports and the issues affecting progress, in full."
        ),
        new_code_cell("report.sections()"),
        new_markdown_cell(
            "## How each rating was reached\n\n"
            "Each action's rating with the rule that produced it, beside the lead officer's "
            "own status (highlighted where they disagree)."
        ),
        new_code_cell("report.show(perfnb.action_reasons_table(report.progress))"),
    ]
    return _notebook(cells, "actions")


def _notebook(cells: list, report: str) -> nbformat.NotebookNode:
    """A clean notebook of ``cells``; ``report`` tells ``perfnb run`` which services it is run
    for: ``measures`` (services with figures) or ``actions`` (services with an action plan)."""
    for number, cell in enumerate(cells, start=1):
        cell.id = f"cell-{number}"  # stable ids: regenerating the notebook changes nothing
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["perfnb"] = {"report": report}
    return nb


if __name__ == "__main__":
    nbformat.write(scorecard(), ROOT / "notebooks" / "scorecard.ipynb")
    nbformat.write(actions(), ROOT / "notebooks" / "actions.ipynb")
