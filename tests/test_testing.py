"""perfnb.testing: the tiny data set users' tests (and perfnb's) build from text."""

from __future__ import annotations

import pytest

from perfnb import load_dataset, validate_dataset
from perfnb.testing import TINY, tiny_dataset, write_dataset


def test_the_tiny_data_set_is_valid_and_holds_what_it_says(tmp_path) -> None:
    """Three measures of two services, each with its 2017/18 Q1 figure, and no problem."""
    folder = tiny_dataset(tmp_path / "data")
    assert validate_dataset(folder) == []
    data = load_dataset(folder)
    assert list(data.measures["measure_id"]) == ["M1", "M2", "M3"]
    assert sorted(set(data.measures["service"])) == ["Care", "Help Desk"]
    assert list(data.values["value"]) == [100.0, 55.5, 12.0]


def test_changes_replace_lines_add_lines_and_replace_files(tmp_path) -> None:
    """(old, new) replaces a line's text, ("", new) adds a line, a string replaces the file,
    and a new name adds a file; TINY itself is left as it was."""
    before = dict(TINY)
    folder = tiny_dataset(
        tmp_path / "data",
        values=[("M1,2017/18 Q1,100,", "M1,2017/18 Q1,90,"), ("", "M1,2017/18 Q2,120,")],
        targets="measure_id,year,target\nM1,2017/18,400\n",
        benchmarks="measure_id,year,q1,median,q3\n",
    )
    values = (folder / "values.csv").read_text(encoding="utf-8").splitlines()
    assert values[1] == "M1,2017/18 Q1,90," and values[-1] == "M1,2017/18 Q2,120,"
    assert (folder / "targets.csv").read_text(encoding="utf-8") == (
        "measure_id,year,target\nM1,2017/18,400\n"
    )
    assert (folder / "benchmarks.csv").exists()
    assert dict(TINY) == before


def test_a_line_that_is_not_there_is_an_error(tmp_path) -> None:
    """A replacement of text the file does not have names it and the file."""
    with pytest.raises(ValueError) as caught:
        tiny_dataset(tmp_path / "data", values=[("M9,2017/18 Q1", "M9,2017/18 Q1,1,")])
    assert str(caught.value) == "'M9,2017/18 Q1' is not in values.csv of the tiny data set"


def test_write_dataset_writes_each_file_as_given(tmp_path) -> None:
    """Each text is written byte for byte as UTF-8, the folder created."""
    folder = write_dataset(tmp_path / "a" / "b", {"measures.csv": "measure_id,name\nM1,Café\n"})
    assert (folder / "measures.csv").read_bytes() == "measure_id,name\nM1,Café\n".encode()
