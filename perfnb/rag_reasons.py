"""Why a measure got its rating, in words: "Amber: within 5% of target (-3.2%)", "Red: more than
2 points from target (-4.1 points)", "Green: inside the band 10 to 14%", with what the rating
rests on and, under ``rag_rule = improving_is_amber``, the direction of travel that decided it.

Each piece is built only for the rows it describes, as Arrow strings or coded texts (each
distinct few words once), never as a Python string per row. ``perfnb.rag`` decides the rating.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from perfnb.column_set import numbers
from perfnb.engine_text import (
    Coded,
    TextPart,
    coded,
    first_of_each,
    join_coded,
    join_text,
    replace_text,
    scatter_text,
    select_coded,
    take_text,
)
from perfnb.figure_text import half_up, numbers_coded
from perfnb.palette import STATUS_WORDS
from perfnb.tolerances import describe_tolerance

__all__ = [
    "RAG_CODES",
    "improving_is_amber",
    "reasons",
    "resting_on",
    "tolerance_words",
]

RAG_CODES = np.array(["N/A", "Pending", "Green", "Amber", "Red"], dtype=object)
_NA, _PENDING_RAG, _GREEN_RAG, _AMBER_RAG, _RED_RAG = range(5)
# the kinds of reason, in the order ``perfnb.rag`` chooses them
_NOT_RATED, _NO_TARGET, _PENDING, _MET, _GREEN, _SMALL, _AMBER, _RED = range(8)


def _unit_suffix(unit: np.ndarray) -> np.ndarray:
    return np.select([unit == "percent", unit == "days"], [" points", " days"], "")


def tolerance_words(texts: pd.Series, units: pd.Series) -> Coded:
    """Each row's tolerance in words; each distinct (tolerance, unit) is described once."""
    text, unit = coded(texts), coded(units)
    # the pairs numbered by their codes on a grid of both (a few words each), not hashed
    codes, firsts = first_of_each(text.codes * (len(unit.words) + 1) + unit.codes)
    words = [
        describe_tolerance(str(text.words[t]), str(unit.words[u]))
        for t, u in zip(text.codes[firsts], unit.codes[firsts], strict=True)
    ]
    return Coded(codes, np.array(words, dtype=object))


def improving_is_amber(
    card: pd.DataFrame, rag: np.ndarray, reason: Coded | pa.Array, red: np.ndarray
) -> tuple[np.ndarray, Coded | pa.Array]:
    """Under ``rag_rule = improving_is_amber`` a shortfall beyond ``amber_within`` is Amber when
    the direction of travel is improving or stable, else Red; the reason says which."""
    if "rag_rule" not in card or "direction" not in card:
        return rag, reason
    ruled = red & coded(card["rag_rule"]).equals("improving_is_amber")
    if not ruled.any():
        return rag, reason
    direction = coded(card["direction"])
    against = coded(card["compared_with"])
    better = ruled & direction.isin(("improving", "stable"))
    worse = ruled & ~better
    rag = rag.copy()
    rag[better] = _AMBER_RAG
    rows = np.flatnonzero(better)
    reason = replace_text(
        reason,
        rows,
        join_text(
            take_text(reason, rows),
            join_coded(
                ", but ",
                direction.take(rows),
                " against ",
                against.take(rows),
                _compared_status(card, rows),
                ", so Amber (improving or stable is Amber)",
            ),
        ),
    )
    rows = np.flatnonzero(worse & ~direction.equals(""))
    reason = replace_text(
        reason,
        rows,
        join_text(
            take_text(reason, rows),
            join_coded(
                " and ",
                direction.take(rows),
                " against ",
                against.take(rows),
                _compared_status(card, rows),
            ),
        ),
    )
    rows = np.flatnonzero(worse & direction.equals(""))
    reason = replace_text(
        reason,
        rows,
        join_text(
            take_text(reason, rows),
            join_coded(", with no figure for ", against.take(rows), " to show it improving"),
        ),
    )
    return rag, reason


def _compared_status(card: pd.DataFrame, rows: np.ndarray) -> Coded:
    """`` (an illustrative figure (not published))`` where the figure compared with is not
    final, for the rows given (positions); '' otherwise."""
    if "compared_status" not in card:
        return Coded.constant("", len(rows))
    return (
        coded(card["compared_status"])
        .take(rows)
        .map(lambda word: f" ({_a_figure(word)})" if word in STATUS_WORDS else "")
    )


def _a_figure(status: str) -> str:
    """``a provisional figure``, ``an illustrative figure (not published)``."""
    kind, _, aside = STATUS_WORDS[status].partition(" (")
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} figure" + (f" ({aside}" if aside else "")


def resting_on(card: pd.DataFrame, rag: np.ndarray) -> Coded:
    """``; rests on a provisional figure`` for a rating built on a figure that is not final."""
    if "status" not in card:
        return Coded.constant("", len(card))
    status = coded(card["status"])
    words = status.map(lambda word: f"; rests on {_a_figure(word)}" if word in STATUS_WORDS else "")
    rated = (rag == _GREEN_RAG) | (rag == _AMBER_RAG) | (rag == _RED_RAG)
    return Coded(np.where(rated, words.codes, len(words.words)), np.append(words.words, ""))


def reasons(
    card: pd.DataFrame,
    category: np.ndarray,
    gap: np.ndarray,
    reference: np.ndarray,
    green_relative: np.ndarray,
    amber_relative: np.ndarray,
    polarity: Coded,
) -> Coded | pa.Array:
    """The words after "Amber: ", built only for the rows that need each piece, coded: each
    distinct text once (a million rows' reasons have a few thousand)."""
    n = len(card)
    pieces: list[tuple[np.ndarray, TextPart]] = [
        (np.flatnonzero(category == _NOT_RATED), "not rated, as neither higher nor lower is better")
    ]
    rows = np.flatnonzero(category == _NO_TARGET)
    if len(rows):
        year = coded(card["target_year"]).take(rows)
        note = coded(card["target_note"]).take(rows).map(lambda w: f" ({w})" if w else "")
        pieces.append((rows, join_coded("no target for ", year, note)))
    rows = np.flatnonzero(category == _PENDING)
    if len(rows):
        pieces.append((rows, coded(card["note"]).take(rows).map(lambda w: w or "No figure yet")))

    rows = np.flatnonzero(category >= _MET)
    if len(rows):
        pieces.append(
            (
                rows,
                _rated_reasons(
                    card,
                    rows,
                    category[rows],
                    gap[rows],
                    reference[rows],
                    green_relative[rows],
                    amber_relative[rows],
                    polarity.take(rows),
                ),
            )
        )
    return scatter_text(n, pieces)


def _rated_reasons(
    card: pd.DataFrame,
    rows: np.ndarray,
    kind: np.ndarray,
    gap: np.ndarray,
    reference: np.ndarray,
    green_relative: np.ndarray,
    amber_relative: np.ndarray,
    polarity: Coded,
) -> Coded | pa.Array:
    """The reason of each rated row (met, Green, Amber, Red, capped): how far from the target
    or band, by the tolerance it was judged by."""
    m = len(rows)
    value = numbers(card["value"])[rows]
    low = numbers(card["band_low"])[rows]
    high = numbers(card["band_high"])[rows]
    unit = coded(card["unit"]).take(rows)
    decimals = numbers(card["decimals"], int)[rows]
    is_band = polarity.equals("band")
    is_percent = unit.equals("percent")
    variance_pct = numbers(card["variance_pct"])[rows]
    has_pct = ~np.isnan(variance_pct)
    suffix = unit.map(lambda u: {"percent": " points", "days": " days"}.get(u, ""))
    outside = is_band & (gap > 0)

    # which figures each row's text shows: percentage points or units, per cent of target
    relative = np.where(kind == _GREEN, green_relative, amber_relative)
    wants_pct = ~outside & has_pct & (relative | ((kind == _MET) & ~is_percent)) & ~is_band
    wants_abs = ~outside & ~is_band & (is_percent | ~wants_pct)
    pct_rows, abs_rows = np.flatnonzero(wants_pct), np.flatnonzero(wants_abs)
    pct_text = join_text(
        numbers_coded(half_up(variance_pct[pct_rows], 1), np.ones(len(pct_rows), int), True), "%"
    )
    variance = numbers(card["variance"])[rows]
    abs_text = join_text(
        numbers_coded(variance[abs_rows], decimals[abs_rows], True), suffix.take(abs_rows)
    )
    pct_at = np.full(m, -1, dtype=np.int64)
    pct_at[pct_rows] = np.arange(len(pct_rows))
    abs_at = np.full(m, -1, dtype=np.int64)
    abs_at[abs_rows] = np.arange(len(abs_rows))
    both = np.flatnonzero(is_percent & wants_pct & wants_abs)
    only_pct = np.flatnonzero(wants_pct & ~(is_percent & wants_abs))
    only_abs = np.flatnonzero(~wants_pct & wants_abs)
    detail_pieces: list[tuple[np.ndarray, TextPart]] = [
        (only_pct, take_text(pct_text, pct_at[only_pct])),
        (only_abs, take_text(abs_text, abs_at[only_abs])),
    ]
    if len(both):
        detail_pieces.append(
            (
                both,
                join_text(
                    take_text(abs_text, abs_at[both]),
                    ", ",
                    take_text(pct_text, pct_at[both]),
                    " of target",
                ),
            )
        )
    out_rows = np.flatnonzero(outside)
    if len(out_rows):
        side = np.where(value[out_rows] < low[out_rows], " below", " above")
        detail_pieces.append(
            (
                out_rows,
                join_text(
                    numbers_coded(gap[out_rows], decimals[out_rows]),
                    suffix.take(out_rows),
                    Coded(
                        (side == " above").astype(np.int64),
                        np.array([" below", " above"], dtype=object),
                    ),
                ),
            )
        )
    detail = scatter_text(m, detail_pieces)
    band_rows = np.flatnonzero(is_band)
    target_pieces: list[tuple[np.ndarray, TextPart]] = []
    if len(band_rows):
        band_unit = unit.take(band_rows).map(lambda u: {"percent": "%", "days": " days"}.get(u, ""))
        target_pieces.append(
            (
                band_rows,
                join_text(
                    "the band ",
                    numbers_coded(low[band_rows], decimals[band_rows], whole=True),
                    " to ",
                    numbers_coded(high[band_rows], decimals[band_rows], whole=True),
                    band_unit,
                ),
            )
        )
    target_text = scatter_text(m, target_pieces, default="target")
    subject = (
        coded(card["rag_on"])
        .take(rows)
        .map(lambda w: "year-end forecast " if w == "forecast" else "")
    )
    green_words = tolerance_words(card["green_within"], card["unit"]).take(rows)
    amber_words = tolerance_words(card["amber_within"], card["unit"]).take(rows)
    words = select_coded([kind == _GREEN], [green_words], amber_words)

    def at(where: np.ndarray, *parts: TextPart) -> tuple[np.ndarray, Coded | pa.Array]:
        taken = [p if isinstance(p, str) else take_text(p, where) for p in parts]
        return where, join_text(*taken)

    pieces: list[tuple[np.ndarray, TextPart]] = []
    met = kind == _MET
    inside = np.flatnonzero(met & is_band)
    if len(inside):
        pieces.append(at(inside, subject, "inside ", target_text))
    beat = np.flatnonzero(met & ~is_band)
    if len(beat):
        pieces.append(at(beat, subject, "meets or beats target (", detail, ")"))
    near = np.flatnonzero((kind == _GREEN) | (kind == _AMBER))
    if len(near):
        pieces.append(at(near, subject, "within ", words, " of ", target_text, " (", detail, ")"))
    far = np.flatnonzero((kind == _RED) | (kind == _SMALL))
    if len(far):
        pieces.append(
            at(far, subject, "more than ", words, " from ", target_text, " (", detail, ")")
        )
    text = scatter_text(m, pieces)
    small = np.flatnonzero(kind == _SMALL)
    if len(small):
        zeros = np.zeros(len(small), dtype=int)
        base = numbers(card["base"])[rows][small]
        min_base = numbers(card["min_base"])[rows][small]
        text = replace_text(
            text,
            small,
            join_text(
                take_text(text, small),
                "; capped at Amber because the base (",
                numbers_coded(base, zeros, whole=True),
                ") is below ",
                numbers_coded(min_base, zeros, whole=True),
                " (small numbers)",
            ),
        )
    return text
