"""Types a validated data set's tables into the frames of a ``Dataset``.

Each ``typed_*`` function takes a ``RawTable`` that passed every check and returns a new frame:
numbers as floats, periods as their labels (with start, end and kind where reports need them),
choices in one case, blank rule cells filled from the defaults (``dataset.toml``'s, then
perfnb's own). The functions of the optional files take None for a file the data set lacks and
give an empty frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.contract import (
    ACTION_STATUS_WORDS,
    ACTION_STATUSES,
    ACTION_UPDATES,
    ACTIONS,
    RULE_COLUMNS,
    TRUE_FLAGS,
    slugify,
)
from perfnb.periods import Period
from perfnb.raw_table import RawTable, to_number
from perfnb.timescales import parse_timescale

__all__ = [
    "ACTION_DATES",
    "DEFAULT_DECIMALS",
    "YEAR_TO_DATE_AGGREGATIONS",
    "typed_action_updates",
    "typed_actions",
    "typed_annotations",
    "typed_benchmarks",
    "typed_measures",
    "typed_overrides",
    "typed_targets",
    "typed_values",
]

DEFAULT_DECIMALS = {
    "percent": 1,
    "rate": 1,
    "score": 1,
    "ratio": 2,
    "count": 0,
    "currency": 0,
    "days": 0,
}

# a measure's figure is a running total through the year: compared with the same period last
# year by default, never with a period at another point of the year
YEAR_TO_DATE_AGGREGATIONS = ("sum", "ytd")


def typed_measures(table: RawTable, defaults: dict[str, object] | None = None) -> pd.DataFrame:
    """measures.csv typed: a blank rule cell takes ``dataset.toml``'s ``[defaults]``, then
    perfnb's own (``dot_basis``: ``last_year`` for sum and ytd measures, else ``previous``);
    ``from_period`` and ``until_period`` are the labels of ``from`` and ``until`` ('' if none)."""
    out = table.frame.copy()
    defaults = defaults or {}
    for name in ("priority", *RULE_COLUMNS, "from", "until"):
        if name not in out:
            out[name] = ""
    for name in RULE_COLUMNS:
        if name in defaults and name != "min_base":
            out[name] = out[name].where(out[name].str.strip() != "", str(defaults[name]).strip())
    for name in ("unit", "polarity", "aggregation", "frequency", "dot_basis", "rag_on", "rag_rule"):
        out[name] = out[name].str.strip().str.lower()
    out["rag_on"] = out["rag_on"].replace("", "value")
    out["rag_rule"] = out["rag_rule"].replace("", "tolerance")
    running = out["aggregation"].isin(YEAR_TO_DATE_AGGREGATIONS)
    out["dot_basis"] = out["dot_basis"].where(
        out["dot_basis"] != "", np.where(running, "last_year", "previous")
    )
    is_rate = out["unit"] == "rate"
    out["rate_per"] = table.number("rate_per").where(is_rate).fillna(100000.0).where(is_rate)
    decimals = table.number("decimals").fillna(out["unit"].map(DEFAULT_DECIMALS))
    out["decimals"] = decimals.astype(int)
    min_base = table.number("min_base")
    if "min_base" in defaults:  # checked as the column is: "1,000" is a thousand
        min_base = min_base.fillna(to_number(pd.Series([str(defaults["min_base"])])).iloc[0])
    out["min_base"] = min_base
    for name in ("from", "until"):
        labels = table.periods(name)["period"] if name in table.frame else None
        out[f"{name}_period"] = "" if labels is None else labels.fillna("").astype(str)
    out["service_slug"] = out["service"].map(slugify)
    return out


def typed_values(table: RawTable) -> pd.DataFrame:
    """values.csv typed: the period's columns (``period_columns``), the figures as numbers,
    ``status`` in lower case (blank for final) and ``pending`` where the value is blank. Its
    text (``measure_id``, ``period``, ``period_kind``, ``note``, ``status``) is categorical: a
    national data set's 8 million rows hold 20,000 measures, 400 periods and a few notes, a
    tenth of the memory of a string per row (the same text, compared and filtered as text).

    The table's cells of the columns it types are let go first (``keep_codes_only``): typing
    reads their distinct texts, and the loader reads a file once."""
    order = list(table.frame.columns)
    table.keep_codes_only([name for name in _VALUE_COLUMNS if name in order])
    typed: dict[str, object] = {}
    periods = table.periods("period")
    for name in periods.columns:
        if name in ("period", "period_kind"):
            typed[name] = _category(periods.codes, periods.table[name])
        elif name in _SMALL_INTEGERS:  # a year and months of it: 2 bytes and 1, not 8
            typed[name] = periods[name].astype(_SMALL_INTEGERS[name])
        else:
            typed[name] = periods[name]
    for name in ("value", "numerator", "denominator", "base", "forecast"):
        typed[name] = table.number(name)
    for name in ("measure_id", "note", "status"):
        if name not in order:
            typed[name] = pd.Categorical([""] * len(table.frame))
            continue
        codes, texts = table.distinct(name)
        if name == "status":
            texts = texts.str.lower().replace("final", "")
        typed[name] = _category(codes, texts)
    typed["pending"] = typed["value"].isna()  # type: ignore[attr-defined]
    # the file's columns in its order (any other it has as read), then those typing adds; a
    # column at a time, as a frame built at once would copy the numbers into one block
    out = pd.DataFrame(index=table.frame.index)
    for name in [*order, *(name for name in typed if name not in order)]:
        out[name] = typed.pop(name) if name in typed else table.frame[name]
    return out


# the columns of values.csv typing reads (every other is kept as read)
_VALUE_COLUMNS = (
    "measure_id", "period", "value", "numerator", "denominator", "base", "forecast", "note",
    "status",
)  # fmt: skip

_SMALL_INTEGERS = {"fy": np.int16, "fy_month_first": np.int8, "fy_month_last": np.int8}


def _category(codes: np.ndarray, texts: pd.Series) -> pd.Categorical:
    """Each row's text (``texts`` by code) as a categorical with sorted categories, as
    ``astype("category")`` gives it, made from the codes: no string per row."""
    words = texts.fillna("").astype(str).to_numpy(dtype=object)
    places, unique = pd.factorize(words)
    order = np.argsort(np.asarray(unique, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    categories = pd.Index(np.asarray(unique, dtype=object)[order], dtype="str")
    return pd.Categorical.from_codes(rank[places][codes], categories=categories)


def typed_targets(table: RawTable) -> pd.DataFrame:
    """targets.csv typed: ``fy`` is the row's financial year (its period's, when it has one);
    ``period`` is the label of a quarter or month target ('' for a year's target), with its
    ``period_kind``, ``fy_month_first`` and ``fy_month_last`` (the months of the year it starts
    and ends in, 1 = April; 1 and 12 for a year's target).

    Each is worked out once per distinct period and year, and the table's cells of the columns
    it types are let go first (``keep_codes_only``), as for values."""
    order = list(table.frame.columns)
    table.keep_codes_only([name for name in _TARGET_COLUMNS if name in order])
    rows = len(table.frame)
    years = table.periods("year") if "year" in order else None
    periods = table.periods("period") if "period" in order else None
    # per distinct period: whether it is one (else the row is the year's target), its kind,
    # and its months of the year (a year's: 1 to 12)
    if periods is not None:
        named = periods.table["period"].notna().to_numpy()
        has_period = named[periods.codes]
        period_fy = periods.table["fy"].to_numpy()[periods.codes]
    else:
        has_period = np.zeros(rows, dtype=bool)
        period_fy = np.full(rows, -1)
    year_fy = years.table["fy"].to_numpy()[years.codes] if years is not None else np.full(rows, -1)
    fy = np.where(has_period, period_fy, year_fy).astype("int64")
    distinct_fy, fy_code = np.unique(fy, return_inverse=True)
    year_labels = [Period("year", int(f)).label if f > 0 else "" for f in distinct_fy]
    typed: dict[str, object] = {
        "year": pd.array(np.asarray(year_labels, dtype=object)[fy_code], dtype="str"),
        "fy": fy,
    }
    if periods is not None:
        typed["period"] = periods["period"].fillna("").astype(str)
        kinds = np.where(named, periods.table["period_kind"].to_numpy(dtype=object), "year")
        typed["period_kind"] = pd.array(kinds[periods.codes], dtype="str")
    else:
        typed["period"] = ""
        typed["period_kind"] = "year"
    for name, year_value in (("fy_month_first", 1), ("fy_month_last", 12)):
        if periods is None:
            typed[name] = year_value
            continue
        months = np.where(named, periods.table[name].to_numpy(), year_value).astype("int64")
        typed[name] = months[periods.codes]
    for name in ("target", "band_low", "band_high"):
        typed[name] = table.number(name)
    # the file's columns in its order (any other it has as read), then those typing adds
    out = pd.DataFrame(index=table.frame.index)
    for name in [*order, *(name for name in _TARGET_ADDED if name not in order)]:
        if name in typed:
            out[name] = typed[name]
        elif name in table.frame:
            out[name] = table.frame[name]
        else:  # a column the file does not have: blank
            out[name] = ""
    return out


# the columns of targets.csv typing reads, and those it adds in the order it adds them
_TARGET_COLUMNS = ("year", "period", "target", "band_low", "band_high")
_TARGET_ADDED = (
    "year", "period", "profile", "note", "fy", "period_kind", "fy_month_first", "fy_month_last",
    "target", "band_low", "band_high",
)  # fmt: skip


def typed_overrides(table: RawTable | None) -> pd.DataFrame:
    """overrides.csv typed: ``period`` as its label, ``rag`` as the rating it names."""
    from perfnb.polarity import normalise_rag

    if table is None:
        return pd.DataFrame(columns=["measure_id", "period", "rag", "reason", "by"], dtype=object)
    out = table.frame.copy()
    out["period"] = table.periods("period")["period"]
    out["rag"] = normalise_rag(out["rag"])
    if "by" not in out:
        out["by"] = ""
    return out


def typed_annotations(table: RawTable | None) -> pd.DataFrame:
    """annotations.csv typed: ``period`` as its label."""
    if table is None:
        return pd.DataFrame(columns=["measure_id", "period", "text"], dtype=object)
    out = table.frame.copy()
    out["period"] = table.periods("period")["period"]
    return out


ACTION_DATES = ("start_date", "deadline_date")


def typed_actions(table: RawTable | None) -> pd.DataFrame:
    """actions.csv with every column as text, plus ``start_date`` (the first day ``start``
    names: "October 2003" is 1 October), ``deadline_date`` (the last day ``deadline`` names), NaT
    where they name none, and ``deadline_kind`` (date, achieved, ongoing, text or blank:
    :func:`perfnb.timescales.parse_timescale`)."""
    names = [c.name for c in ACTIONS.columns]
    frame = table.frame.copy() if table is not None else pd.DataFrame(columns=names, dtype=object)
    for name in names:
        if name not in frame:
            frame[name] = ""
    frame = frame.astype({name: object for name in names})
    starts = [parse_timescale(text) for text in frame["start"]]
    deadlines = [parse_timescale(text) for text in frame["deadline"]]
    frame["start"] = [t.text for t in starts]
    frame["deadline"] = [t.text for t in deadlines]
    frame["start_date"] = pd.to_datetime([t.first for t in starts]).astype("datetime64[ns]")
    frame["deadline_date"] = pd.to_datetime([t.deadline for t in deadlines]).astype(
        "datetime64[ns]"
    )
    frame["deadline_kind"] = pd.Series([t.kind for t in deadlines], index=frame.index, dtype=object)
    extra = [
        c for c in frame.columns if c not in names and c not in (*ACTION_DATES, "deadline_kind")
    ]
    return frame[[*names, *ACTION_DATES, "deadline_kind", *extra]].reset_index(drop=True)


def typed_action_updates(table: RawTable | None) -> pd.DataFrame:
    """action_updates.csv: ``period`` as its label, ``status`` in its canonical case (``On
    Target`` is ``On target``; ``Achieved`` and ``Done`` are ``Completed``), ``pct_complete`` as
    a number (per cent)."""
    names = [c.name for c in ACTION_UPDATES.columns]
    if table is None:
        empty = pd.DataFrame(columns=names, dtype=object)
        return empty.astype({"pct_complete": float})
    frame = table.frame.copy()
    for name in names:
        if name not in frame:
            frame[name] = ""
    frame["period"] = table.periods("period")["period"]
    canonical = {status.lower(): status for status in ACTION_STATUSES}
    canonical |= {word.lower(): status for word, status in ACTION_STATUS_WORDS.items()}
    frame["status"] = frame["status"].astype(str).str.strip().str.lower().map(canonical)
    frame["pct_complete"] = table.number("pct_complete")
    extra = [c for c in frame.columns if c not in names]
    return frame[[*names, *extra]].reset_index(drop=True)


def typed_benchmarks(table: RawTable | None) -> pd.DataFrame:
    """benchmarks.csv typed: ``year`` as its label and ``fy``, ``value`` and ``quartile`` as
    numbers, ``is_average`` as a bool."""
    columns = ["measure_id", "year", "fy", "area", "value", "is_average", "quartile"]
    if table is None:
        return pd.DataFrame(
            {
                "measure_id": pd.Series(dtype=object),
                "year": pd.Series(dtype=object),
                "fy": pd.Series(dtype="int64"),
                "area": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
                "is_average": pd.Series(dtype=bool),
                "quartile": pd.Series(dtype=float),
            }
        )[columns]
    out = table.frame.copy()
    periods = table.periods("year")
    out["year"] = periods["period"]
    out["fy"] = periods["fy"].astype("int64")
    out["value"] = table.number("value")
    out["quartile"] = table.number("quartile")
    flag = out["is_average"] if "is_average" in out else pd.Series("", index=out.index)
    out["is_average"] = flag.astype(str).str.strip().str.lower().isin(TRUE_FLAGS)
    return out
