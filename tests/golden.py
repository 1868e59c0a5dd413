"""The golden record of ``make report``: every output file of its four runs, as a digest of its
content with what legitimately changes from run to run masked (times, the day a report was
produced, temporary paths, the repository's and the output folder's location, the digest of
perfnb's own code).

It was recorded before issue 17 reshaped the package, so that the reshaping can be checked to
change no output. ``tests/test_golden.py`` compares a fresh ``make report`` with it. To record
it again, when an output is meant to change: ``.venv/bin/python tests/golden.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "golden" / "make-report.json"
# the runs of `make report`, as its recipe gives them
RUNS = [[], ["--period", "2012/13 Q2"], ["--period", "2009/10 Q2"], ["--period", "2003-10"]]
# what the outputs' bytes depend on besides perfnb: a new version may draw or write differently
PACKAGES = ("matplotlib", "pandas", "numpy", "nbconvert", "nbformat", "papermill", "jinja2")
TEXT = {".html", ".ipynb", ".json", ".csv", ".svg", ".md", ".txt"}
WHEN = re.compile(r"\b\d{2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}\b")  # 06 December 2026 02:07
WORK = re.compile(r"\.perfnb-[A-Za-z0-9_.-]+")  # a report's temporary working folder
PRODUCED = re.compile(r"\bProduced \d{2} [A-Z][a-z]+ \d{4}\b")  # the title block's date


def environment() -> dict[str, str]:
    """The Python and package versions the outputs were made with, and the font the charts'
    text is measured and drawn in (the house style's first font found: Liberation Sans where
    the fonts ``make test`` installs are, else DejaVu Sans, whose other widths move every
    chart's layout)."""
    from matplotlib import font_manager

    from perfnb.charts.style import house_style

    found = {"python": ".".join(map(str, sys.version_info[:2]))}
    for name in PACKAGES:
        found[name] = metadata.version(name)
    with house_style():
        found["font"] = Path(font_manager.findfont(font_manager.FontProperties())).name
    return found


def build_outputs(out: Path) -> None:
    """Runs ``make report``'s four runs from the repository's folder into ``out``."""
    from perfnb.cli import main

    before = Path.cwd()
    os.chdir(ROOT)
    try:
        for extra in RUNS:
            code = main(["run", "--out", str(out), "--force", *extra])
            if code != 0:
                raise RuntimeError(f"perfnb run {' '.join(extra)} exited {code}")
    finally:
        os.chdir(before)


def _masked_text(text: str, out: Path) -> str:
    text = text.replace(str(out.resolve()), "<out>").replace(str(out), "<out>")
    text = text.replace(str(ROOT), "<root>")
    text = PRODUCED.sub("Produced <date>", WHEN.sub("<time>", text))
    return WORK.sub(".perfnb-<work>", text)


def _masked_notebook(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        cell.pop("id", None)  # papermill's injected cell has a random one
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("papermill", None)
    papermill = nb.get("metadata", {}).get("papermill")
    if papermill is not None:
        nb["metadata"]["papermill"] = {"parameters": papermill.get("parameters")}
    return nb


def _masked_manifest(manifest: dict) -> dict:
    for name in ("started", "finished", "versions"):
        manifest.pop(name, None)
    for report in manifest.get("reports", []):
        for name in ("seconds", "started", "finished", "build", "run", "hashes"):
            report.pop(name, None)
    return manifest


def digest(path: Path, out: Path) -> str:
    """The file's content as the golden record keeps it: a sha256 of its bytes, or, for text,
    of the text with times, temporary paths and locations masked (notebooks without
    papermill's timings and cell ids, manifests without times and build digests)."""
    data = path.read_bytes()
    if path.suffix in TEXT:
        text = _masked_text(data.decode("utf-8-sig"), out)
        if path.suffix == ".ipynb":
            text = json.dumps(_masked_notebook(json.loads(text)), sort_keys=True, indent=1)
        elif path.name == "manifest.json":
            text = json.dumps(_masked_manifest(json.loads(text)), sort_keys=True, indent=1)
        data = text.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def digests(out: Path) -> dict[str, str]:
    """Every file under ``out`` (but the run's lock) by its path, with its digest."""
    return {
        path.relative_to(out).as_posix(): digest(path, out)
        for path in sorted(out.rglob("*"))
        if path.is_file() and not path.name.startswith(".perfnb.lock")
    }


def record(out: Path) -> dict[str, object]:
    """Builds ``make report``'s outputs into ``out`` and returns their golden record."""
    build_outputs(out)
    return {"environment": environment(), "files": digests(out)}


if __name__ == "__main__":
    import tempfile

    with (
        tempfile.TemporaryDirectory(prefix="pnb-golden-") as folder,
        contextlib.redirect_stdout(sys.stderr),
    ):
        made = record(Path(folder) / "out")
    RECORD.write_text(json.dumps(made, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {len(made['files'])} files in {RECORD.relative_to(ROOT)}")
