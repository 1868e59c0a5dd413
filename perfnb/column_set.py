"""Named columns of one length, as the engine's rules read them: numbers as numpy arrays, text
as codes (:class:`perfnb.engine_text.Coded`). A rule reads a :class:`Columns` as it reads a
DataFrame (``frame[name]``, ``name in frame``, ``len(frame)`` rows, ``frame.assign``), and
reads each column through :func:`numbers` or :func:`perfnb.engine_text.coded`, so that the
same rule takes either. The engine hands its chunks' columns to the rules this way: a hundred
thousand rows' columns passed by name, with no frame, index or categorical made and read back
on the way (pandas' bookkeeping, held under the GIL, was a tenth of a chunk's time).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from perfnb.engine_text import Coded

__all__ = ["Columns", "numbers"]

Column: TypeAlias = np.ndarray | Coded | pd.Series


class Columns:
    """``rows`` rows of named columns (arrays or coded texts), each ``rows`` long."""

    __slots__ = ("_columns", "_rows")

    def __init__(self, columns: Mapping[str, Column], rows: int | None = None) -> None:
        self._columns = dict(columns)
        if rows is None:
            rows = len(next(iter(self._columns.values()))) if self._columns else 0
        for name, column in self._columns.items():
            if len(column) != rows:
                raise ValueError(f"column {name!r} has {len(column)} rows, not {rows}")
        self._rows = rows

    def __getitem__(self, name: str) -> Any:
        """The column ``name`` (an array or coded texts: the rules read it through
        :func:`numbers` or ``coded``, as they read a frame's)."""
        return self._columns[name]

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    def __len__(self) -> int:
        """The number of rows (as a DataFrame's ``len``), not of columns."""
        return self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    @property
    def columns(self) -> list[str]:
        """The columns' names, in order."""
        return list(self._columns)

    def assign(self, **more: Column) -> Columns:
        """These columns and ``more`` (replacing any of the same name)."""
        return Columns({**self._columns, **more}, self._rows)

    def take(self, rows: np.ndarray, names: list[str] | None = None) -> Columns:
        """The columns ``names`` (all when None) at positions ``rows``."""
        picked = self.columns if names is None else names
        return Columns({name: _take(self._columns[name], rows) for name in picked}, len(rows))

    def to_dict(self) -> dict[str, Column]:
        """The columns by name (the same arrays, not copies)."""
        return dict(self._columns)


def _take(column: Column, rows: np.ndarray) -> Column:
    """A column at positions ``rows``."""
    if isinstance(column, Coded):
        return column.take(rows)
    if isinstance(column, pd.Series):
        return column.take(rows).reset_index(drop=True)
    return column[rows]


def numbers(column: Column, dtype: type | np.dtype = float) -> np.ndarray:
    """A column of numbers as a numpy array of ``dtype`` (no copy where it already is one)."""
    if isinstance(column, np.ndarray):
        return column if column.dtype == dtype else column.astype(dtype)
    if isinstance(column, Coded):
        raise TypeError("a column of text is not a column of numbers")
    return column.to_numpy(dtype=dtype)
