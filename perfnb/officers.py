"""The people a ``lead_officer`` cell names, so that counts by lead officer count each person
once per action they lead: joint leads split ("Stephanie Canham / Henry Lewis"), posts kept
whole ("Director of Planning and Economic Development"), names printed one after another split
where they lead alone elsewhere, and spellings that differ only in spacing or case made one.
"""

from __future__ import annotations

import functools
import itertools
import re

import pandas as pd

__all__ = ["lead_officers"]

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
