"""One input file as read: ``RawTable``, every cell a string and every row its spreadsheet row.

The readers make them (:mod:`perfnb.input_files` from a CSV file or a sheet of ``perfnb.xlsx``,
:mod:`perfnb.wide` from a kpis sheet); the checks (:mod:`perfnb.validation`) and the typing of
the data set's frames (:mod:`perfnb.typed_tables`) read them. ``to_number`` reads text cells as
the numbers a spreadsheet shows, and ``is_blank`` finds the empty ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfnb.contract import FileSpec
from perfnb.periods import period_columns

__all__ = ["RawTable", "is_blank", "to_number"]

_NUMBER_RE = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_THOUSANDS_RE = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"


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
    _numbers: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    _periods: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def number(self, column: str) -> pd.Series:
        """The column as floats (NaN where blank or not a number), converted once."""
        if column not in self._numbers:
            if column in self.frame:
                self._numbers[column] = to_number(self.frame[column])
            else:
                self._numbers[column] = pd.Series(np.nan, index=self.frame.index)
        return self._numbers[column]

    def periods(self, column: str) -> pd.DataFrame:
        """The column's periods as ``period_columns`` gives them, parsed once."""
        if column not in self._periods:
            self._periods[column] = period_columns(self.frame[column])
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
