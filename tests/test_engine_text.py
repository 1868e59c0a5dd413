"""Text as the engine builds it: coded while every part is few distinct words, Arrow strings
once a part is not; the same texts either way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb import engine_text
from perfnb.engine_text import (
    Coded,
    coded,
    coded_arrow,
    first_of_each,
    join_coded,
    join_text,
    replace_text,
    scatter_text,
    take_text,
)


def _coded(*texts: str) -> Coded:
    return coded_arrow(pa.array(list(texts)))


def test_joined_parts_are_each_rows_texts_in_turn() -> None:
    """Constants and coded parts, joined row by row; a constant that numpy would cut short
    (a trailing NUL) is kept whole; each distinct combination is one word."""
    rag = _coded("Red", "Green", "Red", "Red")
    figure = _coded("-4.1", "+2.0", "-4.1", "-3.0")
    joined = join_coded(rag, ": ", figure, "\x00")
    assert joined.objects().tolist() == [
        "Red: -4.1\x00",
        "Green: +2.0\x00",
        "Red: -4.1\x00",
        "Red: -3.0\x00",
    ]
    assert sorted(joined.words.tolist()) == ["Green: +2.0\x00", "Red: -3.0\x00", "Red: -4.1\x00"]


def test_text_stays_coded_until_a_part_is_arrow_strings() -> None:
    """join_text and scatter_text give codes for coded parts and constants, Arrow strings as
    soon as one part is Arrow text: the same texts."""
    words = _coded("a", "b", "a")
    arrow = pa.array(["x", "y", "z"])
    assert isinstance(join_text(words, "-", words), Coded)
    mixed = join_text(words, "-", arrow)
    assert isinstance(mixed, pa.Array)
    assert mixed.to_pylist() == ["a-x", "b-y", "a-z"]
    rows = np.array([2, 0])
    coded_scatter = scatter_text(
        4, [(rows, take_text(words, np.array([0, 1]))), (np.array([3]), "c")], "-"
    )
    arrow_scatter = scatter_text(
        4, [(rows, take_text(arrow, np.array([0, 1]))), (np.array([3]), "c")], "-"
    )
    assert isinstance(coded_scatter, Coded) and isinstance(arrow_scatter, pa.Array)
    assert coded_scatter.objects().tolist() == ["b", "-", "a", "c"]
    assert arrow_scatter.to_pylist() == ["y", "-", "x", "c"]


def test_a_coded_text_with_rows_replaced_stays_coded() -> None:
    """Rows of a coded text replaced by Arrow strings (an officer's override): still coded, the
    new texts in their rows; an Arrow base stays Arrow."""
    base = _coded("Green: on target", "Red: off target", "Green: on target")
    new = pa.array(["Amber: overridden by J Smith"])
    replaced = replace_text(base, np.array([1]), new)
    assert isinstance(replaced, Coded)
    assert replaced.objects().tolist() == [
        "Green: on target",
        "Amber: overridden by J Smith",
        "Green: on target",
    ]
    as_arrow = replace_text(pa.array(["p", "q"]), np.array([0]), _coded("r"))
    assert isinstance(as_arrow, pa.Array) and as_arrow.to_pylist() == ["r", "q"]


def test_a_column_repeated_block_by_block_shares_one_blocks_text() -> None:
    """A card of 3 periods of the same 2 measures: their names are made once and shared by
    the 3 blocks (the same Arrow buffers); a column that differs between blocks is made row by
    row; the texts are the same either way."""
    names = Coded(np.array([1, 0] * 3), np.array(["Admissions", "Delayed days"], dtype=object))
    shared = names.to_str(blocks=3)
    assert list(shared) == ["Delayed days", "Admissions"] * 3
    chunks = shared.__arrow_array__().chunks  # the Arrow data pandas holds
    assert len(chunks) == 3
    assert len({chunk.buffers()[2].address for chunk in chunks}) == 1
    periods = Coded(np.array([0, 0, 1, 1, 2, 2]), np.array(["Q1", "Q2", "Q3"], dtype=object))
    own = periods.to_str(blocks=3)
    assert list(own) == ["Q1", "Q1", "Q2", "Q2", "Q3", "Q3"]
    assert own.__arrow_array__().num_chunks == 1


def test_a_long_column_is_made_a_piece_at_a_time_in_row_order(monkeypatch) -> None:
    """A column longer than one take (here 4 rows a take) is made in pieces of that many rows:
    10 rows are 3 pieces of 4, 4 and 2, and its texts are each row's word, in row order."""
    monkeypatch.setattr(engine_text, "_TAKE_ROWS", 4)
    words = np.array(["Red", "Amber: within 5%", "Green"], dtype=object)
    codes = np.array([2, 0, 1, 1, 2, 0, 0, 1, 2, 2])
    made = Coded(codes, words).to_str()
    expected = ["Green", "Red", "Amber: within 5%", "Amber: within 5%", "Green", "Red", "Red"]
    assert list(made) == [*expected, "Amber: within 5%", "Green", "Green"]
    assert [len(c) for c in made.__arrow_array__().chunks] == [4, 4, 2]
    assert str(made.dtype) == "str"


@settings(deadline=None, max_examples=200)
@given(
    st.lists(st.integers(-3, 40), max_size=300)
    | st.lists(st.integers(-(2**62), 2**62), max_size=50)
    | st.lists(st.sampled_from([7, 10**12, -5]), max_size=80)
)
def test_first_of_each_numbers_keys_as_they_first_appear(keys: list[int]) -> None:
    """Codes 0.. in order of first appearance and the row each first appears in, as a Python
    dict counts them: keys close together (marked) and spread wide (hashed)."""
    seen: dict[int, int] = {}
    for row, key in enumerate(keys):
        seen.setdefault(key, row)
    order = {key: code for code, key in enumerate(seen)}
    codes, firsts = first_of_each(np.array(keys, dtype=np.int64))
    assert codes.tolist() == [order[key] for key in keys]
    assert firsts.tolist() == list(seen.values())
    assert codes.dtype == np.int64 and firsts.dtype == np.int64


@settings(deadline=None, max_examples=200)
@given(st.lists(st.none() | st.sampled_from(["", "a", "A", "é", "a\x00", " a", "5%"]), max_size=60))
def test_text_stored_as_text_is_coded_as_it_first_appears(values: list[str | None]) -> None:
    """A ``str`` column (Arrow strings) and the same texts as Python objects are coded alike:
    words in order of first appearance, a missing value read as '' (after the others, as a
    Python dict counts them)."""
    seen: dict[str, int] = {}
    for value in values:
        if value is not None:
            seen.setdefault(value, len(seen))
    words = [*seen, *([""] if None in values else [])]
    expected = [seen[v] if v is not None else len(seen) for v in values]
    for column in (pd.Series(values, dtype="str"), pd.Series(values, dtype=object)):
        text = coded(column)
        assert text.words.tolist() == words
        assert text.codes.tolist() == expected
        assert text.codes.dtype == np.int64 and text.words.dtype == object
