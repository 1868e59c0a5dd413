"""Reads a data set folder (CSV files or ``perfnb.xlsx``), validates it, and types its columns.

``load_dataset`` is the one way in: it reads every file, runs every check, and either raises
``DataError`` listing all the problems or returns a ``Dataset`` whose frames are clean and typed.
The files are read by :mod:`perfnb.input_files` (a workbook's sheets by :mod:`perfnb.workbook`),
checked by :mod:`perfnb.validation` and typed by :mod:`perfnb.typed_tables`; this module puts
them together.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from perfnb.contract import DataError, Problem, slugify
from perfnb.files import files_stamp
from perfnb.input_files import SETTINGS, commentary_problems, read_settings, read_tables
from perfnb.output_formats import parse_formats
from perfnb.periods import Period, latest_period, parse_period
from perfnb.raw_table import RawTable, release_memory, system_arrow_memory
from perfnb.typed_tables import (
    typed_action_updates,
    typed_actions,
    typed_annotations,
    typed_benchmarks,
    typed_measures,
    typed_overrides,
    typed_targets,
    typed_values,
)
from perfnb.validation import LATEST_WITHIN_MONTHS, check_tables

__all__ = ["Dataset", "data_home", "load_dataset", "slugify", "validate_dataset"]

# actions.csv's typing by the name it had here; tests/test_actions.py imports it from the loader
_typed_actions = typed_actions


@dataclass
class Dataset:
    """A validated data set: typed frames plus where they came from."""

    path: Path
    measures: pd.DataFrame
    values: pd.DataFrame
    targets: pd.DataFrame
    overrides: pd.DataFrame = field(default_factory=lambda: typed_overrides(None))
    benchmarks: pd.DataFrame = field(default_factory=lambda: typed_benchmarks(None))
    annotations: pd.DataFrame = field(default_factory=lambda: typed_annotations(None))
    actions: pd.DataFrame = field(default_factory=lambda: typed_actions(None))
    action_updates: pd.DataFrame = field(default_factory=lambda: typed_action_updates(None))
    settings: dict[str, object] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def council(self) -> str:
        """The council's name from ``dataset.toml`` (blank if not given)."""
        return str(self.settings.get("council", ""))

    @property
    def area(self) -> str:
        """This council's name in ``benchmarks.csv``, from ``dataset.toml`` (blank if not given)."""
        return str(self.settings.get("area", ""))

    @property
    def output_formats(self) -> tuple[str, ...]:
        """The formats its reports are written in by default: ``dataset.toml``'s ``[output]
        formats`` (checked when the data set is read), else the HTML alone."""
        output = self.settings.get("output")
        formats = output.get("formats") if isinstance(output, dict) else None
        return parse_formats(formats) if isinstance(formats, list) else ("html",)

    @property
    def latest_within_months(self) -> int:
        """How many months after a report's period its latest position may reach (``[defaults]``
        ``latest_within_months``; 3 when not given, 0 for none)."""
        months = dataset_defaults(self.settings).get("latest_within_months", LATEST_WITHIN_MONTHS)
        return int(months)  # type: ignore[call-overload]

    @property
    def services(self) -> list[str]:
        """Every service of the data set, in the order measures.csv first names them."""
        return list(pd.unique(self.measures["service"]))

    def periods(self) -> list[Period]:
        """Every period with a row in values.csv, oldest first."""
        found = {parse_period(p) for p in pd.unique(self.values["period"])}
        return sorted(found, key=lambda p: (p.end, p.start))

    @cached_property
    def reported_values(self) -> pd.DataFrame:
        """values.csv's rows that reports use: every row but those after their measure's
        ``until`` (a measure dropped from the set). Rows before ``from`` stay: no report shows
        the measure before then, but they are its history (a year to date counts them)."""
        measures = self.measures
        if "until_period" not in measures or not (measures["until_period"] != "").any():
            return self.values
        labels = measures.set_index("measure_id")["until_period"]
        ends = {
            label: pd.Timestamp(parse_period(label).end)
            for label in pd.unique(labels[labels != ""])
        }
        limit = pd.to_datetime(self.values["measure_id"].map(labels.map(ends)))
        return self.values[limit.isna() | self.values["period_start"].le(limit)]

    def latest_period(self) -> Period:
        """The latest quarter or month with a figure (a quarter before a month ending the same
        day); a year only when the data has nothing finer. Annual figures (surveys) arrive
        after the year ends, so a year row never makes the year itself the default. A figure
        after its measure's until does not count."""
        values = self.reported_values[self.reported_values["value"].notna()]
        finer = values.loc[values["period_kind"] != "year", "period"]
        with_data = finer if len(finer) else values["period"]
        return latest_period(parse_period(p) for p in pd.unique(with_data))

    def file_hashes(self) -> dict[str, str]:
        """SHA-256 of every input file, by its path relative to the data set folder."""
        hashes = {}
        for path in sorted(set(self.sources.values())):
            hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes


def dataset_defaults(settings: dict[str, object]) -> dict[str, object]:
    """``dataset.toml``'s ``[defaults]`` table (empty when it has none)."""
    defaults = settings.get("defaults", {})
    return defaults if isinstance(defaults, dict) else {}


def _benchmark_area_problems(
    tables: dict[str, RawTable], settings: dict[str, object]
) -> list[Problem]:
    """Warnings when benchmarks cannot be ranked: no area named, or an area with no figures."""
    table = tables.get("benchmarks")
    if table is None or table.frame.empty or "area" not in table.frame:
        return []
    area = str(settings.get("area", "")).strip()
    if not area:
        return [
            Problem(
                SETTINGS,
                "has no area, so benchmarks.csv cannot rank this council; add a line such as "
                'area = "Trafford" naming it as benchmarks.csv does',
                severity="warning",
            )
        ]
    areas = table.frame["area"].astype(str).str.strip().str.casefold()
    if not (areas == area.casefold()).any():
        return [
            Problem(
                table.label,
                f"has no rows for the area {area!r} named in {SETTINGS}, so no quartile can be "
                "worked out; check the spelling",
                column="area",
                severity="warning",
            )
        ]
    return []


# -- public ---------------------------------------------------------------------------------


def _read_and_check(
    folder: Path,
) -> tuple[dict[str, RawTable], dict[str, Path], dict[str, object], list[Problem]]:
    """Reads every file once and checks it: tables, their paths, settings, problems. ``folder``
    may be a workbook file (``council.xlsx``): its sheets are the data set, and its folder
    holds dataset.toml and the commentary."""
    workbook_name = None
    if folder.is_file() and folder.suffix.lower() in (".xlsx", ".xlsm"):
        folder, workbook_name = folder.parent, folder.name
    if not folder.is_dir():
        where = "" if folder.is_absolute() else f" in {Path.cwd()}"
        problem = Problem(
            str(folder),
            f"is not a folder{where}; run perfnb from the project folder, or pass --data with "
            "the data set's folder",
        )
        return {}, {}, {}, [problem]
    tables, sources, problems = read_tables(folder, workbook_name)
    settings, settings_problems = read_settings(folder)
    if (folder / SETTINGS).exists():
        sources["settings"] = folder / SETTINGS
    problems += settings_problems + check_tables(tables) + commentary_problems(folder)
    problems += _benchmark_area_problems(tables, settings)
    return tables, sources, settings, problems


def data_home(given: str | Path) -> Path:
    """The folder of a data set given as a folder or as its workbook file (``council.xlsx``):
    where its dataset.toml and commentary live."""
    given = Path(given)
    return given.parent if given.is_file() else given


def validate_dataset(folder: str | Path) -> list[Problem]:
    """Every problem (errors and warnings) in the data set at ``folder``."""
    return _read_and_check(Path(folder))[3]


# data sets read ahead of their use, by resolved folder: (its files' stamp, the data set)
_preloaded: dict[Path, tuple[tuple, Dataset]] = {}


def preload_dataset(folder: str | Path) -> None:
    """Reads the data set at ``folder`` ahead of its use: the next ``load_dataset`` of that
    folder in this process, or in a process forked from it (a report kernel forked from the
    kernel template), takes it, if no file of the folder has changed since. A data set with
    problems is not kept: its ``load_dataset`` reports them."""
    folder = Path(folder).resolve()
    stamp = files_stamp(data_home(folder))
    try:
        _preloaded[folder] = (stamp, load_dataset(folder))
    except (DataError, OSError):
        _preloaded.pop(folder, None)


def load_dataset(folder: str | Path = "data/sample") -> Dataset:
    """Reads and validates the data set at ``folder``; raises ``DataError`` listing all problems."""
    folder = Path(folder)
    home = data_home(folder)
    ready = _preloaded.pop(folder.resolve(), None) if _preloaded else None
    if ready is not None and ready[0] == files_stamp(home.resolve()):
        return replace(ready[1], path=home)  # taken once: nobody else holds its tables
    # Arrow's memory from the C library: what reading freed is then handed back by
    # release_memory, where Arrow's own pool kept it (a million value rows held 236 MB, not
    # 312; eight million 882 MB, not 961, though their reading peaks 56 MB higher)
    with system_arrow_memory():
        return _loaded(folder, home)


def _loaded(folder: Path, home: Path) -> Dataset:
    """:func:`load_dataset`'s reading, checking and typing of the files."""
    tables, sources, settings, problems = _read_and_check(folder)
    if any(p.severity == "error" for p in problems):
        raise DataError(str(folder), problems)
    # each file typed and let go in turn, the biggest (values) last: its typed frame never
    # stands beside another file's raw cells
    measures = typed_measures(tables.pop("measures"), dataset_defaults(settings))
    targets = typed_targets(tables.pop("targets"))
    release_memory()
    values = typed_values(tables.pop("values"))
    release_memory()
    return Dataset(
        path=home,
        measures=measures,
        values=values,
        targets=targets,
        overrides=typed_overrides(tables.get("overrides")),
        benchmarks=typed_benchmarks(tables.get("benchmarks")),
        annotations=typed_annotations(tables.get("annotations")),
        actions=typed_actions(tables.get("actions")),
        action_updates=typed_action_updates(tables.get("action_updates")),
        settings=settings,
        sources=sources,
        warnings=[p for p in problems if p.severity == "warning"],
    )
