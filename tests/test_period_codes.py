"""The windows a chunk of the card asks about (``perfnb.period_codes.windows_asked``) against
numpy's own ``unique``, and the later periods of the latest position against month arithmetic
done row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb.period_codes import later_periods, period_code, windows_asked


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.integers(100, 140),  # a measure's place in the catalogue
            st.sampled_from([0, 1, 2]),  # month, quarter, year
            st.integers(2015, 2019),
            st.integers(1, 12),
        ),
        max_size=50,
    )
)
def test_each_ask_finds_its_window_among_the_distinct_ones(
    asks: list[tuple[int, int, int, int]],
) -> None:
    """The distinct (measure, period) pairs, period first then measure, as ``np.unique`` of
    (period code, measure) pairs sorts them; each ask's place reads its own pair back."""
    measure = np.array([m for m, *_ in asks], dtype=np.int64)
    code = period_code(
        np.array([k for _, k, _, _ in asks], dtype=np.int64),
        np.array([f for *_, f, _ in asks], dtype=np.int64),
        np.array([i for *_, i in asks], dtype=np.int64),
    )
    inverse, w_measure, w_period = windows_asked(measure, code)
    pairs = np.unique(np.stack([code, measure], axis=1), axis=0) if asks else np.zeros((0, 2))
    assert w_period.tolist() == pairs[:, 0].tolist()
    assert w_measure.tolist() == pairs[:, 1].tolist()
    assert w_measure[inverse].tolist() == measure.tolist()
    assert w_period[inverse].tolist() == code.tolist()


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0, 1, 2]),  # R: a month, a quarter, a year
            st.integers(2015, 2019),
            st.integers(1, 12),
            st.sampled_from(["monthly", "quarterly", "annual"]),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 6),
)
def test_the_later_periods_are_the_months_and_quarters_after_r(
    rows: list[tuple[int, int, int, str]], months: int
) -> None:
    """Each row's later periods (those not R itself) are the months (not for a quarterly or
    annual measure) and quarters (not for an annual one) ending 1 to N months after R ends,
    none after a year: worked out here row by row from R's last month; sets that would be R on
    every row may be left out, as they add nothing."""
    kind = np.array([k for k, *_ in rows], dtype=np.int64)
    fy = np.array([f for _, f, *_ in rows], dtype=np.int64)
    index = np.array([min(i, 12 if k == 0 else 4 if k == 1 else 1) for k, _, i, _ in rows])
    frequency = pd.Series(pd.Categorical([f for *_, f in rows]))
    expected = set()
    for row, (k, f, i, freq) in enumerate(zip(kind, fy, index, frequency, strict=True)):
        if k == 2 or freq == "annual":
            continue
        end = f * 12 + (i if k == 0 else 3 * i)  # R's last month, counted from year 0
        for step in range(1, months + 1):
            year, month = divmod(end + step - 1, 12)
            if freq != "quarterly":
                expected.add((row, 0, year, month + 1))
            if (month + 1) % 3 == 0:
                expected.add((row, 1, year, (month + 1) // 3))
    r_code = period_code(kind, fy, index)
    found = set()
    for later in later_periods(kind, fy, index, pd.DataFrame({"frequency": frequency}), months):
        code = period_code(*later)
        for row in np.flatnonzero(code != r_code):
            found.add((int(row), *(int(part[row]) for part in later)))
    assert found == expected
