"""One input file as read: ``RawTable``, every cell a string and every row its spreadsheet row.

The readers make them (:mod:`perfnb.input_files` from a CSV file or a sheet of ``perfnb.xlsx``,
:mod:`perfnb.wide` from a kpis sheet); the checks (:mod:`perfnb.validation`) and the typing of
the data set's frames (:mod:`perfnb.typed_tables`) read them. ``to_number`` reads text cells as
the numbers a spreadsheet shows, and ``is_blank`` finds the empty ones.

A column of a national data set has millions of cells but few distinct texts (twenty thousand
measure_ids, a few hundred periods): ``RawTable.each`` works a rule out once per distinct text
and gives each row its text's answer, and ``RawTable.periods`` keeps each distinct period's
columns once, giving a whole column only when asked for it.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from perfnb.contract import FileSpec
from perfnb.periods import PERIOD_COLUMNS, period_table

__all__ = [
    "PeriodColumns",
    "RawTable",
    "is_blank",
    "release_memory",
    "small_pages",
    "system_arrow_memory",
    "to_number",
]

# glibc's malloc_trim, where the C library has it: glibc keeps the heap pages numpy freed
_TRIM = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform == "linux" else None
_NUMBER_RE = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_THOUSANDS_RE = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


class PeriodColumns:
    """``period_columns`` of a column, kept as each row's distinct period and one row per
    distinct period: ``periods[name]`` gives a whole column (a new Series each time)."""

    columns = pd.Index(PERIOD_COLUMNS)

    def __init__(self, codes: np.ndarray, table: pd.DataFrame, index: pd.Index) -> None:
        self.codes, self.table, self.index = codes, table, index

    def __getitem__(self, name: str) -> pd.Series:
        """One of the columns, a value per row."""
        return pd.Series(self.table[name].array.take(self.codes), index=self.index, name=name)

    def each(self, how: Callable[[pd.DataFrame], pd.Series]) -> pd.Series:
        """``how`` of the distinct periods' columns, a value per row."""
        return pd.Series(np.asarray(how(self.table)).take(self.codes), index=self.index)


@dataclass
class RawTable:
    """One input file as read: every cell a string, ``row`` holding spreadsheet row numbers."""

    spec: FileSpec
    frame: pd.DataFrame
    label: str  # "values.csv" or "perfnb.xlsx, sheet values"
    rows: pd.Series  # spreadsheet row number of each record (header = row 1)
    # where a row came from when not from this file (a kpis sheet's rows: perfnb.wide): its
    # file per row, and each cell's column header as written ('' for the column's own name)
    files: pd.Series | None = None
    headers: pd.DataFrame | None = None
    _numbers: dict[str, pd.Series] = field(default_factory=dict, repr=False)  # by code
    _periods: dict[str, PeriodColumns] = field(default_factory=dict, repr=False)
    _distinct: dict[str, tuple[np.ndarray, pd.Series]] = field(default_factory=dict, repr=False)

    def distinct(self, column: str) -> tuple[np.ndarray, pd.Series]:
        """Each row's code (int32) and, by code, the column's distinct texts stripped."""
        if column not in self._distinct:
            codes, uniques = pd.factorize(self.frame[column].astype(str))
            texts = pd.Series(uniques, dtype=str).str.strip()
            small = np.int16 if len(texts) <= np.iinfo(np.int16).max else np.int32
            self._distinct[column] = (codes.astype(small), texts)
        return self._distinct[column]

    def each(self, column: str, how: Callable[[pd.Series], pd.Series]) -> pd.Series:
        """``how`` of the column's stripped texts, worked out once per distinct text, a value
        per row."""
        codes, texts = self.distinct(column)
        return pd.Series(np.asarray(how(texts)).take(codes), index=self.frame.index, name=column)

    def blank(self, column: str) -> pd.Series:
        """True for each cell of ``column`` that is empty or only spaces."""
        return self.each(column, lambda text: text == "")

    def number(self, column: str) -> pd.Series:
        """The column as floats (NaN where blank or not a number), each distinct text converted
        once; a new Series each call."""
        if column not in self.frame and column not in self._distinct:
            return pd.Series(np.nan, index=self.frame.index)
        return self.each(column, lambda _: self._distinct_numbers(column))

    def number_is(self, column: str, how: Callable[[pd.Series], pd.Series]) -> pd.Series:
        """``how`` of the column's numbers (``number``), worked out once per distinct text, a
        value per row."""
        if column not in self.frame and column not in self._distinct:
            return how(self.number(column))
        return self.each(column, lambda _: how(self._distinct_numbers(column)))

    def _distinct_numbers(self, column: str) -> pd.Series:
        """The column's distinct texts as floats, by code."""
        if column not in self._numbers:
            self._numbers[column] = to_number(self.distinct(column)[1])
        return self._numbers[column]

    def keep_codes_only(self, columns: list[str]) -> None:
        """Keeps ``columns`` only as each row's code and their distinct texts (``distinct``),
        letting their cells go: what typing reads, in a tenth of the memory (a national
        file's 8 million rows of text are 500 MB). ``frame`` no longer has them."""
        for column in columns:
            self.distinct(column)
        self.frame = self.frame.drop(columns=columns)
        release_memory()

    def periods(self, column: str) -> PeriodColumns:
        """The column's periods as ``period_columns`` gives them, each distinct text parsed
        once."""
        if column not in self._periods:
            codes, texts = self.distinct(column)
            self._periods[column] = PeriodColumns(codes, period_table(texts), self.frame.index)
        return self._periods[column]

    def locate(self, index: object, column: str) -> tuple[str, int, str]:
        """The file, spreadsheet row and column header of one cell, as the user wrote them: a
        cell read from a kpis sheet names the sheet, its row and its column's header."""
        file = self.label if self.files is None else str(self.files.loc[index])
        header = column
        if self.headers is not None and column in self.headers:
            header = str(self.headers.at[index, column]) or column
        return file, int(self.rows.loc[index]), header


def to_number(texts: pd.Series) -> pd.Series:
    """Converts text cells to floats; blank gives NaN, and so does anything that is not a number.

    Accepts thousands separators (``38,000``), a trailing ``%`` and a leading ``£``, as
    spreadsheets export them; rejects ``inf`` and ``nan`` written as text.
    """
    text = texts.astype(str).str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype(float)
    retry = numbers.isna() & (text != "")
    if retry.any():  # the slow path, only for cells the fast one could not read
        cleaned = text[retry].str.replace(r"^£", "", regex=True).str.replace(r"%$", "", regex=True)
        thousands = cleaned.str.match(_THOUSANDS_RE)
        cleaned = cleaned.where(~thousands, cleaned.str.replace(",", "", regex=False))
        ok = cleaned.str.match(_NUMBER_RE)
        numbers[retry] = pd.to_numeric(cleaned.where(ok), errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


def is_blank(frame: pd.DataFrame, column: str) -> pd.Series:
    """True for each cell of ``column`` that is empty or only spaces."""
    return frame[column].astype(str).str.strip() == ""


def release_memory() -> None:
    """Hands the memory Arrow's pool holds but no longer uses back to the system: a pool keeps
    what a big file's columns freed, and the next step's peak would stand on it."""
    pa.default_memory_pool().release_unused()
    if _TRIM is not None:
        _TRIM(0)


@contextmanager
def system_arrow_memory() -> Iterator[None]:
    """Arrow allocates from the C library's allocator inside the block, its default pool
    (mimalloc) after it. mimalloc hands freed pages back to the system at once, and a page
    touched again faults in again: a million rows' strings took 1.5 to 2.5 s longer so in the
    engine on a 2-core virtual machine. Reading a data set in it leaves less behind: what the
    reading freed goes back to the C library, which :func:`release_memory` trims (a million
    value rows held 236 MB, not 312). Every array keeps the pool it came from, so it may
    outlive the block."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


@contextmanager
def small_pages() -> Iterator[None]:
    """numpy does not ask the kernel for huge pages inside the block. It asks for them for
    every array of 4 MB or more (``madvise``); where the kernel then compacts memory to find
    one at the array's first write (``transparent_hugepage/defrag`` set to ``madvise``, the
    usual default) and finds none, each fault stalls: 60 fresh arrays of a million numbers
    took 0.84 s to fill on this project's 2-core virtual machine, 0.29 s without (numpy issue
    31590). ``NUMPY_MADVISE_HUGEPAGE`` is numpy's own switch for a whole process."""
    multiarray = getattr(getattr(np, "_core", None), "multiarray", None)
    switch = getattr(multiarray, "_set_madvise_hugepage", None)
    if switch is None:  # a numpy without the switch: nothing to change
        yield
        return
    previous = switch(False)
    try:
        yield
    finally:
        switch(previous)
