"""The engine's columns by name: read as a frame is read (by name, rows as its length, assign,
take), each column through ``numbers`` or ``coded``, whichever the rules are handed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb.column_set import Columns, numbers
from perfnb.engine_text import Coded, coded


def _columns() -> Columns:
    """Three rows: a number, a count and a coded text with a word no row uses."""
    return Columns(
        {
            "value": np.array([1.5, np.nan, 3.0]),
            "count": np.array([1, 2, 3], dtype=np.int64),
            "unit": Coded(np.array([2, 0, 2]), np.array(["percent", "days", "count"], object)),
        }
    )


def test_columns_read_like_a_frame() -> None:
    """``len`` is the rows (3), not the columns; names in order; ``in`` by name."""
    columns = _columns()
    assert len(columns) == 3
    assert columns.columns == ["value", "count", "unit"]
    assert "unit" in columns and "target" not in columns
    assert Columns({}, 4).columns == [] and len(Columns({}, 4)) == 4


def test_columns_of_other_lengths_are_refused() -> None:
    """A column of 2 rows among columns of 3 is named in the error, with both lengths."""
    with pytest.raises(ValueError, match=r"'short' has 2 rows, not 3"):
        Columns({"value": np.zeros(3), "short": np.zeros(2)})
    with pytest.raises(ValueError, match=r"'unit' has 3 rows, not 4"):
        Columns({"unit": Coded.constant("x", 3)}, 4)


def test_assign_adds_and_replaces_without_touching_the_original() -> None:
    """Assigning a new column and replacing one gives a new set; the first keeps its own."""
    columns = _columns()
    more = columns.assign(target=np.array([2.0, 2.0, 2.0]), count=np.zeros(3, np.int64))
    assert more.columns == ["value", "count", "unit", "target"]
    assert more["count"].tolist() == [0, 0, 0]
    assert columns["count"].tolist() == [1, 2, 3]
    assert "target" not in columns


def test_take_picks_rows_of_numbers_codes_and_series() -> None:
    """Rows 2, 0, 2 of each column: numbers by position, coded texts by their codes, a Series
    by position with a fresh index."""
    columns = _columns().assign(label=pd.Series(["a", "b", "c"], index=[10, 11, 12]))
    taken = columns.take(np.array([2, 0, 2]))
    assert len(taken) == 3
    assert taken["value"].tolist() == [3.0, 1.5, 3.0]
    assert taken["unit"].objects().tolist() == ["count", "count", "count"]
    assert taken["label"].tolist() == ["c", "a", "c"]
    assert taken["label"].index.tolist() == [0, 1, 2]
    only = columns.take(np.array([1]), ["unit"])
    assert only.columns == ["unit"] and only["unit"].objects().tolist() == ["percent"]


def test_numbers_gives_arrays_of_the_type_asked() -> None:
    """An array of the type asked is returned as it is; others are converted; a Series gives
    its values; text is refused."""
    value = np.array([1.0, 2.0])
    assert numbers(value) is value
    assert numbers(np.array([1, 2]), float).tolist() == [1.0, 2.0]
    assert numbers(np.array([1.7, 2.2]), np.int64).tolist() == [1, 2]
    assert numbers(pd.Series([0.5, None])).tolist()[0] == 0.5
    assert np.isnan(numbers(pd.Series([0.5, None]))[1])
    with pytest.raises(TypeError, match="text"):
        numbers(Coded.constant("x", 2))


@settings(deadline=None, max_examples=50)
@given(st.lists(st.sampled_from(["", "a", "b", "ab"]), max_size=30), st.booleans())
def test_coded_reads_the_same_texts_from_codes_and_from_categoricals(
    words: list[str], as_series: bool
) -> None:
    """``coded`` gives coded texts back as they are, and reads a categorical (bare or in a
    Series) as the texts a Python list holds."""
    categorical = pd.Categorical(words)
    column = pd.Series(categorical) if as_series else categorical
    assert coded(column).objects().tolist() == words
    already = coded(words)
    assert coded(already) is already
