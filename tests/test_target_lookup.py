"""Year targets looked up by position (``perfnb.target_lookup``) against a dictionary."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb import bundled_sample, load_dataset
from perfnb.target_lookup import TARGET_COLUMNS, _year_grid, target_frame


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from([-1, 2015, 2016, 2018, 2030])),
        max_size=40,
    )
)
def test_each_measure_and_year_finds_its_first_year_row(rows: list[tuple[int, int]]) -> None:
    """The grid gives each (measure, year) the first targets row for it, as a dictionary
    filled row by row does; a row without a year (-1) is nobody's, an unknown year finds -1."""
    code = np.array([c for c, _ in rows], dtype=np.int64)
    fy = np.array([f for _, f in rows], dtype=np.int64)
    grid, first = _year_grid(code, fy, 6)
    expected: dict[tuple[int, int], int] = {}
    for position, (c, f) in enumerate(rows):
        if f > 0:
            expected.setdefault((c, f), position)
    for c in range(6):
        for f in range(2010, 2035):
            column = f - first
            found = grid[c, column] if 0 <= column < grid.shape[1] else -1
            assert found == expected.get((c, f), -1)


def test_target_frame_gives_the_columns_the_engine_copies_and_two_shares() -> None:
    """``TARGET_COLUMNS`` (what the engine copies from R's window when a row's target year is
    R's) is exactly what ``target_frame`` gives, but for the two shares the forecast reads."""
    data = load_dataset(bundled_sample())
    ids = pd.Index(data.measures["measure_id"].to_numpy(dtype=object))
    n = min(len(ids), 5)
    found = target_frame(
        data.targets,
        ids,
        np.arange(n),
        np.full(n, 2017),
        np.full(n, 1),
        np.full(n, 6),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    assert list(found.columns) == [
        "target", "band_low", "band_high", "annual_target", "annual_band_low",
        "annual_band_high", "target_note", "annual_target_note", "target_basis", "share",
        "period_share",
    ]  # fmt: skip
    assert list(TARGET_COLUMNS) == list(found.columns[:-2])
