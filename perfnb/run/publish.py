"""Publishing a report's exhibits: the tables and charts its notebook displayed, taken out of
the executed notebook's display data (``perfnb.exhibits``) and written beside the report as
``tables/<service>/<name>.csv`` and ``charts/<service>/<name>.svg`` (and ``.png``, at 300 dpi,
when the run asks for it: ``--png`` or ``--format docx``)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from perfnb.exhibits import KINDS, MIME_TYPE, Exhibit, exhibits_from_json
from perfnb.files import write_into
from perfnb.loader import slugify

__all__ = ["publish_files", "take_cell_exhibits", "take_exhibits", "write_exhibits"]


def take_cell_exhibits(cell: nbformat.NotebookNode, number: int) -> list[Exhibit]:
    """Removes the exhibits from one cell's outputs and returns them in the order shown; a
    malformed one raises ``ValueError`` naming the cell (``number``, from 1)."""
    found: list[Exhibit] = []
    for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
        data = output.get("data")
        if not isinstance(data, dict) or MIME_TYPE not in data:
            continue
        try:
            found += exhibits_from_json(data.pop(MIME_TYPE))
        except ValueError as exc:
            raise ValueError(f"cell {number} of the executed notebook: {exc}") from exc
    return found


def take_exhibits(nb: nbformat.NotebookNode) -> list[Exhibit]:
    """Removes every exhibit from ``nb``'s outputs and returns them in the order shown; a
    malformed one raises ``ValueError`` naming its cell."""
    return [
        exhibit
        for number, cell in enumerate(nb.cells, start=1)
        for exhibit in take_cell_exhibits(cell, number)
    ]


def write_exhibits(exhibits: list[Exhibit], folder: Path, service: str) -> None:
    """Writes each exhibit's files into ``folder/<kind>/<service-slug>/``. The same table or
    chart shown twice is written once; two different ones of one name raise ``ValueError``
    naming the file, as one would be lost."""
    seen: dict[str, bytes] = {}
    for exhibit in exhibits:
        for name, data in exhibit.files.items():
            if seen.setdefault(f"{exhibit.kind}/{name}", data) != data:
                raise ValueError(
                    f"two different {exhibit.kind} of the report are both {name}: each table "
                    "and chart needs a name of its own, or one of them would be lost"
                )
    for exhibit in exhibits:
        write_into(folder / exhibit.kind / slugify(service), exhibit.files)


def publish_files(staged: Path, folder: Path) -> list[str]:
    """Moves the tables and charts staged under ``staged`` into ``folder``, file by file (other
    reports' files stay); returns their paths relative to ``folder``, tables first."""
    moved = []
    for kind in KINDS:
        for path in sorted((staged / kind).rglob("*")):
            if path.is_file():
                relative = path.relative_to(staged)
                target = folder / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moved.append(relative.as_posix())
    return moved
