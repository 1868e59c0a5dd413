"""Figures as text (``perfnb.figure_text``) against Python's own decimal arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from perfnb.figure_text import figures_text, numbers_coded, numbers_once_arrow


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


@settings(deadline=None, max_examples=300)
@given(
    st.lists(
        st.tuples(st.integers(-(10**6), 10**6), st.integers(0, 3), st.integers(0, 3)),
        min_size=1,
        max_size=60,
    ),
    st.booleans(),
    st.booleans(),
)
def test_figures_written_once_each_read_as_decimal_arithmetic_writes_them(
    figures: list[tuple[int, int, int]], signed: bool, whole: bool
) -> None:
    """``numbers_coded`` (each distinct figure as printed written once, the rows coded) gives
    every row the text decimal arithmetic gives it, a whole number without decimals under
    ``whole``, and no text twice among its words."""
    values = np.array([n / 10**k for n, k, _ in figures] + [np.nan])
    places = np.array([d for _, _, d in figures] + [1])
    got = numbers_coded(values, places, signed=signed, whole=whole)
    wanted = [
        _written(v, 0 if whole and float(v).is_integer() else int(d), signed)
        for v, d in zip(values[:-1], places[:-1], strict=True)
    ]
    assert got.objects().tolist() == [*wanted, ""]
    assert len(set(got.words.tolist())) == len(got.words)
    once = numbers_once_arrow(values, places, signed=signed, whole=whole)
    assert once.to_pylist() == [*wanted, ""]


def test_astronomical_figures_are_still_written_when_coded() -> None:
    """A figure too big for the integer arithmetic is spelled out by Python, as uncoded."""
    got = numbers_coded(np.array([1e300, 2.5, np.nan]), np.array([0, 0, 0]))
    assert got.objects().tolist() == [format(1e300, ",.0f"), "3", ""]


def test_figures_written_once_repeat_for_every_row_that_prints_them() -> None:
    """1.25 and 1.251 both print 1.3 to one place, -0.04 prints 0.0 (no "-0.0") as 0.0 does,
    -1.25 prints -1.3; a figure at 0 places is not the same text as at 1; NaN is blank;
    and 1e300, too big for the arithmetic, is spelled out with the rest."""
    values = np.array([1.25, 1.251, -0.04, 0.0, -1.25, 1.25, np.nan, 1e300, 1.25])
    places = np.array([1, 1, 1, 1, 1, 0, 1, 0, 1])
    wanted = ["1.3", "1.3", "0.0", "0.0", "-1.3", "1", "", format(1e300, ",.0f"), "1.3"]
    assert numbers_once_arrow(values, places).to_pylist() == wanted
    assert numbers_once_arrow(values[:7], places[:7]).to_pylist() == wanted[:7]
