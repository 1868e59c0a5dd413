"""Gathers the problems the checks find, listing at most ``MAX_LISTED`` of each kind.

A kind is a file, a column and a rule: a file with a thousand bad dates lists the first
``MAX_LISTED`` of them row by row, then one line counting the rest.
"""

from __future__ import annotations

import pandas as pd

from perfnb.contract import Problem
from perfnb.raw_table import RawTable

__all__ = ["MAX_LISTED", "ProblemCollector"]

# At most this many problems of one kind (file, column, rule) are listed; the rest are counted.
MAX_LISTED = 25


class ProblemCollector:
    """Gathers problems, listing at most ``MAX_LISTED`` of each kind and counting the rest."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: dict[tuple[str, str | None, str, str], int] = {}

    def reserve(self, key: tuple[str, str | None, str, str], count: int) -> int:
        """Counts ``count`` problems of one kind; returns how many of them are still listed."""
        before = self._counts.get(key, 0)
        self._counts[key] = before + count
        return max(0, min(count, MAX_LISTED - before))

    def add(self, problem: Problem, rule: str = "") -> None:
        """Adds one problem, of the kind its file, column and ``rule`` (else its message) make."""
        key = (problem.file, problem.column, rule or problem.message, problem.severity)
        if self.reserve(key, 1):
            self.problems.append(problem)

    def add_rows(
        self,
        table: RawTable,
        mask: pd.Series,
        column: str,
        message: str,
        *,
        severity: str = "error",
        show_value: bool = True,
    ) -> None:
        """Adds one problem for every row where ``mask`` is true."""
        if not mask.any():
            return
        hits = mask[mask].index
        files = table.files.loc[hits] if table.files is not None else None
        groups = [(table.label, hits)] if files is None else files.groupby(files, sort=False)
        for file, group in groups:
            group = group if files is None else group.index
            # a kpis sheet's cells have headers of their own: its rows are counted by file alone
            own = table.headers is None or (files is not None and file == table.label)
            key = (file, column if own else None, message, severity)
            # only the rows that will be listed become Problems; the rest are only counted
            group = group[: self.reserve(key, len(group))]
            values = table.frame.loc[group, column] if column in table.frame else None
            for i, idx in enumerate(group):
                value = values.iloc[i] if values is not None and show_value else None
                where, row, header = table.locate(idx, column)
                self.problems.append(
                    Problem(
                        where,
                        message,
                        row=row,
                        column=header,
                        value=value,
                        severity=severity,  # type: ignore[arg-type]
                    )
                )

    def finish(self) -> list[Problem]:
        """The listed problems, then one line per kind counting those beyond ``MAX_LISTED``."""
        for (file, column, _rule, severity), count in self._counts.items():
            if count > MAX_LISTED:
                hidden = count - MAX_LISTED
                self.problems.append(
                    Problem(
                        file,
                        f"... and {hidden:,} more row(s) with the same problem",
                        None,
                        column,
                        None,
                        severity,  # type: ignore[arg-type]
                    )
                )
        return self.problems
