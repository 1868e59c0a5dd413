"""One RAG palette and label map for the whole package: tables, charts and the index page.

RAG never rests on colour alone. Every rating carries its word (Red, Amber, Green) or letter
(R, A, G); in charts each rating also has its own marker shape and bar hatching. The fills are
told apart by lightness as well as hue (Red dark, Green mid, Amber light), so they stay distinct
to colour-blind readers and in a black-and-white print, and the text on each meets WCAG AA
contrast (4.5:1 or more).

Figures that are not final carry the Government Statistical Service's shorthand, defined here
once for tables, charts and the report: ``[p]`` provisional, ``[r]`` revised, ``[e]`` estimated
and ``[i]`` illustrative (not published), with a key wherever a marker is printed. In charts such
a figure's point is drawn hollow, in its rating's shape and edge colour.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

__all__ = [
    "ACTION_STYLES",
    "NOT_FINAL_FACE",
    "RAG_STYLES",
    "SPC_ASSURANCE_ICONS",
    "SPC_ICON_CSS",
    "SPC_ICON_PROPS",
    "SPC_STYLES",
    "SPC_TARGET_COLOUR",
    "SPC_VARIATION_ICONS",
    "STATUS_MARKERS",
    "STATUS_WORDS",
    "RagStyle",
    "contrast_ratio",
    "marked_statuses",
    "rag_css",
    "rag_css_props",
    "rag_style",
    "rating_style",
    "relative_luminance",
    "spc_icon_html",
    "status_key",
    "status_key_line",
    "status_marker",
    "unbroken_markers",
    "with_marker",
]


@dataclass(frozen=True)
class RagStyle:
    """How one rating is drawn: its word, letter, fill and text colours, marker and hatching."""

    label: str  # the engine's value: Red, Amber, Green, N/A, Pending
    letter: str
    fill: str  # background of a table cell, face of a chart point or bar
    text: str  # text on that fill
    edge: str  # outline of a point or bar, so a light fill stays visible on white
    marker: str  # matplotlib marker
    hatch: str  # matplotlib hatch for bars ("" = solid)
    css_class: str


RAG_STYLES: dict[str, RagStyle] = {
    s.label: s
    for s in (
        RagStyle("Red", "R", "#B2182B", "#FFFFFF", "#67000D", "v", "///", "rag-red"),
        RagStyle("Amber", "A", "#FDB863", "#000000", "#8C510A", "D", "...", "rag-amber"),
        RagStyle("Green", "G", "#5AAE61", "#000000", "#00441B", "o", "", "rag-green"),
        RagStyle("N/A", "N/A", "#E0E0E0", "#000000", "#595959", "s", "xx", "rag-na"),
        RagStyle("Pending", "P", "#FFFFFF", "#000000", "#595959", "s", "", "rag-pending"),
    )
}


# an action's derived rating (perfnb.actions): Overdue, At risk and On track in the Red, Amber
# and Green of measures; Completed solid dark blue (told from Red's hatching in black and white);
# Cancelled grey like N/A
ACTION_STYLES: dict[str, RagStyle] = {
    s.label: s
    for s in (
        RagStyle("Overdue", "O", "#B2182B", "#FFFFFF", "#67000D", "v", "///", "action-overdue"),
        RagStyle("At risk", "AR", "#FDB863", "#000000", "#8C510A", "D", "...", "action-at-risk"),
        RagStyle("On track", "OT", "#5AAE61", "#000000", "#00441B", "o", "", "action-on-track"),
        RagStyle("Completed", "C", "#2166AC", "#FFFFFF", "#053061", "s", "", "action-completed"),
        RagStyle("Cancelled", "X", "#E0E0E0", "#000000", "#595959", "X", "xx", "action-cancelled"),
    )
}


def rag_style(rag: str) -> RagStyle:
    """The style of a rating; anything unknown (a blank) is drawn as N/A."""
    return RAG_STYLES.get(rag, RAG_STYLES["N/A"])


def rating_style(word: str) -> RagStyle | None:
    """The style of a measure's rating (Red...) or an action's (Overdue...); None otherwise."""
    return RAG_STYLES.get(word) or ACTION_STYLES.get(word)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour, from 0 (black) to 1 (white)."""
    code = colour.lstrip("#")
    channels = [int(code[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    dark, light = sorted((relative_luminance(first), relative_luminance(second)))
    return (light + 0.05) / (dark + 0.05)


def rag_css_props(style: RagStyle) -> str:
    """The CSS declarations of a rating's cell: fill, text colour, bold, printed in colour."""
    props = (
        f"background-color: {style.fill}; color: {style.text}; font-weight: 600; "
        "white-space: nowrap; print-color-adjust: exact; -webkit-print-color-adjust: exact;"
    )
    if style.label == "Pending":  # white like the page: a dashed outline shows the cell
        props += f" outline: 1px dashed {style.edge}; outline-offset: -3px;"
    return props


# a rating as a labelled badge ("Amber 6") in running text: the report's summary, index.html
BADGE_CSS = (
    ".perfnb-badge { display: inline-block; padding: 0.05rem 0.45rem; margin: 0.1rem 0; "
    "border-radius: 3px; font-weight: 600; border: 1px solid #595959; }"
)


def rag_css(selector_prefix: str = "") -> str:
    """CSS rules for the RAG classes (``.rag-red`` and so on), the action ratings'
    (``.action-overdue``...) and the ``.perfnb-badge`` that shows one in running text."""
    styles = [*RAG_STYLES.values(), *ACTION_STYLES.values()]
    rules = [f"{selector_prefix}.{s.css_class} {{ {rag_css_props(s)} }}" for s in styles]
    return "\n".join([BADGE_CSS, SPC_ICON_CSS, *rules])


# Making Data Count's colours, as NHSRplotthedots 0.2 draws them; a marker shape for each as well,
# so a point's type reads in black and white
SPC_STYLES = {
    "common_cause": ("#7B7D7D", "o", "Common cause"),
    "special_cause_improvement": ("#289DE0", "s", "Special cause: improvement"),
    "special_cause_concern": ("#FAB428", "D", "Special cause: concern"),
    "special_cause_neutral_high": ("#361475", "^", "Special cause: high"),
    "special_cause_neutral_low": ("#361475", "v", "Special cause: low"),
}
SPC_TARGET_COLOUR = "#DE1B1B"
# the two icons: (circle colour, letter, words)
SPC_VARIATION_ICONS = {
    "common_cause": ("#7B7D7D", "~", "Common cause"),
    "improvement_high": ("#289DE0", "H", "Improvement (high)"),
    "improvement_low": ("#289DE0", "L", "Improvement (low)"),
    "concern_high": ("#FAB428", "H", "Concern (high)"),
    "concern_low": ("#FAB428", "L", "Concern (low)"),
    "neutral_high": ("#361475", "H", "Special cause (high)"),
    "neutral_low": ("#361475", "L", "Special cause (low)"),
}
SPC_ASSURANCE_ICONS = {
    "consistent_pass": ("#289DE0", "P", "Target always met"),
    "consistent_fail": ("#FAB428", "F", "Target never met"),
    "inconsistent": ("#7B7D7D", "?", "Target hit and miss"),
}
SPC_ICON_BY_WORDS = {
    words: (colour, letter)
    for colour, letter, words in [*SPC_VARIATION_ICONS.values(), *SPC_ASSURANCE_ICONS.values()]
}

# a ring with its letter before the words, in a table cell: the ring in the icon's colour, the
# letter dark (the orange is too light for text), the words saying what it means
SPC_ICON_PROPS = (
    "display: inline-block; box-sizing: border-box; width: 1.45em; height: 1.45em; "
    "border: 2px solid; border-radius: 50%; text-align: center; line-height: 1.2em; "
    "font-weight: 700; font-size: 0.85em; color: #1a1a1a; margin-right: 0.3em; "
    "print-color-adjust: exact; -webkit-print-color-adjust: exact;"
)
SPC_ICON_CSS = f"span.perfnb-icon {{ {SPC_ICON_PROPS} }}"


def spc_icon_html(words: str) -> str:
    """An SPC icon's words (``Common cause``, ``Target never met``) as HTML: a ring with its
    letter, then the words; other text (why there is no icon) escaped as it is."""
    found = SPC_ICON_BY_WORDS.get(str(words))
    if found is None:
        return f'<span class="perfnb-muted">{escape(str(words))}</span>' if words else ""
    colour, letter = found
    return (
        f'<span class="perfnb-icon" style="border-color: {colour}" aria-hidden="true">'
        f"{escape(letter)}</span>{escape(str(words))}"
    )


# -- figures that are not final ----------------------------------------------------------------
# values.csv's status (perfnb.contract.STATUSES) -> the GSS shorthand printed after the figure;
# final (or blank) has none. The order is the key's.
STATUS_MARKERS: dict[str, str] = {
    "provisional": "[p]",
    "revised": "[r]",
    "estimated": "[e]",
    "illustrative": "[i]",
}
# what each marker means, as the key under a table and a chart's legend say it
STATUS_WORDS: dict[str, str] = {
    "provisional": "provisional",
    "revised": "revised",
    "estimated": "estimated",
    "illustrative": "illustrative (not published)",
}
# a not-final point's face in a chart: hollow (white), its edge the rating's
NOT_FINAL_FACE = "#FFFFFF"
_FINAL = ("", "final", "nan", "none", "<na>")
_MARKER_RE = re.compile("|".join(re.escape(m) for m in STATUS_MARKERS.values()))
_SPACED_MARKER_RE = re.compile(" (" + _MARKER_RE.pattern + ")")


def _status_word(status: object) -> str:
    """A status as values.csv words it, lower case; '' for final, blank or missing."""
    if status is None or (isinstance(status, float) and math.isnan(status)):
        return ""
    word = str(status).strip().lower()
    return "" if word in _FINAL else word


def status_marker(status: object) -> str:
    """The marker of a figure's status (``[p]`` for provisional); '' for a final figure (blank,
    missing or ``final``). Raises ValueError for a status that is not in the contract."""
    word = _status_word(status)
    if not word:
        return ""
    if word not in STATUS_MARKERS:
        known = ", ".join(("final", *STATUS_MARKERS))
        raise ValueError(f"unknown figure status {status!r}: expected one of {known}")
    return STATUS_MARKERS[word]


def with_marker(text: str, status: object) -> str:
    """A printed figure followed by its status's marker (``77.4% [p]``); a blank stays blank."""
    marker = status_marker(status)
    return f"{text} {marker}" if text and marker else text


def unbroken_markers(text: object) -> object:
    """Text for a page: each marker tied to the figure before it by a no-break space, so a
    narrow printed column never puts ``[p]`` on a line of its own; other values unchanged."""
    if not isinstance(text, str):
        return text
    return _SPACED_MARKER_RE.sub("\u00a0\\1", text)


def marked_statuses(texts: Iterable[object]) -> list[str]:
    """The statuses whose marker appears in any of ``texts``, in the key's order."""
    found = {m for text in texts for m in _MARKER_RE.findall(str(text))}
    return [status for status, marker in STATUS_MARKERS.items() if marker in found]


def status_key(statuses: Iterable[str]) -> str:
    """The key of the markers of ``statuses``, in the key's order: ``[p] provisional; [i]
    illustrative (not published)``; '' when every one is final."""
    words = {_status_word(s) for s in statuses}
    return "; ".join(
        f"{marker} {STATUS_WORDS[status]}"
        for status, marker in STATUS_MARKERS.items()
        if status in words
    )


def status_key_line(statuses: Iterable[str]) -> str:
    """The key printed under a table with marked figures: ``Key: [p] provisional.``; ''
    when every one is final."""
    key = status_key(statuses)
    return f"Key: {key}." if key else ""
