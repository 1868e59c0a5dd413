"""Factual first drafts of commentary, written from a period's scorecard rows: each measure's
figure, its change since the figure its direction of travel compares with, where it stands
against its target and how it was rated; and a line summing up the period's ratings.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from perfnb.markup import markdown_text
from perfnb.periods import figure_label, parse_period
from perfnb.polarity import RATINGS, better_sign
from perfnb.wording import (
    count_behind,
    format_target,
    format_value,
    own_figure_label,
    target_text,
)

__all__ = ["draft_commentary", "summary_draft"]


def _figure(row: pd.Series, value: float) -> str:
    rate_per = row.get("rate_per")
    return format_value(value, row["unit"], int(row["decimals"]), rate_per)


def _points(amount: float, decimals: int) -> str:
    """``2.6 points``, ``1 point``; '' when it rounds to nothing."""
    text = f"{abs(amount):.{decimals}f}"
    if float(text) == 0:
        return ""
    return f"{text} point" if text == "1" else f"{text} points"


def _per_cent(amount: float) -> str:
    """``4.8%`` (one decimal, as the scorecard's variance); '' when it rounds to nothing."""
    text = f"{abs(amount):.1f}"
    return "" if float(text) == 0 else f"{text}%"


def _first_period_of_year(label: str) -> bool:
    """True when a period's year to date is the period's own figure (Q1, April, a year)."""
    return parse_period(label).first_fy_month == 1


def _figure_phrase(row: pd.Series) -> str:
    """``17,135 year to date``, ``37.1% (112 of 302)``, ``10.1 per 100,000 (full year
    forecast)``, ``96% for 2016/17 (Academic year 16/17)``."""
    text = _figure(row, row["value"])
    basis = row.get("value_basis", "")
    shown = row["value_period"] or row["period"]
    if basis in ("year to date", "average to date") and not _first_period_of_year(shown):
        text += f" {basis}"
    text += count_behind(row)
    if basis == "full year forecast":
        text += " (full year forecast)"
    if row["value_period"] and row["value_period"] != row["period"]:
        text += f" for {parse_period(row['value_period']).short_label}"
    if row["note"]:
        text += f" ({markdown_text(row['note'])})"
    return text


def _own_figure_not_shown(row: pd.Series) -> bool:
    """True when direction of travel compared the period's own figure (``compared_on`` is
    ``period``) and the figure printed is another, the year to date after the first period."""
    shown = row["value_period"] or row["period"]
    return row.get("compared_on") == "period" and not _first_period_of_year(shown)


def _movement(row: pd.Series) -> str:
    """``4.8% worse than 2016/17 Q4 (744 days)``: the change since the figure the direction of
    travel compares with, in points for percentages and per cent otherwise. When the periods'
    own figures were compared (``compared_on`` is ``period``), the period's own figure comes
    first when it is not the one printed (after the first period of the year): ``26.0% in
    2022/23 Q2 alone, 5.0 points worse than 2022/23 Q1 alone (31.0%)``."""
    own = False
    if "compared_value" in row:  # the two figures direction of travel compared, like with like
        earlier, value = row["compared_value"], row["dot_value"]
        basis = row["compared_on"]
        own = basis == "period"
    else:
        last_year = row["dot_basis"] == "last_year"
        earlier = row["last_year_value"] if last_year else row["previous_value"]
        value, basis = row["value"], row["value_basis"]
    if pd.isna(earlier) or pd.isna(value) or not row["compared_with"]:
        return ""
    value = float(value)
    lead = ""
    if own:
        when = f"{own_figure_label(row['compared_with'])} ({_figure(row, earlier)})"
        if _own_figure_not_shown(row):
            shown = own_figure_label(row["value_period"] or row["period"])
            lead = f"{_figure(row, value)} in {shown}, "
    else:
        when = f"{figure_label(row['compared_with'], basis)} ({_figure(row, earlier)})"
    if row["unit"] == "percent":
        size = _points(value - earlier, int(row["decimals"]))
    elif earlier == 0:
        size = _figure(row, abs(value)) if value != 0 else ""
    else:
        size = _per_cent((value - earlier) / abs(earlier) * 100)
    if not size:
        return f"{lead}the same as {when}"
    higher = value > earlier
    sign = better_sign(str(row["polarity"]))[0]  # +1 higher is better, -1 lower, NaN neither
    if (row["unit"] != "percent" and earlier == 0) or np.isnan(sign):
        # "3 worse than 0" would say nothing of scale; a band or no aim: no better or worse
        word = "higher" if higher else "lower"
    else:
        word = "better" if (value - earlier) * sign > 0 else "worse"
    return f"{lead}{size} {word} than {when}"


def _gap(row: pd.Series) -> str:
    """How far the figure is from its target (or band edge): ``2.6 points``, ``4.7%``."""
    if row["unit"] == "percent" and pd.notna(row["variance_pp"]):
        return _points(row["variance_pp"], int(row["decimals"])) or "just"
    if pd.notna(row["variance_pct"]):
        return _per_cent(row["variance_pct"]) or "just"
    return _figure(row, abs(row["variance"]))


def _running(row: pd.Series) -> bool:
    """True when the figure and its target are a year to date (a ``sum`` or ``ytd`` measure
    rated on its value), so a target that is not the year's is the year-to-date target."""
    return row["aggregation"] in ("sum", "ytd") and row.get("rag_on", "value") != "forecast"


def _target_phrase(row: pd.Series) -> str:
    """``on target (71%)``, ``2.6 points below the target of 80%``, ``4.7% below the
    year-to-date target of 250,000``, ``inside the target band of 59 to 63%``, ``no target set
    (TBC)``."""
    if row["polarity"] == "none":
        return "not rated, as neither higher nor lower is better"
    low, high = row.get("band_low"), row.get("band_high")
    if row["polarity"] == "band" and pd.notna(low) and pd.notna(high):
        to_date = _running(row) and (
            low != row.get("annual_band_low") or high != row.get("annual_band_high")
        )
        label = "the year-to-date target band of" if to_date else "the target band of"
        band = target_text(row)
        if low <= row["value"] <= high:
            return f"inside {label} {band}"
        side = "above" if row["value"] > high else "below"
        return f"{_gap(row)} {side} {label} {band}"
    if row["polarity"] != "band" and pd.notna(row["target"]):
        target = target_text(row)
        if row.get("rag_on") == "forecast":
            label = "the year-end target"
        elif _running(row) and row["target"] != row["annual_target"]:
            label = "the year-to-date target"
        else:
            label = "the target"
        if pd.isna(row["variance"]) or row["variance"] == 0:
            return f"on target ({target})"
        side = "above" if row["variance"] > 0 else "below"
        return f"{_gap(row)} {side} {label} of {target}"
    if row["target_note"]:
        return f"no target set ({markdown_text(row['target_note'])})"
    return "no target set"


def _rag_phrase(row: pd.Series) -> str:
    """``Rated Amber: within 5% of target.``: the engine's reason without the figures that the
    sentence before already gives; '' for measures that are not rated."""
    rag = row["rag"]
    if rag not in RATINGS and not row.get("overridden", False):
        return ""
    reason = str(row.get("rag_reason") or "").strip()
    if not row.get("overridden", False):  # an officer's own words are kept whole
        figures = r" \((?:[+-][^()]*|[^()]*(?:points|%)[^()]*)\)"
        reason = re.sub(figures, "", reason).strip()
    if not reason.startswith(str(rag)):
        reason = f"{rag}: {reason}" if reason else str(rag)
    reason = markdown_text(reason)
    return f"Rated {reason}" + ("" if reason.endswith(".") else ".")


def _pending_draft(row: pd.Series, name: str) -> str:
    """``<name>: figure not yet available (Due May-18). The last figure was 70% (2016/17); the
    target is 71%.``"""
    note = markdown_text(row["note"])
    text = f"{name}: figure not yet available" + (f" ({note})" if note else "") + "."
    facts = []
    shown = row["value_period"] or row["period"]
    if pd.notna(row.get("previous_value")):
        before = figure_label(parse_period(shown).previous(), row["value_basis"])
        facts.append(f"the last figure was {_figure(row, row['previous_value'])} ({before})")
    if row["polarity"] == "none":
        facts.append("it is not rated")
    elif pd.notna(row.get("annual_target")) or pd.notna(row.get("annual_band_low")):
        facts.append(f"the target is {format_target(row)}")
    elif row["target_note"]:
        facts.append(f"no target set ({markdown_text(row['target_note'])})")
    else:
        facts.append("no target set")
    sentence = "; ".join(facts)
    return f"{text} {sentence[0].upper()}{sentence[1:]}."


def draft_commentary(row: pd.Series) -> str:
    """A factual first draft of a measure's commentary, from its scorecard row.

    For example ``Delayed transfers of care ... : 780 days, 4.8% worse than 2016/17 Q4 (744
    days); no target set (TBC).``: the figure as the scorecard prints it, the change since the
    figure its direction of travel compares with (points for percentages), where it stands
    against its target, and how it was rated. When the direction compared the periods' own
    figures and the one printed is the year to date, the year to date stands with its target
    first, then the period's own figure and its change: ``57.0% year to date, 0.5 points
    above the year-to-date target of 56.52%; 26.0% in 2022/23 Q2 alone, 5.0 points worse than
    2022/23 Q1 alone (31.0%).``
    """
    name = markdown_text(row["name"])
    if row["pending"] or pd.isna(row["value"]):
        return _pending_draft(row, name)
    text = f"{name}: {_figure_phrase(row)}"
    moved = _movement(row)
    if moved and _own_figure_not_shown(row):
        text += f", {_target_phrase(row)}; {moved}."
    else:
        text += f", {moved}; {_target_phrase(row)}." if moved else f"; {_target_phrase(row)}."
    rated = _rag_phrase(row)
    return f"{text} {rated}" if rated else text


def summary_draft(card: pd.DataFrame) -> str:
    """``2017/18 Q1: 30 measures: 8 Amber, 14 Green, 3 Pending and 5 N/A.``"""
    counts = card["rag"].value_counts()
    parts = [
        f"{int(counts[rag])} {rag}"
        for rag in ("Red", "Amber", "Green", "Pending", "N/A")
        if counts.get(rag, 0)
    ]
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else "".join(parts)
    period = str(card["period"].iloc[0]) if len(card) else ""
    measures = f"{len(card)} measure" + ("" if len(card) == 1 else "s")
    return f"{period}: {measures}" + (f": {listed}." if listed else ".")
