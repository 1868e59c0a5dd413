"""The windows a chunk of the card asks about (``perfnb.period_codes.windows_asked``) against
numpy's own ``unique``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb.period_codes import period_code, windows_asked


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
