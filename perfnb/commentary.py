"""The analyst's commentary: ``<data set>/commentary/<period-slug>.md``, read, drafted, rendered.

A commentary file is markdown: an optional ``## Summary`` section, then one ``## <measure_id>``
section per measure. Text before the first ``## `` heading (the preamble) is kept but never shown
in a report. ``perfnb commentary`` creates the file, or extends it with a section for each measure
that has none, each pre-filled with a factual draft written from the figures; it never changes a
byte that is already there. A draft carries a marker line (an HTML comment holding a fingerprint
of the draft), so a section still holding the untouched draft is known as such; once its text is
edited it is the analyst's, with or without the marker.

Commentary is rendered to HTML by ``perfnb.markup.render_markdown``: markdown works, while
scripts, event handlers, ``javascript:`` links and every tag outside a short allow-list are
removed. The guide for analysts is ``docs/commentary.md``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from perfnb.files import replace_if_unchanged
from perfnb.markup import markdown_text, render_markdown
from perfnb.periods import Period, figure_label, parse_period
from perfnb.rag import RATINGS
from perfnb.tables import (
    count_behind,
    format_target,
    format_value,
    own_figure_label,
    target_text,
)

__all__ = [
    "DRAFT_MARKER",
    "SUMMARY",
    "Commentary",
    "CommentaryError",
    "commentary_path",
    "commentary_problems",
    "draft_commentary",
    "load_commentary",
    "missing_commentary",
    "parse_commentary",
    "scaffold_commentary",
]

SUMMARY = "Summary"
FOLDER = "commentary"
# The line above every generated draft; {fingerprint} is _fingerprint() of the draft's text.
DRAFT_MARKER = (
    "<!-- perfnb draft {fingerprint}: written from the figures. Replace it with your "
    "commentary, then delete this line. -->"
)
_MARKER_RE = re.compile(r"<!--\s*perfnb draft ([0-9a-f]{6,64})\b[\s\S]*?-->")
_COMMENT_RE = re.compile(r"<!--[\s\S]*?(?:-->|\Z)")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


class CommentaryError(Exception):
    """A commentary file that cannot be read or extended; the message names the file, and
    ``reason`` says what is wrong without it."""

    reason: str = ""


# -- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commentary:
    """A period's commentary file, parsed.

    ``sections`` maps each ``## <measure_id>`` heading to its markdown body, in file order (a
    heading given twice has its bodies joined, in order). ``drafts`` holds the ids whose section
    is still the untouched generated draft. ``summary`` is the ``## Summary`` body, or None when
    there is no such section. ``headings`` lists every ``## `` heading with its line number, and
    ``problems`` what made the file hard to read (a code block or comment never closed).
    """

    summary: str | None = None
    sections: Mapping[str, str] = field(default_factory=dict)
    drafts: frozenset[str] = frozenset()
    summary_is_draft: bool = False
    preamble: str = ""
    headings: tuple[tuple[str, int], ...] = ()
    problems: tuple[str, ...] = ()
    unclosed: str = ""  # the line that would close what the file leaves open ("```", "-->")

    def has_commentary(self, measure_id: str) -> bool:
        """True when the measure's section holds text the analyst wrote or edited."""
        body = self.sections.get(measure_id, "")
        return bool(_visible_text(body)) and measure_id not in self.drafts

    def html(self, measure_id: str) -> str:
        """The measure's commentary as safe HTML ('' when it has none)."""
        return render_markdown(self.sections.get(measure_id, ""))

    def summary_html(self) -> str:
        """The summary as safe HTML ('' when there is none)."""
        return render_markdown(self.summary or "")

    @property
    def duplicates(self) -> list[str]:
        """Headings given more than once, in file order."""
        counts: dict[str, int] = {}
        for name, _ in self.headings:
            counts[name] = counts.get(name, 0) + 1
        return [name for name, n in counts.items() if n > 1]


def _visible_text(body: str) -> str:
    """The body without HTML comments, whitespace collapsed: what a reader would see."""
    return " ".join(_COMMENT_RE.sub(" ", body).split())


def _fingerprint(text: str) -> str:
    """A short hash of a text, whitespace collapsed, so re-wrapping it is not an edit."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def _is_untouched_draft(body: str) -> bool:
    """True when the body holds a draft marker and exactly the draft it was written with."""
    match = _MARKER_RE.search(body)
    return match is not None and match.group(1) == _fingerprint(_visible_text(body))


def _heading_id(line: str) -> str:
    """The id of a ``## `` heading: surrounding spaces and a closing ``##`` dropped."""
    return re.sub(r"(?:^|\s+)#+\s*$", "", line[3:].strip()).strip()


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def parse_commentary(text: str) -> Commentary:
    """Reads a commentary file's text (BOM and CRLF line endings tolerated).

    A section starts at a line beginning with exactly ``## `` that is not inside a fenced code
    block or an HTML comment block; ``### `` and deeper headings belong to the section.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    parts: list[tuple[str | None, int, list[str]]] = [(None, 0, [])]
    fence = ""  # the opening fence of the code block we are in
    comment = False  # inside an HTML comment block
    opened = ("", 0)  # where the open block started: section and line
    for number, line in enumerate(text.split("\n"), start=1):
        if fence:
            match = _FENCE_RE.match(line)
            if (
                match is not None
                and not match.group(2).strip()
                and match.group(1)[0] == fence[0]
                and len(match.group(1)) >= len(fence)
            ):
                fence = ""
        elif comment:
            comment = "-->" not in line
        elif line.startswith("## "):
            parts.append((_heading_id(line), number, []))
            continue
        elif match := _FENCE_RE.match(line):
            if not (match.group(1)[0] == "`" and "`" in match.group(2)):
                fence = match.group(1)
                opened = (parts[-1][0] or "", number)
        elif re.match(r"^ {0,3}<!--", line):
            comment = "-->" not in line.split("<!--", 1)[1]
            opened = (parts[-1][0] or "", number)
        parts[-1][2].append(line)

    problems: list[str] = []
    unclosed = ""
    if fence or comment:
        where = f"## {opened[0]}" if opened[0] else "the text before the first ## heading"
        if fence:
            unclosed = fence
            problems.append(
                f"the code block opened at line {opened[1]} (in {where}) is never closed, so "
                f"everything after it is read as part of it; close it with a line {fence}"
            )
        else:
            unclosed = "-->"
            problems.append(
                f"the comment opened at line {opened[1]} (in {where}) is never closed, so "
                "everything after it is hidden; close it with -->"
            )

    # every part after the preamble has its heading's name
    named = cast(list[tuple[str, int, list[str]]], parts[1:])
    bodies: dict[str, list[str]] = {}
    for name, _, lines in named:
        bodies.setdefault(name, []).append(_trim_blank_lines(lines))
    summary_key = next((k for k in bodies if k.casefold() == SUMMARY.casefold()), None)
    summary_parts = bodies.pop(summary_key) if summary_key is not None else None

    def untouched(pieces: list[str]) -> bool:
        drafts = [p for p in pieces if _visible_text(p)]
        return bool(drafts) and all(_is_untouched_draft(p) for p in drafts)

    sections = {name: "\n\n".join(p for p in pieces if p) for name, pieces in bodies.items()}
    return Commentary(
        summary=None if summary_parts is None else "\n\n".join(p for p in summary_parts if p),
        sections=sections,
        drafts=frozenset(name for name, pieces in bodies.items() if untouched(pieces)),
        summary_is_draft=summary_parts is not None and untouched(summary_parts),
        preamble=_trim_blank_lines(parts[0][2]),
        headings=tuple((name, number) for name, number, _ in named),
        problems=tuple(problems),
        unclosed=unclosed,
    )


def commentary_path(data_dir: str | Path, period: Period | str) -> Path:
    """Where a period's commentary lives: ``<data_dir>/commentary/<period slug>.md``."""
    return Path(data_dir) / FOLDER / f"{parse_period(period).slug}.md"


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = (
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it with the "
            "encoding UTF-8 and run again"
        )
        error = CommentaryError(f"{path} {reason}")
        error.reason = reason
        raise error from None


def read_commentary_text(path: str | Path) -> str:
    """A commentary file's text, read as every run reads it (UTF-8); raises CommentaryError
    naming the file, with ``reason`` saying what is wrong."""
    path = Path(path)
    return _decode(path.read_bytes(), path)


def load_commentary(data_dir: str | Path, period: Period | str) -> Commentary:
    """The period's commentary, parsed; empty when the file does not exist.

    Raises ``CommentaryError`` naming the file when it is not UTF-8 text.
    """
    path = commentary_path(data_dir, period)
    if not path.exists():
        return Commentary()
    return parse_commentary(_decode(path.read_bytes(), path))


def commentary_problems(
    commentary: Commentary,
    measure_ids: Iterable[str],
    path: str | Path,
    catalogue: str = "measures.csv",
) -> list[str]:
    """Warnings about a parsed file: headings that are not measures, headings given twice, and
    a code block or comment never closed. Each names the file."""
    known = list(dict.fromkeys(str(m) for m in measure_ids))
    by_fold = {m.casefold(): m for m in known}
    known_set = set(known)
    messages = []
    lines: dict[str, list[int]] = {}
    for name, number in commentary.headings:
        lines.setdefault(name, []).append(number)
    for name, numbers in lines.items():
        if not name:
            where = ", ".join(map(str, numbers))
            messages.append(
                f"a ## heading without a measure id in {path} (line {where}); its text is not "
                "shown: write the measure id after ##"
            )
            continue
        if name.casefold() != SUMMARY.casefold() and name not in known_set:
            message = (
                f"## {name} in {path} is not a measure of {catalogue} (line {numbers[0]}); "
                "its text is not shown in any report"
            )
            if name.casefold() in by_fold:
                message += f": did you mean {by_fold[name.casefold()]}?"
            messages.append(message)
        if len(numbers) > 1:
            messages.append(
                f"## {name} appears {len(numbers)} times in {path} (lines "
                f"{', '.join(map(str, numbers))}); the sections are shown one after the other: "
                "merge them into one"
            )
    messages += [f"{path}: {problem}" for problem in commentary.problems]
    return messages


# -- drafts ----------------------------------------------------------------------------------


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
    if row["unit"] != "percent" and earlier == 0:
        word = "higher" if higher else "lower"  # "3 worse than 0" would say nothing of scale
    elif row["polarity"] == "high":
        word = "better" if higher else "worse"
    elif row["polarity"] == "low":
        word = "worse" if higher else "better"
    else:
        word = "higher" if higher else "lower"
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


def _summary_draft(card: pd.DataFrame) -> str:
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


# -- scaffolding -----------------------------------------------------------------------------


def _marker(draft: str) -> str:
    return DRAFT_MARKER.format(fingerprint=_fingerprint(_visible_text(draft)))


def _comment_text(text: object) -> str:
    """Text that is safe inside an HTML comment: one line, no ``--``."""
    return re.sub(r"-{2,}", "-", " ".join(str(text).split())).strip("-").strip()


def _preamble(card: pd.DataFrame) -> list[str]:
    period = str(card["period"].iloc[0]) if len(card) else ""
    return [
        f"# Commentary{': ' + period if period else ''}",
        "",
        '<!-- One "## <measure_id>" section per measure, and "## Summary" for the period as a',
        "whole. Write markdown under each heading; a section that still holds the generated draft",
        "is flagged in the report. perfnb commentary adds sections for new measures and never",
        "changes your text. This text before the first ## heading is not shown. See",
        "docs/commentary.md. -->",
    ]


def _new_sections(card: pd.DataFrame, commentary: Commentary) -> tuple[list[str], list[str]]:
    """The lines to append and the section ids they add."""
    lines: list[str] = []
    added: list[str] = []
    if commentary.summary is None:
        draft = _summary_draft(card)
        lines += ["", f"## {SUMMARY}", "", _marker(draft), draft]
        added.append(SUMMARY)
    for _, row in card.iterrows():
        measure = str(row["measure_id"])
        if measure in commentary.sections or measure in added:
            continue
        draft = draft_commentary(row)
        lines += [
            "",
            f"## {measure}",
            "",
            f"<!-- {_comment_text(measure)}: {_comment_text(row['name'])} -->",
            _marker(draft),
            draft,
        ]
        added.append(measure)
    return lines, added


def scaffold_commentary(card: pd.DataFrame, path: str | Path) -> list[str]:
    """Creates or extends a commentary file with a draft section for every measure of ``card``
    (catalogue order) that has none, and a ``## Summary`` if there is none; returns the ids of
    the sections added (``Summary`` included).

    Every existing byte is kept: the new sections are appended (after a newline if the file
    does not end with one), in the file's own line endings, and written atomically. Raises
    ``CommentaryError`` when the file is not UTF-8 or ends inside an unclosed code block or
    comment (sections appended there would be swallowed by it).
    """
    path = Path(path)
    for _ in range(5):
        before = path.read_bytes() if path.exists() else None
        raw = before or b""
        text = _decode(raw, path)
        commentary = parse_commentary(text)
        lines, added = _new_sections(card, commentary)
        if not added:
            return []
        if commentary.unclosed:
            raise CommentaryError(
                f"cannot add sections to {path}: {commentary.problems[0]}, then run again"
            )
        if not text.strip():
            lines = _preamble(card) + lines
        newline = "\r\n" if "\r\n" in text else "\n"
        lead = newline if text and not text.endswith(("\n", "\r")) else ""
        addition = lead + newline.join(lines) + newline
        path.parent.mkdir(parents=True, exist_ok=True)
        if replace_if_unchanged(path, before, raw + addition.encode("utf-8")):
            return added
    raise CommentaryError(
        f"{path} kept changing while perfnb was adding sections to it; save and close it in "
        "your editor, then run again"
    )


# -- what still needs writing ----------------------------------------------------------------


def missing_commentary(card: pd.DataFrame, commentary: Commentary) -> pd.DataFrame:
    """The Red and Amber measures of ``card`` without commentary: no section, an empty one, or
    only the untouched generated draft. Columns ``measure_id``, ``name``, ``rag`` and
    ``problem`` ("no commentary" or "only the generated draft"), in catalogue order."""
    rows = card.loc[card["rag"].isin(["Red", "Amber"]), ["measure_id", "name", "rag"]]
    problem = [
        ""
        if commentary.has_commentary(m)
        else "only the generated draft"
        if m in commentary.drafts
        else "no commentary"
        for m in rows["measure_id"]
    ]
    out = rows.assign(problem=pd.Series(problem, index=rows.index, dtype=object))
    return out[out["problem"] != ""].reset_index(drop=True)
