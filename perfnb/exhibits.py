"""What a report publishes beside its page: each table (as CSV) and chart (as SVG, and as a
300 dpi PNG when the run asks for one) its notebook displays.

A displayed ``Table`` or ``Chart`` (or a piece of the page holding some, a ``Fragment``) puts
its files into its display data under ``MIME_TYPE``, next to its HTML, when the kernel runs
under ``perfnb run`` (which sets ``ENVIRONMENT_VARIABLE``). The run takes them out of each
cell's outputs as the cell completes, before the executed notebook is saved, and writes them:
the kernel writes no file, the notebook never carries them, and no cell has to ask for what
it shows to be published. A chart's PNG is made only in a kernel whose run asks for it
(``PRINT_IMAGES_VARIABLE``: ``--format docx`` or ``--png``).
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "MIME_TYPE",
    "PRINT_IMAGES_VARIABLE",
    "Exhibit",
    "Fragment",
    "display_bundle",
    "exhibits_from_json",
    "exhibits_to_json",
]

MIME_TYPE = "application/vnd.perfnb.exhibits+json"
ENVIRONMENT_VARIABLE = "PERFNB_EXHIBITS"  # "1" in a kernel whose exhibits are published
PRINT_IMAGES_VARIABLE = "PERFNB_CHART_PNG"  # "1": its charts are published as 300 dpi PNG too
KINDS = ("tables", "charts")  # the folder each kind of exhibit is published in
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class Exhibit:
    """A table's or chart's files: ``kind`` (``tables`` or ``charts``, the folder they are
    published in) and each file's name and bytes."""

    kind: str
    files: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"an exhibit is one of {', '.join(KINDS)}, not {self.kind!r}")
        for name in self.files:
            if not _SAFE_NAME.fullmatch(name) or ".." in name:
                raise ValueError(f"exhibit file name {name!r} is not a safe file name")


class Exhibited(Protocol):
    """Anything with files to publish when shown: a ``Table`` or a ``Chart``."""

    def exhibit(self) -> Exhibit: ...


def publishing() -> bool:
    """Whether this process is a kernel whose exhibits ``perfnb run`` publishes."""
    return os.environ.get(ENVIRONMENT_VARIABLE) == "1"


def print_images() -> bool:
    """Whether this kernel's run publishes each chart's 300 dpi PNG besides its SVG."""
    return os.environ.get(PRINT_IMAGES_VARIABLE) == "1"


def exhibits_to_json(exhibits: Iterable[Exhibit]) -> list[dict[str, Any]]:
    """The exhibits as JSON-ready data: each file's bytes in base64."""
    return [
        {
            "kind": exhibit.kind,
            "files": {n: base64.b64encode(b).decode("ascii") for n, b in exhibit.files.items()},
        }
        for exhibit in exhibits
    ]


def exhibits_from_json(data: object) -> list[Exhibit]:
    """Exhibits from what :func:`exhibits_to_json` gave (read back from a notebook); raises
    ``ValueError`` for anything else."""
    if not isinstance(data, list):
        raise ValueError(f"{MIME_TYPE} holds a list of exhibits, not {type(data).__name__}")
    exhibits = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("files"), dict):
            raise ValueError(f"{MIME_TYPE}: an exhibit is a kind and its files, not {item!r:.80}")
        files = {str(n): base64.b64decode(str(b), validate=True) for n, b in item["files"].items()}
        exhibits.append(Exhibit(str(item.get("kind")), files))
    return exhibits


def display_bundle(html: str, shown: Sequence[Exhibited]) -> dict[str, Any]:
    """What a notebook displays for ``html``: the HTML, and under ``perfnb run`` the files of
    the tables and charts ``shown`` in it (``_repr_mimebundle_``'s answer)."""
    bundle: dict[str, Any] = {"text/html": html}
    if publishing() and shown:
        bundle[MIME_TYPE] = exhibits_to_json(item.exhibit() for item in shown)
    return bundle


@dataclass(frozen=True, repr=False)
class Fragment:
    """A piece of the report page (``html``) holding tables and charts (``shown``), which are
    published with it."""

    html: str
    shown: Sequence[Exhibited] = ()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, Any]:
        """What a notebook shows: the HTML, with its exhibits under ``perfnb run``."""
        return display_bundle(self.html, self.shown)

    def _repr_html_(self) -> str:
        """The HTML alone."""
        return self.html

    def __repr__(self) -> str:
        """A line saying what it is (its HTML is what a notebook shows)."""
        return f"<perfnb Fragment: HTML with {len(self.shown)} table(s) and chart(s)>"
