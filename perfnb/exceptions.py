"""Exceptions: which measures a committee is asked about this period, and why.

A measure is an exception when it is rated Red or Amber, when its rating moved between Red,
Amber and Green since the period before, or when it was Red or Amber then and is not rated now
(Pending, N/A), which a committee would otherwise lose sight of. A rating that was not given
before (a new measure, or one that was Pending or N/A) has not moved. Frames in, frames out:
the exceptions table (``perfnb.tables.exceptions_table``) only prints what this decides.
"""

from __future__ import annotations

import pandas as pd

from perfnb.rag import RAG_ORDER

__all__ = [
    "CHANGES",
    "EXCEPTION_RATINGS",
    "exceptions",
    "is_exception",
    "previous_ratings",
    "rating_changes",
]

EXCEPTION_RATINGS = ("Red", "Amber")  # an exception whatever happened before
# a rating's change since the period before: worse, better, no longer rated, or none
CHANGES = ("worse", "better", "not rated", "")


def previous_ratings(card: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Each card row's ``previous_rag`` and ``previous_period`` from ``previous``, '' if none."""
    rag = pd.Series("", index=card.index, dtype=object)
    period = pd.Series("", index=card.index, dtype=object)
    if previous is not None and len(previous):
        earlier = previous.drop_duplicates("measure_id").set_index("measure_id")
        rag = card["measure_id"].map(earlier["rag"]).fillna("").astype(object)
        period = card["measure_id"].map(earlier["period"]).fillna("").astype(object)
    return pd.DataFrame({"previous_rag": rag, "previous_period": period})


def rating_changes(rag: pd.Series, previous_rag: pd.Series) -> pd.Series:
    """Each rating's change from ``previous_rag`` (aligned on the index), one of ``CHANGES``."""
    now, was = rag.map(RAG_ORDER), previous_rag.map(RAG_ORDER)
    moved = now.notna() & was.notna() & (now != was)
    change = pd.Series("", index=rag.index, dtype=object)
    change[moved & (now < was)] = "worse"
    change[moved & (now > was)] = "better"
    change[now.isna() & previous_rag.isin(EXCEPTION_RATINGS)] = "not rated"
    return change


def is_exception(rag: pd.Series, change: pd.Series) -> pd.Series:
    """True where a rating is Red or Amber or has changed (``change`` from rating_changes)."""
    return rag.isin(EXCEPTION_RATINGS) | (change != "")


def exceptions(card: pd.DataFrame, previous: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``card`` a committee is asked about: every Red and Amber measure, and every
    measure whose rating moved between Red, Amber and Green since ``previous`` (the engine's
    rows for the period before), or that was Red or Amber and is now not rated (Pending, N/A),
    which a committee would otherwise lose sight of. Adds ``previous_rag``, ``previous_period``
    and ``change`` (``worse``, ``better``, ``not rated`` or ``""``); Red first, then Amber,
    then Green, then the rest, in catalogue order."""
    card = card.reset_index(drop=True)
    before = previous_ratings(card, previous)
    change = rating_changes(card["rag"], before["previous_rag"])
    out = card.assign(
        previous_rag=before["previous_rag"],
        previous_period=before["previous_period"],
        change=change,
    )[is_exception(card["rag"], change)]
    # Red, Amber, Green (RAG_ORDER), then whatever is not rated; catalogue order within each
    return out.sort_values(
        "rag", key=lambda rag: rag.map(RAG_ORDER).fillna(len(RAG_ORDER)), kind="stable"
    )
