"""Helpers for testing with perfnb: a tiny data set, written from text, for tests of your own
notebooks, rules and reports (perfnb's own tests use it too).

    from perfnb.testing import tiny_dataset

    def test_my_notebook_reports_help_desk(tmp_path):
        data = tiny_dataset(tmp_path / "data", values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,90,")])
        card = perfnb.build_scorecard(perfnb.load_dataset(data), "2017/18 Q1")
        ...

The tiny data set has two services and three measures of 2017/18 Q1: a count against a year
target (Help Desk's Contacts, 100 of 400), a percentage (Reviews on time, 55.5% against 60%)
and a percentage judged against a band (Care's Share of sequels, 12% within 10 to 14%).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from perfnb.files import write_into

__all__ = ["TINY", "tiny_dataset", "write_dataset"]

TINY: Mapping[str, str] = {
    "measures.csv": """\
measure_id,name,service,theme,framework,unit,polarity,aggregation,frequency
M1,Contacts,Help Desk,Access,Local,count,high,sum,quarterly
M2,Reviews on time,Help Desk,Access,Local,percent,high,last,quarterly
M3,Share of sequels,Care,Safety,Local,percent,band,last,quarterly
""",
    "values.csv": """\
measure_id,period,value,note
M1,2017/18 Q1,100,
M2,2017/18 Q1,55.5,
M3,2017/18 Q1,12,
""",
    "targets.csv": """\
measure_id,year,target,band_low,band_high
M1,2017/18,400,,
M2,2017/18,60,,
M3,2017/18,,10,14
""",
}


def write_dataset(folder: str | Path, files: Mapping[str, str]) -> Path:
    """Writes a data set folder from its files' texts (``{"values.csv": "..."}``), creating
    the folder; returns it."""
    write_into(folder, {name: text.encode("utf-8") for name, text in files.items()})
    return Path(folder)


def tiny_dataset(folder: str | Path, **changes: str | Sequence[tuple[str, str]]) -> Path:
    """Writes :data:`TINY` to ``folder``, changed: ``values="..."`` replaces ``values.csv``
    whole (a new name adds a file); ``values=[(old, new), ...]`` replaces the line text
    ``old`` with ``new`` in it, or adds ``new`` as a last line when ``old`` is ``""``.
    Returns the folder. A line to replace that is not in the file is a ``ValueError``."""
    files = dict(TINY)
    for stem, change in changes.items():
        name = f"{stem}.csv"
        if isinstance(change, str):
            files[name] = change
            continue
        text = files.get(name, "")
        for old, new in change:
            if old == "":
                text += new + "\n"
            elif old not in text:
                raise ValueError(f"{old!r} is not in {name} of the tiny data set")
            else:
                text = text.replace(old, new)
        files[name] = text
    return write_dataset(folder, files)
