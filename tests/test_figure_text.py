"""Figures as text (``perfnb.figure_text``) against Python's own decimal arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb.figure_text import figures_text


def _written(value: float, places: int, signed: bool) -> str:
    """The figure as a report writes it, by ``decimal``: rounded half away from zero, a comma
    between each group of three digits."""
    rounded = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    return format(rounded, f"{'+' if signed else ''},.{places}f")


@settings(deadline=None, max_examples=300)
@given(
    st.lists(
        st.tuples(st.integers(-(10**9), 10**9), st.integers(0, 3), st.integers(0, 3)),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_figures_are_written_as_decimal_arithmetic_writes_them(
    figures: list[tuple[int, int, int]], signed: bool
) -> None:
    """Any figure of up to a billion with up to three decimals, to 0 to 3 places: thousands
    separators (1,234,567), half away from zero (-2.675 to 2 places is -2.68)."""
    values = np.array([n / 10**k for n, k, _ in figures])
    places = np.array([d for _, _, d in figures])
    got = figures_text(values, places, signed=signed).tolist()
    assert got == [_written(v, int(d), signed) for v, d in zip(values, places, strict=True)]


def test_a_blank_figure_is_blank_and_big_ones_are_grouped() -> None:
    """NaN is written as nothing; 999 has no separator, 1,000 and 12,345,678.9 have theirs."""
    got = figures_text(np.array([np.nan, 999, 1000, 12345678.94]), np.array([1, 0, 0, 1]))
    assert got.tolist() == ["", "999", "1,000", "12,345,678.9"]
