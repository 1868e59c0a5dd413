"""A table's rows as data, for its CSV: the engine's numbers as numbers and its words as
words, where the page prints them formatted (``17,135``, ``-9.8%``, ``77.4% [p]``).

Each function takes the engine's rows (a card, or rows like it) and returns columns named as
data, in the rows' order and index, for a table's ``values`` frame (``Table.values``). A
figure is a number in its measure's unit (``unit``: percent, count, rate, currency, days...;
``rate_per`` for a rate), NaN (a blank cell) where there is none; its status (provisional,
revised, estimated, illustrative; blank when final) is a column of its own, never a marker; a
period is its label (``2017/18 Q1``, ``2012-10``); a rating is its word. Nothing is rounded
here: a variance is the engine's, to a float's precision (``docs/data.md``).
"""

from __future__ import annotations

import pandas as pd

from perfnb.periods import parse_period
from perfnb.polarity import AIMS
from perfnb.wording import period_note

__all__ = [
    "aim_words",
    "compared_values",
    "figure_values",
    "last_year_values",
    "latest_values",
    "numbers",
    "previous_values",
    "status_words",
    "target_values",
    "texts",
    "variance_values",
    "year_end_target_values",
]

Columns = dict[str, pd.Series]


def numbers(rows: pd.DataFrame, column: str) -> pd.Series:
    """A number column of ``rows`` as floats, NaN where missing (or where there is no such
    column)."""
    if column not in rows.columns:
        return pd.Series(float("nan"), index=rows.index, dtype=float)
    return pd.to_numeric(rows[column], errors="coerce").astype(float)


def texts(rows: pd.DataFrame, column: str) -> pd.Series:
    """A text column of ``rows``, stripped, '' where missing (or where there is no such column)."""
    if column not in rows.columns:
        return pd.Series("", index=rows.index, dtype=object)
    return rows[column].map(_text).astype(object)


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def status_words(rows: pd.DataFrame, column: str) -> pd.Series:
    """A figure's status as a word (``provisional``), blank for a final figure."""
    words = texts(rows, column).str.lower()
    return words.where(words != "final", "").astype(object)


def aim_words(rows: pd.DataFrame) -> pd.Series:
    """Each measure's aim in the report's words (``Higher is better``)."""
    return texts(rows, "polarity").map(lambda p: AIMS.get(p, p)).astype(object)


def figure_values(rows: pd.DataFrame, prefix: str = "this_period") -> Columns:
    """The period's figure: ``<prefix>`` (NaN when pending), its status and note (why it is
    pending: ``Due May-18``), the period it is for (``figure_period``: an annual survey's year,
    else the report's), what it is (``figure_basis``: year to date, latest, full year
    forecast...) and, for a percentage or rate, its ``numerator`` and ``denominator``."""
    pending = (
        rows["pending"].fillna(False).astype(bool)
        if "pending" in rows.columns
        else pd.Series(False, index=rows.index, dtype=bool)
    )
    shown = texts(rows, "value_period")
    return {
        prefix: numbers(rows, "value").where(~pending),
        f"{prefix}_status": status_words(rows, "status").where(~pending, ""),
        f"{prefix}_note": texts(rows, "note"),
        "figure_period": shown.where(shown != "", texts(rows, "period")),
        "figure_basis": texts(rows, "value_basis"),
        "numerator": numbers(rows, "numerator"),
        "denominator": numbers(rows, "denominator"),
    }


def year_end_target_values(rows: pd.DataFrame) -> Columns:
    """The year-end target (a figure, or a band's ``_low`` and ``_high``) and targets.csv's note
    of the year (``Maintain 16/17``, ``TBC``)."""
    note = "annual_target_note" if "annual_target_note" in rows else "target_note"
    return {
        "year_end_target": numbers(rows, "annual_target"),
        "year_end_target_low": numbers(rows, "annual_band_low"),
        "year_end_target_high": numbers(rows, "annual_band_high"),
        "year_end_target_note": texts(rows, note),
    }


def target_values(rows: pd.DataFrame) -> Columns:
    """The target the period's figure was judged against (``target_to_date``, or a band's
    ``_low`` and ``_high``), whether or not the page prints it beside the year-end one, and the
    note of a period's own target when it is not the year's."""
    notes = rows.apply(period_note, axis=1) if len(rows) else pd.Series([], dtype=object)
    return {
        "target_to_date": numbers(rows, "target"),
        "target_to_date_low": numbers(rows, "band_low"),
        "target_to_date_high": numbers(rows, "band_high"),
        "target_to_date_note": notes.astype(object).reindex(rows.index).fillna(""),
    }


def variance_values(rows: pd.DataFrame, prefix: str = "") -> Columns:
    """The variance from the target to date in the measure's unit (``variance``), in per cent
    of the target (``variance_pct``) and, for a percentage, in points (``variance_pp``)."""
    return {
        "variance": numbers(rows, f"{prefix}variance"),
        "variance_pct": numbers(rows, f"{prefix}variance_pct"),
        "variance_pp": numbers(rows, f"{prefix}variance_pp"),
    }


def previous_values(rows: pd.DataFrame) -> Columns:
    """The rating in the period before (``previous_rag``, blank when the row has none), that
    period, why the measure was not rated then (``previous_why``: no target, no aim, no
    figure, overridden, not reported) and how the rating has changed (``better``, ``worse``)."""
    return {
        "previous_rag": texts(rows, "previous_rag"),
        "previous_period": texts(rows, "previous_period"),
        "previous_why": texts(rows, "previous_why"),
        "rating_change": texts(rows, "change"),
    }


def latest_values(rows: pd.DataFrame) -> Columns:
    """The latest position after the report's period: its period, figure, status, target and
    variance (blank where a measure has none)."""
    period = texts(rows, "latest_period")
    value = numbers(rows, "latest_value")
    has = (period != "") & value.notna()
    return {
        "latest_period": period.where(has, ""),
        "latest_value": value.where(has),
        "latest_status": status_words(rows, "latest_status").where(has, ""),
        "latest_target": numbers(rows, "latest_target").where(has),
        "latest_variance_pct": numbers(rows, "latest_variance_pct").where(has),
        "latest_variance_pp": numbers(rows, "latest_variance_pp").where(has),
    }


def last_year_values(rows: pd.DataFrame) -> Columns:
    """The same period a year earlier: its figure, status and period."""
    value = numbers(rows, "last_year_value")
    shown = figure_values(rows)["figure_period"]
    period = shown.map(lambda p: parse_period(p).same_period_last_year().label if p else "")
    return {
        "last_year_value": value,
        "last_year_status": status_words(rows, "last_year_status").where(value.notna(), ""),
        "last_year_period": period.where(value.notna(), "").astype(object),
    }


def compared_values(rows: pd.DataFrame) -> Columns:
    """The figure the direction of travel compares with, its status and period; with
    ``compared_on`` ``period`` the periods' own figures were compared (``dot_value`` is this
    period's own)."""
    if "compared_value" in rows.columns:
        value, status = numbers(rows, "compared_value"), status_words(rows, "compared_status")
    else:
        on_last_year = texts(rows, "dot_basis") == "last_year"
        value = numbers(rows, "last_year_value").where(
            on_last_year, numbers(rows, "previous_value")
        )
        status = status_words(rows, "last_year_status").where(
            on_last_year, status_words(rows, "previous_status")
        )
    period = texts(rows, "compared_with")
    has = value.notna() & (period != "")
    return {
        "compared_value": value.where(has),
        "compared_status": status.where(has, ""),
        "compared_period": period.where(has, ""),
        "compared_on": texts(rows, "compared_on").where(has, ""),
        "dot_value": numbers(rows, "dot_value").where(has),
    }
