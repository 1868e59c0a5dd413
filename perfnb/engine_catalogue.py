"""The catalogue as the engine reads it: the measures asked about with perfnb's defaults filled
in, which are reported in a period (``from`` and ``until``), the financial years a card reads
and what each measure's ratios are multiplied by.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfnb.loader import Dataset
from perfnb.periods import Period, parse_period
from perfnb.tolerances import (
    DEFAULT_AMBER_WITHIN,
    DEFAULT_DOT_STABLE,
    DEFAULT_GREEN_WITHIN,
    with_default,
)

__all__ = ["engine_catalogue", "ratio_scale", "reported_in", "years_read"]


def reported_in(measures: pd.DataFrame, period: Period) -> np.ndarray:
    """True for the measures reported in ``period``: it ends on or after the start of their
    ``from`` and starts on or before the end of their ``until``."""
    keep = np.ones(len(measures), dtype=bool)
    for name, column in (("from", "from_period"), ("until", "until_period")):
        if column not in measures:
            continue
        labels = measures[column].fillna("").astype(str).to_numpy(dtype=object)
        for label in pd.unique(labels[labels != ""]):
            edge = parse_period(label)
            inside = period.end >= edge.start if name == "from" else period.start <= edge.end
            keep &= (labels != label) | inside
    return keep


_CATEGORICAL = (
    "service",
    "theme",
    "priority",
    "framework",
    "unit",
    "polarity",
    "aggregation",
    "frequency",
    "green_within",
    "amber_within",
    "dot_basis",
    "dot_stable",
    "rag_on",
    "rag_rule",
)


def engine_catalogue(data: Dataset, services: Sequence[str] | None) -> pd.DataFrame:
    """The measures asked about, in catalogue order, with perfnb's defaults where a catalogue
    built by hand has no column, and the tolerances' defaults filled in."""
    catalogue = data.measures
    if services is not None:
        catalogue = catalogue[catalogue["service"].isin(list(services))]
    catalogue = catalogue.reset_index(drop=True)
    missing = {
        name: {"rag_on": "value", "rag_rule": "tolerance"}.get(name, "")
        for name in _CATEGORICAL
        if name not in catalogue
    }
    catalogue = catalogue.assign(**missing) if missing else catalogue.copy()
    for name, default in (
        ("green_within", DEFAULT_GREEN_WITHIN),
        ("amber_within", DEFAULT_AMBER_WITHIN),
        ("dot_stable", DEFAULT_DOT_STABLE),
    ):
        catalogue[f"_{name}"] = with_default(catalogue[name], catalogue["unit"], default)
    return catalogue


def years_read(data: Dataset, chosen: Sequence[Period]) -> np.ndarray:
    """The financial years whose values a card of ``chosen`` reads: two before each period
    (a quarterly measure's latest quarter a year earlier) to those its latest position
    reaches, and each year with a year row and the one before (an annual measure's latest)."""
    reach = data.latest_within_months // 12 + 2
    years = {fy for p in chosen for fy in range(p.fy - 2, p.fy + reach)}
    values = data.reported_values
    annual = values["fy"].to_numpy()[(values["period_kind"] == "year").to_numpy(dtype=bool)]
    years |= {fy - step for fy in np.unique(annual).tolist() for step in (0, 1)}
    return np.array(sorted(years), dtype=np.int64)


def ratio_scale(frame: pd.DataFrame) -> np.ndarray:
    """What a ratio is multiplied by: 100 for a percentage, rate_per for a rate, else 1."""
    unit = frame["unit"].to_numpy(dtype=object)
    rate_per = frame["rate_per"].to_numpy(dtype=float)
    return np.where(unit == "percent", 100.0, np.where(unit == "rate", rate_per, 1.0))
