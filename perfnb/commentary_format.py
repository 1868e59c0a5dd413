"""The commentary file's format: ``<data set>/commentary/<period-slug>.md``, read and checked.

A commentary file is markdown: an optional ``## Summary`` section (the period's), a
``## Summary: <service>`` section for each service that has its own summary, then one
``## <measure_id>`` section per measure. Text before the first ``## `` heading (the preamble)
is kept but never shown in a report. A generated draft carries a marker line
(``DRAFT_MARKER``, an HTML comment holding a fingerprint of the draft), so a section still
holding the untouched draft is known as such; once its text is edited it is the analyst's,
with or without the marker.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from perfnb.contract import slugify
from perfnb.markup import render_markdown
from perfnb.periods import Period

__all__ = [
    "DRAFT_MARKER",
    "FOLDER",
    "SUMMARY",
    "Commentary",
    "CommentaryError",
    "commentary_path",
    "commentary_problems",
    "decode_commentary",
    "draft_marker",
    "load_commentary",
    "parse_commentary",
    "read_commentary_text",
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
_SERVICE_SUMMARY_RE = re.compile(r"^summary\s*:\s*(?P<service>\S.*)$", re.IGNORECASE)


class CommentaryError(Exception):
    """A commentary file that cannot be read or extended; the message names the file, and
    ``reason`` says what is wrong without it."""

    reason: str = ""


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
    # each "## Summary: <service>" body, by the service as its heading names it
    service_summaries: Mapping[str, str] = field(default_factory=dict)
    service_summary_drafts: frozenset[str] = frozenset()  # those still the untouched draft
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

    def service_summary_key(self, service: str) -> str | None:
        """The ``## Summary: <service>`` heading naming ``service`` (by name, in any case, or
        by slug), or None."""
        wanted = {service.casefold(), slugify(service)}
        return next(
            (k for k in self.service_summaries if {k.casefold(), slugify(k)} & wanted), None
        )

    def for_service(self, service: str) -> Commentary:
        """The commentary as ``service``'s report reads it: its own ``## Summary: <service>``
        in place of the period's ``## Summary``, unless its own is empty or the untouched draft
        and the period's holds an analyst's text."""
        key = self.service_summary_key(service)
        if key is None:
            return self
        body, draft = self.service_summaries[key], key in self.service_summary_drafts
        written = self.summary is not None and _visible_text(self.summary)
        if (draft or not _visible_text(body)) and written and not self.summary_is_draft:
            return self
        return replace(self, summary=body, summary_is_draft=draft)

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


def draft_marker(draft: str) -> str:
    """The marker line written above a generated ``draft``: ``DRAFT_MARKER`` with the draft's
    fingerprint."""
    return DRAFT_MARKER.format(fingerprint=_fingerprint(_visible_text(draft)))


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
    services = {k: m["service"].strip() for k in bodies if (m := _SERVICE_SUMMARY_RE.match(k))}
    by_service = {service: bodies.pop(heading) for heading, service in services.items()}

    def untouched(pieces: list[str]) -> bool:
        drafts = [p for p in pieces if _visible_text(p)]
        return bool(drafts) and all(_is_untouched_draft(p) for p in drafts)

    sections = {name: "\n\n".join(p for p in pieces if p) for name, pieces in bodies.items()}
    return Commentary(
        summary=None if summary_parts is None else "\n\n".join(p for p in summary_parts if p),
        sections=sections,
        drafts=frozenset(name for name, pieces in bodies.items() if untouched(pieces)),
        summary_is_draft=summary_parts is not None and untouched(summary_parts),
        service_summaries={
            s: "\n\n".join(p for p in parts if p) for s, parts in by_service.items()
        },
        service_summary_drafts=frozenset(s for s, ps in by_service.items() if untouched(ps)),
        preamble=_trim_blank_lines(parts[0][2]),
        headings=tuple((name, number) for name, number, _ in named),
        problems=tuple(problems),
        unclosed=unclosed,
    )


def commentary_path(data_dir: str | Path, period: Period) -> Path:
    """Where a period's commentary lives: ``<data_dir>/commentary/<period slug>.md``."""
    return Path(data_dir) / FOLDER / f"{period.slug}.md"


def decode_commentary(raw: bytes, path: Path) -> str:
    """A commentary file's bytes as text (UTF-8, a BOM dropped); raises ``CommentaryError``
    naming ``path`` and the line of the first byte that is not UTF-8."""
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
    return decode_commentary(path.read_bytes(), path)


def load_commentary(data_dir: str | Path, period: Period) -> Commentary:
    """The period's commentary, parsed; empty when the file does not exist.

    Raises ``CommentaryError`` naming the file when it is not UTF-8 text.
    """
    path = commentary_path(data_dir, period)
    if not path.exists():
        return Commentary()
    return parse_commentary(decode_commentary(path.read_bytes(), path))


def commentary_problems(
    commentary: Commentary,
    measure_ids: Iterable[str],
    path: str | Path,
    catalogue: str = "measures.csv",
    services: Iterable[str] | None = None,
) -> list[str]:
    """Warnings about a parsed file: headings that are not measures, a ``## Summary:`` naming
    no service of ``services`` (when given), headings given twice, and a code block or comment
    never closed. Each names the file."""
    known_services = None if services is None else [str(s) for s in services]
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
        if match := _SERVICE_SUMMARY_RE.match(name):
            service = match["service"].strip()
            named = {service.casefold(), slugify(service)}
            if known_services is not None and not any(
                {s.casefold(), slugify(s)} & named for s in known_services
            ):
                messages.append(
                    f"## {name} in {path} names no service of {catalogue} (line {numbers[0]}); "
                    f"its summary is not shown in any report (the services: "
                    f"{', '.join(known_services)})"
                )
        elif name.casefold() != SUMMARY.casefold() and name not in known_set:
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
