"""The engine's rows of several periods, worked out in one call and handed out a few periods
at a time.

A service's report asks the engine for six sets of periods (its own, the one before, the
trend's quarters and years, the financial year's, the variance table's). On a council's data
set each call costs about the same whatever its periods (a call for one period and for
fourteen both took 0.09 s for the sample's largest service), so the report works them all out
at once and takes each set from them: the rows are those ``performance`` gives for the set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfnb.engine import performance
from perfnb.loader import Dataset
from perfnb.periods import Period, parse_period

__all__ = ["PeriodRows"]


@dataclass(frozen=True)
class PeriodRows:
    """``performance``'s rows for every period of ``labels`` (one call) and ``services`` (all
    when None), by period."""

    rows: pd.DataFrame
    labels: tuple[str, ...]  # the periods worked out, by label
    services: tuple[str, ...] | None  # the services they were worked out for (None: all)

    @classmethod
    def work_out(
        cls,
        data: Dataset,
        periods: Iterable[Period | str],
        services: Sequence[str] | None = None,
    ) -> PeriodRows:
        """The engine's rows of each of ``periods`` (repeats counted once) for ``services``
        (all when None), worked out in one call."""
        chosen = list(dict.fromkeys(parse_period(p) for p in periods))
        rows = performance(data, chosen, services)
        return cls(rows, tuple(p.label for p in chosen), _services(services))

    def take(self, periods: Sequence[Period | str], services: Sequence[str] | None) -> pd.DataFrame:
        """What ``performance(data, periods, services)`` gives for one period or more: each
        period's rows, in the order asked for, numbered from 0; ``services`` those the rows
        were worked out for, or some of them. A period not worked out is a ``KeyError``;
        a service not worked out, a ``ValueError``."""
        wanted = _services(services)
        if not _among(wanted, self.services):
            raise ValueError(
                f"rows worked out for services {self.services!r}, asked for {services!r}"
            )
        labels = [parse_period(p).label for p in periods]
        if missing := [label for label in labels if label not in self.labels]:
            raise KeyError(f"periods not worked out: {', '.join(missing)}")
        found = self.rows["period"].to_numpy()
        keep = (
            np.ones(len(found), dtype=bool)
            if wanted is None or set(wanted) == set(self.services or ())
            else self.rows["service"].isin(list(wanted)).to_numpy()
        )
        positions = [np.flatnonzero((found == label) & keep) for label in labels]
        chosen = np.concatenate(positions) if positions else np.array([], dtype=np.intp)
        return self.rows.take(chosen).reset_index(drop=True)


def _services(services: Sequence[str] | None) -> tuple[str, ...] | None:
    """``services`` as compared: a tuple in the order given, or None for all."""
    return None if services is None else tuple(services)


def _among(wanted: tuple[str, ...] | None, worked: tuple[str, ...] | None) -> bool:
    """Whether rows worked out for ``worked`` (None: every service) hold ``wanted``'s."""
    if worked is None:
        return True
    return wanted is not None and set(wanted) <= set(worked)
