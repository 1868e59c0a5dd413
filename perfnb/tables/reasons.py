"""The reasons table: how each measure's rating and direction of travel were reached, in the
engine's own words."""

from __future__ import annotations

import pandas as pd

from perfnb.tables.table import Table, _texts
from perfnb.tables.values import texts

__all__ = ["rag_reasons_table"]


def rag_reasons_table(card: pd.DataFrame) -> Table:
    """How each rating was reached: measure, RAG and the engine's reason, one row each, and
    how its direction of travel was judged (which figures, and whether one is not final)."""
    table = pd.DataFrame(
        {
            "Measure": card["measure_id"].astype(object),
            "Description": card["name"].astype(object),
            "RAG": card["rag"].astype(object),
            "How it was rated": card["rag_reason"].astype(object),
            "Direction of travel": _texts(card, "direction_reason"),
        }
    ).reset_index(drop=True)
    values = pd.DataFrame(
        {
            "measure_id": texts(card, "measure_id"),
            "name": texts(card, "name"),
            "period": texts(card, "period"),
            "rag": texts(card, "rag"),
            "rag_reason": texts(card, "rag_reason"),
            "direction": texts(card, "direction"),
            "direction_reason": texts(card, "direction_reason"),
        }
    ).reset_index(drop=True)
    period = card["period"].iloc[0] if len(card) else ""
    return Table(
        "rag-reasons",
        f"How each rating was reached, {period}",
        table,
        rag=("RAG",),
        values=values,
    )
