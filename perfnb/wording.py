"""Numbers to words, one wording per label: how the report prints a figure, a target, a
variance, a forecast, a benchmark, a previous rating, a direction of travel, an aim or an SPC
icon (a latest position: ``perfnb.wording_latest``).

One rounding per figure: a figure to its measure's ``decimals``, a variance in percentage
points to the same, a variance in per cent of target to one place (``VARIANCE_PLACES``), all
rounded half away from zero (``fixed_text``) as the engine's reasons are (``perfnb.rag``).

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
    "NOT_RATED_WORDS",
    "VARIANCE_PLACES",
    "actual_text",
    "assurance_text",
    "benchmark_text",
    "compared_text",
    "count_behind",
    "fixed_text",
    "forecast_text",
    "format_count",
    "format_target",
    "format_value",
    "last_year_text",
    "median_text",
    "own_figure_label",
    "period_note",
    "previously_text",
    "quartile_text",
    "rank_text",
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


def fixed_text(value: float, places: int, signed: bool = False) -> str:
    """``value`` to ``places`` decimals with thousands separators, rounded half away from zero
    as reports round and as the engine's reasons do (``perfnb.rag``): 0.125 to two places is
    0.13 and -15.65 to one is -15.7, wherever the figure is printed; ``signed`` gives ``+``."""
    places = int(places)
    factor = 10**places
    scaled = math.floor(abs(value) * factor + 0.5 + 1e-9)  # the nudge of perfnb.rag's
    if not math.isfinite(value) or scaled >= 2**53:  # astronomically large: as Python spells it
        return format(value, f"{'+' if signed else ''},.{places}f")
    units, fraction = divmod(scaled, factor)
    text = f"{units:,}" + (f".{fraction:0{places}d}" if places else "")
    sign = "-" if value < 0 and scaled > 0 else ("+" if signed else "")
    return sign + text


def format_value(
    value: float | None, unit: str, decimals: int = 0, rate_per: float | None = None
) -> str:
    """A figure as a report prints it: ``12.4%``, ``38,000``, ``1.41m``, ``140.4 per 100,000``,
    ``£1,200``; counts and money of a million or more in millions (``£9.32m``); to the
    measure's ``decimals``, rounded half away from zero (``fixed_text``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if unit in ("count", "currency") and abs(value) >= 1_000_000:
        # millions as seed 004 prints them: 1.0m, 1.41m (two places at most, one at least)
        number = fixed_text(value / 1_000_000, 2)
        number = (number[:-1] if number.endswith("0") else number) + "m"
    else:
        number = fixed_text(value, int(decimals))
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


# the one rounding of a variance in per cent of target: every table, a measure's facts, the
# latest position and the rating's reason (perfnb.rag) give it to one place
VARIANCE_PLACES = 1


def variance_text(row: pd.Series, places: int = VARIANCE_PLACES) -> str:
    """The variance as every table and a measure's facts print it: percentage points for a
    percentage, to the measure's decimals as its figure is (``-2.6 pts``); per cent of target
    otherwise, to ``places`` (one, for every report table: ``-4.7%``); rounded half away from
    zero, as the rating's reason is; on target (or inside a band) is 0, not +0 or -0."""
    if row["unit"] == "percent" and pd.notna(row["variance_pp"]):
        number, suffix = fixed_text(row["variance_pp"], int(row["decimals"]), True), " pts"
    elif pd.notna(row["variance_pct"]):
        number, suffix = fixed_text(row["variance_pct"], places, True), "%"
    else:
        return ""
    return (number.lstrip("+-") if float(number.replace(",", "")) == 0 else number) + suffix


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
    """The year-end forecast with how it was made, whatever the method: ``172,400 (run rate)``,
    ``77.4% (latest figure)`` for a measure whose forecast is its latest figure, ``(outturn)``
    at the year's end; so every forecast of scorecard.csv is printed, and says what it is. ''
    when there is none (a pending figure)."""
    method = row.get("forecast_method")
    figure = _figure(row, "forecast")
    if not figure:
        return ""
    return f"{figure} ({method})" if isinstance(method, str) and method else figure


def _benchmarked(row: pd.Series) -> bool:
    """True when a row has this council's benchmark figure (its benchmark year is known)."""
    return bool(_text(row, "benchmark_year")) and pd.notna(row.get("benchmark_value"))


def benchmark_text(row: pd.Series) -> str:
    """This council's published figure that was ranked, its year and the averages beside it
    (``633.5 per 100,000 (2016/17); England 610.7``); '' without one."""
    if not _benchmarked(row):
        return ""
    text = f"{_figure(row, 'benchmark_value')} ({_text(row, 'benchmark_year')})"
    averages = _text(row, "benchmark_averages")
    return f"{text}; {averages}" if averages else text


def rank_text(row: pd.Series) -> str:
    """The rank among the areas compared, this council's included (``12 of 16``; 1 is the
    best); '' when not ranked or when there is no other area to be ranked against."""
    rank, n = row.get("rank"), row.get("n_compared")
    if rank is None or n is None or pd.isna(rank) or pd.isna(n) or n < 2:
        return ""
    return f"{int(rank)} of {int(n)}"


def quartile_text(row: pd.Series) -> str:
    """The benchmark quartile (``Q1`` best): the publisher's for this council, else worked out
    from its rank; where there is none, benchmarks.csv's note of this council's row for the
    year (``TBC``, the quartile awaited); '' otherwise."""
    quartile = row.get("quartile")
    if quartile is not None and pd.notna(quartile):
        return f"Q{int(quartile)}"
    return _text(row, "benchmark_note") if _benchmarked(row) else ""


def median_text(row: pd.Series) -> str:
    """The median of the other areas' figures of the benchmark year (``410.1 per 100,000``)."""
    return _figure(row, "comparator_median") if "comparator_median" in row.index else ""


# why a measure was not rated in the period before, in a committee's words (previous_why)
NOT_RATED_WORDS = {
    "no target": "Not rated (no target)",
    "no aim": "Not rated (no aim)",
    "overridden": "Not rated (overridden)",
    "no figure": "Pending (no figure yet)",
    "not reported": "Not reported",
}
# a rating label of perfnb.polarity.RAG_LABELS with no reason given
_LABEL_WORDS = {"N/A": "Not rated", "Pending": "Pending (no figure yet)"}


def previously_text(row: pd.Series) -> str:
    """A measure's rating in the period before, its period and which way it has moved since
    (``Green in 2016/17 Q4, now worse``); a measure not rated then says why, from
    ``previous_why`` when the row has it (``Not rated (no target) in 2016/17 Q4``, ``Pending
    (Due May-17) in 2016/17 Q4``), else from the label alone (``Not rated in ...``). '' when
    the row has no period before (``previous_ratings``' blank)."""
    rag, period = _text(row, "previous_rag"), _text(row, "previous_period")
    why = _text(row, "previous_why")
    if not period:
        return ""
    if rag in RATINGS:
        words = rag
    elif why == "no figure" and _text(row, "previous_note"):
        words = f"Pending ({_text(row, 'previous_note')})"
    elif why in NOT_RATED_WORDS:
        words = NOT_RATED_WORDS[why]
    else:
        words = _LABEL_WORDS.get(rag, rag or "Not reported")
    text = f"{words} in {parse_period(period).short_label}"
    change = _text(row, "change")
    return f"{text}, now {change}" if change else text


def with_note(text: str, note: str) -> str:
    """``text`` with ``note`` beside it in brackets, when there are both."""
    return f"{text} ({note})" if text and note else text


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
