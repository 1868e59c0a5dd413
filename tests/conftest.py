"""Shared fixtures: the repository's paths and a tiny data set written from text."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from perfnb import testing

# no hypothesis example may fail for taking longer than it would alone: on a busy 2-core machine
# (CI, or two test runs at once) one took 276 ms against the default 200 ms deadline
settings.register_profile("perfnb", deadline=None)
settings.load_profile("perfnb")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NOTEBOOKS = ROOT / "notebooks"

# the tiny data set is perfnb's own, for users' tests too: perfnb.testing
TINY = testing.TINY
write_dataset = testing.write_dataset


@pytest.fixture
def tiny(tmp_path: Path) -> Callable[..., Path]:
    """Builds the tiny data set, with lines replaced or added: ``tiny(values=[...])``."""

    def build(**changes: str | list[tuple[str, str]]) -> Path:
        return testing.tiny_dataset(tmp_path / "data", **changes)

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
