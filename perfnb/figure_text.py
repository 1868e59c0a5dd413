"""Figures as text, as reports write them: thousands separators, each figure to its own number
of decimals, rounded half away from zero (-15.65 is -15.7). Built by array operations (Arrow's
string kernels), so a million figures are written in a fraction of a second, not a minute.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.engine_text import Coded, first_of_each, scatter_arrow

__all__ = [
    "figures_arrow",
    "figures_text",
    "half_up",
    "numbers_arrow",
    "numbers_coded",
    "numbers_once_arrow",
]


def figures_text(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> np.ndarray:
    """Figures as text with thousands separators, each to its own number of decimals (rounded
    half away from zero); ``signed`` adds a plus sign, ``whole`` drops a whole number's
    decimals."""
    return _numbers(values, decimals, signed, whole)


def _numbers(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> np.ndarray:
    """Figures as text with thousands separators, each to its own number of decimals, rounded
    half away from zero as reports round; with ``whole``, a whole number is shown without
    decimals (a target of 80, not 80.0)."""
    values = np.asarray(values, dtype=float)
    decimals = np.asarray(decimals, dtype=int)
    out = np.full(len(values), "", dtype=object)
    if whole:
        decimals = np.where(np.mod(values, 1) == 0, 0, decimals)
    valid = ~np.isnan(values)
    for places in np.unique(decimals[valid]):
        rows = valid & (decimals == places)
        out[rows] = _fixed(values[rows], int(places), signed)
    return out


def _fixed(values: np.ndarray, places: int, signed: bool) -> np.ndarray:
    """``values`` to ``places`` decimals with thousands separators, as an object array."""
    return np.asarray(_fixed_arrow(values, places, signed).to_numpy(zero_copy_only=False)).astype(
        object
    )


def _fixed_arrow(values: np.ndarray, places: int, signed: bool) -> pa.Array:
    """``values`` to ``places`` decimals with thousands separators, built by array operations
    (pyarrow string kernels), not a Python loop over the figures."""
    factor = 10.0**places
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.floor(np.abs(values) * factor + 0.5 + 1e-9)
    fits = np.isfinite(scaled) & (scaled < 2**53)
    if not fits.all():  # astronomically large: let Python spell them out
        spec = f"{'+' if signed else ''},.{places}f"
        big = np.flatnonzero(~fits)
        spelled = pa.array([format(v, spec) for v in values[big]], pa.string())
        return scatter_arrow(
            len(values),
            [(np.flatnonzero(fits), _fixed_arrow(values[fits], places, signed)), (big, spelled)],
        )
    units = (scaled // factor).astype(np.int64)
    text = _thousands(units)
    if places:
        fraction = (scaled - units * factor).astype(np.int64)
        padded = pc.utf8_lpad(pc.cast(pa.array(fraction), pa.string()), width=places, padding="0")
        text = pc.binary_join_element_wise(text, padded, ".")
    negative = (values < 0) & (scaled > 0)
    sign = pa.array(["", "-", "+"], pa.string()).take(
        pa.array(np.where(negative, 1, 2 if signed else 0))
    )
    return pc.binary_join_element_wise(sign, text, "")


def _thousands(units: np.ndarray) -> pa.Array:
    """Whole numbers (0 or more) with a comma between each group of three digits: the groups
    by integer arithmetic (a number's thousands, then its last three digits, zero-padded),
    only for the numbers that have thousands."""
    text = pc.cast(pa.array(units), pa.string())
    big = np.flatnonzero(units >= 1000)
    if not len(big):
        return text
    last = pc.utf8_lpad(pc.cast(pa.array(units[big] % 1000), pa.string()), width=3, padding="0")
    grouped = pc.binary_join_element_wise(_thousands(units[big] // 1000), last, ",")
    where = np.arange(len(units), dtype=np.int64)
    where[big] = len(units) + np.arange(len(big))
    return pa.concat_arrays([text, grouped]).take(pa.array(where))


def figures_arrow(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> pa.Array:
    """:func:`figures_text` as an Arrow string array ('' where NaN)."""
    return numbers_arrow(values, decimals, signed, whole)


def numbers_arrow(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> pa.Array:
    """:func:`_numbers` as an Arrow string array ('' where NaN)."""
    values = np.asarray(values, dtype=float)
    decimals = np.asarray(decimals, dtype=int)
    if whole:
        decimals = np.where(np.mod(values, 1) == 0, 0, decimals)
    valid = ~np.isnan(values)
    pieces = []
    for places in np.unique(decimals[valid]):
        rows = np.flatnonzero(valid & (decimals == places))
        pieces.append((rows, _fixed_arrow(values[rows], int(places), signed)))
    return scatter_arrow(len(values), pieces)


def numbers_coded(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> Coded:
    """:func:`numbers_arrow` as coded texts ('' where NaN): each distinct figure as printed
    (its digits, sign and number of decimals) is written once, however many rows print it."""
    values, decimals = _as_printed(values, decimals, whole)
    key = _printed_keys(values, decimals)
    if key is None:  # astronomical: written row by row
        text = numbers_arrow(values, decimals, signed)
        return Coded(np.arange(len(text)), np.asarray(text.to_pylist(), dtype=object))
    codes, firsts = first_of_each(key)
    words = numbers_arrow(values[firsts], decimals[firsts], signed)
    return Coded(codes, np.asarray(words.to_pylist(), dtype=object))


def numbers_once_arrow(
    values: np.ndarray, decimals: np.ndarray, signed: bool = False, whole: bool = False
) -> pa.Array:
    """:func:`numbers_arrow`, each distinct figure as printed written once and taken for every
    row that prints it (a million figures to one decimal place are a few thousand texts)."""
    values, decimals = _as_printed(values, decimals, whole)
    key = _printed_keys(values, decimals)
    if key is None:
        return numbers_arrow(values, decimals, signed)
    codes, firsts = first_of_each(key)
    return numbers_arrow(values[firsts], decimals[firsts], signed).take(pa.array(codes))


def _as_printed(
    values: np.ndarray, decimals: np.ndarray, whole: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The figures as floats and each one's decimals (0 for a whole number, with ``whole``)."""
    values = np.asarray(values, dtype=float)
    decimals = np.asarray(decimals, dtype=int)
    if whole:
        decimals = np.where(np.mod(values, 1) == 0, 0, decimals)
    return values, decimals


def _printed_keys(values: np.ndarray, decimals: np.ndarray) -> np.ndarray | None:
    """A key per figure, equal exactly where two figures print the same (digits, sign and
    decimals), -1 where NaN; None where a figure is too big for the key (past 2**53 at its
    decimals) or its decimals are not 0-15."""
    valid = ~np.isnan(values)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.floor(np.abs(values) * 10.0**decimals + 0.5 + 1e-9)  # as _fixed_arrow
    places_fit = (decimals >= 0) & (decimals < 16)
    if not (places_fit & np.isfinite(scaled) & (scaled < 2**53))[valid].all():
        return None
    negative = (values < 0) & (scaled > 0)
    digits = np.where(valid, scaled, 0).astype(np.int64)
    return np.where(valid, (digits * 2 + negative) * 16 + decimals, -1)


def half_up(values: np.ndarray, places: int) -> np.ndarray:
    """Rounded half away from zero, as reports round (-15.65 is -15.7, not -15.6)."""
    factor = 10.0**places
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sign(values) * np.floor(np.abs(values) * factor + 0.5 + 1e-9) / factor
