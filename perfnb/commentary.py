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

The file's format (reading, parsing, checking) is ``perfnb.commentary_format`` and the drafts
``perfnb.commentary_drafts``; this module adds sections to the file and finds the measures still
without commentary. Everything is imported from here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from perfnb.commentary_drafts import draft_commentary, summary_draft
from perfnb.commentary_format import (
    DRAFT_MARKER,
    SUMMARY,
    Commentary,
    CommentaryError,
    commentary_path,
    commentary_problems,
    decode_commentary,
    draft_marker,
    load_commentary,
    parse_commentary,
)
from perfnb.commentary_format import FOLDER as FOLDER
from perfnb.commentary_format import read_commentary_text as read_commentary_text
from perfnb.files import replace_if_unchanged

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


# -- scaffolding -----------------------------------------------------------------------------


def _comment_text(text: object) -> str:
    """Text that is safe inside an HTML comment: one line, no ``--``."""
    return re.sub(r"-{2,}", "-", " ".join(str(text).split())).strip("-").strip()


def _preamble(card: pd.DataFrame) -> list[str]:
    period = str(card["period"].iloc[0]) if len(card) else ""
    return [
        f"# Commentary{': ' + period if period else ''}",
        "",
        '<!-- One "## <measure_id>" section per measure, and "## Summary: <service>" for each',
        "service's report (\"## Summary\" alone is every service's). Write markdown under each",
        "heading; a section that still holds the generated draft is flagged in the report.",
        "perfnb commentary adds sections for new measures and services and never",
        "changes your text. This text before the first ## heading is not shown. See",
        "docs/commentary.md. -->",
    ]


def _new_sections(card: pd.DataFrame, commentary: Commentary) -> tuple[list[str], list[str]]:
    """The lines to append and the section ids they add."""
    lines: list[str] = []
    added: list[str] = []
    services = list(pd.unique(card["service"])) if len(card) else []
    for service in services:  # a summary of its own for each service's report
        if commentary.service_summary_key(str(service)) is None:
            draft = summary_draft(card[card["service"] == service])
            heading = f"{SUMMARY}: {service}"
            lines += ["", f"## {heading}", "", draft_marker(draft), draft]
            added.append(heading)
    if not services and commentary.summary is None:
        draft = summary_draft(card)
        lines += ["", f"## {SUMMARY}", "", draft_marker(draft), draft]
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
            draft_marker(draft),
            draft,
        ]
        added.append(measure)
    return lines, added


def scaffold_commentary(card: pd.DataFrame, path: str | Path) -> list[str]:
    """Creates or extends a commentary file with a draft section for every measure of ``card``
    (catalogue order) that has none, after a ``## Summary: <service>`` for each service of the
    card that has none; returns the headings of the sections added.

    Every existing byte is kept: the new sections are appended (after a newline if the file
    does not end with one), in the file's own line endings, and written atomically. Raises
    ``CommentaryError`` when the file is not UTF-8 or ends inside an unclosed code block or
    comment (sections appended there would be swallowed by it).
    """
    path = Path(path)
    for _ in range(5):
        before = path.read_bytes() if path.exists() else None
        raw = before or b""
        text = decode_commentary(raw, path)
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
