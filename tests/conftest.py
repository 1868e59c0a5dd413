"""Shared fixtures: the repository's paths and a tiny data set written from text."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# no hypothesis example may fail for taking longer than it would alone: on a busy 2-core machine
# (CI, or two test runs at once) one took 276 ms against the default 200 ms deadline
settings.register_profile("perfnb", deadline=None)
settings.load_profile("perfnb")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = ROOT / "notebooks"

TINY = {
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


def write_dataset(folder: Path, files: dict[str, str]) -> Path:
    """Writes a data set folder from file texts; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Callable[..., Path]:
    """Builds the tiny data set, with lines replaced or added: ``tiny(values=[...])``."""

    def build(**changes: str | list[tuple[str, str]]) -> Path:
        files = dict(TINY)
        for stem, change in changes.items():
            name = f"{stem}.csv"
            if isinstance(change, str):
                files[name] = change
                continue
            for old, new in change:
                if old == "":
                    files[name] = files[name] + new + "\n"
                else:
                    assert old in files[name], f"{old!r} is not in {name}"
                    files[name] = files[name].replace(old, new)
        return write_dataset(tmp_path / "data", files)

    return build


@pytest.fixture
def run_temporary(monkeypatch) -> Iterator[Path]:
    """A temporary folder of the test's own for a run's socket folders (TMPDIR, which the
    runner reads when a run starts), short enough for a socket path; removed afterwards. A test
    looks here, never at the system's temporary folder, which other runs share."""
    folder = Path(tempfile.mkdtemp(prefix="pnbt-"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
