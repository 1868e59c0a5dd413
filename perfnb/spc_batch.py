"""XmR charts for many series at once: :func:`xmr_many` gives for every series of a long frame
what :func:`perfnb.spc.xmr` gives for it, :func:`summarise_many` what :func:`perfnb.spc.summarise`
gives, to the last bit, worked out for all the series together.

The rules run over flat arrays of every series' points, each point knowing its segment (its
series' rebase group): moving ranges and runs never cross a segment's edge
(``special_causes.flat_rules``); means are summed one by one in long double per segment, as R
sums them (``spc_limits.segment_limits``); an explanation is written once per pattern of rule,
direction, kind and figure (``special_causes.explain_many``). ``xmr``'s warnings for a series
are kept by series in ``attrs["spc_warnings"]``, and one warning counts the series with some.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from perfnb.periods import Period, PeriodError, parse_period
from perfnb.spc_limits import (
    MIN_POINTS,
    SPCWarning,
    gap_text,
    missing_text,
    segment_limits,
    trial_text,
)
from perfnb.spc_summary import SUMMARY_COLUMNS, assurances, variations
from perfnb.special_causes import (
    FIGURES,
    IMPROVEMENTS,
    POINT_TYPES,
    check_improvement,
    check_options,
    explain_many,
    flat_rules,
    number_text,
    rule_text,
)

__all__ = ["summarise_many", "xmr_many"]

Label = Callable[[float], str]
_MISSING_TEXT = "No value for this period: left out of the calculation."
_GOOD = {"increase": 1, "decrease": -1, "neutral": 0}


def _column(frame: pd.DataFrame, name: Hashable, what: str) -> pd.Series:
    """A column of the frame, or an error naming it and the columns there are."""
    if name not in frame.columns:
        have = ", ".join(map(repr, frame.columns))
        raise ValueError(f"the frame has no {what} column {name!r} (its columns: {have})")
    return frame[name]


def _codes(column: pd.Series) -> tuple[np.ndarray, list]:
    """Each row's series number (-1 for none), in order of first appearance, and the series:
    from where the name changes when each series' rows are together (quick), else by hash."""
    if len(column) > 1 and not column.hasnans:
        change = np.r_[True, np.asarray(column.array[1:] != column.array[:-1], dtype=bool)]
        heads = column[change]
        if heads.is_unique:
            return np.cumsum(change) - 1, heads.tolist()
    codes, uniques = pd.factorize(column, sort=False)
    return codes.astype(np.int64), uniques.tolist()


def _numbers(column: pd.Series, codes: np.ndarray, names: list, what: str) -> np.ndarray:
    """A column as floats (NaN where missing), or an error naming the first figure that is not
    a number, its series and its row."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=float, na_value=np.nan)
    given = column.astype(object)
    numbers = np.asarray(pd.to_numeric(given, errors="coerce"), dtype=float)
    wrong = np.flatnonzero(given.notna().to_numpy() & np.isnan(numbers))
    if len(wrong):
        at = int(wrong[0])
        raise ValueError(
            f"{what} {given.iloc[at]!r} of series {names[codes[at]]!r} at row "
            f"{column.index[at]!r} is not a number"
        )
    return numbers


class _Batch:
    """A long frame read once: its series, rows in each series' period order, values."""

    pcodes: np.ndarray  # with periods: each row's number in period_values
    period_values: list
    parsed: list[Period | None]  # each of period_values as a perfnb period, if it is one
    perfnb_periods: np.ndarray  # by series: all its periods are perfnb periods

    def __init__(self, frame: pd.DataFrame, series: Hashable, period: Hashable | None, value):
        codes, self.names = _codes(_column(frame, series, "series"))
        if (codes < 0).any():
            raise ValueError(f"no series at row {frame.index[int(np.argmin(codes))]!r}")
        self.frame, self.codes = frame, codes
        y = _numbers(_column(frame, value, "value"), self.codes, self.names, "value")
        self.periodic = period is not None and period in frame.columns
        key = self._period_keys(frame[period]) if self.periodic else np.zeros(len(y), np.int64)
        ordered = len(codes) < 2 or bool(
            np.all((codes[1:] > codes[:-1]) | ((codes[1:] == codes[:-1]) & (key[1:] >= key[:-1])))
        )
        self.order = None if ordered else np.lexsort((key, self.codes))
        self.sid = self.sorted(self.codes)
        self.y = self.sorted(y)
        self.length = np.bincount(self.sid, minlength=len(self.names))
        self.start = np.cumsum(self.length) - self.length
        self.position = np.arange(len(self.sid)) - self.start[self.sid]
        if self.periodic:
            self.pcodes = self.sorted(self.pcodes)
            self._check_repeats(self.sorted(key))

    def sorted(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one per row of the frame) in the batch's order."""
        return values if self.order is None else values[self.order]

    def rows(self, index: int) -> slice:
        """The batch's rows of series ``index``."""
        return slice(int(self.start[index]), int(self.start[index] + self.length[index]))

    def _period_keys(self, column: pd.Series) -> np.ndarray:
        """Each row's place in time within its series: perfnb periods by when they end (then
        start), a series of anything else (dates, numbers) as it sorts, as ``xmr`` orders."""
        self.pcodes, uniques = pd.factorize(column, sort=False, use_na_sentinel=False)
        self.pcodes = self.pcodes.astype(np.int64)
        self.period_values = list(uniques.tolist())
        parsed: list[Period | None] = []
        for period in self.period_values:
            try:
                parsed.append(parse_period(str(period)))
            except PeriodError:
                parsed.append(None)
        self.parsed = parsed
        ends = sorted({(p.end, p.start) for p in parsed if p is not None})
        rank = {when: i for i, when in enumerate(ends)}
        by_period = np.array(
            [rank[(p.end, p.start)] if p is not None else -1 for p in parsed], dtype=np.int64
        )
        key = by_period[self.pcodes]
        unparsed = np.zeros(len(self.names), dtype=bool)
        unparsed[self.codes[by_period[self.pcodes] < 0]] = True
        self.perfnb_periods = ~unparsed
        if not unparsed.any():
            return key
        others = unparsed[self.codes]
        try:  # one order for all (dates, numbers, text)
            order = np.asarray(pd.Index(uniques).argsort(kind="stable"))
            key[others] = np.argsort(order, kind="stable")[self.pcodes[others]]
            return key
        except TypeError:
            pass
        by_series = np.argsort(self.codes, kind="stable")  # mixed labels: each as xmr sorts it
        cuts = np.searchsorted(self.codes[by_series], np.arange(len(self.names) + 1))
        for index in np.flatnonzero(unparsed).tolist():
            rows = by_series[cuts[index] : cuts[index + 1]]
            try:
                order = pd.Index([self.period_values[c] for c in self.pcodes[rows]]).argsort(
                    kind="stable"
                )
            except TypeError as error:
                message = f"the periods cannot be put in time order: {error}"
                raise ValueError(f"series {self.names[index]!r}: {message}") from None
            key[rows[np.asarray(order)]] = np.arange(len(rows))
        return key

    def _check_repeats(self, key: np.ndarray) -> None:
        """An error naming the first series whose periods repeat, and the periods."""
        later = self.position[1:] > 0
        if np.all(key[1:][later] > key[:-1][later]):
            return  # strictly later each time: no period twice
        twice = pd.Series(self.sid * len(self.period_values) + self.pcodes).duplicated().to_numpy()
        if twice.any():
            index = int(self.sid[np.argmax(twice)])
            mine = twice[self.rows(index)]
            repeated = pd.unique(self.pcodes[self.rows(index)][mine])
            text = ", ".join(str(self.period_values[c]) for c in repeated)
            raise ValueError(f"series {self.names[index]!r}: the periods repeat: {text}")

    def labels(self, rows: np.ndarray) -> list[str]:
        """The periods (or positions in the series) of the batch's ``rows``, as ``xmr`` names
        them in its warnings."""
        if self.periodic:
            return [str(self.period_values[c]) for c in self.pcodes[rows]]
        return [str(p) for p in self.position[rows]]

    def column(self, name: Hashable, as_list: bool = False) -> pd.Series:
        """A column of the frame in the batch's order, with a fresh index (``as_list``: typed
        as a list of its values makes it, object and categorical periods inferred again)."""
        column = self.frame[name]
        if as_list and (column.dtype == object or isinstance(column.dtype, pd.CategoricalDtype)):
            uniques = np.empty(len(self.period_values), dtype=object)
            uniques[:] = self.period_values  # typed from the distinct values, then repeated
            return pd.Series(uniques).take(self.pcodes).reset_index(drop=True)
        taken = column if self.order is None else column.iloc[self.order]
        return taken.reset_index(drop=True)


def _constant(batch: _Batch, name: Hashable, what: str, default: Any) -> list:
    """A column's value for each series (its missing values ignored; ``default`` when it has
    none), or an error naming a series with two."""
    column = batch.frame[name]
    if what == "target":
        column = pd.Series(_numbers(column, batch.codes, batch.names, "target"))
    codes, uniques = pd.factorize(column)
    codes = batch.sorted(codes.astype(np.int64))
    high = np.maximum.reduceat(codes, batch.start)
    low = np.minimum.reduceat(np.where(codes < 0, len(uniques), codes), batch.start)
    differ = np.flatnonzero((low != high) & (high >= 0))
    if len(differ):
        raise ValueError(
            f"series {batch.names[differ[0]]!r} has more than one {what} in column {name!r}"
        )
    found = uniques.tolist()
    return [found[code] if code >= 0 else default for code in high.tolist()]


def _per_series(
    batch: _Batch, given: Any, what: str, default: Any, is_value: Callable[[Any], bool]
) -> tuple[Any, list]:
    """An option as ``xmr_many`` keeps it (one value, or a dict by series), and its value for
    each series: one value for all, a column of the frame (constant within each series) or a
    mapping from series to value (``default`` for series not in it)."""
    if isinstance(given, pd.Series):
        given = given.to_dict()
    if isinstance(given, Mapping):
        values = [given.get(name, default) for name in batch.names]
    elif is_value(given):
        return given, [given] * len(batch.names)
    elif isinstance(given, Hashable) and given in batch.frame.columns:
        values = _constant(batch, given, what, default)
    else:
        raise ValueError(f"{what} {given!r} is not a value, a column of the frame or a mapping")
    return dict(zip(batch.names, values, strict=True)), values


def _position_error(at: object, n: int, where: str) -> ValueError | None:
    """The error for a rebase position that is not one of ``n`` points (``None`` if it is)."""
    if isinstance(at, (int, np.integer)) and 0 <= at < n:
        return None
    text = f"rebase_at {at!r} is not a position in {where} (0 to {n - 1})"
    return ValueError(f"{text}; give the frame a period column to rebase at periods")


def _rebase_starts(batch: _Batch, rebase_at: Any) -> np.ndarray:
    """Where a rebase group starts (True): ``rebase_at`` a list (each series having the period,
    or the position, is rebased there; an error if none has it) or a mapping from series to its
    own list, as ``xmr`` takes it (an error if the series has not one)."""
    starts = np.zeros(len(batch.sid), dtype=bool)
    if len(rebase_at) == 0:
        return starts
    if not isinstance(rebase_at, Mapping):
        wanted = list(rebase_at)
        if batch.periodic:
            found = pd.Index(batch.period_values).get_indexer(wanted)
            for when, at in zip(wanted, found, strict=True):
                if at < 0:
                    raise ValueError(f"rebase period {when!r} is in no series")
            return np.isin(batch.pcodes, found)
        longest = int(batch.length.max(initial=0))
        for at in wanted:
            if error := _position_error(at, longest, "any series"):
                raise error
        return np.isin(batch.position, np.asarray(wanted, dtype=np.int64))
    number = {name: i for i, name in enumerate(batch.names)}
    for name, wanted in rebase_at.items():
        if name not in number:
            raise ValueError(f"rebase_at names series {name!r}, which is not in the frame")
        rows = batch.rows(number[name])
        if not batch.periodic:
            for at in wanted:
                if error := _position_error(at, rows.stop - rows.start, f"series {name!r}"):
                    raise error
                starts[rows.start + int(at)] = True
            continue
        periods = [batch.period_values[c] for c in batch.pcodes[rows]]
        found = pd.Index(periods).get_indexer(list(wanted))
        for when, at in zip(wanted, found, strict=True):
            if at < 0:
                raise ValueError(
                    f"series {name!r}: rebase period {when!r} is not in the series (it runs "
                    f"{periods[0]} to {periods[-1]})"
                )
        starts[rows.start + found] = True
    return starts


def xmr_many(
    frame: pd.DataFrame,
    *,
    series: Hashable = "series",
    period: Hashable | None = "period",
    value: Hashable = "value",
    target: Any = None,
    improvement: Any = "increase",
    rebase_at: Sequence[Hashable] | Mapping[Hashable, Sequence[Hashable]] = (),
    fix_after: int | None = None,
    screen_outliers: bool = True,
    run_length: int = 7,
    trend_length: int = 7,
    two_in_three: str = "ptd",
    conflict: str = "ptd",
    label: Label | Mapping[Hashable, Label] | None = None,
) -> pd.DataFrame:
    """:func:`perfnb.spc.xmr` for every series of a long ``frame`` (a row per series and
    point): the ``series`` column, then what ``xmr`` gives for the series (``period`` first
    when the frame has a ``period`` column, points in frame order when not), series after
    series in the order they first appear. Limits are in the values' own unit.

    ``improvement``, ``target`` and ``label`` are one value for every series, or a column of
    the frame (``improvement``, ``target``: constant within a series) or a mapping from series
    to value (the default for a series not in it). ``rebase_at`` is a list of periods
    (positions without periods) rebasing every series that has one (an error if none has it),
    or a mapping from series to its own list, as ``xmr`` takes it. ``attrs["spc_warnings"]``
    has what ``xmr`` would warn of, by series; one ``SPCWarning`` counts the series.
    """
    check_options(two_in_three, conflict, run_length, trend_length, fix_after)
    if isinstance(improvement, str) and improvement not in frame.columns:
        check_improvement(improvement)
    batch = _Batch(frame, series, period, value)
    improvement, aims = _per_series(
        batch, improvement, "improvement", "increase", lambda v: v in IMPROVEMENTS
    )
    for name, aim in zip(batch.names, aims, strict=True):
        check_improvement(aim, f" of series {name!r}")
    target, _ = _per_series(
        batch, target, "target", None, lambda v: v is None or isinstance(v, Real)
    )
    _, labels = _per_series(batch, label, "label", None, lambda v: v is None or callable(v))
    starts = _rebase_starts(batch, rebase_at)
    opening = (batch.position == 0) | starts  # each segment's first row
    so_far = np.cumsum(starts)
    group = so_far - (so_far - starts)[batch.position == 0][batch.sid]
    seg = np.cumsum(opening) - 1
    owner = batch.sid[opening]  # each segment's series
    count = len(owner)

    valued = np.flatnonzero(~np.isnan(batch.y))
    pick = valued if len(valued) < len(seg) else slice(None)  # no copies when none missing
    y, sv = batch.y[pick], seg[pick]
    points = np.bincount(sv, minlength=count)
    first = np.ones(len(y), dtype=bool)
    first[1:] = sv[1:] != sv[:-1]
    limits = segment_limits(y, sv, first, count, fix_after, screen_outliers)
    rows = {name: limits[name][seg] for name in FIGURES}  # each row's
    outside = (y > rows["upl"][pick]) | (y < rows["lpl"][pick])
    beyond = (y < rows["near_lpl"][pick]) | (y > rows["near_upl"][pick])
    close = beyond if two_in_three == "mdc2023" else ~outside & beyond
    rtm = np.sign(y - rows["mean"][pick]).astype(int)
    good = np.array([_GOOD[aim] for aim in aims], dtype=int)[owner[sv]]
    rule, direction, rising, falling = flat_rules(
        y, first, rtm, close, outside, good, run_length, trend_length, conflict
    )
    special, high = rule >= 0, direction > 0
    kind = np.where(good == 0, np.where(high, 3, 4), np.where(direction * good > 0, 1, 2))
    kind[~special] = 0
    figures = np.column_stack([limits[name] for name in FIGURES])
    writers = [labels[s] or number_text for s in owner.tolist()]  # each segment's
    wording = (run_length, trend_length, two_in_three)
    said, texts = explain_many(
        rule, direction, kind, rising * 2 + falling, sv, figures, writers, wording
    )

    n = len(batch.y)
    words = [rule_text(r, d, run_length, trend_length) for r in range(4) for d in (-1, 1)]
    codes = {name: np.full(n, missing) for name, missing in (("type", 9), ("kind", 5), ("said", 1))}
    codes["type"][valued] = np.where(special, rule * 2 + high, 8)
    codes["kind"][valued] = kind
    codes["said"][valued] = np.where(said < 0, 0, said + 2)  # "", missing, then the texts
    flags = np.zeros((3, n), dtype=int)
    flags[:, valued] = [outside, beyond & ~outside, rtm]
    columns: dict[Hashable, Any] = {"period": batch.column(period, True)} if batch.periodic else {}
    columns |= {
        "value": batch.y,
        "rebase_group": group.astype(np.int64),
        "mean": rows["mean"],
        "lpl": rows["lpl"],
        "upl": rows["upl"],
        "outside_limits": flags[0].astype(bool),
        "close_to_limits": flags[1].astype(bool),
        "special_cause_type": _strings([*words, "Common Cause", "Missing"], codes["type"]),
        "point_type": _strings([*POINT_TYPES, "missing"], codes["kind"]),
        "explanation": _strings(["", _MISSING_TEXT, *texts], codes["said"]),
        "near_lpl": rows["near_lpl"],
        "near_upl": rows["near_upl"],
        "relative_to_mean": flags[2],
        "trial_limits": ((points > 0) & (points < MIN_POINTS))[seg],
    }
    if series in columns:
        raise ValueError(f"the series column may not be called {series!r}, as one of xmr's")
    result = pd.DataFrame({series: batch.column(series), **columns})
    notes = _notes(batch, group, points, owner, np.flatnonzero(opening))
    result.attrs["spc_many"] = {"series": series, "improvement": improvement, "target": target}
    result.attrs["spc_warnings"] = notes
    if notes:
        name, told = next(iter(notes.items()))
        warnings.warn(
            f"{len(notes):,} of {len(batch.names):,} series have warnings, in the result's "
            f"attrs['spc_warnings'] (series {name!r}: {told[0]})",
            SPCWarning,
            stacklevel=2,
        )
    return result


def _strings(texts: list[str], codes: np.ndarray) -> pd.Series:
    """An object column (as ``xmr`` makes its text columns) of ``texts[code]`` for each code."""
    return pd.Series(np.array(texts, dtype=object)[codes], dtype=object)


def _notes(batch: _Batch, group, points, owner, opening) -> dict[Hashable, list[str]]:
    """What ``xmr`` warns each series of, in its order: missing values, gaps in perfnb periods,
    then each rebase group of trial limits (``points`` and ``owner`` are each segment's points
    and series, ``opening`` its first row)."""
    notes: dict[int, list[str]] = {}
    absent = np.flatnonzero(np.isnan(batch.y))
    cuts = np.flatnonzero(np.diff(batch.sid[absent])) + 1
    for rows in np.split(absent, cuts) if len(absent) else []:
        notes[int(batch.sid[rows[0]])] = [missing_text(batch.labels(rows))]
    if batch.periodic and batch.perfnb_periods.any():
        ids = {p: i for i, p in enumerate(dict.fromkeys(p for p in batch.parsed if p))}
        own = np.array([ids[p] if p else -1 for p in batch.parsed], dtype=np.int64)
        before = np.array([ids.get(p.previous(), -2) if p else -2 for p in batch.parsed])
        later = np.flatnonzero((batch.position > 0) & batch.perfnb_periods[batch.sid])
        skips = later[before[batch.pcodes[later]] != own[batch.pcodes[later - 1]]]
        for index in np.unique(batch.sid[skips]).tolist():
            text = gap_text([batch.parsed[c] for c in batch.pcodes[batch.rows(index)]])
            notes.setdefault(index, []).append(str(text))
    groups = np.bincount(owner, minlength=len(batch.names))
    for at in np.flatnonzero((points > 0) & (points < MIN_POINTS)).tolist():
        index = int(owner[at])
        which = f"rebase group {group[opening[at]]}" if groups[index] > 1 else "the series"
        notes.setdefault(index, []).append(trial_text(which, int(points[at])))
    return {batch.names[index]: notes[index] for index in sorted(notes)}


def summarise_many(result: pd.DataFrame, target: Any = None) -> pd.DataFrame:
    """:func:`perfnb.spc.summarise` for every series of an :func:`xmr_many` result: a row per
    series and rebase group, the series column then ``SUMMARY_COLUMNS``. ``target`` (one
    value, or a mapping from series to value) overrides the targets given to ``xmr_many``."""
    info = result.attrs.get("spc_many", {})
    name = info.get("series", result.columns[0])
    codes, names = _codes(result[name])
    aims, targets = (  # as xmr_many keeps them: one value, or a dict by series
        [given.get(s, default) for s in names]
        if isinstance(given, Mapping)
        else [given] * len(names)
        for given, default in (
            (info.get("improvement", "increase"), "increase"),
            (info.get("target") if target is None else target, None),
        )
    )
    known = [*POINT_TYPES, "missing", ""]
    kinds = result["point_type"].to_numpy()
    kind = np.zeros(len(kinds), dtype=np.int64)  # common cause, the most
    others = np.flatnonzero(kinds != "common_cause")
    found, seen = pd.factorize(kinds[others])
    numbers = [known.index(k) if k in known[:-1] else len(known) - 1 for k in seen]
    kind[others] = np.asarray(numbers, dtype=np.int64)[found]
    valued = np.flatnonzero(kind != 5)
    sid, group = codes[valued], result["rebase_group"].to_numpy()[valued]
    if len(valued) > 1 and not np.all(
        (sid[1:] > sid[:-1]) | ((sid[1:] == sid[:-1]) & (group[1:] >= group[:-1]))
    ):
        order = np.lexsort((group, sid))  # stable: a group's last point stays its last
        valued, sid, group = valued[order], sid[order], group[order]
    opening = np.ones(len(valued), dtype=bool)
    opening[1:] = (sid[1:] != sid[:-1]) | (group[1:] != group[:-1])
    starts = np.flatnonzero(opening)
    ends = np.r_[starts[1:], len(valued)][: len(starts)] - 1
    counts = np.bincount(
        (np.cumsum(opening) - 1) * len(known) + kind[valued], minlength=len(starts) * len(known)
    ).reshape(-1, len(known))
    last = valued[ends]
    limits = result[["mean", "lpl", "upl"]].to_numpy(dtype=float)[last]
    owner = sid[ends]
    aim = np.array([IMPROVEMENTS.index(a) for a in aims], dtype=np.int64)[owner]
    wanted = np.array([np.nan if t is None else float(t) for t in targets])[owner]
    wanted[:-1][owner[1:] == owner[:-1]] = np.nan  # the latest group's only
    n = ends - starts + 1
    summary = {
        name: result[name].iloc[last].reset_index(drop=True),
        "rebase_group": group[starts].astype(np.int64),
        "mean": limits[:, 0],
        "lpl": limits[:, 1],
        "upl": limits[:, 2],
        "n": n.astype(np.int64),
        "common_cause": counts[:, 0],
        "special_cause_improvement": counts[:, 1],
        "special_cause_concern": counts[:, 2],
        "variation": variations(kind[last], aim),
        "assurance": pd.Series(assurances(wanted, limits[:, 1], limits[:, 2], aim), dtype=object),
        "trial_limits": n < MIN_POINTS,
        "special_cause_neutral": counts[:, 3] + counts[:, 4],
    }
    return pd.DataFrame(summary, columns=[name, *SUMMARY_COLUMNS])
