"""The input contract: which files a data set has, their columns, and what each column holds.

The specs here are the single source for validation (``perfnb.validation``) and for the
documentation in ``docs/data.md``. A data set is a folder of CSV files, or one Excel workbook
``perfnb.xlsx`` with one sheet per file (same names, same columns).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ACTION_STATUSES",
    "ACTION_STATUS_WORDS",
    "AGGREGATIONS",
    "FILES",
    "FREQUENCIES",
    "POLARITIES",
    "RAG_ON",
    "RAG_RULES",
    "RULE_COLUMNS",
    "STATUSES",
    "UNITS",
    "Column",
    "DataError",
    "FileSpec",
    "Problem",
    "slugify",
]

UNITS = ("count", "percent", "rate", "score", "currency", "days", "ratio")
POLARITIES = ("high", "low", "band", "none")
# ytd: each figure is already the year to date (a collection rate, a count reported cumulatively)
AGGREGATIONS = ("sum", "ratio", "last", "mean", "ytd")
FREQUENCIES = ("monthly", "quarterly", "annual")
# a figure that is not final is marked with the GSS shorthand: [p], [r], [e], [i]
STATUSES = ("final", "provisional", "revised", "estimated", "illustrative")
DOT_BASES = ("previous", "last_year")
RAG_ON = ("value", "forecast")
# tolerance: Green/Amber/Red by the shortfall alone; improving_is_amber: a shortfall beyond
# amber_within is Amber when the direction of travel is improving or stable
RAG_RULES = ("tolerance", "improving_is_amber")
# the measures.csv columns a data set may default in dataset.toml's [defaults] table
RULE_COLUMNS = (
    "green_within",
    "amber_within",
    "min_base",
    "dot_basis",
    "dot_stable",
    "rag_on",
    "rag_rule",
)
# what an officer may write in overrides.csv (any case): the word or its letter
RAG_CHOICES = ("red", "amber", "green", "r", "a", "g", "n/a", "na")
TRUE_FLAGS = ("yes", "y", "true", "1")
FLAGS = (*TRUE_FLAGS, "no", "n", "false", "0")


def slugify(text: str) -> str:
    """A file-name-safe form of a name: ``Adult Social Care`` gives ``adult-social-care``."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    return slug or "report"


ColumnKind = Literal[
    "id", "text", "number", "integer", "period", "year", "choice", "tolerance", "flag"
]


@dataclass(frozen=True)
class Column:
    """One column of an input file."""

    name: str
    kind: ColumnKind
    required: bool = False  # the column must be present in the file
    blank_ok: bool = True  # a cell may be empty
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class FileSpec:
    """One input file (a CSV, or a sheet of ``perfnb.xlsx``)."""

    name: str
    required: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns whose combination must be unique
    description: str = ""

    @property
    def filename(self) -> str:
        """The CSV file name, e.g. ``measures.csv``."""
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        """The spec of one column."""
        return next(c for c in self.columns if c.name == name)


MEASURES = FileSpec(
    "measures",
    required=True,
    key=("measure_id",),
    description="One row per measure: what it is, which report it belongs to, how to rate it.",
    columns=(
        Column("measure_id", "id", True, False, description="Unique identifier, e.g. ASCOF-2A2."),
        Column("name", "text", True, False, description="The description printed in reports."),
        Column("service", "text", True, False, description="The report the measure belongs to."),
        Column("theme", "text", True, description="Section of the report, e.g. Delay need."),
        Column("priority", "text", description="Corporate priority within the theme."),
        Column("framework", "text", True, description="ASCOF, Local, BCF, ..."),
        Column("unit", "choice", True, False, UNITS, "How the figure is expressed."),
        Column("rate_per", "number", description="For rates: per how many (default 100000)."),
        Column("polarity", "choice", True, False, POLARITIES, "Which way is better."),
        Column(
            "aggregation",
            "choice",
            True,
            False,
            AGGREGATIONS,
            "How months or quarters combine into a quarter or year-to-date figure.",
        ),
        Column("frequency", "choice", True, False, FREQUENCIES, "How often a figure arrives."),
        Column("decimals", "integer", description="Decimal places shown (default by unit)."),
        Column("green_within", "tolerance", description="Shortfall still rated Green: 5% or 2."),
        Column("amber_within", "tolerance", description="Shortfall still rated Amber: 5% or 2."),
        Column("min_base", "number", description="Below this base, Red is capped at Amber."),
        Column("dot_basis", "choice", choices=DOT_BASES, description="Direction of travel basis."),
        Column("dot_stable", "tolerance", description="Change within this counts as stable."),
        Column(
            "rag_on",
            "choice",
            choices=RAG_ON,
            description="value (default) rates the reported figure; forecast the year-end one.",
        ),
        Column(
            "rag_rule",
            "choice",
            choices=RAG_RULES,
            description="tolerance (default) or improving_is_amber: a miss beyond amber_within "
            "is Amber if the direction of travel is improving or stable.",
        ),
        Column("from", "period", description="First period the measure is reported for."),
        Column("until", "period", description="Last period the measure is reported for."),
    ),
)

VALUES = FileSpec(
    "values",
    required=True,
    key=("measure_id", "period"),
    description="Long format: one row per measure and period.",
    columns=(
        Column("measure_id", "id", True, False, description="A measure_id of measures.csv."),
        Column("period", "period", True, False, description="2017/18 Q1, 2017-04 or 2017/18."),
        Column("value", "number", True, description="The figure; blank while pending."),
        Column("numerator", "number", description="Count behind a percentage or rate."),
        Column("denominator", "number", description="Base of a percentage or rate."),
        Column("base", "number", description="People surveyed, admissions counted, ..."),
        Column("forecast", "number", description="An officer's year-end forecast."),
        Column("note", "text", description="E.g. 'Due May-18' for a pending figure."),
        Column(
            "status",
            "choice",
            choices=STATUSES,
            description="final (blank), provisional, revised, estimated or illustrative.",
        ),
    ),
)

TARGETS = FileSpec(
    "targets",
    required=True,
    # a row is the year's target, or with a period the target at that period: the key is the
    # measure and the period (else the year), checked by perfnb.validate_targets
    key=(),
    description="One row per measure and financial year (the year-end target or a band), or "
    "per measure and period (the target at that quarter or month).",
    columns=(
        Column("measure_id", "id", True, False, description="A measure_id of measures.csv."),
        Column("year", "year", description="Financial year, e.g. 2017/18."),
        Column(
            "period",
            "period",
            description="A quarter or month: the row is the target at that period.",
        ),
        Column("target", "number", description="The year-end (annual) target."),
        Column("band_low", "number", description="Lower edge of a target band."),
        Column("band_high", "number", description="Upper edge of a target band."),
        Column("profile", "text", description="linear, q:20,25,25,30 or m: twelve weights."),
        Column("note", "text", description="Printed beside the target: Maintain 16/17."),
    ),
)

OVERRIDES = FileSpec(
    "overrides",
    required=False,
    key=("measure_id", "period"),
    description="An officer's RAG in place of the computed one, with the reason.",
    columns=(
        Column("measure_id", "id", True, False, description="A measure_id of measures.csv."),
        Column("period", "period", True, False, description="The report's period, 2017/18 Q1."),
        Column("rag", "choice", True, False, RAG_CHOICES, "Red, Amber, Green or N/A (or R/A/G)."),
        Column("reason", "text", True, False, description="Why; printed with the rating."),
        Column("by", "text", description="Who decided, e.g. Head of Service."),
    ),
)

ANNOTATIONS = FileSpec(
    "annotations",
    required=False,
    key=("measure_id", "period", "text"),
    description="Analysts' notes of events, drawn on a measure's trend chart at their period.",
    columns=(
        Column("measure_id", "id", True, False, description="A measure_id of measures.csv."),
        Column("period", "period", True, False, description="When it happened, 2017/18 Q1."),
        Column("text", "text", True, False, description="What happened: Recovery plan started."),
    ),
)

BENCHMARKS = FileSpec(
    "benchmarks",
    required=False,
    key=("measure_id", "year", "area"),
    description="Published figures for comparable areas, to rank this council's.",
    columns=(
        Column("measure_id", "id", True, False, description="A measure_id of measures.csv."),
        Column("year", "year", True, False, description="Financial year, e.g. 2017/18."),
        Column("area", "text", True, False, description="Council or average, e.g. Trafford."),
        Column("value", "number", True, description="The published figure; blank if suppressed."),
        Column("is_average", "flag", description="yes for England or regional averages."),
        Column("quartile", "integer", description="The publisher's quartile (1 = best), if any."),
        Column("note", "text", description="The publisher's word on the quartile, e.g. TBC."),
        Column("source", "text", description="Where the figure was published."),
    ),
)

# an action's status as officers report it (seed 001 writes "On Target"; matched in any case)
ACTION_STATUSES = ("Not started", "On target", "At risk", "Off target", "Completed", "Cancelled")
# other words an officer may write for a status (any case), each read as the status it means
ACTION_STATUS_WORDS = {
    "Achieved": "Completed",
    "Already achieved": "Completed",
    "Complete": "Completed",
    "Done": "Completed",
}

ACTIONS = FileSpec(
    "actions",
    required=False,
    key=("action_id",),
    description="One row per improvement action (or activity under one): who, by when, why.",
    columns=(
        Column("action_id", "id", True, False, description="Unique code, e.g. COR-HSC-AP-29."),
        Column("title", "text", True, False, description="What will be done."),
        Column("service", "text", True, False, description="The report the action belongs to."),
        Column("theme", "text", description="Area for improvement, e.g. Access to services."),
        Column("lead_officer", "text", True, description="Who leads it."),
        Column("authorising_officer", "text", description="Who signs it off."),
        Column("start", "text", description="When it starts: 1-Apr-2009, April 2009."),
        Column(
            "deadline",
            "text",
            True,
            description="When it is due, as written: 31-Mar-2011, March 2004, Jan - March "
            "2004, Already achieved, Ongoing.",
        ),
        Column("resources", "text", description="E.g. Within existing resources."),
        Column(
            "outcome_measure",
            "text",
            description="What success looks like, or a measure_id of measures.csv.",
        ),
        Column("parent_id", "id", description="For an activity: the action_id it belongs to."),
    ),
)

ACTION_UPDATES = FileSpec(
    "action_updates",
    required=False,
    key=("action_id", "period"),
    description="One row per action and period: status, % complete and the progress text.",
    columns=(
        Column("action_id", "id", True, False, description="An action_id of actions.csv."),
        Column("period", "period", True, False, description="The report's period, 2009/10 Q2."),
        Column(
            "status",
            "choice",
            True,
            False,
            (*ACTION_STATUSES, *ACTION_STATUS_WORDS),
            "The officer's status (Achieved, Already achieved, Complete and Done are Completed).",
        ),
        Column("pct_complete", "number", True, description="Per cent complete, 0 to 100."),
        Column("progress", "text", description="Progress this period."),
        Column("issues", "text", description="Issues affecting progress and corrective actions."),
    ),
)

FILES: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        MEASURES,
        VALUES,
        TARGETS,
        OVERRIDES,
        BENCHMARKS,
        ANNOTATIONS,
        ACTIONS,
        ACTION_UPDATES,
    )
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the data allows."""

    file: str
    message: str
    row: int | None = None  # the row as a spreadsheet shows it: the header is row 1
    column: str | None = None
    value: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        head = ", ".join(where)
        shown = f"{self.value!r} " if self.value is not None else ""
        return f"{head}: {shown}{self.message}"


@dataclass
class DataError(Exception):
    """The data set has errors; ``problems`` lists every one of them."""

    folder: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem(s) in the data set {self.folder}:"]
        lines += [f"  {p}" for p in errors]
        return "\n".join(lines)
