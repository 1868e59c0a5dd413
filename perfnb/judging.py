"""A chunk of the card judged: the direction of travel (like with like), the variance from
target and the RAG rating with its reason, from the figures and targets the engine worked out
for its rows. The engine has it done on its second thread for one chunk while it works out the
next chunk's figures (``perfnb.engine``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from perfnb.column_set import Columns, numbers
from perfnb.comparisons import direction_columns, period_coded
from perfnb.engine_text import Coded, coded, coded_arrow
from perfnb.period_codes import period_code
from perfnb.rag import override_columns, rate_columns
from perfnb.variance import variance_arrays

__all__ = ["RATING_INPUTS", "judged_chunk", "judged_columns", "rated_columns"]

# the columns of the judging that the rating rules read, beside the card's own
RATING_INPUTS = (
    "variance", "variance_pct", "variance_pp", "green_within", "amber_within", "direction",
    "compared_with", "compared_status",
)  # fmt: skip


def judged_columns(
    rules: Columns,
    here: Columns,
    before: Columns,
    year_ago: Columns,
    previous: Coded,
    year_before: Coded,
    tolerances: tuple[Coded, Coded],
    overrides: pd.DataFrame,
) -> dict[str, object]:
    """The direction of travel, variance and rating columns of a chunk's rows. ``rules``: the
    card's columns the rules read, with ``dot_stable``; ``here``, ``before`` and ``year_ago``:
    the window results at each row's period, the one before and the same one a year earlier,
    whose labels are ``previous`` and ``year_before``; ``tolerances``: each row's
    ``green_within`` and ``amber_within``. Variance is in the measure's unit, ``variance_pct``
    in per cent of target, ``variance_pp`` in percentage points."""
    card: dict[str, object] = dict(
        direction_columns(rules, here, before, year_ago, previous, year_before)
    )
    card.update(
        variance_arrays(
            numbers(rules["value"]),
            numbers(rules["target"]),
            numbers(rules["band_low"]),
            numbers(rules["band_high"]),
            coded(rules["polarity"]).equals("band"),
            coded(rules["unit"]).equals("percent"),
        )
    )
    card["green_within"], card["amber_within"] = tolerances
    card.update(
        rated_columns(rules.assign(**{name: card[name] for name in RATING_INPUTS}), overrides)
    )
    return card


def rated_columns(frame: pd.DataFrame | Columns, overrides: pd.DataFrame) -> dict[str, object]:
    """The rating columns of a chunk's rows (``frame``: what the rules read): the computed
    RAG, the shortfall, the RAG after the officers' ``overrides``, whether overridden, and
    the reason, coded (a few thousand texts in a million rows), for the card to join."""
    rag, reason, shortfall = rate_columns(frame)
    out: dict[str, object] = {"rag_computed": rag, "shortfall": shortfall}
    out["rag"], rag_reason, out["overridden"] = override_columns(frame, rag, reason, overrides)
    out["rag_reason"] = rag_reason if isinstance(rag_reason, Coded) else coded_arrow(rag_reason)
    return out


def judged_chunk(
    rules: Columns,
    here: Columns,
    given: dict[str, object],
    rows: Callable[[int, list[str]], Columns],
    earlier: tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]],
    tolerances: tuple[Coded, Coded],
    overrides: pd.DataFrame,
) -> dict[str, object]:
    """A chunk's rows judged (:func:`judged_columns`) against their windows before and a year
    before (the second and third sets ``rows`` gives; their periods ``earlier``), with the
    figures and statuses compared, and the card's columns ``given`` with them (the figures
    read off R's window), for the thread that judges them to write into the card."""
    compared = ["value", "period_value", "status", "period_status", "band_low", "band_high"]
    before, year_ago = rows(1, compared), rows(2, compared)
    previous, year_before = (period_coded(period_code(*periods)) for periods in earlier)
    out = judged_columns(
        rules, here, before, year_ago, previous, year_before, tolerances, overrides
    )
    out["previous_value"], out["previous_status"] = before["value"], before["status"]
    out["last_year_value"], out["last_year_status"] = year_ago["value"], year_ago["status"]
    out.update(given)
    return out
