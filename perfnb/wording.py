"""Numbers to words, one wording per label: how the report prints a figure, a target, a
variance, a latest position, a direction of travel, an aim or an SPC icon.

Each function takes a value or one row of the engine's frame and returns text, the same text
in every table, chart and page that prints it: no HTML and no arithmetic beyond rounding. A
figure that is not final carries its marker (``77.4% [p]``, ``perfnb.palette.with_marker``).
The report's tables (``perfnb.tables``) print these words in cells; this module knows nothing
of them. Names starting with ``_`` are helpers and single columns' wordings that
``perfnb.tables`` uses; they are not part of the public API.
"""

from __future__ import annotations

import math

import pandas as pd

from perfnb.palette import with_marker
from perfnb.periods import Period, figure_label, parse_period
from perfnb.polarity import AIMS, RATINGS

__all__ = [
    "AIM_LABELS",
    "DIRECTION_LABELS",
    "actual_text",
    "assurance_text",
    "compared_text",
    "count_behind",
    "forecast_text",
    "format_count",
    "format_target",
    "format_value",
    "last_year_text",
    "latest_actual_text",
    "latest_heading",
    "latest_period_of",
    "latest_row",
    "latest_target_text",
    "latest_text",
    "own_figure_label",
    "period_note",
    "previously_text",
    "quartile_text",
    "target_text",
    "target_to_date",
    "this_period_text",
    "variance_text",
    "variation_text",
    "with_note",
]

# -- labels ----------------------------------------------------------------------------------

AIM_LABELS = AIMS  # a polarity's one wording (perfnb.polarity)


# Words with an arrow, so direction never rests on colour or a symbol alone.
DIRECTION_LABELS = {
    "improving": "\u25b2 Improving",
    "declining": "\u25bc Declining",
    "stable": "\u25ba Stable",
    "up": "\u25b2 Up",
    "down": "\u25bc Down",
    "same": "\u25ba Same",
    "": "",
}


# -- figures and targets ---------------------------------------------------------------------


def format_value(
    value: float | None, unit: str, decimals: int = 0, rate_per: float | None = None
) -> str:
    """A figure as a report prints it: ``12.4%``, ``38,000``, ``1.41m``, ``140.4 per 100,000``,
    ``£1,200``; counts and money of a million or more in millions (``£9.32m``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit in ("count", "currency") and abs(value) >= 1_000_000:
        # millions as seed 004 prints them: 1.0m, 1.41m (two places at most, one at least)
        number = f"{value / 1_000_000:,.2f}"
        number = (number[:-1] if number.endswith("0") else number) + "m"
    else:
        number = f"{value:,.{int(decimals)}f}"
    if unit == "percent":
        return f"{number}%"
    if unit == "currency":
        return f"-£{number[1:]}" if number.startswith("-") else f"£{number}"
    if unit == "rate" and rate_per:
        return f"{number} per {rate_per:,.0f}"
    if unit == "days":
        return f"{number} days"
    return number


def format_count(value: float) -> str:
    """A numerator or denominator: whole numbers with commas (112), else one place (2.5)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# an entered target keeps up to this many decimal places, more than its measure's if need be
_ENTERED_PLACES = 3


def _target_decimals(value: float, decimals: int, entered: bool = False) -> int:
    """Targets are usually round: 80 prints as 80%, not 80.0%; 630.6 keeps its decimals. A
    target as targets.csv gives it (``entered``, not profiled) keeps the places it was given,
    up to three: a collection rate's 30.97% is not printed as 31.0%."""
    value = float(value)
    if value.is_integer():
        return 0
    decimals = int(decimals)
    if entered:  # the fewest places, from the measure's own, that give the target exactly
        for places in range(decimals, _ENTERED_PLACES + 1):
            if abs(round(value, places) - value) < 1e-9:
                return places
    return decimals


def _text(row: pd.Series, column: str) -> str:
    """A text column of a card row, stripped; '' when it is missing or blank."""
    text = row.get(column)
    return (
        "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text).strip()
    )


def _target_note(row: pd.Series) -> str:
    """targets.csv's note of the year's target (``Maintain 16/17``, ``TBC``): the card's
    ``annual_target_note``, or ``target_note`` for a card without it; '' when there is none."""
    if "annual_target_note" in row.index:
        return _text(row, "annual_target_note")
    return _text(row, "target_note")


def period_note(row: pd.Series) -> str:
    """The note of a period's own target (``target_basis`` is ``period``) when it is not the
    year's: ``Phased for the new system`` beside Q2's 54%; '' otherwise."""
    if "annual_target_note" not in row.index or _text(row, "target_basis") != "period":
        return ""
    note = _text(row, "target_note")
    return "" if note == _target_note(row) else note


def _target_figure(
    row: pd.Series,
    target: float | None,
    low: float | None,
    high: float | None,
    entered: bool = True,
) -> str:
    """A target as printed: the band ``low`` to ``high`` when both are given (``59 to 63%``),
    else ``target`` (``19,000``); '' when there is neither. ``entered`` targets keep the places
    targets.csv gives them; profiled ones are printed to the measure's decimals."""
    unit, decimals, rate_per = row["unit"], row["decimals"], row.get("rate_per")
    if low is not None and high is not None and pd.notna(low) and pd.notna(high):
        places = max(
            _target_decimals(low, decimals, entered), _target_decimals(high, decimals, entered)
        )
        return (
            f"{format_value(low, 'count', places)} to {format_value(high, unit, places, rate_per)}"
        )
    if target is None or pd.isna(target):
        return ""
    return format_value(target, unit, _target_decimals(target, decimals, entered), rate_per)


def _entered(row: pd.Series) -> bool:
    """True when a row's ``target`` is targets.csv's own (a period's or the year's), not
    profiled from the year's; a card without ``target_basis`` says so by ``target`` being the
    annual one."""
    basis = _text(row, "target_basis")
    if basis:
        return basis != "profile"
    return bool(pd.notna(row.get("target")) and row.get("target") == row.get("annual_target"))


def format_target(row: pd.Series) -> str:
    """The year-end target of a scorecard row: a figure or a band with the year's note from
    targets.csv beside it (``164,500 (Maintain 16/17)``), the note alone (TBC), or None set."""
    text = _target_figure(
        row, row.get("annual_target"), row.get("annual_band_low"), row.get("annual_band_high")
    )
    note = _target_note(row)
    if not text:
        return note or "None set"
    return f"{text} ({note})" if note else text


# -- a row's cells ---------------------------------------------------------------------------


def count_behind(row: pd.Series) -> str:
    """The people behind a percentage or rate, `` (112 of 302)``, when the row has its
    numerator and denominator (not for a forecast); blank otherwise."""
    if (
        row["unit"] in ("percent", "rate")
        and pd.notna(row.get("numerator"))
        and pd.notna(row.get("denominator"))
        and row.get("value_basis") != "full year forecast"
    ):
        return f" ({format_count(row['numerator'])} of {format_count(row['denominator'])})"
    return ""


def _status(row: pd.Series, column: str) -> object:
    """A figure's status from the card's ``column`` (``status``, ``previous_status``...); a
    card without the column has final figures."""
    return row.get(column, "")


def this_period_text(row: pd.Series) -> str:
    """The period's figure as printed: the note when pending, the marker of a figure that is
    not final (``[p]``), the count behind a percentage, the basis (full year forecast) and the
    period shown when it is not the report's own."""
    if row["pending"]:
        return row["note"] or "Pending"
    text = format_value(row["value"], row["unit"], row["decimals"], row.get("rate_per"))
    text = with_marker(text, _status(row, "status"))
    text += count_behind(row)
    if row.get("value_basis") == "full year forecast":
        text += " (full year forecast)"
    said = [row["note"]] if row["note"] else []
    if row["value_period"] and row["value_period"] != row["period"]:
        said.insert(0, parse_period(row["value_period"]).short_label)
    return f"{text} ({', '.join(said)})" if said else text


def variance_text(row: pd.Series, places: int = 1) -> str:
    """Percentage points for a percentage, per cent of target (to ``places``) otherwise."""
    if row["unit"] == "percent" and pd.notna(row["variance_pp"]):
        text = f"{row['variance_pp']:+.{int(row['decimals'])}f} pts"
    elif pd.notna(row["variance_pct"]):
        text = f"{row['variance_pct']:+.{places}f}%"
    else:
        return ""
    # on target (or inside a band) is 0, not +0 or -0
    return text.lstrip("+-") if float(text.split()[0].rstrip("%")) == 0 else text


def actual_text(row: pd.Series) -> str:
    """The figure alone, or why there is none (``Due May-18``); a forecast says so, and so
    does a figure of another period (an annual survey's year)."""
    if pd.notna(row["pending"]) and bool(row["pending"]):
        return row["note"] or "Pending"
    text = with_marker(_figure(row, "value"), _status(row, "status"))
    if text and row.get("value_basis") == "full year forecast":
        text += " (full year forecast)"
    if text and row["value_period"] and row["value_period"] != row["period"]:
        text += f" ({parse_period(row['value_period']).short_label})"
    return text


def target_to_date(row: pd.Series) -> str:
    """The target the period's figure was judged against (the card's ``target``, or its band),
    whenever the year-end target does not say it already: a count's target profiled to the
    period (19,000 of 38,000 at Q2), a period's own target (a collection rate's 56.52% at Q2,
    a band of 60 to 65% beside the year's 59 to 63%), any target when there is no year-end
    one. A period's own target carries its note when the note is not the year's (``54%
    (Phased for the new system)``); such a note with no target stands for it. Blank when the
    figure was judged against the year-end target itself."""
    note = period_note(row)
    pairs = (
        ("target", "annual_target"),
        ("band_low", "annual_band_low"),
        ("band_high", "annual_band_high"),
    )
    if not note and all(_same(row.get(a), row.get(b)) for a, b in pairs):
        return ""
    text = target_text(row)
    return with_note(text, note) if text else note


def _same(a: float | None, b: float | None) -> bool:
    """True when two targets are equal, or both missing."""
    missing_a = a is None or pd.isna(a)
    missing_b = b is None or pd.isna(b)
    if a is None or b is None or missing_a or missing_b:
        return missing_a and missing_b
    return abs(float(a) - float(b)) < 1e-9


def target_text(row: pd.Series) -> str:
    """The target a row's figure was judged against as printed: its band (``60 to 65%``) or
    its target, to the places targets.csv gives (``56.52%``) or, profiled, to the measure's
    (``22,167``); '' when it has none."""
    return _target_figure(
        row, row.get("target"), row.get("band_low"), row.get("band_high"), _entered(row)
    )


def _figure(row: pd.Series, column: str) -> str:
    return format_value(row[column], row["unit"], row["decimals"], row.get("rate_per"))


def own_figure_label(period: Period | str) -> str:
    """What a period's own figure covers when it is set beside others' year to date:
    ``2022/23 Q1 alone``, ``Sep 2022 alone``; a year is its own (``2021/22``)."""
    return figure_label(period, "period")


def compared_text(row: pd.Series) -> str:
    """The figure the direction of travel compares with, its marker, and what it covers: ``744
    (2016/17 average)`` for a mean measure's previous year, not the bare ``2016/17 Q4``. When
    the periods' own figures were compared (``compared_on`` is ``period``), both are given, as
    the figure printed is the year to date: ``31.0% (2022/23 Q1 alone; 26.0% in 2022/23 Q2
    alone)``; in the first period of the year, whose year to date is its own figure, only the
    earlier one is (``87.6% (2016/17 Q4 alone)``)."""
    own = False
    if "compared_value" in row.index:  # the engine's own choice (like with like)
        column, status = "compared_value", _status(row, "compared_status")
        own = row.get("compared_on") == "period"
        basis = "period" if own else row["value_basis"]
    else:
        on_last_year = row["dot_basis"] == "last_year"
        column = "last_year_value" if on_last_year else "previous_value"
        status = _status(row, "last_year_status" if on_last_year else "previous_status")
        basis = row["value_basis"]
    figure = with_marker(_figure(row, column), status)
    if not figure or not row["compared_with"]:
        return ""
    if not own:
        return f"{figure} ({figure_label(row['compared_with'], basis)})"
    now = with_marker(_figure(row, "dot_value"), _status(row, "period_status"))
    earlier = own_figure_label(row["compared_with"])
    shown = row["value_period"] or row["period"]
    if not now or parse_period(shown).first_fy_month == 1:  # Q1's year to date is its own
        return f"{figure} ({earlier})"
    return f"{figure} ({earlier}; {now} in {own_figure_label(shown)})"


def last_year_text(row: pd.Series) -> str:
    """The same period a year earlier, named as seed 004 does: ``262,100 (2016/17 Q1)``, or
    ``6.8 (2016/17 Q1 forecast)`` for a measure reported by its forecast."""
    figure = with_marker(_figure(row, "last_year_value"), _status(row, "last_year_status"))
    if not figure:
        return ""
    shown = parse_period(row["value_period"] or row["period"]).same_period_last_year()
    return f"{figure} ({figure_label(shown, row['value_basis'])})"


def forecast_text(row: pd.Series) -> str:
    """The year-end forecast with how it was made (``172,400 (run rate)``); '' for a latest
    figure or an outturn, which repeat the figure the row already shows."""
    if row["forecast_method"] not in ("officer forecast", "run rate"):
        return ""
    return f"{_figure(row, 'forecast')} ({row['forecast_method']})"


def quartile_text(row: pd.Series) -> str:
    """The benchmark quartile (Q1 best) with the rank among those compared and the year
    (``Q2 (5 of 16, 2016/17)``); '' without one."""
    if pd.isna(row["quartile"]):
        return ""
    text = f"Q{int(row['quartile'])}"
    if pd.notna(row["rank"]):
        text += f" ({int(row['rank'])} of {int(row['n_compared'])}, {row['benchmark_year']})"
    return text


def previously_text(row: pd.Series) -> str:
    """An exception's rating in the period before, with its period and which way it has moved
    since (``Green (2016/17 Q4), now worse``); '' when it was not rated then."""
    if row["previous_rag"] not in RATINGS:  # "N/A (2016/17 Q4)" on every row says nothing
        return ""
    text = f"{row['previous_rag']} ({parse_period(row['previous_period']).short_label})"
    return f"{text}, now {row['change']}" if row["change"] else text


def with_note(text: str, note: str) -> str:
    """``text`` with ``note`` beside it in brackets, when there are both."""
    return f"{text} ({note})" if text and note else text


# -- the latest position: a measure's latest figure after the report's period ----------------


def latest_period_of(row: pd.Series) -> str:
    """The period of a row's latest position (``2012-10``), '' when it has none (no column, a
    blank period or no figure)."""
    period = row.get("latest_period")
    if period is None or pd.isna(period) or not str(period).strip():
        return ""
    value = row.get("latest_value")
    return "" if value is None or pd.isna(value) else str(period).strip()


def latest_heading(card: pd.DataFrame) -> str:
    """The heading of the latest position's column: ``Latest (Oct 2012)`` when every measure's
    latest figure is for one period, ``Latest`` when they differ (each cell then names its
    period), '' when no row has a latest position (the column is left out)."""
    if card.empty or "latest_period" not in card.columns:
        return ""
    periods = {p for p in (latest_period_of(row) for _, row in card.iterrows()) if p}
    if not periods:
        return ""
    if len(periods) == 1:
        return f"Latest ({parse_period(periods.pop()).short_label})"
    return "Latest"


def latest_row(row: pd.Series) -> pd.Series:
    """The row with its latest position in place of the period's figure, target, variance and
    status, so the period's formatting prints it."""
    latest = {
        "value": row.get("latest_value"),
        "target": row.get("latest_target"),
        "variance": row.get("latest_variance"),
        "variance_pct": row.get("latest_variance_pct"),
        "variance_pp": row.get("latest_variance_pp"),
        "status": row.get("latest_status", ""),
    }
    return pd.concat([row.drop(list(latest), errors="ignore"), pd.Series(latest, dtype=object)])


def _on_forecast(row: pd.Series) -> bool:
    """True for a measure rated on its year-end forecast, whose figures (the latest position's
    too) are forecasts."""
    return row.get("rag_on") == "forecast" or row.get("value_basis") == "full year forecast"


def latest_text(row: pd.Series, named: bool = False, places: int = 1) -> str:
    """A measure's latest position as the scorecard prints it: the figure with its marker and
    its variance (``20,715 (-6.5%)``, points for a percentage), the period first when ``named``
    (``Oct 2012: 20,715 (-6.5%)``); a measure rated on its forecast gives the forecast made
    then, and says so (``1,236 full year forecast (+3.0%)``); '' when it has none."""
    period = latest_period_of(row)
    if not period:
        return ""
    latest = latest_row(row)
    text = with_marker(_figure(latest, "value"), latest["status"])
    if _on_forecast(row):
        text += " full year forecast"
    variance = variance_text(latest, places=places)
    text = f"{text} ({variance})" if variance else text
    return f"{parse_period(period).short_label}: {text}" if named else text


def latest_target_text(row: pd.Series) -> str:
    """The target of a latest position (its ``target`` is the latest one: ``latest_row``)."""
    if not latest_period_of(row) or pd.isna(row.get("target")):
        return ""
    target = row["target"]
    return format_value(
        target, row["unit"], _target_decimals(target, row["decimals"]), row.get("rate_per")
    )


def latest_actual_text(row: pd.Series, named: bool) -> str:
    """A latest position's figure with its marker, what it is when it is a forecast and its
    period when the column's heading does not name it (``20,715 (Oct 2012)``, ``1,236 (full
    year forecast, Oct 2022)``)."""
    period = latest_period_of(row)
    if not period:
        return ""
    text = with_marker(_figure(row, "value"), row["status"])
    said = ["full year forecast"] if _on_forecast(row) else []
    if named:
        said.append(parse_period(period).short_label)
    return f"{text} ({', '.join(said)})" if said else text


# -- SPC's icons in words --------------------------------------------------------------------


def variation_text(row: pd.Series) -> str:
    """SPC's variation icon in words, or why there is none (too few figures)."""
    if "variation" not in row or not row["variation"] or pd.isna(row["variation"]):
        points = row.get("spc_points")
        return f"Too few points ({int(points)})" if points is not None and pd.notna(points) else ""
    return str(row["variation"])


def assurance_text(row: pd.Series) -> str:
    """SPC's assurance icon in words, or (where there is variation) why there is none."""
    if "assurance" in row and row["assurance"] and pd.notna(row["assurance"]):
        return str(row["assurance"])
    if "variation" not in row or not row["variation"] or pd.isna(row["variation"]):
        return ""
    note = str(row.get("spc_note") or "")
    if "neither higher nor lower" in note:
        return "No aim"
    if "for the year" in note:
        return "Yearly target only"
    return "No target"
