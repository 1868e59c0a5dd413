"""The formats a report is written in: the HTML page always, and on request the printed PDF
and the Word file a committee clerk pastes from (``perfnb run --format html,pdf,docx``, or
``dataset.toml``'s ``[output] formats``)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FORMATS", "parse_formats"]

# html: the report page; pdf: printed by headless Chromium; docx: Word, by python-docx
FORMATS = ("html", "pdf", "docx")


def parse_formats(given: str | Iterable[object]) -> tuple[str, ...]:
    """The formats named in ``given`` (``"html,pdf"`` or a list), in ``FORMATS`` order, the
    HTML always among them; ``ValueError`` saying which name is not a format."""
    names = given.split(",") if isinstance(given, str) else [str(g) for g in given]
    chosen = {name.strip().lower() for name in names if str(name).strip()}
    unknown = sorted(chosen - set(FORMATS))
    if unknown:
        raise ValueError(
            f"{', '.join(repr(u) for u in unknown)} is not a report format; "
            f"expected one or more of {', '.join(FORMATS)}, separated by commas"
        )
    chosen.add("html")  # the PDF is printed from the page, the Word file built from it
    return tuple(f for f in FORMATS if f in chosen)
