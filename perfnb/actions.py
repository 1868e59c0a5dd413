"""Action plans: where each improvement action stands at a period end, and summaries of them.

A committee asks of every action: is it on track, who owns it, is it overdue? For a report
period, :func:`action_progress` gives one row per action (and activity) with the officer's
status and % complete, the progress expected by the period end if the work ran evenly from
start to deadline, the slippage (expected less actual, in percentage points: positive is
behind), whether it is overdue or due in the next period, and a derived rating with its reason:

- ``Cancelled``, ``Completed``: as the officer reports (or 100% complete); with no report, a
  plan that records completion ("Already achieved" or "Review completed September 2003" as
  the timescale, "Achieved" as the outcome) is Completed;
- ``Overdue``: the deadline fell before the period end and it is not completed;
- ``At risk``: the officer says At risk or Off target, it is more than ``at_risk_points``
  behind expected progress, or no progress was reported for the period;
- ``On track``: otherwise.

The officer's status is kept beside the derived rating; ``status_differs`` marks where the
two disagree (an officer's On target for an action that is overdue), as RAG overrides do.
:func:`lead_officers` reads the people a ``lead_officer`` cell names, so that the counts by
lead officer count each person once per action they lead.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

import numpy as np
import pandas as pd

from perfnb.periods import Period, parse_period
from perfnb.timescales import parse_timescale, says_done

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_RAGS",
    "AT_RISK_POINTS",
    "action_progress",
    "action_summary",
    "lead_officers",
    "linked_measures",
    "outcome_measure_ids",
    "overdue_actions",
    "percent_text",
    "services_with_actions",
]

ACTION_RAGS = ("Overdue", "At risk", "On track", "Completed", "Cancelled")
AT_RISK_POINTS = 10.0  # percentage points behind expected progress that make an action At risk

# output/<period>/actions.csv, in this order (the contract), then the rest
ACTION_COLUMNS = (
    "action_id",
    "title",
    "service",
    "lead_officer",
    "deadline",
    "status",
    "pct_complete",
    "previous_pct_complete",
    "expected_pct",
    "slippage",
    "overdue",
    "due_soon",
    "rag",
    "rag_reason",
)
_MORE_COLUMNS = (
    "theme",
    "authorising_officer",
    "parent_id",
    "start",
    "deadline_date",
    "deadline_kind",
    "resources",
    "outcome_measure",
    "updated_period",
    "reported_this_period",
    "previous_status",
    "previous_period",
    "progress",
    "issues",
    "status_differs",
    "no_update",
    "slipping",
    "period",
)


def _day(value: object) -> str:
    """``30 Sep 2009``."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%b %Y}"


def percent_text(value: float | None) -> str:
    """A percentage as action plans print it: ``50%``, ``25.1%``; blank when there is none."""
    if value is None or pd.isna(value):
        return ""
    return f"{round(float(value), 1):g}%"


def outcome_measure_ids(outcome: object) -> list[str]:
    """The parts of an ``outcome_measure`` cell, split at ``;`` or ``,`` (measure ids where it
    names measures; free text otherwise)."""
    return [part.strip() for part in re.split(r"[;,]", str(outcome or "")) if part.strip()]


def _outcome_done(outcome: object) -> str:
    """The words of an ``outcome_measure`` cell that record completion, where the cell or one
    of its paragraphs (parts separated by ``;``) is only such words (seed 003's
    "Improved assessment response and service development.; Completed"); else blank."""
    parts = [part.strip() for part in str(outcome or "").split(";")]
    return next((part for part in parts if says_done(part)), "")


def _plan_done(actions: pd.DataFrame, start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Where the plan itself records an action as done by ``end``, the words that say so, for
    its reason: the timescale ("Already achieved"; "Review completed September 2003" once that
    month has come) or the outcome column ("Achieved"); blank elsewhere. A timescale's date of
    completion counts only if it began by the action's ``start`` (when it has one): a plan
    cannot record as done work dated after it began, so "Completed March 2004" in a plan
    starting in October 2003 is a deadline."""
    said = []
    rows = zip(actions["deadline"], actions["outcome_measure"], start, strict=True)
    for deadline, outcome, began in rows:
        timescale = parse_timescale(deadline)
        words = _outcome_done(outcome)
        dated = timescale.deadline is not None
        recorded = timescale.done and (
            not dated
            or (
                timescale.deadline <= end.date()
                and (pd.isna(began) or timescale.first <= pd.Timestamp(began).date())
            )
        )
        if recorded:
            said.append(f'the timescale says "{timescale.text}"')
        elif words:
            said.append(f'the outcome column says "{words}"')
        else:
            said.append("")
    return pd.Series(said, index=actions.index, dtype=object)


def _starts(actions: pd.DataFrame, first_reported: pd.Series) -> pd.Series:
    """Each row's start: its own ``start_date``; else, for an activity, its action's start;
    else the first day of the first period it was reported in (NaT when none)."""
    ids = actions["action_id"].astype(str).tolist()
    own = dict(zip(ids, actions["start_date"], strict=True))
    reported = dict(zip(ids, _lookup(first_reported, actions["action_id"]), strict=True))
    parent_ids = actions["parent_id"] if "parent_id" in actions else pd.Series("", actions.index)
    parents = dict(zip(ids, parent_ids.fillna("").astype(str), strict=True))

    def start(action_id: str, seen: frozenset[str]) -> object:
        if pd.notna(own[action_id]):
            return own[action_id]
        parent = parents[action_id]
        if parent in own and parent not in seen:  # a loop of parents stops where it began
            found = start(parent, seen | {parent})
            if pd.notna(found):
                return found
        return reported[action_id]

    starts = [start(action_id, frozenset({action_id})) for action_id in ids]
    return pd.Series(pd.to_datetime(starts), index=actions.index, dtype="datetime64[ns]")


def action_progress(
    actions: pd.DataFrame,
    updates: pd.DataFrame,
    period: Period | str,
    *,
    at_risk_points: float = AT_RISK_POINTS,
) -> pd.DataFrame:
    """One row per action at the end of ``period`` (the loader's ``actions`` and
    ``action_updates`` frames): ``ACTION_COLUMNS`` then the rest. Percentages are per cent
    complete; ``expected_pct`` assumes even progress from the start (without one, an
    activity's action's start, else the start of the first period it was reported in) to the
    deadline; ``slippage`` is expected less actual in percentage points. An action the plan
    records as done (its timescale or outcome column) is Completed until a report says more."""
    period = parse_period(period)
    end = pd.Timestamp(period.end)
    following = period.next()
    actions = actions.reset_index(drop=True)
    updates = _dated_updates(updates, period)
    reported = updates[updates["_end"] <= end].sort_values(["action_id", "_end"], kind="stable")

    latest = reported.groupby("action_id").tail(1).set_index("action_id")
    earlier = reported[reported["_end"] < end]
    # "the period before": the latest update before this period's own
    before = earlier.groupby("action_id").tail(1).set_index("action_id")
    first_start = updates.groupby("action_id")["_start"].min()

    ids = actions["action_id"]
    this_period = _lookup(latest["_own"], ids).fillna(False).astype(bool)
    status = _lookup(latest["status"], ids).fillna("").astype(object)
    pct = _lookup(latest["pct_complete"], ids).astype(float)
    previous = _lookup(before["pct_complete"], ids).astype(float)
    if len(actions):
        previous = previous.where(this_period, pct)  # no new update: last is still the latest

    start = _starts(actions, first_start)
    deadline = actions["deadline_date"]
    # whole days, first and last both counted: 1 April to 31 March is 365
    span = (deadline - start).dt.days.astype(float) + 1
    elapsed = (end - start).dt.days.astype(float) + 1
    expected = (elapsed / span.where(span > 0) * 100).clip(0, 100)
    expected = expected.where(~(deadline <= end), 100.0)  # due by now: all of it expected
    expected = expected.round(1)  # as printed; slippage and the rating are judged on these
    lowered = status.str.lower()
    # "Not started" with no % written is 0% done: behind when work was already expected
    done = pct.where(~(lowered.eq("not started") & pct.isna()), 0.0)
    slippage = (expected - done).round(1)

    cancelled = lowered.eq("cancelled")
    plan_done = _plan_done(actions, start, end).where(status.eq(""), "")  # a report says more
    completed = ~cancelled & (lowered.eq("completed") | pct.ge(100) | plan_done.ne(""))
    finished = cancelled | completed
    overdue = ~finished & deadline.notna() & (deadline < end)
    due_soon = (
        ~finished & deadline.notna() & (deadline > end) & (deadline <= pd.Timestamp(following.end))
    )
    officer_worried = lowered.isin(["at risk", "off target"])
    behind = slippage > at_risk_points
    silent = ~this_period & ~finished
    unreported = silent & status.eq("") & start.notna()
    new = unreported & (start >= pd.Timestamp(period.start)) & (start <= end)
    future = unreported & (start > end)  # planned, not begun: nothing is due from it yet
    new = new | future

    rag = np.select(
        [cancelled, completed, overdue, officer_worried, behind, silent & ~new],
        ["Cancelled", "Completed", "Overdue", "At risk", "At risk", "At risk"],
        "On track",
    )
    out = pd.DataFrame(
        {
            "action_id": ids.astype(object),
            "title": actions["title"].astype(object),
            "service": actions["service"].astype(object),
            "lead_officer": actions["lead_officer"].astype(object),
            "deadline": actions["deadline"].astype(object),
            "status": status,
            "pct_complete": pct,
            "previous_pct_complete": previous,
            "expected_pct": expected,
            "slippage": slippage,
            "overdue": overdue.astype(bool),
            "due_soon": due_soon.astype(bool),
            "rag": pd.Series(rag, index=actions.index, dtype=object),
        }
    )
    out["rag_reason"] = [
        _reason(row, period, at_risk_points, bool(quiet), bool(fresh), bool(late), bool(slow))
        for row, quiet, fresh, late, slow in zip(
            out.assign(deadline_date=deadline, start_date=start, plan_done=plan_done).to_dict(
                "records"
            ),
            silent,
            new,
            future,
            behind,
            strict=True,
        )
    ]
    for name in _MORE_COLUMNS:
        if name in actions:
            out[name] = actions[name]
    out["updated_period"] = _lookup(latest["period"], ids).fillna("").astype(object)
    out["reported_this_period"] = this_period.to_numpy()
    # the status and % complete of the period before, as the officer reported them then
    previous_status = _lookup(before["status"], ids).fillna("").astype(object)
    previous_period = _lookup(before["period"], ids).fillna("").astype(object)
    out["previous_status"] = previous_status.where(this_period, status)
    out["previous_period"] = previous_period.where(this_period, out["updated_period"])
    for name in ("progress", "issues"):  # words of this period's own update only
        words = _lookup(latest[name], ids).fillna("").astype(object)
        out[name] = words.where(this_period, "")
    said = lowered.map(_OFFICER_RAG).fillna("")
    out["status_differs"] = (said != "") & (said != out["rag"])
    out["no_update"] = (silent & ~new).to_numpy()  # due an update this period, none given
    out["slipping"] = (~finished & behind).to_numpy()  # more than at_risk_points behind
    out["period"] = period.label
    return out.reset_index(drop=True)


# the rating an officer's status amounts to, to see where officer and figures disagree
_OFFICER_RAG = {
    "on target": "On track",
    "at risk": "At risk",
    "off target": "At risk",
    "completed": "Completed",
    "cancelled": "Cancelled",
}


def _dated_updates(updates: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The updates with their period's canonical label, first and last day (``_start``,
    ``_end``) and whether each is the report period's own (``_own``: it ends on the period's
    last day and lies within it, so a September update is 2009/10 Q2's)."""
    updates = updates.copy()
    labels = updates["period"].astype(str)
    parsed = {label: parse_period(label) for label in pd.unique(labels)}
    updates["period"] = labels.map(lambda p: parsed[p].label).astype(object)
    updates["_start"] = pd.to_datetime(labels.map(lambda p: pd.Timestamp(parsed[p].start)))
    updates["_end"] = pd.to_datetime(labels.map(lambda p: pd.Timestamp(parsed[p].end)))
    updates["_own"] = updates["_end"].eq(pd.Timestamp(period.end)) & updates["_start"].ge(
        pd.Timestamp(period.start)
    )
    return updates


def _lookup(by_id: pd.Series, ids: pd.Series) -> pd.Series:
    """``by_id``'s value for each of ``ids`` (missing where it has none), in ``ids``' order."""
    return pd.Series(by_id.reindex(ids.to_numpy()).to_numpy(), index=ids.index)


def _reason(
    row: dict[str, Any],
    period: Period,
    points: float,
    silent: bool,
    new: bool,
    future: bool,
    behind: bool,
) -> str:
    """Why an action has its rating, in a sentence a committee can read."""
    rag, status = row["rag"], str(row["status"])
    pct, expected = row["pct_complete"], row["expected_pct"]
    deadline = row["deadline_date"]
    if pd.notna(pct):
        done = f"{percent_text(pct)} complete"
    else:
        done = "not started" if status.lower() == "not started" else "no % complete reported"
    if rag == "Cancelled":
        return "Cancelled: reported as cancelled"
    if rag == "Completed":
        if status.lower() == "completed" or (pd.notna(pct) and pct >= 100):
            return f"Completed: reported as {status or 'complete'} ({done})"
        return f"Completed: {row['plan_done']}"
    if rag == "Overdue":
        state = {
            "not started": "it has not started",
            "no % complete reported": "no % complete is reported",
        }.get(done, f"it is {done}")
        return f"Overdue: the deadline, {_day(deadline)}, has passed and {state}"
    if status.lower() in ("at risk", "off target"):
        return f"At risk: the lead officer reports it {status} ({done})"
    if behind:
        return (
            f"At risk: {round(float(row['slippage']), 1):g} points behind the "
            f"{percent_text(expected)} expected by {_day(period.end)} ({done}, more than "
            f"{points:g} points behind)"
        )
    if silent and not new:
        return f"At risk: no progress reported for {period.short_label}"
    if future:
        return f"On track: starts {_day(row['start_date'])}; nothing is due from it yet"
    if new and pd.notna(deadline) and deadline <= pd.Timestamp(period.end):
        return f"On track: started this period and due by {_day(deadline)}; no progress reported"
    if new:
        return "On track: started this period; no progress due yet"
    if pd.isna(deadline):
        return f"On track: {done}; no deadline ({row['deadline'] or 'none given'})"
    if pd.isna(expected):
        return f"On track: {done}"
    return f"On track: {done}, {percent_text(expected)} expected by {_day(period.end)}"


# joint leads: "Stephanie Canham / Henry Lewis", "Sue Alexander; Henry Lewis", "Smith & Jones",
# "Stephanie Canham and Capacity Planning Group" (never the "and" inside a word). A ";" always
# separates; the others only where every part is a lead in its own right (_plausible)
_LEAD_SEPARATORS = re.compile(r"(\s*[;/&\r\n]\s*|\s+and\s+)", re.IGNORECASE)
# words a name never begins or ends with: "Director of", "and Sons", "the Regeneration Team"
_FUNCTION_WORDS = frozenset({"of", "for", "and", "the", "to", "in", "on", "at", "with", "&"})
# words that make a post of a name: "Head of Planning", "Manager for Adult Services"
_POST_WORDS = frozenset({"of", "for"})


def _person_key(name: str) -> str:
    """One key for the spellings of a name that differ only in spacing or case."""
    return "".join(name.split()).casefold()


def _plausible(words: list[str], alone: set[str]) -> bool:
    """Whether words could name a lead of their own: two words or more, or a name that leads
    alone elsewhere in the plan; never beginning or ending with a function word."""
    if not words or {words[0].casefold(), words[-1].casefold()} & _FUNCTION_WORDS:
        return False
    return len(words) >= 2 or _person_key(" ".join(words)) in alone


def _continues_post(left: list[str], right: list[str], alone: set[str]) -> bool:
    """Whether ``right`` carries on the post named in ``left`` rather than naming another
    lead: "Director of Planning" and "Economic Development", "Health" and "Social Care" after
    "Director of" (it names no post itself, nor a lead found alone elsewhere)."""
    inner = {word.casefold() for word in left[1:-1]}
    named = {word.casefold() for word in right}
    return (
        bool(inner & _POST_WORDS)
        and not named & _POST_WORDS
        and _person_key(" ".join(right)) not in alone
    )


def _split_joint(text: str, alone: set[str]) -> list[str]:
    """A ``lead_officer`` cell's parts: split at every ";", and at "/", "&", line breaks and
    " and " into the most parts that are each :func:`_plausible`, none carrying on a post named
    just before it (except after "/"). "Marks & Spencer Liaison", "Head of Planning and
    Regeneration" and "Director of Planning and Economic Development" are one part each."""
    parts = []
    for listed in re.split(r"\s*;\s*", text):
        pieces = _LEAD_SEPARATORS.split(listed)
        tokens: list[list[str]] = []
        seps: list[str] = []  # seps[k] stands between tokens[k] and tokens[k + 1]
        for i in range(0, len(pieces), 2):
            if pieces[i].split():
                if tokens:
                    seps.append(pieces[i - 1])
                tokens.append(pieces[i].split())
        if tokens:
            parts += _best_split(tokens, seps, alone)
    return parts


def _best_split(tokens: list[list[str]], seps: list[str], alone: set[str]) -> list[str]:
    """The parts of :func:`_split_joint` for one stretch between semicolons: its ``tokens``
    (the words between separators) joined again where a separator does not separate."""
    n = len(tokens)

    def words_of(i: int, j: int) -> list[str]:
        out = list(tokens[i])
        for k in range(i + 1, j):
            out += seps[k - 1].split() + tokens[k]
        return out

    @functools.cache
    def best(before: int, i: int) -> tuple[int, tuple[int, ...]] | None:
        """The most parts tokens[i:] splits into after the part tokens[before:i], and where
        each begins; None when no split works."""
        if i == n:
            return 0, ()
        options = []
        for j in range(i + 1, n + 1):
            part = words_of(i, j)
            if not (_plausible(part, alone) or (i, j) == (0, n)):
                continue
            after_post = i and seps[i - 1].strip() != "/"  # "/" always may separate
            if after_post and _continues_post(words_of(before, i), part, alone):
                continue
            rest = best(i, j)
            if rest is not None:
                options.append((rest[0] + 1, (i, *rest[1])))
        return max(options, key=lambda found: found[0]) if options else None

    found = best(0, 0) or (1, (0,))  # the whole stretch is always one part
    cuts = [*found[1], n]
    return [" ".join(words_of(a, b)) for a, b in itertools.pairwise(cuts)]


def _split_run(words: list[str], known: set[tuple[str, ...]]) -> list[str]:
    """A run of names printed one after another ("Henry Lewis Stephanie Canham") split at
    the ``known`` names in it (casefolded word tuples), what is left between them kept as a
    name of its own: the split with the most known names in which every piece is
    :func:`_plausible`; the words as they are when there is none ("Henry Lewis Jones", or
    "Director of Adult Services" where "Adult Services" leads alone: no "Director of")."""
    folded = tuple(word.casefold() for word in words)
    sizes = sorted({len(name) for name in known}, reverse=True)
    n = len(words)

    @functools.cache
    def best(i: int, after_rest: bool) -> tuple[int, tuple[int, ...]] | None:
        """The most known names words[i:] holds, and where each piece begins; ``after_rest``:
        the piece before is words left over (two such pieces would be one)."""
        if i == n:
            return 0, ()
        options = []
        for size in sizes:
            j = i + size
            if j <= n and folded[i:j] in known and _plausible(words[i:j], set()):
                rest = best(j, False)
                if rest is not None:
                    options.append((rest[0] + 1, (i, *rest[1])))
        if not after_rest:
            for j in range(i + 1, n + 1):
                if _plausible(words[i:j], set()):
                    rest = best(j, True)
                    if rest is not None:
                        options.append((rest[0], (i, *rest[1])))
        return max(options, key=lambda found: found[0]) if options else None

    found = best(0, False)
    if not found or found[0] == 0:
        return [" ".join(words)]
    cuts = [*found[1], n]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(cuts)]


def lead_officers(leads: pd.Series) -> pd.Series:
    """The people each ``lead_officer`` cell names, as a list, each once. The cell is split at
    every ``;``, and at ``/``, ``&``, line breaks and " and " where each part could lead on its
    own: two words or more, or a name that leads alone elsewhere in ``leads``, never beginning
    or ending with a function word ("of", "and", "the" ...), and not carrying on a post
    ("Director of Planning and Economic Development" is one post; "Marks & Spencer Liaison",
    "Health & Safety Officer" and "Sam Marks and Sons" are one lead each). A run of names
    printed one after another is split where it holds names that lead on their own elsewhere
    (seed 003's "Henry Lewis Stephanie Canham"), on the same terms. Names that differ only in
    spacing or case are one person, spelt as ``leads`` most often spells them (the first
    spelling seen, on a tie). A blank cell is kept as it is."""
    texts = [cell if isinstance(cell, str) else "" for cell in leads]
    alone = {
        _person_key(text)
        for text in texts
        if text.strip() and not _LEAD_SEPARATORS.search(text) and ";" not in text
    }
    cells = [_split_joint(text, alone) for text in texts]
    known = {
        tuple(word.casefold() for word in part.split())
        for parts in cells
        for part in parts
        if len(part.split()) >= 2
    }
    while True:  # a run of known names is not itself a name: drop such runs until none is left
        runs = {name for name in known if len(_split_run(list(name), known - {name})) > 1}
        if not runs:
            break
        known -= runs
    people = [
        [name for part in parts for name in _split_run(part.split(), known)] for parts in cells
    ]
    spellings: dict[str, dict[str, int]] = {}
    for names in people:
        for name in names:
            seen = spellings.setdefault(_person_key(name), {})
            seen[name] = seen.get(name, 0) + 1
    spelt = {key: max(seen, key=seen.__getitem__) for key, seen in spellings.items()}
    lists = []
    for cell, names in zip(leads, people, strict=True):
        once = list(dict.fromkeys(spelt[_person_key(name)] for name in names))
        lists.append(once if once else [cell])
    return pd.Series(lists, index=leads.index, dtype=object)


def action_summary(progress: pd.DataFrame, by: str = "service") -> pd.DataFrame:
    """Counts of actions by derived rating (``ACTION_RAGS``) for each ``by`` (service, theme
    or lead_officer), with the total and how many are overdue, largest concern first. By
    lead officer, an action led jointly counts once for each person (:func:`lead_officers`)."""
    if by == "lead_officer":
        progress = progress.assign(lead_officer=lead_officers(progress["lead_officer"]))
        progress = progress.explode("lead_officer")
    counts = pd.crosstab(progress[by], progress["rag"]).reindex(columns=list(ACTION_RAGS))
    counts = counts.fillna(0).astype(int)
    counts["Total"] = counts.sum(axis=1)
    counts = counts.sort_values(["Overdue", "At risk", "Total"], ascending=False, kind="stable")
    return counts.reset_index().rename_axis(columns=None)


def overdue_actions(progress: pd.DataFrame) -> pd.DataFrame:
    """The overdue actions, longest overdue first."""
    return progress[progress["overdue"]].sort_values("deadline_date", kind="stable")


def linked_measures(progress: pd.DataFrame, card: pd.DataFrame) -> pd.DataFrame:
    """Actions whose ``outcome_measure`` names measures of ``card`` (a ``measure_id``, or
    several separated by ``;`` or ``,``), one row per action and measure, with the measure's
    row of the scorecard (its ``rag``, figures and reason) beside the action's columns."""
    named = progress[["action_id", "title", "rag", "outcome_measure"]].rename(
        columns={"rag": "action_rag"}
    )
    named = named.assign(measure_id=named["outcome_measure"].map(outcome_measure_ids))
    named = named.explode("measure_id").dropna(subset=["measure_id"])
    known = card.drop_duplicates("measure_id")
    linked = named.merge(known, on="measure_id", how="inner", suffixes=("", "_measure"))
    return linked.drop(columns="outcome_measure").reset_index(drop=True)


def services_with_actions(
    actions: pd.DataFrame, updates: pd.DataFrame, period: Period | str
) -> list[str]:
    """The services with an action plan to report for ``period``: an action updated for the
    period, or one starting in it (a new plan); in the order actions.csv first names them."""
    period = parse_period(period)
    if actions.empty:
        return []
    updates = _dated_updates(updates, period)
    updated = set(updates.loc[updates["_own"], "action_id"])
    start = actions["start_date"]
    starting = start.ge(pd.Timestamp(period.start)) & start.le(pd.Timestamp(period.end))
    live = actions["action_id"].isin(updated) | starting
    return list(pd.unique(actions.loc[live, "service"]))
