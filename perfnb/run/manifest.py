"""The period's ``manifest.json``: what each report was built from (a build key over its
notebook, parameters, input files and perfnb) and what it wrote (the SHA-256 of each of its
files), so that an unchanged report whose files are as it wrote them is not built again, and
how a run's results are merged into the manifest a previous run left."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path

from perfnb.run.export import TEMPLATES
from perfnb.run.results import JobResult

__all__ = [
    "MANIFEST",
    "build_key",
    "file_hashes",
    "manifest_reports",
    "merge_manifest",
    "published_names",
    "up_to_date",
    "versions",
]

MANIFEST = "manifest.json"
WATCHED_PACKAGES = (
    "perfnb",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "openpyxl",
)


def versions() -> dict[str, str]:
    """The installed versions of perfnb and the packages a report's bytes depend on."""
    found = {}
    for name in WATCHED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@cache
def _package_digest() -> str:
    """A digest of perfnb's own code and templates: a change to either rebuilds every report,
    as a new version does."""
    root = Path(__file__).parents[1]
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *TEMPLATES.rglob("*"), *root.rglob("*.mplstyle")]):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def build_key(
    notebook: Path, parameters: Mapping[str, object], inputs: Mapping[str, str], version: str
) -> str:
    """What a report is built from, as one digest: the notebook's bytes, its parameters (not
    the output folder), the input files' hashes and perfnb (version and code)."""
    shown = {k: v for k, v in parameters.items() if k != "output_dir"}
    payload = {
        "notebook": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "parameters": shown,
        "inputs": dict(inputs),
        "perfnb": [version, _package_digest()],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def manifest_reports(folder: Path) -> dict[str, dict]:
    """The reports of the period's manifest by key; none when there is no readable one."""
    try:
        return {r["key"]: r for r in json.loads((folder / MANIFEST).read_text())["reports"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def published_names(entry: Mapping[str, object]) -> list[str]:
    """The files a report's manifest ``entry`` (or ``JobResult`` as a dict) says it published,
    relative to the period folder: its page, notebook, tables, charts and other formats."""
    names = [entry.get("html"), entry.get("ipynb")]
    for field in ("files", "formats"):
        listed = entry.get(field)
        names += list(listed) if isinstance(listed, list | tuple) else []
    return [str(name) for name in names if name]


def _within(folder: Path, name: str, root: Path | None = None) -> Path | None:
    """``folder/name`` when it is inside ``folder`` (``root``: the folder resolved); else None.
    A manifest's path is data: ``../x``, an absolute path or a link out of it is not followed."""
    root = root or folder.resolve()
    target = (folder / name).resolve()
    return target if target.is_relative_to(root) and target != root else None


def _sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(folder: Path, names: list[str]) -> dict[str, str]:
    """The SHA-256 of each of ``names`` (relative to ``folder``) that is a file inside it."""
    found, root = {}, folder.resolve()
    for name in names:
        path = _within(folder, name, root)
        if path is not None and path.is_file():
            found[name] = _sha256(path)
    return found


def up_to_date(folder: Path, entry: dict | None, build: str) -> dict | None:
    """A report's manifest ``entry`` when its last build was good, from the same ``build``,
    and every file it published is still there with the bytes it wrote (``hashes``); else
    None. An entry without hashes (written by an older perfnb) is not up to date: the report
    is built once more, and its files' hashes recorded."""
    if not entry or entry.get("status") != "ok" or entry.get("build") != build:
        return None
    recorded = entry.get("hashes")
    names = published_names(entry)
    if not isinstance(recorded, dict) or not entry.get("html") or not entry.get("ipynb"):
        return None
    if any(name not in recorded for name in names):
        return None
    found = file_hashes(folder, names)
    if any(found.get(name) != recorded[name] for name in names):
        return None  # a file missing, or changed since the report's build wrote it
    return entry


# -- many jobs ---------------------------------------------------------------------------------


def _remove_within(folder: Path, name: object, echo: Callable[[str], None]) -> None:
    """Deletes ``folder/name`` if it is a file inside ``folder``; a manifest's path that leads
    out of it (``../x``, an absolute path, a link out) is data, never an instruction: refused,
    with a warning."""
    target = _within(folder, str(name))
    if target is None:
        echo(f"warning: {MANIFEST} names {name!r}, outside {folder}: not deleted")
        return
    if target.is_file():
        target.unlink(missing_ok=True)


def merge_manifest(
    folder: Path,
    run: dict[str, object],
    jobs: list[JobResult],
    echo: Callable[[str], None] = lambda _: None,
) -> dict:
    """The period's manifest: this run's jobs replace earlier entries for the same reports.
    Each report built records the SHA-256 of the files it published (``hashes``, set on its
    ``JobResult`` too when the job did not), which the next run checks them against."""
    reports = manifest_reports(folder)
    for job in jobs:
        if job.status in ("skipped", "stopped"):  # its entry stands, if it has one
            continue
        if job.status == "ok" and not job.hashes:
            job.hashes = file_hashes(folder, published_names(asdict(job)))
        entry = {"key": job.key, **asdict(job), "run": run}
        before = reports.get(job.key, {})
        if job.status == "ok":  # tables, charts and formats this report no longer has
            had = {*before.get("files", []), *before.get("formats", [])}
            for stale in had - {*job.files, *job.formats}:
                _remove_within(folder, stale, echo)
        if job.status != "ok":
            good = before if before.get("status") == "ok" else before.get("last_good")
            if good and (folder / good["html"]).exists():
                entry["last_good"] = {k: good[k] for k in ("html", "finished", "run") if k in good}
        reports[job.key] = entry
    return {**run, "reports": sorted(reports.values(), key=lambda r: r["key"])}
